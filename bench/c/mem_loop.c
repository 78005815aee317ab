/* The timed loop of the memory-function benchmark, compiled once by the
 * same compiler and linked into every build (bench/c/mem.c for glibc and
 * musl, bench/programs' sl_mem for sys-layer), so the rows compare the
 * functions and not two harnesses. Freestanding: no C library call.
 *
 * which: 0 memcpy(b, a), 1 memset(b, i), 2 memcmp(a, b), 4 memmove(b + 8, b),
 * anything else strlen(a); fn is that function. Returns a sum of the
 * results, which the caller keeps, so no call can be left out. */
#include <stddef.h>
#include <stdint.h>

typedef void *(*copy_fn)(void *, const void *, size_t);
typedef void *(*set_fn)(void *, int, size_t);
typedef int (*cmp_fn)(const void *, const void *, size_t);
typedef size_t (*len_fn)(const char *);

uint64_t bench_mem_loop(int which, void (*fn)(void), char *a, char *b, size_t size, long iters) {
    /* The pointer is read from memory each time round, as through a
     * volatile function pointer: nothing about the callee is assumed. */
    void (*volatile target)(void) = fn;
    uint64_t sum = 0;
    for (long i = 0; i < iters; i++) {
        switch (which) {
        case 0: sum += (uint64_t)(uintptr_t)((copy_fn)target)(b, a, size); break;
        case 1: sum += (uint64_t)(uintptr_t)((set_fn)target)(b, (int)i, size); break;
        case 2: sum += (uint64_t)((cmp_fn)target)(a, b, size); break;
        case 4: sum += (uint64_t)(uintptr_t)((copy_fn)target)(b + 8, b, size); break;
        default: sum += ((len_fn)target)(a); break;
        }
    }
    return sum;
}
