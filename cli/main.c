/* main.c — `etwhf`: dispatches to thin subcommands over the libraries. */
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "commands.h"
#include "interrupt.h"
#include "untrusted.h"
#include "etwhf/format.h"

static const char usage[] =
    "usage: etwhf <command> [options]\n"
    "\n"
    "commands:\n"
    "  decode FILE...   decode heap events and diagnostics (JSON Lines, CSV or text)\n"
    "  info FILE        print the trace's logfile header as JSON\n"
    "  gen --out DIR    generate a corpus of valid and malformed cases with a manifest\n"
    "  gen --etl FILE   generate one large intact trace\n"
    "  check DIR        regression-test a decoder against a generated corpus\n"
    "\n"
    "  etwhf <command> --help   options of one command\n"
    "  etwhf --version          tool and output-schema versions\n";

static int run(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage, stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help"))
        return etwhf_print_out(NULL, usage);
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V")) {
        char line[128];
        snprintf(line, sizeof line, "etwhf %s (output schema %d, manifest %d)\n", ETWHF_VERSION_STRING,
                 ETWHF_OUTPUT_SCHEMA, ETWHF_MANIFEST_VERSION);
        return etwhf_print_out(NULL, line);
    }
    if (!strcmp(cmd, "decode"))
        return etwhf_cmd_decode(argc - 1, argv + 1);
    if (!strcmp(cmd, "info"))
        return etwhf_cmd_info(argc - 1, argv + 1);
    if (!strcmp(cmd, "gen"))
        return etwhf_cmd_gen(argc - 1, argv + 1);
    if (!strcmp(cmd, "check"))
        return etwhf_cmd_check(argc - 1, argv + 1);
    etwhf_msg("etwhf: unknown command '%s'", cmd);
    fprintf(stderr, "\n%s", usage);
    return EXIT_USAGE;
}

int main(int argc, char **argv)
{
    int code = run(argc, argv);
    /* Commands say "interrupted" with one code; the exit status says which
     * signal it was (docs/spec/output.md §6). */
    if (code == EXIT_INTERRUPTED && etwhf_interrupted())
        code = etwhf_interrupt_exit();
    return code;
}
