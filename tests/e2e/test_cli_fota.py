"""`larafw fota http|ftp URL` end to end (§4.2.1, §4.2.2, §4.3): the real larafw command
against larafw-sim, which downloads from real vsftpd and nginx servers started here on
127.0.0.1 (tests/e2e/netservers.py).

  * HTTP (basic auth) and FTP updates to the end: exit 0, old → new version, MD5 checked;
  * an FTP download cut by a power cut of the module at 30 % resumes on the second run
    (AT+UFTPC=100,"…",1 in the module's report, fewer bytes fetched from the server);
  * larafw SIGKILLed after its first progress event while the module downloads (FTP and
    HTTP): the second run follows the module's running download instead of starting again
    (one transfer only);
  * wrong host / wrong password / missing file → exit 1 with the error class/code meaning;
  * wrong --md5 → exit 1 naming both MD5s, nothing installed;
  * the password never appears in the AT log, stdout or stderr (-v, --at-log, -vv).

Synchronised on process exits, JSON lines read and files written; never on sleeps.
"""

import hashlib
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
from netservers import BANNED_PASSWORD, NGINX, VSFTPD, Nginx, Vsftpd, available  # noqa: E402
from simharness import wait_until  # noqa: E402
from test_install_util import Workshop  # noqa: E402

OLD, NEW = "LARA-R6.01.00", "LARA-R6.02.00"
FTP_PW = "larafw-host@example.com"  # anonymous FTP: an e-mail address as password
PKG = "fw_update.upd"

W = ROOT = FTP = SLOW_FTP = WEB = None
PKG_MD5 = ""
PKG_SIZE = 0


class Pkgs:
    """What cli_env.Sim needs: the factory image and the FOTA public key."""

    def __init__(self, v1, pub):
        self.v1, self.pub = v1, pub


def setUpModule():
    global W, ROOT, FTP, SLOW_FTP, WEB, PKG_MD5, PKG_SIZE
    if not available(VSFTPD, NGINX):
        raise unittest.SkipTest("vsftpd or nginx missing (scripts/bootstrap installs them)")
    W = Workshop(tempfile.mkdtemp(prefix="larafw-cli-fota-"), image_size=1024 * 1024)
    W.a = W.image("a.img", seed=1)
    b = W.successor(W.a, "b.img", NEW, change=60)
    ROOT = os.path.join(W.dir, "srv")
    os.makedirs(os.path.join(ROOT, "fota"))
    delta = W.delta(W.a, b, "delta.upd")
    shutil.copy(delta, os.path.join(ROOT, "fota", PKG))
    with open(delta, "rb") as f:
        data = f.read()
    PKG_MD5, PKG_SIZE = hashlib.md5(data).hexdigest(), len(data)
    try:
        FTP = Vsftpd(ROOT)
        SLOW_FTP = Vsftpd(ROOT, max_rate=96 * 1024)
        WEB = Nginx(ROOT, slow_rate=96 * 1024)
    except BaseException:
        tearDownModule()
        raise


def tearDownModule():
    for srv in (FTP, SLOW_FTP, WEB):
        if srv:
            srv.close()


def new_sim(faults=(), product=cli_env.PRODUCT):
    return cli_env.Sim(Pkgs(W.a, W.pub), faults=faults, product=product)


def ftp_url(srv=None, password=FTP_PW, host="127.0.0.1", path="fota/" + PKG):
    pw = password.replace("@", "%40")
    return "ftp://anonymous:%s@%s:%d/%s" % (pw, host, (srv or FTP).port, path)


def http_url(path="/auth/fota/" + PKG, password=Nginx.AUTH_PASSWORD):
    return "http://%s:%s@127.0.0.1:%d%s" % (Nginx.AUTH_USER, password, WEB.port, path)


def report_cmds(sim):
    return [e["text"] for e in sim.h.report() if e.get("kind") == "cmd"]


def version(sim):
    r = cli_env.larafw(sim.uart, "info", "--json")
    return r.json_lines()[-1]["firmware"]


class FotaTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="larafw-cli-fota-run-")
        self.state = os.path.join(self.tmp, "fota.state")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def fota(self, sim, kind, url, *args, **kw):
        return cli_env.larafw(sim.uart, "fota", kind, url, "--state-file", self.state, *args,
                              **kw)

    def assertSecretFree(self, secret, r, log=None):
        for what, text in (("stdout", r.out), ("stderr", r.err)):
            self.assertNotIn(secret, text, what)
        if log:
            with open(log, errors="replace") as f:
                text = f.read()
            self.assertNotIn(secret, text, "AT log")
            self.assertIn('"***"', text)

    def test_http_update_redacted(self):
        sim = new_sim()
        try:
            log = os.path.join(self.tmp, "at.log")
            r = self.fota(sim, "http", http_url(), "--md5", PKG_MD5.upper(), "--profile", "2",
                          "--at-log", log, "-v", "--json")
            self.assertEqual(r.rc, 0, r)
            res = r.json_lines()[-1]
            self.assertEqual(res["event"], "result")
            self.assertEqual((res["old_version"], res["new_version"]), (OLD, NEW))
            self.assertIn({"event": "downloaded", "md5": PKG_MD5, "md5_checked": True},
                          r.json_lines())
            self.assertSecretFree(Nginx.AUTH_PASSWORD, r, log)
            self.assertFalse(os.path.exists(self.state))  # removed on success
            self.assertIn("AT+UHTTPC=2,100,\"/auth/fota/%s\"" % PKG, "\n".join(report_cmds(sim)))
            self.assertEqual(version(sim), NEW)
        finally:
            sim.cleanup()

    def test_ftp_update_redacted_vv(self):
        sim = new_sim()
        try:
            r = self.fota(sim, "ftp", ftp_url(), "--md5", PKG_MD5, "-vv")
            self.assertEqual(r.rc, 0, r)
            self.assertIn("firmware: %s → %s" % (OLD, NEW), r.out)
            self.assertIn('AT+UFTP=3,"***"', r.err)
            self.assertSecretFree(FTP_PW, r)
            self.assertSecretFree(FTP_PW.replace("@", "%40"), r)
        finally:
            sim.cleanup()

    def test_ftp_resume_after_power_cut(self):
        sim = new_sim(faults=["power-cut=download:30"])
        try:
            r = self.fota(sim, "ftp", ftp_url())
            self.assertEqual(r.rc, 3, r)  # the line closed
            self.assertIn("run the same command again", r.err)
            self.assertTrue(os.path.exists(self.state))
            sim.wait_exit()
            sim.start(faults=[])
            r = self.fota(sim, "ftp", ftp_url(), "--md5", PKG_MD5)
            self.assertEqual(r.rc, 0, r)
            self.assertIn("resuming", r.out)
            cmds = report_cmds(sim)
            self.assertTrue(any(re.search(r'AT\+UFTPC=100,"fota/%s",1$' % re.escape(PKG), c)
                                for c in cmds), cmds)
            fetched = FTP.downloads()[-1]
            self.assertLess(fetched, PKG_SIZE)  # the second transfer sent only the rest
            self.assertFalse(os.path.exists(self.state))
            self.assertEqual(version(sim), NEW)
        finally:
            sim.cleanup()

    def host_killed_then_follows(self, kind, url, transfers):
        """larafw SIGKILLed after its first progress event while the module downloads; the
        second run follows that download. `transfers()` lists the server's transfers."""
        sim = new_sim()
        try:
            before = len(transfers())
            cmd = [cli_env.LARAFW, "-p", sim.uart, "--json", "fota", kind, url,
                   "--state-file", self.state]
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    stdin=subprocess.DEVNULL, text=True)
            try:
                while True:
                    line = proc.stdout.readline()
                    self.assertTrue(line, "larafw ended before a progress event")
                    if json.loads(line).get("event") == "progress":
                        break
                # the module has really started: its download record holds bytes
                netdl = os.path.join(sim.h.state_dir, "netdl")

                def stored():
                    try:
                        with open(netdl) as f:
                            return re.search(r"^stored=[1-9]", f.read(), re.M)
                    except OSError:
                        return None
                wait_until(stored, timeout=30, what="the module's download record")
            finally:
                proc.send_signal(signal.SIGKILL)
                proc.communicate()
            self.assertTrue(os.path.exists(self.state))
            r = self.fota(sim, kind, url, "--md5", PKG_MD5, "-v")
            self.assertEqual(r.rc, 0, r)
            self.assertIn("still downloading", r.out)
            # one transfer from the server, of the whole file: nothing started over
            self.assertEqual(transfers()[before:], [PKG_SIZE])
            self.assertEqual(version(sim), NEW)
        finally:
            sim.cleanup()

    def test_ftp_host_killed_then_follows(self):
        self.host_killed_then_follows("ftp", ftp_url(SLOW_FTP), SLOW_FTP.downloads)

    def test_http_host_killed_then_follows(self):
        path = "/slow/fota/" + PKG

        def transfers():
            return [n for req, status, n, _ in WEB.requests() if path in req and status == 200]
        url = "http://127.0.0.1:%d%s" % (WEB.port, path)
        self.host_killed_then_follows("http", url, transfers)

    def test_errors_name_class_and_code(self):
        sim = new_sim()
        try:
            cases = [
                ("ftp", ftp_url(host="no-such-host.invalid"), "8, code 23",
                 "host name lookup failed", FTP_PW),
                ("ftp", ftp_url(password=BANNED_PASSWORD), "1, code 530", "login refused",
                 BANNED_PASSWORD),
                ("ftp", ftp_url(path="fota/missing.upd"), "1, code 550", "file not found",
                 FTP_PW),
                ("http", http_url("/auth/fota/missing.upd"), "2, code 404", "file not found",
                 Nginx.AUTH_PASSWORD),
                ("http", http_url(password="wrong-pw"), "3, code 24", "authentication refused",
                 "wrong-pw"),
            ]
            for kind, url, code, meaning, secret in cases:
                with self.subTest(url=url.replace(secret, "…")):
                    log = os.path.join(self.tmp, "err.log")
                    r = self.fota(sim, kind, url, "-v", "--at-log", log)
                    self.assertEqual(r.rc, 1, r)
                    self.assertIn("error class " + code, r.err)
                    self.assertIn(meaning, r.err)
                    self.assertSecretFree(secret, r, log)
                    self.assertSecretFree(secret.replace("@", "%40"), r)
            self.assertEqual(version(sim), OLD)
        finally:
            sim.cleanup()

    def test_wrong_md5_stops_before_install(self):
        sim = new_sim()
        try:
            wrong = "0" * 32
            r = self.fota(sim, "http", http_url(), "--md5", wrong)
            self.assertEqual(r.rc, 1, r)
            self.assertIn(PKG_MD5, r.err)
            self.assertIn(wrong, r.err)
            self.assertIn("NOT installed", r.err)
            self.assertNotIn("AT+UFWINSTALL", "\n".join(report_cmds(sim)))
            self.assertEqual(version(sim), OLD)
        finally:
            sim.cleanup()

    def test_no_install_then_install(self):
        sim = new_sim()
        try:
            r = self.fota(sim, "http", http_url(), "--no-install")
            self.assertEqual(r.rc, 0, r)
            self.assertIn("larafw install", r.out)
            self.assertEqual(version(sim), OLD)
            r = cli_env.larafw(sim.uart, "install")
            self.assertEqual(r.rc, 0, r)
            self.assertIn("firmware: %s → %s" % (OLD, NEW), r.out)
        finally:
            sim.cleanup()

    def test_lara_l6_has_no_net_fota(self):
        l6 = Workshop(os.path.join(self.tmp, "l6"))
        img = l6.image("l6.img", product="LARA-L6004D-01B")
        sim = cli_env.Sim(Pkgs(img, l6.pub), product="LARA-L6004D-01B")
        try:
            r = self.fota(sim, "ftp", ftp_url())
            self.assertEqual(r.rc, 1, r)
            self.assertIn("has no FTP/HTTP FOTA", r.err)
        finally:
            sim.cleanup()

    def test_usage(self):
        r = cli_env.larafw("/dev/null", "fota", "gopher", "x")
        self.assertEqual(r.rc, 2)
        r = cli_env.larafw("/dev/null", "fota", "ftp", "http://h/x")
        self.assertEqual(r.rc, 2, r)
        r = cli_env.larafw(None, "fota", "--help")
        self.assertEqual(r.rc, 0)
        self.assertIn("state", r.out)


if __name__ == "__main__":
    unittest.main(verbosity=2)
