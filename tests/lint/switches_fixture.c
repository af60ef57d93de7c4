/*
 * switches_fixture.c — input of the lint_switches_fixture test, never built:
 * the first function holds one switch of each kind in place, the second
 * six out of place (marked), which switches.py must all report.
 */
int in_place(int a, int b);
int out_of_place(int a, int b);

int in_place(int a, int b)
{
    int bad = a > b; /* R0.1 */
    if (ETWHF_MUTANT_ON(MU_R0_1_GE) && a == b)
        bad = 1;
    if (ETWHF_MUTANT_FLIPS(3))
        bad = !bad;
    if (b > 0 && ETWHF_PLANT(PB_SOME_BUG, a != b))
        bad = 0;
    return bad;
}

int out_of_place(int a, int b)
{
    int bad = a > b || ETWHF_MUTANT_ON(MU_R0_1_GE);           /* 1: not an if */
    if (a > b || ETWHF_MUTANT_ON(MU_R0_1_GE))                 /* 2: does not open */
        bad = 1;
    if (ETWHF_PLANT(PB_SOME_BUG, a != b) && b > 0)            /* 3: does not close */
        bad = 0;
    if (b > 0 || ETWHF_PLANT(PB_SOME_BUG, a != b))            /* 4: guard not && */
        bad = 0;
    bad += ETWHF_MUTANT_VALUE(MU_R0_1_GE, 0, 1);              /* 5: no such switch */
    return ETWHF_PLANT(PB_SOME_BUG, bad) ? 0 : bad;           /* 6: not an if */
}
