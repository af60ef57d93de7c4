/* Reading one heap event from JSON; see heap_json.h. */
#include "heap_json.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "etwhf/format.h"
#include "manifest.h"

int etwhf__json_u64(const cJSON *v, uint64_t *out)
{
    if (etwhf__json_in_uint(v, out) == ETWHF_OK)
        return ETWHF_OK;
    const char *s = etwhf__json_in_string(v);
    if (!s)
        return ETWHF_EINVAL;
    int hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
    const char *digits = hex ? s + 2 : s;
    /* Digits only: no sign, space or second prefix, which strtoull would take. */
    size_t n = strspn(digits, hex ? "0123456789abcdefABCDEF" : "0123456789");
    if (n == 0 || digits[n] != '\0')
        return ETWHF_EINVAL;
    errno = 0;
    unsigned long long x = strtoull(digits, NULL, hex ? 16 : 10);
    if (errno == ERANGE)
        return ETWHF_EINVAL;
    *out = (uint64_t)x;
    return ETWHF_OK;
}

static int number(const cJSON *o, const char *key, uint64_t *out)
{
    return etwhf__json_u64(etwhf__json_in_get(o, key), out);
}

int etwhf__heap_json_type(const char *name)
{
    int type = etwhf_heap_type_from_name(name);
    return type && strcmp(etwhf_heap_type_name(type), name) == 0 ? type : 0;
}

static int header(const cJSON *o, int8_t *out)
{
    const cJSON *v = etwhf__json_in_get(o, MK_HEADER);
    if (cJSON_IsNull(v)) {
        *out = -1;
        return ETWHF_OK;
    }
    const char *name = etwhf__json_in_string(v);
    int h = name ? etwhf_header_from_name(name) : -1;
    if (h < 0 || h >= ETWHF_HDR_FORMS)
        return ETWHF_EINVAL;
    *out = (int8_t)h;
    return ETWHF_OK;
}

int etwhf__heap_json_read(const cJSON *o, int read_header, struct etwhf_gen_heap_expect *ev)
{
    memset(ev, 0, sizeof *ev);
    ev->header = -1;
    uint64_t ps, src;
    ev->type = (uint8_t)etwhf__heap_json_type(etwhf__json_in_string(etwhf__json_in_get(o, MK_TYPE)));
    if (!ev->type || number(o, MK_POINTER_SIZE, &ps) != ETWHF_OK || ps > 255 ||
        number(o, MK_SOURCE, &src) != ETWHF_OK || src > UINT32_MAX ||
        number(o, MK_HEAP_HANDLE, &ev->heap_handle) != ETWHF_OK || (read_header && header(o, &ev->header) != ETWHF_OK))
        return ETWHF_EINVAL;
    ev->pointer_size = (uint8_t)ps;
    ev->source = (uint32_t)src;
    int bad;
    switch (ev->type) {
    case ETWHF_HEAP_REALLOC:
        bad = number(o, MK_NEW_ADDRESS, &ev->new_address) != ETWHF_OK ||
              number(o, MK_OLD_ADDRESS, &ev->old_address) != ETWHF_OK ||
              number(o, MK_NEW_SIZE, &ev->new_size) != ETWHF_OK || number(o, MK_OLD_SIZE, &ev->old_size) != ETWHF_OK;
        break;
    case ETWHF_HEAP_ALLOC:
        bad = number(o, MK_ADDRESS, &ev->address) != ETWHF_OK || number(o, MK_SIZE, &ev->size) != ETWHF_OK;
        break;
    default: bad = number(o, MK_ADDRESS, &ev->address) != ETWHF_OK; break;
    }
    return bad ? ETWHF_EINVAL : ETWHF_OK;
}
