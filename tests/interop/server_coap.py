"""larafw-server against software nobody here wrote: libcoap's coap-client as a fake LwM2M
device (registration, update, block-wise registration, de-registration, DTLS-PSK) and curl
for the package server (Range → 206 / 416, 404, path traversal refused) and the REST API.

Environment: LARAFW_SERVER, COAP_CLIENT (coap-client-openssl or -notls), CURL.
Every step waits for a process answer; nothing sleeps.
"""

import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
from srvharness import Server  # noqa: E402

COAP = os.environ.get("COAP_CLIENT", "coap-client-openssl")
CURL = os.environ.get("CURL", "curl")
BIN = os.environ.get("LARAFW_SERVER")

failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def coap(*args, timeout=30):
    """coap-client with debug output: the response header line shows code and options."""
    r = subprocess.run([COAP, "-v", "7", "-B", "5"] + list(args), capture_output=True,
                       text=True, timeout=timeout)
    return r.stdout + r.stderr


def location(out):
    """rd/<id> from coap-client's debug output (Location-Path options)."""
    m = re.search(r"Location-Path:rd, Location-Path:([0-9a-f]+)", out)
    return "rd/" + m.group(1) if m else None


def curl(*args):
    """(status, headers text, body bytes)."""
    r = subprocess.run([CURL, "-s", "-o", "-", "-D", "/dev/stderr", "--max-time", "10"] +
                       list(args), capture_output=True, timeout=30)
    head = r.stderr.decode(errors="replace")
    status = int(head.split()[1]) if head.startswith("HTTP/") else -1
    return status, head, r.stdout


def main():
    work = tempfile.mkdtemp(prefix="larafw-srv-interop-")
    pkgs = os.path.join(work, "packages")
    os.mkdir(pkgs)
    blob = bytes((i * 7) & 0xFF for i in range(100000))
    with open(os.path.join(pkgs, "blob.bin"), "wb") as f:
        f.write(blob)
    with open(os.path.join(work, "secret"), "wb") as f:
        f.write(b"outside the packages directory\n")
    os.symlink(os.path.join(work, "secret"), os.path.join(pkgs, "link.bin"))

    with Server(pkgs) as srv:
        base = "coap://%s" % srv.coap
        # ---- registration interface ----
        out = coap("-m", "post", base + "/rd?ep=test&lt=60&lwm2m=1.0&b=U",
                   "-e", "</1/10>,</3/0>,</5/0>")
        loc = location(out)
        check("c:2.01" in out and loc is not None and len(loc) == 3 + 16,
              "register → 2.01 Location-Path rd/<16 hex digits>")
        status, devs, _, _ = srv.api("GET", "/api/devices")
        d = [x for x in devs if x["endpoint"] == "test"]
        check(status == 200 and len(d) == 1 and d[0]["registered"] and d[0]["lifetime"] == 60
              and d[0]["objects"] == "</1/10>,</3/0>,</5/0>" and d[0]["location"] == "/" + loc,
              "device appears in GET /api/devices")
        out = coap("-m", "post", base + "/%s?lt=120" % loc)
        check("c:2.04" in out, "registration update → 2.04")
        check(srv.device("test")["lifetime"] == 120, "update changed the lifetime")
        out = coap("-m", "post", base + "/rd/0000000000000001?lt=120")
        check("c:4.04" in out, "update of an unknown registration → 4.04")
        out = coap("-m", "post", base + "/rd?lt=60", "-e", "</3/0>")
        check("c:4.00" in out, "registration without ep → 4.00")
        out = coap("-m", "post", base + "/rd?ep=x&lwm2m=2.0", "-e", "</3/0>")
        check("c:4.00" in out, "registration with lwm2m=2.0 → 4.00")
        # a 1.3 kB registration in 64-byte blocks (RFC 7959 Block1)
        links = ",".join(["</1/10>", "</3/0>", "</5/0>"] +
                         ["</%d/%d>" % (10000 + i, i) for i in range(120)])
        out = coap("-b", "64", "-m", "post", base + "/rd?ep=big&lt=300", "-e", links)
        check("c:2.01" in out, "block-wise registration (%d bytes, Block1 64) → 2.01" % len(links))
        big = srv.device("big")
        check(big is not None and big["objects"] == links, "whole block-wise payload stored")
        # a lifetime that runs out ends the registration (the server checks every second)
        out = coap("-m", "post", base + "/rd?ep=brief&lt=1", "-e", "</5/0>")
        check("c:2.01" in out, "short-lived registration → 2.01")
        srv.wait_log("brief: lifetime expired", timeout=10)
        check(srv.device("brief") is None, "expired lifetime → device removed")
        out = coap("-m", "delete", base + "/" + loc)
        check("c:2.02" in out, "de-registration → 2.02")
        check(srv.device("test")["registered"] is False, "device shows registered=false")
        # the registration is gone: 4.04 (OMA LwM2M 1.0 §5.3.3)
        out = coap("-m", "delete", base + "/" + loc)
        check("c:4.04" in out and srv.device("test")["registered"] is False,
              "second de-registration → 4.04")

        # ---- package server (curl) ----
        url = srv.url + "/packages/blob.bin"
        status, head, body = curl(url)
        check(status == 200 and body == blob and "Accept-Ranges: bytes" in head,
              "GET package → 200, whole file, Accept-Ranges")
        status, head, body = curl("-H", "Range: bytes=1000-1999", url)
        check(status == 206 and body == blob[1000:2000] and
              "Content-Range: bytes 1000-1999/100000" in head, "Range a-b → 206 + Content-Range")
        status, head, body = curl("-H", "Range: bytes=99990-", url)
        check(status == 206 and body == blob[99990:], "Range a- → 206 tail")
        status, head, body = curl("-H", "Range: bytes=-5", url)
        check(status == 206 and body == blob[-5:], "Range -n → 206 suffix")
        status, head, body = curl("-C", "50000", url)
        check(status == 206 and body == blob[50000:], "curl -C resume → 206")
        status, head, body = curl("-H", "Range: bytes=100000-", url)
        check(status == 416 and "Content-Range: bytes */100000" in head,
              "unsatisfiable Range → 416 Content-Range */size")
        status, head, body = curl("-I", url)
        check(status == 200 and "Content-Length: 100000" in head, "HEAD → 200 with length")
        status, _, _ = curl(srv.url + "/packages/none.bin")
        check(status == 404, "missing package → 404")
        for path in ("/packages/../secret", "/packages/%2e%2e/secret", "/packages/..%2fsecret",
                     "/packages/%2e%2e%2fsecret", "/packages/link.bin", "/packages/",
                     "/packages/.hidden"):
            status, _, body = curl("--path-as-is", srv.url + path)
            check(status != 200 and b"outside" not in body, "%s refused (%d)" % (path, status))

        # ---- REST API errors, client subcommands ----
        status, j, _, _ = srv.api("POST", "/api/devices/nobody/update", {"package": "blob.bin"})
        check(status == 404 and "error" in j, "update of an unknown device → 404 with error")
        status, j, _, _ = srv.api("POST", "/api/devices/big/update", {"package": "blob.bin"})
        check(status == 400 and "not a larafw package" in j["error"],
              "update with a file that is not a package → 400")
        status, j, _, _ = srv.api("POST", "/api/devices/big/update", b"{not json")
        check(status == 400, "update with a bad body → 400")
        status, _, _, _ = srv.api("GET", "/api/jobs/999")
        check(status == 404, "unknown job → 404")
        status, _, _, _ = srv.api("DELETE", "/api/devices")
        check(status == 405, "wrong method → 405")
        r = srv.run_cli("devices")
        check(r.returncode == 0 and "big" in r.stdout and "online" in r.stdout,
              "larafw-server devices lists the table")
        r = subprocess.run([BIN, "update", "--imei", "1"], capture_output=True, text=True)
        check(r.returncode == 2 and "--package" in r.stderr, "update without --package → exit 2")
        r = subprocess.run(srv.cli("update", "--imei", "nobody", "--package", "blob.bin"),
                           capture_output=True, text=True)
        check(r.returncode == 1 and "no device" in r.stderr, "update of an unknown device → exit 1")
    r = subprocess.run(srv.cli("update", "--imei", "1", "--package", "p"),
                       capture_output=True, text=True)
    check(r.returncode == 3 and "cannot reach" in r.stderr, "server gone → exit 3")

    # ---- HTTPS package download (curl checks the certificate) ----
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
    from netservers import make_cert  # noqa: E402
    cert, key = make_cert(work)
    with Server(pkgs, tls=(cert, key)) as srv:
        url = srv.https_url + "/packages/blob.bin"
        status, head, body = curl("--cacert", cert, "-H", "Range: bytes=10-19", url)
        check(status == 206 and body == blob[10:20] and "Content-Range: bytes 10-19/100000" in head,
              "HTTPS Range → 206 (certificate verified)")
        status, _, body = curl("--cacert", cert, url)
        check(status == 200 and body == blob, "HTTPS whole package → 200")
        status, _, body = curl("--cacert", cert, "--path-as-is", srv.https_url + "/packages/../secret")
        check(status == 404 and b"outside" not in body, "HTTPS traversal refused")

    # ---- DTLS-PSK ----
    if "openssl" in os.path.basename(COAP):
        psk = os.path.join(work, "psk")
        with open(os.open(psk, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
            f.write("# test keys\nlara-1:%s:secure\n" % b"secret-key-16byt".hex())
        with Server(pkgs, psk_file=psk) as srv:
            out = coap("-u", "lara-1", "-k", "secret-key-16byt", "-m", "post",
                       "coaps://%s/rd?ep=secure&lt=60" % srv.coap, "-e", "</5/0>")
            check("c:2.01" in out, "DTLS-PSK registration → 2.01")
            d = srv.device("secure")
            check(d is not None and d["registered"], "DTLS device in the table")
            out = coap("-u", "intruder", "-k", "secret-key-16byt", "-m", "post",
                       "coaps://%s/rd?ep=evil&lt=60" % srv.coap, "-e", "</5/0>", timeout=30)
            check("c:2.01" not in out and srv.device("evil") is None,
                  "unknown PSK identity cannot register")
    else:
        print("note: %s has no DTLS; DTLS-PSK case not run" % COAP)

    if failures:
        print("%d check(s) failed" % len(failures))
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
