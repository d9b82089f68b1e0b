"""Issue 10 item 11: package serving under hostile files and requests.

  * a FIFO (or a directory) named like a package is refused at once — before, `mkfifo
    packages/x.upd` and one GET froze the server's only thread in open(): CoAP and the API
    stopped answering. The GET, an update job naming it, CoAP and the API all answer;
  * %00 in a path → 400 — before, libmicrohttpd decoded /packages/a-b.upd%00.txt to
    /packages/a-b.upd and served it;
  * ETag and Last-Modified are sent and If-Range is honoured — before, a download resumed
    with Range after the package was replaced got the new file's tail glued to the old
    file's head (206); now a stale validator gets the whole new file (200);
  * 5 000 idle connections do not shut HTTP out — before, select() stopped at FD_SETSIZE
    (1024) and new downloads and API calls were refused; now a download, an API call and a
    CoAP registration all work while 5 000 sockets sit open.
"""

import os
import resource
import socket
import unittest

from apisec import (FakeDevice, OLD, Packages, Server, curl, header, luhn_imei,
                    registered_device)

P = None


def setUpModule():
    global P
    P = Packages()


def tearDownModule():
    P.cleanup()


class PackageServingTest(unittest.TestCase):
    def setUp(self):
        self.srv = Server(P.packages)

    def tearDown(self):
        self.srv.__exit__(None, None, None)

    def test_fifo_and_directory_do_not_block(self):
        fifo = os.path.join(P.packages, "x.upd")
        os.mkfifo(fifo)
        os.mkdir(os.path.join(P.packages, "d.upd"))
        try:
            for name in ("x.upd", "d.upd"):
                status, _, body = curl(self.srv.url + "/packages/" + name, timeout=10)
                self.assertEqual(status, 404, "GET %s: %r" % (name, body))
            dev = registered_device(self.srv, luhn_imei("35600000000003"))  # CoAP answers
            try:
                status, j, _, _ = self.srv.api("POST", "/api/devices/%s/update" % dev.imei,
                                               {"package": "x.upd"})
                self.assertIn(status, (400, 404), j)  # the job engine does not block either
                status, _, _, _ = self.srv.api("GET", "/api/devices")
                self.assertEqual(status, 200)
            finally:
                dev.close()
        finally:
            os.unlink(fifo)
            os.rmdir(os.path.join(P.packages, "d.upd"))

    def test_nul_in_path_is_400(self):
        for path in ("/packages/a-b.upd%00.txt", "/packages/a-b.upd%00", "/packages/%00a-b.upd"):
            status, _, body = curl(self.srv.url + path)
            self.assertEqual(status, 400, path)
            self.assertNotIn(b"LFW", body[:8])
        status, _, _ = curl("-H", "Authorization: Bearer " + self.srv.token,
                            self.srv.api_url + "/api/devices%00/x")
        self.assertEqual(status, 400)


class IfRangeTest(unittest.TestCase):
    def test_resume_after_replacement_never_mixes(self):
        path = os.path.join(P.packages, "r.upd")
        old = bytes((i * 7) & 0xFF for i in range(4096))
        new = bytes((i * 13 + 1) & 0xFF for i in range(4096))
        with open(path, "wb") as f:
            f.write(old)
        os.utime(path, (1_700_000_000, 1_700_000_000))
        with Server(P.packages) as srv:
            url = srv.url + "/packages/r.upd"
            status, head, body = curl("-H", "Range: bytes=0-99", url)
            self.assertEqual((status, body), (206, old[:100]))
            etag, modified = header(head, "ETag"), header(head, "Last-Modified")
            self.assertTrue(etag and etag.startswith('"'), head)
            self.assertEqual(modified, "Tue, 14 Nov 2023 22:13:20 GMT")
            # unchanged file: the validators match, the resume is a 206
            for validator in (etag, modified):
                status, _, body = curl("-H", "Range: bytes=100-", "-H", "If-Range: " + validator,
                                       url)
                self.assertEqual((status, body), (206, old[100:]))
            # replaced by another file of the same size (a new build under the same name)
            tmp = path + ".new"
            with open(tmp, "wb") as f:
                f.write(new)
            os.utime(tmp, (1_700_000_100, 1_700_000_100))
            os.replace(tmp, path)
            for validator in (etag, modified, "W/" + etag):
                status, head, body = curl("-H", "Range: bytes=100-",
                                          "-H", "If-Range: " + validator, url)
                self.assertEqual(status, 200, validator)
                self.assertEqual(body, new, "a resume must not mix two files")
            # rewritten in place (same inode, same size): the tag changes all the same
            etag2 = header(head, "ETag")
            with open(path, "r+b") as f:
                f.write(old[:10])
            status, head, body = curl("-H", "Range: bytes=100-", "-H", "If-Range: " + etag2, url)
            self.assertEqual(status, 200)
            self.assertNotEqual(header(head, "ETag"), etag2)
        os.unlink(path)


class IdleConnectionsTest(unittest.TestCase):
    COUNT = 5000

    def test_5000_idle_connections(self):
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        need = self.COUNT + 200
        if hard != resource.RLIM_INFINITY and hard < need:
            self.skipTest("hard RLIMIT_NOFILE %d < %d" % (hard, need))
        resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, need), hard))
        socks = []
        with Server(P.packages) as srv:
            try:
                for _ in range(self.COUNT):
                    s = socket.create_connection(("127.0.0.1", srv.http_port), timeout=30)
                    s.sendall(b"GET /packages/a-b.upd HTTP/1.1\r\n")  # and never finishes
                    socks.append(s)
                status, _, body = curl(srv.url + "/packages/a-b.upd", timeout=20)
                self.assertEqual(status, 200)
                self.assertEqual(len(body), os.path.getsize(os.path.join(P.packages, "a-b.upd")))
                status, _, _, _ = srv.api("GET", "/api/devices")
                self.assertEqual(status, 200)
                dev = FakeDevice(srv.coap_port, imei=luhn_imei("35600000000004"), version=OLD)
                try:
                    dev.register()  # waits for 2.01
                finally:
                    dev.close()
            finally:
                for s in socks:
                    s.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
