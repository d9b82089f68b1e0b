"""Shared pieces of the HTTP-side security tests (tests/security/test_api_*.py): a package
folder with one real delta package, a registered scripted device, curl, and an IMEI that
passes the Luhn check. Python 3 standard library, curl; no sleeps.
"""

import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))

from fake_lwm2m_device import FakeDevice  # noqa: E402,F401
from simharness import wait_until  # noqa: E402,F401
from srvharness import Server, TIMEOUT, find_server  # noqa: E402,F401
from test_install_util import Workshop  # noqa: E402

CURL = os.environ.get("CURL", "curl")
OLD, NEW = "LARA-R6.01.00", "LARA-R6.02.00"


def luhn_imei(body14):
    """15-digit IMEI: 14 digits and their Luhn check digit."""
    total = 0
    for i, ch in enumerate(reversed(body14)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            d = d - 9 if d > 9 else d
        total += d
    return body14 + str((10 - total % 10) % 10)


class Packages:
    """A temporary folder: packages/a-b.upd (a real delta OLD → NEW) and a work area."""

    def __init__(self):
        self.w = Workshop(tempfile.mkdtemp(prefix="larafw-sec-"), image_size=64 * 1024)
        a = self.w.image("a.img", seed=1)
        b = self.w.successor(a, "b.img", NEW, change=10)
        self.dir = self.w.dir
        self.packages = os.path.join(self.dir, "packages")
        os.mkdir(self.packages)
        shutil.copy(self.w.delta(a, b, "delta.upd"), os.path.join(self.packages, "a-b.upd"))

    def cleanup(self):
        if os.environ.get("LARAFW_KEEP") != "1":
            shutil.rmtree(self.dir, ignore_errors=True)


def registered_device(srv, imei):
    """A scripted LwM2M device on OLD, registered and known to the store."""
    dev = FakeDevice(srv.coap_port, imei=imei, version=OLD)
    dev.register()
    dev.serve_until(lambda: (1, "/3/0/3") in dev.seen)
    wait_until(lambda: (srv.device(imei) or {}).get("fw_version") == OLD,
               what="device info in the store")
    return dev


def curl(*args, timeout=15):
    """(status, response headers text, body bytes) of one curl request."""
    r = subprocess.run([CURL, "-s", "-o", "-", "-D", "/dev/stderr", "--max-time", str(timeout)] +
                       list(args), capture_output=True, timeout=timeout + 10)
    head = r.stderr.decode(errors="replace")
    status = int(head.split()[1]) if head.startswith("HTTP/") else -1
    return status, head, r.stdout


def header(head, name):
    """Value of response header `name` in curl's header dump, or None."""
    for line in head.splitlines():
        k, _, v = line.partition(":")
        if k.strip().lower() == name.lower():
            return v.strip()
    return None
