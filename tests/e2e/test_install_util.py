"""Shared helpers of the firmware-update tests (test_foat*.py, test_install*.py,
tests/interop/sx_foat.py): packages built with larafw-pkg, byte patches, waiting for the
final code of an update, reading the --report timeline. Python 3 standard library only."""

import atexit
import os
import re
import shutil
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from simharness import Pkg, Sim, SimError  # noqa: E402,F401

R6_01B = "LARA-R6001D-01B"
R6_00B = "LARA-R6001D-00B"  # no +UFWPREVAL step (MODULE.md §1)
R6_04D = "LARA-R6004D-00B"
L6_00B = "LARA-L6004-00B"

V1 = {"R6": "LARA-R6.01.00", "L6": "LARA-L6.01.00"}

FINAL_RE = re.compile(r"^\+(UFWUPD|UFWINSTALL): (\d+)$")

# Package layout (docs/package-format.md)
OFF_FORMAT = 8
OFF_DST_SHA256 = 160
HEADER_SIZE = 1024
SIG_LEN = 64


class Workshop:
    """Keys, images and packages for one test file, in one temp dir."""

    def __init__(self, workdir, image_size=96 * 1024):
        self.dir = workdir
        if os.environ.get("LARAFW_KEEP") != "1":
            atexit.register(shutil.rmtree, workdir, True)
        self.pkg = Pkg(workdir)
        self.sec, self.pub = self.pkg.keygen()
        self.image_size = image_size

    def image(self, name, product=R6_01B, version=None, seed=1, size=None):
        if version is None:
            version = V1["L6" if "-L6" in product else "R6"]
        return self.pkg.image(name, product=product, version=version,
                              size=size or self.image_size, seed=seed)

    def successor(self, src, name, version, change=3, seed=2):
        return self.pkg.successor(src, name, version, change=change, seed=seed)

    def full(self, img, name, *opts):
        return self.pkg.full(self.sec, img, name, *opts)

    def delta(self, src, dst, name, *opts):
        return self.pkg.delta(self.sec, src, dst, name, *opts)

    def serve_delta(self, src, dst, broken=False):
        """A packages folder for larafw-server (self.packages) holding the delta src → dst as
        a-b.upd and, when `broken`, the same package with a signature that no longer matches
        as broken.upd. Returns the folder."""
        self.packages = os.path.join(self.dir, "packages")
        os.mkdir(self.packages)
        delta = self.delta(src, dst, "delta.upd")
        shutil.copy(delta, os.path.join(self.packages, "a-b.upd"))
        if broken:
            with open(delta, "rb") as f:
                pkg = f.read()
            with open(os.path.join(self.packages, "broken.upd"), "wb") as f:
                f.write(pkg[:-1] + bytes([pkg[-1] ^ 1]))
        return self.packages

    def resign(self, path):
        self.pkg.run("resign", "--key", self.sec, path, "-o", path)
        return path

    def copy(self, src, name):
        dst = self.pkg.p(name)
        with open(src, "rb") as f, open(dst, "wb") as g:
            g.write(f.read())
        return dst

    def patch(self, path, offset, data):
        with open(path, "r+b") as f:
            f.seek(offset)
            f.write(data)
        return path

    def flip(self, path, offset, mask=0x01):
        with open(path, "r+b") as f:
            f.seek(offset)
            b = f.read(1)[0]
            f.seek(offset)
            f.write(bytes([b ^ mask]))
        return path


def read(path):
    with open(path, "rb") as f:
        return f.read()


def wait_final(port, timeout=60):
    """Reads lines until a +UFWUPD/+UFWINSTALL value above 100; returns (code, lines)."""
    deadline = time.monotonic() + timeout
    lines = []
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise SimError("no final update code; lines %r" % lines[-20:])
        line = port.readline(left)
        lines.append(line)
        m = FINAL_RE.match(line)
        if m and int(m.group(2)) > 100:
            return int(m.group(2)), lines


def progress_values(lines, name):
    """The numbers of `+<name>: N` lines, in order."""
    out = []
    for line in lines:
        if line.startswith(name + ": "):
            try:
                out.append(int(line.split(": ", 1)[1]))
            except ValueError:
                pass
    return out


def push(sim, data, name="delta.upd"):
    """+UDWNFILE "FOAT" of `data` on the primary UART; fails unless it ends in OK."""
    final = sim.uart.download(name, data, "FOAT")
    if final != "OK":
        raise SimError("+UDWNFILE FOAT: %s" % final)


def install(sim, args="", timeout=60):
    """AT+UFWINSTALL[=args] → OK → the final code; then waits for AT. Returns (code, lines)."""
    cmd = "AT+UFWINSTALL" + (("=" + args) if args else "")
    lines, final = sim.cmd(cmd)
    if final != "OK":
        raise SimError("%s: %s %r" % (cmd, final, lines))
    code, urcs = wait_final(sim.uart, timeout)
    sim.uart.wait_at(timeout)
    return code, lines + urcs


def version(sim):
    """AT+CGMR's answer (URC lines that arrived meanwhile are skipped)."""
    lines = [ln for ln in sim.ok("AT+CGMR") if not ln.startswith("+")]
    return lines[0] if lines else None


def events(sim, kind=None):
    """The report timeline (a list of {t_ms, boot, kind, text})."""
    rep = sim.report()
    ev = rep if isinstance(rep, list) else rep.get("timeline", rep.get("events", []))
    return [e for e in ev if kind is None or e.get("kind") == kind]


def event_time(sim, kind, pattern):
    """Virtual time (ms) of the last report event of `kind` whose text matches `pattern`."""
    t = None
    for e in events(sim, kind):
        if re.search(pattern, e.get("text", "")):
            t = e["t_ms"]
    if t is None:
        raise SimError("no %s event matching %r" % (kind, pattern))
    return t


class Failures:
    """Collects check failures of a script so that one run reports all of them."""

    def __init__(self):
        self.errors = []

    def check(self, cond, what):
        if not cond:
            self.errors.append(what)
            print("FAIL:", what, flush=True)
        else:
            print("ok:", what, flush=True)

    def run(self, name, fn, *args):
        t0 = time.monotonic()
        try:
            fn(*args)
        except Exception as e:  # noqa: BLE001 - reported, the script goes on
            self.errors.append("%s: %s: %s" % (name, type(e).__name__, e))
            print("FAIL: %s raised %s: %s" % (name, type(e).__name__, e), flush=True)
        print("-- %s done in %.2f s" % (name, time.monotonic() - t0), flush=True)

    def exit(self):
        if self.errors:
            print("\n%d failure(s):" % len(self.errors))
            for e in self.errors:
                print("  -", e)
            sys.exit(1)
        print("all passed")
        sys.exit(0)
