/*
 * args.h — option parsing shared by the subcommands (internal).
 *
 * Options take the forms `--name VALUE` and `--name=VALUE`, may come before or
 * after operands, and `--` ends them. A usage problem prints one line naming
 * it plus "try 'etwhf CMD --help'" and gives exit code 2 (docs/spec/output.md §6).
 */
#ifndef ETWHF_CLI_ARGS_H
#define ETWHF_CLI_ARGS_H

#include <stdint.h>

struct etwhf_args {
    int argc;
    char **argv;
    int i;            /* index of the argument being looked at */
    int options_done; /* after `--` every argument is an operand */
    const char *cmd;  /* "decode": for messages */
};

void etwhf_args_init(struct etwhf_args *a, const char *cmd, int argc, char **argv);

/* Steps to the next argument; returns it or NULL at the end. */
const char *etwhf_args_next(struct etwhf_args *a);
/* 1 when arg is an option (starts with '-' but is not "-"), 0 when it is an
 * operand, -1 when it is the `--` that ends options (nothing to do). */
int etwhf_args_is_option(struct etwhf_args *a, const char *arg);
/* When the current argument is `--name` or `--name=V`: 1 and *value set
 * (consuming the next argument for the first form), -1 after printing a usage
 * message when the value is missing; 0 when the argument is another option. */
int etwhf_args_value(struct etwhf_args *a, const char *arg, const char *name, const char **value);

/* Like etwhf_args_value for an option whose value is one of the
 * NULL-terminated `choices`: 1 and *index set; -1 after a usage message that
 * lists the choices when the value is missing or not one of them. */
int etwhf_args_choice(struct etwhf_args *a, const char *arg, const char *name, const char *const *choices, int *index);

/* Prints "etwhf CMD: <message>" and "try 'etwhf CMD --help'" on stderr (the
 * message escaped: it may quote a name, untrusted.h); returns EXIT_USAGE. A
 * message longer than 1 KiB is cut. */
int etwhf_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A single-value option may be given once (docs/spec/output.md §1): 0 the
 * first time `bit` is set in *seen, else the usage error "WHAT given twice"
 * (EXIT_USAGE). */
int etwhf_args_once(const char *cmd, unsigned *seen, unsigned bit, const char *what);

/* Writes text (help, a version line) to standard output and flushes it:
 * EXIT_OK, or EXIT_IO after "etwhf CMD: cannot write to standard output:
 * REASON" (a full disk, /dev/full, a closed descriptor). cmd NULL: the tool. */
int etwhf_print_out(const char *cmd, const char *text);

/* Value parsers: 0 on success, -1 when the text is not a valid value. */
/* Decimal, or hex with a 0x/0X prefix; no sign, no trailing text, no overflow. */
int etwhf_parse_u64(const char *s, uint64_t *out);
/* Like etwhf_parse_u64 with an optional binary suffix K, M or G (KiB, MiB, GiB). */
int etwhf_parse_bytes(const char *s, uint64_t *out);
/* Index of s in the NULL-terminated list `choices`, or -1. */
int etwhf_parse_choice(const char *s, const char *const *choices);

#endif
