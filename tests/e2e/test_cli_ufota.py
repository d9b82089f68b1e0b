"""`larafw ufota …` and `larafw lwm2m …` end to end (§5): larafw-server drives the LwM2M
client of larafw-sim (`--lwm2m-server`) through object 5 while the real `larafw ufota watch`
follows, approves, defers or rejects the update on the module's AT interface.

  * policy auto: the update runs to the end, larafw prints old → new, eDRX is off during the
    download and restored afterwards, the URCs are enabled again after the reboot (the
    module's compliance record has nothing to say);
  * policy ack: AT+UFOTAACK=<--defer>; policy reject: AT+UFOTAACK=0, exit 1, old firmware;
  * policy window: a window around now accepts at once, a window that opens in two minutes
    defers the download until then (AT+UFOTAACK=<seconds>);
  * --no-install (download only, §5.4.1) followed by `larafw install`;
  * `ufota pause` / `status` / `resume` on a running download (LARA-R6 01B; the package comes
    from a rate-limited nginx), then `ufota watch` follows it to the end;
  * `ufota cancel` (over the USB AT port, since the watch holds the UART) during a
    rate-limited download: the watch exits 1 (2,3,100), the server's update exits 1 with
    Update Result 8, the module keeps its firmware and has nothing to resume;
  * a download paused before the watch: `ufota cancel` says to resume first, the watch says
    it is paused and its --timeout names that (not the campaign), eDRX stays off;
  * Ctrl-C of the watch during a download: eDRX stays off (§5.7, §5.8.3), larafw prints the
    AT+CEDRXS command that restores it, a new watch follows the running download;
  * `ufota pause`, a power cut (SIGKILL) and the next power-up on the same state dir: `ufota
    status` still says paused, `ufota resume`, and the update completes;
  * signal loss (`--fault net-drop=P:COUNT`, §5.2.2 retries 60/120/180/240 s of module time):
    two cuts are recovered from; nine exhaust the retries: Update Result 4, watch exit 1;
  * a package signed with another key: the install ends with 173, Update Result 5, watch
    exit 1, the old firmware stays;
  * a LARA-R6 00B lacks the controls: exit 1 naming the product;
  * `lwm2m srlt`, `deregister`, `register`.

Synchronised on JSON lines read, process exits, the server's API and files written.
"""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import cli_env  # noqa: E402
import simharness  # noqa: E402
from netservers import NGINX, Nginx, available  # noqa: E402
from simharness import wait_until  # noqa: E402
from srvharness import Server  # noqa: E402
from test_install_util import Workshop  # noqa: E402

OLD, NEW = "LARA-R6.01.00", "LARA-R6.02.00"
W = None
TIMEOUT = 90


class Pkgs:
    def __init__(self, v1, pub):
        self.v1, self.pub = v1, pub


def setUpModule():
    global W
    W = Workshop(tempfile.mkdtemp(prefix="larafw-cli-ufota-"), image_size=256 * 1024)
    W.a = W.image("a.img", seed=1)
    b = W.successor(W.a, "b.img", NEW, change=20)
    W.serve_delta(W.a, b)
    # a bigger one for pause/resume on a rate-limited server
    W.big_a = W.image("big-a.img", seed=3, size=1024 * 1024)
    big_b = W.successor(W.big_a, "big-b.img", NEW, change=60)
    shutil.copy(W.delta(W.big_a, big_b, "big.upd"), os.path.join(W.packages, "big.upd"))
    # the same delta signed with a key the module does not know (173, Update Result 5)
    other_sec, _ = W.pkg.keygen("other")
    shutil.copy(W.pkg.delta(other_sec, W.a, b, "badsig.upd"),
                os.path.join(W.packages, "a-b-badsig.upd"))


def registered(srv):
    def ready():
        status, devs, _, _ = srv.api("GET", "/api/devices")
        if status == 200 and devs and devs[0]["registered"] and devs[0]["imei"] \
                and devs[0]["fw_version"]:
            return devs[0]
        return None
    return wait_until(ready, timeout=60, what="the module's registration")


class Watch:
    """`larafw --json ufota watch …` in the background; started() returns once it watches."""

    def __init__(self, sim, *args):
        self.proc = subprocess.Popen(
            [cli_env.LARAFW, "-p", sim.uart, "--json", "ufota", "watch"] + list(args),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
        self.lines = []
        while True:
            line = self.proc.stdout.readline()
            if not line:
                out, err = self.proc.communicate()
                raise AssertionError("watch ended early (%s): %s %s"
                                     % (self.proc.returncode, self.lines, err))
            self.lines.append(json.loads(line))
            if self.lines[-1].get("state") == "watching":
                return

    def until(self, pred, what):
        """Reads more JSON lines until pred(line); the watch must still be running."""
        while True:
            line = self.proc.stdout.readline()
            if not line:
                out, err = self.proc.communicate()
                raise AssertionError("watch ended before %s (%s): %s %s"
                                     % (what, self.proc.returncode, self.lines, err))
            self.lines.append(json.loads(line))
            if pred(self.lines[-1]):
                return self.lines[-1]

    def finish(self, timeout=TIMEOUT):
        out, err = self.proc.communicate(timeout=timeout)
        self.lines += [json.loads(l) for l in out.splitlines() if l.strip()]
        self.err = err
        return self.proc.returncode

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.communicate()


class LwSim(cli_env.Sim):
    """cli_env.Sim with the LwM2M client pointed at the test's server."""

    def __init__(self, pkgs, extra, **kw):
        self._extra = list(extra)
        super().__init__(pkgs, **kw)

    def start(self, faults=None):
        self.h.extra_args = list(self._extra)
        super().start(faults)


class UfotaBase(unittest.TestCase):
    def setUp(self):
        self.srv = Server(W.packages, **self.server_args())
        self.sims = []

    def server_args(self):
        return {}

    def tearDown(self):
        for sim in self.sims:
            sim.cleanup()
        self.srv.stop()

    def sim(self, product=cli_env.PRODUCT, time_scale="0.02", img=None, **kw):
        s = LwSim(Pkgs(img or W.a, W.pub), ["--lwm2m-server", "coap://" + self.srv.coap],
                  product=product, time_scale=time_scale, **kw)
        self.sims.append(s)
        return s

    def update(self, imei, package="a-b.upd"):
        return subprocess.Popen(self.srv.cli("update", "--imei", imei, "--package", package,
                                             "--timeout", "120"),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def at(self, sim, command):
        port = simharness.Port(sim.uart)
        try:
            return port.ok(command)
        finally:
            port.close()

    def cmds(self, sim):
        return [e["text"] for e in sim.h.report() if e.get("kind") == "cmd"]

    def compliance(self, sim):
        return [e["text"] for e in sim.h.report() if e.get("kind") == "compliance"]

    def run_update(self, sim, *watch_args, package="a-b.upd"):
        """Watch + server update; returns (watch exit, server CompletedProcess-like)."""
        imei = registered(self.srv)["imei"]
        watch = Watch(sim, *watch_args)
        try:
            upd = self.update(imei, package)
            rc = watch.finish()
            out, err = upd.communicate(timeout=TIMEOUT)
        finally:
            watch.kill()
        return watch, rc, (upd.returncode, out, err)

    def acks(self, sim):
        return [int(m.group(1)) for c in self.cmds(sim)
                for m in [re.search(r"AT\+UFOTAACK=(\d+)$", c)] if m]


class UfotaTest(UfotaBase):
    def test_policy_auto_edrx_restored(self):
        # the client starts 10 s of module time after the reboot (2.5 s here): larafw must
        # have the URCs enabled again by then (§5.7.1)
        sim = self.sim(time_scale="0.25")
        self.at(sim, 'AT+CEDRXS=1,4,"0101"')
        watch, rc, (src, sout, serr) = self.run_update(sim, "--policy", "auto")
        self.assertEqual(rc, 0, (watch.lines, watch.err))
        self.assertEqual(src, 0, serr)
        res = watch.lines[-1]
        self.assertEqual((res["event"], res["old_version"], res["new_version"]),
                         ("result", OLD, NEW))
        self.assertIn("AT+UFOTACONFIG=721,0,255", "\n".join(self.cmds(sim)))
        self.assertEqual(self.at(sim, "AT+CEDRXS?"), ['+CEDRXS: 4,"0101"'])
        self.assertEqual(self.compliance(sim), [])

    def test_policy_ack_defer(self):
        sim = self.sim()
        watch, rc, (src, _, serr) = self.run_update(sim, "--policy", "ack", "--defer", "5")
        self.assertEqual(rc, 0, (watch.lines, watch.err))
        self.assertEqual(src, 0, serr)
        cmds = "\n".join(self.cmds(sim))
        self.assertIn("AT+UFOTACONFIG=721,2,255", cmds)
        self.assertIn("AT+UFOTAACK=5", cmds)
        self.assertIn({"event": "ufota", "state": "wait_ack", "decision": "accept",
                       "defer_s": 5}, watch.lines)

    def test_policy_reject(self):
        sim = self.sim()
        watch, rc, (src, _, serr) = self.run_update(sim, "--policy", "reject")
        self.assertEqual(rc, 1, (watch.lines, watch.err))
        self.assertIn("rejected by policy", watch.err)
        self.assertIn("AT+UFOTAACK=0", "\n".join(self.cmds(sim)))
        self.assertEqual(src, 1, serr)
        self.assertEqual(self.at(sim, "AT+CGMR"), [OLD])

    def window(self, start_offset_min, length_min):
        t = time.localtime(time.time() + start_offset_min * 60)
        start = t.tm_hour * 60 + t.tm_min
        end = (start + length_min) % (24 * 60)
        return "window=%02d:%02d-%02d:%02d" % (start // 60, start % 60, end // 60, end % 60)

    def test_policy_window_open(self):
        sim = self.sim()
        watch, rc, _ = self.run_update(sim, "--policy", self.window(-60, 120))
        self.assertEqual(rc, 0, (watch.lines, watch.err))
        self.assertEqual(self.acks(sim), [1])

    def test_policy_window_closed_defers(self):
        sim = self.sim(time_scale="0.01")
        watch, rc, _ = self.run_update(sim, "--policy", self.window(2, 30))
        self.assertEqual(rc, 0, (watch.lines, watch.err))
        acks = self.acks(sim)
        self.assertEqual(len(acks), 1, acks)
        self.assertTrue(60 <= acks[0] <= 180, acks)  # until the window opens
        self.assertTrue(any(l.get("decision") == "defer" for l in watch.lines), watch.lines)

    def test_download_only_then_install(self):
        sim = self.sim()
        imei = registered(self.srv)["imei"]
        watch = Watch(sim, "--no-install")
        upd = self.update(imei)
        try:
            self.assertEqual(watch.finish(), 0, (watch.lines, watch.err))
            self.assertIn("AT+UFOTACONFIG=721,1,255", "\n".join(self.cmds(sim)))
            r = cli_env.larafw(sim.uart, "install")
            self.assertEqual(r.rc, 0, r)
            self.assertIn("firmware: %s → %s" % (OLD, NEW), r.out)
        finally:
            watch.kill()
            upd.kill()
            upd.communicate()

    def test_bad_signature(self):
        # re-signed with another key: the install ends with 173 (§4.3, Appendix A), the server
        # sees Update Result 5, the module keeps its firmware
        sim = self.sim()
        watch, rc, (src, _, serr) = self.run_update(sim, "--policy", "auto",
                                                    package="a-b-badsig.upd")
        self.assertEqual(rc, 1, (watch.lines, watch.err))
        self.assertIn("module reported 173: digital signature does not match", watch.err)
        self.assertEqual(watch.lines[-1]["result_code"], 173, watch.lines)
        self.assertEqual(src, 1, serr)
        self.assertIn("failed: Update Result 5: integrity check failure", serr)
        self.assertEqual(self.at(sim, "AT+CGMR"), [OLD])
        self.assertEqual(self.srv.device(registered(self.srv)["imei"])["fw_version"], OLD)

    def test_lwm2m_commands(self):
        sim = self.sim()
        imei = registered(self.srv)["imei"]
        r = cli_env.larafw(sim.uart, "lwm2m", "srlt", "3600")
        self.assertEqual(r.rc, 0, r)
        self.assertIn('{"n": "1", "v": 3600}', self.at(sim, 'AT+ULWM2MREAD="/1/10"')[0])
        r = cli_env.larafw(sim.uart, "lwm2m", "deregister")
        self.assertEqual(r.rc, 0, r)
        wait_until(lambda: not self.srv.device(imei)["registered"], timeout=30,
                   what="the deregistration")
        r = cli_env.larafw(sim.uart, "lwm2m", "register")
        self.assertEqual(r.rc, 0, r)
        wait_until(lambda: self.srv.device(imei)["registered"], timeout=30,
                   what="the new registration")


def report_texts(sim, kind="ufota"):
    return [e["text"] for e in sim.h.report() if e.get("kind") == kind]


class SignalLossTest(UfotaBase):
    """--fault net-drop=P:COUNT cuts COUNT download attempts at P %: the module retries after
    60/120/180/240 s of module time (§5.2.2; 3 s in all at time scale 0.005). The small
    package (31 KB): libcurl hands over up to 16 KB at a time, so a cut must come at its byte
    count, not after the chunk that crosses it (see drops_inside)."""

    def drops_inside(self, sim):
        """Every net-drop cut the file before its end. A cut after the last byte left nothing
        to resume: the next attempt's Range request got 416, Update Result 4 (sim_net.c)."""
        drops = report_texts(sim, "fault")
        for t in drops:
            self.assertNotIn("net-drop at 100.0%", t, drops)
        return drops

    def test_recovers(self):
        sim = self.sim(time_scale="0.005", faults=["net-drop=30:2"])
        watch, rc, (src, _, serr) = self.run_update(sim, "--policy", "auto")
        self.assertEqual(rc, 0, (watch.lines, watch.err))
        self.assertEqual(src, 0, serr)
        self.assertEqual(watch.lines[-1]["new_version"], NEW)
        retries = [t for t in report_texts(sim) if t.startswith("download interrupted: retry")]
        self.assertEqual(len(retries), 2, report_texts(sim))
        self.assertEqual(len(self.drops_inside(sim)), 2)

    def test_exhausts(self):
        sim = self.sim(time_scale="0.005", faults=["net-drop=5:9"])
        watch, rc, (src, _, serr) = self.run_update(sim, "--policy", "auto")
        self.assertEqual(rc, 1, (watch.lines, watch.err))
        self.assertIn("the download failed", watch.err)
        self.assertIn({"event": "ufota", "state": "failed"}, watch.lines)
        self.assertEqual(src, 1, serr)
        self.assertIn("failed: Update Result 4: connection lost during download", serr)
        retries = [t for t in report_texts(sim) if t.startswith("download interrupted: retry")]
        self.assertEqual(len(retries), 4, report_texts(sim))  # then Update Result 4
        self.assertEqual(len(self.drops_inside(sim)), 5)  # the first try and four retries
        self.assertEqual(self.at(sim, "AT+CGMR"), [OLD])


def wait_stored(sim):
    """Until the module's resume record (DIR/netdl) says that bytes of the package are stored."""
    netdl = os.path.join(sim.h.state_dir, "netdl")

    def stored():
        try:
            with open(netdl) as f:
                return re.search(r"^stored=[1-9]", f.read(), re.M)
        except OSError:
            return None
    wait_until(stored, timeout=30, what="the uFOTA download's first bytes")


class ControlsTest(UfotaBase):
    """The package comes from nginx's rate-limited /slow/ so that a download can be paused."""

    WEB = None

    @classmethod
    def setUpClass(cls):
        if not available(NGINX):
            raise unittest.SkipTest("nginx missing (scripts/bootstrap installs it)")
        cls.WEB = Nginx(W.dir, slow_rate=48 * 1024)

    @classmethod
    def tearDownClass(cls):
        if cls.WEB:
            cls.WEB.close()

    def server_args(self):
        return {"extra": ["--public-url", "http://127.0.0.1:%d/slow" % self.WEB.port]}

    def test_pause_status_resume_watch(self):
        sim = self.sim(img=W.big_a)
        imei = registered(self.srv)["imei"]
        upd = self.update(imei, "big.upd")
        try:
            wait_stored(sim)
            r = cli_env.larafw(sim.uart, "ufota", "pause")
            self.assertEqual(r.rc, 0, r)
            r = cli_env.larafw(sim.uart, "--json", "ufota", "status")
            self.assertEqual(r.rc, 0, r)
            st = r.json_lines()[-1]
            self.assertEqual(st["state_name"], "paused", st)
            self.assertGreater(st["bytes"], 0)
            self.assertLess(st["bytes"], st["total"])
            r = cli_env.larafw(sim.uart, "ufota", "resume")
            self.assertEqual(r.rc, 0, r)
            watch = Watch(sim)
            try:
                self.assertEqual(watch.finish(), 0, (watch.lines, watch.err))
                self.assertEqual(watch.lines[-1]["new_version"], NEW)
            finally:
                watch.kill()
            out, err = upd.communicate(timeout=TIMEOUT)
            self.assertEqual(upd.returncode, 0, err)
        finally:
            upd.kill()
            upd.communicate()

    def test_cancel_during_download(self):
        # `ufota watch` holds the UART (TIOCEXCL), so the cancel comes over the USB AT port;
        # the +UFOTASTAT URCs go to the UART that enabled them, where the watch sees 2,3,100
        sim = self.sim(img=W.big_a, usb=True)
        imei = registered(self.srv)["imei"]
        watch = Watch(sim, "--policy", "auto")
        upd = self.update(imei, "big.upd")
        try:
            wait_stored(sim)
            r = cli_env.larafw(sim.usb, "ufota", "cancel")
            self.assertEqual(r.rc, 0, r)
            self.assertIn("uFOTA download cancelled", r.out + r.err)
            self.assertEqual(watch.finish(), 1, (watch.lines, watch.err))
            self.assertIn("the update was cancelled (+UFOTASTAT: 2,3,100", watch.err)
            self.assertIn({"event": "ufota", "state": "cancelled"}, watch.lines)
            out, err = upd.communicate(timeout=TIMEOUT)
            self.assertEqual(upd.returncode, 1, (out, err))
            self.assertIn("failed: Update Result 8: firmware update failed", err)
            self.assertEqual(self.at(sim, "AT+CGMR"), [OLD])
            r = cli_env.larafw(sim.uart, "--json", "ufota", "status")
            self.assertEqual(r.rc, 0, r)
            self.assertEqual(r.json_lines()[-1]["state_name"], "none", r)  # nothing to resume
        finally:
            watch.kill()
            upd.kill()
            upd.communicate()

    def test_pause_power_cut_resume(self):
        # the pause survives a power cut (LARA-R6 01B, §5.3): SIGKILL, the next power-up on
        # the same state dir is still paused, resume, and the server's update completes
        sim = self.sim(img=W.big_a)
        imei = registered(self.srv)["imei"]
        upd = self.update(imei, "big.upd")
        try:
            wait_stored(sim)
            r = cli_env.larafw(sim.uart, "ufota", "pause")
            self.assertEqual(r.rc, 0, r)
            r = cli_env.larafw(sim.uart, "--json", "ufota", "status")
            self.assertEqual(r.rc, 0, r)
            before = r.json_lines()[-1]
            self.assertEqual(before["state_name"], "paused", before)
            sim.h.kill()  # power cut
            sim.start()
            r = cli_env.larafw(sim.uart, "--json", "ufota", "status")
            self.assertEqual(r.rc, 0, r)
            after = r.json_lines()[-1]
            self.assertEqual(after["state_name"], "paused", after)
            self.assertEqual(after["total"], before["total"])
            # what was made durable (DIR/netdl) may be below what the pause saw (§4.2.1.2)
            self.assertLessEqual(after["bytes"], before["bytes"])
            self.assertLess(after["bytes"], after["total"])
            r = cli_env.larafw(sim.uart, "ufota", "resume")
            self.assertEqual(r.rc, 0, r)
            watch = Watch(sim)
            try:
                self.assertEqual(watch.finish(), 0, (watch.lines, watch.err))
                self.assertEqual((watch.lines[-1]["old_version"], watch.lines[-1]["new_version"]),
                                 (OLD, NEW))
            finally:
                watch.kill()
            out, err = upd.communicate(timeout=TIMEOUT)
            self.assertEqual(upd.returncode, 0, (out, err))
            self.assertEqual(self.at(sim, "AT+CGMR"), [NEW])
        finally:
            upd.kill()
            upd.communicate()

    def test_paused_download_cancel_watch_timeout(self):
        # a download paused before the watch starts: cancel is refused with what to do (the
        # module cancels only while 0,1,xx flows, §5.3), the watch says the download is
        # paused and its --timeout names that, not the campaign; eDRX stays off meanwhile
        # (§5.7, §5.8.3) and the user gets the command that puts it back
        sim = self.sim(img=W.big_a)
        self.at(sim, 'AT+CEDRXS=1,4,"0101"')
        imei = registered(self.srv)["imei"]
        upd = self.update(imei, "big.upd")
        try:
            wait_stored(sim)
            r = cli_env.larafw(sim.uart, "ufota", "pause")
            self.assertEqual(r.rc, 0, r)
            r = cli_env.larafw(sim.uart, "ufota", "cancel")
            self.assertEqual(r.rc, 1, r)
            self.assertRegex(r.err, r"the download is paused at \d+ %")
            self.assertIn("run 'larafw ufota resume' first", r.err)
            # nothing sent that the module would refuse
            self.assertNotIn("AT+UFOTA=0", "\n".join(self.cmds(sim)))
            r = cli_env.larafw(sim.uart, "--json", "ufota", "watch", "--timeout", "2")
            self.assertEqual(r.rc, 3, r)
            self.assertIn({"event": "ufota", "state": "paused"}, r.json_lines())
            self.assertRegex(r.err, r"the download stayed paused at \d+ % for 2 s")
            self.assertIn("larafw ufota resume", r.err)
            self.assertNotIn("campaign", r.err)
            self.assertIn('turn it back on with AT+CEDRXS=1,4,"0101"', r.err)
            self.assertEqual(self.at(sim, "AT+CEDRXS?"), ["+CEDRXS:"])
            r = cli_env.larafw(sim.uart, "ufota", "watch", "--timeout", "1")
            self.assertEqual(r.rc, 3, r)
            self.assertRegex(r.out, r"a uFOTA download is paused at \d+ % \(\d+ of \d+ bytes\)")
        finally:
            upd.kill()
            upd.communicate()

    def test_interrupt_during_download_keeps_edrx_off(self):
        # Ctrl-C while the module downloads: larafw leaves, the download goes on, eDRX stays
        # off for the whole FOTA (§5.7, §5.8.3) and larafw prints the command that restores
        # it; a new watch says a download is under way and follows it to the end
        sim = self.sim(img=W.big_a)
        self.at(sim, 'AT+CEDRXS=1,4,"0101"')
        imei = registered(self.srv)["imei"]
        watch = Watch(sim, "--policy", "auto")
        upd = self.update(imei, "big.upd")
        try:
            watch.until(lambda l: l.get("phase") == "download" and l.get("percent", 0) > 0,
                        "the download's progress")
            watch.proc.send_signal(signal.SIGINT)
            self.assertEqual(watch.finish(), 3, (watch.lines, watch.err))
            self.assertIn("goes on with the update by itself (downloading)", watch.err)
            self.assertIn('turn it back on with AT+CEDRXS=1,4,"0101"', watch.err)
            self.assertEqual(self.at(sim, "AT+CEDRXS?"), ["+CEDRXS:"])
            # only the test's own: larafw did not turn eDRX back on
            self.assertEqual("\n".join(self.cmds(sim)).count('AT+CEDRXS=1,4,"0101"'), 1)
            again = Watch(sim)
            try:
                self.assertTrue({"event": "ufota", "state": "downloading"} in again.lines or
                                {"event": "ufota", "state": "downloaded"} in again.lines,
                                again.lines)
                self.assertEqual(again.finish(), 0, (again.lines, again.err))
                self.assertEqual(again.lines[-1]["new_version"], NEW)
            finally:
                again.kill()
            out, err = upd.communicate(timeout=TIMEOUT)
            self.assertEqual(upd.returncode, 0, err)
        finally:
            watch.kill()
            upd.kill()
            upd.communicate()

    def test_product_without_controls(self):
        r6_00b = Workshop(os.path.join(W.dir, "00b"))
        img = r6_00b.image("00b.img", product="LARA-R6001D-00B")
        sim = cli_env.Sim(Pkgs(img, r6_00b.pub), product="LARA-R6001D-00B")
        self.sims.append(sim)
        for action in ("pause", "resume", "status"):
            r = cli_env.larafw(sim.uart, "ufota", action)
            self.assertEqual(r.rc, 1, r)
            self.assertIn("LARA-R6001D-00B has no uFOTA", r.err)
        r = cli_env.larafw(sim.uart, "ufota", "cancel")  # exists everywhere; nothing runs
        self.assertEqual(r.rc, 1, r)
        self.assertIn("no uFOTA download is running", r.err)


if __name__ == "__main__":
    unittest.main(verbosity=2)
