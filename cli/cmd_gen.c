/* Placeholder until the gen subcommand lands. */
#include <stdio.h>
#include "commands.h"
int etwhf_cmd_gen(int argc, char **argv)
{
    (void)argc; (void)argv;
    fputs("etwhf gen: not built yet\n", stderr);
    return EXIT_USAGE;
}
