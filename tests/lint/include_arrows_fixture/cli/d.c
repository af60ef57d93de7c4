#include "etwhf/decode.h"
#include "missing.h"            /* out of place: no such file */
