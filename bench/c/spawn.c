/* The startup harness: runs PROGRAM COUNT times (posix_spawn, wait, stdout
 * to /dev/null) and prints each exec-to-exit time in nanoseconds. */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <sys/wait.h>
#include "bench.h"

extern char **environ;

int main(int argc, char **argv) {
    if (argc < 3) return 2;
    long count = atol(argv[2]);
    char *child_argv[] = {argv[1], NULL};
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    for (long i = 0; i < count; i++) {
        pid_t pid;
        int status;
        uint64_t t0 = now_ns();
        if (posix_spawn(&pid, argv[1], &fa, NULL, child_argv, environ) != 0) return 1;
        waitpid(pid, &status, 0);
        uint64_t t1 = now_ns();
        printf("%llu\n", (unsigned long long)(t1 - t0));
    }
    return 0;
}
