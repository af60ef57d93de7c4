/*
 * interrupt.h — SIGINT as a flag (internal).
 *
 * The handler only sets a flag, installed without SA_RESTART so that a
 * blocking read() returns; loops poll etwhf_interrupted() and the command
 * exits with EXIT_INTERRUPTED (130) after flushing what it has printed.
 */
#ifndef ETWHF_CLI_INTERRUPT_H
#define ETWHF_CLI_INTERRUPT_H

void etwhf_interrupt_install(void);
int etwhf_interrupted(void);

#endif
