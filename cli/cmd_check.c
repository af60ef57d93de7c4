/* Placeholder until the check subcommand lands. */
#include <stdio.h>
#include "commands.h"
int etwhf_cmd_check(int argc, char **argv)
{
    (void)argc; (void)argv;
    fputs("etwhf check: not built yet\n", stderr);
    return EXIT_USAGE;
}
