/*
 * syscall_cpu.c — an LD_PRELOAD shim for the benchmark: the CPU time a
 * process spends inside read() and write(), exactly.
 *
 * getrusage() splits a process's CPU time into user and system by the
 * kernel's 4 ms ticks (CONFIG_TICK_CPU_ACCOUNTING): a 5-30 ms run is split
 * by a handful of samples, and a few runs of 0.1-0.3 s still scatter by
 * ±0.01 ns per byte, which is a quarter of the difference the instruction
 * goals rest on (bench/analysis.md, "The kernel share"). The thread's CPU
 * clock (CLOCK_THREAD_CPUTIME_ID, the scheduler's own runtime) read before
 * and after each call gives the kernel's copy to the nanosecond; the rest
 * of a program's kernel time (exec, page faults, exit) does not grow with
 * the bytes it reads.
 *
 * Build: cc -O2 -shared -fPIC -o syscall_cpu.so syscall_cpu.c -ldl
 * Use:   ETWHF_SYSCALL_CPU_LOG=FILE LD_PRELOAD=./syscall_cpu.so PROGRAM ...
 * At exit it appends one line to FILE:
 *   read_ns write_ns reads writes read_bytes write_bytes
 * The two clock reads per call cost a few hundred ns of their own, so the
 * benchmark times programs without the shim and uses it in separate runs.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static ssize_t (*real_read)(int, void *, size_t);
static ssize_t (*real_write)(int, const void *, size_t);
static uint64_t read_ns, write_ns, reads, writes, read_bytes, write_bytes;

static uint64_t cpu_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

ssize_t read(int fd, void *buf, size_t n)
{
    if (!real_read)
        real_read = (ssize_t(*)(int, void *, size_t))dlsym(RTLD_NEXT, "read");
    const uint64_t t0 = cpu_ns();
    const ssize_t r = real_read(fd, buf, n);
    read_ns += cpu_ns() - t0;
    reads++;
    if (r > 0)
        read_bytes += (uint64_t)r;
    return r;
}

ssize_t write(int fd, const void *buf, size_t n)
{
    if (!real_write)
        real_write = (ssize_t(*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
    const uint64_t t0 = cpu_ns();
    const ssize_t r = real_write(fd, buf, n);
    write_ns += cpu_ns() - t0;
    writes++;
    if (r > 0)
        write_bytes += (uint64_t)r;
    return r;
}

__attribute__((destructor)) static void report(void)
{
    const char *path = getenv("ETWHF_SYSCALL_CPU_LOG");
    if (!path)
        return;
    if (!real_write)
        real_write = (ssize_t(*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
    char line[160];
    int n = snprintf(line, sizeof line, "%" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 "\n",
                     read_ns, write_ns, reads, writes, read_bytes, write_bytes);
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0 || n <= 0)
        return;
    (void)real_write(fd, line, (size_t)n);
    close(fd);
}
