"""Issue 10, items 1 and 2: who may register, update and de-register which endpoint.

  1. DTLS-PSK: an identity moves or replaces or deletes another identity's registration
     (before: 2.04 / 2.01 / 2.02; now 4.03), and the credentials file binds identities to
     endpoints (three-column format, imei=, and the old two-column format = endpoint named
     like the identity).
  2. Registration ids: rd/1, rd/2… were guessable and listed in /.well-known/core, so any
     address could send a Registration Update and receive the device's Observe and Package URI
     Write. Now 16 hex digits (64 random bits), not listed; guesses get 4.04.

The attacker is libcoap's coap-client (Debian libcoap3-bin).
"""

import os
import re
import shutil
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from secharness import (IMEI_A, IMEI_B, Server, answer_code, coap, has_dtls, location,  # noqa: E402
                        psk_args, write_secret)

K1, K2, K3 = "key-of-lara-1-16", "key-of-lara-2-16", "key-of-lara-3-16"


def hexkey(k):
    return k.encode().hex()


class Base(unittest.TestCase):
    def setUp(self):
        self.work = tempfile.mkdtemp(prefix="larafw-sec-id-")
        self.packages = os.path.join(self.work, "packages")
        os.mkdir(self.packages)

    def tearDown(self):
        shutil.rmtree(self.work, ignore_errors=True)


@unittest.skipUnless(has_dtls(), "coap-client without DTLS (install libcoap3-bin's -openssl)")
class DtlsIdentity(Base):
    def server(self, lines):
        psk = write_secret(os.path.join(self.work, "psk"), "\n".join(lines) + "\n")
        return Server(self.packages, psk_file=psk)

    def test_identity_cannot_touch_another_identitys_registration(self):
        # the old two-column format: lara-1 registers the endpoint "lara-1"
        with self.server(["lara-1:" + hexkey(K1), "lara-2:" + hexkey(K2)]) as srv:
            base = "coaps://%s" % srv.coap
            out = coap(*psk_args("lara-1", K1), "-m", "post", base + "/rd?ep=lara-1&lt=300",
                       "-e", "</5/0>")
            self.assertEqual(answer_code(out), "2.01", out)
            loc = location(out)
            before = srv.device("lara-1")
            # lara-2 moves lara-1's registration to its own address
            out = coap(*psk_args("lara-2", K2), "-m", "post", "%s/%s?lt=300" % (base, loc))
            self.assertEqual(answer_code(out), "4.03", "update of another identity's registration")
            self.assertEqual(srv.device("lara-1")["address"], before["address"])
            # lara-2 registers lara-1's endpoint (replacing it)
            out = coap(*psk_args("lara-2", K2), "-m", "post", base + "/rd?ep=lara-1&lt=300",
                       "-e", "</5/0>")
            self.assertEqual(answer_code(out), "4.03", "register of another identity's endpoint")
            self.assertEqual(srv.device("lara-1")["location"], "/" + loc)
            # lara-2 de-registers lara-1
            out = coap(*psk_args("lara-2", K2), "-m", "delete", "%s/%s" % (base, loc))
            self.assertEqual(answer_code(out), "4.03", "de-register of another identity's one")
            self.assertTrue(srv.device("lara-1")["registered"])
            srv.wait_log("PSK identity 'lara-2' tried to de-register the registration of lara-1")
            # lara-1 itself, from a new DTLS session (another port): allowed
            out = coap(*psk_args("lara-1", K1), "-m", "post", "%s/%s?lt=600" % (base, loc))
            self.assertEqual(answer_code(out), "2.04", out)
            self.assertEqual(srv.device("lara-1")["lifetime"], 600)

    def test_credentials_file_binds_endpoints(self):
        lines = ["# identity:key[:endpoint | imei=IMEI]",
                 "lara-1:%s:urn:imei:%s" % (hexkey(K1), IMEI_A),
                 "lara-2:%s:imei=%s" % (hexkey(K2), IMEI_B),
                 "lara-3:%s" % hexkey(K3)]
        with self.server(lines) as srv:
            base = "coaps://%s" % srv.coap

            def register(ident, key, ep):
                return answer_code(coap(*psk_args(ident, key), "-m", "post",
                                        "%s/rd?ep=%s&lt=300" % (base, ep), "-e", "</5/0>"))

            self.assertEqual(register("lara-1", K1, "urn:imei:" + IMEI_A), "2.01")
            self.assertEqual(register("lara-2", K2, "urn:imei:" + IMEI_A), "4.03")
            self.assertEqual(register("lara-2", K2, "urn:imei:" + IMEI_B), "2.01")
            self.assertEqual(register("lara-1", K1, "urn:imei:" + IMEI_B), "4.03")
            self.assertEqual(register("lara-3", K3, "lara-3"), "2.01")
            # a 1.3 kB registration block-wise over DTLS (the size of a module's, §5.1)
            links = ",".join(["</1/10>", "</3/0>", "</5/0>"] +
                             ["</%d/%d>" % (10000 + i, i) for i in range(120)])
            out = coap(*psk_args("lara-3", K3), "-b", "64", "-m", "post",
                       "%s/rd?ep=lara-3&lt=300" % base, "-e", links, timeout=60)
            self.assertEqual(answer_code(out), "2.01", out[-1500:])
            self.assertEqual(srv.device("lara-3")["objects"], links)
            self.assertEqual(register("lara-3", K3, "urn:imei:" + IMEI_A), "4.03")
            srv.wait_log("PSK identity 'lara-3' may not register endpoint 'urn:imei:%s'" % IMEI_A)
            d = srv.device(IMEI_A)
            self.assertIsNotNone(d)
            self.assertEqual(d["endpoint"], "urn:imei:" + IMEI_A)
            self.assertEqual(d["imei"], IMEI_A)
            self.assertNotIn(K1, srv.log())
            self.assertNotIn(hexkey(K1), srv.log())


class RegistrationIds(Base):
    def test_ids_unguessable_and_not_listed(self):
        with Server(self.packages) as srv:
            base = "coap://%s" % srv.coap
            out = coap("-m", "post", base + "/rd?ep=victim&lt=300", "-e", "</3/0>,</5/0>")
            self.assertEqual(answer_code(out), "2.01", out)
            loc = location(out)
            self.assertRegex(loc, r"^rd/[0-9a-f]{16}$", "64 random bits, hex")
            out = coap("-m", "post", base + "/rd?ep=other&lt=300", "-e", "</3/0>")
            self.assertNotEqual(location(out), loc)
            # the attacker asks the server what it has
            out = coap("-m", "get", base + "/.well-known/core")
            self.assertEqual(answer_code(out), "2.05", out)
            self.assertNotIn(loc.split("/")[1], out)
            self.assertIsNone(re.search(r"</rd/", out), "registrations listed:\n" + out)
            # and guesses small ids, as rd/1, rd/2… were
            for guess in ("rd/1", "rd/2", "rd/3", "rd/0000000000000001"):
                out = coap("-m", "post", "%s/%s?lt=300" % (base, guess))
                self.assertEqual(answer_code(out), "4.04", guess)
            self.assertEqual(srv.device("victim")["location"], "/" + loc)

    def test_nosec_update_from_new_address_needs_the_id(self):
        """NoSec policy (docs/server.md): an update from another address is accepted only with
        the registration's unguessable id (a NAT rebinding), and logged."""
        with Server(self.packages) as srv:
            base = "coap://%s" % srv.coap
            out = coap("-m", "post", base + "/rd?ep=mover&lt=300", "-e", "</5/0>")
            loc = location(out)
            first = srv.device("mover")["address"]
            out = coap("-m", "post", "%s/%s?lt=400" % (base, loc))  # a new source port
            self.assertEqual(answer_code(out), "2.04", out)
            srv.wait_log("mover moved from %s to" % first)
            self.assertNotEqual(srv.device("mover")["address"], first)


if __name__ == "__main__":
    unittest.main(verbosity=2)
