"""Issue 10 item 6: the API is not reachable cross-site. Before: a web page open in the
operator's browser could start update jobs —

    curl -H 'Host: attacker.example' -H 'Origin: http://attacker.example' \\
         -H 'Content-Type: text/plain' -d '{"package":"…"}' …/api/devices/<imei>/update  → 201

(a "simple" cross-site request: no preflight, and DNS rebinding makes the Host the attacker's
name). Now it is refused and no job exists; each barrier is checked on its own too, with the
admin token a page could never have: a foreign Origin → 403, a foreign Host → 403, a body
that is not application/json → 415.
"""

import unittest

from apisec import Packages, Server, curl, luhn_imei, registered_device

P = None
IMEI = luhn_imei("35600000000002")


def setUpModule():
    global P
    P = Packages()


def tearDownModule():
    P.cleanup()


class CrossSiteTest(unittest.TestCase):
    def setUp(self):
        self.srv = Server(P.packages)
        self.dev = registered_device(self.srv, IMEI)
        self.url = "%s/api/devices/%s/update" % (self.srv.api_url, IMEI)

    def tearDown(self):
        self.dev.close()
        self.srv.__exit__(None, None, None)

    def no_job(self):
        status, jobs, _, _ = self.srv.api("GET", "/api/jobs")
        self.assertEqual((status, jobs), (200, []))

    def test_issue_reproduction(self):
        status, head, body = curl("-H", "Host: attacker.example",
                                  "-H", "Origin: http://attacker.example",
                                  "-H", "Content-Type: text/plain",
                                  "-d", '{"package":"a-b.upd"}', self.url)
        self.assertIn(status, (401, 403, 415), body)
        self.no_job()

    def test_each_barrier_with_a_token(self):
        auth = "Authorization: Bearer " + self.srv.token
        body = '{"package":"a-b.upd"}'
        cases = [
            (403, ["-H", "Origin: http://attacker.example", "-H", "Content-Type: application/json"]),
            (403, ["-H", "Origin: null", "-H", "Content-Type: application/json"]),
            (403, ["-H", "Host: attacker.example", "-H", "Content-Type: application/json"]),
            (415, ["-H", "Content-Type: text/plain"]),
            (415, ["-H", "Content-Type: application/x-www-form-urlencoded"]),
        ]
        for want, extra in cases:
            status, _, out = curl("-H", auth, *extra, "-d", body, self.url)
            self.assertEqual(status, want, (extra, out))
            self.no_job()
        # the same request, same-origin and JSON: accepted
        port = self.srv.api_port
        status, _, out = curl("-H", auth, "-H", "Origin: http://127.0.0.1:%d" % port,
                              "-H", "Content-Type: application/json", "-d", body, self.url)
        self.assertEqual(status, 201, out)
        # localhost is one of this server's names
        status, _, out = curl("-H", auth, "-H", "Host: localhost:%d" % port,
                              self.srv.api_url + "/api/jobs")
        self.assertEqual(status, 200, out)


class ApiHostTest(unittest.TestCase):
    def test_api_host_option(self):
        with Server(P.packages, extra=["--api-host", "fleet.example.com"]) as srv:
            auth = "Authorization: Bearer " + srv.token
            status, _, out = curl("-H", auth, "-H", "Host: fleet.example.com",
                                  "-H", "Origin: https://fleet.example.com",
                                  srv.api_url + "/api/devices")
            self.assertEqual(status, 200, out)
            status, _, _ = curl("-H", auth, "-H", "Host: fleet.example.com.attacker.example",
                                srv.api_url + "/api/devices")
            self.assertEqual(status, 403)


if __name__ == "__main__":
    unittest.main(verbosity=2)
