"""larafw-fleet against larafw-server on 127.0.0.1 (docs/fleet.md, issue 11):

  * 200 modules started at 100/s all register: the fleet prints "registered 200", the server's
    device list has the 200 IMEIs the fleet's report names, every one registered; SIGTERM ends
    the fleet with exit 0 and a report that says registered for every module;
  * a fleet of 24 takes uFOTA updates from the server: 20 `larafw-server update` jobs run at
    once and end on the new version, one job with a package whose signature is broken ends
    with Update Result 5; the report says updated / failed / registered accordingly and the
    exit status is 1 (one update failed).

Synchronised on the fleet's stdout lines, HTTP answers and process exits; no sleeps.
"""

import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from simharness import wait_until  # noqa: E402
from srvharness import Server  # noqa: E402
from test_install_util import Workshop  # noqa: E402

OLD, NEW = "LARA-R6.01.00", "LARA-R6.02.00"
TIMEOUT = float(os.environ.get("LARAFW_FLEET_TIMEOUT", "60"))
W = None


def luhn_ok(imei):
    if len(imei) != 15 or not imei.isdigit():
        return False
    total = 0
    for i, ch in enumerate(imei[:14]):
        v = int(ch)
        if i % 2 == 1:
            v *= 2
            if v > 9:
                v -= 9
        total += v
    return (10 - total % 10) % 10 == int(imei[14])


def setUpModule():
    global W
    W = Workshop(tempfile.mkdtemp(prefix="larafw-fleet-"), image_size=96 * 1024)
    W.a = W.image("a.img", seed=1)
    b = W.successor(W.a, "b.img", NEW, change=10)
    W.serve_delta(W.a, b, broken=True)  # broken.upd: the signature no longer matches


def tearDownModule():
    if W and os.environ.get("LARAFW_KEEP") != "1":
        shutil.rmtree(W.dir, ignore_errors=True)


class Fleet:
    """larafw-fleet as a child process; lines of its stdout are its events."""

    def __init__(self, srv, devices, *extra):
        binary = os.environ.get("LARAFW_FLEET")
        if not binary:
            raise unittest.SkipTest("LARAFW_FLEET is not set")
        self.workdir = tempfile.mkdtemp(prefix="fleet-", dir=W.dir)
        self.report = os.path.join(self.workdir, "report.json")
        self.err_path = os.path.join(self.workdir, "fleet.err")
        args = [binary, "--server", "coap://" + srv.coap, "--devices", str(devices),
                "--state", os.path.join(self.workdir, "state"), "--report", self.report]
        args += list(extra)
        self._err = open(self.err_path, "wb")
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=self._err)
        self.buf = b""

    def stderr(self):
        with open(self.err_path, "r", errors="replace") as f:
            return f.read()

    def wait_line(self, text, timeout=TIMEOUT):
        """Reads stdout until a line equal to `text`; fails on exit or after `timeout`."""
        fd = self.proc.stdout.fileno()
        deadline = time.monotonic() + timeout
        while True:
            while b"\n" in self.buf:
                line, self.buf = self.buf.split(b"\n", 1)
                if line.decode(errors="replace").strip() == text:
                    return
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError("larafw-fleet never printed %r; stderr:\n%s"
                                     % (text, self.stderr()))
            r, _, _ = select.select([fd], [], [], left)
            if r:
                chunk = os.read(fd, 4096)
                if not chunk:
                    raise AssertionError("larafw-fleet exited (%s) before %r; stderr:\n%s"
                                         % (self.proc.wait(), text, self.stderr()))
                self.buf += chunk

    def stop(self):
        """SIGTERM; the exit status and the report."""
        self.proc.send_signal(signal.SIGTERM)
        out, _ = self.proc.communicate(timeout=TIMEOUT)
        self._err.close()
        err = self.stderr()
        for marker in ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"):
            if marker in err:
                raise AssertionError("larafw-fleet sanitizer report:\n" + err)
        with open(self.report) as f:
            return self.proc.returncode, json.load(f), out.decode(errors="replace")

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def devices(srv):
    status, devs, raw, _ = srv.api("GET", "/api/devices")
    if status != 200:
        raise AssertionError("GET /api/devices: %d %r" % (status, raw[:200]))
    return devs


class FleetTest(unittest.TestCase):
    def test_usage(self):
        """--help names every option of the contract; bad usage exits 2 and says why."""
        binary = os.environ.get("LARAFW_FLEET")
        if not binary:
            raise unittest.SkipTest("LARAFW_FLEET is not set")
        r = subprocess.run([binary, "--help"], capture_output=True, text=True, timeout=TIMEOUT)
        self.assertEqual(r.returncode, 0)
        for opt in ("--server", "--devices", "--rate", "--firmware", "--fota-key", "--product",
                    "--state", "--time-scale", "--report", "--duration", "Exit status"):
            self.assertIn(opt, r.stdout)
        for args, why in ((["--devices", "3"], "--server and --devices are required"),
                          (["--server", "coap://127.0.0.1:1", "--devices", "0"], "--devices"),
                          (["--server", "coaps://127.0.0.1:1", "--devices", "2"],
                           "not supported yet"),
                          (["--server", "coap://127.0.0.1:1", "--devices", "2", "--rate", "x"],
                           "--rate"),
                          (["--server", "coap://127.0.0.1:1", "--devices", "2", "--product",
                            "LARA-X"], "known products")):
            r = subprocess.run([binary] + args, capture_output=True, text=True, timeout=TIMEOUT)
            self.assertEqual(r.returncode, 2, args)
            self.assertIn(why, r.stderr, args)

    def test_200_modules_register(self):
        with Server(W.packages) as srv:
            fleet = Fleet(srv, 200, "--rate", "100")
            try:
                fleet.wait_line("registered 200")
                devs = devices(srv)
                rc, rep, out = fleet.stop()
            finally:
                fleet.kill()
        self.assertEqual(rc, 0, out + fleet.stderr())
        self.assertIn("done 200/200 registered, 0 updated, 0 failed, exit 0", out)
        self.assertEqual(rep["devices"], 200)
        self.assertEqual(rep["registered"], 200)
        self.assertEqual(rep["exit_status"], 0)
        mods = rep["modules"]
        self.assertEqual(len(mods), 200)
        imeis = [m["imei"] for m in mods]
        self.assertEqual(len(set(imeis)), 200, "IMEIs are distinct")
        for m in mods:
            self.assertTrue(luhn_ok(m["imei"]), m["imei"])
            self.assertTrue(m["registered"], m)
            self.assertEqual(m["result"], "registered", m)
            self.assertEqual(m["firmware"], m["firmware_start"])
            self.assertIsInstance(m["register_ms"], int)
        # the server's view: the same 200 endpoints, each registered under its IMEI
        by_ep = {d["endpoint"]: d for d in devs}
        for imei in imeis:
            d = by_ep.get("urn:imei:" + imei)
            self.assertIsNotNone(d, "server lacks " + imei)
            self.assertTrue(d["registered"], d)

    def test_updates_across_the_fleet(self):
        with Server(W.packages) as srv:
            fleet = Fleet(srv, 24, "--rate", "200", "--time-scale", "0.02",
                          "--firmware", W.a, "--fota-key", W.pub)
            procs = []
            try:
                fleet.wait_line("registered 24")

                def identified():
                    ds = [d for d in devices(srv) if d["registered"] and d["fw_version"]]
                    return ds if len(ds) == 24 else None
                devs = sorted(wait_until(identified, timeout=TIMEOUT,
                                         what="24 identified devices"), key=lambda d: d["imei"])
                for d in devs[:20]:
                    procs.append(subprocess.Popen(
                        srv.cli("update", "--imei", d["imei"], "--package", "a-b.upd",
                                "--timeout", "150"),
                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
                broken = devs[20]["imei"]
                procs.append(subprocess.Popen(
                    srv.cli("update", "--imei", broken, "--package", "broken.upd",
                            "--timeout", "150"),
                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
                results = [p.communicate(timeout=170) + (p.returncode,) for p in procs]
                rc, rep, out = fleet.stop()
            finally:
                for p in procs:
                    if p.poll() is None:
                        p.kill()
                fleet.kill()  # whatever failed: no fleet outlives its test
            for out_i, err_i, code in results[:20]:
                self.assertEqual(code, 0, "stdout:\n%s\nstderr:\n%s\nserver:\n%s"
                                 % (out_i, err_i, srv.log()))
            self.assertEqual(results[20][2], 1, results[20])
            self.assertIn("Update Result 5", results[20][1])
            updated = {d["imei"] for d in devs[:20]}
            for d in devices(srv):
                if d["imei"] in updated:
                    self.assertEqual(d["fw_version"], NEW, d)
        self.assertEqual(rc, 1, out + fleet.stderr())
        self.assertEqual((rep["updated"], rep["failed"], rep["registered"]), (20, 1, 24))
        for m in rep["modules"]:
            if m["imei"] in updated:
                self.assertEqual((m["result"], m["firmware"], m["update_result"]),
                                 ("updated", NEW, 1), m)
            elif m["imei"] == broken:
                self.assertEqual((m["result"], m["firmware"], m["update_result"]),
                                 ("failed", OLD, 5), m)
            else:
                self.assertEqual((m["result"], m["firmware"]), ("registered", OLD), m)


if __name__ == "__main__":
    unittest.main(verbosity=2)
