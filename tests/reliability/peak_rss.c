/*
 * peak_rss — runs a command and writes its peak resident set size.
 *
 *   peak_rss OUT CMD [ARG...]     OUT gets "<peak KiB> <exit status>\n"
 *
 * Why not Python's resource module: a child's peak RSS starts at the RSS of
 * the process it was forked from (Linux keeps it across exec), so a Python
 * parent's ~14 MB would hide a decoder that needs 2. This launcher is built
 * without sanitizers and stays near 1 MB. Exit status: the command's (128+N
 * after signal N), 127 when it cannot run.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 3) {
        fputs("usage: peak_rss OUT CMD [ARG...]\n", stderr);
        return 2;
    }
    pid_t pid = fork();
    if (pid < 0) {
        perror("peak_rss: fork");
        return 127;
    }
    if (pid == 0) {
        execvp(argv[2], argv + 2);
        fprintf(stderr, "peak_rss: cannot run '%s': %s\n", argv[2], strerror(errno));
        _exit(127);
    }
    int st;
    struct rusage ru;
    while (wait4(pid, &st, 0, &ru) < 0)
        if (errno != EINTR) {
            perror("peak_rss: wait4");
            return 127;
        }
    int rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    FILE *f = fopen(argv[1], "w");
    if (!f || fprintf(f, "%ld %d\n", ru.ru_maxrss, rc) < 0 || fclose(f) != 0) {
        perror(argv[1]);
        return 127;
    }
    return rc;
}
