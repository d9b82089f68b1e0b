"""A scripted LwM2M 1.0 client over CoAP/UDP (Python 3 standard library only), for driving
larafw-server's update jobs through paths the simulator does not take on its own: a refused
Write, a reboot in the middle of the download, a reboot back onto the old version.

    dev = FakeDevice(server_port, imei="356000000000018", version="V1")
    dev.register()                       # POST /rd, waits for 2.01
    dev.serve_until(lambda: dev.uri)     # answers reads/observes/writes/executes

Answers come from dev.values ({"/3/0/3": "V1", …}); dev.write_code / dev.execute_code set
the answer to Write /5/0/1 and Execute /5/0/2. Observed values change with dev.notify(path,
value). Every wait has a deadline that fails the test; nothing sleeps.
"""

import os
import random
import socket
import struct
import time

CON, NON, ACK, RST = 0, 1, 2, 3
GET, POST, PUT, DELETE = 1, 2, 3, 4
OPT_OBSERVE, OPT_LOCATION_PATH, OPT_URI_PATH, OPT_CF, OPT_URI_QUERY = 6, 8, 11, 12, 15
CF_TEXT, CF_LINK, CF_TLV = 0, 40, 11542


def code(c, d):
    return (c << 5) | d


def _uint(v):
    return b"" if v == 0 else v.to_bytes((v.bit_length() + 7) // 8, "big")


def _ext(x):
    if x < 13:
        return x, b""
    if x < 269:
        return 13, bytes([x - 13])
    return 14, struct.pack("!H", x - 269)


def encode(mtype, mcode, mid, token=b"", options=(), payload=b""):
    out = bytearray([0x40 | (mtype << 4) | len(token), mcode]) + struct.pack("!H", mid) + token
    last = 0
    for num, val in sorted(options, key=lambda o: o[0]):
        dn, dx = _ext(num - last)
        ln, lx = _ext(len(val))
        out += bytes([(dn << 4) | ln]) + dx + lx + val
        last = num
    if payload:
        out += b"\xff" + payload
    return bytes(out)


def decode(data):
    """(type, code, mid, token, [(option, bytes)], payload)."""
    mtype, tkl = (data[0] >> 4) & 3, data[0] & 15
    mcode, mid = data[1], struct.unpack("!H", data[2:4])[0]
    token = data[4:4 + tkl]
    i, num, opts = 4 + tkl, 0, []
    while i < len(data) and data[i] != 0xFF:
        d, ln = data[i] >> 4, data[i] & 15
        i += 1
        vals = []
        for x in (d, ln):
            if x == 13:
                x = data[i] + 13
                i += 1
            elif x == 14:
                x = struct.unpack("!H", data[i:i + 2])[0] + 269
                i += 2
            vals.append(x)
        num += vals[0]
        opts.append((num, data[i:i + vals[1]]))
        i += vals[1]
    payload = data[i + 1:] if i < len(data) else b""
    return mtype, mcode, mid, token, opts, payload


def tlv_resource(res_id, value):
    """One resource TLV (8-bit id, value up to 65535 bytes)."""
    n = len(value)
    if n < 8:
        return bytes([0xC0 | n, res_id]) + value
    if n < 256:
        return bytes([0xC8, res_id, n]) + value
    return bytes([0xD0, res_id]) + struct.pack("!H", n) + value


def tlv_first_value(payload):
    """Value of the first top-level TLV (the server writes one resource)."""
    t = payload[0]
    i = 2 if not t & 0x20 else 3
    lt = (t >> 3) & 3
    n = t & 7 if lt == 0 else int.from_bytes(payload[i:i + lt], "big")
    i += lt
    return payload[i:i + n]


class DeviceError(AssertionError):
    pass


class FakeDevice:
    def __init__(self, server_port, imei, version, lifetime=300, timeout=20, host="127.0.0.1",
                 endpoint=None):
        """host: the local address to send from (any 127.x, for a second machine);
        endpoint: the endpoint name (default urn:imei:<imei>)."""
        self.server = ("127.0.0.1", server_port)
        self.host = host
        self.imei = imei
        self.endpoint = endpoint or "urn:imei:" + imei
        self.lifetime = lifetime
        self.timeout = timeout
        self.values = {"/3/0/1": "LARA-R6001D", "/3/0/2": imei, "/3/0/3": version,
                       "/5/0/3": "0", "/5/0/5": "0"}
        self.write_code = code(2, 4)
        self.execute_code = code(2, 4)
        self.uri = None
        self.executed = False
        self.observers = {}  # path → (token, sequence)
        self.seen = []  # (method, path) of every request
        self.sock = None
        self.mid = random.randint(0, 0xFFFF)
        self.reboot()

    def reboot(self):
        """A new socket (new source port) and no observers, as after a module reset."""
        if self.sock:
            self.sock.close()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((self.host, 0))
        self.observers = {}

    def close(self):
        if self.sock:
            self.sock.close()
            self.sock = None

    def _next_mid(self):
        self.mid = (self.mid + 1) & 0xFFFF
        return self.mid

    def _recv(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            raise DeviceError("fake device: timeout (requests seen: %r)" % self.seen[-10:])
        self.sock.settimeout(left)
        try:
            data, _ = self.sock.recvfrom(65536)
        except socket.timeout:
            raise DeviceError("fake device: timeout (requests seen: %r)" % self.seen[-10:])
        return decode(data)

    def register(self):
        """POST /rd; handles server requests that race the answer; returns the location."""
        mid = self._next_mid()
        token = os.urandom(4)
        opts = [(OPT_URI_PATH, b"rd"), (OPT_CF, _uint(CF_LINK))]
        for q in ("ep=" + self.endpoint, "lt=%d" % self.lifetime, "lwm2m=1.0", "b=U"):
            opts.append((OPT_URI_QUERY, q.encode()))
        self.sock.sendto(encode(CON, code(0, 2), mid, token, opts,
                                b"</1/10>;ssid=721,</3/0>,</5/0>"), self.server)
        deadline = time.monotonic() + self.timeout
        while True:
            msg = self._recv(deadline)
            if msg[0] == ACK and msg[2] == mid:
                if msg[1] != code(2, 1):
                    raise DeviceError("register answered %d.%02d" % (msg[1] >> 5, msg[1] & 31))
                return "/".join(v.decode() for n, v in msg[4] if n == OPT_LOCATION_PATH)
            self._handle(msg)

    def notify(self, path, value):
        """Changes a value and notifies its observer (NON notification)."""
        self.values[path] = value
        if path in self.observers:
            token, seq = self.observers[path]
            seq += 1
            self.observers[path] = (token, seq)
            cf, body = self._body(path)
            self.sock.sendto(encode(NON, code(2, 5), self._next_mid(), token,
                                    [(OPT_OBSERVE, _uint(seq)), (OPT_CF, _uint(cf))], body),
                             self.server)

    def _body(self, path):
        """/5/0/5 in TLV (the server must decode both), everything else in text."""
        value = self.values[path].encode()
        if path == "/5/0/5":
            return CF_TLV, tlv_resource(5, bytes([int(self.values[path])]))
        return CF_TEXT, value

    def _handle(self, msg):
        mtype, mcode, mid, token, opts, payload = msg
        if mtype == RST or mcode == 0 or mcode >= 32:
            return  # resets, empty ACKs, answers to nothing we sent
        path = "/" + "/".join(v.decode() for n, v in opts if n == OPT_URI_PATH)
        self.seen.append((mcode, path))
        reply_type = ACK if mtype == CON else NON
        out_opts, body = [], b""
        if mcode == GET and path in self.values:
            observe = [v for n, v in opts if n == OPT_OBSERVE]
            if observe and int.from_bytes(observe[0], "big") == 0:
                self.observers[path] = (token, 1)
                out_opts.append((OPT_OBSERVE, _uint(1)))
            cf, body = self._body(path)
            out_opts.append((OPT_CF, _uint(cf)))
            rcode = code(2, 5)
        elif mcode == PUT and path == "/5/0/1":
            cf = [int.from_bytes(v, "big") for n, v in opts if n == OPT_CF]
            value = tlv_first_value(payload) if cf == [CF_TLV] else payload
            rcode = self.write_code
            if rcode == code(2, 4):
                self.uri = value.decode()
        elif mcode == POST and path == "/5/0/2":
            rcode = self.execute_code
            if rcode == code(2, 4):
                self.executed = True
        else:
            rcode = code(4, 4)
        self.sock.sendto(encode(reply_type, rcode, mid if mtype == CON else self._next_mid(),
                                token, out_opts, body), self.server)

    def serve_until(self, predicate, timeout=None):
        """Answers the server's requests until predicate() is true. The predicate is checked
        after every datagram and at least every 50 ms (for events off this socket, such as a
        process exit)."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while not predicate():
            if time.monotonic() >= deadline:
                raise DeviceError("fake device: timeout (requests seen: %r)" % self.seen[-10:])
            self.sock.settimeout(min(0.05, max(deadline - time.monotonic(), 0.001)))
            try:
                data, _ = self.sock.recvfrom(65536)
            except socket.timeout:
                continue
            self._handle(decode(data))
