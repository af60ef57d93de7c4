/*
 * read_and_sum — the baseline every throughput figure is divided by: read()
 * the file into one 1 MiB buffer and sum it as uint64_t. It touches every
 * byte once, as a decoder must, and does nothing else, so "0.5× read-and-sum"
 * means "half as fast as merely looking at the bytes".
 *
 * Usage: read_and_sum FILE|-   prints "bytes sum" (the sum keeps the loop live).
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define BUF_BYTES (1u << 20)

static uint64_t buf[BUF_BYTES / sizeof(uint64_t)];

int main(int argc, char **argv)
{
    if (argc != 2) {
        fputs("usage: read_and_sum FILE|-\n", stderr);
        return 2;
    }
    int fd = strcmp(argv[1], "-") == 0 ? 0 : open(argv[1], O_RDONLY);
    if (fd < 0) {
        perror(argv[1]);
        return 3;
    }
    uint64_t total = 0, sum = 0;
    for (;;) {
        /* Fill the buffer fully (pipes return short reads) so the sum loop
         * always sees whole words. */
        size_t have = 0;
        while (have < BUF_BYTES) {
            ssize_t n = read(fd, (char *)buf + have, BUF_BYTES - have);
            if (n < 0) {
                perror("read");
                return 3;
            }
            if (n == 0)
                break;
            have += (size_t)n;
        }
        if (have == 0)
            break;
        memset((char *)buf + have, 0, (8 - have % 8) % 8);
        for (size_t i = 0; i < (have + 7) / 8; i++)
            sum += buf[i];
        total += have;
        if (have < BUF_BYTES)
            break;
    }
    printf("%" PRIu64 " %" PRIu64 "\n", total, sum);
    return 0;
}
