"""Issue 10, item 10: the PSK credentials file is read whole and must be private.

Before: the file was read into a 64 KiB buffer and cut there silently; the identity across the
cut got a shortened key and the identities after it did not exist. A file the group or others
could read was used as it was. Now the whole file counts, and a group/world-readable file
stops the server with a message that says `chmod 600`.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from secharness import (Server, answer_code, coap, has_dtls, psk_args,  # noqa: E402
                        write_secret)
from srvharness import find_server  # noqa: E402


class PskFile(unittest.TestCase):
    def setUp(self):
        self.work = tempfile.mkdtemp(prefix="larafw-sec-psk-")
        self.packages = os.path.join(self.work, "packages")
        os.mkdir(self.packages)

    def tearDown(self):
        shutil.rmtree(self.work, ignore_errors=True)

    def big_file(self):
        """~100 KiB of identities; 'cut' straddles byte 65536, 'last' is the final line."""
        lines, size, i = ["# many modules"], 0, 0
        while size < 65536 - 200:
            line = "dev-%05d:%s" % (i, ("%032x" % i))
            lines.append(line)
            size += len(line) + 1
            i += 1
        size = sum(len(x) + 1 for x in lines)
        # pad so that the next line crosses the 64 KiB mark in the middle of its key
        pad = 65536 - size - len("cut:") - 20
        lines.append("#" + "x" * (pad - 2))
        self.cut_key = "cut-key-32-bytes-long-0123456789"
        lines.append("cut:%s" % self.cut_key.encode().hex())
        while sum(len(x) + 1 for x in lines) < 100 * 1024:
            lines.append("dev-%05d:%s" % (i, ("%032x" % i)))
            i += 1
        self.last_key = "last-key-16bytes"
        lines.append("last:%s" % self.last_key.encode().hex())
        text = "\n".join(lines) + "\n"
        start = text.index("\ncut:") + 1
        end = text.index("\n", start)
        self.assertTrue(start < 65536 < end, "the 'cut' line spans byte 65536")
        return text

    @unittest.skipUnless(has_dtls(), "coap-client without DTLS")
    def test_file_over_64k_is_read_whole(self):
        text = self.big_file()
        self.assertGreater(len(text), 65536)
        psk = write_secret(os.path.join(self.work, "psk"), text)
        with Server(self.packages, psk_file=psk) as srv:
            base = "coaps://%s" % srv.coap
            out = coap(*psk_args("cut", self.cut_key), "-m", "post",
                       base + "/rd?ep=cut&lt=60", "-e", "</5/0>")
            self.assertEqual(answer_code(out), "2.01", "identity across 64 KiB:\n" + out[-800:])
            out = coap(*psk_args("last", self.last_key), "-m", "post",
                       base + "/rd?ep=last&lt=60", "-e", "</5/0>")
            self.assertEqual(answer_code(out), "2.01", "identity after 64 KiB:\n" + out[-800:])

    def test_readable_file_refused(self):
        for mode in (0o644, 0o640, 0o604, 0o660):
            psk = write_secret(os.path.join(self.work, "psk"), "lara-1:00112233\n", mode)
            r = subprocess.run([find_server(), "--packages", self.packages, "--coap",
                                "127.0.0.1:1", "--http", "127.0.0.1:1", "--psk-file", psk],
                               capture_output=True, text=True, timeout=30)
            self.assertEqual(r.returncode, 2, "mode %o: %s" % (mode, r.stderr))
            self.assertIn("chmod 600 " + psk, r.stderr)
            self.assertNotIn("00112233", r.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
