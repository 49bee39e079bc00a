#!/usr/bin/env python3
"""Requests to another domain leave through RFC 3263 resolution of that domain's server."""

import unittest

from harness import DOMAIN, LabTestCase


class DnsRoutingTest(LabTestCase):
    # partner.test is a static name in the Front End's config, as for a partner without DNS.
    lab_config = {"dns": {"hosts": {"partner.test": ["127.0.0.1"]}}}

    def test_call_to_another_domain_reaches_its_server(self):
        alice = self.ua("alice", "udp")
        _, final = alice.register(expires=600)
        self.assertStatus(final, 200, "REGISTER alice")
        # The partner's server: a UA socket that never registered with us.
        partner = self.ua("dave", "udp", password="")
        ct = alice.call("sip:dave@partner.test:%d" % partner.local_port)
        invite = partner.wait_request("INVITE")
        self.assertEqual(invite.uri, "sip:dave@partner.test:%d" % partner.local_port)
        self.assertIsNone(invite.get("proxy-authorization"), "alice's credentials leaked to the partner")
        partner.answer(invite)
        self.assertStatus(ct.wait_final(), 200, "INVITE alice -> dave@partner.test")

    def test_unknown_domain_gets_503_naming_it(self):
        alice = self.ua("alice", "udp")
        _, final = alice.register(expires=600)
        self.assertStatus(final, 200, "REGISTER alice")
        ct = alice.call("sip:dave@no-such-domain.invalid")
        final = ct.wait_final()
        self.assertStatus(final, 503, "INVITE to an unresolvable domain")
        self.assertIn("no-such-domain.invalid", final.text())


if __name__ == "__main__":
    unittest.main()
