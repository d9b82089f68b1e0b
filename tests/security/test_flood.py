"""Issue 10, item 9: registration floods are bounded, a fleet behind a carrier NAT is not.

Before: every registration was kept, with any lifetime (lt=999999999 stays ~31 years), in
memory and in the store, at any rate. Now:
  * --max-devices N: the registration after the N-th live one gets 5.03 with Max-Age (a
    re-registration of a registered endpoint still replaces it);
  * --max-lifetime S cuts longer lifetimes; an expired registration leaves memory (its
    updates get 4.04) and the store (the API answers 404);
  * NoSec registrations per source address are rate limited (--reg-rate, default 1000/s with
    a burst of as many): one address flooding gets 5.03, others are not affected;
  * 2 000 registrations from 4 addresses as fast as the test can send them all pass (modules
    behind a carrier NAT share a handful of public addresses).
"""

import os
import shutil
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from secharness import (OPT_MAXAGE, RawCoap, Server, code, fmt)  # noqa: E402

POST = code(0, 2)
WINDOW = 64


def register(raw, ep, lt=300):
    return raw.request(POST, "rd", query=("ep=" + ep, "lt=%d" % lt), payload=b"</5/0>")


def location(opts):
    return "/".join(v.decode() for n, v in opts if n == 8)


class Flood(unittest.TestCase):
    def setUp(self):
        self.work = tempfile.mkdtemp(prefix="larafw-sec-flood-")
        self.packages = os.path.join(self.work, "packages")
        os.mkdir(self.packages)

    def tearDown(self):
        shutil.rmtree(self.work, ignore_errors=True)

    def test_max_devices(self):
        with Server(self.packages, extra=["--max-devices", "5"]) as srv:
            raw = RawCoap(srv.coap_port)
            locs = []
            for i in range(5):
                c, opts = register(raw, "dev-%d" % i)
                self.assertEqual(fmt(c), "2.01")
                locs.append(location(opts))
            c, opts = register(raw, "dev-5")
            self.assertEqual(fmt(c), "5.03", "the sixth device")
            self.assertTrue(any(n == OPT_MAXAGE for n, _ in opts), "5.03 carries Max-Age")
            srv.wait_log("(--max-devices)")
            self.assertIsNone(srv.device("dev-5"))
            c, _ = register(raw, "dev-0")  # a module that rebooted: replaces its registration
            self.assertEqual(fmt(c), "2.01")
            c, _ = raw.request(code(0, 4), locs[1])  # one leaves, another may come
            self.assertEqual(fmt(c), "2.02")
            c, _ = register(raw, "dev-5")
            self.assertEqual(fmt(c), "2.01")
            raw.close()

    def test_lifetime_capped_and_expired_registrations_removed(self):
        with Server(self.packages, extra=["--max-lifetime", "2"]) as srv:
            raw = RawCoap(srv.coap_port)
            c, opts = register(raw, "forever", lt=999999999)
            self.assertEqual(fmt(c), "2.01")
            self.assertEqual(srv.device("forever")["lifetime"], 2)
            srv.wait_log("forever: lifetime expired", timeout=20)
            self.assertIsNone(srv.device("forever"), "expired device left the store")
            c, _ = raw.request(POST, location(opts), query=("lt=2",))
            self.assertEqual(fmt(c), "4.04", "expired registration left memory")
            raw.close()

    def test_one_address_flooding_is_limited(self):
        with Server(self.packages, extra=["--reg-rate", "1"]) as srv:
            raw = RawCoap(srv.coap_port)
            mids = [raw.send(POST, "rd", query=("ep=flood-%d" % i, "lt=300"), payload=b"</5/0>")
                    for i in range(30)]
            got = raw.answers(mids)
            codes = [fmt(got[m][0]) for m in mids]
            self.assertIn("5.03", codes)
            self.assertLess(codes.count("2.01"), 10, codes)
            limited = [got[m][1] for m in mids if fmt(got[m][0]) == "5.03"]
            self.assertTrue(all(any(n == OPT_MAXAGE for n, _ in o) for o in limited))
            other = RawCoap(srv.coap_port, host="127.0.0.2")  # another address is not affected
            c, _ = register(other, "elsewhere")
            self.assertEqual(fmt(c), "2.01")
            other.close()
            raw.close()

    def test_carrier_nat_fleet_passes(self):
        with Server(self.packages) as srv:
            peers = [RawCoap(srv.coap_port, host="127.0.0.%d" % (i + 1)) for i in range(4)]
            total, refused = 2000, []
            for first in range(0, total, WINDOW):
                sent = []
                for i in range(first, min(first + WINDOW, total)):
                    p = peers[i % len(peers)]
                    sent.append((p, p.send(POST, "rd", query=("ep=nat-%04d" % i, "lt=300"),
                                           payload=b"</3/0>,</5/0>")))
                for p, m in sent:
                    c = fmt(p.answers([m], timeout=60)[m][0])
                    if c != "2.01":
                        refused.append(c)
            self.assertEqual(refused, [], "%d of %d refused" % (len(refused), total))
            self.assertIsNotNone(srv.device("nat-1999"))
            for p in peers:
                p.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
