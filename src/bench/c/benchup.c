/*
 * benchup: the one upstream server behind every proxy in `make bench` (and behind nothing in
 * the direct run). Single-threaded epoll, edge-free (level-triggered) and allocation-light, so
 * that it is never what limits a proxy.
 *
 * Protocol on each accepted connection (the proxies only see opaque bytes after the hello):
 *   1. read one TLS record (the ClientHello: 5-byte header + length) and echo it back;
 *   2. read one mode byte:
 *        'D'  source: write an endless stream of bytes until the client goes away
 *        'E'  echo:   write back everything read (ping-pong)
 *        'S'  sink:   read and discard
 *      a connection that closes before sending it (connect test) is simply closed.
 *
 * Usage: benchup PORT [MAX_SECONDS]   (listens on 127.0.0.1 only; exits after MAX_SECONDS,
 * default 1200, so a forgotten server cannot outlive the benchmark for long)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define HELLO_MAX (5 + 16384 + 2048)
#define ECHO_BUF 65536
#define SOURCE_CHUNK (256 * 1024)

enum phase { HELLO, ECHO_HELLO, MODE, SOURCE, ECHO, SINK };

struct conn {
    int fd;
    enum phase phase;
    unsigned char *buf; /* hello buffer, then echo buffer; freed for SOURCE/SINK */
    int cap;
    int len;  /* bytes held in buf */
    int off;  /* bytes of buf already written back */
    int need; /* hello: bytes the record needs (header + body), 0 until header seen */
};

static unsigned char source_data[SOURCE_CHUNK];
static unsigned char scratch[1 << 20];
static int ep;

static void die(const char *what) {
    perror(what);
    exit(2);
}

static void set_events(struct conn *c, unsigned events) {
    struct epoll_event ev = {.events = events, .data.ptr = c};
    if (epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev) < 0) die("epoll_ctl mod");
}

static void conn_close(struct conn *c) {
    close(c->fd); /* also removes it from the epoll set */
    free(c->buf);
    free(c);
}

/* Writes buf[off, len); returns 1 when everything is out, 0 if it would block, -1 on error. */
static int flush_buf(struct conn *c) {
    while (c->off < c->len) {
        ssize_t n = write(c->fd, c->buf + c->off, (size_t)(c->len - c->off));
        if (n > 0) {
            c->off += (int)n;
        } else if (n < 0 && errno == EAGAIN) {
            return 0;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else {
            return -1;
        }
    }
    c->off = c->len = 0;
    return 1;
}

static void enter_mode(struct conn *c, unsigned char mode) {
    if (mode == 'D') {
        free(c->buf);
        c->buf = NULL;
        c->phase = SOURCE;
        set_events(c, EPOLLIN | EPOLLOUT | EPOLLRDHUP);
    } else if (mode == 'E') {
        if (c->cap < ECHO_BUF) {
            free(c->buf);
            c->buf = malloc(ECHO_BUF);
            if (!c->buf) die("malloc");
            c->cap = ECHO_BUF;
        }
        c->len = c->off = 0;
        c->phase = ECHO;
    } else {
        free(c->buf);
        c->buf = NULL;
        c->phase = SINK;
    }
}

/* Returns 0 to keep the connection, -1 to close it. */
static int on_event(struct conn *c, unsigned events) {
    if (events & (EPOLLERR)) return -1;
    switch (c->phase) {
    case HELLO: {
        for (;;) {
            int want = c->need ? c->need - c->len : 5 - c->len;
            ssize_t n = read(c->fd, c->buf + c->len, (size_t)want);
            if (n == 0) return -1;
            if (n < 0) return (errno == EAGAIN || errno == EINTR) ? 0 : -1;
            c->len += (int)n;
            if (!c->need && c->len >= 5) {
                int body = (c->buf[3] << 8) | c->buf[4];
                if (c->buf[0] != 22 || 5 + body > c->cap) return -1;
                c->need = 5 + body;
            }
            if (c->need && c->len == c->need) break;
        }
        c->phase = ECHO_HELLO;
        c->off = 0;
        int r = flush_buf(c);
        if (r < 0) return -1;
        if (r == 0) {
            set_events(c, EPOLLOUT);
            return 0;
        }
        c->phase = MODE;
        return 0;
    }
    case ECHO_HELLO: {
        int r = flush_buf(c);
        if (r < 0) return -1;
        if (r == 1) {
            c->phase = MODE;
            set_events(c, EPOLLIN | EPOLLRDHUP);
        }
        return 0;
    }
    case MODE: {
        unsigned char m;
        ssize_t n = read(c->fd, &m, 1);
        if (n == 0) return -1;
        if (n < 0) return (errno == EAGAIN || errno == EINTR) ? 0 : -1;
        enter_mode(c, m);
        return 0;
    }
    case SOURCE: {
        if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP)) {
            ssize_t n = read(c->fd, scratch, sizeof scratch);
            if (n == 0) return -1;
            if (n < 0 && errno != EAGAIN && errno != EINTR) return -1;
        }
        if (events & EPOLLOUT) {
            /* one chunk per event: with 50 streams, longer bursts only thrash the caches and
               made the direct (no proxy) ceiling lower with 50 connections than with one */
            ssize_t n = write(c->fd, source_data, sizeof source_data);
            if (n < 0) return (errno == EAGAIN || errno == EINTR) ? 0 : -1;
        }
        return 0;
    }
    case ECHO: {
        if (c->len > c->off) { /* pending bytes: write them first, reading is paused */
            int r = flush_buf(c);
            if (r < 0) return -1;
            if (r == 0) return 0;
            set_events(c, EPOLLIN | EPOLLRDHUP);
        }
        for (int i = 0; i < 16; i++) {
            ssize_t n = read(c->fd, c->buf, (size_t)c->cap);
            if (n == 0) return -1;
            if (n < 0) return (errno == EAGAIN || errno == EINTR) ? 0 : -1;
            c->len = (int)n;
            c->off = 0;
            int r = flush_buf(c);
            if (r < 0) return -1;
            if (r == 0) {
                set_events(c, EPOLLOUT);
                return 0;
            }
        }
        return 0;
    }
    case SINK: {
        for (int i = 0; i < 16; i++) {
            ssize_t n = read(c->fd, scratch, sizeof scratch);
            if (n == 0) return -1;
            if (n < 0) return (errno == EAGAIN || errno == EINTR) ? 0 : -1;
        }
        return 0;
    }
    }
    return -1;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: benchup PORT [MAX_SECONDS]\n");
        return 2;
    }
    int port = atoi(argv[1]);
    int max_seconds = argc > 2 ? atoi(argv[2]) : 1200;
    signal(SIGPIPE, SIG_IGN);
    for (size_t i = 0; i < sizeof source_data; i++) source_data[i] = (unsigned char)(i * 131 + 7);

    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (lfd < 0) die("socket");
    int one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    if (bind(lfd, (struct sockaddr *)&a, sizeof a) < 0) die("bind");
    if (listen(lfd, 4096) < 0) die("listen");

    ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0) die("epoll_create1");
    struct epoll_event lev = {.events = EPOLLIN, .data.ptr = NULL};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &lev) < 0) die("epoll_ctl add listener");
    fprintf(stderr, "benchup: listening on 127.0.0.1:%d\n", port);

    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    struct epoll_event evs[256];
    for (;;) {
        int n = epoll_wait(ep, evs, 256, 1000);
        if (n < 0 && errno != EINTR) die("epoll_wait");
        for (int i = 0; i < n; i++) {
            struct conn *c = evs[i].data.ptr;
            if (!c) {
                for (int k = 0; k < 256; k++) { /* bounded accept burst */
                    int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
                    if (fd < 0) break;
                    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    struct conn *nc = calloc(1, sizeof *nc);
                    if (!nc) die("calloc");
                    nc->fd = fd;
                    nc->phase = HELLO;
                    nc->cap = HELLO_MAX;
                    nc->buf = malloc(HELLO_MAX);
                    if (!nc->buf) die("malloc");
                    struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.ptr = nc};
                    if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) die("epoll_ctl add");
                }
                continue;
            }
            if (on_event(c, evs[i].events) < 0) conn_close(c);
        }
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec - start.tv_sec > max_seconds) {
            fprintf(stderr, "benchup: %d s limit reached, exiting\n", max_seconds);
            return 0;
        }
    }
}
