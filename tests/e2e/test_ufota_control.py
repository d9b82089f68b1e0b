"""uFOTA download control and configuration, module side (§5.2.2, §5.3, §5.4, §6, MODULE.md §1):
cancel, pause/resume across a power cut (R6 "01B"), the ack policy (accept after s seconds,
reject, 1 h auto-accept), download only then AT+UFWINSTALL, disabled, the signal-loss retry
schedule recovering and exhausting (net-drop fault, scaled clock), products without the
controls. The package server holds a transfer at a byte offset (gate) so that the test acts
mid-download on an event, never after a sleep."""

import os
import shutil
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from simharness import wait_until  # noqa: E402
from test_install_util import Sim, Workshop  # noqa: E402
from ufota_peers import LwM2MServer, PackageServer, code  # noqa: E402

FAST = 0.02
NEW = "LARA-R6.02.00"
W = None
PKG = b""


def setUpModule():
    global W, PKG
    W = Workshop(tempfile.mkdtemp(prefix="larafw-ufotactl-"), image_size=1024 * 1024)
    W.a = W.image("a.img", seed=1)
    b = W.successor(W.a, "b.img", NEW, change=60)
    with open(W.delta(W.a, b, "delta.upd"), "rb") as f:
        PKG = f.read()


def tearDownModule():
    if W and os.environ.get("LARAFW_KEEP") != "1":
        shutil.rmtree(W.dir, ignore_errors=True)


def new_sim(srv, product=None, time_scale=FAST, faults=()):
    return Sim(time_scale=time_scale, firmware=W.a, fota_key=W.pub, product=product,
               faults=faults, extra_args=["--lwm2m-server", srv.uri])


def up(sim, srv, count=1, urc=False):
    """URCs on (they are off after every power-up, §5.7.1), then the registration. Whether its
    URC comes depends on who was first (the client starts 10 s of module time after power-up),
    so the registration is awaited on the server and in the report."""
    del urc
    sim.ok("AT+UFOTASTAT=1")
    sim.ok("AT+ULWM2MSTAT=1,7")
    sim.ok("AT+CMEE=2")
    srv.wait_registration(count=count)
    wait_until(lambda: read_text(sim.report_path).count("registered: /rd/") >= count,
               what="registration #%d in the report" % count)


def answer(sim, command):
    """The information line of a command (URCs that came in between are skipped)."""
    prefix = command[2:].split("=")[0].split("?")[0] + ":"
    return [line for line in sim.ok(command) if line.startswith(prefix)][0]


def read_text(path):
    with open(path) as f:
        return f.read()


def wait_pct(sim, least):
    """The first "+UFOTASTAT: 0,1,<pct>" with pct >= least."""
    while True:
        urc = sim.wait_urc("+UFOTASTAT: 0,1,")
        if pct_of(urc) >= least:
            return pct_of(urc)


def pct_of(urc):
    return int(urc.rsplit(",", 1)[1])


class ControlTest(unittest.TestCase):
    def test_cancel_then_new_campaign(self):
        with LwM2MServer() as srv, PackageServer({"fw.upd": PKG}) as web, new_sim(srv) as sim:
            up(sim, srv)
            srv.observe("/5/0/3")
            self.assertEqual(sim.cmd("AT+UFOTA=0")[1], "+CME ERROR: operation not allowed")
            web.hold_at(len(PKG) // 2)
            self.assertEqual(srv.write("/5/0/1", web.url("fw.upd")), code(2, 4))
            sim.wait_urc("+UFOTASTAT: 1,0,0")
            web.wait_held()
            wait_pct(sim, 1)
            sim.ok("AT+UFOTA=0")
            sim.wait_urc("+UFOTASTAT: 2,3,100")
            srv.wait_value("/5/0/3", 0)
            self.assertEqual(srv.read("/5/0/5"), b"8")
            self.assertEqual(srv.read("/5/0/1"), b"")
            self.assertFalse(os.path.exists(sim.path("netdl")))  # not resumable (§5.3)
            # a new campaign (a new Package URI) downloads from the start
            web.release()
            self.assertEqual(srv.write("/5/0/1", web.url("fw.upd")), code(2, 4))
            sim.wait_urc("+UFOTASTAT: 2,2,100", timeout=60)
            self.assertEqual(web.requests[-1][1], 0)

    def test_pause_power_cut_resume(self):
        with LwM2MServer() as srv, PackageServer({"fw.upd": PKG}) as web, new_sim(srv) as sim:
            up(sim, srv)
            web.hold_at(len(PKG) // 2)
            srv.write("/5/0/1", web.url("fw.upd"))
            web.wait_held()
            wait_pct(sim, 40)
            sim.ok("AT+UFOTA=1")
            paused = sim.wait_urc("+UFOTASTAT: 0,2,")
            self.assertGreaterEqual(pct_of(paused), 40)
            st = answer(sim, "AT+UFOTA?")
            state, total, done = map(int, st.split(": ")[1].split(","))
            self.assertEqual((state, total), (1, len(PKG)))
            self.assertTrue(len(PKG) * 0.4 <= done <= len(PKG) // 2, st)
            # a paused download blocks the other download methods (§6)
            self.assertEqual(sim.cmd("AT+UFWUPD=3")[1], "+CME ERROR: operation not allowed")
            sim.kill()  # power cut
            web.release()
            sim.start()
            up(sim, srv, count=2, urc=False)
            self.assertEqual(answer(sim, "AT+UFOTA?"), st)  # still paused (§5.3)
            self.assertEqual(len(web.requests), 1)
            sim.ok("AT+UFOTA=2")
            sim.wait_urc("+UFOTASTAT: 1,0,0")
            sim.wait_urc("+UFOTASTAT: 2,2,100", timeout=60)
            self.assertEqual(web.requests[-1][1], done)  # HTTP Range resume
            self.assertEqual(srv.read("/5/0/3"), b"2")

    def test_power_cut_restarts_download(self):
        with LwM2MServer() as srv, PackageServer({"fw.upd": PKG}) as web, new_sim(srv) as sim:
            up(sim, srv)
            web.hold_at(len(PKG) // 2)
            srv.write("/5/0/1", web.url("fw.upd"))
            web.wait_held()
            wait_pct(sim, 40)
            sim.ok("AT+CFUN=16")  # a reset: the download restarts by itself (§5.2.2)
            sim.uart.wait_at()
            web.release()
            up(sim, srv, count=2, urc=False)
            sim.wait_urc("+UFOTASTAT: 1,0,0")
            resumed = sim.wait_urc("+UFOTASTAT: 0,1,")
            self.assertGreaterEqual(pct_of(resumed), 1)
            sim.wait_urc("+UFOTASTAT: 2,2,100", timeout=60)
            self.assertGreater(web.requests[-1][1], 0)


    def test_cfun4_needs_a_reboot(self):
        with LwM2MServer() as srv, PackageServer({"fw.upd": PKG}) as web, new_sim(srv) as sim:
            up(sim, srv)
            web.hold_at(len(PKG) // 2)
            srv.write("/5/0/1", web.url("fw.upd"))
            web.wait_held()
            wait_pct(sim, 40)
            sim.ok("AT+CFUN=4")  # radio off: the download stops (§5.2.2)
            wait_until(lambda: "download stopped lwm2m" in read_text(sim.report_path),
                       what="the download to stop")
            web.release()
            sim.ok("AT+CFUN=1")  # radio on again: still no download
            self.assertEqual(len(web.requests), 1)
            self.assertEqual(answer(sim, "AT+UFOTA?").split(",")[0], "+UFOTA: 2")
            sim.ok("AT+CFUN=16")  # only a reboot resumes it
            sim.uart.wait_at()
            up(sim, srv, count=2, urc=False)
            sim.wait_urc("+UFOTASTAT: 2,2,100", timeout=60)
            self.assertGreater(web.requests[-1][1], 0)


class RetryTest(unittest.TestCase):
    def test_recovers(self):
        with LwM2MServer() as srv, PackageServer({"fw.upd": PKG}) as web, \
                new_sim(srv, time_scale=0.005, faults=["net-drop=30:2"]) as sim:
            up(sim, srv, urc=False)
            srv.write("/5/0/1", web.url("fw.upd"))
            sim.wait_urc("+UFOTASTAT: 2,2,100", timeout=60)
            reqs = web.wait_requests(3)
            self.assertEqual(len(reqs), 3)
            self.assertTrue(0 < reqs[1][1] < reqs[2][1])

    def test_exhausts(self):
        with LwM2MServer() as srv, PackageServer({"fw.upd": PKG}) as web, \
                new_sim(srv, time_scale=0.005, faults=["net-drop=5:9"]) as sim:
            up(sim, srv, urc=False)
            srv.observe("/5/0/5")
            srv.write("/5/0/1", web.url("fw.upd"))
            sim.wait_urc("+UFOTASTAT: 2,1,", timeout=60)
            srv.wait_value("/5/0/5", 4)  # connection lost during download
            self.assertEqual(srv.read("/5/0/3"), b"0")
            self.assertEqual(len(web.requests), 5)  # the first try and four retries (§5.2.2)


class ConfigTest(unittest.TestCase):
    def test_ack_accept(self):
        with LwM2MServer() as srv, PackageServer({"fw.upd": PKG}) as web, new_sim(srv) as sim:
            up(sim, srv)
            sim.ok("AT+UFOTACONFIG=721,2,255")
            self.assertEqual(answer(sim, "AT+UFOTACONFIG?"), "+UFOTACONFIG: 721,2,255")
            srv.write("/5/0/1", web.url("fw.upd"))
            sim.wait_urc("+UFOTASTAT: 0,3,0")
            self.assertEqual(srv.read("/5/0/3"), b"0")
            self.assertEqual(web.requests, [])
            sim.ok("AT+UFOTAACK=30")
            sim.wait_urc("+UFOTASTAT: 1,0,0")
            sim.wait_urc("+UFOTASTAT: 2,2,100", timeout=60)

    def test_ack_reject_and_disabled(self):
        with LwM2MServer() as srv, PackageServer({"fw.upd": PKG}) as web, new_sim(srv) as sim:
            up(sim, srv)
            sim.ok("AT+UFOTACONFIG=721,2,255")
            srv.write("/5/0/1", web.url("fw.upd"))
            sim.wait_urc("+UFOTASTAT: 0,3,0")
            sim.ok("AT+UFOTAACK=0")
            sim.wait_urc("+UFOTASTAT: 2,3,100")
            self.assertEqual(srv.read("/5/0/5"), b"8")
            sim.ok("AT+UFOTACONFIG=721,3,255")
            srv.write("/5/0/1", web.url("fw.upd"))
            sim.wait_urc("+UFOTASTAT: 1,0,0")
            sim.wait_urc("+UFOTASTAT: 2,3,100")
            self.assertEqual(web.requests, [])

    def test_ack_auto_accept_after_an_hour(self):
        with LwM2MServer() as srv, PackageServer({"fw.upd": PKG}) as web, \
                new_sim(srv, time_scale=0.001) as sim:
            up(sim, srv, urc=False)
            sim.ok("AT+UFOTACONFIG=721,2,255")
            srv.write("/5/0/1", web.url("fw.upd"))
            sim.wait_urc("+UFOTASTAT: 0,3,0")
            sim.wait_urc("+UFOTASTAT: 1,0,0", timeout=30)  # 1 h of module time
            sim.wait_urc("+UFOTASTAT: 2,2,100", timeout=60)

    def test_download_only_then_host_install(self):
        with LwM2MServer() as srv, PackageServer({"fw.upd": PKG}) as web, new_sim(srv) as sim:
            up(sim, srv)
            sim.ok("AT+UFOTACONFIG=721,1,255")
            srv.write("/5/0/1", web.url("fw.upd"))
            sim.wait_urc("+UFOTASTAT: 2,2,100", timeout=60)
            self.assertEqual(srv.execute("/5/0/2"), code(4, 5))
            sim.ok("AT+UFWINSTALL=1,115200")
            sim.wait_urc("+UFWINSTALL: 128", timeout=60)
            sim.uart.wait_at(timeout=60)
            up(sim, srv, count=2, urc=False)
            self.assertEqual(srv.read("/5/0/5"), b"1")
            self.assertEqual(srv.read("/3/0/3").decode(), NEW)


class ProductTest(unittest.TestCase):
    def test_controls_missing(self):
        for product in ("LARA-R6001D-00B", "LARA-L6004D-01B"):
            with LwM2MServer() as srv, Sim(time_scale=FAST, product=product,
                                           extra_args=["--lwm2m-server", srv.uri]) as sim:
                sim.ok("AT+CMEE=2")
                unsupported = "+CME ERROR: operation not supported"
                self.assertEqual(sim.cmd("AT+UFOTA=1")[1], unsupported)
                self.assertEqual(sim.cmd("AT+UFOTA=2")[1], unsupported)
                self.assertEqual(sim.cmd("AT+UFOTA?")[1], unsupported)
                self.assertEqual(sim.cmd("AT+UFOTACONFIG=721,1,255")[1], unsupported)
                self.assertEqual(sim.cmd("AT+UFOTAACK=0")[1], unsupported)
                # cancel exists everywhere; nothing to cancel here
                self.assertEqual(sim.cmd("AT+UFOTA=0")[1], "+CME ERROR: operation not allowed")
                sim.ok("AT+UFOTASTAT=1")


if __name__ == "__main__":
    unittest.main(verbosity=2)
