"""End to end: the real `larafw` command against the real larafw-sim over a pty.
info, FOAT (1K/CRC and checksum), push + install, --rate 921600, USB-only FOAT."""

import os
import pty
import re
import subprocess
import unittest

from cli_env import LARAFW, Packages, Sim, larafw

PKGS = None


def setUpModule():
    global PKGS
    PKGS = Packages()


def tearDownModule():
    PKGS.cleanup()


class CliCase(unittest.TestCase):
    sim_args = {}

    def setUp(self):
        self.sim = Sim(PKGS, **self.sim_args)
        self.addCleanup(self.sim.cleanup)

    def ok(self, res):
        self.assertEqual(res.rc, 0, res)
        return res

    def version(self, port=None):
        res = self.ok(larafw(port or self.sim.uart, "--json", "info"))
        return res.json_lines()[-1]["firmware"]


class TestInfo(CliCase):
    def test_info_plain(self):
        res = self.ok(larafw(self.sim.uart, "info"))
        self.assertIn("firmware: 1.0\n", res.out)
        self.assertIn("product: LARA-R6001D-01B\n", res.out)
        self.assertRegex(res.out, r"imei: \d{15}\n")

    def test_info_json(self):
        res = self.ok(larafw(self.sim.uart, "--json", "info"))
        objs = res.json_lines()
        self.assertEqual(len(objs), 1, res)
        info = objs[0]
        self.assertEqual(info["firmware"], "1.0")
        self.assertEqual(info["product"], "LARA-R6001D-01B")
        self.assertRegex(info["imei"], r"^\d{15}$")

    def test_port_from_environment(self):
        res = self.ok(larafw(None, "info", env={"LARAFW_PORT": self.sim.uart}))
        self.assertIn("firmware: 1.0\n", res.out)

    def test_wrong_port_is_io_error(self):
        res = larafw(self.sim.uart + ".missing", "info")
        self.assertEqual(res.rc, 3, res)
        self.assertIn("-p or LARAFW_PORT", res.err)


class TestFoat(CliCase):
    def test_foat_1k_crc_with_at_log(self):
        log = os.path.join(self.sim.dir, "at.log")
        res = self.ok(larafw(self.sim.uart, "--at-log", log, "foat", PKGS.full_v2))
        self.assertIn("firmware: 1.0 → 2.0", res.out)
        self.assertEqual(self.version(), "2.0")
        with open(log, encoding="utf-8") as f:
            text = f.read()
        self.assertRegex(text, r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} >> AT\+UFWUPD=3\\r\n")
        self.assertIn(">> [1029 bytes XMODEM block 1]\n", text)
        self.assertIn("<< C\n", text)
        self.assertIn("<< +UFWUPD: 128\\r\\n\n", text)
        self.assertIn(">> <EOT>\n", text)
        # summarised, not dumped: no line carries raw block bytes
        self.assertFalse(any(len(l) > 200 for l in text.splitlines()))

    def test_foat_json_events(self):
        res = self.ok(larafw(self.sim.uart, "--json", "foat", PKGS.full_v2))
        events = res.json_lines()
        phases = [e.get("phase") for e in events if e.get("event") == "progress"]
        for p in ("download", "validation", "install", "done"):
            self.assertIn(p, phases)
        dl = [e for e in events if e.get("phase") == "download"]
        self.assertEqual(dl[-1]["percent"], 100)
        self.assertEqual(dl[-1]["bytes"], dl[-1]["total"])
        self.assertEqual(dl[-1]["total"], os.path.getsize(PKGS.full_v2))
        result = events[-1]
        self.assertEqual(result["event"], "result")
        self.assertEqual(result["result_code"], 128)
        self.assertEqual(result["old_version"], "1.0")
        self.assertEqual(result["new_version"], "2.0")

    def test_foat_plain_progress_when_not_a_tty(self):
        res = self.ok(larafw(self.sim.uart, "foat", PKGS.full_v2))
        self.assertNotIn("\r", res.out)
        self.assertNotIn("\033", res.out)
        self.assertRegex(res.out, r"download +100%")
        self.assertRegex(res.out, r"install +100%")

    def test_foat_checksum_start(self):
        log = os.path.join(self.sim.dir, "at.log")
        res = self.ok(larafw(self.sim.uart, "--at-log", log, "foat", "--checksum",
                             PKGS.full_v2))
        self.assertIn("firmware: 1.0 → 2.0", res.out)
        with open(log, encoding="utf-8") as f:
            text = f.read()
        # 128-byte blocks with the one-byte checksum: 3 + 128 + 1
        self.assertIn(">> [132 bytes XMODEM block 1]\n", text)
        self.assertNotIn("bytes XMODEM block 1]", text.replace("[132 bytes XMODEM block 1]", ""))

    def test_foat_rate_921600(self):
        log = os.path.join(self.sim.dir, "at.log")
        res = self.ok(larafw(self.sim.uart, "--at-log", log, "foat", "--rate", "921600",
                             PKGS.full_v2))
        self.assertIn("firmware: 1.0 → 2.0", res.out)
        with open(log, encoding="utf-8") as f:
            text = f.read()
        self.assertIn(">> AT+IPR=921600\\r\n", text)
        self.assertIn("-- host line rate 921600 bit/s", text)
        # the module is back at its base rate afterwards
        self.assertEqual(self.version(), "2.0")

    def test_foat_progress_bar_on_a_terminal(self):
        # stdout on a pseudo-terminal: one line redrawn in place (\r … ESC[K)
        master, slave = pty.openpty()
        proc = subprocess.Popen([LARAFW, "-p", self.sim.uart, "foat", PKGS.full_v2],
                                stdout=slave, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
        os.close(slave)
        out = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the program closed its end
                break
            if not chunk:
                break
            out += chunk
        os.close(master)
        err = proc.communicate(timeout=120)[1]
        self.assertEqual(proc.returncode, 0, err)
        text = out.decode("utf-8", "replace")
        self.assertIn("\rdownload ", text)
        self.assertIn("\033[K", text)
        self.assertRegex(text, r"\rinstall +100% \[#+\]")
        self.assertIn("firmware: 1.0 → 2.0", text)

    def test_foat_quiet(self):
        res = self.ok(larafw(self.sim.uart, "-q", "foat", PKGS.full_v2))
        self.assertEqual(res.out, "")


class TestPushInstall(CliCase):
    def test_push_then_install(self):
        res = self.ok(larafw(self.sim.uart, "push", PKGS.delta_12))
        self.assertIn("larafw install", res.out)
        self.assertEqual(self.version(), "1.0")  # stored, not installed
        res = self.ok(larafw(self.sim.uart, "install"))
        self.assertIn("firmware: 1.0 → 2.0", res.out)
        self.assertEqual(self.version(), "2.0")

    def test_push_rate_and_name_json(self):
        log = os.path.join(self.sim.dir, "at.log")
        res = self.ok(larafw(self.sim.uart, "--json", "--at-log", log, "push", "--rate",
                             "921600", "--name", "delta.bin", PKGS.delta_12))
        self.assertEqual(res.json_lines()[-1]["event"], "result")
        with open(log, encoding="utf-8") as f:
            text = f.read()
        size = os.path.getsize(PKGS.delta_12)
        self.assertIn('>> AT+UDWNFILE="delta.bin",%d,"FOAT"\\r\n' % size, text)
        self.assertRegex(text, r">> \[\d+ bytes \+UDWNFILE data, 0 to go\]")
        res = self.ok(larafw(self.sim.uart, "--json", "install"))
        result = res.json_lines()[-1]
        self.assertEqual(result["result_code"], 128)
        self.assertEqual(result["new_version"], "2.0")

    def test_install_without_package_is_refused(self):
        res = larafw(self.sim.uart, "install")
        self.assertEqual(res.rc, 1, res)
        self.assertIn("operation not allowed", res.err)
        self.assertIn("larafw push", res.err)

    def test_install_no_wait(self):
        # a slower clock (the install takes ~2 s) so that the second run surely finds the
        # install still running, whatever the load of the test machine
        self.sim.cleanup()
        self.sim = Sim(PKGS, time_scale=0.5)
        self.addCleanup(self.sim.cleanup)
        self.ok(larafw(self.sim.uart, "push", PKGS.delta_12))
        res = self.ok(larafw(self.sim.uart, "install", "--no-wait"))
        self.assertIn("larafw info", res.out)
        # the install runs on its own; `install` follows it to the end
        res = self.ok(larafw(self.sim.uart, "install"))
        self.assertEqual(self.version(), "2.0")


class TestRate3M(unittest.TestCase):
    def test_3000000_where_supported(self):
        sim = Sim(PKGS)
        self.addCleanup(sim.cleanup)
        res = larafw(sim.uart, "push", "--rate", "3000000", PKGS.delta_12)
        self.assertEqual(res.rc, 0, res)
        res = larafw(sim.uart, "install")
        self.assertEqual(res.rc, 0, res)
        self.assertIn("firmware: 1.0 → 2.0", res.out)

    def test_3000000_refused_on_r6004d_00b(self):
        # §3.1: LARA-R6004D-00B has no 3000000 bit/s; the simulator synthesises its image
        sim = Sim(PKGS, product="LARA-R6004D-00B", firmware=None)
        self.addCleanup(sim.cleanup)
        res = larafw(sim.uart, "push", "--rate", "3000000", PKGS.delta_12)
        self.assertEqual(res.rc, 1, res)
        self.assertIn("LARA-R6004D-00B cannot transfer at 3000000", res.err)
        self.assertIn("--rate 921600", res.err)


class TestUsb(CliCase):
    sim_args = {"usb": True}

    def test_foat_over_usb(self):
        log = os.path.join(self.sim.dir, "at.log")
        res = self.ok(larafw(self.sim.usb, "--at-log", log, "foat", "--usb", PKGS.full_v2))
        self.assertIn("firmware: 1.0 → 2.0", res.out)
        with open(log, encoding="utf-8") as f:
            text = f.read()
        # §3.1: no progress URCs on USB; the result is confirmed by AT+CGMR
        self.assertNotIn("+UFWUPD: 1", text.replace("+UFWUPD: ONGOING", ""))
        self.assertEqual(self.version(self.sim.usb), "2.0")


class TestUsage(unittest.TestCase):
    def test_help_everywhere(self):
        for sub in ([], ["info"], ["foat"], ["push"], ["install"]):
            res = larafw(None, *sub, "--help")
            self.assertEqual(res.rc, 0, res)
            self.assertIn("usage: larafw", res.out)

    def test_version(self):
        res = larafw(None, "--version")
        self.assertEqual(res.rc, 0, res)
        self.assertRegex(res.out, r"^larafw \d+\.\d+\.\d+\n$")

    def test_usage_errors_exit_2(self):
        for args in (["frob"], ["foat"], ["info", "--usb"], ["-b", "fast", "info"], []):
            res = larafw("/dev/null", *args)
            self.assertEqual(res.rc, 2, (args, res))
            self.assertIn("--help", res.err)
        res = larafw(None, "info")
        self.assertEqual(res.rc, 2, res)
        self.assertIn("LARAFW_PORT", res.err)


if __name__ == "__main__":
    unittest.main(verbosity=2)
