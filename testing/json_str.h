/*
 * json_str.h — a C string as a JSON string on stdout, for the table printers
 * of the planted bugs and the rule mutants (testing/planted_table.c,
 * testing/mutants_table.c). Their texts are ASCII: only quotes and
 * backslashes need escaping.
 */
#ifndef ETWHF_JSON_STR_H
#define ETWHF_JSON_STR_H

#include <stdio.h>

static inline void json_str(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            putchar('\\');
        putchar(*s);
    }
    putchar('"');
}

#endif
