"""Helpers for the `larafw` end-to-end tests: packages built with larafw-pkg, a larafw-sim
process per test, and runs of the real `larafw` command against it.

Binaries come from the environment (tests/e2e/cli.cmake sets them):
  LARAFW      the larafw command
  LARAFW_SIM  larafw-sim
  LARAFW_PKG  larafw-pkg
Everything synchronises on events (the simulator's "ready" line, process exits), never on
sleeps. The simulator is driven through simharness.Sim (start, power cut, restart, sanitizer
check of its log).

Unprivileged runs: `Sim(..., user=True)` and `larafw(..., user=True)` run larafw-sim and larafw
as a throw-away uid (LARAFW_E2E_UID, default 64123, no passwd entry needed) through
`setpriv` when the tests run as root — root would hide permission and port-lock problems
(issue 8: TIOCEXCL let only root in). Run as a normal user, they run as that user: the uid
switch is skipped, never the test. LARAFW_E2E_USER=1 makes that the default for every Sim
and larafw() of a test module (tests/e2e/cli.cmake's "-user" variants).
"""

import atexit
import json
import os
import shutil
import stat
import subprocess
import tempfile

import simharness

LARAFW = os.environ.get("LARAFW") or os.environ.get("LARAFW_CLI", "larafw")
LARAFW_SIM = os.environ.get("LARAFW_SIM", "larafw-sim")
LARAFW_PKG = os.environ.get("LARAFW_PKG", "larafw-pkg")

PRODUCT = "LARA-R6001D-01B"
TIME_SCALE = "0.05"  # quick, yet a module timer (XMODEM 10 s → 0.5 s) survives a loaded machine
RUN_TIMEOUT = 120  # seconds; a hung larafw fails the test instead of the whole suite

AS_USER = os.environ.get("LARAFW_E2E_USER") == "1"
E2E_UID = int(os.environ.get("LARAFW_E2E_UID", "64123"))


def user_prefix(pdeathsig=False):
    """The command prefix that runs a program as the throw-away uid: setpriv when root, nothing
    when the tests already run unprivileged."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        raise RuntimeError("setpriv (util-linux) is needed to run the e2e tests as a "
                           "throw-away uid when root")
    cmd = [setpriv, "--reuid=%d" % E2E_UID, "--regid=%d" % E2E_UID, "--clear-groups"]
    if pdeathsig:
        cmd.append("--pdeathsig=TERM")  # the uid change cleared the harness's own
    return cmd + ["--"]


_USER_BINARIES = {}


def user_binary(path):
    """`path`, or a copy the throw-away uid can run when the build tree is not reachable for it
    (a checkout under /root). The programs link only system libraries."""
    if os.geteuid() != 0:
        return path
    if path not in _USER_BINARIES:
        prog = shutil.which(path) or path
        probe = subprocess.run(user_prefix() + ["test", "-x", prog], capture_output=True)
        if probe.returncode == 0:
            _USER_BINARIES[path] = prog
        else:
            d = tempfile.mkdtemp(prefix="larafw-e2e-bin-")
            atexit.register(shutil.rmtree, d, True)
            os.chmod(d, 0o755)
            copy = os.path.join(d, os.path.basename(prog))
            shutil.copy2(prog, copy)
            os.chmod(copy, 0o755)
            _USER_BINARIES[path] = copy
    return _USER_BINARIES[path]


def give_to_user(path, mode):
    """Lets the throw-away uid use `path` (a directory the test made): its owner when root,
    else only the mode."""
    if os.geteuid() == 0:
        os.chown(path, E2E_UID, E2E_UID)
    os.chmod(path, mode)


class _UserSim(simharness.Sim):
    """simharness.Sim whose larafw-sim runs through a command prefix (setpriv)."""
    prefix = []

    def args(self):
        return list(self.prefix) + super().args()


def pkg(*args):
    """Runs larafw-pkg; raises with its stderr on failure."""
    r = subprocess.run([LARAFW_PKG, *args], capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        raise RuntimeError("larafw-pkg %s failed: %s" % (" ".join(args), r.stderr))
    return r.stdout


class Packages:
    """Keys, images and packages shared by the tests of one module (built once)."""

    def __init__(self, product=PRODUCT, size="96K"):
        self.dir = tempfile.mkdtemp(prefix="larafw-e2e-pkg-")
        d = self.dir
        os.makedirs(os.path.join(d, "keys"))
        os.makedirs(os.path.join(d, "other"))
        pkg("keygen", os.path.join(d, "keys"))
        pkg("keygen", os.path.join(d, "other"))
        self.pub = os.path.join(d, "keys", "fota.pub")
        self.sec = os.path.join(d, "keys", "fota.sec")
        self.other_sec = os.path.join(d, "other", "fota.sec")
        self.v1 = self.path("v1.img")
        self.v2 = self.path("v2.img")
        self.v3 = self.path("v3.img")
        pkg("image", "--product", product, "--version", "1.0", "--size", size, "-o", self.v1)
        pkg("image", "--version", "2.0", "--from", self.v1, "--change", "5", "-o", self.v2)
        pkg("image", "--version", "3.0", "--from", self.v2, "--change", "5", "-o", self.v3)
        # FOAT .upd: full image of 2.0
        self.full_v2 = self.path("v2.upd")
        pkg("full", "--key", self.sec, self.v2, "-o", self.full_v2)
        # delta 1.0 → 2.0 (push + install)
        self.delta_12 = self.path("d12.pkg")
        pkg("delta", "--key", self.sec, self.v1, self.v2, "-o", self.delta_12)
        # delta 2.0 → 3.0: wrong source for a module on 1.0 (168)
        self.delta_23 = self.path("d23.pkg")
        pkg("delta", "--key", self.sec, self.v2, self.v3, "-o", self.delta_23)
        # signed with a key the module does not know (173)
        self.full_v2_badsig = self.path("v2-badsig.upd")
        pkg("full", "--key", self.other_sec, self.v2, "-o", self.full_v2_badsig)
        # for another product (247)
        other = "LARA-L6004D-01B" if product != "LARA-L6004D-01B" else "LARA-R6001D-01B"
        self.other_img = self.path("other.img")
        pkg("image", "--product", other, "--version", "9.0", "--size", size, "-o",
            self.other_img)
        self.full_other = self.path("other.upd")
        pkg("full", "--key", self.sec, self.other_img, "-o", self.full_other)
        # full package of the running version (already current → 128, §4.3.1.4)
        self.full_v1 = self.path("v1.upd")
        pkg("full", "--key", self.sec, self.v1, "-o", self.full_v1)
        # readable by the throw-away uid of the unprivileged runs (files are 0644 already)
        os.chmod(d, 0o755)
        for sub in ("keys", "other"):
            os.chmod(os.path.join(d, sub), 0o755)
        for name in os.listdir(d):
            p = os.path.join(d, name)
            if os.path.isfile(p):
                os.chmod(p, os.stat(p).st_mode | stat.S_IRGRP | stat.S_IROTH)
        os.chmod(self.pub, 0o644)

    def path(self, name):
        return os.path.join(self.dir, name)

    # Broken packages for the Appendix A codes (docs/package-format.md offsets).
    OFF_FORMAT = 8
    OFF_DST_SHA256 = 160
    HEADER_SIZE = 1024

    def variant(self, src, name, patches=(), flips=(), append=b"", resign=True):
        """A copy of package `src` with bytes patched / flipped / appended, re-signed."""
        dst = self.path(name)
        with open(src, "rb") as f:
            data = bytearray(f.read())
        for off, b in patches:
            data[off:off + len(b)] = b
        for off in flips:
            data[off] ^= 0xFF
        with open(dst, "wb") as f:
            f.write(bytes(data))
        if resign:
            pkg("resign", "--key", self.sec, dst, "-o", dst)
        if append:
            with open(dst, "ab") as f:
                f.write(append)
        return dst

    def cleanup(self):
        shutil.rmtree(self.dir, ignore_errors=True)


class Sim:
    """One larafw-sim process (through simharness.Sim) on a state directory; restartable
    (power cycle). The harness does not open the ports: larafw does."""

    def __init__(self, pkgs, usb=False, faults=(), pace=False, time_scale=TIME_SCALE,
                 product=PRODUCT, firmware="", key=True, user=None):
        # firmware "" → the packages' v1 image; None → the simulator's own. key False → the
        # module is provisioned without a FOTA public key (227). user: run as the throw-away
        # uid (default LARAFW_E2E_USER); its ports, state and work dir then belong to it.
        if firmware == "":
            firmware = pkgs.v1
        key = pkgs.pub if (firmware and key) else None
        self.user = AS_USER if user is None else user
        self.h = _UserSim(product=product, time_scale=time_scale, usb=usb, pace=pace,
                          faults=faults, firmware=firmware, fota_key=key, start=False)
        if self.user:
            self.h.prefix = user_prefix(pdeathsig=True)
            self.h.binary = user_binary(self.h.binary)
            give_to_user(self.h.workdir, 0o755)
        self.dir = self.h.workdir
        self.uart = self.h.uart_path
        self.usb = self.h.usb_path
        self.start()

    @property
    def time_scale(self):
        return self.h.time_scale

    @time_scale.setter
    def time_scale(self, value):
        self.h.time_scale = value

    def start(self, faults=None):
        status = self.h.start(faults=faults, open_ports=False)
        if status != "ready":
            raise RuntimeError("larafw-sim: %s; log:\n%s" % (status, self.h.log()))

    def stderr(self):
        return self.h.log()

    def wait_exit(self):
        """Waits for the simulator to end by itself (a power-cut fault kills it)."""
        return self.h.wait_exit(RUN_TIMEOUT)

    def cleanup(self):
        self.h.close()
        self.h.check_log()


class Result:
    def __init__(self, r):
        self.rc = r.returncode
        self.out = r.stdout
        self.err = r.stderr

    def json_lines(self):
        return [json.loads(l) for l in self.out.splitlines() if l.strip()]

    def __repr__(self):
        return "rc=%d\nstdout:\n%s\nstderr:\n%s" % (self.rc, self.out, self.err)


def larafw(port, *args, env=None, timeout=RUN_TIMEOUT, user=None):
    """Runs the larafw command on `port` (None: no -p); as the throw-away uid with user=True
    (default LARAFW_E2E_USER)."""
    as_user = AS_USER if user is None else user
    cmd = user_prefix() + [user_binary(LARAFW)] if as_user else [LARAFW]
    if port:
        cmd += ["-p", port]
    cmd += list(args)
    e = dict(os.environ)
    e.pop("LARAFW_PORT", None)
    if env:
        e.update(env)
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=e,
                       stdin=subprocess.DEVNULL)
    return Result(r)
