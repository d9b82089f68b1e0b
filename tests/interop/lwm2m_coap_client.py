"""Interop: libcoap's own command-line client (Debian libcoap3-bin: coap-client-notls,
coap-client-openssl), software nobody here wrote, as the peer of larafw-sim's LwM2M client.

The simulator serves its objects on --lwm2m-port (the test picks a free UDP port and passes it;
the simulator also writes "objects served on udp port N" into its report). coap-client reads
/3/0 and /5/0/3, writes the Package URI /5/0/1 and executes /5/0/2 directly; block-wise
transfer (RFC 7959) both ways with -b 16: a Block2 read of /3/0 (TLV) and a Block1 write of
the Package URI; then the same over DTLS-PSK with coap-client-openssl (-u identity -k key),
and a wrong key that gets nothing; finally the client's own coaps:// session to libcoap's
coap-server-openssl. Synchronised on URCs and process exits, never on sleeps."""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "e2e"))

from simharness import wait_until  # noqa: E402
from test_install_util import Sim, Workshop  # noqa: E402
from ufota_peers import PackageServer, tlv_decode, tlv_int  # noqa: E402

COAP = shutil.which("coap-client-notls") or "/usr/bin/coap-client-notls"
COAPS = shutil.which("coap-client-openssl") or "/usr/bin/coap-client-openssl"
FAST = 0.02
NEW = "LARA-R6.02.00"
PSK_ID, PSK_KEY = "larafw-module", "sim-psk-secret-1"
W = None
PKG = b""


def setUpModule():
    global W, PKG
    if not (os.access(COAP, os.X_OK) and os.access(COAPS, os.X_OK)):
        raise unittest.SkipTest("libcoap3-bin (coap-client-notls, coap-client-openssl) missing")
    W = Workshop(tempfile.mkdtemp(prefix="larafw-coapinterop-"), image_size=256 * 1024)
    W.a = W.image("a.img", seed=3)
    b = W.successor(W.a, "b.img", NEW, change=20)
    with open(W.delta(W.a, b, "delta.upd"), "rb") as f:
        PKG = f.read()


def tearDownModule():
    if W and os.environ.get("LARAFW_KEEP") != "1":
        shutil.rmtree(W.dir, ignore_errors=True)


def free_udp_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def coap(binary, method, url, *opts):
    """Runs coap-client; returns (exit code, payload bytes exactly as received, stderr)."""
    fd, out = tempfile.mkstemp(dir=W.dir)
    os.close(fd)
    try:
        p = subprocess.run([binary, "-m", method, "-B", "10", "-o", out] + list(opts) + [url],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
        with open(out, "rb") as f:
            return p.returncode, f.read(), p.stderr.decode(errors="replace")
    finally:
        os.unlink(out)


class CoapClientTest(unittest.TestCase):
    def test_udp_campaign_blockwise(self):
        port = free_udp_port()
        base = "coap://127.0.0.1:%d" % port
        with PackageServer({"delta.upd": PKG}) as web, \
                Sim(time_scale=FAST, firmware=W.a, fota_key=W.pub,
                    extra_args=["--lwm2m-port", str(port)]) as sim:
            sim.ok("AT+UFOTASTAT=1")
            sim.ok("AT+UFWINSTALL=1,115200,,1")
            self.assertEqual(coap(COAP, "get", base + "/3/0/0")[1], b"u-blox")
            self.assertEqual(coap(COAP, "get", base + "/5/0/3")[1], b"0")
            whole = coap(COAP, "get", base + "/3/0", "-A", "11542")[1]
            blocks = coap(COAP, "get", base + "/3/0", "-A", "11542", "-b", "16")[1]
            self.assertGreater(len(whole), 64)  # several 16-byte blocks
            self.assertEqual(blocks, whole)
            dev = tlv_decode(blocks)
            self.assertEqual(dev[0], b"u-blox")
            self.assertEqual(dev[3].decode(), "LARA-R6.01.00")
            self.assertEqual(tlv_int(tlv_decode(coap(COAP, "get", base + "/1/10/0", "-A", "11542")[1])[0]),
                             721)
            rc, body, err = coap(COAP, "get", base + "/3/0/77")
            self.assertIn("4.04", err)
            # Block1: the Package URI in 16-byte blocks
            url = web.url("delta.upd")
            rc, _, err = coap(COAP, "put", base + "/5/0/1", "-t", "0", "-b", "16", "-e", url)
            self.assertEqual(rc, 0, err)
            sim.wait_urc("+UFOTASTAT: 2,2,100", timeout=60)
            self.assertEqual(coap(COAP, "get", base + "/5/0/1")[1].decode(), url)
            self.assertEqual(coap(COAP, "get", base + "/5/0/3")[1], b"2")
            rc, _, err = coap(COAP, "post", base + "/5/0/2")
            self.assertEqual(rc, 0, err)
            sim.wait_urc("+UUFWINSTALL: 128", timeout=60)
            sim.uart.wait_at(timeout=60)
            self.assertEqual(coap(COAP, "get", base + "/5/0/5")[1], b"1")
            self.assertEqual(coap(COAP, "get", base + "/5/0/3")[1], b"0")
            self.assertEqual(coap(COAP, "get", base + "/3/0/3")[1].decode(), NEW)

    def test_dtls_psk(self):
        port = free_udp_port()
        base = "coaps://127.0.0.1:%d" % port
        with Sim(time_scale=FAST, extra_args=["--lwm2m-port", str(port), "--psk-identity", PSK_ID,
                                              "--psk-key", PSK_KEY.encode().hex()]) as sim:
            psk = ["-u", PSK_ID, "-k", PSK_KEY]
            self.assertEqual(coap(COAPS, "get", base + "/3/0/0", *psk)[1], b"u-blox")
            whole = coap(COAPS, "get", base + "/5/0", "-A", "11542", *psk)[1]
            self.assertEqual(coap(COAPS, "get", base + "/5/0", "-A", "11542", "-b", "16", *psk)[1],
                             whole)
            self.assertEqual(tlv_int(tlv_decode(whole)[3]), 0)
            rc, _, err = coap(COAPS, "put", base + "/1/10/1", "-e", "7200", "-t", "0", *psk)
            self.assertEqual(rc, 0, err)
            self.assertIn('{"n": "1", "v": 7200}', sim.ok('AT+ULWM2MREAD="/1/10"')[0])
            # the wrong key: no DTLS session, no payload
            self.assertEqual(coap(COAPS, "get", base + "/3/0/0", "-u", PSK_ID, "-k", "wrong",
                                  "-B", "3")[1], b"")

    def test_dtls_psk_client_session(self):
        """The client's own DTLS-PSK session (coaps:// --lwm2m-server) to libcoap's
        coap-server-openssl: not an LwM2M server, so the Register gets 4.04, but the answer
        came over the DTLS session the client set up with the PSK."""
        server = shutil.which("coap-server-openssl") or "/usr/bin/coap-server-openssl"
        if not os.access(server, os.X_OK):
            self.skipTest("coap-server-openssl missing")
        port = free_udp_port()  # coap-server: CoAP on port, CoAPS on port + 1
        srv = subprocess.Popen([server, "-A", "127.0.0.1", "-p", str(port), "-k", PSK_KEY,
                                "-h", PSK_ID], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
        try:
            with Sim(time_scale=FAST,
                     extra_args=["--lwm2m-server", "coaps://127.0.0.1:%d" % (port + 1),
                                 "--psk-identity", PSK_ID,
                                 "--psk-key", PSK_KEY.encode().hex()]) as sim:
                wait_until(lambda: "register refused: 4.04" in read_text(sim.report_path),
                           timeout=30, what="the DTLS server's answer to Register")
        finally:
            srv.terminate()
            srv.wait(10)


def read_text(path):
    with open(path) as f:
        return f.read()


if __name__ == "__main__":
    unittest.main(verbosity=2)
