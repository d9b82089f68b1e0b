#!/usr/bin/env python3
"""larafw-server --check-config: what the Debian unit runs before starting the server.
It accepts a good configuration without binding anything, and refuses a bad one with exit 2
and a message. Environment: LARAFW_SERVER."""
import os
import socket
import subprocess
import tempfile
import unittest

SERVER = os.environ["LARAFW_SERVER"]


def check(*args):
    return subprocess.run([SERVER, "--check-config", *args], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, timeout=60)


class CheckConfig(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="larafw-srv-config-")
        self.packages = os.path.join(self.tmp.name, "packages")
        os.mkdir(self.packages)

    def tearDown(self):
        self.tmp.cleanup()

    def test_good_config_binds_nothing(self):
        # the addresses are taken: a server that bound them would fail
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            udp.bind(("127.0.0.1", 0))
            tcp.bind(("127.0.0.1", 0))
            tcp.listen(1)
            coap = "127.0.0.1:%d" % udp.getsockname()[1]
            http = "127.0.0.1:%d" % tcp.getsockname()[1]
            p = check("--packages", self.packages, "--coap", coap, "--http", http,
                      "--db", os.path.join(self.tmp.name, "store.db"))
        finally:
            udp.close()
            tcp.close()
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("configuration OK", p.stdout)
        self.assertIn(self.packages, p.stdout)
        self.assertFalse(os.path.exists(os.path.join(self.tmp.name, "store.db")),
                         "--check-config created the store")

    def test_missing_packages_dir(self):
        p = check("--packages", os.path.join(self.tmp.name, "absent"))
        self.assertEqual(p.returncode, 2)
        self.assertIn("not a directory", p.stderr)

    def test_bad_psk_file(self):
        psk = os.path.join(self.tmp.name, "psk")
        with open(psk, "w") as f:
            f.write("no-colon-here\n")
        os.chmod(psk, 0o600)
        p = check("--packages", self.packages, "--psk-file", psk)
        self.assertEqual(p.returncode, 2)
        self.assertIn("identity:hexkey", p.stderr)

    def test_https_without_key(self):
        cert = os.path.join(self.tmp.name, "absent.pem")
        p = check("--packages", self.packages, "--https", "127.0.0.1:8443", "--tls-cert", cert,
                  "--tls-key", cert)
        self.assertEqual(p.returncode, 2)
        self.assertIn("cannot read", p.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
