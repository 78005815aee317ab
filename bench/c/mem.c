/* GB/s of memcpy, memmove (overlapping), memset, memcmp and strlen at one
 * size, through function pointers the compiler cannot inline or specialise.
 *   mem OP SIZE ITERS [DST_OFFSET SRC_OFFSET]
 * Buffers are 64-byte aligned; the offsets make unaligned rows. memmove
 * moves SIZE bytes up by 8 within one buffer (overlapping, back to front). */
#include <stdio.h>
#include <string.h>
#include "bench.h"

static void *(*volatile p_memcpy)(void *, const void *, size_t) = memcpy;
static void *(*volatile p_memmove)(void *, const void *, size_t) = memmove;
static void *(*volatile p_memset)(void *, int, size_t) = memset;
static int (*volatile p_memcmp)(const void *, const void *, size_t) = memcmp;
static size_t (*volatile p_strlen)(const char *) = strlen;

int main(int argc, char **argv) {
    const char *op = argc > 1 ? argv[1] : "memcpy";
    size_t size = argc > 2 ? (size_t)atol(argv[2]) : 256;
    long iters = (long)(argc > 3 ? atol(argv[3]) : 0);
    size_t doff = argc > 4 ? (size_t)atol(argv[4]) % 64 : 0, soff = argc > 5 ? (size_t)atol(argv[5]) % 64 : 0;
    if (iters == 0) iters = (long)(2000000000ull / (size + 64));
    char *a = aligned_alloc(64, size + 128) + soff, *b = aligned_alloc(64, size + 128) + doff;
    memset(a, 'x', size + 64);
    memset(b, 'x', size + 64);
    a[size] = 0;
    b[size] = 0;
    int which = !strcmp(op, "memcpy") ? 0 : !strcmp(op, "memset") ? 1 : !strcmp(op, "memcmp") ? 2
              : !strcmp(op, "memmove") ? 4 : 3;
    uint64_t t0 = now_ns();
    for (long i = 0; i < iters; i++) {
        switch (which) {
        case 0: sink += (uint64_t)p_memcpy(b, a, size); break;
        case 1: sink += (uint64_t)p_memset(b, (int)i, size); break;
        case 2: sink += (uint64_t)p_memcmp(a, b, size); break;
        case 4: sink += (uint64_t)p_memmove(b + 8, b, size); break;
        default: sink += p_strlen(a); break;
        }
    }
    uint64_t t1 = now_ns();
    printf("%.3f\n", (double)size * (double)iters / (double)(t1 - t0));
    return 0;
}
