#include "etwhf/format.h"
