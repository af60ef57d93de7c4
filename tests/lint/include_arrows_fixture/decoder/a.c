/* #include "etwhf/gen.h" in a comment is no include */
#include "etwhf/format.h"
#include "internal.h"
#include "etwhf/gen.h"          /* out of place: decoder -> gen */
#include "../bench/runtime.h"   /* out of place: decoder -> bench */
