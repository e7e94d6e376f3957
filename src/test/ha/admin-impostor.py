#!/usr/bin/env python3
"""Answers every request on 127.0.0.1:PORT with 200 and a /readyz-like body naming its own PID,
as another process holding lnm's admin port would (make ha-test).

    admin-impostor.py PORT SECONDS

Exits after SECONDS (at most 60).
"""
import os
import socket
import sys
import time


def main(argv):
    if len(argv) != 3:
        sys.exit(__doc__)
    port, seconds = int(argv[1]), min(float(argv[2]), 60.0)
    body = ("ready: 1/1 listeners bound, config /etc/lnm/lnm.properties loaded, 0 allowlist rules\n"
            "pid %d\n" % os.getpid()).encode()
    answer = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(16)
    end = time.monotonic() + seconds
    while True:
        left = end - time.monotonic()
        if left <= 0:
            return
        srv.settimeout(left)
        try:
            c, _ = srv.accept()
        except socket.timeout:
            return
        with c:
            c.settimeout(1)
            try:
                c.recv(1024)
                c.sendall(answer)
            except OSError:
                pass


if __name__ == "__main__":
    main(sys.argv)
