/* GB/s of memcpy, memmove (overlapping), memset, memcmp and strlen at one
 * size, called by the loop of mem_loop.c (shared with sys-layer's sl_mem)
 * through a pointer the compiler cannot inline or specialise.
 *   mem OP SIZE ITERS [DST_OFFSET SRC_OFFSET]
 * Buffers are page-aligned (mem_loop.c places them, the same for every
 * build); the offsets make unaligned rows. memmove moves SIZE bytes up by
 * 8 within one buffer (overlapping, back to front). */
#include <stdio.h>
#include <string.h>
#include "bench.h"

int bench_mem_buffers(size_t size, size_t doff, size_t soff, char **a, char **b);
uint64_t bench_mem_loop(int which, void (*fn)(void), char *a, char *b, size_t size, long iters);

int main(int argc, char **argv) {
    const char *op = argc > 1 ? argv[1] : "memcpy";
    size_t size = argc > 2 ? (size_t)atol(argv[2]) : 256;
    long iters = (long)(argc > 3 ? atol(argv[3]) : 0);
    size_t doff = argc > 4 ? (size_t)atol(argv[4]) % 64 : 0, soff = argc > 5 ? (size_t)atol(argv[5]) % 64 : 0;
    if (iters == 0) iters = (long)(2000000000ull / (size + 64));
    char *a, *b;
    if (bench_mem_buffers(size, doff, soff, &a, &b) != 0) {
        fprintf(stderr, "mem: size %zu is above the benchmark's 1 MiB\n", size);
        return 2;
    }
    int which = !strcmp(op, "memcpy") ? 0 : !strcmp(op, "memset") ? 1 : !strcmp(op, "memcmp") ? 2
              : !strcmp(op, "memmove") ? 4 : 3;
    void (*fns[])(void) = {(void (*)(void))memcpy, (void (*)(void))memset, (void (*)(void))memcmp,
                           (void (*)(void))strlen, (void (*)(void))memmove};
    uint64_t t0 = now_ns();
    sink += bench_mem_loop(which, fns[which], a, b, size, iters);
    uint64_t t1 = now_ns();
    printf("%.3f\n", (double)size * (double)iters / (double)(t1 - t0));
    return 0;
}
