/* Wall-clock conversion and ISO-8601 formatting; see wallclock.h. */
#include "wallclock.h"

#include <string.h>

#include "outbuf.h"

#define FILETIME_PER_SECOND 10000000u

const char *etwhf_wallclock_init(struct etwhf_wallclock *c, const struct etwhf_logfile *lf)
{
    memset(c, 0, sizeof *c);
    c->clock_type = lf->reserved_flags;
    c->start = lf->start_time;
    c->base = lf->header_timestamp;
    switch (lf->reserved_flags) {
    case 1:
        if (lf->perf_freq == 0)
            return "the logfile's PerfFreq is 0";
        c->ticks_num = FILETIME_PER_SECOND;
        c->ticks_den = lf->perf_freq;
        return NULL;
    case 2: return NULL;
    case 3:
        if (lf->cpu_speed_mhz == 0)
            return "the logfile's CpuSpeedInMHz is 0";
        c->ticks_num = 10; /* 10^7 per second / (MHz · 10^6 per second) */
        c->ticks_den = lf->cpu_speed_mhz;
        return NULL;
    default: return "the logfile's clock type is not 1, 2 or 3";
    }
}

/* floor or ceil of a·b/d without overflow in the product; -1 when the
 * quotient does not fit 64 bits. */
static int mul_div(uint64_t a, uint64_t b, uint64_t d, int round_up, uint64_t *out)
{
    unsigned __int128 q = (unsigned __int128)a * b / d;
    if (round_up && (unsigned __int128)a * b % d)
        q++;
    if (q > UINT64_MAX)
        return -1;
    *out = (uint64_t)q;
    return 0;
}

int etwhf_wallclock_filetime(const struct etwhf_wallclock *c, uint64_t ts, uint64_t *filetime)
{
    if (c->clock_type == 2) {
        *filetime = ts;
        return 0;
    }
    uint64_t delta;
    if (ts >= c->base) {
        if (mul_div(ts - c->base, c->ticks_num, c->ticks_den, 0, &delta) != 0 || delta > UINT64_MAX - c->start)
            return -1;
        *filetime = c->start + delta;
    } else {
        /* rounding the distance up keeps times before the base rounded down */
        if (mul_div(c->base - ts, c->ticks_num, c->ticks_den, 1, &delta) != 0 || delta > c->start)
            return -1;
        *filetime = c->start - delta;
    }
    return 0;
}

/* Proleptic Gregorian date of a day count from 1970-01-01 (H. Hinnant's
 * civil_from_days). */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static char *two(char *p, unsigned v)
{
    p[0] = (char)('0' + v / 10);
    p[1] = (char)('0' + v % 10);
    return p + 2;
}

char *etwhf_fmt_filetime(char *p, uint64_t filetime)
{
    uint64_t secs = filetime / FILETIME_PER_SECOND;
    unsigned frac = (unsigned)(filetime % FILETIME_PER_SECOND);
    int64_t days = (int64_t)(secs / 86400) - 134774; /* 1601-01-01 → 1970-01-01 */
    unsigned sod = (unsigned)(secs % 86400);
    int64_t y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    /* FILETIME years run 1601…60056: four or five digits, never negative */
    char year[8];
    char *ye = etwhf_fmt_u64(year, (uint64_t)y);
    memcpy(p, year, (size_t)(ye - year));
    p += ye - year;
    *p++ = '-';
    p = two(p, m);
    *p++ = '-';
    p = two(p, d);
    *p++ = 'T';
    p = two(p, sod / 3600);
    *p++ = ':';
    p = two(p, sod / 60 % 60);
    *p++ = ':';
    p = two(p, sod % 60);
    *p++ = '.';
    for (int i = 6; i >= 0; i--) {
        p[i] = (char)('0' + frac % 10);
        frac /= 10;
    }
    p += 7;
    *p++ = 'Z';
    return p;
}
