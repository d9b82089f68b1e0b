"""uFOTA, module side (§5): larafw-sim's LwM2M client against a LwM2M server stand-in written
here (ufota_peers.LwM2MServer, CoAP over UDP) and a Python HTTP package server with Range.

Registration (endpoint, lifetime, binding, object links), reads in text/TLV/JSON, the campaign
download → execute → +UUFWPREVAL/+UUFWINSTALL → 128 → re-registration with State 0 and Update
Result 1 and the new version; a bad signature → Update Result 5; AT+ULWM2MREAD/WRITE/LIST,
lifetime change → registration update, DEREG/REG; URCs off after reboot. Synchronised on URCs,
datagrams and HTTP requests, never on sleeps."""

import os
import shutil
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from simharness import wait_until  # noqa: E402
from test_install_util import Sim, Workshop  # noqa: E402
from ufota_peers import (CF_JSON, CF_TLV, LwM2MServer, PackageServer, code,  # noqa: E402
                         tlv_decode, tlv_int)

FAST = 0.02
OLD, NEW = "LARA-R6.01.00", "LARA-R6.02.00"
W = None
PKG = b""
BAD = b""


def setUpModule():
    global W, PKG, BAD
    W = Workshop(tempfile.mkdtemp(prefix="larafw-ufota-"), image_size=512 * 1024)
    W.a = W.image("a.img", seed=1)
    W.b = W.successor(W.a, "b.img", NEW, change=40)
    with open(W.delta(W.a, W.b, "delta.upd"), "rb") as f:
        PKG = f.read()
    BAD = PKG[:-1] + bytes([PKG[-1] ^ 1])  # the signature no longer matches


def tearDownModule():
    if W and os.environ.get("LARAFW_KEEP") != "1":
        shutil.rmtree(W.dir, ignore_errors=True)


def new_sim(srv, product=None, time_scale=FAST, extra=()):
    return Sim(time_scale=time_scale, firmware=W.a, fota_key=W.pub, product=product,
               extra_args=["--lwm2m-server", srv.uri] + list(extra))


def read_text(path):
    with open(path) as f:
        return f.read()


def enable_urcs(sim):
    sim.ok("AT+UFOTASTAT=1")
    sim.ok("AT+ULWM2MSTAT=1,7")


class RegistrationTest(unittest.TestCase):
    def test_register_read_write(self):
        with LwM2MServer() as srv, new_sim(srv) as sim:
            enable_urcs(sim)
            kind, path, queries, payload = srv.wait_registration()
            wait_until(lambda: "+ULWM2MSTAT: 1,721,3" in read_text(sim.report_path),
                       what="the registration in the report")
            imei = srv.read("/3/0/2").decode()
            self.assertEqual(len(imei), 15)
            self.assertIn("ep=urn:imei:%s" % imei, queries)
            self.assertIn("lt=86400", queries)
            self.assertIn("lwm2m=1.0", queries)
            self.assertIn("b=U", queries)
            for link in (b"</1/10>", b"</3/0>", b"</5/0>"):
                self.assertIn(link, payload)
            self.assertEqual(srv.read("/3/0/0"), b"u-blox")
            self.assertEqual(srv.read("/3/0/3").decode(), OLD)
            dev = tlv_decode(srv.read("/3/0", accept=CF_TLV))
            self.assertEqual(dev[0], b"u-blox")
            self.assertEqual(dev[2].decode(), imei)
            server = tlv_decode(srv.read("/1/10", accept=CF_TLV))
            self.assertEqual(tlv_int(server[0]), 721)
            self.assertEqual(tlv_int(server[1]), 86400)
            self.assertIn(b'"bn": "/5/0/"', srv.read("/5/0", accept=CF_JSON))
            fw = tlv_decode(srv.read("/5", accept=CF_TLV))
            self.assertEqual(tlv_int(fw[3]), 0)
            self.assertEqual([tlv_int(x) for x in fw[8]], [2, 3])
            self.assertEqual(srv.read("/5/0/9"), b"0")
            self.assertEqual(srv.request(1, "/3/0/99")[0], code(4, 4))
            self.assertEqual(srv.write("/3/0/0", "x"), code(4, 5))
            # AT side (§5.6)
            lines = sim.ok('AT+ULWM2MLIST="/"')
            self.assertIn('"/1/10"', lines[0])
            self.assertIn('"/5/0"', lines[0])
            lines = sim.ok('AT+ULWM2MREAD="/1/10"')
            self.assertTrue(lines[0].startswith('+ULWM2MREAD: {"bn": "/1/10/", "e": [{"n": "0", "v": 721}'),
                            lines)
            # a lifetime change by the host triggers a registration update (§5.6)
            sim.ok('AT+ULWM2MWRITE="{\\"bn\\": \\"/1/10/\\", \\"e\\": [{\\"n\\": \\"1\\", \\"v\\": 604800}]}"')
            kind, path, queries, _ = srv.wait_registration("update")
            self.assertEqual(path, "rd/c1")
            self.assertIn("lt=604800", queries)
            self.assertEqual(tlv_int(tlv_decode(srv.read("/1/10/1", accept=CF_TLV))[1]), 604800)
            # ... and so does the server's write of /1/10/1
            self.assertEqual(srv.write("/1/10/1", "60"), code(2, 4))
            kind, path, queries, _ = srv.wait_registration("update", count=2)
            self.assertIn("lt=60", queries)
            # the next Update comes by itself before the lifetime ends (SRLT, module clock)
            kind, path, queries, _ = srv.wait_registration("update", count=3)
            self.assertIn("lt=60", queries)
            # deregistration until AT+ULWM2MREG
            sim.ok("AT+ULWM2MDEREG")
            srv.wait_registration("deregister")
            sim.ok("AT+ULWM2MREG")
            srv.wait_registration("register", count=2)
            sim.wait_urc("+UFOTASTAT: 3,1,0")  # client (re)started
            sim.wait_urc("+ULWM2MSTAT: 1,721,3")
            # URCs are off after a reboot (§5.7.1); the client registers again
            sim.ok("AT+CFUN=16")
            sim.uart.wait_at()
            srv.wait_registration("register", count=3)
            self.assertEqual(sim.ok("AT+UFOTASTAT?"), ["+UFOTASTAT: 0"])
            # the lifetime persisted
            self.assertIn("lt=60", [r for r in srv.registrations if r[0] == "register"][-1][2])


class CampaignTest(unittest.TestCase):
    def campaign(self, srv, sim, web, name, count=1):
        enable_urcs(sim)
        sim.ok("AT+UFWINSTALL=1,115200,,1")
        srv.wait_registration(count=count)
        wait_until(lambda: read_text(sim.report_path).count("registered: /rd/") >= count,
                   what="registration #%d in the report" % count)
        self.assertEqual(srv.observe("/5/0/3"), b"0")
        srv.observe("/5/0/5")
        self.assertEqual(srv.write("/5/0/1", web.url(name)), code(2, 4))
        sim.wait_urc("+UFOTASTAT: 1,0,0")
        sim.wait_urc("+UFOTASTAT: 2,2,100", timeout=60)
        sim.wait_urc("+ULWM2MSTAT: 2,100")
        sim.wait_urc("+ULWM2MSTAT: 3,721,/5/0/3")
        srv.wait_value("/5/0/3", 2)
        self.assertEqual(srv.read("/5/0/7").decode(), NEW)
        # the host may not install a package that came by LwM2M (§4.3)
        sim.ok("AT+CMEE=2")
        self.assertEqual(sim.cmd("AT+UFWINSTALL")[1], "+CME ERROR: operation not allowed")
        self.assertEqual(srv.execute("/5/0/2"), code(2, 4))
        srv.wait_value("/5/0/3", 3)

    def test_download_execute_install(self):
        with LwM2MServer() as srv, PackageServer({"fw.upd": PKG}) as web, new_sim(srv) as sim:
            self.campaign(srv, sim, web, "fw.upd")
            sim.wait_urc("+UUFWPREVAL: 0", timeout=60)
            sim.wait_urc("+UUFWINSTALL: 128", timeout=60)
            sim.uart.wait_at(timeout=60)
            srv.wait_registration(count=2, timeout=60)
            # the host did not enable the URCs again after the update (§5.7.1): on record
            wait_until(lambda: "not enabled again after the update" in read_text(sim.report_path),
                       what="the compliance record")
            self.assertEqual(srv.observe("/5/0/3"), b"0")
            self.assertEqual(srv.read("/5/0/5"), b"1")
            self.assertEqual(srv.read("/3/0/3").decode(), NEW)
            self.assertEqual(sim.ok("AT+CGMR"), [NEW])

    def test_bad_signature(self):
        with LwM2MServer() as srv, PackageServer({"bad.upd": BAD}) as web, new_sim(srv) as sim:
            self.campaign(srv, sim, web, "bad.upd")
            sim.wait_urc("+UUFWINSTALL: 173", timeout=60)
            sim.uart.wait_at(timeout=60)
            srv.wait_registration(count=2, timeout=60)
            self.assertEqual(srv.read("/5/0/5"), b"5")  # integrity check failure
            self.assertEqual(srv.read("/5/0/3"), b"0")
            self.assertEqual(srv.read("/3/0/3").decode(), OLD)

    def test_after_install_table6(self):
        """§5.7.6: the MNO profile set before is restored (the package switched it to 90), the
        custom APN takes its factory value."""
        with open(W.delta(W.a, W.b, "mno.upd", "--nvm", "mno=90"), "rb") as f:
            mno_pkg = f.read()
        with LwM2MServer() as srv, PackageServer({"mno.upd": mno_pkg}) as web, new_sim(srv) as sim:
            sim.ok("AT+CFUN=4")  # the client does not start without radio
            sim.ok("AT+UMNOPROF=100")
            sim.ok('AT+CGDCONT=1,"IP","custom.apn"')
            before = len([r for r in srv.registrations if r[0] == "register"])
            sim.ok("AT+CFUN=16")
            sim.uart.wait_at()
            self.campaign(srv, sim, web, "mno.upd", count=before + 1)
            sim.wait_urc("+UUFWINSTALL: 128", timeout=60)
            sim.uart.wait_at(timeout=60)
            self.assertIn("+UMNOPROF: 100", sim.ok("AT+UMNOPROF?"))
            self.assertFalse([x for x in sim.ok("AT+CGDCONT?") if "custom.apn" in x])
            self.assertEqual(sim.ok("AT+CGMR")[-1], NEW)

    def test_missing_package_and_bad_uri(self):
        with LwM2MServer() as srv, PackageServer({}) as web, new_sim(srv) as sim:
            enable_urcs(sim)
            srv.wait_registration()
            srv.observe("/5/0/5")
            self.assertEqual(srv.write("/5/0/1", web.url("none.upd")), code(2, 4))
            srv.wait_value("/5/0/5", 7)  # invalid URI
            self.assertEqual(srv.write("/5/0/1", "ftp://127.0.0.1/x.upd"), code(2, 4))
            srv.wait_value("/5/0/5", 9)  # unsupported protocol


if __name__ == "__main__":
    unittest.main(verbosity=2)
