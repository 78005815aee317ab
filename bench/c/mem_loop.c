/* The buffers and the timed loop of the memory-function benchmark,
 * compiled once by the same compiler and linked into every build
 * (bench/c/mem.c for glibc and musl, bench/programs' sl_mem for
 * sys-layer), so the rows compare the functions and not two harnesses.
 * Freestanding: no C library call.
 *
 * which: 0 memcpy(b, a), 1 memset(b, i), 2 memcmp(a, b), 4 memmove(b + 8, b),
 * anything else strlen(a); fn is that function. Returns a sum of the
 * results, which the caller keeps, so no call can be left out. */
#include <stddef.h>
#include <stdint.h>

/* The largest size the benchmark runs, and room for the offsets. */
#define MAX_SIZE (1 << 20)
#define PAGE 4096
#define SLOT (MAX_SIZE + 2 * PAGE)

/* Both buffers, page-aligned, in one region of this file: where they lie
 * relative to each other modulo 4 KiB decides whether a copy's loads
 * alias its earlier stores in the CPU's store buffer (4K aliasing), so it
 * must not depend on a library's allocator. */
static char region[2 * SLOT] __attribute__((aligned(PAGE)));

/* Points a and b at the buffers for a run of `size` bytes (at most
 * MAX_SIZE): the source at page offset soff, the destination at page
 * offset doff, both filled with 'x' and NUL-terminated at `size`. Returns 0,
 * or -1 when size is too large. */
int bench_mem_buffers(size_t size, size_t doff, size_t soff, char **a, char **b) {
    if (size > MAX_SIZE || doff >= PAGE || soff >= PAGE) return -1;
    *a = region + soff;
    *b = region + SLOT + doff;
    /* Through a volatile pointer: the compiler may not turn it into memset. */
    for (size_t i = 0; i < 2 * SLOT; i++) ((volatile char *)region)[i] = 'x';
    (*a)[size] = 0;
    (*b)[size] = 0;
    return 0;
}

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
