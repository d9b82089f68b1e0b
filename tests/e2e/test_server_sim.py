"""larafw-server end to end with larafw-sim's LwM2M client (§5, MODULE.md §5):

  * the simulated module registers (`--lwm2m-server coap://127.0.0.1:PORT`); the server reads
    /3/0/1, /3/0/2 (IMEI) and /3/0/3 and the device appears in GET /api/devices;
  * `larafw-server update --imei … --package …` observes /5/0/3 and /5/0/5, writes the Package
    URI, the module downloads it from the server's own /packages/ (HTTP, Range), the server
    executes /5/0/2, the module installs (+UUFWINSTALL: 128), reboots and registers again on
    the new version: exit 0, AT+CGMR shows the new version;
  * a package whose signature is broken: Update Result 5 (integrity check failure), exit 1 and
    the meaning printed; the module stays on its version.

Synchronised on the server's "ready" line, URCs, HTTP answers and process exits; no sleeps.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from netservers import make_cert  # noqa: E402
from simharness import wait_until  # noqa: E402
from srvharness import Server  # noqa: E402
from test_install_util import Sim, Workshop  # noqa: E402

FAST = 0.02
OLD, NEW = "LARA-R6.01.00", "LARA-R6.02.00"
W = None


def setUpModule():
    global W
    W = Workshop(tempfile.mkdtemp(prefix="larafw-srv-sim-"), image_size=256 * 1024)
    W.a = W.image("a.img", seed=1)
    b = W.successor(W.a, "b.img", NEW, change=20)
    W.serve_delta(W.a, b, broken=True)  # broken.upd: the signature no longer matches


def tearDownModule():
    if W and os.environ.get("LARAFW_KEEP") != "1":
        shutil.rmtree(W.dir, ignore_errors=True)


def registered_device(srv):
    """The one device once its /3/0 reads are done (IMEI and version known)."""
    def ready():
        status, devs, _, _ = srv.api("GET", "/api/devices")
        if status == 200 and devs and devs[0]["registered"] and devs[0]["imei"] \
                and devs[0]["fw_version"]:
            return devs[0]
        return None
    return wait_until(ready, timeout=60, what="the module's registration in /api/devices")


PSK_ID, PSK_KEY = "lara-e2e", "00112233445566778899aabbccddeeff"


class ServerSimTest(unittest.TestCase):
    def start(self, coap, dtls=False, ca_file=None, sim=None):
        """Powers the module up with its LwM2M client pointed at `coap` (again, when `sim`
        is given: same state, same IMEI)."""
        extra = ["--lwm2m-server", ("coaps://" if dtls else "coap://") + coap]
        if ca_file:
            extra += ["--ca-file", ca_file]
        if dtls:
            extra += ["--psk-identity", PSK_ID, "--psk-key", PSK_KEY]
        if sim is None:
            sim = Sim(time_scale=FAST, firmware=W.a, fota_key=W.pub, extra_args=extra)
        else:
            sim.extra_args = extra
            sim.start()
        sim.ok("AT+UFOTASTAT=1")
        sim.ok("AT+ULWM2MSTAT=1,7")
        sim.ok("AT+UFWINSTALL=1,115200,,1")
        return sim

    def test_update_to_the_end(self):
        self.update_to_the_end(dtls=False)

    def test_update_to_the_end_dtls(self):
        self.update_to_the_end(dtls=True)

    def test_update_to_the_end_https(self):
        """The package comes over HTTPS (§5: TLS, server authentication): the module checks
        the server's certificate against --ca-file."""
        self.update_to_the_end(dtls=False, https=True)

    def update_to_the_end(self, dtls, https=False):
        psk = tls = None
        if https:
            tls = make_cert(W.dir)
        sim = None
        if dtls:
            # the identity may register the module's endpoint only (urn:imei:<its IMEI>): a
            # first power-up without LwM2M tells the IMEI, the server gets the credentials,
            # then the module powers up again on the same state
            sim = Sim(time_scale=FAST, firmware=W.a, fota_key=W.pub)
            imei = sim.ok("AT+CGSN")[0]
            sim.terminate()
            psk = os.path.join(W.dir, "psk.txt")
            fd = os.open(psk, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write("# e2e\n%s:%s:imei=%s\n" % (PSK_ID, PSK_KEY, imei))
        with Server(W.packages, psk_file=psk, tls=tls) as srv:
            sim = self.start(srv.coap, dtls, ca_file=tls[0] if tls else None, sim=sim)
            with sim:
                d = registered_device(srv)
                self.assertEqual(d["fw_version"], OLD)
                self.assertIn("</5/0>", d["objects"])
                imei = d["imei"]
                self.assertEqual(sim.ok("AT+CGSN")[0], imei)
                proc = subprocess.Popen(
                    srv.cli("update", "--imei", imei, "--package", "a-b.upd", "--timeout", "150"),
                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                sim.wait_urc("+UUFWINSTALL: 128", timeout=120)
                # what a compliant host does after the install (§5.7.1, §5.7.6): poll the AT
                # interface until the module is back, enable the URCs again
                sim.uart.wait_at(timeout=60)
                sim.ok("AT+UFOTASTAT=1")
                sim.ok("AT+ULWM2MSTAT=1,7")
                out, err = proc.communicate(timeout=150)
                self.assertEqual(proc.returncode, 0, "stdout:\n%s\nstderr:\n%s\nserver:\n%s"
                                 % (out, err, srv.log()))
                self.assertIn("done", out)
                self.assertEqual(sim.ok("AT+CGMR"), [NEW])
                d = srv.device(imei)
                self.assertEqual(d["fw_version"], NEW)
                self.assertEqual(d["fw_result"], 1)
                status, jobs, _, _ = srv.api("GET", "/api/jobs")
                self.assertEqual(jobs[-1]["state"], "done")
                # the module fetched the package from the server's own download side
                self.assertIn("/packages/a-b.upd", jobs[-1]["uri"])
                if https:
                    self.assertTrue(jobs[-1]["uri"].startswith(srv.https_url), jobs[-1]["uri"])

    def test_broken_signature_fails_with_result_5(self):
        with Server(W.packages) as srv:
            sim = self.start(srv.coap)
            with sim:
                imei = registered_device(srv)["imei"]
                r = subprocess.run(
                    srv.cli("update", "--imei", imei, "--package", "broken.upd", "--timeout",
                            "150"),
                    capture_output=True, text=True, timeout=160)
                self.assertEqual(r.returncode, 1, "stdout:\n%s\nstderr:\n%s\nserver:\n%s"
                                 % (r.stdout, r.stderr, srv.log()))
                self.assertIn("Update Result 5: integrity check failure", r.stderr)
                sim.uart.wait_at(timeout=60)
                self.assertEqual(sim.ok("AT+CGMR"), [OLD])


if __name__ == "__main__":
    unittest.main(verbosity=2)
