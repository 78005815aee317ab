/* GB/s of memcpy, memset, memcmp and strlen at one size, through function
 * pointers the compiler cannot inline or specialise. */
#include <stdio.h>
#include <string.h>
#include "bench.h"

static void *(*volatile p_memcpy)(void *, const void *, size_t) = memcpy;
static void *(*volatile p_memset)(void *, int, size_t) = memset;
static int (*volatile p_memcmp)(const void *, const void *, size_t) = memcmp;
static size_t (*volatile p_strlen)(const char *) = strlen;

int main(int argc, char **argv) {
    const char *op = argc > 1 ? argv[1] : "memcpy";
    size_t size = argc > 2 ? (size_t)atol(argv[2]) : 256;
    long iters = (long)(argc > 3 ? atol(argv[3]) : 0);
    if (iters == 0) iters = (long)(2000000000ull / (size + 64));
    char *a = malloc(size + 64), *b = malloc(size + 64);
    memset(a, 'x', size + 64);
    memset(b, 'x', size + 64);
    a[size] = 0;
    b[size] = 0;
    int which = !strcmp(op, "memcpy") ? 0 : !strcmp(op, "memset") ? 1 : !strcmp(op, "memcmp") ? 2 : 3;
    uint64_t t0 = now_ns();
    for (long i = 0; i < iters; i++) {
        switch (which) {
        case 0: sink += (uint64_t)p_memcpy(b, a, size); break;
        case 1: sink += (uint64_t)p_memset(b, (int)i, size); break;
        case 2: sink += (uint64_t)p_memcmp(a, b, size); break;
        default: sink += p_strlen(a); break;
        }
    }
    uint64_t t1 = now_ns();
    printf("%.3f\n", (double)size * (double)iters / (double)(t1 - t0));
    return 0;
}
