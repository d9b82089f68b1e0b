"""larafw-server update jobs against a scripted LwM2M device (fake_lwm2m_device.py): paths
the simulator does not take by itself.

  * happy path with the device's answers in text and TLV, the Package URI written as TLV;
  * the device refuses the Write of /5/0/1 → job failed, `update` exits 1;
  * the device reboots during the download → the server observes again, does not write the
    URI twice, executes once State = Downloaded;
  * the device comes back on the old version with Update Result 8 → exit 1 and the meaning;
  * a second job for a device that has one running → 409;
  * three devices updated at once (a campaign wave), a job that survives a server restart.

Synchronised on datagrams, HTTP answers and process exits; no sleeps.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import threading
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from fake_lwm2m_device import FakeDevice, code  # noqa: E402
from simharness import wait_until  # noqa: E402
from srvharness import Server  # noqa: E402
from test_install_util import Workshop  # noqa: E402

OLD, NEW = "LARA-R6.01.00", "LARA-R6.02.00"
W = None


def setUpModule():
    global W
    W = Workshop(tempfile.mkdtemp(prefix="larafw-srv-jobs-"), image_size=64 * 1024)
    a = W.image("a.img", seed=1)
    b = W.successor(a, "b.img", NEW, change=10)
    W.serve_delta(a, b)


def tearDownModule():
    if W and os.environ.get("LARAFW_KEEP") != "1":
        shutil.rmtree(W.dir, ignore_errors=True)


class JobTest(unittest.TestCase):
    server_args = ()

    def setUp(self):
        self.srv = Server(W.packages, extra=self.server_args)
        self.dev = FakeDevice(self.srv.coap_port, imei="356000000000018", version=OLD)

    def tearDown(self):
        self.dev.close()
        self.srv.__exit__(None, None, None)

    def registered(self):
        """Registers and answers the /3/0 reads until the server has the IMEI and version."""
        self.dev.register()
        self.dev.serve_until(lambda: (1, "/3/0/3") in self.dev.seen)
        wait_until(lambda: (self.srv.device(self.dev.imei) or {}).get("fw_version") == OLD,
                   what="device info in the store")

    def start_update(self):
        """`larafw-server update` in the background."""
        return subprocess.Popen(self.srv.cli("update", "--imei", self.dev.imei, "--package",
                                             "a-b.upd", "--timeout", "60"),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def download(self):
        """Serves until the URI is written, then plays the download: Downloading, Downloaded."""
        self.dev.serve_until(lambda: self.dev.uri is not None)
        self.assertTrue(self.dev.uri.endswith("/packages/a-b.upd"), self.dev.uri)
        self.dev.notify("/5/0/3", "1")
        self.dev.notify("/5/0/3", "2")

    def finish(self, proc):
        out, err = proc.communicate(timeout=60)
        return proc.returncode, out, err

    def test_happy_path(self):
        self.registered()
        proc = self.start_update()
        self.download()
        self.dev.serve_until(lambda: self.dev.executed)
        # reset, install, reboot: a new socket, a new registration on the new version
        self.dev.reboot()
        self.dev.values.update({"/3/0/3": NEW, "/5/0/3": "0", "/5/0/5": "1"})
        self.dev.register()
        self.dev.serve_until(lambda: proc.poll() is not None, timeout=30)
        rc, out, err = self.finish(proc)
        self.assertEqual(rc, 0, out + err + self.srv.log())
        self.assertEqual(self.srv.device(self.dev.imei)["fw_version"], NEW)
        # the Package URI is fetchable from the server's own download side
        status, _, raw, _ = self.srv.http("GET", "/packages/a-b.upd", headers={"Range": "bytes=0-3"})
        self.assertEqual((status, len(raw)), (206, 4))

    def test_write_refused(self):
        self.registered()
        self.dev.write_code = code(4, 5)
        proc = self.start_update()
        self.dev.serve_until(lambda: proc.poll() is not None, timeout=30)
        rc, out, err = self.finish(proc)
        self.assertEqual(rc, 1, out + err)
        self.assertIn("Write /5/0/1", err)

    def test_reboot_during_download(self):
        self.registered()
        proc = self.start_update()
        self.dev.serve_until(lambda: self.dev.uri is not None)
        self.dev.notify("/5/0/3", "1")
        writes = [s for s in self.dev.seen if s == (3, "/5/0/1")]
        # power cut mid-download: the module comes back, registers, resumes (§5.2.2)
        self.dev.reboot()
        self.dev.values["/5/0/3"] = "1"
        self.dev.register()
        self.dev.serve_until(lambda: "/5/0/3" in self.dev.observers)
        self.dev.serve_until(lambda: "/5/0/5" in self.dev.observers)
        self.dev.notify("/5/0/3", "2")
        self.dev.serve_until(lambda: self.dev.executed)
        self.assertEqual(len([s for s in self.dev.seen if s == (3, "/5/0/1")]), len(writes),
                         "the Package URI was written again after the reboot")
        self.dev.reboot()
        self.dev.values.update({"/3/0/3": NEW, "/5/0/3": "0", "/5/0/5": "1"})
        self.dev.register()
        self.dev.serve_until(lambda: proc.poll() is not None, timeout=30)
        rc, out, err = self.finish(proc)
        self.assertEqual(rc, 0, out + err + self.srv.log())

    def test_back_on_old_version(self):
        self.registered()
        proc = self.start_update()
        self.download()
        # a second job for the same device is refused while this one runs
        status, j, _, _ = self.srv.api("POST", "/api/devices/%s/update" % self.dev.imei,
                                       {"package": "a-b.upd"})
        self.assertEqual(status, 409, j)
        self.dev.serve_until(lambda: self.dev.executed)
        self.dev.reboot()
        self.dev.values.update({"/5/0/3": "0", "/5/0/5": "8"})
        self.dev.register()
        self.dev.serve_until(lambda: proc.poll() is not None, timeout=30)
        rc, out, err = self.finish(proc)
        self.assertEqual(rc, 1, out + err)
        self.assertIn("Update Result 8: firmware update failed", err)
        status, jobs, _, _ = self.srv.api("GET", "/api/jobs")
        self.assertEqual((jobs[-1]["state"], jobs[-1]["fw_result"]), ("failed", 8))


class ManyDevicesTest(unittest.TestCase):
    """Several jobs at once, as a campaign wave will create them: each device on its own
    session, each job to the end."""

    def test_three_devices_at_once(self):
        with Server(W.packages) as srv:
            devs = [FakeDevice(srv.coap_port, imei=["356000000000109", "356000000000117", "356000000000125"][i], version=OLD)
                    for i in range(3)]
            errors = []

            def play(dev):
                try:
                    dev.register()
                    dev.serve_until(lambda: dev.uri is not None)
                    dev.notify("/5/0/3", "1")
                    dev.notify("/5/0/3", "2")
                    dev.serve_until(lambda: dev.executed)
                    dev.reboot()
                    dev.values.update({"/3/0/3": NEW, "/5/0/3": "0", "/5/0/5": "1"})
                    dev.register()
                    dev.serve_until(lambda: (srv.device(dev.imei) or {}).get("fw_version") == NEW)
                    dev.serve_until(lambda: dev.done.is_set())
                except Exception as e:  # reported by the main thread
                    errors.append("%s: %s" % (dev.imei, e))

            threads = []
            for dev in devs:
                dev.done = threading.Event()
                t = threading.Thread(target=play, args=(dev,), daemon=True)
                t.start()
                threads.append(t)
            try:
                for dev in devs:
                    wait_until(lambda: (srv.device(dev.imei) or {}).get("fw_version") == OLD,
                               what="registration of " + dev.imei)
                ids = []
                for dev in devs:
                    status, job, _, _ = srv.api("POST", "/api/devices/%s/update" % dev.imei,
                                                {"package": "a-b.upd"})
                    self.assertEqual(status, 201, job)
                    ids.append(job["id"])
                for i in ids:
                    wait_until(lambda: errors or srv.api("GET", "/api/jobs/%d" % i)[1]["final"],
                               timeout=60, what="job %d" % i)
                self.assertEqual(errors, [])
                states = [srv.api("GET", "/api/jobs/%d" % i)[1]["state"] for i in ids]
                self.assertEqual(states, ["done"] * 3)
            finally:
                for dev in devs:
                    dev.done.set()
                for t in threads:
                    t.join(10)
                for dev in devs:
                    dev.close()


class RestartTest(unittest.TestCase):
    """A job survives a restart of the server on the same --db: it carries on when the device
    registers again."""

    def test_job_resumes_after_restart(self):
        db = os.path.join(W.dir, "restart.db")
        srv = Server(W.packages, db=db)
        dev = FakeDevice(srv.coap_port, imei="356000000000026", version=OLD)
        try:
            dev.register()
            dev.serve_until(lambda: (1, "/3/0/3") in dev.seen)
            wait_until(lambda: (srv.device(dev.imei) or {}).get("fw_version") == OLD,
                       what="device info in the store")
            status, job, _, _ = srv.api("POST", "/api/devices/%s/update" % dev.imei,
                                        {"package": "a-b.upd"})
            self.assertEqual(status, 201, job)
            dev.serve_until(lambda: dev.uri is not None)
            dev.notify("/5/0/3", "1")
            path = "/api/jobs/%d" % job["id"]
            wait_until(lambda: srv.api("GET", path)[1]["state"] == "downloading",
                       what="job downloading")
            srv.stop()

            srv = Server(W.packages, db=db)
            srv.wait_log("resumes in state downloading")
            self.assertEqual(srv.api("GET", path)[1]["state"], "downloading")
            self.assertFalse(srv.device(dev.imei)["registered"])
            # the device's next Update would get 4.04 (unknown registration): it registers anew
            dev.server = ("127.0.0.1", srv.coap_port)
            dev.register()
            dev.serve_until(lambda: "/5/0/3" in dev.observers and "/5/0/5" in dev.observers)
            dev.notify("/5/0/3", "2")
            dev.serve_until(lambda: dev.executed)
            dev.reboot()
            dev.values.update({"/3/0/3": NEW, "/5/0/3": "0", "/5/0/5": "1"})
            dev.register()
            dev.serve_until(lambda: srv.api("GET", path)[1]["final"], timeout=30)
            self.assertEqual(srv.api("GET", path)[1]["state"], "done")
            self.assertEqual(len([s for s in dev.seen if s == (3, "/5/0/1")]), 1)
        finally:
            dev.close()
            srv.__exit__(None, None, None)


class TextWriteTest(JobTest):
    """--write-format text: the Package URI goes out as text/plain."""
    server_args = ("--write-format", "text")

    test_write_refused = test_reboot_during_download = test_back_on_old_version = None

    def test_happy_path(self):
        super().test_happy_path()
        self.assertIn(self.srv.url + "/packages/a-b.upd", self.dev.uri)


if __name__ == "__main__":
    unittest.main(verbosity=2)
