/* The header must compile on its own, first, with nothing before it. */
#include "twfollow.h"

int main(void) {
    TwConfig *config = 0;
    TwStatus status = TW_STATUS_OK;
    (void)config;
    return (int)status;
}
