"""Issue 10, item 8: block-wise request bodies (RFC 7959 Block1) are capped.

Before: libcoap reassembled every Block1 body the server was sent, one per peer (and per
Request-Tag), sized by the client's Size1 option, kept for minutes; 100 000 first blocks from
as many source ports raised the server's RSS by about 100 MB. Now the server reassembles bodies itself: at most
16 KiB each (4.13 Request Entity Too Large with Size1 = 16384, state freed), at most a fixed
number at once (the least recently used is dropped).

The server runs with a small ASan quarantine so that freed memory is not held by the
sanitizer (that would measure ASan, not the server).
"""

import os
import shutil
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from secharness import (OPT_BLOCK1, OPT_RTAG, OPT_SIZE1, RawCoap, Server, _uint,  # noqa: E402
                        answer_code, code, coap, fmt, location, rss_kib)

# 25 000 first blocks show it (the server before the fix grew by ~40 MB; now < 1 MB) in about a
# minute; LARAFW_BLOCK1_FLOOD=100000 plays the count (~3 min under ASan).
FLOOD = int(os.environ.get("LARAFW_BLOCK1_FLOOD", "25000"))
WINDOW = 64  # requests in flight (fits a default UDP receive buffer); then their answers
MAX_GROWTH_KIB = 16 * 1024


def links(n):
    """A link-format payload of about n bytes."""
    out, i = ["</1/10>", "</3/0>", "</5/0>"], 0
    while len(",".join(out)) < n:
        out.append("</%d/%d>" % (10000 + i % 50000, i))
        i += 1
    return ",".join(out)


class Block1Cap(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix="larafw-sec-block1-")
        cls.packages = os.path.join(cls.work, "packages")
        os.mkdir(cls.packages)
        opts = os.environ.get("ASAN_OPTIONS", "")
        os.environ["ASAN_OPTIONS"] = (opts + ":" if opts else "") + \
            "quarantine_size_mb=4:thread_local_quarantine_size_kb=64"

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.work, ignore_errors=True)

    def test_oversized_body_refused_with_coap_client(self):
        with Server(self.packages) as srv:
            base = "coap://%s" % srv.coap
            out = coap("-b", "1024", "-m", "post", base + "/rd?ep=huge&lt=60", "-e",
                       links(20000), timeout=60)
            self.assertEqual(answer_code(out), "4.13", out[-2000:])
            self.assertIsNone(srv.device("huge"))
            srv.wait_log("over 16384 bytes refused (4.13)")
            # just under the cap still registers, block-wise
            body = links(15000)
            out = coap("-b", "512", "-m", "post", base + "/rd?ep=large&lt=60", "-e", body,
                       timeout=60)
            self.assertEqual(answer_code(out), "2.01", out[-2000:])
            self.assertIsNotNone(location(out))

    def test_size1_and_order(self):
        with Server(self.packages) as srv:
            raw = RawCoap(srv.coap_port)
            q = ("ep=sized", "lt=60")
            # a client announcing a 1 GiB body: refused at once, nothing allocated
            c, opts = raw.request(code(0, 2), "rd", query=q, payload=b"<" * 1024,
                                  extra=[(OPT_BLOCK1, _uint((0 << 4) | 8 | 6)),
                                         (OPT_SIZE1, _uint(1 << 30))])
            self.assertEqual(fmt(c), "4.13")
            self.assertIn((OPT_SIZE1, _uint(16384)), opts)
            # a block that does not follow: 4.08 Request Entity Incomplete
            c, _ = raw.request(code(0, 2), "rd", query=q, payload=b"x" * 64,
                               extra=[(OPT_BLOCK1, _uint((5 << 4) | 8 | 2))])
            self.assertEqual(fmt(c), "4.08")
            # block 0 then block 1 of a 16-byte-block body: 2.31 Continue, then 2.01
            c, opts = raw.request(code(0, 2), "rd", query=q, payload=b"</3/0>,</5/0>,</",
                                  extra=[(OPT_BLOCK1, _uint((0 << 4) | 8 | 0))])
            self.assertEqual(fmt(c), "2.31")
            self.assertIn((OPT_BLOCK1, _uint((0 << 4) | 8 | 0)), opts)
            c, opts = raw.request(code(0, 2), "rd", query=q, payload=b"1/10>",
                                  extra=[(OPT_BLOCK1, _uint((1 << 4) | 0 | 0))])
            self.assertEqual(fmt(c), "2.01")
            self.assertEqual(srv.device("sized")["objects"], "</3/0>,</5/0>,</1/10>")
            raw.close()

    def test_flood_of_first_blocks_keeps_rss_bounded(self):
        # no registration rate limit here (item 9 has its own test): Block1 memory alone
        with Server(self.packages, extra=["--reg-rate", "0"]) as srv:
            payload = b"<" * 1024
            q = ("ep=flood", "lt=60")

            def burst(start, count):
                """Each first block from a new source port: a new peer, a new body."""
                for first in range(start, start + count, WINDOW):
                    n = min(WINDOW, start + count - first)
                    peers = [RawCoap(srv.coap_port) for _ in range(n)]
                    mids = [p.send(code(0, 2), "rd", query=q, payload=payload,
                                   extra=[(OPT_BLOCK1, _uint(8 | 6)),
                                          (OPT_SIZE1, _uint(2048))]) for p in peers]
                    codes = [fmt(p.answers([m], timeout=60)[m][0]) for p, m in zip(peers, mids)]
                    for p in peers:
                        p.close()
                    bad = [c for c in codes if c != "2.31"]
                    self.assertEqual(bad, [], "answers other than 2.31 Continue")

            burst(0, 4096)  # the table of bodies in progress fills up
            before = rss_kib(srv.proc.pid)
            burst(4096, FLOOD)
            after = rss_kib(srv.proc.pid)
            print("RSS %d KiB before, %d KiB after %d Block1 first blocks" %
                  (before, after, FLOOD))
            self.assertLess(after - before, MAX_GROWTH_KIB,
                            "RSS %d KiB → %d KiB after %d Block1 messages" %
                            (before, after, FLOOD))
            # still serving
            out = coap("-m", "post", "coap://%s/rd?ep=after&lt=60" % srv.coap, "-e", "</5/0>")
            self.assertEqual(answer_code(out), "2.01", out)


if __name__ == "__main__":
    unittest.main(verbosity=2)
