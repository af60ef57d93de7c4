/* Placeholder until the info subcommand lands. */
#include <stdio.h>
#include "commands.h"
int etwhf_cmd_info(int argc, char **argv)
{
    (void)argc; (void)argv;
    fputs("etwhf info: not built yet\n", stderr);
    return EXIT_USAGE;
}
