/*
 * gen_outdir.c — prepares `etwhf gen --out DIR`, and keeps --force from
 * emptying a folder that is not the generator's (a mistyped `--out ~` or
 * `--out .` must not cost the user their files).
 *
 * A folder --force may empty holds only what gen writes:
 *   - manifest.jsonl whose first line is a generator manifest's, cases/ and
 *     plain files beside them (reports a user or `etwhf check` put there);
 *   - or, from an interrupted run, cases/ and .manifest.jsonl.tmp alone.
 * cases/ may hold case files (y_ / w_ / i_ / n_ names) and their dot-temporaries
 * only. Any other folder, link or device anywhere in DIR refuses the whole
 * run: nothing is removed unless everything can be.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "gen_outdir.h"
#include "untrusted.h"

static int io_error(const char *what, const char *path)
{
    etwhf_msg("etwhf gen: %s '%s': %s", what, path, strerror(errno));
    return EXIT_IO;
}

static const char not_gen_hint[] =
    "--force only empties a folder an earlier 'etwhf gen --out' wrote; empty or "
    "remove this one yourself, or choose a new --out folder";
static const char place_hint[] =
    "--force never empties /, the home directory or the current directory (or a "
    "folder that holds it); choose a new --out folder";

/* The reason may name an entry of DIR: any bytes, shown escaped. */
__attribute__((format(printf, 3, 4))) static int refuse(const char *dir, const char *hint, const char *why, ...)
{
    char reason[1024];
    va_list ap;
    va_start(ap, why);
    vsnprintf(reason, sizeof reason, why, ap);
    va_end(ap);
    etwhf_msg("etwhf gen: --force refuses to empty '%s': %s.", dir, reason);
    fprintf(stderr, "%s\n", hint);
    return EXIT_USAGE;
}

/* ---- places never emptied ------------------------------------------------------ */

/* 1 when `other` resolves to `real`. */
static int same_path(const char *real, const char *other)
{
    char r[PATH_MAX];
    return other && *other && realpath(other, r) && strcmp(r, real) == 0;
}

/* 1 when real is the current directory or one of its parents. */
static int holds_cwd(const char *real)
{
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd))
        return 0;
    size_t n = strlen(real);
    return strncmp(cwd, real, n) == 0 && (cwd[n] == '\0' || cwd[n] == '/' || (n == 1 && real[0] == '/'));
}

/* EXIT_OK, or the refusal (EXIT_USAGE) / failure (EXIT_IO) already reported. */
static int protected_place(const char *dir, char *real)
{
    if (!realpath(dir, real))
        return io_error("cannot resolve", dir);
    if (strcmp(real, "/") == 0)
        return refuse(dir, place_hint, "it is the root folder");
    const struct passwd *pw = getpwuid(getuid());
    if (same_path(real, getenv("HOME")) || (pw && same_path(real, pw->pw_dir)))
        return refuse(dir, place_hint, "it is the home directory");
    if (holds_cwd(real))
        return refuse(dir, place_hint, "it is the current directory or holds it");
    return EXIT_OK;
}

/* ---- what gen writes ------------------------------------------------------------- */

static int is_dot(const char *name)
{
    return strcmp(name, ".") == 0 || strcmp(name, "..") == 0;
}

static int is_temporary(const char *name)
{
    size_t n = strlen(name);
    return name[0] == '.' && n > 5 && strcmp(name + n - 4, ".tmp") == 0;
}

/* 1 when the file starts like a manifest gen wrote (docs/spec/manifest.md). */
static int is_gen_manifest(int dirfd)
{
    static const char head[] = "{\"manifest\":";
    char buf[256];
    int fd = openat(dirfd, GEN_MANIFEST, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    return strncmp(buf, head, sizeof head - 1) == 0 && strstr(buf, "\"generator_version\"") != NULL;
}

/* Leaves name empty when cases/ holds case files and temporaries only, else
 * writes there "cases/X" for an X that is not one. */
static void foreign_case(int parent, char *name, size_t cap)
{
    int fd = openat(parent, GEN_CASES, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    name[0] = '\0';
    if (!d) {
        if (fd >= 0)
            close(fd);
        snprintf(name, cap, "%s/", GEN_CASES);
        return;
    }
    struct dirent *e;
    struct stat st;
    while (!name[0] && (e = readdir(d)) != NULL) {
        if (is_dot(e->d_name))
            continue;
        int case_name = strlen(e->d_name) > 2 && strchr("ywin", e->d_name[0]) && e->d_name[1] == '_';
        if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode) ||
            !(case_name || is_temporary(e->d_name)))
            snprintf(name, cap, "%s/%s", GEN_CASES, e->d_name);
    }
    closedir(d);
}

/* What one look at DIR found: the first entry of each kind gen does not write. */
struct scan {
    int manifest;                 /* 0 none, 1 gen's, -1 another tool's */
    int gen_entries;              /* cases/ or the temporary manifest */
    char other[NAME_MAX + 1];     /* a folder, link or device */
    char extra[NAME_MAX + 1];     /* a plain file */
    char bad_case[NAME_MAX + 16]; /* something in cases/ that is not a case file */
};

static int scan_dir(const char *dir, const char *real, struct scan *s)
{
    int dirfd = open(real, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = dirfd >= 0 ? fdopendir(dirfd) : NULL;
    if (!d) {
        if (dirfd >= 0)
            close(dirfd);
        return io_error("cannot read", dir);
    }
    memset(s, 0, sizeof *s);
    int rc = EXIT_OK;
    struct dirent *e;
    struct stat st;
    while (rc == EXIT_OK && (e = readdir(d)) != NULL) {
        const char *n = e->d_name;
        if (is_dot(n))
            continue;
        if (fstatat(dirfd, n, &st, AT_SYMLINK_NOFOLLOW) != 0) {
            rc = io_error("cannot read", dir);
        } else if (strcmp(n, GEN_CASES) == 0 && S_ISDIR(st.st_mode)) {
            s->gen_entries = 1;
            foreign_case(dirfd, s->bad_case, sizeof s->bad_case);
        } else if (!S_ISREG(st.st_mode)) {
            if (!s->other[0])
                snprintf(s->other, sizeof s->other, "%s", n);
        } else if (strcmp(n, GEN_MANIFEST) == 0) {
            s->manifest = is_gen_manifest(dirfd) ? 1 : -1;
        } else if (strcmp(n, GEN_MANIFEST_TMP) == 0) {
            s->gen_entries = 1;
        } else if (!s->extra[0]) {
            snprintf(s->extra, sizeof s->extra, "%s", n);
        }
    }
    closedir(d);
    return rc;
}

/* EXIT_OK when DIR (resolved: real) may be emptied, else the refusal, with
 * the reason a user recognises first. */
static int check_gen_folder(const char *dir, const char *real)
{
    struct scan s;
    int rc = scan_dir(dir, real, &s);
    if (rc != EXIT_OK)
        return rc;
    const char *some = s.other[0] ? s.other : s.extra;
    if (s.manifest < 0)
        return refuse(dir, not_gen_hint, "its " GEN_MANIFEST " is not one etwhf gen wrote");
    if (s.manifest == 0 && !s.gen_entries)
        return refuse(dir, not_gen_hint, "it has no " GEN_MANIFEST ", so no etwhf gen output is there (it holds '%s')",
                      some);
    if (s.other[0])
        return refuse(dir, not_gen_hint, "'%s' is a folder, link or device, which gen never writes", s.other);
    if (s.bad_case[0])
        return refuse(dir, not_gen_hint, "'%s' is not a case file gen writes", s.bad_case);
    if (s.manifest == 0 && s.extra[0])
        return refuse(dir, not_gen_hint, "it has no " GEN_MANIFEST " and holds '%s'", s.extra);
    return EXIT_OK;
}

/* ---- emptying ---------------------------------------------------------------------- */

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    if (ftw->level == 0)
        return 0; /* DIR itself stays */
    return remove(path) == 0 ? 0 : -1;
}

static int dir_is_empty(const char *path, int *empty)
{
    DIR *d = opendir(path);
    if (!d)
        return -1;
    struct dirent *e;
    *empty = 1;
    while ((e = readdir(d)) != NULL)
        if (!is_dot(e->d_name))
            *empty = 0;
    closedir(d);
    return 0;
}

int gen_prepare_out(const char *dir, int force)
{
    struct stat st;
    if (stat(dir, &st) != 0) {
        if (errno != ENOENT || mkdir(dir, 0777) != 0)
            return io_error("cannot create", dir);
        return EXIT_OK;
    }
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return io_error("cannot use", dir);
    }
    char real[PATH_MAX];
    int rc = force ? protected_place(dir, real) : EXIT_OK;
    if (rc != EXIT_OK)
        return rc;
    int empty;
    if (dir_is_empty(dir, &empty) != 0)
        return io_error("cannot read", dir);
    if (empty)
        return EXIT_OK;
    if (!force) {
        etwhf_msg("etwhf gen: '%s' is not empty (use --force to empty it first)", dir);
        return EXIT_IO;
    }
    if ((rc = check_gen_folder(dir, real)) != EXIT_OK)
        return rc;
    /* The resolved path: a DIR that is a link is emptied where it points. */
    if (nftw(real, remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
        return io_error("cannot empty", dir);
    return EXIT_OK;
}
