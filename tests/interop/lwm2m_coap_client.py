"""Interop: libcoap's own command-line client (Debian libcoap3-bin: coap-client-notls,
coap-client-openssl), software nobody here wrote, as the peer of larafw-sim's LwM2M client.

The simulator serves its objects on --lwm2m-port (the test picks a free UDP port and passes it;
the simulator also writes "objects served on udp port N" into its report). coap-client reads
/3/0 and /5/0/3, writes the Package URI /5/0/1 and executes /5/0/2 directly; block-wise
transfer (RFC 7959) both ways with -b 16: a Block2 read of /3/0 (TLV) and a Block1 write of
the Package URI; then the same over DTLS-PSK with coap-client-openssl (-u identity -k key),
and a wrong key that gets nothing; finally the client's own coaps:// session to libcoap's
coap-server-openssl. Synchronised on URCs and process exits, never on sleeps.

OMA LwM2M 1.0 conformance (issue 10, items 14-17): Discover on object, instance and resource
(link format, dim); Write partial update (POST on an instance, TLV and JSON) and replace (PUT
on an instance); text/plain answers carry Content-Format 0; unsigned resources refuse negative
values and TLV integers are signed by their length; a module reset ends every observation
(no notification on a pre-reset token)."""

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
from ufota_peers import (ACK, CF_JSON, CF_LINK, CF_TLV, CON, GET, OPT_ACCEPT, OPT_CF,  # noqa: E402
                         OPT_OBSERVE, OPT_URI_PATH, PackageServer, code, decode, encode,
                         opt_uint, tlv_decode, tlv_int)

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


def coap_file(binary, method, url, data, *opts):
    """coap-client with a binary payload (-f FILE)."""
    fd, path = tempfile.mkstemp(dir=W.dir)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    try:
        return coap(binary, method, url, "-f", path, *opts)
    finally:
        os.unlink(path)


class RawPeer:
    """A CoAP peer on one UDP socket, for what coap-client does not show: the options of an
    answer, and an observation kept across a module reset."""

    def __init__(self, port):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(20)
        self.dst = ("127.0.0.1", port)
        self.mid = 0x1200

    def close(self):
        self.sock.close()

    def send(self, mcode, path, token, options=()):
        self.mid += 1
        opts = [(OPT_URI_PATH, p.encode()) for p in path.strip("/").split("/")] + list(options)
        self.sock.sendto(encode(CON, mcode, self.mid, token, opts), self.dst)

    def recv(self):
        """The next message; a confirmable one (a notification) is acknowledged."""
        data, _ = self.sock.recvfrom(65536)
        msg = decode(data)
        if msg[0] == CON:
            self.sock.sendto(encode(ACK, 0, msg[2]), self.dst)
        return msg

    def request(self, mcode, path, token, options=()):
        """Sends a request; returns (its answer, the other messages that came before it)."""
        self.send(mcode, path, token, options)
        before = []
        while True:
            msg = self.recv()
            if msg[3] == token and msg[1] != 0:
                return msg, before
            before.append(msg)


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


class ConformanceTest(unittest.TestCase):
    """OMA LwM2M 1.0 behaviour of the client's objects, seen by libcoap's coap-client."""

    def test_discover(self):
        port = free_udp_port()
        base = "coap://127.0.0.1:%d" % port
        with Sim(time_scale=FAST, extra_args=["--lwm2m-port", str(port)]):
            rc, body, err = coap(COAP, "get", base + "/3", "-A", "40")
            self.assertEqual(rc, 0, err)
            links = body.decode().split(",")
            self.assertEqual(links[0], "</3>")
            self.assertIn("</3/0/0>", links)
            self.assertIn("</3/0/4>", links)  # executable resources are listed too
            self.assertIn("</3/0/11>;dim=1", links)
            body = coap(COAP, "get", base + "/5/0", "-A", "40")[1].decode().split(",")
            self.assertEqual(body[0], "</5/0>")
            self.assertIn("</5/0/8>;dim=2", body)
            self.assertIn("</5/0/1>", body)
            self.assertEqual(coap(COAP, "get", base + "/1/10/1", "-A", "40")[1], b"</1/10/1>")
            self.assertIn("4.04", coap(COAP, "get", base + "/3/0/77", "-A", "40")[2])

    def test_write_partial_and_replace(self):
        port = free_udp_port()
        base = "coap://127.0.0.1:%d" % port
        with Sim(time_scale=FAST, extra_args=["--lwm2m-port", str(port)]):
            # partial update: POST on the instance, JSON then TLV; Execute stays on resources
            rc, _, err = coap(COAP, "post", base + "/1/10", "-t", str(CF_JSON),
                              "-e", '{"bn":"/1/10/","e":[{"n":"2","v":30}]}')
            self.assertEqual(rc, 0, err)
            self.assertNotIn("4.", err)
            self.assertEqual(coap(COAP, "get", base + "/1/10/2")[1], b"30")
            # the entries of a Write lie under its path: "bn" does not lead elsewhere
            err = coap(COAP, "post", base + "/1/10", "-t", str(CF_JSON),
                       "-e", '{"bn":"/5/0/","e":[{"n":"1","sv":"http://127.0.0.1/x"}]}')[2]
            self.assertIn("4.00", err)
            self.assertEqual(coap(COAP, "get", base + "/5/0/1")[1], b"")
            rc, _, err = coap_file(COAP, "post", base + "/1/10", bytes([0xC1, 3, 120]),
                                   "-t", str(CF_TLV))  # /1/10/3 pmax = 120
            self.assertEqual(rc, 0, err)
            self.assertNotIn("4.", err)
            self.assertEqual(coap(COAP, "get", base + "/1/10/3")[1], b"120")
            self.assertEqual(coap(COAP, "get", base + "/1/10/2")[1], b"30")  # untouched
            # replace: PUT on the instance
            rc, _, err = coap_file(COAP, "put", base + "/1/10", bytes([0xC1, 2, 5, 0xC1, 3, 50]),
                                   "-t", str(CF_TLV))
            self.assertEqual(rc, 0, err)
            self.assertNotIn("4.", err)
            self.assertEqual(coap(COAP, "get", base + "/1/10/2")[1], b"5")
            self.assertEqual(coap(COAP, "get", base + "/1/10/3")[1], b"50")

    def test_unsigned_and_signed_integers(self):
        port = free_udp_port()
        base = "coap://127.0.0.1:%d" % port
        with Sim(time_scale=FAST, extra_args=["--lwm2m-port", str(port)]):
            # 0xFF as a one-byte TLV integer is -1 (signed by its length), not 255
            err = coap_file(COAP, "put", base + "/1/10", bytes([0xC1, 2, 0xFF]), "-t",
                            str(CF_TLV))[2]
            self.assertIn("4.00", err)
            err = coap_file(COAP, "put", base + "/1/10", bytes([0xC2, 5, 0xFF, 0xFE]), "-t",
                            str(CF_TLV))[2]
            self.assertIn("4.00", err)  # -2 as a disable timeout
            self.assertIn("4.00", coap(COAP, "put", base + "/1/10/3", "-e", "-5")[2])
            self.assertIn("4.00", coap(COAP, "put", base + "/1/10/1", "-e", "-60")[2])
            self.assertEqual(coap(COAP, "get", base + "/1/10/2")[1], b"10")  # factory value
            self.assertEqual(coap(COAP, "get", base + "/1/10/5")[1], b"86400")

    def test_text_content_format(self):
        port = free_udp_port()
        with Sim(time_scale=FAST, extra_args=["--lwm2m-port", str(port)]):
            peer = RawPeer(port)
            try:
                (mtype, mcode, _, _, opts, payload), _ = peer.request(GET, "/3/0/0", b"t1")
                self.assertEqual(mcode, code(2, 5))
                self.assertEqual(payload, b"u-blox")
                self.assertIn(OPT_CF, [n for n, _ in opts])  # present, not implied
                self.assertEqual(opt_uint(opts, OPT_CF), 0)
                (_, mcode, _, _, opts, _), _ = peer.request(
                    GET, "/3/0", b"t2", [(OPT_ACCEPT, (CF_TLV).to_bytes(2, "big"))])
                self.assertEqual(opt_uint(opts, OPT_CF), CF_TLV)
                (_, mcode, _, _, opts, _), _ = peer.request(
                    GET, "/3/0", b"t3", [(OPT_ACCEPT, bytes([CF_LINK]))])
                self.assertEqual(mcode, code(2, 5))
                self.assertEqual(opt_uint(opts, OPT_CF), CF_LINK)
            finally:
                peer.close()

    def test_reset_ends_observation(self):
        port = free_udp_port()
        base = "coap://127.0.0.1:%d" % port
        with Sim(time_scale=FAST, extra_args=["--lwm2m-port", str(port)]) as sim:
            peer = RawPeer(port)
            try:
                (_, mcode, _, _, opts, payload), _ = peer.request(GET, "/5/0/5", b"obs1",
                                                                 [(OPT_OBSERVE, b"")])
                self.assertEqual(mcode, code(2, 5))
                self.assertIsNotNone(opt_uint(opts, OPT_OBSERVE))  # observing
                self.assertEqual(payload, b"0")
                # a change is notified: Update Result 9 for a URI of an unknown protocol
                self.assertEqual(coap(COAP, "put", base + "/5/0/1", "-e", "ftp://x/p.upd")[0], 0)
                msg = peer.recv()
                self.assertEqual((msg[3], msg[5]), (b"obs1", b"9"))
                # a module reset ends the observation: the next change is not notified
                sim.ok("AT+CFUN=16")
                sim.uart.wait_at()
                wait_until(lambda: "observations ended" in read_text(sim.report_path),
                           what="the reset's end of the CoAP sessions")
                too_long = "http://127.0.0.1/" + "a" * 480  # Update Result 7, invalid URI
                self.assertEqual(coap(COAP, "put", base + "/5/0/1", "-e", too_long)[0], 0)
                self.assertEqual(coap(COAP, "get", base + "/5/0/5")[1], b"7")
                (_, mcode, _, _, _, payload), before = peer.request(GET, "/5/0/5", b"after")
                self.assertEqual(payload, b"7")
                self.assertEqual([m for m in before if m[3] == b"obs1"], [])
            finally:
                peer.close()


def read_text(path):
    with open(path) as f:
        return f.read()


if __name__ == "__main__":
    unittest.main(verbosity=2)
