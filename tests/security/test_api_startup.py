"""Issue 10 item 13: careless exposure is refused or announced at start. Before,
`--http 0.0.0.0:P` without --public-url started and wrote Package URIs like
http://0.0.0.0:P/packages/… to devices, which no module can reach.

Nothing here binds a non-loopback address: the checks run before any socket is opened, and
the warnings for a NoSec CoAP address and a plain-HTTP API beyond loopback are printed before
the refusal.
"""

import subprocess
import unittest

from apisec import Packages, find_server

P = None


def setUpModule():
    global P
    P = Packages()


def tearDownModule():
    P.cleanup()


def start(*args):
    return subprocess.run([find_server(), "--packages", P.packages] + list(args),
                          capture_output=True, text=True, timeout=30)


class StartupTest(unittest.TestCase):
    def test_wildcard_http_needs_public_url(self):
        for addr in ("0.0.0.0:18080", "[::]:18080"):
            r = start("--http", addr)
            self.assertEqual(r.returncode, 2, r.stderr)
            self.assertIn("--public-url", r.stderr)
            self.assertIn("cannot reach", r.stderr)
            self.assertEqual(r.stdout, "")  # never got to "ready"

    def test_nosec_and_plain_api_beyond_loopback_warn(self):
        r = start("--coap", "0.0.0.0:15683", "--api", "0.0.0.0:18081", "--http", "0.0.0.0:18080")
        self.assertEqual(r.returncode, 2)
        self.assertIn("NoSec", r.stderr)
        self.assertIn("--psk-file", r.stderr)
        self.assertIn("tokens cross the network in clear", r.stderr)
        r = start("--coap", "127.0.0.1:15683", "--http", "0.0.0.0:18080")
        self.assertNotIn("NoSec", r.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
