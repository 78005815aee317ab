/* ns per getppid(): the cost of one trip into the kernel and back. */
#include <stdio.h>
#include <unistd.h>
#include "bench.h"

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 1000000;
    uint64_t t0 = now_ns();
    for (long i = 0; i < n; i++) sink += (uint64_t)getppid();
    uint64_t t1 = now_ns();
    printf("%.3f\n", (double)(t1 - t0) / (double)n);
    return 0;
}
