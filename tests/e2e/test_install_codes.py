"""+UDWNFILE "FOAT" push + AT+UFWINSTALL (§4.2.3, §4.3): success, already-current, and every
Appendix A code the simulator produces, each from a real condition of the package, the
state directory or an injected fault. After every failure the old firmware must run."""

import os
import tempfile

from test_install_util import (HEADER_SIZE, L6_00B, OFF_DST_SHA256, OFF_FORMAT,
                               Failures, Sim, Workshop, events, install,
                               progress_values, push, read, version, wait_final)

SCALE = 0.01
F = Failures()
W = Workshop(tempfile.mkdtemp(prefix="larafw-inst-"))

A = W.image("a.img", seed=1)                              # running firmware
B = W.successor(A, "b.img", "LARA-R6.02.00", change=3)    # target
C = W.image("c.img", seed=7, version="LARA-R6.01.07")      # another source, same product
GOOD = W.delta(A, B, "good.upd", "--nvm", "bandmask0=0x80", "--nvm", "colour=blue",
               "--mno", "100")


def expect_code(sim, data, code, what):
    push(sim, data)
    got, lines = install(sim)
    F.check(got == code, "%s: final code %d (expected %d)" % (what, got, code))
    F.check(version(sim) == "LARA-R6.01.00", "%s: old firmware still runs" % what)
    return lines


def package_codes():
    with Sim(time_scale=SCALE, firmware=A, fota_key=W.pub) as sim:
        sim.ok("AT+CMEE=2")
        _, final = sim.cmd("AT+UFWINSTALL")
        F.check(final == "+CME ERROR: operation not allowed", "no package: %s" % final)
        for bad in ("AT+UFWINSTALL=7,115200", "AT+UFWINSTALL=1,1234", "AT+UFWINSTALL=1,115200,,2"):
            _, final = sim.cmd(bad)
            F.check(final == "+CME ERROR: incorrect parameters", "%s: %s" % (bad, final))
        lines, final = sim.cmd("AT+UFWINSTALL=?")
        F.check(final == "OK" and lines and lines[0].startswith("+UFWINSTALL: "),
                "AT+UFWINSTALL=?: %r" % lines)

        # 158: a full package given to +UFWINSTALL; random bytes
        expect_code(sim, read(W.full(B, "full.upd")), 158, "full package to +UFWINSTALL")
        expect_code(sim, os.urandom(3000), 158, "not a package")
        # 174: format version 2, validly signed
        p = W.resign(W.patch(W.copy(GOOD, "v2.upd"), OFF_FORMAT, b"\x02\x00"))
        expect_code(sim, read(p), 174, "format version 2")
        # 180: bytes appended after the signature
        expect_code(sim, read(GOOD) + b"\x00" * 100, 180, "appended bytes")
        # 173: one byte flipped, not re-signed
        p = W.flip(W.copy(GOOD, "flip.upd"), HEADER_SIZE + 10)
        expect_code(sim, read(p), 173, "flipped payload byte")
        # 247: a package for another product (L6 images)
        la = W.image("la.img", product=L6_00B)
        lb = W.successor(la, "lb.img", "LARA-L6.02.00")
        expect_code(sim, read(W.delta(la, lb, "l6.upd")), 247, "other product")
        # 168: delta against an image the module does not run
        expect_code(sim, read(W.delta(C, B, "c2b.upd")), 168, "other source image")
        # 148: payload corrupted, then re-signed
        p = W.copy(GOOD, "corrupt.upd")
        size = os.path.getsize(p)
        for off in range(HEADER_SIZE + 4, size - 64, max(1, (size - HEADER_SIZE) // 8)):
            W.flip(p, off, 0xFF)
        expect_code(sim, read(W.resign(p)), 148, "corrupt payload")
        # 195: declared target hash changed, re-signed
        p = W.resign(W.flip(W.copy(GOOD, "dst.upd"), OFF_DST_SHA256 + 3))
        expect_code(sim, read(p), 195, "wrong target hash")
        F.check(sim.state().get("fw_phase") == "0", "normal mode after failures")

        # 128: the good package; then the same package again: already current (§4.3.1.4)
        data = b"hello"
        F.check(sim.uart.download("user.txt", data) == "OK", "user file stored")
        bm_before = sim.state().get("bandmask1")
        push(sim, read(GOOD))
        code, lines = install(sim, "1,115200")
        F.check(code == 128, "good delta: final code %d" % code)
        pre = progress_values(lines, "+UFWPREVAL")
        ins = progress_values(lines, "+UFWINSTALL")[:-1]
        F.check(pre and pre[0] == 0 and pre[-1] == 100 and pre == sorted(pre),
                "+UFWPREVAL 0..100 increasing: %r" % pre[:4])
        F.check(ins and ins[-1] == 100 and ins == sorted(ins) and ins[0] >= 1,
                "+UFWINSTALL 1..100 increasing: %r" % ins[:4])
        F.check(version(sim) == "LARA-R6.02.00", "new firmware runs")
        st = sim.state()
        F.check(st.get("bandmask0") == str(0x80), "NVM item bandmask0 applied: %s" % st.get("bandmask0"))
        F.check(st.get("bandmask1") == bm_before, "NVM item not in the package kept")
        F.check(st.get("backup_done") == "1", "EFS backup after FOTA (§4.3.1.5)")
        F.check(st.get("fota_pkg_present") == "0", "pending package consumed")
        F.check("code=128" in read(sim.path("install.result")).decode(),
                "install.result keeps the last final code")
        F.check(os.path.exists(sim.path("files/user.txt")), "user file preserved (Table 6)")
        F.check(any("mno profile 100" in e["text"] for e in events(sim, "update")),
                "MNO profile 100 recorded as updated")

        boots = sim.state().get("boot_count")
        push(sim, read(GOOD))
        lines, final = sim.cmd("AT+UFWINSTALL")
        F.check(final == "OK", "already current: OK")
        got, _ = wait_final(sim.uart, 10)
        F.check(got == 128, "already current: immediate %d" % got)
        F.check(version(sim) == "LARA-R6.02.00", "already current: version unchanged")
        F.check(sim.state().get("boot_count") == boots, "already current: no reset")


def key_missing():
    # 227: a module provisioned without DIR/fota.pub
    with Sim(time_scale=SCALE, firmware=A) as sim:
        expect_code(sim, read(GOOD), 227, "no FOTA public key")


def flash_faults():
    with Sim(time_scale=SCALE, firmware=A, fota_key=W.pub,
             faults=["flash-write=install:30"]) as sim:
        expect_code(sim, read(GOOD), 160, "flash write failure during install")
        F.check(not os.path.exists(sim.path("image.new")), "no half image left")
        # the fault fired; the same package installs now (the pending package was kept)
        code, _ = install(sim)
        F.check(code == 128, "retry after 160: %d" % code)
        F.check(version(sim) == "LARA-R6.02.00", "retry after 160 installs")
    with Sim(time_scale=SCALE, firmware=A, fota_key=W.pub,
             faults=["flash-write=validation:50"]) as sim:
        expect_code(sim, read(GOOD), 230, "flash read failure during validation")


def ports():
    """<port> 2 = USB: progress and 128 there; 130 (flash access) always on the primary UART
    at 115200 (Appendix A), here from a DIR/image.new that cannot be created."""
    with Sim(time_scale=SCALE, usb=True, firmware=A, fota_key=W.pub) as sim:
        push(sim, read(GOOD))
        lines, final = sim.cmd("AT+UFWINSTALL=2,115200")
        F.check(final == "OK", "AT+UFWINSTALL=2,115200: %s" % final)
        code, urcs = wait_final(sim.usb, 60)
        F.check(code == 128 and len(progress_values(urcs, "+UFWINSTALL")) > 3,
                "port 2: progress and 128 on USB")
        sim.uart.wait_at(30)
        uart_lines = [ln for ln in sim.uart.lines if ln.startswith("+UFWINSTALL")]
        F.check(uart_lines == [], "port 2: nothing on the UART: %r" % uart_lines[:3])
        F.check(version(sim) == "LARA-R6.02.00", "port 2: installed")
    with Sim(time_scale=SCALE, usb=True, firmware=A, fota_key=W.pub) as sim:
        push(sim, read(GOOD))
        os.mkdir(sim.path("image.new"))  # the flash area cannot be opened for writing
        lines, final = sim.cmd("AT+UFWINSTALL=2,115200")
        code, _ = wait_final(sim.uart, 60)
        F.check(code == 130, "flash access failure: %d on the primary UART" % code)
        sim.uart.wait_at(30)
        F.check(version(sim) == "LARA-R6.01.00", "130: old firmware")
        os.rmdir(sim.path("image.new"))


F.run("package codes", package_codes)
F.run("URC ports, 130", ports)
F.run("227 key missing", key_missing)
F.run("160/230 flash faults", flash_faults)
F.exit()
