"""Peers of the simulated module's uFOTA client, Python 3 standard library only:

    LwM2MServer   a tiny LwM2M server stand-in (CoAP over UDP, RFC 7252): answers Register /
                  Update / De-register, sends Read / Write / Execute / Observe to the client
                  and collects notifications. Not larafw-server: the uFOTA tests must not
                  depend on it.
    PackageServer an HTTP server on 127.0.0.1 with Range support whose transfer can be held
                  at a byte offset (gate) so that a test can act mid-download without sleeping.

Every wait is on an event (a datagram, a request) with a host timeout that fails the test.
"""

import http.server
import os
import random
import socket
import struct
import threading
import time

CON, NON, ACK, RST = 0, 1, 2, 3
GET, POST, PUT, DELETE = 1, 2, 3, 4
OPT_OBSERVE, OPT_LOC_PATH, OPT_URI_PATH, OPT_CF, OPT_URI_QUERY, OPT_ACCEPT = 6, 8, 11, 12, 15, 17
OPT_BLOCK2, OPT_BLOCK1 = 23, 27
CF_TEXT, CF_LINK, CF_TLV, CF_JSON = 0, 40, 11542, 11543


def code(c, d):
    return (c << 5) | d


def code_str(c):
    return "%d.%02d" % (c >> 5, c & 31)


def uint_bytes(v):
    if v == 0:
        return b""
    n = (v.bit_length() + 7) // 8
    return v.to_bytes(n, "big")


def encode(mtype, mcode, mid, token=b"", options=(), payload=b""):
    """A CoAP message; options: list of (number, bytes)."""
    out = bytearray([0x40 | (mtype << 4) | len(token), mcode]) + struct.pack("!H", mid) + token
    last = 0
    for num, val in sorted(options, key=lambda o: o[0]):
        delta, ln = num - last, len(val)
        last = num

        def nib(x):
            if x < 13:
                return x, b""
            if x < 269:
                return 13, bytes([x - 13])
            return 14, struct.pack("!H", x - 269)

        dn, dx = nib(delta)
        ln_, lx = nib(ln)
        out += bytes([(dn << 4) | ln_]) + dx + lx + val
    if payload:
        out += b"\xff" + payload
    return bytes(out)


def decode(data):
    """(type, code, mid, token, options [(num, bytes)], payload)."""
    if len(data) < 4:
        raise ValueError("short")
    b0, mcode, mid = data[0], data[1], struct.unpack("!H", data[2:4])[0]
    tkl = b0 & 15
    token = data[4:4 + tkl]
    i = 4 + tkl
    opts, num = [], 0
    while i < len(data) and data[i] != 0xFF:
        d, ln = data[i] >> 4, data[i] & 15
        i += 1

        def ext(x, i):
            if x == 13:
                return data[i] + 13, i + 1
            if x == 14:
                return struct.unpack("!H", data[i:i + 2])[0] + 269, i + 2
            return x, i

        d, i = ext(d, i)
        ln, i = ext(ln, i)
        num += d
        opts.append((num, data[i:i + ln]))
        i += ln
    payload = data[i + 1:] if i < len(data) else b""
    return (b0 >> 4) & 3, mcode, mid, token, opts, payload


def opt_uint(opts, num, default=None):
    for n, v in opts:
        if n == num:
            return int.from_bytes(v, "big") if v else 0
    return default


def tlv_decode(buf):
    """{id: bytes} of resource TLVs (object-instance TLVs are descended into)."""
    out, i = {}, 0
    while i < len(buf):
        t = buf[i]
        i += 1
        idlen = 2 if t & 0x20 else 1
        rid = int.from_bytes(buf[i:i + idlen], "big")
        i += idlen
        lt = (t >> 3) & 3
        if lt:
            ln = int.from_bytes(buf[i:i + lt], "big")
            i += lt
        else:
            ln = t & 7
        val = buf[i:i + ln]
        i += ln
        kind = t >> 6
        if kind == 0:
            out.update(tlv_decode(val))
        elif kind == 2:
            out[rid] = [v for _, v in sorted(tlv_decode(val).items())]
        else:
            out[rid] = val
    return out


def tlv_int(b):
    return int.from_bytes(b, "big", signed=True)


class LwM2MServer:
    """Answers the client's Register/Update/De-register; talks to it as a server."""

    def __init__(self, timeout=20.0):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.uri = "coap://127.0.0.1:%d" % self.port
        self.timeout = timeout
        self.client = None  # (host, port) of the registered client
        self.registrations = []  # (kind, path, queries, payload)
        self.notifications = []  # (token, observe seq, code, cf, payload)
        self.responses = {}  # token -> decoded
        self.mid = random.randint(0, 0xFFFF)
        self.lock = threading.Condition()
        self.stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def close(self):
        self.stop = True
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _next_mid(self):
        self.mid = (self.mid + 1) & 0xFFFF
        return self.mid

    def _run(self):
        while not self.stop:
            try:
                self.sock.settimeout(0.2)
                data, addr = self.sock.recvfrom(65536)
            except socket.timeout:
                continue
            except OSError:
                return
            try:
                mtype, mcode, mid, token, opts, payload = decode(data)
            except (ValueError, IndexError):
                continue
            if mcode in (POST, PUT, DELETE, GET) and mtype in (CON, NON):
                self._request(addr, mtype, mcode, mid, token, opts, payload)
                continue
            if mtype == CON:  # a CON response or notification: acknowledge it
                self.sock.sendto(encode(ACK, 0, mid), addr)
            if mcode == 0:
                continue
            with self.lock:
                obs = opt_uint(opts, OPT_OBSERVE)
                if token in self.responses and obs is not None and self.responses[token] is not None:
                    self.notifications.append((token, obs, mcode, opt_uint(opts, OPT_CF, 0), payload))
                else:
                    self.responses[token] = (mcode, opts, payload)
                    if obs is not None:
                        self.notifications.append((token, obs, mcode, opt_uint(opts, OPT_CF, 0), payload))
                self.lock.notify_all()

    def _request(self, addr, mtype, mcode, mid, token, opts, payload):
        path = "/".join(v.decode() for n, v in opts if n == OPT_URI_PATH)
        queries = [v.decode() for n, v in opts if n == OPT_URI_QUERY]
        with self.lock:
            if mcode == POST and path == "rd":
                self.client = addr
                self.registrations.append(("register", path, queries, payload))
                reply = encode(ACK, code(2, 1), mid, token, [(OPT_LOC_PATH, b"rd"), (OPT_LOC_PATH, b"c1")])
            elif mcode == POST and path.startswith("rd/"):
                self.client = addr
                self.registrations.append(("update", path, queries, payload))
                reply = encode(ACK, code(2, 4), mid, token)
            elif mcode == DELETE and path.startswith("rd/"):
                self.registrations.append(("deregister", path, queries, payload))
                reply = encode(ACK, code(2, 2), mid, token)
            else:
                reply = encode(ACK, code(4, 4), mid, token)
            self.lock.notify_all()
        self.sock.sendto(reply, addr)

    # ---- waits ----
    def wait(self, predicate, what, timeout=None):
        deadline = time.monotonic() + (timeout or self.timeout)
        with self.lock:
            while True:
                v = predicate()
                if v:
                    return v
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError("LwM2M server: timeout waiting for %s (registrations %r)"
                                         % (what, self.registrations))
                self.lock.wait(left)

    def wait_registration(self, kind="register", count=1, timeout=None):
        return self.wait(lambda: [r for r in self.registrations if r[0] == kind][count - 1:] and
                         [r for r in self.registrations if r[0] == kind][count - 1],
                         "%s #%d" % (kind, count), timeout)

    # ---- requests to the client ----
    def request(self, mcode, path, payload=b"", cf=None, accept=None, observe=None, timeout=None):
        """Sends a CON request to the registered client; returns (code, options, payload)."""
        if not self.client:
            raise AssertionError("no client registered")
        token = os.urandom(4)
        opts = [(OPT_URI_PATH, p.encode()) for p in path.strip("/").split("/")]
        if cf is not None:
            opts.append((OPT_CF, uint_bytes(cf)))
        if accept is not None:
            opts.append((OPT_ACCEPT, uint_bytes(accept)))
        if observe is not None:
            opts.append((OPT_OBSERVE, uint_bytes(observe)))
        with self.lock:
            self.responses[token] = None
        msg = encode(CON, mcode, self._next_mid(), token, opts, payload)
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:  # CON retransmission, simplified
            self.sock.sendto(msg, self.client)
            try:
                self.wait(lambda: self.responses.get(token), "response to %s" % path, 2.0)
                break
            except AssertionError:
                if time.monotonic() > deadline:
                    raise
        r = self.responses[token]
        if observe == 0:
            self.observed = getattr(self, "observed", {})
            self.observed[path] = token
        return r

    def read(self, path, accept=None):
        c, opts, payload = self.request(GET, path, accept=accept)
        if c != code(2, 5):
            raise AssertionError("read %s: %s" % (path, code_str(c)))
        return payload

    def write(self, path, value, cf=CF_TEXT):
        c, _, _ = self.request(PUT, path, value if isinstance(value, bytes) else value.encode(), cf=cf)
        return c

    def execute(self, path):
        c, _, _ = self.request(POST, path)
        return c

    def observe(self, path):
        c, opts, payload = self.request(GET, path, observe=0)
        if c != code(2, 5):
            raise AssertionError("observe %s: %s" % (path, code_str(c)))
        return payload

    def wait_value(self, path, value, timeout=None):
        """Waits for a notification of `path` (observed) carrying the text `value`."""
        token = self.observed[path]
        want = str(value).encode()
        return self.wait(lambda: any(t == token and p == want for t, _, _, _, p in self.notifications),
                         "notification %s = %s (got %r)" % (path, value,
                                                             [p for t, _, _, _, p in self.notifications if t == token]),
                         timeout)


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def do_GET(self):
        srv = self.server.owner
        name = self.path.lstrip("/")
        data = srv.files.get(name)
        if data is None:
            self.send_error(404)
            return
        start = 0
        rng = self.headers.get("Range")
        if rng and rng.startswith("bytes=") and srv.ranges:
            start = int(rng[6:].split("-")[0])
            self.send_response(206)
            self.send_header("Content-Range", "bytes %d-%d/%d" % (start, len(data) - 1, len(data)))
        else:
            self.send_response(200)
        self.send_header("Content-Length", str(len(data) - start))
        self.send_header("ETag", '"%d"' % len(data))
        self.end_headers()
        with srv.cond:
            srv.requests.append((name, start))
            srv.cond.notify_all()
        pos = start
        chunk = 4096
        try:
            while pos < len(data):
                with srv.cond:
                    while srv.gate is not None and pos >= srv.gate and not srv.closing:
                        srv.held = True
                        srv.cond.notify_all()
                        srv.cond.wait(0.5)
                    srv.held = False
                    if srv.closing:
                        return
                end = min(len(data), pos + chunk)
                if srv.gate is not None:
                    end = min(end, max(srv.gate, pos + 1)) if pos < srv.gate else end
                self.wfile.write(data[pos:end])
                self.wfile.flush()
                pos = end
                if srv.pace:
                    time.sleep(srv.pace)  # server-side bandwidth, not synchronisation
        except (BrokenPipeError, ConnectionResetError):
            pass


class _Quiet(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # a client that drops the connection (net-drop, pause) is expected


class PackageServer:
    """HTTP with Range on 127.0.0.1. `gate` holds every transfer at that byte offset until
    release(); wait_held() returns once a transfer is held there."""

    def __init__(self, files=None):
        self.files = dict(files or {})
        self.ranges = True
        self.gate = None
        self.held = False
        self.pace = 0
        self.closing = False
        self.requests = []
        self.cond = threading.Condition()
        self.httpd = _Quiet(("127.0.0.1", 0), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.owner = self
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, name):
        return "http://127.0.0.1:%d/%s" % (self.port, name)

    def hold_at(self, offset):
        with self.cond:
            self.gate = offset
            self.cond.notify_all()

    def release(self):
        self.hold_at(None)

    def wait_held(self, timeout=20.0):
        deadline = time.monotonic() + timeout
        with self.cond:
            while not self.held:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError("package server: no transfer reached the gate")
                self.cond.wait(left)

    def wait_requests(self, n, timeout=20.0):
        deadline = time.monotonic() + timeout
        with self.cond:
            while len(self.requests) < n:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError("package server: %d requests, wanted %d" % (len(self.requests), n))
                self.cond.wait(left)
            return list(self.requests)

    def close(self):
        with self.cond:
            self.closing = True
            self.cond.notify_all()
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
