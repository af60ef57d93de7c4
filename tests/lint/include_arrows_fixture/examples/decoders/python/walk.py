"""the example's own module"""
