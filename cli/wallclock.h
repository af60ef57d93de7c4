/*
 * wallclock.h — event clock values to UTC times, from the logfile record
 * (docs/spec/format.md §4), and FILETIME to ISO-8601 text (internal).
 *
 * Clock types (logfile ReservedFlags): 1 QPC: StartTime + (ts − SystemTime of
 * the logfile record)·10^7/PerfFreq; 2 system time: ts is a FILETIME;
 * 3 CPU cycles: as 1 with CpuSpeedInMHz·10^6 ticks per second. Integer
 * arithmetic only, rounded down to the 100 ns unit, so output is exact and
 * the same on every machine.
 */
#ifndef ETWHF_CLI_WALLCLOCK_H
#define ETWHF_CLI_WALLCLOCK_H

#include <stdint.h>

#include "etwhf/decode.h"

struct etwhf_wallclock {
    uint32_t clock_type;
    uint64_t start;     /* FILETIME at `base` */
    uint64_t base;      /* raw clock value of the logfile record */
    uint64_t ticks_num; /* FILETIME units per tick = ticks_num / ticks_den */
    uint64_t ticks_den;
};

/* NULL when times can be converted, else a short reason for people. */
const char *etwhf_wallclock_init(struct etwhf_wallclock *c, const struct etwhf_logfile *lf);
/* 0 and *filetime set, or -1 when the time falls outside FILETIME's range. */
int etwhf_wallclock_filetime(const struct etwhf_wallclock *c, uint64_t ts, uint64_t *filetime);

/* "2020-07-15T09:04:31.1387363Z": UTC, 7 fractional digits (100 ns). Writes
 * at most ETWHF_ISO_TIME_MAX bytes at p and returns the new end. */
#define ETWHF_ISO_TIME_MAX 32
char *etwhf_fmt_filetime(char *p, uint64_t filetime);

#endif
