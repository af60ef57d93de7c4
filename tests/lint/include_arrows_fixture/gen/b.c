#include <string.h>
#include <etwhf/decode.h>       /* out of place: gen -> decoder */
#include <cmocka.h>             /* out of place: a test library */
