/* ns per clock_gettime(CLOCK_MONOTONIC). */
#include <stdio.h>
#include "bench.h"

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 1000000;
    struct timespec ts;
    uint64_t t0 = now_ns();
    for (long i = 0; i < n; i++) {
        clock_gettime(CLOCK_MONOTONIC, &ts);
        sink += (uint64_t)ts.tv_nsec;
    }
    uint64_t t1 = now_ns();
    printf("%.3f\n", (double)(t1 - t0) / (double)n);
    return 0;
}
