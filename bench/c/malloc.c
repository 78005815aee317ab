/* ns per malloc/free pair of 16 to 256 bytes, sizes varying, a few live at
 * a time. */
#include <stdio.h>
#include "bench.h"

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 1000000;
    void *live[8] = {0};
    uint64_t t0 = now_ns();
    for (long i = 0; i < n; i++) {
        size_t size = 16 + (size_t)((i * 37) % 241);
        int slot = (int)(i & 7);
        free(live[slot]);
        live[slot] = malloc(size);
        *(volatile char *)live[slot] = (char)i;
    }
    uint64_t t1 = now_ns();
    for (int s = 0; s < 8; s++) free(live[s]);
    printf("%.3f\n", (double)(t1 - t0) / (double)n);
    return 0;
}
