/* main.c — `etwhf`: dispatches to thin subcommands over the libraries. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
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

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage, stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        fputs(usage, stdout);
        return EXIT_OK;
    }
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V")) {
        printf("etwhf %s (output schema %d, manifest %d)\n", ETWHF_VERSION_STRING, ETWHF_OUTPUT_SCHEMA,
               ETWHF_MANIFEST_VERSION);
        return EXIT_OK;
    }
    if (!strcmp(cmd, "decode"))
        return etwhf_cmd_decode(argc - 1, argv + 1);
    if (!strcmp(cmd, "info"))
        return etwhf_cmd_info(argc - 1, argv + 1);
    if (!strcmp(cmd, "gen"))
        return etwhf_cmd_gen(argc - 1, argv + 1);
    if (!strcmp(cmd, "check"))
        return etwhf_cmd_check(argc - 1, argv + 1);
    fprintf(stderr, "etwhf: unknown command '%s'\n\n%s", cmd, usage);
    return EXIT_USAGE;
}
