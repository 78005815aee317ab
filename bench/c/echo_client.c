/* echo_client PORT COUNT SIZE: ns per round trip of a SIZE-byte message to
 * an echo server on 127.0.0.1:PORT, over one connection (TCP_NODELAY). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>
#include "bench.h"

int main(int argc, char **argv) {
    if (argc < 4) return 2;
    long count = atol(argv[2]);
    size_t size = atol(argv[3]);
    int s = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[1])),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (connect(s, (struct sockaddr *)&a, sizeof a)) return 1;
    char msg[65536], back[65536];
    for (size_t i = 0; i < size; i++) msg[i] = (char)i;
    uint64_t t0 = now_ns();
    for (long i = 0; i < count; i++) {
        if (send(s, msg, size, 0) != (ssize_t)size) return 1;
        size_t got = 0;
        while (got < size) {
            ssize_t n = recv(s, back + got, size - got, 0);
            if (n <= 0) return 1;
            got += n;
        }
    }
    uint64_t t1 = now_ns();
    printf("%.3f\n", (double)(t1 - t0) / count);
    return 0;
}
