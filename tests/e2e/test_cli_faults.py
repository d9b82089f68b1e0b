"""End to end: what the module refuses, line noise and power cuts, as `larafw` reports them.
Refusals must exit 1 and name the Appendix A code; already-current (128) is a success."""

import json
import os
import signal
import subprocess
import unittest

from cli_env import LARAFW, Packages, Sim, larafw, pkg

PKGS = None


def setUpModule():
    global PKGS
    PKGS = Packages(size="128K")


def tearDownModule():
    PKGS.cleanup()


class FaultCase(unittest.TestCase):
    def start(self, **kw):
        sim = Sim(PKGS, **kw)
        self.addCleanup(sim.cleanup)
        return sim

    def info(self, sim):
        res = larafw(sim.uart, "--json", "info")
        self.assertEqual(res.rc, 0, res)
        return res.json_lines()[-1]


class TestRefusals(FaultCase):
    def refused(self, sim, code, words, *args):
        res = larafw(sim.uart, *args)
        self.assertEqual(res.rc, 1, res)
        self.assertIn("module reported %d: " % code, res.err)
        for w in words:
            self.assertIn(w, res.err)
        # the module still runs its old firmware (Appendix A, §3.1)
        self.assertEqual(self.info(sim)["firmware"], "1.0")
        return res

    def test_bad_signature_173(self):
        sim = self.start()
        self.refused(sim, 173, ["signature"], "foat", PKGS.full_v2_badsig)

    def test_wrong_product_247(self):
        sim = self.start()
        self.refused(sim, 247, ["pre-validation"], "foat", PKGS.full_other)

    def test_wrong_source_168(self):
        sim = self.start()
        res = larafw(sim.uart, "push", PKGS.delta_23)
        self.assertEqual(res.rc, 0, res)
        self.refused(sim, 168, ["source"], "install")

    def test_refusal_as_json(self):
        sim = self.start()
        res = larafw(sim.uart, "--json", "foat", PKGS.full_v2_badsig)
        self.assertEqual(res.rc, 1, res)
        err = res.json_lines()[-1]
        self.assertEqual(err["event"], "error")
        self.assertEqual(err["exit_status"], 1)
        self.assertEqual(err["result_code"], 173)

    def test_already_current_is_success(self):
        sim = self.start()
        res = larafw(sim.uart, "foat", PKGS.full_v1)
        self.assertEqual(res.rc, 0, res)
        self.assertIn("already", res.out)
        self.assertEqual(self.info(sim)["firmware"], "1.0")


class TestAppendixA(FaultCase):
    """Every final code the simulator produces for push + install, from a real condition,
    reported by `larafw install` with exit status 1, the code and its Appendix A text."""

    def cases(self):
        P = PKGS
        size = os.path.getsize(P.delta_12)
        payload = range(P.HEADER_SIZE + 4, size - 64, max(1, (size - P.HEADER_SIZE) // 8))
        return [
            # (code, words of the Appendix A text, package, sim options)
            (158, "not a delta", P.full_v2, {}),
            (174, "version is not supported",
             P.variant(P.delta_12, "fmt2.pkg", patches=[(P.OFF_FORMAT, b"\x02\x00")]), {}),
            (180, "size", P.variant(P.delta_12, "long.pkg", resign=False,
                                    append=b"\x00" * 100), {}),
            (173, "signature", P.variant(P.delta_12, "flip.pkg", resign=False,
                                         flips=[P.HEADER_SIZE + 10]), {}),
            (148, "corrupt", P.variant(P.delta_12, "bad.pkg", flips=list(payload)), {}),
            (195, "corruption", P.variant(P.delta_12, "dst.pkg", flips=[P.OFF_DST_SHA256 + 3]),
             {}),
            (168, "source", P.delta_23, {}),
            (227, "public key", P.delta_12, {"key": False}),
            (160, "flash writing", P.delta_12, {"faults": ["flash-write=install:30"]}),
            (230, "file operation", P.delta_12, {"faults": ["flash-write=validation:50"]}),
        ]

    def test_install_codes(self):
        for code, words, package, opts in self.cases():
            with self.subTest(code=code):
                sim = self.start(**opts)
                res = larafw(sim.uart, "push", package)
                self.assertEqual(res.rc, 0, res)
                res = larafw(sim.uart, "install")
                self.assertEqual(res.rc, 1, res)
                self.assertIn("module reported %d: " % code, res.err)
                self.assertIn(words, res.err.lower() if words.islower() else res.err)
                self.assertEqual(self.info(sim)["firmware"], "1.0")  # old firmware runs
                sim.cleanup()


class TestNoise(FaultCase):
    def test_noise_survived_by_retransmission(self):
        sim = self.start(faults=["noise=1e-5", "seed=3"])
        log = os.path.join(sim.dir, "at.log")
        res = larafw(sim.uart, "--at-log", log, "foat", PKGS.full_v2)
        self.assertEqual(res.rc, 0, res)
        self.assertIn("firmware: 1.0 → 2.0", res.out)
        with open(log, encoding="utf-8") as f:
            lines = f.read().splitlines()
        # at least one block was refused by the module and sent again
        blocks = [l.split("block ")[1] for l in lines if "bytes XMODEM block" in l]
        self.assertGreater(len(blocks), len(set(blocks)), "no retransmission happened")
        self.assertTrue(any(l.endswith("<< <NAK>") for l in lines))


class TestInterrupt(FaultCase):
    def test_sigint_cancels_the_transfer(self):
        big = os.path.join(PKGS.dir, "big.img")
        upd = os.path.join(PKGS.dir, "big.upd")
        pkg("image", "--product", "LARA-R6001D-01B", "--version", "2.5", "--size", "3M",
            "-o", big)
        pkg("full", "--key", PKGS.sec, "--level", "1", big, "-o", upd)
        sim = self.start()
        proc = subprocess.Popen([LARAFW, "-p", sim.uart, "--json", "foat", upd],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            for line in proc.stdout:  # the first download event: the transfer is running
                ev = json.loads(line)
                if ev.get("phase") == "download":
                    proc.send_signal(signal.SIGINT)
                    break
            out, err = proc.communicate(timeout=120)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        self.assertEqual(proc.returncode, 3, err)
        self.assertIn("interrupted", err)
        self.assertEqual(json.loads(out.splitlines()[-1])["event"], "error")
        # CAN CAN ended the module's XMODEM receive: it answers AT again, old firmware
        self.assertEqual(self.info(sim)["firmware"], "1.0")


class TestPowerCut(FaultCase):
    def cut_and_restart(self, sim, *update):
        res = larafw(sim.uart, *update)
        # the module vanished mid-install: an I/O error, and it says what to do
        self.assertEqual(res.rc, 3, res)
        sim.wait_exit()
        # next power-up: the install resumes and runs to its end (§3.1.2, §4.3.1.3); a slower
        # clock (~2 s of install) keeps it running while larafw attaches, even under load
        sim.time_scale = 0.5
        sim.start(faults=[])
        res = larafw(sim.uart, "install")
        self.assertEqual(res.rc, 0, res)
        self.assertIn("2.0", res.out)
        self.assertEqual(self.info(sim)["firmware"], "2.0")

    def test_power_cut_during_fota_install(self):
        sim = self.start(faults=["power-cut=install:40"])
        res = larafw(sim.uart, "push", PKGS.delta_12)
        self.assertEqual(res.rc, 0, res)
        self.cut_and_restart(sim, "install")

    def test_power_cut_during_foat_install(self):
        sim = self.start(faults=["power-cut=install:40"])
        self.cut_and_restart(sim, "foat", PKGS.full_v2)


if __name__ == "__main__":
    unittest.main(verbosity=2)
