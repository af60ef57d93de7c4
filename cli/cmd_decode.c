/* Placeholder until the decode subcommand lands. */
#include <stdio.h>
#include "commands.h"
int etwhf_cmd_decode(int argc, char **argv)
{
    (void)argc; (void)argv;
    fputs("etwhf decode: not built yet\n", stderr);
    return EXIT_USAGE;
}
