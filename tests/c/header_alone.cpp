// The header must compile on its own as C++ too, and declare C linkage.
#include "twfollow.h"

#include <cstddef>

int main() {
    TwConfig *config = NULL;
    TwStatus (*follow)(const TwConfig *, const char *, bool, char **) = &tw_follow;
    (void)config;
    return follow == NULL ? 1 : static_cast<int>(TW_STATUS_OK);
}
