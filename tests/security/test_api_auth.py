"""Issue 10 item 5: the management API is authenticated (bearer tokens, roles viewer /
operator / admin, hashes at rest). Before: any local process (or anything that reached
--http) listed devices and started update jobs with no credentials at all.

  * no token / an unknown token → 401 with WWW-Authenticate, nothing done;
  * viewer reads but cannot start a job (403); operator can; only admin lists tokens;
  * `token add` prints the token once, alone on its last line; the file holds only its hash;
    a running server accepts it without a restart, `token remove` revokes it;
  * the quick tour: a server without --tokens makes an admin token in a 0600 file under
    $XDG_STATE_HOME/larafw-server/, and `devices` / `update` find it there by default;
    $LARAFW_SERVER_TOKEN and --token-file override; without any token they exit 1 and say how;
  * a group-readable tokens file is refused at start with "chmod 600".
"""

import os
import stat
import subprocess
import unittest

from apisec import OLD, Packages, Server, luhn_imei, registered_device

P = None
IMEI = luhn_imei("35600000000001")


def setUpModule():
    global P
    P = Packages()


def tearDownModule():
    P.cleanup()


def token_cmd(srv_binary, *args, env=None):
    return subprocess.run([srv_binary, "token"] + list(args), capture_output=True, text=True,
                          env=env, timeout=30)


class AuthTest(unittest.TestCase):
    def test_no_token_is_401(self):
        with Server(P.packages) as srv:
            for path in ("/api/devices", "/api/jobs", "/api/jobs/1", "/api/tokens"):
                status, j, _, hdrs = srv.api("GET", path, token=None)
                self.assertEqual(status, 401, path)
                self.assertIn("Bearer", hdrs.get("WWW-Authenticate", ""))
                self.assertEqual(hdrs.get("Cache-Control"), "no-store")
                self.assertIn("Authorization", j["error"])
                status, _, _, _ = srv.api("GET", path, token="lfw_" + "A" * 43)
                self.assertEqual(status, 401, path)
            status, _, _, _ = srv.api("POST", "/api/devices/%s/update" % IMEI,
                                      {"package": "a-b.upd"}, token=None)
            self.assertEqual(status, 401)
            status, jobs, _, _ = srv.api("GET", "/api/jobs")
            self.assertEqual((status, jobs), (200, []))

    def test_roles_and_token_file(self):
        tokens = os.path.join(P.dir, "roles.tokens")
        r = token_cmd(find_binary(), "add", "ops", "operator", "--tokens", tokens)
        self.assertEqual(r.returncode, 0, r.stderr)
        operator = r.stdout.splitlines()[-1]
        self.assertRegex(operator, r"^lfw_[A-Za-z0-9_-]{43}$")
        self.assertEqual(stat.S_IMODE(os.stat(tokens).st_mode), 0o600)
        with open(tokens) as f:
            text = f.read()
        self.assertNotIn(operator[4:], text)  # only the hash is kept
        self.assertIn("ops:operator:", text)
        r = token_cmd(find_binary(), "add", "root", "admin", "--tokens", tokens)
        admin = r.stdout.splitlines()[-1]
        with Server(P.packages, tokens=tokens) as srv:
            srv.token = admin  # what srv.api() sends by default
            dev = registered_device(srv, IMEI)
            try:
                # a viewer added while the server runs works at once, without a restart
                r = token_cmd(srv.binary, "add", "dash", "viewer", "--tokens", tokens)
                viewer = r.stdout.splitlines()[-1]
                status, devs, _, _ = srv.api("GET", "/api/devices", token=viewer)
                self.assertEqual(status, 200)
                self.assertEqual(devs[0]["fw_version"], OLD)
                status, j, _, _ = srv.api("POST", "/api/devices/%s/update" % IMEI,
                                          {"package": "a-b.upd"}, token=viewer)
                self.assertEqual(status, 403, j)
                self.assertIn("operator", j["error"])
                status, _, _, _ = srv.api("GET", "/api/tokens", token=operator)
                self.assertEqual(status, 403)
                status, job, _, _ = srv.api("POST", "/api/devices/%s/update" % IMEI,
                                            {"package": "a-b.upd"}, token=operator)
                self.assertEqual(status, 201, job)
                srv.wait_log("ops started job %d" % job["id"])
                status, names, _, _ = srv.api("GET", "/api/tokens", token=admin)
                self.assertEqual(status, 200)
                self.assertEqual(sorted((t["name"], t["role"]) for t in names),
                                 [("dash", "viewer"), ("ops", "operator"), ("root", "admin")])
                self.assertNotIn(admin, srv.log())  # secrets never in logs
                # revoked: refused at the next request
                r = token_cmd(srv.binary, "remove", "dash", "--tokens", tokens)
                self.assertEqual(r.returncode, 0, r.stderr)
                status, _, _, _ = srv.api("GET", "/api/devices", token=viewer)
                self.assertEqual(status, 401)
                r = token_cmd(srv.binary, "add", "ops", "viewer", "--tokens", tokens)
                self.assertEqual(r.returncode, 1)
                self.assertIn("already", r.stderr)
            finally:
                dev.close()

    def test_quick_tour_default_token(self):
        with Server(P.packages) as srv:
            self.assertEqual(stat.S_IMODE(os.stat(srv.token_file).st_mode), 0o600)
            self.assertIn(srv.token_file, srv.log())  # the server says where it is
            with open(os.path.join(os.path.dirname(srv.token_file), "tokens")) as f:
                self.assertNotIn(srv.token[4:], f.read())
            r = srv.run_cli("devices")  # finds the token under XDG_STATE_HOME by itself
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("IMEI", r.stdout)
            env = dict(srv.env)
            env["XDG_STATE_HOME"] = os.path.join(P.dir, "elsewhere")
            cmd = [srv.binary, "devices", "--server", srv.api_url]
            r = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=30)
            self.assertEqual(r.returncode, 1, r.stdout)
            self.assertIn("LARAFW_SERVER_TOKEN", r.stderr)
            self.assertIn("--token-file", r.stderr)
            env["LARAFW_SERVER_TOKEN"] = srv.token
            r = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=30)
            self.assertEqual(r.returncode, 0, r.stderr)
            r = subprocess.run(cmd + ["--token-file", srv.token_file], capture_output=True,
                               text=True, env=env, timeout=30)
            self.assertEqual(r.returncode, 0, r.stderr)
            r = subprocess.run([srv.binary, "update", "--server", srv.api_url, "--imei", IMEI,
                                "--package", "a-b.upd"], capture_output=True, text=True,
                               env=dict(env, LARAFW_SERVER_TOKEN="lfw_wrong"), timeout=30)
            self.assertEqual(r.returncode, 1, r.stderr)
            self.assertIn("HTTP 401", r.stderr)

    def test_token_beside_the_store_survives_restart(self):
        db = os.path.join(P.dir, "fleet.db")
        with Server(P.packages, db=db) as srv:
            first = srv.token
            self.assertEqual(srv.token_file, db + ".admin-token")
            self.assertIn("created an API admin token", srv.log())
            self.assertEqual(srv.run_cli("devices").returncode, 0)
        with Server(P.packages, db=db) as srv:
            self.assertEqual(srv.token, first)
            self.assertNotIn("created", srv.log())
            self.assertEqual(srv.api("GET", "/api/devices")[0], 200)

    def test_open_tokens_file_refused(self):
        tokens = os.path.join(P.dir, "open.tokens")
        r = token_cmd(find_binary(), "add", "a", "admin", "--tokens", tokens)
        self.assertEqual(r.returncode, 0, r.stderr)
        os.chmod(tokens, 0o640)
        r = subprocess.run([find_binary(), "--packages", P.packages, "--tokens", tokens,
                            "--coap", "127.0.0.1:1", "--http", "127.0.0.1:1", "--api",
                            "127.0.0.1:1"], capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 2)
        self.assertIn("chmod 600", r.stderr)
        missing = os.path.join(P.dir, "missing.tokens")
        r = subprocess.run([find_binary(), "--packages", P.packages, "--tokens", missing],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 2)
        self.assertIn("token add", r.stderr)


def find_binary():
    from apisec import find_server
    return find_server()


if __name__ == "__main__":
    unittest.main(verbosity=2)
