/* The manifest's vocabulary; see manifest.h. */
#include "manifest.h"

#include <string.h>

#include "etwhf/gen.h"

static const char *const layer_names[] = {
    [ETWHF_GEN_PAYLOAD] = "payload",
    [ETWHF_GEN_RECORD] = "record",
    [ETWHF_GEN_FILE] = "file",
};

const char *etwhf__layer_name(int layer)
{
    return layer >= 0 && layer <= ETWHF_GEN_FILE ? layer_names[layer] : "?";
}

const char *etwhf__width_name(unsigned pointer_size)
{
    return pointer_size == 4 ? "4" : pointer_size == 8 ? "8" : MV_MIXED;
}

int etwhf__layer_from_name(const char *name)
{
    for (int l = 0; l <= ETWHF_GEN_FILE; l++)
        if (name && strcmp(name, layer_names[l]) == 0)
            return l;
    return -1;
}
