/* SIGINT, SIGTERM and SIGHUP as a flag; see interrupt.h. */
#include "interrupt.h"

#include <signal.h>
#include <string.h>

static volatile sig_atomic_t caught; /* the first signal's number, 0 before */

static void on_signal(int sig)
{
    if (!caught)
        caught = sig;
}

void etwhf_interrupt_install(void)
{
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sigaddset(&sa.sa_mask, sigs[i]);
    sa.sa_flags = 0; /* no SA_RESTART: read() must return EINTR */
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        /* nohup's SIG_IGN is the user's wish; SIGINT and SIGTERM are caught
         * whatever the shell set (a script's background job ignores SIGINT,
         * and tests signal such jobs). */
        if (sigs[i] == SIGHUP && sigaction(SIGHUP, NULL, &old) == 0 && old.sa_handler == SIG_IGN)
            continue;
        sigaction(sigs[i], &sa, NULL);
    }
}

int etwhf_interrupted(void)
{
    return caught != 0;
}

int etwhf_interrupt_exit(void)
{
    return 128 + (caught ? (int)caught : SIGINT);
}
