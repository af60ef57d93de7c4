/*
 * manifest.h — the manifest's vocabulary (internal): the names of values
 * that the writer and the readers share.
 */
#ifndef ETWHF_CHECK_MANIFEST_H
#define ETWHF_CHECK_MANIFEST_H

/* "payload", "record", "file" for enum etwhf_gen_layer — also `etwhf decode
 * --input`'s values ("?" otherwise). */
const char *etwhf__layer_name(int layer);
/* enum etwhf_gen_layer for a name, or -1. */
int etwhf__layer_from_name(const char *name);

#endif
