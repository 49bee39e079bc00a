#!/usr/bin/env python3
"""Integration-test harness: the real parley-frontend on loopback with a throw-away store.

Python 3 standard library only (the CI runs Debian's /usr/bin/python3).

* Lab: makes a topology store and lab certificates with parleyctl, writes a frontend.json
  with TLS, UDP and TCP listeners on free ports of 127.0.0.1, starts parley-frontend and
  waits (bounded) until every listener answers; stops it by PID.
* UA: a small SIP user agent on its own UDP socket, TCP connection or TLS connection. It
  sends requests, answers RFC 7616 digest challenges itself (MD5 and SHA-256, qop=auth,
  nonce-count), registers, and receives and answers requests on its own socket.

Environment: BUILD (default <repo>/build) holds the binaries; PARLEY_SHARED_TESTDATA
(default <repo>/../shared/testdata) the external conformance data; PARLEY_IT_WAIT the
seconds any single wait for a message may take (default 10); PARLEY_IT_KEEP=1 keeps the
lab folders for a post-mortem.
"""

import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import unittest
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("BUILD") or REPO / "build")
FRONTEND = BUILD / "src" / "frontend" / "parley-frontend"
PARLEYCTL = BUILD / "src" / "tools" / "parleyctl" / "parleyctl"
SHARED_TESTDATA = Path(os.environ.get("PARLEY_SHARED_TESTDATA") or REPO.parent / "shared" / "testdata")
TORTURE_DIR = SHARED_TESTDATA / "sip-torture"

DOMAIN = "parley.test"
POOL = "fe.parley.test"
HOST = "127.0.0.1"
WAIT = float(os.environ.get("PARLEY_IT_WAIT") or 10)  # bound of one wait for a message
START_WAIT = 30.0  # bound for the daemon to start answering
CTL_WAIT = 60.0  # bound for one parleyctl run

USERS = {
    "alice": ("Alice", "alice-secret-pw"),
    "bob": ("Bob", "bob-secret-pw"),
    "carol": ("Carol", "carol-secret-pw"),
}


def require_binaries():
    """Raises (so the test errors, never passes) when the binaries under test are missing."""
    missing = [str(p) for p in (FRONTEND, PARLEYCTL) if not os.access(p, os.X_OK)]
    if missing:
        raise RuntimeError("binaries under test not built: " + ", ".join(missing) +
                           " (set BUILD to the build folder)")


def token(n=8):
    return secrets.token_hex(n)


# ---------------------------------------------------------------------------------------
# Processes


class CtlResult:
    def __init__(self, args, proc):
        self.args = args
        self.returncode = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr

    def __repr__(self):
        return "parleyctl %s -> exit %s\nstdout: %r\nstderr: %r" % (
            " ".join(self.args), self.returncode, self.stdout[-2000:], self.stderr[-2000:])


def run_ctl(*args, store=None, check=True, env=None):
    """Runs parleyctl (bounded); with check, a non-zero exit raises with its output."""
    cmd = [str(PARLEYCTL)]
    if store is not None:
        cmd += ["--store", str(store)]
    cmd += [str(a) for a in args]
    e = dict(os.environ)
    e.pop("PARLEY_STORE", None)
    if env:
        e.update(env)
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=CTL_WAIT, env=e,
                          stdin=subprocess.DEVNULL)
    res = CtlResult(cmd[1:], proc)
    if check and proc.returncode != 0:
        raise AssertionError("parleyctl failed: %r" % res)
    return res


def free_port(kind):
    """A port of 127.0.0.1 free for `kind` (socket.SOCK_STREAM or SOCK_DGRAM) right now."""
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


_cert_cache = {}


def dev_certificates():
    """One lab CA and pool certificate per test process (`parleyctl cert dev`)."""
    if "dir" not in _cert_cache:
        d = Path(tempfile.mkdtemp(prefix="parley-it-certs-"))
        run_ctl("cert", "dev", "--dir", d, "--pool", POOL)
        for f in ("ca.crt", "pool.crt", "pool.key"):
            if not (d / f).is_file():
                raise AssertionError("parleyctl cert dev did not write %s in %s" % (f, d))
        _cert_cache["dir"] = d
        if not os.environ.get("PARLEY_IT_KEEP"):
            import atexit
            atexit.register(shutil.rmtree, d, True)
    return _cert_cache["dir"]


class Lab:
    """A throw-away store, certificates, config and (once started) a parley-frontend."""

    def __init__(self, users=USERS, config=None, transports=("tls", "udp", "tcp")):
        require_binaries()
        self.dir = Path(tempfile.mkdtemp(prefix="parley-it-"))
        self.store = self.dir / "topology.db"
        self.certs = dev_certificates()
        self.users = dict(users)
        self.transports = tuple(transports)
        self.extra_config = dict(config or {})
        self.proc = None
        self.ports = {}
        self.config_path = self.dir / "frontend.json"
        self.log_path = self.dir / "frontend.log"
        self._log = None
        self.starts = 0
        run_ctl("topology", "init", "--domain", DOMAIN, "--site", "HQ", "--pool", POOL, store=self.store)
        for user, (name, password) in self.users.items():
            run_ctl("user", "add", "%s@%s" % (user, DOMAIN), "--name", name, "--password", password,
                    store=self.store)

    # -- config and process ----------------------------------------------------------

    def pick_ports(self):
        self.ports = {}
        for t in self.transports:
            kind = socket.SOCK_DGRAM if t == "udp" else socket.SOCK_STREAM
            while True:
                p = free_port(kind)
                if p not in self.ports.values():
                    break
            self.ports[t] = p

    def config_dict(self):
        cfg = {
            "store": str(self.store),
            "pool": POOL,
            "listen": [{"transport": t, "address": HOST, "port": self.ports[t]} for t in self.transports],
            "tls": {"certificate": str(self.certs / "pool.crt"),
                    "private_key": str(self.certs / "pool.key"),
                    "ca_file": str(self.certs / "ca.crt")},
            "log_level": "debug",
        }
        cfg.update(self.extra_config)
        return cfg

    def write_config(self):
        self.config_path.write_text(json.dumps(self.config_dict(), indent=2) + "\n")

    def start(self, same_ports=False):
        """Starts parley-frontend and waits (bounded) until every listener answers."""
        attempts = 1 if same_ports else 3
        last = None
        for _ in range(attempts):
            if not same_ports or not self.ports:
                self.pick_ports()
            self.write_config()
            self._spawn()
            try:
                self._wait_ready()
                return self
            except AssertionError as e:
                last = e
                self.stop()
                # A port taken between picking and binding: try other ports.
                if "in use" not in self.log_tail().lower():
                    break
        raise last

    def _spawn(self):
        self.starts += 1
        self._log = open(self.log_path, "ab")
        self._log.write(("\n===== start %d: %s\n" % (self.starts, time.strftime("%H:%M:%S"))).encode())
        self._log.flush()
        self.proc = subprocess.Popen([str(FRONTEND), "--config", str(self.config_path)],
                                     stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT)

    def _wait_ready(self):
        deadline = time.monotonic() + START_WAIT
        pending = set(self.ports)
        while pending:
            if self.proc.poll() is not None:
                raise AssertionError("parley-frontend exited with %s during start-up:\n%s" %
                                     (self.proc.returncode, self.log_tail()))
            if time.monotonic() > deadline:
                raise AssertionError("parley-frontend did not answer on %s within %ss:\n%s" %
                                     (sorted(pending), START_WAIT, self.log_tail()))
            for t in sorted(pending):
                if self._probe(t):
                    pending.discard(t)
            if pending:
                time.sleep(0.1)

    def _probe(self, transport):
        port = self.ports[transport]
        try:
            if transport == "udp":
                with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                    s.bind((HOST, 0))
                    s.settimeout(0.5)
                    lp = s.getsockname()[1]
                    branch = "z9hG4bK" + token()
                    msg = ("OPTIONS sip:%s:%d SIP/2.0\r\nVia: SIP/2.0/UDP %s:%d;branch=%s;rport\r\n"
                           "Max-Forwards: 70\r\nFrom: <sip:probe@%s>;tag=%s\r\nTo: <sip:%s:%d>\r\n"
                           "Call-ID: %s\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n" %
                           (HOST, port, HOST, lp, branch, HOST, token(4), HOST, port, token()))
                    s.sendto(msg.encode(), (HOST, port))
                    data, _ = s.recvfrom(65535)
                    return data.startswith(b"SIP/2.0 ")
            with socket.create_connection((HOST, port), timeout=1) as s:
                return True
        except OSError:
            return False

    def stop(self):
        """SIGTERM, then (bounded) SIGKILL; only our own child, by PID."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc = None
        if self._log is not None:
            self._log.close()
            self._log = None

    def kill9(self):
        assert self.proc is not None and self.proc.poll() is None, "parley-frontend is not running"
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)
        self.proc = None
        if self._log is not None:
            self._log.close()
            self._log = None

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def close(self):
        self.stop()
        if not os.environ.get("PARLEY_IT_KEEP"):
            shutil.rmtree(self.dir, ignore_errors=True)

    def log_tail(self, lines=40):
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    # -- parleyctl on this store ------------------------------------------------------

    def ctl(self, *args, check=True):
        return run_ctl(*args, store=self.store, check=check)

    def registrations(self, user=None):
        """`parleyctl registrations` as a list of dicts: aor, contact, transport, source."""
        args = ["registrations"] + (["--user", user] if user else [])
        res = self.ctl(*args)
        rows = []
        lines = res.stdout.splitlines()
        if not lines or not lines[-1].endswith("registration(s)"):
            raise AssertionError("unexpected `parleyctl registrations` output: %r" % res.stdout)
        for line in lines[1:-1]:
            parts = line.split()
            if len(parts) >= 4:
                rows.append({"aor": parts[0], "contact": parts[1], "transport": parts[2],
                             "source": parts[3], "line": line})
        count = int(lines[-1].split()[0])
        if count != len(rows):
            raise AssertionError("registrations: %d rows but summary says %d: %r" % (len(rows), count, res.stdout))
        return rows

    def client_tls_context(self):
        ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=str(self.certs / "ca.crt"))
        ctx.check_hostname = True
        ctx.verify_mode = ssl.CERT_REQUIRED
        return ctx


class LabTestCase(unittest.TestCase):
    """A fresh lab (store and daemon) per test; its log is printed when the test fails."""

    lab_config = None
    lab_users = USERS
    start_daemon = True

    def setUp(self):
        self.lab = Lab(users=self.lab_users, config=self.lab_config)
        self.addCleanup(self._close_lab)
        self.uas = []
        if self.start_daemon:
            self.lab.start()

    def _close_lab(self):
        for ua in self.uas:
            ua.close()
        if self._failed():
            sys.stderr.write("\n--- parley-frontend log (%s) ---\n%s\n---\n" % (self.lab.log_path, self.lab.log_tail(80)))
        self.lab.close()

    def _failed(self):
        outcome = getattr(self, "_outcome", None)
        result = getattr(outcome, "result", None)
        if result is None:
            return False
        return any(t is self for t, _ in list(result.errors) + list(result.failures))

    def ua(self, user, transport="udp", password=None, **kw):
        name = user
        pw = password if password is not None else self.lab.users.get(user, ("", ""))[1]
        ua = UA(self.lab, name, pw, transport=transport, **kw)
        self.uas.append(ua)
        return ua

    def assertStatus(self, msg, status, what=""):
        self.assertIsNotNone(msg, "no response %s" % what)
        self.assertEqual(msg.status, status, "%s: got %s %s, expected %d\n%s" % (
            what, msg.status, msg.reason, status, msg.text()[:1500]))


# ---------------------------------------------------------------------------------------
# SIP messages

COMPACT = {"v": "via", "f": "from", "t": "to", "i": "call-id", "m": "contact", "l": "content-length",
           "c": "content-type", "k": "supported", "s": "subject", "e": "content-encoding",
           "o": "event", "r": "refer-to", "u": "allow-events", "x": "session-expires", "b": "referred-by"}


def canon(name):
    n = name.strip().lower()
    return COMPACT.get(n, n)


def split_list(value):
    """Splits a header value on commas outside quotes and <>."""
    out, cur, quote, angle, i = [], [], False, False, 0
    while i < len(value):
        ch = value[i]
        if quote:
            cur.append(ch)
            if ch == "\\" and i + 1 < len(value):
                cur.append(value[i + 1])
                i += 1
            elif ch == '"':
                quote = False
        elif ch == '"':
            quote = True
            cur.append(ch)
        elif ch == "<":
            angle = True
            cur.append(ch)
        elif ch == ">":
            angle = False
            cur.append(ch)
        elif ch == "," and not angle:
            out.append("".join(cur).strip())
            cur = []
        else:
            cur.append(ch)
        i += 1
    if "".join(cur).strip():
        out.append("".join(cur).strip())
    return out


def uri_of(name_addr):
    """The URI of a name-addr or addr-spec header value (without header parameters)."""
    m = re.search(r"<([^>]*)>", name_addr)
    if m:
        return m.group(1).strip()
    return name_addr.strip().split(";")[0].strip()


def tag_of(name_addr):
    rest = name_addr[name_addr.rfind(">") + 1:] if ">" in name_addr else name_addr
    m = re.search(r";\s*tag\s*=\s*([^;\s,]+)", rest, re.I)
    return m.group(1) if m else None


def parse_sip_uri(uri):
    """(scheme, user, host, port or None, params dict) of a sip/sips URI."""
    m = re.match(r"(sips?):(?:([^@]*)@)?(\[[^\]]+\]|[^;:?>]+)(?::(\d+))?([^?]*)", uri.strip(), re.I)
    if not m:
        raise ValueError("not a SIP URI: %r" % uri)
    params = {}
    for p in m.group(5).split(";"):
        if p:
            k, _, v = p.partition("=")
            params[k.lower()] = v
    return (m.group(1).lower(), m.group(2), m.group(3), int(m.group(4)) if m.group(4) else None, params)


def auth_params(value):
    """Parameters of a Digest challenge or credentials value."""
    scheme, _, rest = value.strip().partition(" ")
    params = {}
    for m in re.finditer(r'([\w-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^,\s]+)', rest):
        v = m.group(2)
        if v.startswith('"'):
            v = v[1:-1].replace('\\"', '"').replace("\\\\", "\\")
        params[m.group(1).lower()] = v
    params["_scheme"] = scheme
    return params


class SipMessage:
    def __init__(self, raw, source=None, transport=None):
        self.raw = raw
        self.source = source
        self.transport = transport
        head, _, body = raw.partition(b"\r\n\r\n")
        lines = head.decode("utf-8", "replace").split("\r\n")
        self.start = lines[0]
        self.headers = []
        for line in lines[1:]:
            if line[:1] in (" ", "\t") and self.headers:
                n, v = self.headers[-1]
                self.headers[-1] = (n, v + " " + line.strip())
                continue
            name, _, value = line.partition(":")
            self.headers.append((name.strip(), value.strip()))
        self.body = body
        self.status = None
        self.reason = None
        self.method = None
        self.uri = None
        parts = self.start.split(" ", 2)
        if self.start.startswith("SIP/2.0 ") and len(parts) >= 2 and parts[1].isdigit():
            self.status = int(parts[1])
            self.reason = parts[2] if len(parts) > 2 else ""
        elif len(parts) == 3:
            self.method, self.uri = parts[0], parts[1]

    @property
    def is_response(self):
        return self.status is not None

    def get(self, name):
        n = canon(name)
        for k, v in self.headers:
            if canon(k) == n:
                return v
        return None

    def get_all(self, name):
        n = canon(name)
        return [v for k, v in self.headers if canon(k) == n]

    def values(self, name):
        out = []
        for v in self.get_all(name):
            out.extend(split_list(v))
        return out

    @property
    def call_id(self):
        return self.get("call-id")

    @property
    def cseq(self):
        v = self.get("cseq") or ""
        parts = v.split()
        return (int(parts[0]), parts[1]) if len(parts) == 2 and parts[0].isdigit() else (None, None)

    @property
    def branch(self):
        vias = self.values("via")
        if not vias:
            return None
        m = re.search(r";\s*branch\s*=\s*([^;\s,]+)", vias[0], re.I)
        return m.group(1) if m else None

    def warning_text(self):
        return " ".join(self.get_all("warning"))

    def text(self):
        return self.raw.decode("utf-8", "replace")

    def __repr__(self):
        return "<SipMessage %s>" % self.start


class OutRequest:
    """A request being built: method, Request-URI, ordered headers, body."""

    def __init__(self, method, uri, headers, body=b""):
        self.method = method
        self.uri = uri
        self.headers = list(headers)
        self.body = body if isinstance(body, bytes) else body.encode()

    def get(self, name):
        n = canon(name)
        for k, v in self.headers:
            if canon(k) == n:
                return v
        return None

    def set(self, name, value):
        n = canon(name)
        for i, (k, _) in enumerate(self.headers):
            if canon(k) == n:
                self.headers[i] = (k, value)
                return self
        self.headers.append((name, value))
        return self

    def remove(self, name):
        n = canon(name)
        self.headers = [(k, v) for k, v in self.headers if canon(k) != n]
        return self

    @property
    def branch(self):
        m = re.search(r";branch=([^;\s,]+)", self.get("via") or "")
        return m.group(1) if m else None

    @property
    def cseq_number(self):
        return int(self.get("cseq").split()[0])

    def copy(self):
        return OutRequest(self.method, self.uri, self.headers, self.body)

    def encode(self):
        lines = ["%s %s SIP/2.0" % (self.method, self.uri)]
        lines += ["%s: %s" % (k, v) for k, v in self.headers if canon(k) != "content-length"]
        lines.append("Content-Length: %d" % len(self.body))
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + self.body


# ---------------------------------------------------------------------------------------
# Digest (RFC 7616, RFC 8760)

HASHES = {"MD5": hashlib.md5, "SHA-256": hashlib.sha256}


def _h(alg, s):
    return HASHES[alg](s.encode()).hexdigest()


def digest_response(alg, username, realm, password, method, uri, nonce, nc, cnonce, qop="auth"):
    ha1 = _h(alg, "%s:%s:%s" % (username, realm, password))
    ha2 = _h(alg, "%s:%s" % (method, uri))
    return _h(alg, "%s:%s:%08x:%s:%s:%s" % (ha1, nonce, nc, cnonce, qop, ha2))


def credentials(challenge, method, uri, username, password, nc, cnonce=None, nonce=None):
    """An Authorization / Proxy-Authorization value answering `challenge` (a dict)."""
    alg = challenge.get("algorithm", "MD5").upper()
    if alg not in HASHES:
        raise AssertionError("challenge with unsupported algorithm %r" % alg)
    qops = [q.strip() for q in challenge.get("qop", "").split(",")]
    if "auth" not in qops:
        raise AssertionError("challenge does not offer qop=auth: %r" % challenge)
    realm = challenge["realm"]
    nonce = nonce if nonce is not None else challenge["nonce"]
    cnonce = cnonce or token(8)
    resp = digest_response(alg, username, realm, password, method, uri, nonce, nc, cnonce)
    v = ('Digest username="%s", realm="%s", nonce="%s", uri="%s", response="%s", algorithm=%s, '
         'cnonce="%s", qop=auth, nc=%08x' % (username, realm, nonce, uri, resp, alg, cnonce, nc))
    if "opaque" in challenge:
        v += ', opaque="%s"' % challenge["opaque"]
    return v


def challenges(resp, header):
    """Every Digest challenge of a 401/407 as dicts (one per header line or value)."""
    out = []
    for v in resp.get_all(header):
        # Several challenges in one line are separated by ", Digest ".
        for part in re.split(r",\s*(?=Digest\s)", v):
            p = auth_params(part)
            if p["_scheme"].lower() == "digest":
                out.append(p)
    return out


def pick_challenge(resp, header, algorithm):
    chs = challenges(resp, header)
    for c in chs:
        if c.get("algorithm", "MD5").upper() == algorithm.upper():
            return c
    raise AssertionError("no %s challenge for algorithm %s in:\n%s" % (header, algorithm, resp.text()))


# ---------------------------------------------------------------------------------------
# User agent


class ConnectionClosed(AssertionError):
    pass


class UA:
    """A SIP UA on one socket: UDP (own port), or one TCP/TLS connection to the server."""

    def __init__(self, lab, user, password, transport="udp", algorithm="SHA-256", contact_port=None,
                 server_port=None):
        self.lab = lab
        self.user = user
        self.password = password
        self.transport = transport
        self.algorithm = algorithm
        self.aor = "sip:%s@%s" % (user, DOMAIN)
        self.server = (HOST, server_port or lab.ports[transport])
        self.inbox = []
        self.buf = b""
        self.closed = False
        self.nc = {}
        self.tag = token(4)
        self.reg_call_id = token(10) + "@" + HOST
        self.cseq = 0
        if transport == "udp":
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self.sock.bind((HOST, 0))
        elif transport == "tcp":
            self.sock = socket.create_connection(self.server, timeout=WAIT)
        elif transport == "tls":
            raw = socket.create_connection(self.server, timeout=WAIT)
            self.sock = lab.client_tls_context().wrap_socket(raw, server_hostname=POOL)
        else:
            raise ValueError(transport)
        self.local_port = self.sock.getsockname()[1]
        self.contact_port = contact_port or self.local_port

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    @property
    def contact_uri(self):
        uri = "sip:%s@%s:%d" % (self.user, HOST, self.contact_port)
        if self.transport != "udp":
            uri += ";transport=" + self.transport
        return uri

    def via(self, branch):
        return "SIP/2.0/%s %s:%d;branch=%s;rport" % (self.transport.upper(), HOST, self.local_port, branch)

    # -- wire ----------------------------------------------------------------------------

    def send(self, data, dest=None):
        if isinstance(data, OutRequest):
            data = data.encode()
        if self.transport == "udp":
            self.sock.sendto(data, dest or self.server)
        else:
            self.sock.sendall(data)

    def _read(self, timeout):
        """Reads what arrives within `timeout` into the inbox; False when nothing came."""
        if self.closed:
            raise ConnectionClosed("%s's %s connection was closed by the server" % (self.user, self.transport))
        self.sock.settimeout(max(timeout, 0.001))
        try:
            if self.transport == "udp":
                data, src = self.sock.recvfrom(65535)
                self.inbox.append(SipMessage(data, src, "udp"))
                return True
            data = self.sock.recv(65535)
        except (socket.timeout, ssl.SSLWantReadError):
            return False
        except (ConnectionError, ssl.SSLError) as e:
            self.closed = True
            raise ConnectionClosed("%s's %s connection failed: %s" % (self.user, self.transport, e))
        if not data:
            self.closed = True
            raise ConnectionClosed("%s's %s connection was closed by the server" % (self.user, self.transport))
        self.buf += data
        self._frame()
        return True

    def _frame(self):
        while True:
            self.buf = self.buf.lstrip(b"\r\n")  # keep-alive CRLFs (RFC 5626)
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buf[:end].decode("utf-8", "replace")
            m = re.search(r"(?im)^(?:content-length|l)[ \t]*:[ \t]*(\d+)", head)
            length = int(m.group(1)) if m else 0
            total = end + 4 + length
            if len(self.buf) < total:
                return
            self.inbox.append(SipMessage(self.buf[:total], self.server, self.transport))
            self.buf = self.buf[total:]

    def wait_for(self, pred, timeout=None):
        """The first message (oldest first) matching pred, within timeout, or None."""
        deadline = time.monotonic() + (WAIT if timeout is None else timeout)
        while True:
            for i, m in enumerate(self.inbox):
                if pred(m):
                    return self.inbox.pop(i)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            self._read(remaining)

    def wait_request(self, method, timeout=None, call_id=None):
        m = self.wait_for(lambda m: m.method == method and (call_id is None or m.call_id == call_id), timeout)
        if m is None:
            raise AssertionError("%s (%s) received no %s within %ss; other messages: %r" % (
                self.user, self.transport, method, WAIT if timeout is None else timeout, self.inbox))
        return m

    def drain(self, timeout=0.0):
        """Everything that arrives within timeout (used to prove that nothing arrives)."""
        got = list(self.inbox)
        self.inbox.clear()
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                if not self._read(remaining):
                    break
            except ConnectionClosed:
                break
            got.extend(self.inbox)
            self.inbox.clear()
        return got

    # -- UAC -----------------------------------------------------------------------------

    def next_cseq(self):
        self.cseq += 1
        return self.cseq

    def request(self, method, uri, to=None, call_id=None, cseq=None, from_tag=None, to_tag=None,
                routes=(), headers=(), body=b"", content_type=None, contact=True, max_forwards=70):
        branch = "z9hG4bK" + token(8)
        to_value = "<%s>" % (to or uri)
        if to_tag:
            to_value += ";tag=" + to_tag
        h = [("Via", self.via(branch)),
             ("Max-Forwards", str(max_forwards)),
             ("From", '"%s" <%s>;tag=%s' % (self.user, self.aor, from_tag or self.tag)),
             ("To", to_value),
             ("Call-ID", call_id or token(10) + "@" + HOST),
             ("CSeq", "%d %s" % (cseq if cseq is not None else self.next_cseq(), method))]
        for r in routes:
            h.append(("Route", r))
        if contact and method not in ("ACK", "CANCEL", "BYE"):
            h.append(("Contact", "<%s>" % self.contact_uri))
        h.append(("User-Agent", "parley-integration-test"))
        h += list(headers)
        if body and content_type:
            h.append(("Content-Type", content_type))
        return OutRequest(method, uri, h, body)

    def start(self, req, dest=None):
        return ClientTxn(self, req, dest)

    def transact(self, req, timeout=None, dest=None):
        return self.start(req, dest).wait_final(timeout)

    def authorize(self, req, resp, password=None, algorithm=None):
        """A copy of req (new branch, next CSeq) carrying credentials for resp's challenge."""
        proxy = resp.status == 407
        ch = pick_challenge(resp, "Proxy-Authenticate" if proxy else "WWW-Authenticate",
                            algorithm or self.algorithm)
        nonce = ch["nonce"]
        self.nc[nonce] = self.nc.get(nonce, 0) + 1
        value = credentials(ch, req.method, req.uri, self.user,
                            self.password if password is None else password, self.nc[nonce])
        new = req.copy()
        branch = "z9hG4bK" + token(8)
        new.set("Via", self.via(branch))
        new.set("CSeq", "%d %s" % (self.next_cseq(), req.method))
        new.set("Proxy-Authorization" if proxy else "Authorization", value)
        return new

    def send_authenticated(self, req, timeout=None, password=None, algorithm=None, dest=None):
        """Sends req; on 401/407 answers the challenge once. Returns the ClientTxn in use and
        the first response above 100 of the first transaction (the challenge, if any)."""
        ct = self.start(req, dest)
        first = ct.wait(lambda r: r.status > 100, timeout)
        if first.status in (401, 407):
            ct = self.start(self.authorize(req, first, password, algorithm), dest)
        else:
            ct.replay_first = first
        return ct, first

    def register_request(self, expires=600, contact=None, headers=()):
        h = list(headers)
        if expires is not None:
            h.append(("Expires", str(expires)))
        req = self.request("REGISTER", "sip:" + DOMAIN, to=self.aor, call_id=self.reg_call_id,
                           contact=False, headers=h)
        req.headers.insert(6, ("Contact", contact or "<%s>" % self.contact_uri))
        return req

    def register(self, expires=600, contact=None, password=None, algorithm=None):
        """REGISTER, answer the 401, REGISTER again. Returns (challenge, final response)."""
        req = self.register_request(expires, contact)
        first = self.transact(req)
        if first.status != 401:
            return first, first
        second = self.transact(self.authorize(req, first, password, algorithm))
        return first, second

    def unregister(self, contact=None):
        return self.register(expires=0, contact=contact)

    def call(self, callee_uri, body=None, headers=()):
        """Sends an INVITE (answering the 407) and returns the ClientTxn of the
        authenticated INVITE; the caller waits for its responses."""
        sdp = body if body is not None else make_sdp(self.user, self.local_port + 2)
        req = self.request("INVITE", callee_uri, body=sdp, content_type="application/sdp", headers=headers)
        ct, first = self.send_authenticated(req)
        if first.status != 407:
            raise AssertionError("INVITE from %s without credentials got %s %s, expected 407" % (
                self.user, first.status, first.reason))
        return ct

    # -- UAS -----------------------------------------------------------------------------

    def response_destination(self, req):
        """RFC 3261 §18.2.2 with RFC 3581: where a response to req goes over UDP."""
        top = req.values("via")[0]
        m = re.match(r"SIP\s*/\s*2\.0\s*/\s*\S+\s+(\[[^\]]+\]|[^;:\s]+)(?::(\d+))?(.*)", top, re.I)
        host, port, params = m.group(1), int(m.group(2) or 5060), m.group(3)
        rec = re.search(r";\s*received=([^;\s]+)", params, re.I)
        rport = re.search(r";\s*rport=(\d+)", params, re.I)
        return ((rec.group(1) if rec else host).strip("[]"), int(rport.group(1)) if rport else port)

    def respond(self, req, status, reason=None, to_tag=None, headers=(), body=b"", content_type=None,
                contact=False):
        reasons = {100: "Trying", 180: "Ringing", 200: "OK", 404: "Not Found", 481: "Call/Transaction Does Not Exist",
                   486: "Busy Here", 487: "Request Terminated"}
        lines = ["SIP/2.0 %d %s" % (status, reason or reasons.get(status, "Response"))]
        for v in req.get_all("via"):
            lines.append("Via: " + v)
        to = req.get("to")
        if to_tag and tag_of(to) is None:
            to += ";tag=" + to_tag
        lines += ["From: " + req.get("from"), "To: " + to, "Call-ID: " + req.call_id, "CSeq: " + req.get("cseq")]
        if req.method == "INVITE" and 100 < status < 300:
            for rr in req.get_all("record-route"):
                lines.append("Record-Route: " + rr)
        if contact:
            lines.append("Contact: <%s>" % self.contact_uri)
        lines += ["%s: %s" % h for h in headers]
        body = body if isinstance(body, bytes) else body.encode()
        if body and content_type:
            lines.append("Content-Type: " + content_type)
        lines.append("Content-Length: %d" % len(body))
        data = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
        if self.transport == "udp":
            self.send(data, self.response_destination(req))
        else:
            self.send(data)
        return data

    def answer(self, invite, ring=True):
        """180 then 200 with SDP; returns the to-tag."""
        to_tag = token(4)
        if ring:
            self.respond(invite, 180, to_tag=to_tag, contact=True)
        self.respond(invite, 200, to_tag=to_tag, contact=True, body=make_sdp(self.user, self.local_port + 2),
                     content_type="application/sdp")
        return to_tag


class ClientTxn:
    """A client transaction of a UA: retransmits over UDP (RFC 3261 §17.1, T1 = 0.5 s) while
    it waits, ACKs a non-2xx final response to an INVITE."""

    def __init__(self, ua, req, dest=None):
        self.ua = ua
        self.req = req
        self.dest = dest
        self.branch = req.branch
        self.responses = []
        self.final = None
        self.replay_first = None
        self.data = req.encode()
        self.interval = 0.5
        self.next_retx = time.monotonic() + self.interval
        self.ua.send(self.data, dest)

    def _maybe_retransmit(self):
        if self.ua.transport != "udp" or self.final is not None:
            return
        if self.req.method == "INVITE" and self.responses:
            return
        now = time.monotonic()
        if now >= self.next_retx:
            self.ua.send(self.data, self.dest)
            self.interval = min(self.interval * 2, 4.0)
            self.next_retx = now + self.interval

    def wait(self, pred, timeout=None):
        if self.replay_first is not None and pred(self.replay_first):
            r, self.replay_first = self.replay_first, None
            return r
        bound = WAIT if timeout is None else timeout
        deadline = time.monotonic() + bound
        while True:
            self._maybe_retransmit()
            now = time.monotonic()
            if now >= deadline:
                raise AssertionError("%s: no matching response to %s %s within %ss (got %r)" % (
                    self.ua.user, self.req.method, self.req.uri, bound, [r.start for r in self.responses]))
            slice_end = min(deadline, self.next_retx) if self.ua.transport == "udp" else deadline
            r = self.ua.wait_for(lambda m: m.is_response and m.branch == self.branch, max(slice_end - now, 0.01))
            if r is None:
                continue
            self.responses.append(r)
            if r.status >= 200 and self.final is None:
                self.final = r
                if self.req.method == "INVITE" and r.status >= 300:
                    self.ua.send(non2xx_ack(self.req, r), self.dest)
            if pred(r):
                return r

    def wait_final(self, timeout=None):
        if self.final is not None:
            return self.final
        return self.wait(lambda r: r.status >= 200, timeout)


def non2xx_ack(invite, resp):
    """RFC 3261 §17.1.1.3: the ACK of a non-2xx final response, same branch."""
    h = [("Via", invite.get("via")), ("Max-Forwards", "70"), ("From", invite.get("from")),
         ("To", resp.get("to")), ("Call-ID", invite.get("call-id")),
         ("CSeq", "%d ACK" % invite.cseq_number)]
    for k, v in invite.headers:
        if canon(k) == "route":
            h.append((k, v))
    return OutRequest("ACK", invite.uri, h).encode()


class Dialog:
    """The UAC side of an INVITE dialog (RFC 3261 §12.1.2)."""

    def __init__(self, ua, invite, ok):
        self.ua = ua
        self.call_id = invite.get("call-id")
        self.local_tag = tag_of(invite.get("from"))
        self.remote_tag = tag_of(ok.get("to"))
        self.remote_uri = uri_of(ok.get("to"))
        contacts = ok.values("contact")
        if not contacts:
            raise AssertionError("2xx to INVITE without Contact:\n" + ok.text())
        self.remote_target = uri_of(contacts[0])
        self.route_set = list(reversed(ok.values("record-route")))
        self.invite_cseq = invite.cseq_number

    def first_hop(self):
        """(host, port, transport) the next in-dialog request goes to: the top Route."""
        target = uri_of(self.route_set[0]) if self.route_set else self.remote_target
        _, _, host, port, params = parse_sip_uri(target)
        transport = params.get("transport", "udp").lower()
        return host.strip("[]"), port or (5061 if transport == "tls" else 5060), transport

    def request(self, method, cseq=None, **kw):
        return self.ua.request(method, self.remote_target, to=self.remote_uri, call_id=self.call_id,
                               cseq=cseq, from_tag=self.local_tag, to_tag=self.remote_tag,
                               routes=self.route_set, **kw)

    def ack(self):
        req = self.request("ACK", cseq=self.invite_cseq)
        host, port, _ = self.first_hop()
        self.ua.send(req, (host, port))
        return req

    def bye(self):
        req = self.request("BYE")
        host, port, _ = self.first_hop()
        return self.ua.transact(req, dest=(host, port))


def make_sdp(user, port):
    return ("v=0\r\no=%s 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
            "m=audio %d RTP/AVP 0 8\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=sendrecv\r\n" % (user, port)).encode()


# ---------------------------------------------------------------------------------------
# Shared test data

def torture_expectations():
    """Rows of sip-torture/EXPECTED.tsv as dicts (file, verdict, expected_handling, ...)."""
    rows = []
    with open(TORTURE_DIR / "EXPECTED.tsv", encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        for line in f:
            if line.strip():
                rows.append(dict(zip(header, line.rstrip("\n").split("\t"))))
    return rows


def skip_unless_torture_data():
    if not (TORTURE_DIR / "EXPECTED.tsv").is_file():
        raise unittest.SkipTest("PARLEY_SHARED_TESTDATA absent: no %s (set PARLEY_SHARED_TESTDATA to the "
                                "shared testdata folder)" % (TORTURE_DIR / "EXPECTED.tsv"))
