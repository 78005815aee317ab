/* The echo server of crates/sys-layer/examples/echo_server.rs in C, the
 * same design: one thread, epoll, non-blocking sockets, echo what was
 * read at once from the read buffer (keeping only what the socket did not take), wait for EPOLLOUT when the client does not read, SIGTERM
 * through a signalfd. Usage: echo_server PORT (on 127.0.0.1; 0 picks one).
 * Prints "listening on 127.0.0.1:PORT". */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_FD 65536
static char *pending[MAX_FD];
static size_t pending_len[MAX_FD];

static int write_some(int fd) {
    while (pending_len[fd]) {
        ssize_t n = send(fd, pending[fd], pending_len[fd], MSG_NOSIGNAL);
        if (n < 0) return errno == EAGAIN ? 0 : errno == EINTR ? 0 : -1;
        memmove(pending[fd], pending[fd] + n, pending_len[fd] - n);
        pending_len[fd] -= n;
    }
    return 0;
}

static void drop_conn(int ep, int fd) {
    epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
    close(fd);
    free(pending[fd]);
    pending[fd] = NULL;
    pending_len[fd] = 0;
}

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    sigprocmask(SIG_BLOCK, &stop, NULL);
    int sfd = signalfd(-1, &stop, SFD_CLOEXEC | SFD_NONBLOCK);
    int ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    int one = 1;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[1])),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (bind(ls, (struct sockaddr *)&a, sizeof a) || listen(ls, 128)) return 1;
    socklen_t alen = sizeof a;
    getsockname(ls, (struct sockaddr *)&a, &alen);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = ls};
    epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
    ev.data.fd = sfd;
    epoll_ctl(ep, EPOLL_CTL_ADD, sfd, &ev);
    printf("listening on 127.0.0.1:%d\n", ntohs(a.sin_port));
    fflush(stdout);
    static char buf[65536];
    struct epoll_event events[64];
    for (;;) {
        int n = epoll_wait(ep, events, 64, -1);
        if (n < 0 && errno == EINTR) continue;
        for (int i = 0; i < n; i++) {
            int fd = events[i].data.fd;
            if (fd == sfd) return 0;
            if (fd == ls) {
                int c;
                while ((c = accept4(ls, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK)) >= 0) {
                    if (c >= MAX_FD) { close(c); continue; }
                    setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    struct epoll_event cev = {.events = EPOLLIN | EPOLLRDHUP, .data.fd = c};
                    epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev);
                }
                continue;
            }
            if (pending_len[fd]) {
                if (write_some(fd) < 0) { drop_conn(ep, fd); continue; }
                if (pending_len[fd] == 0) {
                    struct epoll_event cev = {.events = EPOLLIN | EPOLLRDHUP, .data.fd = fd};
                    epoll_ctl(ep, EPOLL_CTL_MOD, fd, &cev);
                }
                continue;
            }
            for (;;) {
                ssize_t got = recv(fd, buf, sizeof buf, 0);
                if (got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR)) { drop_conn(ep, fd); break; }
                if (got < 0) break;
                /* Straight back from the read buffer; only what the socket
                 * does not take now is kept. */
                ssize_t sent = 0;
                while (sent < got) {
                    ssize_t n = send(fd, buf + sent, got - sent, MSG_NOSIGNAL);
                    if (n < 0) { if (errno == EAGAIN) break; if (errno == EINTR) continue; sent = -1; break; }
                    sent += n;
                }
                if (sent < 0) { drop_conn(ep, fd); break; }
                if (sent < got) {
                    pending[fd] = realloc(pending[fd], got - sent);
                    memcpy(pending[fd], buf + sent, got - sent);
                    pending_len[fd] = got - sent;
                    struct epoll_event cev = {.events = EPOLLOUT, .data.fd = fd};
                    epoll_ctl(ep, EPOLL_CTL_MOD, fd, &cev);
                    break;
                }
            }
        }
    }
}
