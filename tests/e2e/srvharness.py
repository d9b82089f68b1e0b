"""Test harness for larafw-server (Python 3 standard library only).

    with Server(packages=DIR) as srv:       # free loopback ports, waits for its "ready" line
        srv.api("GET", "/api/devices")       # (status, JSON or None, raw bytes, headers), with
                                             # the admin token (token=None: none)
        srv.http("GET", "/packages/x.upd")   # the download listener (--http)
        srv.run_cli("devices")               # larafw-server devices --server <its API URL>,
                                             # token found where the server put it
        srv.cli("update", ...)               # argv with --server and --token-file

Each server gets its own XDG_STATE_HOME (inside its work directory), so the admin token it
makes at its first start (no --tokens) is its own; with db=FILE it is FILE.admin-token.

The binary comes from $LARAFW_SERVER (CTest sets it), else build*/bin/larafw-server. Every
wait is on an event (a line on stdout, an HTTP answer, a process exit) with a host timeout.
"""

import json
import os
import select
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
TIMEOUT = float(os.environ.get("LARAFW_SERVER_TIMEOUT", "20"))


class ServerError(AssertionError):
    pass


def find_server():
    path = os.environ.get("LARAFW_SERVER")
    if path:
        return path
    for build in ("build", "build-srv"):
        cand = os.path.join(REPO, build, "bin", "larafw-server")
        if os.access(cand, os.X_OK):
            return cand
    raise ServerError("LARAFW_SERVER is not set and no build*/bin/larafw-server exists")


def free_port(kind):
    """A port the kernel just handed out on 127.0.0.1 (SOCK_DGRAM or SOCK_STREAM)."""
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Server:
    def __init__(self, packages, psk_file=None, db=None, extra=(), workdir=None, tls=None,
                 tokens=None, coap_port=None):
        """tls: (cert.pem, key.pem) to serve HTTPS too (Package URIs then use https).
        tokens: a --tokens FILE (then there is no admin token file: pass token= to api()).
        coap_port: a UDP port chosen beforehand (free_port), e.g. given to a module first."""
        self.binary = find_server()
        self.workdir = workdir or tempfile.mkdtemp(prefix="larafw-srv-")
        self.packages = packages
        self.coap_port = coap_port or free_port(socket.SOCK_DGRAM)
        self.http_port = free_port(socket.SOCK_STREAM)
        self.api_port = free_port(socket.SOCK_STREAM)
        self.url = "http://127.0.0.1:%d" % self.http_port
        self.api_url = "http://127.0.0.1:%d" % self.api_port
        self.coap = "127.0.0.1:%d" % self.coap_port
        self.log_path = os.path.join(self.workdir, "server-%d.log" % self.coap_port)
        self.env = dict(os.environ)
        self.env["XDG_STATE_HOME"] = os.path.join(self.workdir, "state-%d" % self.coap_port)
        self.env.pop("LARAFW_SERVER_TOKEN", None)
        self.token_file = (db + ".admin-token" if db else
                           os.path.join(self.env["XDG_STATE_HOME"], "larafw-server", "admin-token"))
        args = [self.binary, "--coap", self.coap, "--http", "127.0.0.1:%d" % self.http_port,
                "--api", "127.0.0.1:%d" % self.api_port, "--packages", packages]
        if tokens:
            args += ["--tokens", tokens]
        if psk_file:
            args += ["--psk-file", psk_file]
        if db:
            args += ["--db", db]
        self.https_url = None
        if tls:
            port = free_port(socket.SOCK_STREAM)
            self.https_url = "https://127.0.0.1:%d" % port
            args += ["--https", "127.0.0.1:%d" % port, "--tls-cert", tls[0], "--tls-key", tls[1]]
        args += list(extra)
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=self._log, env=self.env)
        line = self._readline(TIMEOUT)
        if not line.startswith("ready "):
            self.stop()
            raise ServerError("larafw-server did not start (%r); log:\n%s" % (line, self.log()))
        self.ready_line = line
        self.token = None
        if not tokens:
            with open(self.token_file) as f:
                self.token = f.read().strip()

    def _readline(self, timeout):
        fd = self.proc.stdout.fileno()
        deadline = time.monotonic() + timeout
        data = b""
        while not data.endswith(b"\n"):
            left = deadline - time.monotonic()
            if left <= 0:
                return data.decode(errors="replace")
            r, _, _ = select.select([fd], [], [], left)
            if r:
                chunk = os.read(fd, 1)
                if not chunk:
                    break
                data += chunk
        return data.decode(errors="replace").strip()

    def log(self):
        with open(self.log_path, "r", errors="replace") as f:
            return f.read()

    def wait_log(self, text, timeout=TIMEOUT):
        """Waits until the server's stderr holds `text` (a file written: polled, bounded)."""
        deadline = time.monotonic() + timeout
        delay = 0.005
        while text not in self.log():
            if time.monotonic() >= deadline or self.proc.poll() is not None:
                raise ServerError("server log never showed %r:\n%s" % (text, self.log()))
            time.sleep(delay)
            delay = min(delay * 2, 0.1)

    def api(self, method, path, body=None, headers=None, token="admin"):
        """(status, JSON or None, raw bytes, response headers) from the API listener.
        token: "admin" (the server's admin token), None (no Authorization) or a token text."""
        headers = dict(headers or {})
        if token == "admin":
            token = self.token
        if token is not None:
            headers.setdefault("Authorization", "Bearer " + token)
        if body is not None:
            headers.setdefault("Content-Type", "application/json")
        return self.request(self.api_url, method, path, body, headers)

    def http(self, method, path, headers=None):
        """Same answer tuple from the package download listener (--http)."""
        return self.request(self.url, method, path, None, headers or {})

    def request(self, base, method, path, body, headers):
        data = json.dumps(body).encode() if isinstance(body, (dict, list)) else body
        req = urllib.request.Request(base + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=TIMEOUT) as r:
                raw, status, hdrs = r.read(), r.status, dict(r.headers)
        except urllib.error.HTTPError as e:
            raw, status, hdrs = e.read(), e.code, dict(e.headers)
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = None
        return status, parsed, raw, hdrs

    def device(self, ident):
        status, d, _, _ = self.api("GET", "/api/devices/" + ident)
        return d if status == 200 else None

    def run_cli(self, *args, timeout=TIMEOUT):
        """larafw-server <args> --server <API url>, finding the token as on the server's
        machine (XDG_STATE_HOME; for a --db server, its admin-token file in the environment);
        returns CompletedProcess (text)."""
        cmd = [self.binary, args[0], "--server", self.api_url] + list(args[1:])
        env = dict(self.env)
        if self.token and not self.token_file.startswith(env["XDG_STATE_HOME"]):
            env["LARAFW_SERVER_TOKEN"] = self.token
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)

    def cli(self, sub, *args):
        """argv of `larafw-server SUB --server <API url> --token-file <admin token> ARGS`."""
        return [self.binary, sub, "--server", self.api_url, "--token-file", self.token_file] + \
            list(args)

    def check_log(self):
        text = self.log()
        for marker in ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"):
            if marker in text:
                raise ServerError("larafw-server sanitizer report:\n" + text)

    def stop(self):
        """SIGTERM; expects a clean exit 0 and no sanitizer report."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise ServerError("larafw-server ignored SIGTERM")
        self.proc.stdout.close()
        self._log.close()
        self.check_log()
        if code != 0:
            raise ServerError("larafw-server exited %d; log:\n%s" % (code, self.log()))
        return code

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *rest):
        if self.proc.poll() is None:
            if exc_type is None:
                self.stop()
            else:
                self.proc.kill()
                self.proc.wait()
                self._log.close()
                print("---- larafw-server log ----\n" + self.log())
        return False
