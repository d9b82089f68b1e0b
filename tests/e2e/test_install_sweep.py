"""Fault sweep of the install (DESIGN "fault sweeps", MCUboot's idea): cut power at many
points of validation and install, restart, and check the module each time (§3.1.2,
§4.3.1.3, §4.3, §5.7.4):
  - validation cut → normal mode, old firmware, package still pending;
  - install cut (once or twice) → the install restarts and completes: new firmware;
  - a boot-code package cut while the boot section is written (40–60 %) → bricked;
    cut outside that window → completes."""

import os
import tempfile

from test_install_util import Failures, Sim, SimError, Workshop, read, version

F = Failures()
W = Workshop(tempfile.mkdtemp(prefix="larafw-sweep-"))
A = W.image("a.img", seed=1)
B = W.successor(A, "b.img", "LARA-R6.02.00", change=3)
GOOD = read(W.delta(A, B, "good.upd"))
BOOT = read(W.delta(A, B, "boot.upd", "--boot-code"))
NEW, OLD = "LARA-R6.02.00", "LARA-R6.01.00"
SCALE = 0.01


def cut(data, cuts):
    """Pushes `data`, starts the install with the first --fault, then restarts once per
    further fault (each start is the next power-up). Returns the Sim, stopped after the
    last cut."""
    sim = Sim(time_scale=SCALE, firmware=A, fota_key=W.pub, faults=[cuts[0]])
    final = sim.uart.download("d.upd", data, "FOAT")
    if final != "OK":
        raise SimError("push: %s" % final)
    lines, final = sim.cmd("AT+UFWINSTALL")
    if final != "OK":
        raise SimError("AT+UFWINSTALL: %s" % final)
    sim.wait_exit(60)
    for fault in cuts[1:]:
        sim.start(faults=[fault], open_ports=False)
        sim.wait_exit(60)
    return sim


def install_cut(*cuts):
    sim = cut(GOOD, list(cuts))
    try:
        status = sim.start(faults=[])
        sim.uart.wait_at(60)
        st = sim.state()
        what = "install cut at %s" % "+".join(cuts)
        F.check(status == "ready" and version(sim) == NEW, what + ": new firmware")
        F.check(st.get("fw_phase") == "0" and st.get("fota_pkg_present") == "0",
                what + ": normal mode, package consumed")
        F.check(st.get("install_attempts") == str(len(cuts) + 1),
                what + ": %s install attempts" % st.get("install_attempts"))
        F.check(not os.path.exists(sim.path("image.new")), what + ": no image.new left")
    finally:
        sim.close()


def validation_cut(pct):
    sim = cut(GOOD, ["power-cut=validation:%d" % pct])
    try:
        status = sim.start(faults=[])
        sim.uart.wait_at(30)
        st = sim.state()
        F.check(status == "ready" and version(sim) == OLD and st.get("fw_phase") == "0"
                and st.get("fota_pkg_present") == "1",
                "validation cut at %d %%: old firmware, normal, package pending" % pct)
    finally:
        sim.close()


def boot_cut(pct, bricked):
    sim = cut(BOOT, ["power-cut=install:%d" % pct])
    try:
        status = sim.start(faults=[], open_ports=not bricked)
        if bricked:
            F.check(status == "bricked" and sim.state().get("fw_phase") == "2",
                    "boot-code cut at %d %%: bricked (%s)" % (pct, status))
        else:
            sim.uart.wait_at(60)
            F.check(status == "ready" and version(sim) == NEW,
                    "boot-code cut at %d %%: completes" % pct)
    finally:
        sim.close()


for p in (1, 25, 50, 75, 99):
    F.run("install cut %d" % p, install_cut, "power-cut=install:%d" % p)
F.run("install cut twice", install_cut, "power-cut=install:30", "power-cut=install:60")
for p in (10, 100):
    F.run("validation cut %d" % p, validation_cut, p)
for p, bricked in ((30, False), (40, True), (60, True), (63, False)):
    F.run("boot-code cut %d" % p, boot_cut, p, bricked)
F.exit()
