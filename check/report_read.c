/* The ids of the cases an earlier JSON report lists as not agreeing (etwhf/check.h). */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "etwhf/check.h"

int etwhf_check_report_read_failed(const char *path, uint64_t **ids, size_t *nids, char *err, size_t errlen)
{
    json_error_t je;
    *ids = NULL;
    *nids = 0;
    /* A report is a regular file: a FIFO nobody writes would block for ever and
     * a device would never end (opened without blocking, then checked). */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        snprintf(err, errlen, "%s: %s", path, fd < 0 ? strerror(errno) : "not a regular file");
        if (fd >= 0)
            close(fd);
        return ETWHF_EIO;
    }
    json_t *root = json_loadfd(fd, 0, &je);
    close(fd);
    json_t *list = json_object_get(root, "not_agreeing");
    const char *kind = json_string_value(json_object_get(root, "report"));
    if (!root || !kind || !json_is_array(list)) {
        snprintf(err, errlen, "%s is not an `etwhf check --json` report%s%s", path, root ? "" : ": ",
                 root ? "" : je.text);
        json_decref(root);
        return ETWHF_EIO;
    }
    size_t n = json_array_size(list), i;
    json_t *v;
    uint64_t *out = malloc((n ? n : 1) * sizeof *out);
    if (!out) {
        json_decref(root);
        snprintf(err, errlen, "out of memory");
        return ETWHF_ENOMEM;
    }
    json_array_foreach(list, i, v)
    {
        json_t *id = json_object_get(v, "id");
        if (!json_is_integer(id) || json_integer_value(id) < 0) {
            snprintf(err, errlen, "%s: not_agreeing[%zu] has no case id", path, i);
            free(out);
            json_decref(root);
            return ETWHF_EIO;
        }
        out[i] = (uint64_t)json_integer_value(id);
    }
    json_decref(root);
    *ids = out;
    *nids = n;
    return ETWHF_OK;
}
