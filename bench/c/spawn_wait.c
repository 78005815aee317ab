/* spawn_wait PROGRAM COUNT: ns per posix_spawn + waitpid of PROGRAM, with
 * its stdout on /dev/null (the C library's way to start a program). */
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
    uint64_t t0 = now_ns();
    for (long i = 0; i < count; i++) {
        pid_t pid;
        int status;
        if (posix_spawn(&pid, argv[1], &fa, NULL, child_argv, environ) != 0) return 1;
        if (waitpid(pid, &status, 0) != pid || status != 0) return 1;
    }
    uint64_t t1 = now_ns();
    printf("%.3f\n", (double)(t1 - t0) / count);
    return 0;
}
