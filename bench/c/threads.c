/* Threads and locks on the C library's pthreads, the same workloads as
 * bench/programs/src/bin/sl_threads.rs. Prints ns per operation:
 *   threads spawn N       pthread_create + pthread_join of an empty thread
 *   threads mutex N       uncontended lock + unlock
 *   threads contended N   lock + increment + unlock, two threads at once
 *   threads malloc2 N     malloc/free pairs (as malloc.c), two threads at once */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include "bench.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;
static long per_thread;

static void *empty(void *arg) { return arg; }

static void *contend(void *arg) {
    for (long i = 0; i < per_thread; i++) {
        pthread_mutex_lock(&lock);
        counter++;
        pthread_mutex_unlock(&lock);
    }
    return arg;
}

static void *churn(void *arg) {
    void *live[8] = {0};
    for (long i = 0; i < per_thread; i++) {
        size_t size = 16 + (size_t)((i * 37) % 241);
        int slot = (int)(i & 7);
        free(live[slot]);
        live[slot] = malloc(size);
        *(volatile char *)live[slot] = (char)i;
    }
    for (int s = 0; s < 8; s++) free(live[s]);
    return arg;
}

static double two_threads(void *(*f)(void *), long n) {
    pthread_t a, b;
    per_thread = n;
    uint64_t t0 = now_ns();
    pthread_create(&a, NULL, f, NULL);
    pthread_create(&b, NULL, f, NULL);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    return (double)(now_ns() - t0) / (double)(2 * n);
}

int main(int argc, char **argv) {
    const char *mode = argc > 1 ? argv[1] : "spawn";
    long n = argc > 2 ? atol(argv[2]) : 10000;
    double ns = 0;
    if (!strcmp(mode, "spawn")) {
        uint64_t t0 = now_ns();
        for (long i = 0; i < n; i++) {
            pthread_t t;
            pthread_create(&t, NULL, empty, NULL);
            pthread_join(t, NULL);
        }
        ns = (double)(now_ns() - t0) / (double)n;
    } else if (!strcmp(mode, "mutex")) {
        uint64_t t0 = now_ns();
        for (long i = 0; i < n; i++) {
            pthread_mutex_lock(&lock);
            counter++;
            pthread_mutex_unlock(&lock);
        }
        ns = (double)(now_ns() - t0) / (double)n;
    } else if (!strcmp(mode, "contended")) {
        ns = two_threads(contend, n);
    } else if (!strcmp(mode, "malloc2")) {
        ns = two_threads(churn, n);
    }
    sink = (uint64_t)counter;
    printf("%.3f\n", ns);
    return 0;
}
