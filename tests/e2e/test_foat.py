"""FOAT end to end over the pty (§3, §3.1, §3.1.2, §6): the 109 s start window and its
timeout, a scripted XMODEM sender (checksum mode, a bad block, a repeated block, 1K blocks
with SUB padding), a power cut during the download, Table 5 refusals, and a FOAT started
on USB whose URCs appear on the primary UART only. lrzsz `sx` is tried in
tests/interop/sx_foat.py."""

import os
import tempfile
import time

from test_install_util import (Failures, Sim, SimError, Workshop, event_time,
                               events, progress_values, read, version, wait_final)

# The senders here run in host time: the module's clock must leave them slack on a loaded
# host (0.05: 150 ms per 'C' until the NAKs begin, 500 ms of silence before a block NAK).
CRC_SCALE = 0.05

SOH, STX, EOT, ACK, NAK, CAN, SUB = 0x01, 0x02, 0x04, 0x06, 0x15, 0x18, 0x1A

F = Failures()
W = Workshop(tempfile.mkdtemp(prefix="larafw-foat-"))
A = W.image("a.img", seed=1)
B = W.successor(A, "b.img", "LARA-R6.02.00", change=3)
FULL = read(W.full(B, "b.upd", "--nvm", "bandmask1=5"))  # Table 6: an NVM item changes
DELTA = read(W.delta(A, B, "ab.upd"))
NEW, OLD = "LARA-R6.02.00", "LARA-R6.01.00"


def crc16(data):
    crc = 0
    for b in data:
        crc ^= b << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
    return crc


def frame(num, data, crc):
    head = bytes([SOH if len(data) == 128 else STX, num & 0xFF, ~num & 0xFF])
    if crc:
        c = crc16(data)
        return head + data + bytes([c >> 8, c & 0xFF])
    return head + data + bytes([sum(data) & 0xFF])


def answer(port, alive=None, timeout=30):
    """The next ACK, NAK or CAN from the module (C solicitations are skipped). `alive()`
    is polled while waiting so that a module that died (power cut) ends the wait."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            b = port.read_bytes(1, 0.5)[0]
        except SimError:
            if (alive and not alive()) or time.monotonic() > deadline:
                raise
            continue
        if b in (ACK, NAK, CAN):
            return b


def xmodem_send(port, data, block=1024, crc=True, script=None, alive=None):
    """Sends `data` as XMODEM blocks (last one SUB-padded). `script(n, frame)` may return a
    list of frames to send instead of the good one for block n (fault injection); every
    frame must be answered by ACK except those the script corrupts (NAK)."""
    n = 1
    for off in range(0, len(data), block):
        chunk = data[off:off + block]
        chunk += bytes([SUB]) * (block - len(chunk))
        good = frame(n, chunk, crc)
        for f, want in (script(n, good) if script else []):
            port.write(f)
            got = answer(port, alive)
            if got != want:
                raise SimError("block %d (scripted): got 0x%02x, want 0x%02x" % (n, got, want))
        for _ in range(10):
            port.write(good)
            got = answer(port, alive)
            if got == ACK:
                break
            if got == CAN:
                raise SimError("module cancelled at block %d" % n)
        else:
            raise SimError("block %d never acknowledged" % n)
        n += 1
    for _ in range(3):  # the module NAKs the first EOT and ACKs the repeat
        port.write(bytes([EOT]))
        if answer(port, alive) == ACK:
            return
    raise SimError("EOT not acknowledged")


def start_foat(port, first=b"C"):
    """AT+UFWUPD=3 → +UFWUPD: ONGOING → the first solicitation byte `first`."""
    port.write("AT+UFWUPD=3\r")
    port.read_until(b"+UFWUPD: ONGOING\r\n")
    port.read_until(first)


def timeout_window():
    with Sim(time_scale=0.01, firmware=A, fota_key=W.pub) as sim:
        sim.uart.write("AT+UFWUPD=3\r")
        sim.uart.read_until(b"+UFWUPD: ONGOING\r\n")
        sim.uart.write("AT\r")  # no AT command is accepted in the window (§3.1)
        raw = sim.uart.read_until(b"ERROR1\r\n", 30)
        F.check(raw.count(b"C") == 3, "three C: %r" % raw[:20])
        F.check(raw.count(bytes([NAK])) == 10, "ten NAK")
        F.check(raw.index(b"C") < raw.index(bytes([NAK])), "C before NAK")
        F.check(b"Timeout\r\n" in raw and b"OK" not in raw, "Timeout, then ERROR1, no OK")
        t0 = event_time(sim, "phase", r"^download start foat")
        t1 = event_time(sim, "update", r"no data within 109 s")
        F.check(113.0 <= (t1 - t0) / 1000.0 <= 125.0,
                "5 s preparation + 109 s window on the virtual clock: %.1f s" % ((t1 - t0) / 1000.0))
        F.check(version(sim) == OLD, "timeout: old firmware, AT answers")


def scripted_checksum():
    def script(n, good):
        if n == 1:
            bad = bytearray(good)
            bad[10] ^= 0xFF
            return [(bytes(bad), NAK)]  # corrupt → NAK, then the good one
        if n == 3:
            return [(good, ACK), (good, ACK)]  # block 3 twice (a lost ACK): ACK, stored once
        return []

    with Sim(time_scale=CRC_SCALE, firmware=A, fota_key=W.pub) as sim:
        start_foat(sim.uart, bytes([NAK]))  # data after the NAKs began → checksum mode
        xmodem_send(sim.uart, FULL, 1024, crc=False, script=script)
        code, lines = wait_final(sim.uart, 60)
        F.check(code == 128, "scripted checksum-mode FOAT: %d" % code)
        F.check(lines[0] == "OK", "OK after the transfer (§3.1.1): %r" % lines[:1])
        pre = progress_values(lines, "+UFWPREVAL")
        F.check(pre and pre[0] == 0 and pre[-1] == 100, "+UFWPREVAL 0..100")
        F.check(any("checksum mode" in e["text"] for e in events(sim, "update")),
                "report: checksum mode")
        sim.uart.wait_at(30)
        F.check(version(sim) == NEW, "new firmware after FOAT")
        F.check(not os.path.exists(sim.path("foat.upd")), "foat.upd removed after install")
        F.check(sim.state().get("backup_done") == "0", "no EFS backup after FOAT")
        F.check(sim.state().get("bandmask1") == "5", "FOAT package's NVM item applied (Table 6)")


def wrong_kind():
    with Sim(time_scale=CRC_SCALE, firmware=A, fota_key=W.pub) as sim:
        start_foat(sim.uart)
        xmodem_send(sim.uart, DELTA, 128, crc=True)
        code, _ = wait_final(sim.uart, 60)
        F.check(code == 158, "a delta through +UFWUPD: %d" % code)
        sim.uart.wait_at(30)
        F.check(version(sim) == OLD, "delta via FOAT: old firmware")
        # the running image itself as a full package: 128 after validation, no install
        same = read(W.full(A, "a.upd"))  # built before the 3 s C window opens
        start_foat(sim.uart)
        xmodem_send(sim.uart, same, 1024, crc=True)
        code, lines = wait_final(sim.uart, 60)
        F.check(code == 128 and progress_values(lines, "+UFWUPD")[:-1] == [],
                "already on the package's version: 128 without install URCs")
        F.check(not any(e["text"].startswith("install ") for e in events(sim, "phase")),
                "no install phase")
        sim.uart.wait_at(30)
        F.check(version(sim) == OLD, "version unchanged")


def power_cut_download():
    with Sim(time_scale=CRC_SCALE, firmware=A, fota_key=W.pub,
             faults=["power-cut=download:50"]) as sim:
        start_foat(sim.uart)
        try:
            xmodem_send(sim.uart, FULL, 1024, crc=True, alive=sim.running)
        except (SimError, OSError):
            pass
        sim.wait_exit(30)
        F.check(os.path.exists(sim.path("foat.part")), "half package on disk at the cut")
        status = sim.start(faults=[])
        sim.uart.wait_at(30)
        F.check(status == "ready" and version(sim) == OLD, "power cut in FOAT download: old firmware")
        F.check(sim.state().get("fw_phase") == "0", "normal mode")
        F.check(not os.path.exists(sim.path("foat.part")), "partial package dropped (no resume)")


def power_cut_after_download():
    """Validation cut: old firmware, the .upd dropped. Install cut: the FOAT install resumes
    at power-up, its +UFWUPD URCs on the UART, and completes (§3.1.2)."""
    with Sim(time_scale=CRC_SCALE, firmware=A, fota_key=W.pub,
             faults=["power-cut=validation:50"]) as sim:
        start_foat(sim.uart)
        xmodem_send(sim.uart, FULL, 1024, crc=True)
        sim.wait_exit(30)
        sim.start(faults=[])
        sim.uart.wait_at(30)
        F.check(version(sim) == OLD and sim.state().get("fw_phase") == "0",
                "FOAT validation cut: old firmware, normal mode")
        F.check(not os.path.exists(sim.path("foat.upd")), "FOAT validation cut: .upd dropped")
    with Sim(time_scale=CRC_SCALE, firmware=A, fota_key=W.pub,
             faults=["power-cut=install:50"]) as sim:
        start_foat(sim.uart)
        xmodem_send(sim.uart, FULL, 1024, crc=True)
        sim.wait_exit(30)
        F.check(sim.state().get("install_method") == "0", "FOAT install persisted")
        sim.start(faults=[])
        code, _ = wait_final(sim.uart, 60)
        F.check(code == 128, "resumed FOAT install: +UFWUPD: %d on the UART" % code)
        sim.uart.wait_at(30)
        F.check(version(sim) == NEW, "resumed FOAT install: new firmware")
        F.check(not os.path.exists(sim.path("foat.upd")), "FOAT .upd removed after install")


def usb_and_table5():
    with Sim(time_scale=CRC_SCALE, usb=True, firmware=A, fota_key=W.pub) as sim:
        # §6 Table 5: while +UFWUPD runs on the UART, other downloads are refused
        start_foat(sim.uart)
        _, final = sim.usb.cmd('AT+UDWNFILE="x.upd",100,"FOAT"')
        F.check(final != "OK" and final.startswith(("ERROR", "+CME")), "push refused: %s" % final)
        _, final = sim.usb.cmd("AT+UFWUPD=3")
        F.check(final != "OK", "second FOAT refused: %s" % final)
        sim.uart.write(bytes([CAN, CAN]))  # the host gives up
        sim.uart.read_until(b"ERROR1\r\n")
        sim.uart.wait_at()
        # FOAT started on USB: its URCs go to the primary UART only (§3.1)
        start_foat(sim.usb)
        xmodem_send(sim.usb, FULL, 1024, crc=True)
        code, lines = wait_final(sim.uart, 60)
        F.check(code == 128, "FOAT over USB: %d on the UART" % code)
        F.check(progress_values(lines, "+UFWPREVAL")[-1:] == [100], "+UFWPREVAL on the UART")
        F.check(len(progress_values(lines, "+UFWUPD")) > 3, "install progress on the UART")
        usb_text = sim.usb.read_available(0.2).decode("latin-1")
        F.check("+UFWUPD: 1" not in usb_text and "+UFWPREVAL" not in usb_text,
                "nothing but OK on USB: %r" % usb_text[:80])
        sim.usb.wait_at(30)
        F.check([ln for ln in sim.usb.ok("AT+CGMR") if not ln.startswith("+")] == [NEW],
                "new firmware seen on USB")


F.run("109 s window and timeout", timeout_window)
F.run("scripted sender, checksum mode", scripted_checksum)
F.run("delta through FOAT", wrong_kind)
F.run("power cut during FOAT download", power_cut_download)
F.run("power cut in FOAT validation / install", power_cut_after_download)
F.run("USB start and Table 5", usb_and_table5)
F.exit()
