/* Decodes the 32-bit HeapFree record of docs/spec/format.md's byte-exact
 * examples through the installed library, the way a program that links it
 * would: options, a context, a reader, the summary. */
#include <stdio.h>

#include <etwhf/decode.h>

static int frees;
static int on_event(void *user, const struct etwhf_event *ev)
{
    (void)user;
    if (ev->type == ETWHF_HEAP_FREE && ev->heap_handle == 0x00A50000u && ev->address == 0x00A5F3A0u && ev->source == 3)
        frees++;
    return 0;
}

int main(void)
{
    static const unsigned char rec[] = {0x02, 0x00, 0x01, 0xC0, 0x2C, 0x00, 0x24, 0x10, 0x2C, 0x1A, 0x00, 0x00,
                                        0x10, 0x0F, 0x00, 0x00, 0x90, 0x78, 0x56, 0x34, 0x12, 0x00, 0x00, 0x00,
                                        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xA5, 0x00,
                                        0xA0, 0xF3, 0xA5, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
    struct etwhf_decode_options o;
    etwhf_decode_options_init(&o);
    o.input = ETWHF_INPUT_RECORD;
    o.on_event = on_event;
    int rc;
    struct etwhf_decoder *d = etwhf_decoder_new(&o, &rc);
    if (!d) {
        printf("etwhf_decoder_new: %s\n", etwhf_strerror(rc));
        return 1;
    }
    rc = etwhf_decode_memory(d, rec, sizeof rec);
    const struct etwhf_summary *s = etwhf_decoder_summary(d);
    printf("status %s, frees %d, errors %llu\n", etwhf_strerror(rc), frees, (unsigned long long)s->errors);
    int ok = rc == ETWHF_OK && frees == 1 && s->errors == 0;
    etwhf_decoder_free(d);
    return ok ? 0 : 1;
}
