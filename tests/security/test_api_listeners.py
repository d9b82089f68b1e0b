"""Issue 10 item 7: package downloads and the API listen separately, HTTPS for both. Before:
/api/ was served on the --http address, so opening downloads to the modules opened the API.

  * /api/ on the download listener → 404 (it says where the API is); /packages/ on the API
    listener → 404;
  * --api-tls: the API over HTTPS (curl checks the certificate), plain HTTP to it fails;
    `devices --ca-file` works against it; --https serves packages over TLS.
"""

import os
import subprocess
import sys
import unittest

from apisec import HERE, Packages, Server, curl

sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
from netservers import make_cert  # noqa: E402

P = None


def setUpModule():
    global P
    P = Packages()


def tearDownModule():
    P.cleanup()


class ListenerTest(unittest.TestCase):
    def test_api_not_on_download_listener(self):
        with Server(P.packages) as srv:
            auth = "Authorization: Bearer " + srv.token
            status, _, body = curl("-H", auth, srv.url + "/api/devices")
            self.assertEqual(status, 404)
            self.assertIn(b"--api", body)
            status, _, _ = curl("-H", auth, "-H", "Content-Type: application/json",
                                "-d", '{"package":"a-b.upd"}', srv.url + "/api/devices/1/update")
            self.assertEqual(status, 404)
            status, _, _ = curl(srv.api_url + "/packages/a-b.upd")
            self.assertEqual(status, 404)
            status, _, _ = curl(srv.url + "/packages/a-b.upd")
            self.assertEqual(status, 200)
            self.assertIn("api=" + srv.api_url, srv.ready_line)

    def test_https_for_both(self):
        cert, key = make_cert(P.dir)
        with Server(P.packages, tls=(cert, key), extra=["--api-tls"]) as srv:
            api = srv.api_url.replace("http://", "https://")
            self.assertIn("api=" + api, srv.ready_line)
            auth = "Authorization: Bearer " + srv.token
            status, _, body = curl("--cacert", cert, "-H", auth, api + "/api/devices")
            self.assertEqual((status, body.strip()), (200, b"[]"))
            status, _, _ = curl("-H", auth, srv.api_url + "/api/devices")
            self.assertNotEqual(status, 200)  # no plain HTTP on the TLS listener
            r = subprocess.run([srv.binary, "devices", "--server", api, "--ca-file", cert,
                                "--token-file", srv.token_file], capture_output=True, text=True,
                               timeout=30)
            self.assertEqual(r.returncode, 0, r.stderr)
            status, _, _ = curl("--cacert", cert, srv.https_url + "/packages/a-b.upd")
            self.assertEqual(status, 200)


if __name__ == "__main__":
    unittest.main(verbosity=2)
