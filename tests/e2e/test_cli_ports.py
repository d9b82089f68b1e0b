"""End to end: `larafw ports` and `-p auto` against a fake sysfs tree built here
(LARAFW_SYSFS_ROOT, LARAFW_DEV_DIR), whose device nodes are symlinks to pseudo-terminals:
larafw-sim's UART (answers AT), a silent one, one that another process holds locked.

The tree copies the shape of Linux sysfs: /sys/class/tty/<tty> links into
/sys/devices/…/<usb dev>/<usb dev>:1.<if>/…, the `device` link of an `option` port (ttyUSB)
points to the usb-serial port below the interface, that of a `cdc_acm` port (ttyACM) to the
interface itself."""

import fcntl
import json
import os
import shutil
import tempfile
import unittest

from cli_env import Sim, larafw


class FakeSys:
    """A sysfs root and a /dev directory under one temporary directory."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="larafw-e2e-sysfs-")
        self.sys = os.path.join(self.dir, "sys")
        self.dev = os.path.join(self.dir, "dev")
        for d in ("class/tty", "devices/platform/serial8250", "bus/usb/drivers/option",
                  "bus/usb/drivers/cdc_acm", "bus/usb/drivers/ftdi_sio"):
            os.makedirs(os.path.join(self.sys, d))
        os.makedirs(self.dev)
        self.env = {"LARAFW_SYSFS_ROOT": self.sys, "LARAFW_DEV_DIR": self.dev}

    @staticmethod
    def _write(path, text):
        with open(path, "w") as f:
            f.write(text + "\n")

    def usb_device(self, name, vid, pid, product, serial, manufacturer="u-blox"):
        d = os.path.join(self.sys, "devices/pci0000:00/0000:00:14.0/usb1", name)
        os.makedirs(d)
        self._write(os.path.join(d, "idVendor"), "%04x" % vid)
        self._write(os.path.join(d, "idProduct"), "%04x" % pid)
        self._write(os.path.join(d, "product"), product)
        self._write(os.path.join(d, "manufacturer"), manufacturer)
        if serial:
            self._write(os.path.join(d, "serial"), serial)
        return d

    def tty(self, usbdev, interface, tty, driver="option", node=None):
        """A tty on interface `interface` of `usbdev`; /dev/<tty> links to `node` if given."""
        iface = os.path.join(usbdev, "%s:1.%d" % (os.path.basename(usbdev), interface))
        os.makedirs(iface, exist_ok=True)
        self._write(os.path.join(iface, "bInterfaceNumber"), "%02x" % interface)
        os.symlink(os.path.join(self.sys, "bus/usb/drivers", driver),
                   os.path.join(iface, "driver"))
        if driver == "option":
            port = os.path.join(iface, tty)  # the usb-serial port device
            ttydir = os.path.join(port, "tty", tty)
            os.makedirs(ttydir)
            os.symlink("../../../" + tty, os.path.join(ttydir, "device"))
        else:
            ttydir = os.path.join(iface, "tty", tty)
            os.makedirs(ttydir)
            os.symlink("../../../" + os.path.basename(iface), os.path.join(ttydir, "device"))
        os.symlink(os.path.relpath(ttydir, os.path.join(self.sys, "class/tty")),
                   os.path.join(self.sys, "class/tty", tty))
        if node:
            os.symlink(node, os.path.join(self.dev, tty))

    def module(self, name, serial, ttys, pid=0x1311, nodes=None):
        d = self.usb_device(name, 0x1546, pid, "u-blox LARA-R6", serial)
        for i, t in enumerate(ttys):
            self.tty(d, i, t, node=(nodes or {}).get(i))
        return d

    def others(self):
        """What must never be listed: an FTDI adapter, a built-in UART, a virtual console."""
        ftdi = self.usb_device("1-2", 0x0403, 0x6001, "FT232R USB UART", "A1B2C3",
                               manufacturer="FTDI")
        self.tty(ftdi, 0, "ttyUSB9", driver="ftdi_sio", node="/dev/null")
        uart = os.path.join(self.sys, "devices/platform/serial8250/tty/ttyS0")
        os.makedirs(uart)
        os.symlink("../../../serial8250", os.path.join(uart, "device"))
        os.symlink(os.path.relpath(uart, os.path.join(self.sys, "class/tty")),
                   os.path.join(self.sys, "class/tty/ttyS0"))
        os.makedirs(os.path.join(self.sys, "class/tty/tty0"))  # no device link

    def cleanup(self):
        shutil.rmtree(self.dir, ignore_errors=True)


class PortsCase(unittest.TestCase):
    def setUp(self):
        self.fs = FakeSys()
        self.addCleanup(self.fs.cleanup)
        self.fs.others()

    def run_larafw(self, port, *args, env=None):
        e = dict(self.fs.env)
        e.update(env or {})
        return larafw(port, *args, env=e)

    def silent_pty(self):
        """A pseudo-terminal nobody answers on; returns the path of its slave."""
        master, slave = os.openpty()
        self.addCleanup(os.close, master)
        self.addCleanup(os.close, slave)
        return os.ttyname(slave)

    def sim(self):
        sim = Sim(None, firmware=None)
        self.addCleanup(sim.cleanup)
        return sim


class TestList(PortsCase):
    def test_none(self):
        res = self.run_larafw(None, "ports")
        self.assertEqual(res.rc, 3, res)
        self.assertIn("no serial port of a u-blox module", res.err)
        self.assertIn("lsusb -d 1546:", res.err)
        self.assertEqual(res.out, "")
        res = self.run_larafw("auto", "info")
        self.assertEqual(res.rc, 3, res)
        self.assertIn("-p auto: no u-blox module", res.err)
        self.assertIn("-p PORT", res.err)

    def test_one_module(self):
        self.fs.module("1-1", "354679090348445", ["ttyUSB3", "ttyUSB0", "ttyUSB1", "ttyUSB2"])
        res = self.run_larafw(None, "ports")
        self.assertEqual(res.rc, 0, res)
        lines = res.out.splitlines()
        self.assertTrue(lines[0].startswith("PORT"), res)
        rows = [l.split() for l in lines[1:]]
        self.assertEqual(len(rows), 4, res)  # no FTDI, no ttyS0, no tty0
        # sorted by interface: its tty names may come in any order
        self.assertEqual([r[0] for r in rows], [os.path.join(self.fs.dev, t) for t in
                                                ("ttyUSB3", "ttyUSB0", "ttyUSB1", "ttyUSB2")])
        self.assertEqual([r[2] for r in rows], ["0", "1", "2", "3"])
        self.assertEqual([r[3] for r in rows], ["diagnostic", "AT", "AT", "AT"])
        for r in rows:
            self.assertEqual(r[1], "1-1")
            self.assertEqual(r[4], "1546:1311")
            self.assertIn("354679090348445", r)
        self.assertIn("u-blox LARA-R6 (LARA-R6 01B)", res.out)

    def test_json(self):
        self.fs.module("1-1", "SER1", ["ttyUSB0", "ttyUSB1"], pid=0x1341)
        res = self.run_larafw(None, "--json", "ports")
        self.assertEqual(res.rc, 0, res)
        objs = [json.loads(l) for l in res.out.splitlines()]
        self.assertEqual(len(objs), 2)
        self.assertEqual(objs[1], {
            "path": os.path.join(self.fs.dev, "ttyUSB1"), "usb": "1-1", "vid": "1546",
            "pid": "1341", "model": "LARA-L6", "product": "u-blox LARA-R6",
            "manufacturer": "u-blox", "serial": "SER1", "interface": 1, "driver": "option",
            "role": "AT"})

    def test_cdc_acm_and_unknown_product(self):
        d = self.fs.usb_device("3-4", 0x1546, 0x1999, "future u-blox", "")
        self.fs.tty(d, 0, "ttyACM0", driver="cdc_acm")
        self.fs.tty(d, 2, "ttyACM1", driver="cdc_acm")
        res = self.run_larafw(None, "--json", "ports")
        self.assertEqual(res.rc, 0, res)
        objs = [json.loads(l) for l in res.out.splitlines()]
        self.assertEqual([(o["interface"], o["role"], o["driver"]) for o in objs],
                         [(0, "unknown", "cdc_acm"), (2, "unknown", "cdc_acm")])
        self.assertIsNone(objs[0]["model"])
        self.assertEqual(objs[0]["serial"], "")

    def test_two_modules(self):
        self.fs.module("1-1", "SERIAL-A", ["ttyUSB0", "ttyUSB1", "ttyUSB2", "ttyUSB3"])
        self.fs.module("1-3", "SERIAL-B", ["ttyUSB4", "ttyUSB5", "ttyUSB6", "ttyUSB7"])
        res = self.run_larafw(None, "ports")
        self.assertEqual(res.rc, 0, res)
        self.assertEqual(len(res.out.splitlines()), 9, res)
        res = self.run_larafw("auto", "info")
        self.assertEqual(res.rc, 3, res)
        self.assertIn("2 u-blox modules are attached", res.err)
        self.assertIn("SERIAL-A", res.err)
        self.assertIn("SERIAL-B", res.err)
        self.assertIn(os.path.join(self.fs.dev, "ttyUSB5") + " (if 1, AT)", res.err)
        self.assertIn("choose one with -p PORT", res.err)

    def test_help_names_everything(self):
        res = larafw(None, "ports", "--help")
        self.assertEqual(res.rc, 0, res)
        for word in ("--probe", "-p auto", "LARAFW_PORT=auto", "LARAFW_SYSFS_ROOT",
                     "LARAFW_DEV_DIR", "exit status"):
            self.assertIn(word, res.out)
        res = larafw(None, "--help")
        self.assertIn("ports [--probe]", res.out)
        self.assertIn("'auto'", res.out)

    def test_probe_needs_ports_command(self):
        res = self.run_larafw("auto", "info", "--probe")
        self.assertEqual(res.rc, 2, res)


class TestAuto(PortsCase):
    def test_auto_picks_the_port_that_answers(self):
        sim = self.sim()
        # interface 1 is silent, 2 is the module's AT port, 3's node is missing
        self.fs.module("1-1", "354679090348445", ["ttyUSB0", "ttyUSB1", "ttyUSB2", "ttyUSB3"],
                       nodes={0: "/dev/null", 1: self.silent_pty(), 2: sim.uart})
        res = self.run_larafw("auto", "-v", "info")
        self.assertEqual(res.rc, 0, res)
        self.assertIn("-p auto: %s" % os.path.join(self.fs.dev, "ttyUSB2"), res.err)
        self.assertIn("product: LARA-R6", res.out)
        self.assertIn("firmware:", res.out)
        # LARAFW_PORT=auto does the same
        res = self.run_larafw(None, "--json", "info", env={"LARAFW_PORT": "auto"})
        self.assertEqual(res.rc, 0, res)
        self.assertIn("imei", json.loads(res.out.splitlines()[-1]))

    def test_probe_column(self):
        sim = self.sim()
        locked = self.silent_pty()
        holder = os.open(locked, os.O_RDWR | os.O_NOCTTY)
        self.addCleanup(os.close, holder)
        fcntl.flock(holder, fcntl.LOCK_EX | fcntl.LOCK_NB)  # as a running larafw holds it
        self.fs.module("1-1", "S", ["ttyUSB0", "ttyUSB1", "ttyUSB2", "ttyUSB3"],
                       nodes={1: sim.uart, 2: self.silent_pty(), 3: locked})
        res = self.run_larafw(None, "--json", "ports", "--probe")
        self.assertEqual(res.rc, 0, res)
        probe = {o["interface"]: o["probe"] for o in map(json.loads, res.out.splitlines())}
        self.assertEqual(probe, {0: "error", 1: "AT OK", 2: "no answer",
                                 3: "busy (used by another process)"})
        # the module still answers afterwards: the probe left the port usable
        res = self.run_larafw(sim.uart, "info")
        self.assertEqual(res.rc, 0, res)

    def test_auto_none_answers(self):
        locked = self.silent_pty()
        holder = os.open(locked, os.O_RDWR | os.O_NOCTTY)
        self.addCleanup(os.close, holder)
        fcntl.flock(holder, fcntl.LOCK_EX | fcntl.LOCK_NB)
        self.fs.module("1-1", "S", ["ttyUSB0", "ttyUSB1"],
                       nodes={0: self.silent_pty(), 1: locked})
        res = self.run_larafw("auto", "info")
        self.assertEqual(res.rc, 3, res)
        self.assertIn("no port of the u-blox module on USB 1-1 answered AT", res.err)
        self.assertIn("ttyUSB1 (if 1): busy", res.err)
        self.assertIn("ttyUSB0 (if 0): diagnostic, not tried", res.err)


if __name__ == "__main__":
    unittest.main()
