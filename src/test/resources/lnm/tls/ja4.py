#!/usr/bin/env python3
"""JA4 fingerprint (FoxIO specification) of a captured TLS ClientHello.

Reads the client's first bytes as hex on stdin (one hello; TLS records, possibly several),
prints the JA4 fingerprint. Written from the specification on its own, so that the tests
can compare lnm's Java computation with an independent one.
"""
import hashlib
import sys

GREASE = {(b << 8) | b for b in range(0x0A, 0x100, 0x10)}
VERSIONS = {0x0304: "13", 0x0303: "12", 0x0302: "11", 0x0301: "10", 0x0300: "s3", 0x0002: "s2"}


def handshake_message(data):
    """Concatenates the payloads of the handshake records at the start of data."""
    out = b""
    pos = 0
    while pos + 5 <= len(data) and data[pos] == 22:
        length = int.from_bytes(data[pos + 3:pos + 5], "big")
        out += data[pos + 5:pos + 5 + length]
        pos += 5 + length
        if len(out) >= 4 and len(out) >= 4 + int.from_bytes(out[1:4], "big"):
            break
    if len(out) < 4 or out[0] != 1:
        raise ValueError("not a ClientHello")
    return out[4:4 + int.from_bytes(out[1:4], "big")]


class Reader:
    def __init__(self, b):
        self.b, self.p = b, 0

    def take(self, n):
        if self.p + n > len(self.b):
            raise ValueError("truncated")
        v = self.b[self.p:self.p + n]
        self.p += n
        return v

    def num(self, n):
        return int.from_bytes(self.take(n), "big")

    def vec(self, n):
        return self.take(self.num(n))

    def done(self):
        return self.p >= len(self.b)


def u16_list(b):
    return [int.from_bytes(b[i:i + 2], "big") for i in range(0, len(b) - 1, 2)]


def truncated_sha256(text):
    return hashlib.sha256(text.encode("ascii")).hexdigest()[:12]


def alpn_chars(value):
    if not value:
        return "00"
    first, last = value[0], value[-1]
    alnum = lambda c: chr(c).isascii() and chr(c).isalnum()
    if alnum(first) and alnum(last):
        return chr(first) + chr(last)
    h = value.hex()
    return h[0] + h[-1]


def ja4(body):
    r = Reader(body)
    legacy = r.num(2)
    r.take(32)
    r.vec(1)
    ciphers = [c for c in u16_list(r.vec(2)) if c not in GREASE]
    r.vec(1)
    extensions, sni, alpn, versions, sigalgs = [], False, None, None, []
    if not r.done():
        ext = Reader(r.vec(2))
        while not ext.done():
            etype = ext.num(2)
            data = ext.vec(2)
            if etype in GREASE:
                continue
            extensions.append(etype)
            if etype == 0x0000:
                sni = True
            elif etype == 0x0010:
                names = Reader(Reader(data).vec(2))
                alpn = names.vec(1) if not names.done() else b""
            elif etype == 0x002B:
                versions = [v for v in u16_list(Reader(data).vec(1)) if v not in GREASE]
            elif etype == 0x000D:
                sigalgs = [s for s in u16_list(Reader(data).vec(2)) if s not in GREASE]
    version = max(versions) if versions else legacy
    a = "t" + VERSIONS.get(version, "00") + ("d" if sni else "i")
    a += "%02d%02d" % (min(len(ciphers), 99), min(len(extensions), 99))
    a += alpn_chars(alpn)
    b = truncated_sha256(",".join("%04x" % c for c in sorted(ciphers))) if ciphers else "000000000000"
    kept = sorted(e for e in extensions if e not in (0x0000, 0x0010))
    if kept:
        text = ",".join("%04x" % e for e in kept)
        if sigalgs:
            text += "_" + ",".join("%04x" % s for s in sigalgs)
        c = truncated_sha256(text)
    else:
        c = "000000000000"
    return a + "_" + b + "_" + c


def main():
    data = bytes.fromhex("".join(sys.stdin.read().split()))
    print(ja4(handshake_message(data)))


if __name__ == "__main__":
    main()
