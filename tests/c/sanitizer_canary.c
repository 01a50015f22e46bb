/* Proves AddressSanitizer is really linked into the sanitizer build: this heap
   overflow must be reported. Built and run with the same flags as the tests. */
#include <stdlib.h>

int main(void) {
    volatile char *p = malloc(8);
    p[8] = 1;
    free((void *)p);
    return 0;
}
