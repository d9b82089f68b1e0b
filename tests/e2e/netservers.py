"""Throw-away FTP and HTTP(S) servers for the FOTA-over-network tests and bench (Python 3
standard library only): vsftpd and nginx, started by the test on 127.0.0.1 with free
unprivileged ports and configs in a temp dir, stopped at the end (also on failure).

    with Vsftpd(root) as ftp:      # anonymous FTP on ftp.port, files served from root
    with Nginx(root) as web:       # HTTP on web.port, HTTPS on web.tls_port (web.cert)

Readiness is an event (the port accepts a connection), never a sleep.
"""

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

VSFTPD = os.environ.get("LARAFW_VSFTPD", "/usr/sbin/vsftpd")
NGINX = os.environ.get("LARAFW_NGINX", "/usr/sbin/nginx")
OPENSSL = shutil.which("openssl") or "/usr/bin/openssl"

# The anonymous "password" (an e-mail address) that vsftpd refuses: see Vsftpd.
BANNED_PASSWORD = "intruder@example.com"


class ServerError(AssertionError):
    pass


def _die_with_parent():
    """In the child before exec: SIGTERM when the test process dies, so that a killed test run
    never leaves servers behind (Linux prctl(PR_SET_PDEATHSIG))."""
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGTERM), 0, 0, 0)
    except (OSError, AttributeError):
        pass


def available(*programs):
    """True when every program exists and is executable."""
    return all(os.access(p, os.X_OK) for p in programs)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def free_port_range(n):
    """n consecutive free ports (best effort: checked once)."""
    for _ in range(50):
        base = free_port()
        if base + n >= 65535:
            continue
        socks = []
        try:
            for p in range(base, base + n):
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                socks.append(s)
                s.bind(("127.0.0.1", p))
            return base
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise ServerError("no %d consecutive free ports" % n)


def wait_port(port, proc, timeout=15.0, log=None):
    """Waits until 127.0.0.1:port accepts a connection (the server is up)."""
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise ServerError("server exited (%d) before listening on %d:\n%s"
                              % (proc.returncode, port, _read(log)))
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1.0):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise ServerError("nothing listens on %d after %.0f s:\n%s"
                                  % (port, timeout, _read(log)))
            time.sleep(0.02)  # poll interval of the readiness check, not a synchronisation


def _read(path):
    if not path:
        return ""
    try:
        with open(path, "r", errors="replace") as f:
            return f.read()[-3000:]
    except OSError:
        return ""


class _Server:
    def __init__(self):
        self.proc = None
        self.dir = tempfile.mkdtemp(prefix="larafw-%s-" % self.name)

    def p(self, *rel):
        return os.path.join(self.dir, *rel)

    def stop(self):
        """Stops the server (SIGTERM, then SIGKILL). Connections in progress are cut."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def close(self):
        self.stop()
        if os.environ.get("LARAFW_KEEP") != "1":
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


class Vsftpd(_Server):
    """vsftpd with anonymous access to `root` (run as root here: run_as_launching_user).

    Login refusal without local users (which need PAM and system accounts): anonymous
    logins whose password (e-mail) is BANNED_PASSWORD are refused with 530
    (deny_email_enable), and any user other than anonymous/ftp gets 530 too (local_enable=NO).
    `max_rate` limits each transfer (bytes/s) so that a test can act while one runs."""

    name = "vsftpd"

    def __init__(self, root, max_rate=0):
        super().__init__()
        self.root = root
        self.max_rate = max_rate
        self.port = free_port()
        self.pasv = free_port_range(8)
        self.log = self.p("vsftpd.log")
        os.makedirs(self.p("empty"), exist_ok=True)
        with open(self.p("banned"), "w") as f:
            f.write(BANNED_PASSWORD + "\n")
        self.start()

    def config(self):
        return "\n".join([
            "listen=YES", "listen_ipv6=NO", "listen_address=127.0.0.1",
            "listen_port=%d" % self.port, "background=NO", "run_as_launching_user=YES",
            "seccomp_sandbox=NO", "anonymous_enable=YES", "local_enable=NO",
            "write_enable=NO", "anon_root=%s" % self.root, "no_anon_password=NO",
            "deny_email_enable=YES", "banned_email_file=%s" % self.p("banned"),
            "pasv_enable=YES", "pasv_address=127.0.0.1", "pasv_min_port=%d" % self.pasv,
            "pasv_max_port=%d" % (self.pasv + 7), "secure_chroot_dir=%s" % self.p("empty"),
            "connect_from_port_20=NO", "xferlog_enable=YES", "xferlog_std_format=NO",
            "vsftpd_log_file=%s" % self.log, "log_ftp_protocol=YES",
            "anon_max_rate=%d" % self.max_rate, "idle_session_timeout=60",
            "data_connection_timeout=60", ""])

    def start(self):
        with open(self.p("vsftpd.conf"), "w") as f:
            f.write(self.config())
        out = open(self.p("stderr.log"), "ab")
        self.proc = subprocess.Popen([VSFTPD, self.p("vsftpd.conf")], stdin=subprocess.DEVNULL,
                                     stdout=out, stderr=out, preexec_fn=_die_with_parent)
        out.close()
        wait_port(self.port, self.proc, log=self.p("stderr.log"))

    def log_text(self):
        return _read(self.log) if os.path.exists(self.log) else ""

    def downloads(self):
        """Bytes of every "OK DOWNLOAD"/"FAIL DOWNLOAD" the server logged, in order."""
        out = []
        try:
            with open(self.log, errors="replace") as f:
                for line in f:
                    if "DOWNLOAD:" in line and " bytes" in line:
                        out.append(int(line.rsplit(" bytes", 1)[0].rsplit(", ", 1)[1]))
        except OSError:
            pass
        return out


def make_cert(directory, cn="127.0.0.1"):
    """A throw-away self-signed EC certificate valid for one day. Returns (cert, key)."""
    cert, key = os.path.join(directory, "cert.pem"), os.path.join(directory, "key.pem")
    subprocess.run([OPENSSL, "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-subj", "/CN=%s" % cn,
                    "-addext", "subjectAltName=IP:127.0.0.1", "-days", "1",
                    "-keyout", key, "-out", cert],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return cert, key


class Nginx(_Server):
    """nginx serving `root` over HTTP (port) and HTTPS (tls_port, throw-away certificate).
    /slow/… is rate-limited to `slow_rate` bytes/s; /auth/… needs basic auth
    (AUTH_USER / AUTH_PASSWORD). Access log: "<request> <status> <body bytes> <range>"."""

    name = "nginx"
    AUTH_USER = "fota"
    AUTH_PASSWORD = "s3cret-pw"

    def __init__(self, root, slow_rate=128 * 1024, ports=None):
        super().__init__()
        self.root = root
        self.slow_rate = slow_rate
        self.port, self.tls_port = ports or (free_port(), free_port())
        os.makedirs(self.p("tmp"), exist_ok=True)
        self.cert, self.key = make_cert(self.dir)
        with open(self.p("htpasswd"), "w") as f:
            f.write("%s:{PLAIN}%s\n" % (self.AUTH_USER, self.AUTH_PASSWORD))
        self.access = self.p("access.log")
        self.start()

    def config(self):
        d = self.dir
        return """
daemon off;
master_process on;
worker_processes 1;
user root;
pid %(d)s/nginx.pid;
error_log %(d)s/error.log info;
events { worker_connections 64; }
http {
    log_format fota '$request $status $body_bytes_sent "$http_range"';
    access_log %(d)s/access.log fota;
    client_body_temp_path %(d)s/tmp/body;
    proxy_temp_path %(d)s/tmp/proxy;
    fastcgi_temp_path %(d)s/tmp/fastcgi;
    uwsgi_temp_path %(d)s/tmp/uwsgi;
    scgi_temp_path %(d)s/tmp/scgi;
    default_type application/octet-stream;
    sendfile off;
    server {
        listen 127.0.0.1:%(port)d;
        listen 127.0.0.1:%(tls)d ssl;
        ssl_certificate %(cert)s;
        ssl_certificate_key %(key)s;
        root %(root)s;
        location /slow/ { alias %(root)s/; limit_rate %(rate)d; }
        location /auth/ { alias %(root)s/; auth_basic "fota"; auth_basic_user_file %(d)s/htpasswd; }
    }
}
""" % {"d": d, "port": self.port, "tls": self.tls_port, "cert": self.cert, "key": self.key,
       "root": self.root, "rate": self.slow_rate}

    def start(self):
        with open(self.p("nginx.conf"), "w") as f:
            f.write(self.config())
        out = open(self.p("stderr.log"), "ab")
        self.proc = subprocess.Popen([NGINX, "-c", self.p("nginx.conf"), "-p", self.dir + "/",
                                      "-e", self.p("error.log")],
                                     stdin=subprocess.DEVNULL, stdout=out, stderr=out,
                                     preexec_fn=_die_with_parent)
        out.close()
        wait_port(self.port, self.proc, log=self.p("error.log"))
        wait_port(self.tls_port, self.proc, log=self.p("error.log"))

    def requests(self):
        """[(request line, status, body bytes, range header)] from the access log."""
        out = []
        try:
            with open(self.access, errors="replace") as f:
                for line in f:
                    parts = line.rstrip("\n").rsplit(" ", 3)
                    if len(parts) == 4:
                        out.append((parts[0], int(parts[1]), int(parts[2]), parts[3].strip('"')))
        except OSError:
            pass
        return out
