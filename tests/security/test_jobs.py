"""Issue 10, item 4: update jobs check what they send and do not wait forever.

  * a package for another product than the device's model (/3/0/1) is refused with 409 and a
    message naming both (before: 201, and the module was sent a package it cannot install);
  * the Package URI is written in State Idle only: a module left in State Downloaded (or
    Downloading) is first reset with an empty URI (OMA object 5) — before, the server wrote
    the new URI straight over the old state;
  * each phase has a timeout ending in state "failed", a message naming the phase and the
    option, and exit status 1 of `larafw-server update` — before, a module that stopped in the
    middle left the job "downloading" forever.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from secharness import (CON, IMEI_C, OPT_URI_PATH, FakeDevice, Server, code,  # noqa: E402
                        encode)
from simharness import wait_until  # noqa: E402
from test_install_util import Workshop  # noqa: E402

OLD, NEW = "LARA-R6.01.00", "LARA-R6.02.00"
W = None


def setUpModule():
    global W
    W = Workshop(tempfile.mkdtemp(prefix="larafw-sec-jobs-"), image_size=64 * 1024)
    a = W.image("a.img", seed=1)  # LARA-R6001D-01B
    b = W.successor(a, "b.img", NEW, change=10)
    W.serve_delta(a, b)


def tearDownModule():
    if W:
        shutil.rmtree(W.dir, ignore_errors=True)


class JobChecks(unittest.TestCase):
    server_args = ()

    def setUp(self):
        self.srv = Server(W.packages, extra=self.server_args)
        self.dev = FakeDevice(self.srv.coap_port, imei=IMEI_C, version=OLD)

    def tearDown(self):
        self.dev.close()
        self.srv.__exit__(None, None, None)

    def registered(self):
        loc = self.dev.register()
        self.dev.serve_until(lambda: (1, "/3/0/3") in self.dev.seen)
        wait_until(lambda: (self.srv.device(IMEI_C) or {}).get("fw_version") == OLD,
                   what="device info in the store")
        return loc

    def update(self):
        return subprocess.Popen(self.srv.cli("update", "--imei", IMEI_C, "--package", "a-b.upd",
                                             "--timeout", "60"),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def ended(self, proc):
        self.dev.serve_until(lambda: proc.poll() is not None, timeout=30)
        out, err = proc.communicate(timeout=30)
        return proc.returncode, out, err


class ProductAndIdle(JobChecks):
    def test_package_for_another_product_refused(self):
        self.dev.values["/3/0/1"] = "LARA-L6004D"
        self.registered()
        status, j, _, _ = self.srv.api("POST", "/api/devices/%s/update" % IMEI_C,
                                       {"package": "a-b.upd"})
        self.assertEqual(status, 409, j)
        self.assertIn("is for LARA-R6001D-01B but device %s is a LARA-L6004D" % IMEI_C,
                      j["error"])
        self.assertEqual(self.srv.api("GET", "/api/jobs")[1], [])

    def test_uri_written_in_idle_only(self):
        # Downloaded, left over from an earlier attempt, with its old Update Result
        self.dev.values.update({"/5/0/3": "2", "/5/0/5": "4"})
        self.registered()
        proc = self.update()
        self.dev.serve_until(lambda: self.dev.uri is not None)
        self.assertEqual(self.dev.uri, "", "first Write of /5/0/1 must be the empty reset")
        self.assertFalse(self.dev.executed)
        self.dev.notify("/5/0/3", "0")  # back in Idle
        self.dev.serve_until(lambda: self.dev.uri)
        self.assertTrue(self.dev.uri.endswith("/packages/a-b.upd"), self.dev.uri)
        self.dev.notify("/5/0/3", "1")
        self.dev.notify("/5/0/3", "2")
        self.dev.serve_until(lambda: self.dev.executed)
        self.dev.reboot()
        self.dev.values.update({"/3/0/3": NEW, "/5/0/3": "0", "/5/0/5": "1"})
        self.dev.register()
        rc, out, err = self.ended(proc)
        self.assertEqual(rc, 0, out + err + self.srv.log())


class DownloadTimeout(JobChecks):
    server_args = ("--download-timeout", "2")

    def test_download_stalls(self):
        self.registered()
        proc = self.update()
        self.dev.serve_until(lambda: self.dev.uri)
        self.dev.notify("/5/0/3", "1")  # downloading… and nothing more
        rc, out, err = self.ended(proc)
        self.assertEqual(rc, 1, out + err)
        self.assertIn("timed out in the download phase (--download-timeout 2 s)", err)
        self.dev.serve_until(lambda: self.dev.uri == "")  # the download is cancelled
        status, jobs, _, _ = self.srv.api("GET", "/api/jobs")
        self.assertEqual((jobs[-1]["state"], jobs[-1]["final"]), ("failed", True))


class InstallTimeout(JobChecks):
    # the download phase has time to spare on a loaded machine; the install has 2 s
    server_args = ("--download-timeout", "120", "--install-timeout", "2")

    def test_install_never_comes_back(self):
        self.registered()
        proc = self.update()
        self.dev.serve_until(lambda: self.dev.uri)
        self.dev.notify("/5/0/3", "1")
        self.dev.notify("/5/0/3", "2")
        self.dev.serve_until(lambda: self.dev.executed)
        rc, out, err = self.ended(proc)
        self.assertEqual(rc, 1, out + err)
        self.assertIn("timed out in the install phase (--install-timeout 2 s)", err)


class LeavesMidDownload(JobChecks):
    server_args = ("--download-timeout", "120", "--reregister-timeout", "2")

    def test_device_leaves_mid_download(self):
        loc = self.registered()
        proc = self.update()
        self.dev.serve_until(lambda: self.dev.uri)
        self.dev.notify("/5/0/3", "1")
        # the module de-registers and does not come back
        self.dev.sock.sendto(encode(CON, code(0, 4), 1, b"\x01",
                                    [(OPT_URI_PATH, p.encode()) for p in loc.split("/")]),
                             self.dev.server)
        rc, out, err = self.ended(proc)
        self.assertEqual(rc, 1, out + err)
        self.assertIn("timed out in the re-registration phase (--reregister-timeout 2 s)", err)


if __name__ == "__main__":
    unittest.main(verbosity=2)
