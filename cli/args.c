/* Option parsing helpers; see args.h. */
#include "args.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "untrusted.h"

void etwhf_args_init(struct etwhf_args *a, const char *cmd, int argc, char **argv)
{
    a->argc = argc;
    a->argv = argv;
    a->i = 0; /* argv[0] is the command name */
    a->options_done = 0;
    a->cmd = cmd;
}

const char *etwhf_args_next(struct etwhf_args *a)
{
    if (a->i + 1 >= a->argc)
        return NULL;
    return a->argv[++a->i];
}

int etwhf_args_is_option(struct etwhf_args *a, const char *arg)
{
    if (a->options_done || arg[0] != '-' || arg[1] == '\0')
        return 0;
    if (strcmp(arg, "--") == 0) {
        a->options_done = 1;
        return -1;
    }
    return 1;
}

int etwhf_args_value(struct etwhf_args *a, const char *arg, const char *name, const char **value)
{
    size_t n = strlen(name);
    if (strncmp(arg, name, n) != 0)
        return 0;
    if (arg[n] == '=') {
        *value = arg + n + 1;
        return 1;
    }
    if (arg[n] != '\0')
        return 0;
    const char *v = etwhf_args_next(a);
    if (!v) {
        etwhf_usage_error(a->cmd, "option %s needs a value", name);
        return -1;
    }
    *value = v;
    return 1;
}

int etwhf_args_choice(struct etwhf_args *a, const char *arg, const char *name, const char *const *choices, int *index)
{
    const char *v;
    int r = etwhf_args_value(a, arg, name, &v);
    if (r <= 0)
        return r;
    if ((*index = etwhf_parse_choice(v, choices)) >= 0)
        return 1;
    char list[256] = "";
    size_t used = 0;
    for (int i = 0; choices[i] && used < sizeof list; i++) {
        const char *sep = i == 0 ? "" : choices[i + 1] ? ", " : " or ";
        int n = snprintf(list + used, sizeof list - used, "%s%s", sep, choices[i]);
        used += n > 0 ? (size_t)n : 0;
    }
    etwhf_usage_error(a->cmd, "invalid value '%s' for %s (expected %s)", v, name, list);
    return -1;
}

int etwhf_usage_error(const char *cmd, const char *fmt, ...)
{
    /* The message names what the user typed, which may be a file name from
     * a glob: it is shown escaped (untrusted.h). */
    char text[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    etwhf_msg("etwhf %s: %s", cmd, text);
    etwhf_msg("try 'etwhf %s --help'", cmd);
    return EXIT_USAGE;
}

int etwhf_args_once(const char *cmd, unsigned *seen, unsigned bit, const char *what)
{
    if (*seen & bit)
        return etwhf_usage_error(cmd, "%s given twice", what);
    *seen |= bit;
    return 0;
}

int etwhf_print_out(const char *cmd, const char *text)
{
    fputs(text, stdout);
    if (fflush(stdout) == 0 && !ferror(stdout))
        return EXIT_OK;
    int err = errno;
    etwhf_msg("etwhf%s%s: cannot write to standard output: %s", cmd ? " " : "", cmd ? cmd : "", strerror(err));
    return EXIT_IO;
}

int etwhf_parse_u64(const char *s, uint64_t *out)
{
    unsigned base = 10;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    if (!*s)
        return -1;
    uint64_t v = 0;
    for (; *s; s++) {
        unsigned d;
        if (*s >= '0' && *s <= '9')
            d = (unsigned)(*s - '0');
        else if (base == 16 && *s >= 'a' && *s <= 'f')
            d = (unsigned)(*s - 'a' + 10);
        else if (base == 16 && *s >= 'A' && *s <= 'F')
            d = (unsigned)(*s - 'A' + 10);
        else
            return -1;
        if (v > (UINT64_MAX - d) / base)
            return -1;
        v = v * base + d;
    }
    *out = v;
    return 0;
}

int etwhf_parse_bytes(const char *s, uint64_t *out)
{
    char num[32];
    size_t n = strlen(s);
    unsigned shift = 0;
    if (n > 0 && n < sizeof num) {
        switch (s[n - 1]) {
        case 'k':
        case 'K': shift = 10; break;
        case 'm':
        case 'M': shift = 20; break;
        case 'g':
        case 'G': shift = 30; break;
        default: break;
        }
    }
    if (!shift)
        return etwhf_parse_u64(s, out);
    memcpy(num, s, n - 1);
    num[n - 1] = '\0';
    uint64_t v;
    if (etwhf_parse_u64(num, &v) != 0 || v > (UINT64_MAX >> shift))
        return -1;
    *out = v << shift;
    return 0;
}

int etwhf_parse_choice(const char *s, const char *const *choices)
{
    for (int i = 0; choices[i]; i++)
        if (strcmp(s, choices[i]) == 0)
            return i;
    return -1;
}
