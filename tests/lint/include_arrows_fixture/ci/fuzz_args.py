"""a tool-side module"""
