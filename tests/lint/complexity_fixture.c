/*
 * complexity_fixture.c — input of the lint_complexity_fixture test, never
 * built: over_the_bar scores 26 (each `if` adds 1) and at_the_bar 25 (the
 * increments are marked) against decoder/.clang-tidy's threshold of 25; a
 * function is reported above the threshold, not at it.
 */
int over_the_bar(unsigned x);
int at_the_bar(unsigned x);

int over_the_bar(unsigned x)
{
    int n = 0;
    if (x & (1u << 0))
        n++;
    if (x & (1u << 1))
        n++;
    if (x & (1u << 2))
        n++;
    if (x & (1u << 3))
        n++;
    if (x & (1u << 4))
        n++;
    if (x & (1u << 5))
        n++;
    if (x & (1u << 6))
        n++;
    if (x & (1u << 7))
        n++;
    if (x & (1u << 8))
        n++;
    if (x & (1u << 9))
        n++;
    if (x & (1u << 10))
        n++;
    if (x & (1u << 11))
        n++;
    if (x & (1u << 12))
        n++;
    if (x & (1u << 13))
        n++;
    if (x & (1u << 14))
        n++;
    if (x & (1u << 15))
        n++;
    if (x & (1u << 16))
        n++;
    if (x & (1u << 17))
        n++;
    if (x & (1u << 18))
        n++;
    if (x & (1u << 19))
        n++;
    if (x & (1u << 20))
        n++;
    if (x & (1u << 21))
        n++;
    if (x & (1u << 22))
        n++;
    if (x & (1u << 23))
        n++;
    if (x & (1u << 24))
        n++;
    if (x & (1u << 25))
        n++;
    return n;
}

int at_the_bar(unsigned x)
{
    int n = 0;
    for (unsigned k = 0; k < 4; k++) {   /* +1 */
        if (x & (1u << k)) {             /* +2 (nesting 1) */
            if (x & (2u << k)) {         /* +3 (nesting 2) */
                if (x & (4u << k)) {     /* +4 (nesting 3) */
                    while (n < 8 && x) { /* +5 (nesting 4), +1 (&&) */
                        n++;
                        x >>= 1;
                    }
                }
            }
        } else if (x & (8u << k)) {      /* +1 (else if) */
            n--;
        }
    }
    if (n == 0)                          /* +1 */
        return -1;
    if (n < 0)                           /* +1 */
        n = 0;
    if (n > 4)                           /* +1 */
        n = 4;
    else if (n == 2 || n == 3)           /* +1, +1 (||) */
        n++;
    return n > 3 ? 3 : (x ? n : -n);     /* +1, +2 (nested ?:) */
}
