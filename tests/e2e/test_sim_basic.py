"""larafw-sim platform, end to end over its pseudo-terminals: start-up, AT basics, NVM,
files, +UDWNFILE (incl. the "FOAT" tag, §4.2.3, §6), faults, report, pacing, products."""

import json
import os
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from simharness import Pkg, Port, Sim, SimError, find_binary  # noqa: E402

FAST = 0.01  # module time runs 100x faster than host time


def run_sim(*args, timeout=20):
    """Runs larafw-sim expecting it to exit by itself (usage errors)."""
    return subprocess.run([find_binary("LARAFW_SIM", "larafw-sim")] + list(args),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)


class Basics(unittest.TestCase):
    def setUp(self):
        self.sim = Sim(time_scale=FAST)

    def tearDown(self):
        self.sim.close()

    def test_identification(self):
        s = self.sim
        self.assertEqual(s.cmd("AT"), ([], "OK"))
        self.assertEqual(s.ok("AT+CGMI"), ["u-blox"])
        self.assertEqual(s.ok("AT+CGMM"), ["LARA-R6001D"])
        self.assertEqual(s.ok("AT+CGMR"), ["LARA-R6.01.00"])
        imei = s.ok("AT+CGSN")[0]
        self.assertRegex(imei, r"^\d{15}$")
        ati = s.ok("ATI")
        self.assertIn("Model: LARA-R6001D", ati)
        self.assertIn("Revision: LARA-R6.01.00", ati)
        self.assertEqual(s.ok("ATI9"), ["LARA-R6.01.00,LARA-R6001D-01B"])
        self.assertEqual(s.ok("at+cgmr"), ["LARA-R6.01.00"])  # case-insensitive

    def test_echo(self):
        u = self.sim.uart
        u.write("AT\r")
        self.assertEqual(u.read_until(b"OK\r\n"), b"AT\r\r\nOK\r\n")
        u.write("ATE0\r")
        u.read_until(b"OK\r\n")
        u.write("AT\r")
        self.assertEqual(u.read_until(b"OK\r\n"), b"\r\nOK\r\n")
        self.sim.ok("ATE1")
        u.write("AT\r")
        self.assertEqual(u.read_until(b"OK\r\n"), b"AT\r\r\nOK\r\n")

    def test_errors_and_cmee(self):
        s = self.sim
        self.assertEqual(s.cmd("AT+NOSUCH")[1], "ERROR")
        self.assertEqual(s.cmd("AT+CMEE?")[0], ["+CMEE: 2"])  # this simulator's factory value
        s.ok("AT+CMEE=0")
        self.assertEqual(s.cmd("AT+IPR=12345")[1], "ERROR")
        s.ok("AT+CMEE=1")
        self.assertEqual(s.cmd("AT+IPR=12345")[1], "+CME ERROR: 50")
        s.ok("AT+CMEE=2")
        self.assertEqual(s.cmd("AT+IPR=12345")[1], "+CME ERROR: incorrect parameters")
        self.assertEqual(s.cmd("AT+CMEE=3")[1], "+CME ERROR: incorrect parameters")
        self.assertEqual(s.cmd("AT+NOSUCH")[1], "ERROR")
        self.assertEqual(s.cmd("ATE0V1")[1], "ERROR")  # concatenation is not supported
        self.assertEqual(s.cmd('AT+CGDCONT=1,"IP')[1], "ERROR")  # unterminated string

    def test_garbage_never_kills(self):
        u = self.sim.uart
        self.sim.ok("ATE0")
        u.write(bytes(range(256)) * 4 + b"\r")
        u.write(b"hello world\r")  # no AT: ignored
        u.write(b"A" * 5000 + b"\r")  # longer than the line buffer
        self.assertEqual(u.readline(), "ERROR")  # the over-long line
        u.read_available(0.05)
        self.sim.uart.wait_at()
        self.assertEqual(self.sim.ok("AT+CGMR"), ["LARA-R6.01.00"])
        self.assertTrue(self.sim.running())

    def test_nvm_survives_power_cut(self):
        s = self.sim
        s.ok("AT+CMEE=1")
        s.ok("AT+IPR=921600")
        s.ok('AT+CGDCONT=1,"IP","iot.example"')
        s.ok("AT+UBANDMASK=0,524420,2")
        s.ok("AT+CEDRXS=1,4,\"0101\"")
        s.ok('AT+CPMS="ME","ME","ME"')
        self.assertEqual(s.cmd("AT+UMNOPROF=100")[1], "+CME ERROR: 3")
        s.ok("AT+CFUN=4")
        s.ok("AT+UMNOPROF=100")
        s.restart()  # SIGKILL, then the next power-up
        self.assertEqual(s.ok("AT+IPR?"), ["+IPR: 921600"])
        self.assertIn('+CGDCONT: 1,"IP","iot.example","0.0.0.0",0,0,0,0', s.ok("AT+CGDCONT?"))
        self.assertEqual(s.ok("AT+UBANDMASK?"), ["+UBANDMASK: 0,524420,2"])
        self.assertEqual(s.ok("AT+CEDRXS?"), ['+CEDRXS: 4,"0101"'])
        self.assertEqual(s.ok("AT+UMNOPROF?"), ["+UMNOPROF: 100"])
        self.assertEqual(s.ok("AT+CPMS?"), ['+CPMS: "ME",0,23,"ME",0,23,"ME",0,23'])
        self.assertEqual(s.ok("AT+CMEE?"), ["+CMEE: 2"])  # volatile: 1 was not kept
        self.assertEqual(s.ok("AT+CFUN?"), ["+CFUN: 1,0"])
        self.assertEqual(s.state()["boot_count"], "2")

    def test_cfun_reset(self):
        s = self.sim
        s.ok("ATE0")
        s.ok("AT+CFUN=16")
        s.uart.wait_at()
        # echo is back on after the reset (factory ATE1)
        s.uart.write("AT\r")
        self.assertEqual(s.uart.read_until(b"OK\r\n"), b"AT\r\r\nOK\r\n")
        self.assertEqual(s.state()["boot_count"], "2")
        self.assertEqual(s.cmd("AT+CFUN=7")[1], "+CME ERROR: incorrect parameters")
        self.assertEqual(s.ok("AT+UBKUPDATA?"), ['+UBKUPDATA: 0,0,0,0,0,0,""'])

    def test_clean_power_off(self):
        self.sim.ok("AT")
        self.assertEqual(self.sim.terminate(), 0)
        self.assertFalse(os.path.lexists(self.sim.uart_path))
        kinds = [e["kind"] for e in self.sim.report()]
        self.assertEqual(kinds[0], "power-up")
        self.assertEqual(kinds[-1], "power-off")
        self.assertIn("cmd", kinds)


class Files(unittest.TestCase):
    def setUp(self):
        self.sim = Sim(time_scale=FAST)
        self.sim.ok("AT+CMEE=2")

    def tearDown(self):
        self.sim.close()

    def test_user_file_roundtrip(self):
        s = self.sim
        data = bytes(range(256)) * 3 + b"\r\nOK\r\n"
        self.assertEqual(s.uart.download("data.bin", data), "OK")
        self.assertEqual(s.ok("AT+ULSTFILE"), ['+ULSTFILE: "data.bin"'])
        self.assertEqual(s.ok('AT+ULSTFILE=2,"data.bin"'), ["+ULSTFILE: %d" % len(data)])
        with open(s.path("files/data.bin"), "rb") as f:
            self.assertEqual(f.read(), data)
        s.uart.write('AT+URDFILE="data.bin"\r')
        got = s.uart.read_until(b'"\r\n\r\nOK\r\n')
        self.assertIn(b'+URDFILE: "data.bin",%d,"' % len(data) + data + b'"', got)
        s.ok('AT+UDELFILE="data.bin"')
        self.assertEqual(s.ok("AT+ULSTFILE"), ["+ULSTFILE:"])
        self.assertEqual(s.cmd('AT+UDELFILE="data.bin"')[1], "+CME ERROR: not found")

    def test_large_file(self):
        s = self.sim
        s.ok("ATE0")
        data = os.urandom(1536 * 1024)
        self.assertEqual(s.uart.download("big.bin", data), "OK")
        s.uart.write('AT+URDFILE="big.bin"\r')
        got = s.uart.read_until(b'"\r\n\r\nOK\r\n', 60)
        head = b'\r\n+URDFILE: "big.bin",%d,"' % len(data)
        self.assertEqual(got, head + data + b'"\r\n\r\nOK\r\n')

    def test_temp_files_are_private(self):
        s = self.sim
        self.assertEqual(s.uart.download("x.tmp", b"keep me"), "OK")
        self.assertEqual(s.uart.download("x", b"other"), "OK")
        with open(s.path("files/x.tmp"), "rb") as f:
            self.assertEqual(f.read(), b"keep me")
        # a power cut in the middle of an atomic write leaves ".<name>.tmp": gone at power-up
        s.kill()
        with open(s.path("files/.y.tmp"), "wb") as f:
            f.write(b"half")
        s.start()
        self.assertFalse(os.path.exists(s.path("files/.y.tmp")))
        self.assertEqual(s.ok("AT+ULSTFILE"), ['+ULSTFILE: "x","x.tmp"'])

    def test_names_never_escape(self):
        s = self.sim
        for bad in ("../escape", "a/b", "..", ".hidden", "x" * 64, ""):
            lines, final = s.cmd('AT+UDWNFILE="%s",4' % bad)
            self.assertTrue(final.startswith("+CME ERROR"), (bad, final))
        self.assertFalse(os.path.exists(os.path.join(s.workdir, "escape")))
        self.assertFalse(os.path.exists(s.path("escape")))
        self.assertEqual(s.cmd('AT+UDELFILE="../state"')[1], "+CME ERROR: not found")
        self.assertTrue(os.path.exists(s.path("state")))
        self.assertEqual(s.cmd('AT+UDWNFILE="x",0')[1], "+CME ERROR: incorrect parameters")
        self.assertEqual(s.cmd('AT+UDWNFILE="x",4,"BOGUS"')[1], "+CME ERROR: incorrect parameters")

    def test_stalled_download_stores_nothing(self):
        s = self.sim
        s.uart.write('AT+UDWNFILE="part.bin",100\r')
        s.uart.read_until(b">")
        s.uart.write(b"x" * 40)
        # 20 s of module time without a byte: +CME ERROR, nothing stored
        self.assertEqual(s.uart.readline(), "+CME ERROR: unknown")
        self.assertEqual(os.listdir(s.path("files")), [])
        self.assertEqual(s.ok("AT+CGMR"), ["LARA-R6.01.00"])

    def test_foat_tag_pending_package(self):
        s = self.sim
        data = os.urandom(5000)
        self.assertEqual(s.uart.download("delta.upd", data, tag="FOAT"), "OK")
        with open(s.path("fota/delta.upd"), "rb") as f:
            self.assertEqual(f.read(), data)
        st = s.state()
        self.assertEqual(st["fota_pkg_present"], "1")
        self.assertEqual(st["fota_pkg_name"], "delta.upd")
        self.assertEqual(s.ok('AT+ULSTFILE=0,"FOAT"'), ['+ULSTFILE: "delta.upd"'])
        self.assertEqual(s.ok("AT+ULSTFILE"), ["+ULSTFILE:"])  # not a user file
        # a second package replaces the first
        self.assertEqual(s.uart.download("other.upd", b"z" * 10, tag="FOAT"), "OK")
        self.assertEqual(sorted(os.listdir(s.path("fota"))), ["other.upd"])
        s.ok('AT+UDELFILE="other.upd","FOAT"')
        self.assertEqual(s.state()["fota_pkg_present"], "0")

    def test_profile_tag(self):
        s = self.sim
        self.assertEqual(s.uart.download("PROFILE", b"mbn" * 100, tag="PROFILE"), "OK")
        self.assertTrue(os.path.exists(s.path("mno/PROFILE")))


class Faults(unittest.TestCase):
    def test_power_cut_mid_push(self):
        with Sim(time_scale=FAST, faults=["power-cut=download:50"]) as s:
            s.uart.write('AT+UDWNFILE="cut.upd",20000,"FOAT"\r')
            s.uart.read_until(b">")
            try:
                for i in range(20):
                    s.uart.write(b"\xaa" * 1000)
            except (SimError, OSError):
                pass
            self.assertEqual(s.wait_exit(), -9)
            self.assertEqual(os.listdir(s.path("fota")), [])
            events = s.report()  # valid JSON although the process was killed
            faults = [e for e in events if e["kind"] == "fault"]
            self.assertEqual(len(faults), 1)
            self.assertIn("power-cut download", faults[0]["text"])
            s.start(faults=[])
            self.assertEqual(s.state()["fota_pkg_present"], "0")
            self.assertEqual(s.uart.download("ok.upd", b"y" * 300, tag="FOAT"), "OK")
            self.assertIn("download done", s.report()[-1]["text"])

    def test_drop_everything(self):
        with Sim(time_scale=FAST, faults=["drop=1"]) as s:
            s.uart.write("AT\r")
            self.assertEqual(s.uart.read_available(0.3), b"")

    def test_noise_garbles(self):
        with Sim(time_scale=FAST, faults=["noise=0.5", "seed=7"]) as s:
            s.uart.write("AT+CGMR\r" * 20)
            out = s.uart.read_available(0.3)
            self.assertNotIn(b"LARA-R6.01.00", out)
            self.assertTrue(s.running())

    def test_bad_specs_are_usage_errors(self):
        with tempfile.TemporaryDirectory() as d:
            for spec in ("power-cut=download", "power-cut=flash:5", "power-cut=install:101",
                         "noise=2", "drop=x", "bogus=1", "net-drop=5:0", "flash-write"):
                p = run_sim("--state", d + "/m", "--uart", d + "/u", "--fault", spec)
                self.assertEqual(p.returncode, 2, spec)
                self.assertIn(b"--fault", p.stderr)
            p = run_sim("--state", d + "/m", "--uart", d + "/u", "--fault", "net-drop=10:3",
                        "--help")
            self.assertEqual(p.returncode, 0)


class Products(unittest.TestCase):
    def test_unknown_product(self):
        with tempfile.TemporaryDirectory() as d:
            p = run_sim("--state", d + "/m", "--uart", d + "/u", "--product", "SARA-R5")
            self.assertEqual(p.returncode, 2)
            self.assertIn(b"LARA-R6001D-01B", p.stderr)
            self.assertIn(b"LARA-L6004-00B", p.stderr)

    def test_3mbit_per_product(self):
        expect = {"LARA-R6001D-00B": True, "LARA-R6004D-00B": False, "LARA-R6001D-01B": True,
                  "LARA-L6004-00B": False, "LARA-L6004D-01B": True}
        for product, has_3m in expect.items():
            with Sim(product=product, time_scale=FAST) as s:
                s.ok("AT+CMEE=2")
                lines, final = s.cmd("AT+IPR=3000000")
                if has_3m:
                    self.assertEqual(final, "OK", product)
                    self.assertEqual(s.ok("AT+IPR?"), ["+IPR: 3000000"])
                else:
                    self.assertEqual(final, "+CME ERROR: operation not supported", product)
                    self.assertEqual(s.ok("AT+IPR?"), ["+IPR: 115200"])
                self.assertEqual(s.ok("AT+CGMM"), [product.rsplit("-", 1)[0]])
                self.assertTrue(s.ok("AT+CGMR")[0].startswith("LARA-L6" if "L6" in product
                                                              else "LARA-R6"))

    def test_product_is_kept_by_the_state(self):
        with Sim(product="LARA-L6004-00B", time_scale=FAST) as s:
            s.terminate()
            p = run_sim("--state", s.state_dir, "--uart", s.uart_path, "--product",
                        "LARA-R6001D-01B")
            self.assertEqual(p.returncode, 1)
            self.assertIn(b"LARA-L6004-00B", p.stderr)
            s.product = None  # the state remembers it
            s.start()
            self.assertEqual(s.ok("AT+CGMM"), ["LARA-L6004"])


class Factory(unittest.TestCase):
    def test_firmware_and_key(self):
        with tempfile.TemporaryDirectory() as d:
            pkg = Pkg(d)
            sec, pub = pkg.keygen()
            img = pkg.image("v7.img", version="LARA-R6.07.00", size=65536, seed=7)
            with Sim(time_scale=FAST, firmware=img, fota_key=pub) as s:
                self.assertEqual(s.ok("AT+CGMR"), ["LARA-R6.07.00"])
                with open(img, "rb") as a, open(s.path("image.bin"), "rb") as b:
                    self.assertEqual(a.read(), b.read())
                with open(pub, "rb") as a, open(s.path("fota.pub"), "rb") as b:
                    self.assertEqual(a.read(), b.read())
                s.kill()
                other = pkg.image("v8.img", version="LARA-R6.08.00", size=65536, seed=8)
                s.firmware = other
                s.start()  # an existing module: --firmware ignored with a note
                self.assertEqual(s.ok("AT+CGMR"), ["LARA-R6.07.00"])
                self.assertIn("ignored", s.log())

    def test_wrong_product_image(self):
        with tempfile.TemporaryDirectory() as d:
            img = Pkg(d).image("l6.img", product="LARA-L6004-00B", version="LARA-L6.01.00")
            p = run_sim("--state", d + "/m", "--uart", d + "/u", "--firmware", img)
            self.assertEqual(p.returncode, 1)
            self.assertIn(b"LARA-L6004-00B", p.stderr)


class Platform(unittest.TestCase):
    def test_usb_interface(self):
        with Sim(time_scale=FAST, usb=True) as s:
            self.assertEqual(s.usb.ok("AT+CGMR"), ["LARA-R6.01.00"])
            self.assertEqual(s.uart.ok("AT+CGMR"), ["LARA-R6.01.00"])
            s.usb.ok("ATE0")
            s.uart.write("AT\r")
            self.assertEqual(s.uart.read_until(b"OK\r\n"), b"AT\r\r\nOK\r\n")  # per interface

    def test_bricked_module_is_silent(self):
        with Sim(time_scale=FAST) as s:
            s.terminate()
            with open(s.path("state")) as f:
                text = f.read().replace("fw_phase=0", "fw_phase=2")
            with open(s.path("state"), "w") as f:
                f.write(text)
            self.assertEqual(s.start(), "bricked")
            s.uart.write("AT\r")
            self.assertEqual(s.uart.read_available(0.3), b"")
            self.assertEqual(s.terminate(), 0)

    def test_pace_limits_the_line(self):
        # 9600 bit/s = 960 bytes/s of module time; time-scale 1 so host time = module time
        with Sim(pace=True) as s:
            s.ok("AT+IPR=9600")
            s.uart.write("AT+CGDCONT?;" + "x" * 180 + "\r")  # ~200 bytes in, ERROR out
            t0 = time.monotonic()
            s.uart.read_until(b"ERROR\r\n", 10)
            self.assertGreater(time.monotonic() - t0, 0.15)

    def test_pace_follows_ipr(self):
        # 23040 bytes: 2 s of module time at 115200 bit/s, 0.25 s at 921600; module time
        # runs 10x faster than host time here
        data = bytes(23040)
        with Sim(pace=True, time_scale=0.1) as s:
            s.ok("ATE0")
            t0 = time.monotonic()
            self.assertEqual(s.uart.download("a.bin", data), "OK")
            slow = time.monotonic() - t0
            s.ok("AT+IPR=921600")
            t0 = time.monotonic()
            self.assertEqual(s.uart.download("b.bin", data), "OK")
            fast = time.monotonic() - t0
            self.assertGreater(slow, 0.15)
            self.assertLess(fast, slow / 2)

    def test_report_timeline(self):
        with Sim(time_scale=FAST) as s:
            s.ok("AT+CGMR")
            s.restart()
            s.ok("AT")
            ev = s.report()
            self.assertTrue(all({"t_ms", "boot", "kind", "text"} <= set(e) for e in ev))
            boots = [e["boot"] for e in ev if e["kind"] == "power-up"]
            self.assertEqual(boots, [1, 2])
            self.assertIn("uart AT+CGMR", [e["text"] for e in ev if e["kind"] == "cmd"])

    def test_report_escapes_anything(self):
        with Sim(time_scale=FAST) as s:
            s.uart.write(b'AT+X="q\\\xff\x01"\r')
            self.assertEqual(s.uart.readline(), 'AT+X="q\\\xff\x01"')  # echo
            self.assertEqual(s.uart.readline(), "ERROR")
            s.kill()
            texts = [e["text"] for e in s.report() if e["kind"] == "cmd"]
            self.assertIn('uart AT+X="q\\.."', texts)  # non-printable bytes shown as '.'

    def test_usage(self):
        p = run_sim("--uart", "/tmp/x")
        self.assertEqual(p.returncode, 2)
        p = run_sim("--state", "/tmp/x", "--uart", "/tmp/y", "--time-scale", "0")
        self.assertEqual(p.returncode, 2)
        p = run_sim("--state", "/tmp/x", "--uart", "/tmp/y", "--bogus")
        self.assertEqual(p.returncode, 2)


if __name__ == "__main__":
    unittest.main(verbosity=2)
