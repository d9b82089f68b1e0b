"""End to end: `larafw` as users run it outside the test suite (issue 8).

  * the port lock: a second larafw on a port held by another fails at once (exit 3) naming
    the holder, as root too, and its bytes never reach the holder's line; sequential runs
    work for an unprivileged user (the README's quick tour: info, foat, push + install);
  * hard deadlines: /dev/zero and /dev/urandom as the port end quickly with exit 3 ("not a
    plausible AT answer"), /dev/null, a regular file and a directory are named as no serial
    port;
  * one SIGTERM/SIGINT ends a run within a second or so, whatever it waits for, and leaves the
    module in a known state (an install goes on and ends by itself).

Synchronised on what larafw writes (JSON lines, bytes on a pty) and on process exits; the
bounds on elapsed time are where the behaviour is the point (a flood or a signal must end a
run quickly) and are generous against a loaded machine.
"""

import json
import os
import pty
import select
import signal
import subprocess
import tempfile
import time
import unittest

import cli_env
from cli_env import LARAFW, Packages, Sim, larafw
from simharness import wait_until

PKGS = None
QUICK = 10  # seconds: "at once" / "quickly" on a loaded machine (the bugs took 20 s to forever)


def setUpModule():
    global PKGS
    PKGS = Packages()


def tearDownModule():
    PKGS.cleanup()


def json_lines_until(proc, pred, what):
    """Reads the JSON lines of a running larafw until pred(obj); returns them all."""
    lines = []
    while True:
        line = proc.stdout.readline()
        if not line:
            raise AssertionError("larafw ended before %s (%s): %s %s"
                                 % (what, proc.wait(), lines, proc.stderr.read()))
        lines.append(json.loads(line))
        if pred(lines[-1]):
            return lines


def silent_pty(case):
    """A pseudo-terminal nobody answers on: (master fd, slave path). The slave stays open, as
    larafw-sim keeps its own, so that the master never sees a hang-up between runs."""
    master, slave = pty.openpty()
    case.addCleanup(os.close, master)
    case.addCleanup(os.close, slave)
    return master, os.ttyname(slave)


def spawn(port, *args, user=False):
    prog = [LARAFW] if not user else cli_env.user_prefix() + [cli_env.user_binary(LARAFW)]
    cmd = prog + ["-p", port] + list(args)
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, text=True)


def stop(proc, sig=signal.SIGTERM):
    """Sends `sig`; returns (exit status, seconds until it ended, stdout, stderr)."""
    t0 = time.monotonic()
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=60)
    return proc.returncode, time.monotonic() - t0, out, err


class TestPortLock(unittest.TestCase):
    def setUp(self):
        self.sim = Sim(PKGS, user=True)
        self.addCleanup(self.sim.cleanup)

    def test_quick_tour_as_a_normal_user(self):
        # as the throw-away uid (or the user running the tests): every step opens the port
        # anew; TIOCEXCL left behind by the first run made the second fail with EBUSY
        for _ in range(2):
            res = larafw(self.sim.uart, "info", user=True)
            self.assertEqual(res.rc, 0, res)
            self.assertIn("firmware: 1.0\n", res.out)
        res = larafw(self.sim.uart, "foat", PKGS.full_v2, user=True)
        self.assertEqual(res.rc, 0, res)
        self.assertIn("firmware: 1.0 → 2.0", res.out)
        sim2 = Sim(PKGS, user=True)
        self.addCleanup(sim2.cleanup)
        res = larafw(sim2.uart, "push", PKGS.delta_12, user=True)
        self.assertEqual(res.rc, 0, res)
        res = larafw(sim2.uart, "install", user=True)
        self.assertEqual(res.rc, 0, res)
        self.assertIn("firmware: 1.0 → 2.0", res.out)
        res = larafw(sim2.uart, "--json", "info", user=True)
        self.assertEqual(res.json_lines()[-1]["firmware"], "2.0", res)

    def check_second_run_refused(self, holder, user):
        log = os.path.join(self.sim.dir, "second.log")
        t0 = time.monotonic()
        res = larafw(self.sim.uart, "--at-log", log, "ufota", "status", user=user)
        self.assertLess(time.monotonic() - t0, QUICK)
        self.assertEqual(res.rc, 3, res)
        self.assertIn("is in use by process %d (larafw)" % holder.pid, res.err)
        self.assertIn("run the command again", res.err)

    def test_second_run_fails_at_once_naming_the_holder(self):
        log = os.path.join(self.sim.dir, "watch.log")
        watch = spawn(self.sim.uart, "--json", "--at-log", log, "ufota", "watch", user=True)
        try:
            json_lines_until(watch, lambda o: o.get("state") == "watching", "watching")
            self.check_second_run_refused(watch, user=True)
            # root is kept out as well (TIOCEXCL let it in, and its bytes into the watch)
            if os.geteuid() == 0:
                self.check_second_run_refused(watch, user=False)
            rc, took, _, err = stop(watch)
            self.assertEqual(rc, 3, err)
            self.assertIn("ufota watch: interrupted", err)
            self.assertLess(took, QUICK)
        finally:
            if watch.poll() is None:
                watch.kill()
                watch.communicate()
        with open(log, encoding="utf-8") as f:
            text = f.read()
        self.assertEqual(text.count(">> AT+CMEE=2"), 1, text)  # only the watch's own
        # the lock ended with the process: the port is free again
        res = larafw(self.sim.uart, "info", user=True)
        self.assertEqual(res.rc, 0, res)


class TestNotAModule(unittest.TestCase):
    def run_quick(self, port, *args):
        t0 = time.monotonic()
        res = larafw(port, *args, timeout=60)
        self.assertLess(time.monotonic() - t0, QUICK, res)
        self.assertEqual(res.rc, 3, res)
        self.assertIn(port, res.err)
        return res

    def test_dev_zero_and_urandom(self):
        # a flood of bytes: spun at 95 % CPU forever (zero) or printed them as the version
        for dev in ("/dev/zero", "/dev/urandom"):
            for args in (("info",), ("--json", "info"), ("ufota", "status")):
                with self.subTest(dev=dev, args=args):
                    res = self.run_quick(dev, *args)
                    self.assertIn("not a plausible AT answer", res.err)
                    self.assertNotIn("firmware:", res.out)

    def test_dev_null(self):
        res = self.run_quick("/dev/null", "info")
        self.assertIn("/dev/null is not a serial port / character device", res.err)
        self.assertNotIn("lose power", res.err)

    def test_regular_file_and_directory(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "notaport")
            with open(path, "wb") as f:
                f.write(b"OK\r\n")
            res = self.run_quick(path, "info")
            self.assertIn("is not a serial port / character device (a regular file)", res.err)
            with open(path, "rb") as f:
                self.assertEqual(f.read(), b"OK\r\n")  # nothing written into it
            res = self.run_quick(d, "info")
            self.assertIn("is not a serial port / character device (a directory)", res.err)


class TestSignals(unittest.TestCase):
    def test_sigterm_while_the_module_says_nothing(self):
        # a pty nobody answers on: each command waited its 10 s, SIGTERM did nothing
        master, path = silent_pty(self)
        for sig, args in ((signal.SIGTERM, ("info",)), (signal.SIGINT, ("install",)),
                          (signal.SIGTERM, ("ufota", "watch"))):
            with self.subTest(sig=sig, args=args):
                proc = spawn(path, *args)
                try:
                    seen = b""
                    while b"AT" not in seen:  # larafw writes: it is waiting for an answer
                        r, _, _ = select.select([master], [], [], 30)
                        self.assertTrue(r, "larafw wrote nothing")
                        seen += os.read(master, 1024)
                    rc, took, _, err = stop(proc, sig)
                finally:
                    if proc.poll() is None:
                        proc.kill()
                        proc.communicate()
                self.assertEqual(rc, 3, err)
                self.assertIn("interrupted", err)
                self.assertLess(took, 5, err)  # was 10 to 20 s, or never

    def test_sigterm_during_install_leaves_it_running(self):
        # a slow clock keeps the install going for a while; SIGTERM ends larafw at once and
        # the module finishes the install by itself (it cannot be cancelled, §5.7)
        sim = Sim(PKGS, time_scale=0.5)
        self.addCleanup(sim.cleanup)
        res = larafw(sim.uart, "push", PKGS.delta_12)
        self.assertEqual(res.rc, 0, res)
        proc = spawn(sim.uart, "--json", "install")
        try:
            json_lines_until(proc, lambda o: o.get("phase") in ("validation", "install"),
                             "the install")
            rc, took, out, err = stop(proc)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
        self.assertEqual(rc, 3, err)
        self.assertLess(took, 5, err)  # was 10 to 20 s, or never
        self.assertIn("goes on with the install by itself", err)
        self.assertEqual(json.loads(out.splitlines()[-1])["event"], "error")

        def updated():
            r = larafw(sim.uart, "--json", "info")
            return r.rc == 0 and r.json_lines()[-1]["firmware"] == "2.0"
        wait_until(updated, timeout=120, what="the install to end by itself")

    def test_timeout_command_ends_a_run(self):
        # `timeout 8 larafw …` (SIGTERM after 8 s) on a module that never answers: each AT
        # command waited its 10 s and the signal did nothing
        master, path = silent_pty(self)
        t0 = time.monotonic()
        proc = subprocess.Popen(["timeout", "8", LARAFW, "-p", path, "info"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            seen = b""
            while b"AT" not in seen:  # larafw runs (its handler is set) and waits
                r, _, _ = select.select([master], [], [], 30)
                self.assertTrue(r, "larafw wrote nothing")
                seen += os.read(master, 1024)
            out, err = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
        self.assertEqual(proc.returncode, 124, err)  # timeout's status: it had to signal
        self.assertLess(time.monotonic() - t0, 8 + 3, err)
        self.assertIn("interrupted", err)

if __name__ == "__main__":
    unittest.main(verbosity=2)
