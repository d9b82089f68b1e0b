"""FOTA over FTP and HTTP(S), module side (§4.2.1, §4.2.2, §6 Table 5), end to end: larafw-sim
against real vsftpd and nginx servers that this test starts on 127.0.0.1 (free ports,
throw-away configs and certificate in temp dirs, stopped at the end, also on failure).

Downloads that complete and install (128, new version), the MD5 in the URC, resume after a
power cut at 30 % (fewer bytes fetched than the whole file), clean failures with their error
class/code (host not found, login refused, file missing, connection lost by net-drop and by a
server stopped midway, then a resume that completes), forbidden commands during a download,
LARA-L6 refusal, volatile profiles. Synchronised on URCs and the simulator's persisted
download record, never on sleeps."""

import hashlib
import os
import re
import shutil
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from netservers import (BANNED_PASSWORD, NGINX, VSFTPD, Nginx, Vsftpd,  # noqa: E402
                        available, free_port, make_cert)
from test_install_util import (Sim, SimError, Workshop, events, install,  # noqa: E402
                               version)

FAST = 0.01
OLD, NEW = "LARA-R6.01.00", "LARA-R6.02.00"
FTP_PASSWORD = "larafw-host@example.com"  # anonymous FTP: an e-mail address

W = None        # Workshop: keys, images, the delta package
ROOT = None     # what the servers serve
PKG = "fw_update.upd"
PKG_DATA = b""
PKG_MD5 = ""
FTP = WEB = None


def setUpModule():
    global W, ROOT, PKG_DATA, PKG_MD5, FTP, WEB
    if not available(VSFTPD, NGINX):
        raise unittest.SkipTest("vsftpd or nginx missing (scripts/bootstrap installs them)")
    W = Workshop(tempfile.mkdtemp(prefix="larafw-fotanet-"), image_size=1024 * 1024)
    a = W.image("a.img", seed=1)
    b = W.successor(a, "b.img", NEW, change=60)
    W.a = a
    ROOT = os.path.join(W.dir, "srv")
    os.makedirs(os.path.join(ROOT, "fota"))
    pkg = W.delta(a, b, "delta.upd")
    shutil.copy(pkg, os.path.join(ROOT, "fota", PKG))
    with open(pkg, "rb") as f:
        PKG_DATA = f.read()
    PKG_MD5 = hashlib.md5(PKG_DATA).hexdigest()
    try:
        FTP = Vsftpd(ROOT)
        WEB = Nginx(ROOT, slow_rate=96 * 1024)
    except BaseException:
        tearDownModule()  # unittest does not call it when setUpModule fails
        raise


def tearDownModule():
    for srv in (FTP, WEB):
        if srv:
            srv.close()
    if W and os.environ.get("LARAFW_KEEP") != "1":
        shutil.rmtree(W.dir, ignore_errors=True)


def new_sim(**kw):
    return Sim(time_scale=FAST, firmware=W.a, fota_key=W.pub, **kw)


def ftp_profile(sim, port=None, password=FTP_PASSWORD, host="127.0.0.1", login=True):
    """+UFTP profile (§4.2.1.4) and, if asked, the login; returns the login URC."""
    sim.ok('AT+UFTP=%d,"%s"' % (0 if host[0].isdigit() else 1, host))
    sim.ok("AT+UFTP=7,%d" % (port or FTP.port))
    sim.ok('AT+UFTP=2,"anonymous"')
    sim.ok('AT+UFTP=3,"%s"' % password)
    sim.ok("AT+UFTP=6,1")
    if not login:
        return None
    sim.ok("AT+UFTPC=1")
    return sim.wait_urc("+UUFTPCR: 1,")


def http_profile(sim, profile=0, port=None, secure=False, host="127.0.0.1"):
    sim.ok('AT+UHTTP=%d,%d,"%s"' % (profile, 0 if host[0].isdigit() else 1, host))
    sim.ok("AT+UHTTP=%d,5,%d" % (profile, port or (WEB.tls_port if secure else WEB.port)))
    if secure:
        sim.ok("AT+UHTTP=%d,6,1" % profile)


def done_event(sim):
    """(size, fetched, resumed_from) of the last completed network download in the report."""
    for e in reversed(events(sim, "phase")):
        m = re.match(r"download done \w+ .*: (\d+) bytes, fetched (\d+), resumed at (\d+)",
                     e["text"])
        if m:
            return tuple(int(x) for x in m.groups())
    raise SimError("no 'download done' in the report")


def wait_stored(sim, minimum, timeout=20.0):
    """Waits until the module's persisted download record says `minimum` bytes are stored."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with open(sim.path("netdl")) as f:
                m = re.search(r"^stored=(\d+)$", f.read(), re.M)
            if m and int(m.group(1)) >= minimum:
                return int(m.group(1))
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise SimError("the download never stored %d bytes" % minimum)
        time.sleep(0.01)  # poll interval of the check, not a synchronisation


class FtpTest(unittest.TestCase):
    def test_download_md5_install(self):
        with new_sim() as sim:
            self.assertEqual(ftp_profile(sim), "+UUFTPCR: 1,1")
            lines = sim.ok("AT+UFTP?")
            self.assertIn('+UFTP: 0,"127.0.0.1"', lines)
            self.assertIn("+UFTP: 6,1", lines)
            self.assertIn("+UFTP: 7,%d" % FTP.port, lines)
            sim.ok('AT+UFTPC=100,"fota/%s"' % PKG)
            self.assertEqual(sim.wait_urc("+UUFTPCR: 100,"), '+UUFTPCR: 100,1,"%s"' % PKG_MD5)
            self.assertEqual(sim.ok("AT+UFTPER"), ["+UFTPER: 0,0"])
            self.assertEqual(sim.ok('AT+ULSTFILE=0,"FOAT"'), ['+ULSTFILE: "%s"' % PKG])
            with open(sim.path("fota/" + PKG), "rb") as f:
                self.assertEqual(f.read(), PKG_DATA)
            code, _ = install(sim)
            self.assertEqual(code, 128)
            self.assertEqual(version(sim), NEW)
            # the password never reaches the report or the log (the listing shows it, as the
            # module does; the host's AT log redacts it)
            with open(sim.report_path) as f:
                self.assertNotIn(FTP_PASSWORD, f.read())
            self.assertNotIn(FTP_PASSWORD, sim.log())

    def test_resume_after_power_cut(self):
        with new_sim(faults=["power-cut=download:30"]) as sim:
            ftp_profile(sim)
            sim.ok('AT+UFTPC=100,"fota/%s"' % PKG)
            sim.wait_exit(30)  # the power cut
            sim.start(faults=[])
            self.assertEqual(sim.state().get("fota_pkg_present"), "0")
            ftp_profile(sim)  # volatile: set again after the power-up (§4.2.1.1)
            sim.ok('AT+UFTPC=100,"fota/%s",1' % PKG)
            self.assertEqual(sim.wait_urc("+UUFTPCR: 100,"), '+UUFTPCR: 100,1,"%s"' % PKG_MD5)
            size, fetched, resumed = done_event(sim)
            self.assertEqual(size, len(PKG_DATA))
            self.assertGreater(resumed, 0)
            self.assertLess(fetched, len(PKG_DATA))
            self.assertEqual(resumed + fetched, len(PKG_DATA))
            # the server agrees: the second transfer sent only the rest
            self.assertEqual(FTP.downloads()[-1], fetched)
            code, _ = install(sim)
            self.assertEqual(code, 128)
            self.assertEqual(version(sim), NEW)

    def test_net_drop_then_resume(self):
        with new_sim(faults=["net-drop=40"]) as sim:
            ftp_profile(sim)
            sim.ok('AT+UFTPC=100,"fota/%s"' % PKG)
            self.assertEqual(sim.wait_urc("+UUFTPCR: 100,"), "+UUFTPCR: 100,0")
            self.assertEqual(sim.ok("AT+UFTPER"), ["+UFTPER: 8,27"])  # connection lost
            sim.ok('AT+UFTPC=100,"fota/%s",1' % PKG)
            self.assertEqual(sim.wait_urc("+UUFTPCR: 100,"), '+UUFTPCR: 100,1,"%s"' % PKG_MD5)
            _, fetched, resumed = done_event(sim)
            self.assertGreaterEqual(resumed, len(PKG_DATA) * 40 // 100)
            self.assertEqual(resumed + fetched, len(PKG_DATA))

    def test_resume_without_partial_starts_at_zero(self):
        with new_sim() as sim:
            ftp_profile(sim)
            sim.ok('AT+UFTPC=100,"fota/%s",1' % PKG)
            self.assertEqual(sim.wait_urc("+UUFTPCR: 100,"), '+UUFTPCR: 100,1,"%s"' % PKG_MD5)
            self.assertEqual(done_event(sim), (len(PKG_DATA), len(PKG_DATA), 0))

    def test_errors(self):
        with new_sim() as sim:
            # host not found
            self.assertEqual(ftp_profile(sim, host="no-such-host.invalid"), "+UUFTPCR: 1,0")
            self.assertEqual(sim.ok("AT+UFTPER"), ["+UFTPER: 8,23"])
            # login refused (a banned anonymous password: vsftpd answers 530)
            self.assertEqual(ftp_profile(sim, password=BANNED_PASSWORD), "+UUFTPCR: 1,0")
            self.assertEqual(sim.ok("AT+UFTPER"), ["+UFTPER: 1,530"])
            # no login, no download (§4.2.1.2)
            sim.ok("AT+CMEE=2")
            self.assertEqual(sim.cmd('AT+UFTPC=100,"fota/%s"' % PKG)[1],
                             "+CME ERROR: operation not allowed")
            # file missing
            ftp_profile(sim)
            sim.ok('AT+UFTPC=100,"fota/missing.upd"')
            self.assertEqual(sim.wait_urc("+UUFTPCR: 100,"), "+UUFTPCR: 100,0")
            self.assertEqual(sim.ok("AT+UFTPER"), ["+UFTPER: 1,550"])
            # nothing listens: connection error
            sock_port = free_port()  # nothing listens there
            self.assertEqual(ftp_profile(sim, port=sock_port), "+UUFTPCR: 1,0")
            self.assertEqual(sim.ok("AT+UFTPER"), ["+UFTPER: 8,11"])
            with open(sim.report_path) as f:
                text = f.read()
            self.assertNotIn(BANNED_PASSWORD, text)
            self.assertNotIn(FTP_PASSWORD, text)

    def test_active_mode(self):
        with new_sim() as sim:
            ftp_profile(sim, login=False)
            sim.ok("AT+UFTP=6,0")  # active: the server connects back (PORT)
            sim.ok("AT+UFTPC=1")
            self.assertEqual(sim.wait_urc("+UUFTPCR: 1,"), "+UUFTPCR: 1,1")
            sim.ok('AT+UFTPC=100,"fota/%s"' % PKG)
            self.assertEqual(sim.wait_urc("+UUFTPCR: 100,"), '+UUFTPCR: 100,1,"%s"' % PKG_MD5)
            self.assertIn('"PORT ', FTP.log_text())

    def test_volatile_profile(self):
        with new_sim() as sim:
            ftp_profile(sim)
            http_profile(sim, profile=2)
            sim.ok("AT+CFUN=16")  # module reset
            sim.uart.wait_at()
            lines = sim.ok("AT+UFTP?")
            self.assertIn('+UFTP: 0,""', lines)
            self.assertIn("+UFTP: 7,21", lines)
            self.assertEqual(sim.ok("AT+UHTTP=2,0"), ['+UHTTP: 2,0,""'])
            self.assertEqual(sim.ok("AT+UHTTP=2,5"), ["+UHTTP: 2,5,80"])


class HttpTest(unittest.TestCase):
    def test_download_md5_install(self):
        with new_sim() as sim:
            http_profile(sim, profile=1)
            self.assertEqual(sim.ok("AT+UHTTP=1,0"), ['+UHTTP: 1,0,"127.0.0.1"'])
            sim.ok('AT+UHTTPC=1,100,"/fota/%s"' % PKG)
            self.assertEqual(sim.wait_urc("+UUHTTPCR: 1,100,"),
                             '+UUHTTPCR: 1,100,1,200,"%s"' % PKG_MD5)
            self.assertEqual(sim.ok("AT+UHTTPER=1"), ["+UHTTPER: 1,0,0"])
            code, _ = install(sim)
            self.assertEqual(code, 128)
            self.assertEqual(version(sim), NEW)

    def test_https_ca_file(self):
        other = tempfile.mkdtemp(prefix="larafw-othercert-")
        try:
            wrong_ca, _ = make_cert(other)
            with new_sim(extra_args=["--ca-file", WEB.cert]) as sim:
                http_profile(sim, secure=True)
                sim.ok('AT+UHTTPC=0,100,"/fota/%s"' % PKG)
                self.assertEqual(sim.wait_urc("+UUHTTPCR: 0,100,"),
                                 '+UUHTTPCR: 0,100,1,200,"%s"' % PKG_MD5)
            with new_sim(extra_args=["--ca-file", wrong_ca]) as sim:
                http_profile(sim, secure=True)
                sim.ok('AT+UHTTPC=0,100,"/fota/%s"' % PKG)
                self.assertEqual(sim.wait_urc("+UUHTTPCR: 0,100,"), "+UUHTTPCR: 0,100,0,0")
                self.assertEqual(sim.ok("AT+UHTTPER=0"), ["+UHTTPER: 0,3,73"])
        finally:
            shutil.rmtree(other, ignore_errors=True)

    def test_errors_and_auth(self):
        with new_sim() as sim:
            http_profile(sim, host="no-such-host.invalid", port=WEB.port)
            sim.ok('AT+UHTTPC=0,100,"/fota/%s"' % PKG)
            self.assertEqual(sim.wait_urc("+UUHTTPCR: 0,100,"), "+UUHTTPCR: 0,100,0,0")
            self.assertEqual(sim.ok("AT+UHTTPER=0"), ["+UHTTPER: 0,3,23"])  # the note's example
            http_profile(sim)
            sim.ok('AT+UHTTPC=0,100,"/fota/missing.upd"')
            self.assertEqual(sim.wait_urc("+UUHTTPCR: 0,100,"), "+UUHTTPCR: 0,100,0,0")
            self.assertEqual(sim.ok("AT+UHTTPER=0"), ["+UHTTPER: 0,2,404"])
            sim.ok('AT+UHTTP=0,2,"%s"' % Nginx.AUTH_USER)
            sim.ok('AT+UHTTP=0,3,"wrong-password"')
            sim.ok("AT+UHTTP=0,4,1")
            sim.ok('AT+UHTTPC=0,100,"/auth/fota/%s"' % PKG)
            self.assertEqual(sim.wait_urc("+UUHTTPCR: 0,100,"), "+UUHTTPCR: 0,100,0,0")
            self.assertEqual(sim.ok("AT+UHTTPER=0"), ["+UHTTPER: 0,3,24"])
            sim.ok('AT+UHTTP=0,3,"%s"' % Nginx.AUTH_PASSWORD)
            sim.ok('AT+UHTTPC=0,100,"/auth/fota/%s"' % PKG)
            self.assertEqual(sim.wait_urc("+UUHTTPCR: 0,100,"),
                             '+UUHTTPCR: 0,100,1,200,"%s"' % PKG_MD5)
            with open(sim.report_path) as f:
                text = f.read()
            self.assertNotIn(Nginx.AUTH_PASSWORD, text)
            self.assertNotIn("wrong-password", text)

    def test_resume_after_power_cut(self):
        with new_sim(faults=["power-cut=download:30"]) as sim:
            http_profile(sim)
            sim.ok('AT+UHTTPC=0,100,"/fota/%s"' % PKG)
            sim.wait_exit(30)
            sim.start(faults=[])
            http_profile(sim)
            sim.ok('AT+UHTTPC=0,100,"/fota/%s"' % PKG)
            self.assertEqual(sim.wait_urc("+UUHTTPCR: 0,100,"),
                             '+UUHTTPCR: 0,100,1,206,"%s"' % PKG_MD5)
            size, fetched, resumed = done_event(sim)
            self.assertGreater(resumed, 0)
            self.assertEqual(resumed + fetched, size)
            req = WEB.requests()[-1]
            self.assertEqual((req[1], req[2], req[3]), (206, fetched, "bytes=%d-" % resumed))

    def test_net_drop_twice_then_resume(self):
        with new_sim(faults=["net-drop=25:2"]) as sim:
            http_profile(sim)
            for _ in range(2):  # each attempt is cut after 25 % of the file
                sim.ok('AT+UHTTPC=0,100,"/fota/%s"' % PKG)
                self.assertEqual(sim.wait_urc("+UUHTTPCR: 0,100,"), "+UUHTTPCR: 0,100,0,0")
                self.assertEqual(sim.ok("AT+UHTTPER=0"), ["+UHTTPER: 0,3,27"])
            sim.ok('AT+UHTTPC=0,100,"/fota/%s"' % PKG)
            self.assertEqual(sim.wait_urc("+UUHTTPCR: 0,100,"),
                             '+UUHTTPCR: 0,100,1,206,"%s"' % PKG_MD5)
            _, fetched, resumed = done_event(sim)
            self.assertGreaterEqual(resumed, len(PKG_DATA) * 50 // 100)
            self.assertEqual(resumed + fetched, len(PKG_DATA))
            drops = [e for e in events(sim, "fault") if "net-drop" in e["text"]]
            self.assertEqual(len(drops), 2)

    def test_changed_file_is_fetched_whole(self):
        # If-Range: the file changed on the server since the power cut → 200, from byte 0
        path = os.path.join(ROOT, "fota", "changing.upd")
        shutil.copy(os.path.join(ROOT, "fota", PKG), path)
        with new_sim(faults=["power-cut=download:30"]) as sim:
            http_profile(sim)
            sim.ok('AT+UHTTPC=0,100,"/fota/changing.upd"')
            sim.wait_exit(30)
            other = PKG_DATA[:1000] + bytes(b ^ 0x5A for b in PKG_DATA[1000:2000]) + PKG_DATA[2000:]
            with open(path + ".new", "wb") as f:
                f.write(other)
            st = os.stat(path)
            os.utime(path + ".new", (st.st_atime + 10, st.st_mtime + 10))  # a new ETag
            os.rename(path + ".new", path)
            sim.start(faults=[])
            http_profile(sim)
            sim.ok('AT+UHTTPC=0,100,"/fota/changing.upd"')
            self.assertEqual(sim.wait_urc("+UUHTTPCR: 0,100,"),
                             '+UUHTTPCR: 0,100,1,200,"%s"' % hashlib.md5(other).hexdigest())
            self.assertEqual(done_event(sim), (len(other), len(other), 0))
            with open(sim.path("fota/changing.upd"), "rb") as f:
                self.assertEqual(f.read(), other)
            req = WEB.requests()[-1]
            self.assertEqual(req[1], 200)
            self.assertTrue(req[3].startswith("bytes="), req)

    def test_server_stopped_midway_then_resume(self):
        with new_sim() as sim:
            http_profile(sim)
            sim.ok('AT+UHTTPC=0,100,"/slow/fota/%s"' % PKG)
            wait_stored(sim, 64 * 1024)
            WEB.stop()  # the server goes away in the middle of the transfer
            self.assertEqual(sim.wait_urc("+UUHTTPCR: 0,100,"), "+UUHTTPCR: 0,100,0,0")
            self.assertEqual(sim.ok("AT+UHTTPER=0"), ["+UHTTPER: 0,3,27"])  # connection lost
            WEB.start()
            sim.ok('AT+UHTTPC=0,100,"/slow/fota/%s"' % PKG)  # the same URL continues
            self.assertEqual(sim.wait_urc("+UUHTTPCR: 0,100,"),
                             '+UUHTTPCR: 0,100,1,206,"%s"' % PKG_MD5)
            _, fetched, resumed = done_event(sim)
            self.assertGreaterEqual(resumed, 64 * 1024)
            self.assertEqual(resumed + fetched, len(PKG_DATA))


class ExclusionTest(unittest.TestCase):
    """§6 Table 5: one download method at a time."""

    def test_during_ftp(self):
        with Vsftpd(ROOT, max_rate=64 * 1024) as slow, new_sim(usb=True) as sim:
            ftp_profile(sim, port=slow.port)
            http_profile(sim)
            sim.ok("AT+CMEE=2")
            sim.ok('AT+UFTPC=100,"fota/%s"' % PKG)
            wait_stored(sim, 1)
            refused = "+CME ERROR: operation not allowed"
            self.assertEqual(sim.cmd('AT+UHTTPC=0,100,"/fota/%s"' % PKG)[1], refused)
            self.assertEqual(sim.cmd('AT+UFTPC=100,"fota/%s"' % PKG)[1], refused)
            self.assertEqual(sim.cmd("AT+UFWUPD=3")[1], refused)
            self.assertEqual(sim.cmd('AT+UDWNFILE="x.upd",100,"FOAT"')[1], refused)
            self.assertEqual(sim.cmd("AT+UFWINSTALL")[1], refused)
            notes = [e["text"] for e in events(sim, "compliance")]
            self.assertTrue(any(n.startswith("AT+UHTTPC=0,100 while") for n in notes), notes)
            # cancel (§4.2.1.2): OK, then the failure URC, +UFTPER 8,40; no resume afterwards
            sim.ok('AT+UFTPC=100,"fota/%s",0' % PKG)
            self.assertEqual(sim.wait_urc("+UUFTPCR: 100,"), "+UUFTPCR: 100,0")
            self.assertEqual(sim.ok("AT+UFTPER"), ["+UFTPER: 8,40"])
            self.assertFalse(os.path.exists(sim.path("netdl")))
            # the push works again once nothing runs
            self.assertEqual(sim.uart.download("x.upd", b"\0" * 100, "FOAT"), "OK")

    def test_during_http_and_push(self):
        with new_sim(usb=True) as sim:
            ftp_profile(sim)
            http_profile(sim)
            sim.ok("AT+CMEE=2")
            refused = "+CME ERROR: operation not allowed"
            sim.ok('AT+UHTTPC=0,100,"/slow/fota/%s"' % PKG)
            wait_stored(sim, 1)
            self.assertEqual(sim.cmd('AT+UFTPC=100,"fota/%s"' % PKG)[1], refused)
            self.assertEqual(sim.cmd('AT+UHTTPC=1,100,"/fota/%s"' % PKG)[1], refused)
            self.assertEqual(sim.cmd("AT+UFWUPD=3")[1], refused)
            self.assertEqual(sim.cmd('AT+UDWNFILE="x.upd",100,"FOAT"')[1], refused)
            sim.wait_urc("+UUHTTPCR: 0,100,", timeout=30)
            # a push in progress on USB: the network downloads are refused on the UART
            sim.usb.write('AT+UDWNFILE="y.upd",100,"FOAT"\r')
            sim.usb.read_until(b">")
            self.assertEqual(sim.cmd('AT+UFTPC=100,"fota/%s"' % PKG)[1], refused)
            self.assertEqual(sim.cmd('AT+UHTTPC=0,100,"/fota/%s"' % PKG)[1], refused)
            sim.usb.write(b"\0" * 100)
            sim.usb.read_until(b"OK\r\n")


class L6Test(unittest.TestCase):
    def test_refused(self):
        with Sim(time_scale=FAST, product="LARA-L6004D-01B") as sim:
            sim.ok("AT+CMEE=2")
            sim.ok('AT+UFTP=0,"127.0.0.1"')
            self.assertEqual(sim.cmd('AT+UFTPC=100,"fota/%s"' % PKG)[1],
                             "+CME ERROR: operation not supported")
            sim.ok('AT+UHTTP=0,0,"127.0.0.1"')
            self.assertEqual(sim.cmd('AT+UHTTPC=0,100,"/fota/%s"' % PKG)[1],
                             "+CME ERROR: operation not supported")


if __name__ == "__main__":
    unittest.main(verbosity=2)
