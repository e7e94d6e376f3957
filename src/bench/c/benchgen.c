/*
 * benchgen: the load generator of `make bench`. Single-threaded epoll; every connection first
 * sends a real TLS ClientHello (read from a file) and waits for benchup to echo it, which proves
 * the proxy decided on the SNI and connected upstream. Then, by mode:
 *
 *   bulk  N connections send 'D' and read the upstream's endless stream; reports MB/s
 *         (10^6 bytes per second) received by the client during the measured window.
 *   cps   C slots each loop: connect, send hello, read the echo, close; reports completed
 *         connections per second and setup latency (connect() call to last echoed byte).
 *   rtt   N connections send 'E' and ping-pong MSG-byte messages one at a time; reports the
 *         round trip (write of the message to the last byte of its echo).
 *   idle  opens N connections (at most C setting up at once), prints "READY ..." when all
 *         have their echo, holds them HOLD seconds (or until SIGUSR1) while the caller measures
 *         the proxy, then closes them and reports how many the proxy dropped while held.
 *
 * Measurements count only inside [warmup, seconds]. Every run is bounded: it ends at
 * `seconds` (plus hold for idle) and is killed by its own deadline 20 s later whatever happens.
 * Output: one line of key=value pairs on stdout.
 *
 * Usage: benchgen MODE HOST:PORT HELLO_FILE [-n conns] [-c concurrency] [-t seconds]
 *                 [-w warmup] [-H hold] [-m msgbytes]
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum mode { BULK, CPS, RTT, IDLE };
enum state { CONNECTING, SEND_HELLO, READ_ECHO, RUN, DONE };

struct conn {
    int fd;
    enum state state;
    int hello_off;
    int echo_got;
    int msg_off;  /* rtt: bytes of the current message written */
    int msg_got;  /* rtt: bytes of its echo read */
    uint64_t t_start;
    uint64_t t_send;
    unsigned events; /* the interest set registered with epoll: changed only when it differs */
};

static enum mode mode;
static struct sockaddr_in target;
static unsigned char *hello;
static int hello_len;
static int nconns = 1, concurrency = 32, msg_len = 64;
static double seconds = 5, warmup = 0.5, hold = 5;
static int ep;
static volatile sig_atomic_t release; /* idle: SIGUSR1 ends the hold early (the caller has measured) */
static uint64_t t0, t_warm, t_end;

static unsigned char scratch[1 << 20];
static unsigned char msg[4096];

static uint64_t *lat;
static size_t lat_n, lat_cap = 4u << 20;
static uint64_t bytes_total, completed_total, rtt_total;
static uint64_t bytes_in_window, completed_in_window, errors, established, dropped, lat_overflow;

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void die(const char *what) {
    perror(what);
    exit(2);
}

static void on_usr1(int sig) {
    (void)sig;
    release = 1;
}

static int in_window(uint64_t t) { return t >= t_warm && t < t_end; }

static void record(uint64_t v) {
    if (lat_n < lat_cap) lat[lat_n++] = v;
    else lat_overflow++;
}

static int conn_open(struct conn *c) {
    memset(c, 0, sizeof *c);
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->fd < 0) {
        errors++;
        c->state = DONE;
        return -1;
    }
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    c->t_start = now_ns();
    c->state = CONNECTING;
    int r = connect(c->fd, (struct sockaddr *)&target, sizeof target);
    if (r < 0 && errno != EINPROGRESS) {
        errors++;
        close(c->fd);
        c->fd = -1;
        c->state = DONE;
        return -1;
    }
    c->events = EPOLLOUT;
    struct epoll_event ev = {.events = EPOLLOUT, .data.ptr = c};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev) < 0) die("epoll_ctl add");
    return 0;
}

static void conn_close(struct conn *c) {
    if (c->fd >= 0) close(c->fd);
    c->fd = -1;
    c->state = DONE;
}

static void set_events(struct conn *c, unsigned events) {
    if (c->events == events) return;
    c->events = events;
    struct epoll_event ev = {.events = events, .data.ptr = c};
    if (epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev) < 0) die("epoll_ctl mod");
}

/* Writes the current ping message; returns -1 on error. */
static int send_msg(struct conn *c) {
    while (c->msg_off < msg_len) {
        ssize_t n = write(c->fd, msg + c->msg_off, (size_t)(msg_len - c->msg_off));
        if (n > 0) c->msg_off += (int)n;
        else if (n < 0 && errno == EAGAIN) {
            set_events(c, EPOLLIN | EPOLLOUT);
            return 0;
        } else return -1;
    }
    set_events(c, EPOLLIN);
    return 0;
}

/* After the echo of the hello: start the mode's traffic. Returns -1 on error. */
static int start_run(struct conn *c) {
    uint64_t t = now_ns();
    c->state = RUN;
    switch (mode) {
    case CPS:
        completed_total++;
        if (in_window(t)) {
            completed_in_window++;
            record(t - c->t_start);
        }
        conn_close(c); /* the slot is reopened by the main loop */
        return 0;
    case IDLE:
        established++;
        return 0;
    case BULK: {
        unsigned char d = 'D';
        if (write(c->fd, &d, 1) != 1) return -1;
        return 0;
    }
    case RTT: {
        unsigned char e = 'E';
        if (write(c->fd, &e, 1) != 1) return -1;
        c->msg_off = c->msg_got = 0;
        c->t_send = now_ns();
        return send_msg(c);
    }
    }
    return -1;
}

/* Returns -1 when the connection failed. */
static int on_event(struct conn *c, unsigned events) {
    switch (c->state) {
    case CONNECTING: {
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err) return -1;
        c->state = SEND_HELLO;
        /* fall through */
    }
    case SEND_HELLO:
        while (c->hello_off < hello_len) {
            ssize_t n = write(c->fd, hello + c->hello_off, (size_t)(hello_len - c->hello_off));
            if (n > 0) c->hello_off += (int)n;
            else if (n < 0 && errno == EAGAIN) {
                set_events(c, EPOLLOUT);
                return 0;
            } else return -1;
        }
        c->state = READ_ECHO;
        set_events(c, EPOLLIN);
        return 0;
    case READ_ECHO:
        while (c->echo_got < hello_len) {
            ssize_t n = read(c->fd, scratch, (size_t)(hello_len - c->echo_got));
            if (n == 0) return -1;
            if (n < 0) return errno == EAGAIN ? 0 : -1;
            c->echo_got += (int)n;
        }
        return start_run(c);
    case RUN:
        if (mode == BULK) {
            for (int i = 0; i < 8; i++) {
                ssize_t n = read(c->fd, scratch, sizeof scratch);
                if (n == 0) return -1;
                if (n < 0) return errno == EAGAIN ? 0 : -1;
                bytes_total += (uint64_t)n;
                if (in_window(now_ns())) bytes_in_window += (uint64_t)n;
            }
            return 0;
        }
        if (mode == IDLE) { /* nothing should arrive; EOF means the proxy dropped us */
            ssize_t n = read(c->fd, scratch, sizeof scratch);
            if (n == 0 || (n < 0 && errno != EAGAIN)) {
                dropped++;
                conn_close(c);
            }
            return 0;
        }
        /* RTT */
        if ((events & EPOLLOUT) && c->msg_off < msg_len) {
            if (send_msg(c) < 0) return -1;
        }
        if (events & EPOLLIN) {
            ssize_t n = read(c->fd, scratch, sizeof scratch);
            if (n == 0) return -1;
            if (n < 0) return errno == EAGAIN ? 0 : -1;
            c->msg_got += (int)n;
            if (c->msg_got >= msg_len) {
                uint64_t t = now_ns();
                rtt_total++;
                if (in_window(t)) record(t - c->t_send);
                if (t >= t_end) return 0;
                c->msg_off = c->msg_got = 0;
                c->t_send = now_ns();
                return send_msg(c);
            }
        }
        return 0;
    case DONE:
        return 0;
    }
    return -1;
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static double pct(double q) {
    if (lat_n == 0) return -1;
    size_t i = (size_t)(q * (double)lat_n);
    if (i >= lat_n) i = lat_n - 1;
    return (double)lat[i];
}

static void usage(void) {
    fprintf(stderr, "usage: benchgen bulk|cps|rtt|idle HOST:PORT HELLO_FILE [-n conns] [-c concurrency]"
                    " [-t seconds] [-w warmup] [-H hold] [-m msgbytes]\n");
    exit(2);
}

int main(int argc, char **argv) {
    if (argc < 4) usage();
    if (!strcmp(argv[1], "bulk")) mode = BULK;
    else if (!strcmp(argv[1], "cps")) mode = CPS;
    else if (!strcmp(argv[1], "rtt")) mode = RTT;
    else if (!strcmp(argv[1], "idle")) mode = IDLE;
    else usage();

    char host[64];
    const char *colon = strrchr(argv[2], ':');
    if (!colon || colon - argv[2] >= (long)sizeof host) usage();
    memcpy(host, argv[2], (size_t)(colon - argv[2]));
    host[colon - argv[2]] = 0;
    target.sin_family = AF_INET;
    target.sin_port = htons((unsigned short)atoi(colon + 1));
    if (inet_pton(AF_INET, host, &target.sin_addr) != 1) usage();
    if ((ntohl(target.sin_addr.s_addr) >> 24) != 127) {
        fprintf(stderr, "benchgen: loopback targets only\n");
        return 2;
    }

    FILE *f = fopen(argv[3], "rb");
    if (!f) die(argv[3]);
    hello = malloc(65536);
    hello_len = (int)fread(hello, 1, 65536, f);
    fclose(f);
    if (hello_len < 6 || hello[0] != 22) {
        fprintf(stderr, "benchgen: %s is not a TLS handshake record\n", argv[3]);
        return 2;
    }

    for (int i = 4; i < argc; i++) {
        if (i + 1 >= argc) usage();
        const char *o = argv[i], *v = argv[++i];
        if (!strcmp(o, "-n")) nconns = atoi(v);
        else if (!strcmp(o, "-c")) concurrency = atoi(v);
        else if (!strcmp(o, "-t")) seconds = atof(v);
        else if (!strcmp(o, "-w")) warmup = atof(v);
        else if (!strcmp(o, "-H")) hold = atof(v);
        else if (!strcmp(o, "-m")) msg_len = atoi(v);
        else usage();
    }
    if (nconns < 1 || nconns > 60000 || concurrency < 1 || msg_len < 1 || msg_len > (int)sizeof msg ||
        seconds <= 0 || seconds > 600 || warmup < 0 || warmup >= seconds || hold < 0 || hold > 600)
        usage();
    memset(msg, 'x', sizeof msg);
    signal(SIGPIPE, SIG_IGN);
    signal(SIGUSR1, on_usr1);
    lat = malloc(lat_cap * sizeof *lat);
    if (!lat) die("malloc");

    ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0) die("epoll_create1");
    int slots = mode == CPS ? concurrency : nconns;
    struct conn *conns = calloc((size_t)slots, sizeof *conns);
    if (!conns) die("calloc");
    for (int i = 0; i < slots; i++) conns[i].fd = -1, conns[i].state = DONE;

    t0 = now_ns();
    t_warm = t0 + (uint64_t)(warmup * 1e9);
    t_end = t0 + (uint64_t)(seconds * 1e9);
    uint64_t deadline = t_end + (uint64_t)((hold + 20) * 1e9);
    const uint64_t attempt_timeout = 3000000000ull;

    int opened = 0, ready_printed = 0;
    uint64_t hold_until = 0;
    if (mode != IDLE) {
        for (int i = 0; i < slots; i++) conn_open(&conns[i]);
        opened = slots;
    }
    struct epoll_event evs[512];
    for (;;) {
        uint64_t t = now_ns();
        if (t > deadline) {
            fprintf(stderr, "benchgen: deadline passed, giving up\n");
            errors++;
            break;
        }
        if (mode == IDLE) {
            /* keep at most `concurrency` connections setting up */
            int inflight = opened - (int)established - (int)errors;
            while (opened < nconns && inflight < concurrency) {
                if (conn_open(&conns[opened++]) == 0) inflight++;
            }
            if (!ready_printed && (int)(established + errors) >= nconns) {
                printf("READY established=%llu\n", (unsigned long long)established);
                fflush(stdout);
                ready_printed = 1;
                hold_until = now_ns() + (uint64_t)(hold * 1e9);
            }
            if (ready_printed && (t >= hold_until || release)) break;
            if (!ready_printed && t >= t_end) { /* could not open them all in time */
                printf("READY established=%llu incomplete=1\n", (unsigned long long)established);
                fflush(stdout);
                ready_printed = 1;
                hold_until = now_ns() + (uint64_t)(hold * 1e9);
            }
        } else if (t >= t_end) {
            break;
        }
        int n = epoll_wait(ep, evs, 512, 5);
        if (n < 0 && errno != EINTR) die("epoll_wait");
        for (int i = 0; i < n; i++) {
            struct conn *c = evs[i].data.ptr;
            if (c->state == DONE) continue;
            if (on_event(c, evs[i].events) < 0) {
                if (now_ns() < t_end || mode == IDLE) errors++;
                conn_close(c);
            }
        }
        t = now_ns();
        if (mode == CPS) {
            for (int i = 0; i < slots; i++) {
                struct conn *c = &conns[i];
                if (c->state != DONE && c->state != RUN && t - c->t_start > attempt_timeout) {
                    errors++;
                    conn_close(c);
                }
                if (c->state == DONE && t < t_end) conn_open(c);
            }
        } else if (mode != IDLE) {
            for (int i = 0; i < slots; i++) { /* a setup that hangs is an error, not a wait */
                struct conn *c = &conns[i];
                if (c->state != DONE && c->state != RUN && t - c->t_start > attempt_timeout) {
                    errors++;
                    conn_close(c);
                }
            }
        } else {
            for (int i = 0; i < opened; i++) {
                struct conn *c = &conns[i];
                if (c->state != DONE && c->state != RUN && t - c->t_start > attempt_timeout) {
                    errors++;
                    conn_close(c);
                }
            }
        }
    }
    int still_open = 0;
    for (int i = 0; i < slots; i++) {
        if (conns[i].state == RUN) still_open++;
        conn_close(&conns[i]);
    }

    double window = seconds - warmup;
    /* the generator's own CPU use, as a share of one core over the run: far below 100 means it
       was waiting on the proxy, not the other way round */
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
                 ru.ru_stime.tv_usec / 1e6;
    double elapsed = (double)(now_ns() - t0) / 1e9;
    char tail[160];
    snprintf(tail, sizeof tail, "gen_cpu_pct=%.0f run_s=%.2f", 100.0 * cpu / elapsed, elapsed);
    qsort(lat, lat_n, sizeof *lat, cmp_u64);
    switch (mode) {
    case BULK:
        printf("mode=bulk conns=%d window_s=%.2f mbps=%.1f bytes=%llu total=%llu errors=%llu open_at_end=%d %s\n",
               nconns, window, (double)bytes_in_window / window / 1e6, (unsigned long long)bytes_in_window,
               (unsigned long long)bytes_total, (unsigned long long)errors, still_open, tail);
        break;
    case CPS:
        printf("mode=cps concurrency=%d window_s=%.2f cps=%.0f count=%llu p50_ms=%.3f p99_ms=%.3f max_ms=%.3f "
               "total=%llu errors=%llu %s\n",
               concurrency, window, (double)completed_in_window / window, (unsigned long long)completed_in_window,
               pct(0.50) / 1e6, pct(0.99) / 1e6, lat_n ? (double)lat[lat_n - 1] / 1e6 : -1,
               (unsigned long long)completed_total, (unsigned long long)errors, tail);
        break;
    case RTT:
        printf("mode=rtt conns=%d msg=%d window_s=%.2f count=%llu p50_us=%.1f p99_us=%.1f p999_us=%.1f total=%llu "
               "errors=%llu open_at_end=%d %s\n",
               nconns, msg_len, window, (unsigned long long)lat_n, pct(0.50) / 1e3, pct(0.99) / 1e3,
               pct(0.999) / 1e3, (unsigned long long)rtt_total, (unsigned long long)errors, still_open, tail);
        break;
    case IDLE:
        printf("mode=idle conns=%d established=%llu dropped=%llu errors=%llu open_at_end=%d\n", nconns,
               (unsigned long long)established, (unsigned long long)dropped, (unsigned long long)errors,
               still_open);
        break;
    }
    if (lat_overflow) fprintf(stderr, "benchgen: %llu samples beyond the cap were not kept\n",
                              (unsigned long long)lat_overflow);
    return 0;
}
