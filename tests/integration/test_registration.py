#!/usr/bin/env python3
"""Signing in: digest-authenticated REGISTER over UDP and TLS, un-REGISTER, and the ways
authentication must fail (wrong password, replayed nonce count, forged nonce)."""

import re
import unittest

from harness import DOMAIN, LabTestCase, challenges, credentials, parse_sip_uri, uri_of


def contacts_with_expires(resp):
    """{contact URI: expires} of a REGISTER response's Contact values."""
    out = {}
    for c in resp.values("contact"):
        m = re.search(r";\s*expires\s*=\s*(\d+)", c[c.rfind(">") + 1:] if ">" in c else c, re.I)
        out[uri_of(c)] = int(m.group(1)) if m else None
    return out


def same_uri(a, b):
    pa, pb = parse_sip_uri(a), parse_sip_uri(b)
    return (pa[0], pa[1], pa[2].lower(), pa[3], pa[4].get("transport", "udp").lower()) == \
        (pb[0], pb[1], pb[2].lower(), pb[3], pb[4].get("transport", "udp").lower())


class RegistrationTest(LabTestCase):

    def assertRegistered(self, ua, resp, requested):
        self.assertStatus(resp, 200, "authenticated REGISTER of %s over %s" % (ua.user, ua.transport))
        bound = contacts_with_expires(resp)
        mine = [c for c in bound if same_uri(c, ua.contact_uri)]
        self.assertTrue(mine, "200 OK does not list our contact %s: %r" % (ua.contact_uri, bound))
        expires = bound[mine[0]]
        self.assertIsNotNone(expires, "our contact in the 200 OK has no expires parameter")
        self.assertTrue(0 < expires <= requested, "expires=%s for a requested %s" % (expires, requested))
        rows = [r for r in self.lab.registrations() if r["aor"] == ua.aor]
        self.assertTrue(any(same_uri(r["contact"], ua.contact_uri) for r in rows),
                        "`parleyctl registrations` does not list %s at %s: %r" % (ua.aor, ua.contact_uri, rows))
        return rows

    def assertChallenge(self, resp, what):
        self.assertStatus(resp, 401, what)
        chs = challenges(resp, "WWW-Authenticate")
        algs = {c.get("algorithm", "MD5").upper() for c in chs}
        self.assertEqual(algs, {"SHA-256", "MD5"}, "challenges offered: %r" % chs)
        for c in chs:
            self.assertEqual(c.get("realm"), DOMAIN, "realm of %r" % c)
            self.assertIn("auth", [q.strip() for q in c.get("qop", "").split(",")], "qop of %r" % c)
            self.assertTrue(c.get("nonce"), "nonce of %r" % c)

    def test_register_udp_sha256(self):
        ua = self.ua("alice", "udp")
        first, final = ua.register(expires=600, algorithm="SHA-256")
        self.assertChallenge(first, "unauthenticated REGISTER over UDP")
        rows = self.assertRegistered(ua, final, 600)
        self.assertTrue(any(r["transport"].lower() == "udp" for r in rows), rows)

    def test_register_udp_md5(self):
        ua = self.ua("bob", "udp")
        first, final = ua.register(expires=600, algorithm="MD5")
        self.assertChallenge(first, "unauthenticated REGISTER over UDP")
        self.assertRegistered(ua, final, 600)

    def test_register_tls_sha256_and_md5(self):
        alice = self.ua("alice", "tls")
        first, final = alice.register(expires=900, algorithm="SHA-256")
        self.assertChallenge(first, "unauthenticated REGISTER over TLS")
        rows = self.assertRegistered(alice, final, 900)
        self.assertTrue(any(r["transport"].lower() == "tls" for r in rows), rows)
        bob = self.ua("bob", "tls")
        first, final = bob.register(expires=900, algorithm="MD5")
        self.assertChallenge(first, "unauthenticated REGISTER over TLS")
        self.assertRegistered(bob, final, 900)

    def test_unregister_removes_the_contact(self):
        ua = self.ua("alice", "udp")
        _, final = ua.register(expires=600)
        self.assertRegistered(ua, final, 600)
        _, final = ua.unregister()
        self.assertStatus(final, 200, "un-REGISTER (Expires: 0)")
        self.assertFalse(any(same_uri(c, ua.contact_uri) for c in contacts_with_expires(final)),
                         "the 200 OK to Expires: 0 still lists the contact:\n" + final.text())
        self.assertEqual([r for r in self.lab.registrations() if r["aor"] == ua.aor], [],
                         "alice still listed after un-REGISTER")

    def test_unregister_star_removes_every_contact(self):
        a = self.ua("bob", "udp")
        b = self.ua("bob", "tls")
        for ua in (a, b):
            _, final = ua.register(expires=600)
            self.assertStatus(final, 200, "REGISTER of bob over " + ua.transport)
        self.assertEqual(len([r for r in self.lab.registrations() if r["aor"] == a.aor]), 2)
        _, final = a.register(expires=0, contact="*")
        self.assertStatus(final, 200, "REGISTER Contact: * Expires: 0")
        self.assertEqual(contacts_with_expires(final), {}, final.text())
        self.assertEqual([r for r in self.lab.registrations() if r["aor"] == a.aor], [])

    # -- failures ------------------------------------------------------------------------

    def test_wrong_password_never_registers(self):
        for alg in ("SHA-256", "MD5"):
            for transport in ("udp", "tls"):
                ua = self.ua("alice", transport, password="not-alices-password")
                first, final = ua.register(expires=600, algorithm=alg)
                self.assertStatus(first, 401, "unauthenticated REGISTER")
                self.assertStatus(final, 401, "REGISTER with a wrong password (%s, %s)" % (alg, transport))
                self.assertTrue(challenges(final, "WWW-Authenticate"), "401 without a new challenge")
        self.assertEqual(self.lab.registrations(), [], "a wrong password registered someone")

    def test_unknown_user_never_registers(self):
        ua = self.ua("mallory", "udp", password="whatever")
        first, final = ua.register(expires=600)
        self.assertStatus(final, 401, "REGISTER of a user who does not exist")
        self.assertEqual(self.lab.registrations(), [])

    def test_replayed_nonce_count_is_refused(self):
        ua = self.ua("alice", "udp")
        req = ua.register_request(expires=600)
        first = ua.transact(req)
        self.assertStatus(first, 401, "unauthenticated REGISTER")
        authed = ua.authorize(req, first)
        ok = ua.transact(authed)
        self.assertStatus(ok, 200, "REGISTER with credentials (nc=1)")
        # The very same Authorization (same nonce, nc, cnonce, response) in a new transaction.
        replay = authed.copy()
        replay.set("Via", ua.via("z9hG4bK" + "replay" + str(ua.next_cseq())))
        replay.set("CSeq", "%d REGISTER" % ua.cseq)
        replay.set("Contact", "<sip:alice@127.0.0.1:%d>" % (ua.local_port + 1))
        resp = ua.transact(replay)
        self.assertStatus(resp, 401, "REGISTER replaying nonce count 00000001")
        self.assertFalse(any(r["contact"].endswith(":%d" % (ua.local_port + 1)) for r in self.lab.registrations()),
                         "the replayed REGISTER added its contact")
        # The same credentials with the next nonce count still work (not a stale lock-out).
        again = ua.authorize(req, first)
        self.assertStatus(ua.transact(again), 200, "REGISTER with nc=2 on the same nonce")

    def test_forged_nonce_is_refused(self):
        ua = self.ua("bob", "udp")
        req = ua.register_request(expires=600)
        first = ua.transact(req)
        self.assertStatus(first, 401, "unauthenticated REGISTER")
        ch = [c for c in challenges(first, "WWW-Authenticate") if c.get("algorithm", "").upper() == "SHA-256"][0]
        nonce = ch["nonce"]
        flip = {c: d for c, d in zip("0123456789abcdefABCDEF", "1234567890bcdefaBCDEFA")}

        def forged(n, positions):
            chars = list(n)
            for p in positions:
                chars[p] = flip.get(chars[p], "x" if chars[p] != "x" else "y")
            return "".join(chars)

        # A changed character at the start, in the middle and at the end; a truncated one.
        variants = [forged(nonce, [0]), forged(nonce, [len(nonce) // 2]), forged(nonce, [len(nonce) - 1]),
                    nonce[:-2]]
        for i, bad in enumerate(variants):
            self.assertNotEqual(bad, nonce)
            r = req.copy()
            r.set("Via", ua.via("z9hG4bKforged%d%s" % (i, ua.tag)))
            r.set("CSeq", "%d REGISTER" % ua.next_cseq())
            r.set("Authorization", credentials(ch, "REGISTER", req.uri, ua.user, ua.password, 1, nonce=bad))
            resp = ua.transact(r)
            self.assertStatus(resp, 401, "REGISTER with forged nonce %r (from %r)" % (bad, nonce))
        self.assertEqual(self.lab.registrations(), [], "a forged nonce registered bob")
        # The genuine nonce with the right password still works: the refusals were the nonce's.
        self.assertStatus(ua.transact(ua.authorize(req, first)), 200, "REGISTER with the genuine nonce")

    def test_interval_too_brief(self):
        ua = self.ua("carol", "udp")
        first, final = ua.register(expires=10)
        self.assertStatus(final, 423, "REGISTER with Expires: 10 (min_expires 60)")
        self.assertEqual(final.get("min-expires"), "60", final.text())
        self.assertEqual(self.lab.registrations(), [])


if __name__ == "__main__":
    unittest.main()
