/*
 * planted_table — prints the planted-bug table of a library built with
 * ETWHF_PLANTED_BUGS as one JSON array (id, name, layer, depth, conditions,
 * effect), for bench/run. Built beside the planted library
 * (testing/CMakeLists.txt).
 */
#include <stdio.h>

#include "json_str.h"
#include "planted.h"

int main(void)
{
    putchar('[');
    for (int id = 1; id <= etwhf__planted_count(); id++) {
        const struct etwhf_planted_bug *b = etwhf__planted_bug(id);
        printf("%s{\"id\":%d,\"name\":", id > 1 ? ",\n" : "", b->id);
        json_str(b->name);
        fputs(",\"layer\":", stdout);
        json_str(b->layer);
        printf(",\"depth\":%d,\"conditions\":", b->depth);
        json_str(b->conditions);
        fputs(",\"effect\":", stdout);
        json_str(b->effect);
        putchar('}');
    }
    puts("]");
    return 0;
}
