"""Test harness for larafw-sim (Python 3 standard library only).

Typical use::

    from simharness import Sim, Pkg

    with Sim(time_scale=0.01) as sim:          # starts larafw-sim in a temp dir, waits "ready"
        lines, final = sim.cmd("AT+CGMR")      # (["LARA-R6.01.00"], "OK")
        sim.kill()                             # SIGKILL = power cut
        sim.start()                            # next power-up on the same state dir
        sim.uart.wait_urc("+UFWUPD:")          # a URC line, even one that came during cmd()

Binaries come from the environment (CTest sets them): LARAFW_SIM, LARAFW_PKG; otherwise
build*/bin/ of the repository is tried (find_binary() serves other programs the same way). Every wait has a host timeout that fails
the test (SimError) instead of hanging; nothing here sleeps to synchronise.
"""

import json
import os
import select
import shutil
import signal
import subprocess
import tempfile
import termios
import time
import tty

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))

FINAL_PREFIXES = ("+CME ERROR:", "+CMS ERROR:")
# Unsolicited result codes the module may send at any time, also between a command and its
# final result code. cmd() leaves them out of a command's information lines unless they carry
# the command's own name (AT+UFWUPD=3 → "+UFWUPD: ONGOING"); wait_urc() sees them all.
# Tests may add prefixes: simharness.URC_PREFIXES.append("+FOO:").
URC_PREFIXES = ["+UFOTASTAT:", "+ULWM2MSTAT:", "+UUFTPCR:", "+UUHTTPCR:", "+UFWUPD:",
                "+UFWINSTALL:", "+UFWPREVAL:", "+UUFWPREVAL:", "+UUFWINSTALL:", "+UUFWUPD:",
                "+UULWM2M", "+CEREG:", "+CREG:", "+CGREG:", "+UUSTS:"]
FINAL_WORDS = ("OK", "ERROR", "ERROR1")

# Generous host-time limits: a failing simulator fails the test, it never hangs it.
START_TIMEOUT = float(os.environ.get("LARAFW_SIM_START_TIMEOUT", "30"))
CMD_TIMEOUT = float(os.environ.get("LARAFW_SIM_CMD_TIMEOUT", "20"))


class SimError(AssertionError):
    """A harness expectation failed (timeout, early exit, unexpected answer)."""


def _die_with_parent():
    """In the child before exec: SIGTERM (clean power-off) when the test process dies, so that
    a killed test run never leaves simulators behind. Linux prctl(PR_SET_PDEATHSIG)."""
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGTERM), 0, 0, 0)
    except (OSError, AttributeError):
        pass


def find_binary(env, name):
    """Path of a program: $env, else <repo>/build*/bin/<name>."""
    path = os.environ.get(env)
    if path:
        return path
    for build in ("build", "build-simp", "build-sim"):
        cand = os.path.join(REPO, build, "bin", name)
        if os.access(cand, os.X_OK):
            return cand
    raise SimError("%s is not set and no %s was found under %s/build*/bin" % (env, name, REPO))


def command_name(command):
    """'+UFOTA' for 'AT+UFOTA?', '' for basic commands."""
    body = command.strip()[2:]
    if not body.startswith("+"):
        return ""
    for i, ch in enumerate(body):
        if ch in "=?":
            return body[:i].upper()
    return body.upper()


def is_urc_for_other(line, name):
    """True for a URC line that is not an information response of command `name`."""
    if not any(line.startswith(p) for p in URC_PREFIXES):
        return False
    return line.split(":", 1)[0].upper() != name


def is_final(line):
    """True for a final result code: OK, ERROR, ERROR1, +CME ERROR: …"""
    return line in FINAL_WORDS or line.startswith(FINAL_PREFIXES)


def wait_until(predicate, timeout=CMD_TIMEOUT, what="condition"):
    """Polls `predicate()` (a file written, a process gone…) until it is true; fails the test
    after `timeout` host seconds. For events that have no byte on a link to wait for."""
    deadline = time.monotonic() + timeout
    delay = 0.001
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise SimError("timeout waiting for %s" % what)
        time.sleep(delay)
        delay = min(delay * 2, 0.05)


class Port:
    """The host end of one simulated interface, opened raw (no echo, no line editing)."""

    def __init__(self, path, timeout=CMD_TIMEOUT):
        self.path = path
        self.timeout = timeout
        self.fd = os.open(path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        tty.setraw(self.fd, termios.TCSANOW)
        attrs = termios.tcgetattr(self.fd)
        attrs[3] &= ~termios.ECHO
        termios.tcsetattr(self.fd, termios.TCSANOW, attrs)
        termios.tcflush(self.fd, termios.TCIOFLUSH)
        self.buf = b""
        self.lines = []  # every complete line read, in order (for wait_urc)
        self.urc_cursor = 0

    def close(self):
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    # ---- bytes ----
    def write(self, data):
        if isinstance(data, str):
            data = data.encode()
        view = memoryview(data)
        deadline = time.monotonic() + self.timeout
        while view:
            try:
                n = os.write(self.fd, view)
                view = view[n:]
            except BlockingIOError:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise SimError("write to %s timed out" % self.path)
                select.select([], [self.fd], [], left)

    def _fill(self, deadline):
        """Reads what is available, waiting until `deadline`; False on timeout."""
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        r, _, _ = select.select([self.fd], [], [], left)
        if not r:
            return False
        try:
            chunk = os.read(self.fd, 65536)
        except BlockingIOError:
            return True
        except OSError as e:  # EIO: the simulator went away
            raise SimError("reading %s: %s" % (self.path, e))
        self.buf += chunk
        return True

    def read_until(self, until, timeout=None):
        """Reads until `until` (bytes: a substring; callable(buf) -> end offset or None/False)
        matches; returns the bytes up to the end of the match and keeps the rest buffered."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            if callable(until):
                end = until(self.buf)
                if end is True:
                    end = len(self.buf)
            else:
                i = self.buf.find(until)
                end = None if i < 0 else i + len(until)
            if end:
                out, self.buf = self.buf[:end], self.buf[end:]
                return out
            if not self._fill(deadline):
                raise SimError("timeout on %s waiting for %r; got %r" % (self.path, until, self.buf[-300:]))

    def read_bytes(self, n, timeout=None):
        """Exactly n raw bytes."""
        return self.read_until(lambda b: n if len(b) >= n else None, timeout)

    def read_available(self, timeout=0.0):
        """Whatever arrives within `timeout` (may be empty). For checks of silence."""
        deadline = time.monotonic() + timeout
        while self._fill(deadline):
            pass
        out, self.buf = self.buf, b""
        return out

    # ---- lines ----
    def readline(self, timeout=None):
        """The next non-empty line (without CR LF)."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            while b"\n" in self.buf:
                raw, self.buf = self.buf.split(b"\n", 1)
                line = raw.rstrip(b"\r").decode("latin-1")
                if line.strip():
                    self.lines.append(line)
                    return line
            if not self._fill(deadline):
                raise SimError("timeout on %s waiting for a line; got %r" % (self.path, self.buf[-300:]))

    def cmd(self, command, timeout=None, echo_ok=True):
        """Sends an AT command; returns (lines, final): the information lines (the echo and
        URCs of other commands removed, see URC_PREFIXES) and the final result code."""
        self.write(command + "\r")
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        name = command_name(command)
        lines = []
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise SimError("%s: no final result code; lines %r" % (command, lines))
            line = self.readline(left)
            # the echo arrives as "<command>" glued to the start of the response
            if echo_ok and line.strip() == command.strip() and not lines:
                continue
            if is_final(line):
                return lines, line
            if is_urc_for_other(line, name):
                continue  # still in self.lines for wait_urc()
            lines.append(line)

    def ok(self, command, timeout=None):
        """cmd() that must end with OK; returns the information lines."""
        lines, final = self.cmd(command, timeout)
        if final != "OK":
            raise SimError("%s: expected OK, got %s (lines %r)" % (command, final, lines))
        return lines

    def wait_urc(self, prefix, timeout=None):
        """The next line starting with `prefix` that no earlier wait_urc returned; lines that
        arrived during cmd() count."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            while self.urc_cursor < len(self.lines):
                line = self.lines[self.urc_cursor]
                self.urc_cursor += 1
                if line.startswith(prefix):
                    return line
            left = deadline - time.monotonic()
            if left <= 0:
                raise SimError("timeout waiting for URC %r; last lines %r" % (prefix, self.lines[-10:]))
            self.readline(left)

    def wait_at(self, timeout=None):
        """Polls with AT until the module answers OK (after a reboot)."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise SimError("module never answered AT")
            self.write("AT\r")
            try:
                self.read_until(b"OK\r\n", min(left, 0.5))
                return
            except SimError:
                continue

    def download(self, name, data, tag=None, timeout=None):
        """AT+UDWNFILE="name",len(data)[,"tag"] → '>' → data → final. Returns the final code."""
        args = '"%s",%d' % (name, len(data)) + ((',"%s"' % tag) if tag is not None else "")
        self.write("AT+UDWNFILE=%s\r" % args)
        self.read_until(b">", timeout)
        self.write(data)
        while True:
            line = self.readline(timeout)
            if is_final(line):
                return line


class Sim:
    """One larafw-sim process on a state directory that survives restarts."""

    def __init__(self, product=None, time_scale=None, usb=False, pace=False, faults=(),
                 firmware=None, fota_key=None, report=True, extra_args=(), workdir=None,
                 keep=None, start=True):
        self.binary = find_binary("LARAFW_SIM", "larafw-sim")
        self.own_workdir = workdir is None
        self.workdir = workdir or tempfile.mkdtemp(prefix="larafw-sim-")
        self.keep = os.environ.get("LARAFW_KEEP") == "1" if keep is None else keep
        self.state_dir = os.path.join(self.workdir, "module")
        self.uart_path = os.path.join(self.workdir, "uart")
        self.usb_path = os.path.join(self.workdir, "usb") if usb else None
        self.report_path = os.path.join(self.workdir, "report.json") if report else None
        self.log_path = os.path.join(self.workdir, "sim.log")
        self.product = product
        self.time_scale = time_scale
        self.pace = pace
        self.faults = list(faults)
        self.firmware = firmware
        self.fota_key = fota_key
        self.extra_args = list(extra_args)
        self.proc = None
        self.status = None  # "ready" or "bricked"
        self.uart = None
        self.usb = None
        self._log = None
        if start:
            self.start()

    # ---- life cycle ----
    def args(self):
        a = [self.binary, "--state", self.state_dir, "--uart", self.uart_path]
        if self.usb_path:
            a += ["--usb", self.usb_path]
        if self.product:
            a += ["--product", self.product]
        if self.time_scale is not None:
            a += ["--time-scale", str(self.time_scale)]
        if self.pace:
            a.append("--pace")
        for f in self.faults:
            a += ["--fault", f]
        if self.report_path:
            a += ["--report", self.report_path]
        if self.firmware:
            a += ["--firmware", self.firmware]
        if self.fota_key:
            a += ["--fota-key", self.fota_key]
        return a + self.extra_args

    def start(self, faults=None, timeout=START_TIMEOUT, open_ports=True):
        """Starts (or restarts: next power-up) the simulator and waits for its first line.
        `faults` replaces the --fault list for this and later starts."""
        if self.proc is not None and self.proc.poll() is None:
            raise SimError("simulator already running")
        self._close_ports()
        if faults is not None:
            self.faults = list(faults)
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(self.args(), stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=self._log,
                                     preexec_fn=_die_with_parent)
        self.status = self._stdout_line(timeout)
        if self.status not in ("ready", "bricked"):
            self._fail_start("unexpected first line %r" % self.status)
        if open_ports:
            self.uart = Port(self.uart_path)
            if self.usb_path:
                self.usb = Port(self.usb_path)
        return self.status

    def _stdout_line(self, timeout):
        fd = self.proc.stdout.fileno()
        deadline = time.monotonic() + timeout
        data = b""
        while b"\n" not in data:
            left = deadline - time.monotonic()
            if left <= 0:
                self._fail_start("no 'ready' within %.0f s" % timeout)
            r, _, _ = select.select([fd], [], [], left)
            if not r:
                continue
            chunk = os.read(fd, 1)
            if not chunk:
                self._fail_start("exited before 'ready' (status %r)" % self.proc.wait())
            data += chunk
        return data.decode().strip()

    def _fail_start(self, why):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        raise SimError("larafw-sim %s; stderr:\n%s" % (why, self.log()))

    def log(self):
        try:
            with open(self.log_path, "r", errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def _close_ports(self):
        for p in (self.uart, self.usb):
            if p:
                p.close()
        self.uart = self.usb = None

    def _reap(self, timeout):
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise SimError("larafw-sim did not exit within %.0f s" % timeout)
        finally:
            self._close_ports()
            if self.proc.stdout:
                self.proc.stdout.close()
            if self._log:
                self._log.close()
                self._log = None
        self.check_log()
        return code

    def check_log(self):
        """Fails when the simulator's stderr holds a sanitizer report (Debug builds)."""
        text = self.log()
        for marker in ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"):
            if marker in text:
                raise SimError("larafw-sim sanitizer report:\n" + text)

    def kill(self):
        """Power cut: SIGKILL. Returns the exit code (-9)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        return self._reap(CMD_TIMEOUT)

    def terminate(self, timeout=CMD_TIMEOUT):
        """Clean power-off: SIGTERM, expects exit status 0. Returns it."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self._reap(timeout)

    def wait_exit(self, timeout=CMD_TIMEOUT):
        """Waits for the process to end by itself (e.g. a --fault power-cut). Returns the code."""
        return self._reap(timeout)

    def restart(self, faults=None, timeout=START_TIMEOUT):
        """Power cut, then the next power-up on the same state dir."""
        self.kill()
        return self.start(faults=faults, timeout=timeout)

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def close(self):
        """Clean power-off if still running, then removes the work directory (unless kept).
        A sanitizer report in the simulator's stderr still fails the test."""
        error = None
        try:
            if self.proc is not None and self.proc.poll() is None:
                self.terminate()
        except SimError as e:
            error = e
        finally:
            self._close_ports()
            if self.own_workdir and not self.keep and error is None:
                shutil.rmtree(self.workdir, ignore_errors=True)
        if error is not None:
            raise error

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    # ---- shortcuts on the primary UART ----
    def cmd(self, command, timeout=None):
        return self.uart.cmd(command, timeout)

    def ok(self, command, timeout=None):
        return self.uart.ok(command, timeout)

    def wait_urc(self, prefix, timeout=None):
        return self.uart.wait_urc(prefix, timeout)

    # ---- what the simulator leaves on disk ----
    def report(self):
        """The --report timeline, parsed (it is valid JSON at any time)."""
        with open(self.report_path) as f:
            return json.load(f)

    def state(self):
        """DIR/state as a dict of strings."""
        out = {}
        with open(os.path.join(self.state_dir, "state")) as f:
            for line in f:
                line = line.rstrip("\n")
                if line and not line.startswith("#") and "=" in line:
                    k, v = line.split("=", 1)
                    out[k] = v
        return out

    def path(self, rel):
        return os.path.join(self.state_dir, rel)


class Pkg:
    """larafw-pkg front end for tests: keys, images, packages in a work directory."""

    def __init__(self, workdir):
        self.binary = find_binary("LARAFW_PKG", "larafw-pkg")
        self.workdir = workdir

    def run(self, *args):
        p = subprocess.run([self.binary] + [str(a) for a in args], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=120)
        if p.returncode != 0:
            raise SimError("larafw-pkg %s failed (%d): %s" % (" ".join(map(str, args)),
                                                               p.returncode, p.stderr.decode()))
        return p.stdout.decode()

    def p(self, name):
        return os.path.join(self.workdir, name)

    def keygen(self, name="keys"):
        """Returns (secret key path, public key path)."""
        d = self.p(name)
        os.makedirs(d, exist_ok=True)
        self.run("keygen", d)
        return os.path.join(d, "fota.sec"), os.path.join(d, "fota.pub")

    def image(self, out, product="LARA-R6001D-01B", version="LARA-R6.01.00", size=65536, seed=1):
        self.run("image", "--product", product, "--version", version, "--size", size,
                 "--seed", seed, "-o", self.p(out))
        return self.p(out)

    def successor(self, src, out, version, change=2, seed=2):
        self.run("image", "--version", version, "--from", src, "--change", change, "--seed", seed,
                 "-o", self.p(out))
        return self.p(out)

    def full(self, sec, img, out, *opts):
        self.run("full", "--key", sec, img, "-o", self.p(out), *opts)
        return self.p(out)

    def delta(self, sec, src, dst, out, *opts):
        self.run("delta", "--key", sec, src, dst, "-o", self.p(out), *opts)
        return self.p(out)
