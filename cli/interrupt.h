/*
 * interrupt.h — SIGINT, SIGTERM and SIGHUP as a flag (internal).
 *
 * The handler only records the first signal, installed without SA_RESTART so
 * that a blocking read(), write() or open() returns EINTR; loops poll
 * etwhf_interrupted(), the command flushes the whole lines it has and
 * returns EXIT_INTERRUPTED, and main() turns that into 128 + the signal's
 * number (130 SIGINT, 143 SIGTERM, 129 SIGHUP), as a shell reports a command
 * the signal ended. A SIGHUP that was ignored when etwhf started (nohup)
 * stays ignored.
 */
#ifndef ETWHF_CLI_INTERRUPT_H
#define ETWHF_CLI_INTERRUPT_H

void etwhf_interrupt_install(void);
int etwhf_interrupted(void);
/* 128 + the signal that arrived first (130 when none did). */
int etwhf_interrupt_exit(void);

#endif
