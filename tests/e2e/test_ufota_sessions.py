"""larafw-sim's LwM2M client: a session it gives up leaves nothing behind in libcoap.

With DTLS and a server port that answers with ICMP "port unreachable" (nothing listens), libcoap
puts the unanswered Register back in its send queue and the client registers again a minute
later (module time) on a new session. The session given up must be ended with everything it
still has in flight: before the fix, the old Register's retransmission (2 to 3 s of host time
later, libcoap's ACK_TIMEOUT) started a handshake on the released session, and the message
leaked (LeakSanitizer at exit: 48 + 104 + 262 bytes per attempt, the e2e-server-sim failure).

Synchronised on the report's register attempts; the exit (clean power-off) must be free of
sanitizer reports (simharness checks the simulator's stderr)."""

import os
import socket
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from simharness import Sim, wait_until  # noqa: E402

FAST = 0.02  # the re-registration comes 60 s of module time = 1.2 s of host time later


def closed_udp_port():
    """A loopback UDP port nobody listens on (bound, then closed: the kernel answers ICMP)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class SessionTest(unittest.TestCase):
    def test_dtls_retries_to_unreachable_server_leak_nothing(self):
        port = closed_udp_port()
        sim = Sim(time_scale=FAST, extra_args=[
            "--lwm2m-server", "coaps://127.0.0.1:%d" % port,
            "--psk-identity", "lara-sessions", "--psk-key", "00112233445566778899aabbccddeeff"])
        with sim:
            def attempts():
                n = sum(1 for e in sim.report()
                        if e["kind"] == "lwm2m" and e["text"].startswith("register to"))
                return n if n >= 4 else None
            # 4 attempts = 3 given-up sessions, the first one 3.6 s of host time old: its
            # queued Register has been retransmitted (at most 3 s) before the power-off
            wait_until(attempts, timeout=60, what="four register attempts")
            report = [e["text"] for e in sim.report() if e["kind"] == "lwm2m"]
            self.assertIn("no answer from the server (reason 4)", report)  # ICMP
            self.assertEqual(sim.terminate(), 0)  # raises on a LeakSanitizer report


if __name__ == "__main__":
    unittest.main(verbosity=2)
