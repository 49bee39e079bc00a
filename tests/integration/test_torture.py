#!/usr/bin/env python3
"""RFC 4475 / RFC 5118 torture messages (external data in PARLEY_SHARED_TESTDATA).

Every invalid request is sent to the running Front End over UDP; each must get a 4xx/5xx
whose reason phrase or Warning names the fault (or nothing, where EXPECTED.tsv says the
message is dropped), and after each one another client must still be able to register.
`parleyctl inspect sip` must agree with the verdicts. Without the shared data every test
here is skipped, saying so."""

import re
import socket
import subprocess
import unittest

from harness import (HOST, PARLEYCTL, TORTURE_DIR, WAIT, LabTestCase, SipMessage, require_binaries,
                     skip_unless_torture_data, torture_expectations)


def setUpModule():
    skip_unless_torture_data()


# What a reason phrase or Warning must mention to name the fault, per message (any of the
# patterns, case-insensitive). Messages not listed must at least not give the bare default
# reason phrase of their status.
FAULT_WORDS = {
    "badinv01.msg": r"via|contact|param|separator",
    "clerr.msg": r"content-length|length|body|truncat|short",
    "ncl.msg": r"content-length|length|negative",
    "scalar02.msg": r"cseq|max-forwards|expires|too large|range|overflow|large",
    "quotbal.msg": r"quot|display|unterminated|\bto\b",
    "ltgtruri.msg": r"request-uri|request uri|\buri\b|request line|request-line|<",
    "lwsruri.msg": r"request-uri|request uri|\buri\b|request line|request-line|space|whitespace",
    "lwsstart.msg": r"request line|request-line|start line|start-line|space|whitespace",
    "trws.msg": r"request line|request-line|start line|start-line|space|whitespace|trailing",
    "escruri.msg": r"request-uri|request uri|\buri\b|header|escap|route",
    "baddate.msg": r"date",
    "regbadct.msg": r"contact",
    "badaspec.msg": r"\buri\b|addr|space|whitespace|\bto\b",
    "baddn.msg": r"display|name|\bfrom\b|\bto\b",
    "badvers.msg": r"version",
    "mismatch01.msg": r"cseq|method",
    "mismatch02.msg": r"cseq|method",
    "rfc5118/ipv6-bad.msg": r"ipv6|ip v6|request-uri|\buri\b|host|address|bracket",
}

DEFAULT_REASONS = {400: "bad request", 505: "version not supported", 416: "unsupported uri scheme",
                   413: "request entity too large", 513: "message too large"}


def with_rport(raw):
    """The message with ';rport' after the sent-by of its first Via, so that the response
    comes back to the sending socket (RFC 3581) rather than to port 5060 of the Via host;
    every octet of the fault under test is kept."""
    m = re.search(rb"(?im)^(?:via|v)[ \t]*:[ \t]*SIP[ \t]*/[ \t]*[^/\s]+[ \t]*/[ \t]*\S+[ \t]+[^;,\s]+", raw)
    if not m:
        return raw
    return raw[:m.end()] + b";rport" + raw[m.end():]


def expectation(row):
    """(status or None, drop allowed, liberal acceptance allowed) from EXPECTED.tsv."""
    handling = row["expected_handling"]
    low = handling.lower()
    m = re.search(r"\b([45]\d\d)\b", handling)
    status = int(m.group(1)) if m else None
    may_drop = "drop" in low or "discard" in low
    liberal = any(w in low for w in ("liberal", "or accepted", "tolerates", "reasonable"))
    return status, may_drop, liberal


class TortureOverUdpTest(LabTestCase):

    def invalid_requests(self):
        rows = [r for r in torture_expectations() if r["verdict"] == "invalid"]
        out = []
        for r in rows:
            raw = (TORTURE_DIR / r["file"]).read_bytes()
            if not raw.startswith(b"SIP/"):
                out.append((r, raw))
        return out

    def test_invalid_requests_are_rejected_naming_the_fault_while_others_register(self):
        cases = self.invalid_requests()
        self.assertGreaterEqual(len(cases), 10, "too few invalid requests in EXPECTED.tsv: %r" % cases)
        outcomes = []
        for row, raw in cases:
            name = row["file"]
            with self.subTest(message=name):
                status, may_drop, liberal = expectation(row)
                resp = self.send_and_wait(with_rport(raw))
                outcomes.append("%s -> %s" % (name, resp.start + (" | Warning: " + resp.warning_text()
                                                                   if resp.get("warning") else "") if resp else "nothing"))
                self.check(name, row, resp, status, may_drop, liberal)
            with self.subTest(message=name, check="another client registers afterwards"):
                self.assertTrue(self.lab.running(), "parley-frontend died after %s:\n%s" % (name, self.lab.log_tail()))
                carol = self.ua("carol", "udp")
                _, final = carol.register(expires=600)
                self.assertStatus(final, 200, "REGISTER of carol right after %s" % name)
                carol.close()
                self.uas.remove(carol)
        print("\n  " + "\n  ".join(outcomes))

    def send_and_wait(self, data):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.bind((HOST, 0))
            s.sendto(data, (HOST, self.lab.ports["udp"]))
            s.settimeout(WAIT)
            while True:
                try:
                    raw, _ = s.recvfrom(65535)
                except socket.timeout:
                    return None
                msg = SipMessage(raw)
                if msg.status is None or msg.status >= 200:
                    return msg

    def check(self, name, row, resp, status, may_drop, liberal):
        what = "%s (%s: %s)" % (name, row["reason (paraphrase of the RFC's description)"][:80],
                                row["expected_handling"])
        if resp is None:
            self.assertTrue(may_drop, "no response within %ss to %s" % (WAIT, what))
            return
        self.assertIsNotNone(resp.status, "not a response to %s: %r" % (what, resp.start))
        self.assertTrue(400 <= resp.status <= 599, "got %s to %s" % (resp.start, what))
        if status is not None and resp.status != status:
            if liberal:
                return  # accepted liberally, as EXPECTED.tsv allows; the answer was still an error
            self.fail("got %r to %s, expected %d" % (resp.start, what, status))
        said = (resp.reason + " " + resp.warning_text()).strip()
        generic = DEFAULT_REASONS.get(resp.status, "")
        pattern = FAULT_WORDS.get(name)
        if pattern:
            self.assertRegex(said.lower(), pattern, "%s: the reason %r / Warning %r does not name the fault" %
                             (what, resp.reason, resp.warning_text()))
        else:
            self.assertNotEqual(said.lower(), generic, "%s: only the generic reason %r" % (what, resp.reason))
        if resp.status == 400:
            # docs/admin-guide.md: "Malformed requests get 400 with a reason naming the fault
            # (also in a Warning header)" -- for clients that show only the Warning.
            with self.subTest(message=name, check="Warning header"):
                warning = resp.warning_text()
                self.assertTrue(warning, "%s: 400 %r without the Warning header the admin guide promises:\n%s" %
                                (name, resp.reason, resp.text()))
                if pattern:
                    self.assertRegex(warning.lower(), pattern, "%s: Warning %r does not name the fault" % (name, warning))


class InspectSipTest(unittest.TestCase):

    def setUp(self):
        require_binaries()

    def inspect(self, path):
        return subprocess.run([str(PARLEYCTL), "inspect", "sip", str(path)], capture_output=True, text=True,
                              timeout=60, stdin=subprocess.DEVNULL)

    def test_valid_message_exits_0(self):
        res = self.inspect(TORTURE_DIR / "wsinv.msg")
        self.assertEqual(res.returncode, 0, "inspect sip wsinv.msg: %r %r" % (res.stdout[-800:], res.stderr))
        self.assertIn("INVITE", res.stdout)

    def test_invalid_message_exits_1_with_the_status(self):
        res = self.inspect(TORTURE_DIR / "badinv01.msg")
        self.assertEqual(res.returncode, 1, "inspect sip badinv01.msg: %r %r" % (res.stdout[-800:], res.stderr))
        self.assertRegex(res.stdout + res.stderr, r"rejected: 400\b")

    def test_every_invalid_request_exits_1(self):
        checked = 0
        for r in torture_expectations():
            path = TORTURE_DIR / r["file"]
            if r["verdict"] != "invalid" or path.read_bytes().startswith(b"SIP/") or expectation(r)[2]:
                continue  # valid, a response, or one EXPECTED.tsv lets a liberal parser accept
            with self.subTest(message=r["file"]):
                res = self.inspect(path)
                self.assertEqual(res.returncode, 1, "%s is invalid (%s) but inspect exits %d: %r" % (
                    r["file"], r["expected_handling"], res.returncode, res.stdout[-300:]))
                self.assertRegex(res.stdout, r"rejected: [45]\d\d ")
                checked += 1
        self.assertGreaterEqual(checked, 10)

if __name__ == "__main__":
    unittest.main()
