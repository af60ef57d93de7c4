/* commands.h — the `etwhf` subcommands (internal). Each returns the exit code of docs/spec/output.md §6. */
#ifndef ETWHF_CLI_COMMANDS_H
#define ETWHF_CLI_COMMANDS_H

enum etwhf_exit { EXIT_OK = 0, EXIT_FINDING = 1, EXIT_USAGE = 2, EXIT_IO = 3, EXIT_INTERRUPTED = 130 };

int etwhf_cmd_decode(int argc, char **argv);
int etwhf_cmd_info(int argc, char **argv);
int etwhf_cmd_gen(int argc, char **argv);
int etwhf_cmd_check(int argc, char **argv);

#endif
