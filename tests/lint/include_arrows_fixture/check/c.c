#include "etwhf/decode.h"
#include "etwhf/gen.h"
#include "../decoder/internal.h" /* out of place: past decoder/include/ */
