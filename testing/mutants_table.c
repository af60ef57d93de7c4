/*
 * mutants_table — prints the rule-mutant table of a library built with
 * ETWHF_PLANTED_BUGS as one JSON array (id, rule, flip, codes_only, equivalent, breaks, how), for
 * ci/rule-coverage.
 */
#include <stdio.h>

#include "json_str.h"
#include "mutants.h"

int main(void)
{
    putchar('[');
    for (int i = 1; i <= etwhf__mutant_count(); i++) {
        const struct etwhf_mutant *m = etwhf__mutant(i);
        fputs(i > 1 ? ",\n{\"id\":" : "{\"id\":", stdout);
        json_str(m->id);
        fputs(",\"rule\":", stdout);
        json_str(m->rule);
        printf(",\"flip\":%d,\"codes_only\":%s,\"equivalent\":%s,\"breaks\":", m->flip,
               m->codes == 1 ? "true" : "false", m->codes == 2 ? "true" : "false");
        json_str(m->breaks);
        fputs(",\"how\":", stdout);
        json_str(m->how);
        putchar('}');
    }
    puts("]");
    return 0;
}
