"""Power and product behaviour of the update engine (§3.1.2, §4.3, §4.3.1.3, §5.7.4,
MODULE.md §1): power cuts during the push download, validation and install (fault
injection and SIGKILL), the boot-code brick, no +UFWPREVAL on LARA-R6001D-00B, and the
65 min / 3 min install bounds measured on the virtual clock."""

import os
import tempfile

from test_install_util import (R6_00B, R6_01B, Failures, Sim, SimError, Workshop,
                               event_time, events, install, progress_values, push, read,
                               version, wait_final)

F = Failures()
W = Workshop(tempfile.mkdtemp(prefix="larafw-power-"))

A = W.image("a.img", seed=1)
B = W.successor(A, "b.img", "LARA-R6.02.00", change=3)
GOOD = read(W.delta(A, B, "good.upd"))
BOOT = read(W.delta(A, B, "boot.upd", "--boot-code"))
NEW = "LARA-R6.02.00"
OLD = "LARA-R6.01.00"


def start_install(sim, data):
    push(sim, data)
    lines, final = sim.cmd("AT+UFWINSTALL")
    if final != "OK":
        raise SimError("AT+UFWINSTALL: %s %r" % (final, lines))


def power_cut_install():
    with Sim(time_scale=0.01, firmware=A, fota_key=W.pub,
             faults=["power-cut=install:40"]) as sim:
        start_install(sim, GOOD)
        sim.wait_exit(60)
        st = sim.state()
        F.check(st.get("fw_phase") == "1", "power cut at 40 %%: install mode persisted (%s)"
                % st.get("fw_phase"))
        F.check(os.path.exists(sim.path("image.new")), "half-written image.new on disk")
        sim.start(faults=[])
        sim.uart.wait_at(60)  # the module answers only after the resumed install
        F.check(version(sim) == NEW, "resumed install completed: new firmware")
        st = sim.state()
        F.check(st.get("fw_phase") == "0", "normal mode after the resumed install")
        F.check(st.get("install_attempts") == "2", "install ran twice: %s" % st.get("install_attempts"))
        F.check(any("restarting install" in e["text"] for e in events(sim, "update")),
                "report: install restarted at power-up")
        F.check(any(e["text"].startswith("final fota code 128") for e in events(sim, "update")),
                "report: final code 128 after resume")


def sigkill_install():
    # a slower clock so that the test can see progress and cut power itself
    with Sim(time_scale=0.2, firmware=A, fota_key=W.pub) as sim:
        start_install(sim, GOOD)
        while True:
            line = sim.uart.readline(60)
            if line.startswith("+UFWINSTALL: ") and 10 <= int(line.split()[-1]) <= 100:
                break
        # during the install the module answers nothing (§4.3)
        sim.uart.write("AT\r")
        seen = []
        while len([ln for ln in seen if ln.startswith("+UFWINSTALL: ")]) < 2:
            seen.append(sim.uart.readline(60))
        F.check("OK" not in seen and "AT" not in seen, "AT ignored during the install: %r" % seen)
        sim.kill()
        F.check(sim.state().get("fw_phase") == "1", "SIGKILL mid-install: install mode on disk")
        sim.start()
        code, _ = wait_final(sim.uart, 60)
        F.check(code == 128, "after SIGKILL the restarted install ends in %d" % code)
        sim.uart.wait_at(60)
        F.check(version(sim) == NEW, "after SIGKILL: new firmware")


def power_cut_validation():
    with Sim(time_scale=0.01, firmware=A, fota_key=W.pub,
             faults=["power-cut=validation:50"]) as sim:
        start_install(sim, GOOD)
        sim.wait_exit(60)
        sim.start(faults=[])
        F.check(sim.status == "ready", "power cut in validation: module ready")
        sim.uart.wait_at(30)
        F.check(version(sim) == OLD, "power cut in validation: old firmware")
        st = sim.state()
        F.check(st.get("fw_phase") == "0", "power cut in validation: normal mode")
        F.check(st.get("fota_pkg_present") == "1", "the pushed package is still pending")
        code, _ = install(sim)
        F.check(code == 128 and version(sim) == NEW, "pending package installs afterwards")


def power_cut_push():
    with Sim(time_scale=0.01, firmware=A, fota_key=W.pub,
             faults=["power-cut=download:50"]) as sim:
        sim.uart.write('AT+UDWNFILE="d.upd",%d,"FOAT"\r' % len(GOOD))
        sim.uart.read_until(b">")
        try:
            sim.uart.write(GOOD)
        except (SimError, OSError):
            pass  # the module died mid-transfer
        sim.wait_exit(60)
        sim.start(faults=[])
        sim.uart.wait_at(30)
        F.check(version(sim) == OLD, "power cut in push download: old firmware")
        F.check(sim.state().get("fw_phase") == "0", "power cut in push download: normal mode")
        sim.ok("AT+CMEE=2")
        _, final = sim.cmd("AT+UFWINSTALL")
        F.check(final == "+CME ERROR: operation not allowed",
                "no package after a cut download: %s" % final)


def brick():
    with Sim(time_scale=0.01, firmware=A, fota_key=W.pub,
             faults=["power-cut=install:50"]) as sim:
        start_install(sim, BOOT)
        sim.wait_exit(60)
        F.check(sim.state().get("boot_writing") == "1", "boot section write in progress on disk")
        status = sim.start(faults=[], open_ports=False)
        F.check(status == "bricked", "power cut in the boot section: %s" % status)
        F.check(sim.state().get("fw_phase") == "2", "fw_phase bricked persisted")
    # outside the boot window the same package survives a cut
    with Sim(time_scale=0.01, firmware=A, fota_key=W.pub,
             faults=["power-cut=install:20"]) as sim:
        start_install(sim, BOOT)
        sim.wait_exit(60)
        F.check(sim.state().get("boot_writing") == "0", "cut before the boot window")
        status = sim.start(faults=[])
        sim.uart.wait_at(60)
        F.check(status == "ready" and version(sim) == NEW, "boot-code package resumed to the end")


def products():
    """No validation URCs on R6001D-00B; the update bound per product on the virtual clock
    with a payload above the reference size (the whole bound is used, never exceeded)."""
    for product, bound_s, scale in ((R6_00B, 65 * 60, 0.002), (R6_01B, 3 * 60, 0.02)):
        a = W.image("big-%s-a.img" % product, product=product, size=3 << 20, seed=3)
        b = W.successor(a, "big-%s-b.img" % product, "LARA-R6.03.00", change=100, seed=4)
        data = read(W.delta(a, b, "big-%s.upd" % product))
        # push the 2 MB at an easy pace, then power-cycle onto the fast clock to install
        with Sim(product=product, time_scale=0.05, firmware=a, fota_key=W.pub) as sim:
            push(sim, data)
            sim.terminate()
            sim.time_scale = scale
            sim.start()
            code, lines = install(sim, timeout=120)
            F.check(code == 128, "%s: big delta installs (%d)" % (product, code))
            pre = progress_values(lines, "+UFWPREVAL")
            if product == R6_00B:
                F.check(pre == [], "%s: no +UFWPREVAL step" % product)
            else:
                F.check(pre and pre[-1] == 100, "%s: +UFWPREVAL present" % product)
            t0 = event_time(sim, "phase", r"^validation fota")
            t1 = event_time(sim, "update", r"^final fota code 128")
            took = (t1 - t0) / 1000.0
            F.check(took <= bound_s, "%s: update took %.0f s <= %d s" % (product, took, bound_s))
            F.check(took >= 0.8 * bound_s, "%s: a big payload uses most of the bound (%.0f s)"
                    % (product, took))
            F.check(version(sim) == "LARA-R6.03.00", "%s: new firmware" % product)


F.run("power cut during install (fault)", power_cut_install)
F.run("SIGKILL during install", sigkill_install)
F.run("power cut during validation", power_cut_validation)
F.run("power cut during push download", power_cut_push)
F.run("boot-code brick", brick)
F.run("product differences", products)
F.exit()
