"""larafw-sim and its secrets (docs/simulator.md, "Secrets"):

  * --psk-key-file FILE: the DTLS-PSK key from a private file; libcoap's coap-client reaches
    the module's objects with that key; a file the group or others may read is refused with a
    message saying `chmod 600`; no error message, no report ever shows the key;
  * the --report timeline hides FTP/HTTP passwords, also in near-miss commands the module
    refuses (`AT+UFTP =3,"pw"`, `AT+UFTP=2,"u",3,"pw"`, …) and URL credentials;
  * the state directory's files are 0600 (directories 0700) and the report 0600, whatever
    the umask.

Synchronised on the simulator's "ready" line, AT answers and process exits; no sleeps.
"""

import os
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from simharness import Sim, find_binary  # noqa: E402
from srvharness import free_port  # noqa: E402

PSK_ID = "lara-secrets"
KEY = b"lara-secret-key1"  # printable: coap-client's -k takes the key as text
KEY_HEX = KEY.hex()


def coap_client():
    for name in ("coap-client-openssl", "coap-client-gnutls"):
        path = shutil.which(name)
        if path:
            return path
    return None


class SecretsTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="larafw-secrets-")
        self.old_umask = os.umask(0o022)  # the usual umask: files would be 0644 without care

    def tearDown(self):
        os.umask(self.old_umask)
        if os.environ.get("LARAFW_KEEP") != "1":
            shutil.rmtree(self.dir, ignore_errors=True)

    def key_file(self, name, content, mode):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write(content)
        os.chmod(path, mode)
        return path

    def run_sim(self, *args):
        """larafw-sim with options that end it before "ready": (status, stderr)."""
        work = tempfile.mkdtemp(dir=self.dir)
        p = subprocess.run([find_binary("LARAFW_SIM", "larafw-sim"),
                            "--state", os.path.join(work, "m"),
                            "--uart", os.path.join(work, "uart")] + list(args),
                           stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           timeout=60)
        self.assertNotIn("Sanitizer", p.stderr)
        return p.returncode, p.stderr

    def assert_no_secret(self, text, *secrets):
        for secret in secrets:
            self.assertNotIn(secret, text)

    # ---- --psk-key-file ----
    def test_psk_key_file_serves_dtls(self):
        client = coap_client()
        if not client:
            self.skipTest("libcoap's coap-client (libcoap3-bin) is not installed")
        path = self.key_file("key.hex", KEY_HEX + "\n", 0o600)
        port = free_port(socket.SOCK_DGRAM)
        with Sim(extra_args=["--psk-identity", PSK_ID, "--psk-key-file", path,
                             "--lwm2m-port", str(port)]) as sim:
            imei = sim.ok("AT+CGSN")[0]
            r = subprocess.run([client, "-m", "get", "-u", PSK_ID, "-k", KEY.decode(),
                                "-B", "20", "coaps://127.0.0.1:%d/3/0/2" % port],
                               capture_output=True, text=True, timeout=60)
            self.assertEqual(r.stdout.strip(), imei, r.stderr)
            sim.terminate()
            with open(sim.report_path) as f:
                report = f.read()
            self.assert_no_secret(report + sim.log(), KEY_HEX, KEY.decode())
            self.assertIn("objects served on dtls port %d" % port, report)

    def test_psk_key_file_group_readable_refused(self):
        path = self.key_file("key.hex", KEY_HEX + "\n", 0o640)
        code, err = self.run_sim("--psk-identity", PSK_ID, "--psk-key-file", path,
                                 "--lwm2m-port", "0")
        self.assertEqual(code, 2, err)
        self.assertIn("chmod 600", err)
        self.assertIn(path, err)
        self.assert_no_secret(err, KEY_HEX, KEY.decode())
        os.chmod(path, 0o604)  # world-readable: refused too
        code, err = self.run_sim("--psk-identity", PSK_ID, "--psk-key-file", path,
                                 "--lwm2m-port", "0")
        self.assertEqual(code, 2, err)
        self.assertIn("chmod 600", err)

    def test_key_never_in_errors(self):
        bad = "not-hex-" + KEY.decode()
        path = self.key_file("bad.hex", bad + "\n", 0o600)
        code, err = self.run_sim("--psk-identity", PSK_ID, "--psk-key-file", path,
                                 "--lwm2m-port", "0")
        self.assertEqual(code, 2, err)
        self.assertIn("hex digits", err)
        self.assert_no_secret(err, bad, KEY.decode())
        code, err = self.run_sim("--psk-identity", PSK_ID, "--psk-key", bad, "--lwm2m-port", "0")
        self.assertEqual(code, 2, err)
        self.assertIn("hex digits", err)
        self.assert_no_secret(err, bad, KEY.decode())
        # a misspelt option carrying the key: its name is shown, not the value
        code, err = self.run_sim("--psk-kye=" + KEY_HEX)
        self.assertEqual(code, 2, err)
        self.assertIn("--psk-kye", err)
        self.assert_no_secret(err, KEY_HEX)
        # both sources of the key at once
        good = self.key_file("key.hex", KEY_HEX, 0o600)
        code, err = self.run_sim("--psk-identity", PSK_ID, "--psk-key", KEY_HEX,
                                 "--psk-key-file", good, "--lwm2m-port", "0")
        self.assertEqual(code, 2, err)
        self.assertIn("once", err)
        self.assert_no_secret(err, KEY_HEX)

    # ---- the report ----
    def test_report_redacts_near_miss_passwords(self):
        commands = [
            'AT+UFTP=3,"pw-secret-1"',
            'AT+UFTP =3,"pw-secret-2"',
            'AT+UFTP=2,"user",3,"pw-secret-3"',
            'at+uftp = 03 , "pw-secret-4"',
            'AT+UFTP=\t3,"pw-secret-5"',
            'AT+UHTTP=0,3,"pw-secret-6"',
            'AT+UHTTP =0,3,"pw-secret-7"',
            'AT+uhttp=0,2,"user",3,"pw-secret-8"',
            'AT+UHTTP=3,"pw-secret-9"',
            'AT+UFTP=2,"user";+UFTP=3,"pw-secret-10"',
            'AT+UHTTP=0,1,"http://user:pw-secret-11@host"',
        ]
        with Sim() as sim:
            for c in commands:
                sim.cmd(c)  # OK or ERROR: the line is in the report either way
            text = [e["text"] for e in sim.report() if e["kind"] == "cmd"]
            self.assertEqual(len([t for t in text if "***" in t]), len(commands), text)
            for t in text:
                self.assertNotIn("pw-secret", t)
            self.assertIn('uart AT+UFTP=2,"user",3,***', text)
            self.assertIn("uart AT+UFTP =3,***", text)

    # ---- file modes ----
    def test_state_and_report_files_are_private(self):
        with Sim() as sim:
            # a file of the module's file system
            self.assertEqual(sim.uart.download("notes.txt", b"hello"), "OK")
            sim.ok('AT+UFTP=3,"pw"')
            sim.terminate()
            modes = {}
            for root, dirs, files in os.walk(sim.state_dir):
                for name in dirs + files:
                    p = os.path.join(root, name)
                    modes[os.path.relpath(p, sim.state_dir)] = os.lstat(p).st_mode
            modes["."] = os.stat(sim.state_dir).st_mode
            self.assertIn("state", modes)
            self.assertIn("image.bin", modes)
            self.assertTrue(any(k.endswith("notes.txt") for k in modes), modes)
            for rel, mode in modes.items():
                self.assertEqual(mode & 0o077, 0, "%s is %o" % (rel, stat.S_IMODE(mode)))
            self.assertEqual(stat.S_IMODE(os.stat(sim.report_path).st_mode), 0o600)

    def test_existing_report_made_private(self):
        report = os.path.join(self.dir, "report.json")
        with open(report, "w") as f:
            f.write("[\n]\n")
        os.chmod(report, 0o644)
        work = os.path.join(self.dir, "w")
        os.mkdir(work)
        sim = Sim(workdir=work, report=False, extra_args=["--report", report])
        with sim:
            sim.ok("AT")
        self.assertEqual(stat.S_IMODE(os.stat(report).st_mode), 0o600)


if __name__ == "__main__":
    unittest.main(verbosity=2)
