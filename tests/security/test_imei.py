"""Issue 10, item 3: the IMEI is an identity, not a claim.

  * the impostor of the issue: while a module installs, another host registers the module's
    endpoint with /3/0/3 = the target version. Before: the job ended "done" and
    `larafw-server update` exited 0. Now the registration is not the job's device (NoSec: not
    the same IP address; DTLS: not the same PSK identity), the job waits, and the real module
    finishes it;
  * two registrations claiming one IMEI: neither is trusted for jobs (409), the log says so
    (and the device JSON shows "imei_conflict" once the API renders it);
  * /3/0/2 that is not an IMEI (15 digits, Luhn) is not taken; /3/0/2 contradicting a
    urn:imei: endpoint makes the device untrusted.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from secharness import IMEI_A, IMEI_B, IMEI_C, FakeDevice, Server  # noqa: E402
from simharness import wait_until  # noqa: E402
from test_install_util import Workshop  # noqa: E402

OLD, NEW = "LARA-R6.01.00", "LARA-R6.02.00"
W = None


def setUpModule():
    global W
    W = Workshop(tempfile.mkdtemp(prefix="larafw-sec-imei-"), image_size=64 * 1024)
    a = W.image("a.img", seed=1)
    b = W.successor(a, "b.img", NEW, change=10)
    W.serve_delta(a, b)


def tearDownModule():
    if W:
        shutil.rmtree(W.dir, ignore_errors=True)


class ImeiTest(unittest.TestCase):
    def setUp(self):
        self.srv = Server(W.packages)
        self.devs = []

    def tearDown(self):
        for d in self.devs:
            d.close()
        self.srv.__exit__(None, None, None)

    def device(self, imei, version=OLD, **kw):
        d = FakeDevice(self.srv.coap_port, imei=imei, version=version, **kw)
        self.devs.append(d)
        return d

    def registered(self, dev):
        dev.register()
        dev.serve_until(lambda: (1, "/3/0/3") in dev.seen)
        wait_until(lambda: (self.srv.device(dev.endpoint) or {}).get("fw_version"),
                   what="device info in the store")

    def update(self, imei):
        return subprocess.Popen(self.srv.cli("update", "--imei", imei, "--package", "a-b.upd",
                                             "--timeout", "60"),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def test_impostor_cannot_finish_a_job(self):
        dev = self.device(IMEI_C)
        self.registered(dev)
        proc = self.update(IMEI_C)
        dev.serve_until(lambda: dev.uri is not None)
        dev.notify("/5/0/3", "1")
        dev.notify("/5/0/3", "2")
        dev.serve_until(lambda: dev.executed)
        # the module is installing; an impostor on another host claims its endpoint and the
        # target version
        evil = self.device(IMEI_C, version=NEW, host="127.0.0.2")
        evil.values.update({"/5/0/3": "0", "/5/0/5": "1"})
        evil.register()
        evil.serve_until(lambda: "not counted, still waiting" in self.srv.log() or
                         proc.poll() is not None)
        self.assertIsNone(proc.poll(), "update ended on the impostor's word: %s" %
                          (proc.communicate()[0] if proc.poll() is not None else ""))
        status, jobs, _, _ = self.srv.api("GET", "/api/jobs")
        self.assertEqual(jobs[-1]["state"], "updating")
        # the real module comes back (same host, new port) on the new version
        dev.reboot()
        dev.values.update({"/3/0/3": NEW, "/5/0/3": "0", "/5/0/5": "1"})
        dev.register()
        dev.serve_until(lambda: proc.poll() is not None, timeout=30)
        out, err = proc.communicate(timeout=30)
        self.assertEqual(proc.returncode, 0, out + err + self.srv.log())

    def test_two_registrations_claim_one_imei(self):
        real = self.device(IMEI_A)  # urn:imei:IMEI_A
        self.registered(real)
        fake = self.device(IMEI_A, endpoint="lara-copy", host="127.0.0.2")  # /3/0/2 = IMEI_A
        self.registered(fake)
        self.srv.wait_log("IMEI conflict: ")
        self.assertIn("both claim IMEI %s" % IMEI_A, self.srv.log())
        for ident in (IMEI_A, "urn:imei:" + IMEI_A, "lara-copy"):
            status, j, _, _ = self.srv.api("POST", "/api/devices/%s/update" % ident,
                                           {"package": "a-b.upd"})
            self.assertEqual(status, 409, (ident, j))
            self.assertIn("not trusted for update jobs", j["error"])
        for ep in ("urn:imei:" + IMEI_A, "lara-copy"):
            d = self.srv.device(ep)
            if "imei_conflict" in d:  # rendered by the API (srv_api.c)
                self.assertTrue(d["imei_conflict"], d)
        r = subprocess.run(self.srv.cli("update", "--imei", IMEI_A, "--package", "a-b.upd"),
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)

    def test_imei_checked(self):
        bad = self.device("354521091714368", endpoint="bad-luhn")  # check digit wrong
        self.registered(bad)
        self.srv.wait_log("bad-luhn: /3/0/2 '354521091714368' is not an IMEI")
        self.assertEqual(self.srv.device("bad-luhn")["imei"], "")
        liar = self.device(IMEI_B)  # urn:imei:IMEI_B …
        liar.values["/3/0/2"] = IMEI_C  # … whose /3/0/2 says another IMEI
        self.registered(liar)
        self.srv.wait_log("urn:imei:%s reports IMEI '%s'" % (IMEI_B, IMEI_C))
        self.assertEqual(self.srv.device("urn:imei:" + IMEI_B)["imei"], IMEI_B)
        status, j, _, _ = self.srv.api("POST", "/api/devices/%s/update" % IMEI_B,
                                       {"package": "a-b.upd"})
        self.assertEqual(status, 409, j)
        self.assertIsNone(self.srv.device(IMEI_C), "the claimed IMEI was not taken")


if __name__ == "__main__":
    unittest.main(verbosity=2)
