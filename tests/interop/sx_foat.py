"""FOAT interop with lrzsz `sx` (software nobody here wrote, §3.1): `sx -k` (XMODEM-1K, CRC
mode, answering the module's C) and plain `sx` started only after the module's NAKs began
(128-byte blocks, checksum mode). Both must end in +UFWUPD: 128 and the new version in
AT+CGMR. sx runs with its stdin/stdout on its own descriptor of the pty."""

import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "e2e"))

from test_install_util import (Failures, Sim, Workshop, events, progress_values,  # noqa: E402
                               version, wait_final)

NAK = 0x15
SX = shutil.which("sx") or "/usr/bin/sx"
# slow enough that sx (a real-time program) meets the module's 3 s / 10 s waits with margin
SCALE = 0.1

F = Failures()
W = Workshop(tempfile.mkdtemp(prefix="larafw-sx-"))
A = W.image("a.img", seed=1)
B = W.successor(A, "b.img", "LARA-R6.02.00", change=3)
FULL = W.full(B, "b.upd")
NEW = "LARA-R6.02.00"


def run_sx(sim, args):
    fd = os.open(sim.uart_path, os.O_RDWR | os.O_NOCTTY)
    try:
        p = subprocess.run([SX] + args + [FULL], stdin=fd, stdout=fd, stderr=subprocess.PIPE,
                           timeout=120)
    finally:
        os.close(fd)
    return p.returncode, p.stderr.decode(errors="replace")


def foat(args, first, mode, want_1k, faults=()):
    with Sim(time_scale=SCALE, firmware=A, fota_key=W.pub, faults=list(faults)) as sim:
        sim.uart.write("AT+UFWUPD=3\r")
        sim.uart.read_until(b"+UFWUPD: ONGOING\r\n")
        sim.uart.read_until(first, 30)
        rc, err = run_sx(sim, args)
        F.check(rc == 0, "sx %s exit %d: %s" % (" ".join(args), rc, err.strip()[-200:]))
        code, lines = wait_final(sim.uart, 60)
        F.check(code == 128, "sx %s: +UFWUPD: %d" % (" ".join(args), code))
        # On a noisy line sx repeats its EOT and is still reading the line when the module
        # answers, so the OK may be sx's to read, not ours (seen under load): there the final
        # code and the new firmware are the proof. ACK/NAK bytes left behind lead a line.
        if not faults:
            F.check("OK" in [line.lstrip("\x06\x15\x18") for line in lines[:2]],
                    "OK after the transfer: %r" % lines[:4])
        F.check(len(progress_values(lines, "+UFWUPD")) >= 10, "install progress URCs")
        F.check(any(mode + " mode" in e["text"] for e in events(sim, "update")),
                "transfer in %s mode" % mode)
        done = [e["text"] for e in events(sim, "phase") if e["text"].startswith("download done foat")]
        m = re.search(r"(\d+) blocks of 1024, (\d+) of 128", done[-1] if done else "")
        k1, k128 = (int(m.group(1)), int(m.group(2))) if m else (-1, -1)
        F.check(k1 > 0 if want_1k else (k1 == 0 and k128 > 0),
                "block sizes as sent: %s" % (done[-1] if done else None))
        if faults:
            m = re.search(r"(\d+) retransmissions", done[-1] if done else "")
            F.check(m and int(m.group(1)) > 0, "line errors repaired by retransmission: %s"
                    % (m.group(0) if m else None))
        sim.uart.wait_at(30)
        F.check(version(sim) == NEW, "sx %s: new firmware %s" % (" ".join(args), NEW))


if not os.access(SX, os.X_OK):
    print("SKIP: lrzsz sx not installed")
    sys.exit(77)
F.run("sx -k (1K, CRC)", foat, ["-k"], b"C", "CRC-16", True)
F.run("sx (128, checksum) after NAK", foat, [], bytes([NAK]), "checksum", False)
# bit errors and lost bytes on the module's receive line: NAK, timeouts, retransmissions
F.run("sx -k on a noisy line", foat, ["-k"], b"C", "CRC-16", True,
      ["noise=0.00002", "drop=0.00002", "seed=7"])
F.exit()
