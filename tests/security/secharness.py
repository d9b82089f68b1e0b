"""Helpers for the attack tests of larafw-server's LwM2M side (tests/security/test_*.py).

Builds on tests/e2e/srvharness.py (the server under test) and fake_lwm2m_device.py (a scripted
LwM2M client and a CoAP encoder); adds libcoap's coap-client (Debian libcoap3-bin) as the
attacker's tool, credentials files and a raw CoAP socket.

Environment: LARAFW_SERVER, COAP_CLIENT (coap-client-openssl for DTLS, else -notls), LARAFW_PKG.
Every wait is on an answer, a log line or a process exit, with a deadline.
"""

import os
import random
import re
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))

from fake_lwm2m_device import (ACK, CON, OPT_URI_PATH, OPT_URI_QUERY, OPT_CF, CF_LINK,  # noqa: E402,F401
                               FakeDevice, _uint, code, decode, encode)
from srvharness import Server, TIMEOUT  # noqa: E402,F401

COAP = os.environ.get("COAP_CLIENT", "coap-client-openssl")
OPT_BLOCK1, OPT_SIZE1, OPT_RTAG, OPT_MAXAGE = 27, 60, 292, 14
# IMEIs with a valid Luhn check digit (3GPP TS 23.003 §B.2)
IMEI_A, IMEI_B, IMEI_C = "354521091714367", "490154203237518", "356000000000018"


def has_dtls():
    return "openssl" in os.path.basename(COAP) or "gnutls" in os.path.basename(COAP)


def coap(*args, timeout=60):
    """coap-client with debug output: the response line shows the code and the options.
    It exits on the answer; -B only bounds the wait (long: a DTLS handshake with a sanitizer
    build on a loaded machine can take seconds)."""
    r = subprocess.run([COAP, "-v", "7", "-B", "30"] + list(args), capture_output=True,
                       text=True, timeout=timeout)
    return r.stdout + r.stderr


def answer_code(out):
    """The CoAP code of the last answer coap-client printed ("2.01"), or None."""
    codes = re.findall(r"t:(?:ACK|CON|NON) c:(\d\.\d\d)", out)
    return codes[-1] if codes else None


def location(out):
    """rd/<id> from coap-client's output (two Location-Path options)."""
    m = re.search(r"Location-Path:rd, Location-Path:([0-9A-Za-z]+)", out)
    return "rd/" + m.group(1) if m else None


def psk_args(identity, key):
    return ["-u", identity, "-k", key]


def write_secret(path, text, mode=0o600):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.chmod(path, mode)
    return path


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS for %d" % pid)


class RawCoap:
    """A UDP socket speaking raw CoAP to the server (bound to `host`, any 127.x address)."""

    def __init__(self, port, host="127.0.0.1"):
        self.server = ("127.0.0.1", port)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((host, 0))
        self.mid = random.randint(0, 0xFFFF)

    def close(self):
        self.sock.close()

    def next_mid(self):
        self.mid = (self.mid + 1) & 0xFFFF
        return self.mid

    def send(self, mcode, path, query=(), payload=b"", extra=(), token=None, mtype=CON):
        mid = self.next_mid()
        token = token if token is not None else os.urandom(4)
        opts = [(OPT_URI_PATH, p.encode()) for p in path.split("/") if p]
        opts += [(OPT_URI_QUERY, q.encode()) for q in query]
        opts += list(extra)
        self.sock.sendto(encode(mtype, mcode, mid, token, opts, payload), self.server)
        return mid

    def answers(self, mids, timeout=TIMEOUT):
        """{mid: (code, options)} for the ACKs of `mids` (server requests are ignored)."""
        want, got = set(mids), {}
        deadline = time.monotonic() + timeout
        while want - set(got):
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError("no answer to %d of %d requests" %
                                     (len(want - set(got)), len(want)))
            self.sock.settimeout(left)
            try:
                data, _ = self.sock.recvfrom(65536)
            except socket.timeout:
                continue
            m = decode(data)
            if m[0] == ACK and m[2] in want:
                got[m[2]] = (m[1], m[4])
        return got

    def request(self, mcode, path, **kw):
        mid = self.send(mcode, path, **kw)
        return self.answers([mid])[mid]


def fmt(c):
    return "%d.%02d" % (c >> 5, c & 31)
