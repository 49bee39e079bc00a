#!/usr/bin/env python3
"""Hostile or broken clients: oversize messages, garbage instead of TLS, garbage inside
TLS. Each must lose its connection (or its datagram) while everyone else is served."""

import socket
import ssl
import time
import unittest

from harness import DOMAIN, HOST, POOL, WAIT, LabTestCase, token


def oversize_register(port, transport, total, body=True):
    """A REGISTER of exactly `total` octets: a large body, or (body=False) a huge header."""
    branch = "z9hG4bK" + token()
    head = ("REGISTER sip:%s SIP/2.0\r\nVia: SIP/2.0/%s %s:%d;branch=%s;rport\r\nMax-Forwards: 70\r\n"
            "From: <sip:alice@%s>;tag=%s\r\nTo: <sip:alice@%s>\r\nCall-ID: %s\r\nCSeq: 1 REGISTER\r\n"
            "Contact: <sip:alice@%s:%d>\r\nExpires: 600\r\n" %
            (DOMAIN, transport, HOST, port, branch, DOMAIN, token(4), DOMAIN, token(), HOST, port))
    if body:
        head += "Content-Type: text/plain\r\n"
        fixed = len(head) + len("Content-Length: \r\n\r\n")
        n = total - fixed
        n -= len(str(n))
        msg = head + "Content-Length: %d\r\n\r\n" % n + "x" * n
    else:
        filler = total - len(head) - len("X-Filler: \r\nContent-Length: 0\r\n\r\n")
        msg = head + "X-Filler: " + "y" * filler + "\r\nContent-Length: 0\r\n\r\n"
    data = msg.encode()
    assert len(data) == total, (len(data), total)
    return data


def read_until_closed(sock, timeout):
    """Reads until the peer closes (True, data) or timeout (False, data)."""
    data = b""
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False, data
        sock.settimeout(remaining)
        try:
            chunk = sock.recv(65535)
        except socket.timeout:
            return False, data
        except (ConnectionError, ssl.SSLError, OSError):
            return True, data
        if not chunk:
            return True, data
        data += chunk


class StreamAbuseTest(LabTestCase):

    def assertOthersServed(self, what):
        self.assertTrue(self.lab.running(), "parley-frontend died after %s:\n%s" % (what, self.lab.log_tail()))
        for transport in ("udp", "tcp", "tls"):
            ua = self.ua("bob", transport)
            _, final = ua.register(expires=600)
            self.assertStatus(final, 200, "REGISTER of bob over %s after %s" % (transport, what))

    def test_oversize_message_over_tcp_closes_the_connection(self):
        for body in (True, False):
            what = "a 70,000-octet REGISTER over TCP (%s)" % ("large body" if body else "huge header")
            with socket.create_connection((HOST, self.lab.ports["tcp"]), timeout=WAIT) as s:
                port = s.getsockname()[1]
                try:
                    s.sendall(oversize_register(port, "TCP", 70000, body=body))
                except (BrokenPipeError, ConnectionResetError):
                    pass  # closed while we were still sending: that is the point
                closed, data = read_until_closed(s, WAIT)
                self.assertTrue(closed, "%s: connection still open after %ss (got %r)" % (what, WAIT, data[:200]))
                self.assertNotIn(b"SIP/2.0 200", data, what)
                self.assertNotIn(b"SIP/2.0 401", data, "%s was processed as a request" % what)
            self.assertOthersServed(what)
        self.assertEqual([r for r in self.lab.registrations() if r["aor"] == "sip:alice@" + DOMAIN], [])

    def test_garbage_instead_of_tls_handshake_is_dropped(self):
        s = socket.create_connection((HOST, self.lab.ports["tls"]), timeout=WAIT)
        self.addCleanup(s.close)
        s.sendall(b"REGISTER sip:parley.test SIP/2.0\r\nGARBAGE, not a TLS ClientHello\r\n\r\n" * 4)
        # Meanwhile another TLS client signs in.
        good = self.ua("alice", "tls")
        _, final = good.register(expires=600)
        self.assertStatus(final, 200, "REGISTER over TLS while a garbage connection is open")
        closed, data = read_until_closed(s, WAIT)
        self.assertTrue(closed, "a client sending garbage instead of a TLS handshake was not dropped")
        self.assertNotIn(b"SIP/2.0", data)
        self.assertOthersServed("garbage instead of a TLS handshake")

    def test_garbage_after_tls_handshake_closes_the_connection(self):
        ctx = self.lab.client_tls_context()
        raw = socket.create_connection((HOST, self.lab.ports["tls"]), timeout=WAIT)
        s = ctx.wrap_socket(raw, server_hostname=POOL)
        self.addCleanup(s.close)
        self.assertIn(s.version(), ("TLSv1.2", "TLSv1.3"))
        s.sendall(b"\x00\x01this is not SIP\x7f\r\nContent-Length: lots\r\n\r\n")
        good = self.ua("alice", "tls")
        _, final = good.register(expires=600)
        self.assertStatus(final, 200, "REGISTER over TLS while a broken TLS stream is open")
        closed, data = read_until_closed(s, WAIT)
        self.assertTrue(closed, "a TLS stream that cannot be framed was not closed (got %r)" % data[:200])
        self.assertOthersServed("garbage inside a TLS connection")


class DatagramLimitTest(LabTestCase):
    # The default limit (65535) is above any IPv4 UDP payload (65507), so the limit is
    # lowered to make a 65,000-octet datagram oversize; a 20,000-octet one stays within it.
    lab_config = {"limits": {"max_message_bytes": 32768}}

    def exchange(self, total):
        """Sends a REGISTER datagram of `total` octets; returns the answer or None."""
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.bind((HOST, 0))
            s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 17)
            s.sendto(oversize_register(s.getsockname()[1], "UDP", total), (HOST, self.lab.ports["udp"]))
            s.settimeout(WAIT)
            try:
                return s.recvfrom(65535)[0]
            except socket.timeout:
                return None

    def test_oversize_datagram_is_dropped_and_server_keeps_serving(self):
        small = self.exchange(20000)
        self.assertIsNotNone(small, "a 20,000-octet REGISTER (under the 32768 limit) got no answer")
        self.assertTrue(small.startswith(b"SIP/2.0 401"), small[:200])
        big = self.exchange(65000)
        self.assertIsNone(big, "a 65,000-octet datagram (over the limit) was answered: %r" % (big or b"")[:200])
        self.assertTrue(self.lab.running(), self.lab.log_tail())
        ua = self.ua("bob", "udp")
        _, final = ua.register(expires=600)
        self.assertStatus(final, 200, "REGISTER after an oversize datagram")


if __name__ == "__main__":
    unittest.main()
