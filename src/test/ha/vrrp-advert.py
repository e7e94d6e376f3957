#!/usr/bin/env python3
"""Sends VRRPv2 advertisements from a plant host that is not in the pair (make ha-test).

    vrrp-advert.py SRC VRID PRIORITY VIP ROUNDS INTERVAL_MS DEST...

Each round sends one advertisement for router id VRID with PRIORITY, naming VIP, from the
local address SRC to every DEST (224.0.0.18, the VRRP multicast group, and unicast addresses),
with IP TTL 255 as RFC 3768 requires, then sleeps INTERVAL_MS. At most 1,000 rounds. Prints the
number of advertisements sent. Needs CAP_NET_RAW (root).
"""
import socket
import struct
import sys
import time

VRRP = 112


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def advert(vrid, priority, vip):
    # version 2, type 1 (advertisement), one address, no authentication, interval 1 s
    head = struct.pack("!BBBBBB", 0x21, vrid, priority, 1, 0, 1)
    rest = socket.inet_aton(vip) + bytes(8)
    return head + struct.pack("!H", checksum(head + b"\0\0" + rest)) + rest


def main(argv):
    if len(argv) < 8:
        sys.exit(__doc__)
    src, vrid, priority, vip = argv[1], int(argv[2]), int(argv[3]), argv[4]
    rounds, interval_ms, dests = min(int(argv[5]), 1000), int(argv[6]), argv[7:]
    if not (1 <= vrid <= 255 and 0 <= priority <= 255 and 0 <= interval_ms <= 10_000):
        sys.exit("vrrp-advert: VRID 1-255, PRIORITY 0-255, INTERVAL_MS 0-10000")
    packet = advert(vrid, priority, vip)
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, VRRP)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, 255)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 255)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(src))
    s.bind((src, 0))
    sent = 0
    for _ in range(rounds):
        for d in dests:
            s.sendto(packet, (d, 0))
            sent += 1
        time.sleep(interval_ms / 1000)
    print(sent)


if __name__ == "__main__":
    main(sys.argv)
