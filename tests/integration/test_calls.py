#!/usr/bin/env python3
"""Calls and messages through the Front End's proxy between Python user agents."""

import socket
import unittest

from harness import DOMAIN, HOST, Dialog, LabTestCase, parse_sip_uri, uri_of


class CallTest(LabTestCase):

    def registered(self, user, transport="udp", **kw):
        ua = self.ua(user, transport, **kw)
        _, final = ua.register(expires=600)
        self.assertStatus(final, 200, "REGISTER of %s over %s" % (user, transport))
        return ua

    def complete_call(self, alice, bob, ct, invite_at_bob):
        """bob answers; alice gets 180 and 200, ACKs via the Record-Route, and hangs up."""
        _, user, host, port, _ = parse_sip_uri(invite_at_bob.uri)
        self.assertEqual((user, host, port), (bob.user, HOST, bob.contact_port),
                         "INVITE at bob has Request-URI %s, not his contact" % invite_at_bob.uri)
        self.assertTrue(invite_at_bob.body, "INVITE arrived without its SDP body")
        self.assertIsNone(invite_at_bob.get("proxy-authorization"), "alice's credentials were forwarded to bob")
        bob.answer(invite_at_bob)
        ringing = ct.wait(lambda r: r.status == 180)
        self.assertEqual(ringing.call_id, ct.req.get("call-id"))
        ok = ct.wait_final()
        self.assertStatus(ok, 200, "INVITE alice -> bob")
        self.assertTrue(ok.body.startswith(b"v=0"), "200 OK lost bob's SDP:\n" + ok.text())
        dialog = Dialog(alice, ct.req, ok)
        self.assertTrue(dialog.route_set, "200 OK has no Record-Route: the proxy would drop out of the dialog")
        host, port, transport = dialog.first_hop()
        self.assertEqual((host, port), (HOST, self.lab.ports[alice.transport]),
                         "the Record-Route entry facing alice is %s; expected the %s listener" %
                         (dialog.route_set[0], alice.transport))
        ack = dialog.ack()
        got = bob.wait_request("ACK", call_id=ack.get("call-id"))
        self.assertEqual(got.cseq, (ct.req.cseq_number, "ACK"))
        bye_txn = alice.start(dialog.request("BYE"), dest=(host, port))
        bye = bob.wait_request("BYE", call_id=ack.get("call-id"))
        bob.respond(bye, 200)
        self.assertStatus(bye_txn.wait_final(), 200, "BYE alice -> bob")
        return dialog

    def test_call_between_two_udp_users(self):
        bob = self.registered("bob", "udp")
        alice = self.registered("alice", "udp")
        ct = alice.call("sip:bob@" + DOMAIN)
        invite = bob.wait_request("INVITE")
        self.complete_call(alice, bob, ct, invite)

    def test_call_reaches_tls_user_on_the_connection_it_registered_on(self):
        # bob's contact names a port where a listener of ours waits: if the Front End opened
        # a new connection to the contact instead of using bob's TLS connection, it would
        # land there.
        trap = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.addCleanup(trap.close)
        trap.bind((HOST, 0))
        trap.listen(4)
        trap.setblocking(False)
        bob = self.registered("bob", "tls", contact_port=trap.getsockname()[1])
        alice = self.registered("alice", "udp")
        ct = alice.call("sip:bob@" + DOMAIN)
        invite = bob.wait_request("INVITE")  # read from bob's registered TLS connection
        self.assertEqual(invite.transport, "tls")
        top_via = invite.values("via")[0]
        self.assertTrue(top_via.upper().startswith("SIP/2.0/TLS"), "proxy Via towards bob: " + top_via)
        self.complete_call(alice, bob, ct, invite)
        try:
            conn, addr = trap.accept()
            conn.close()
            self.fail("the Front End opened a new connection to bob's contact (from %s)" % (addr,))
        except BlockingIOError:
            pass

    def test_call_from_tls_to_udp_is_double_record_routed(self):
        bob = self.registered("bob", "udp")
        alice = self.registered("alice", "tls")
        ct = alice.call("sip:bob@" + DOMAIN)
        invite = bob.wait_request("INVITE")
        rr = invite.values("record-route")
        self.assertEqual(len(rr), 2, "Record-Route across TLS and UDP: %r" % rr)
        self.complete_call(alice, bob, ct, invite)

    def test_message_is_delivered_with_its_body(self):
        bob = self.registered("bob", "udp")
        alice = self.registered("alice", "tls")
        text = "Hello Bob, this is Alice. \u00e9\u00e8 \u2713".encode()
        req = alice.request("MESSAGE", "sip:bob@" + DOMAIN, body=text, content_type="text/plain;charset=utf-8",
                            contact=False)
        ct, first = alice.send_authenticated(req)
        self.assertStatus(first, 407, "MESSAGE without credentials")
        got = bob.wait_request("MESSAGE")
        self.assertEqual(got.body, text)
        self.assertEqual(got.get("content-type"), "text/plain;charset=utf-8")
        self.assertEqual(uri_of(got.get("from")), alice.aor)
        bob.respond(got, 200, to_tag="m1")
        self.assertStatus(ct.wait_final(), 200, "MESSAGE alice -> bob")

    def test_unknown_user_gets_404(self):
        alice = self.registered("alice", "udp")
        ct = alice.call("sip:nobody@" + DOMAIN)
        self.assertStatus(ct.wait_final(), 404, "INVITE to sip:nobody@" + DOMAIN)
        req = alice.request("MESSAGE", "sip:nobody@" + DOMAIN, body=b"hi", content_type="text/plain", contact=False)
        ct, _ = alice.send_authenticated(req)
        self.assertStatus(ct.wait_final(), 404, "MESSAGE to sip:nobody@" + DOMAIN)

    def test_offline_user_gets_480(self):
        alice = self.registered("alice", "udp")
        ct = alice.call("sip:carol@" + DOMAIN)
        self.assertStatus(ct.wait_final(), 480, "INVITE to carol, who exists but is not registered")

    def test_user_on_two_devices_both_ring_other_is_cancelled(self):
        desk = self.registered("bob", "udp")
        mobile = self.registered("bob", "tcp")
        self.assertEqual(len(self.lab.registrations(user="sip:bob@" + DOMAIN)), 2)
        alice = self.registered("alice", "udp")
        ct = alice.call("sip:bob@" + DOMAIN)
        inv_desk = desk.wait_request("INVITE")
        inv_mobile = mobile.wait_request("INVITE")
        self.assertEqual(inv_desk.call_id, inv_mobile.call_id)
        self.assertEqual(parse_sip_uri(uri_of(inv_mobile.uri))[3], mobile.contact_port)
        mobile_tag = "mob1"
        mobile.respond(inv_mobile, 180, to_tag=mobile_tag, contact=True)
        # The desk phone answers.
        self.complete_call_forked(alice, desk, ct, inv_desk)
        cancel = mobile.wait_request("CANCEL", call_id=inv_mobile.call_id)
        self.assertEqual(cancel.cseq[0], inv_mobile.cseq[0])
        self.assertEqual(cancel.branch, inv_mobile.branch, "CANCEL must match the INVITE's branch")
        mobile.respond(cancel, 200)
        mobile.respond(inv_mobile, 487, to_tag=mobile_tag)
        ack = mobile.wait_request("ACK", call_id=inv_mobile.call_id)
        self.assertEqual(ack.cseq, (inv_mobile.cseq[0], "ACK"))

    def complete_call_forked(self, alice, desk, ct, inv_desk):
        desk.answer(inv_desk)
        ok = ct.wait_final()
        self.assertStatus(ok, 200, "forked INVITE answered by the desk phone")
        self.assertEqual(parse_sip_uri(uri_of(ok.values("contact")[0]))[3], desk.contact_port,
                         "the 200 OK alice got is not the desk phone's")
        dialog = Dialog(alice, ct.req, ok)
        host, port, _ = dialog.first_hop()
        ack = dialog.ack()
        desk.wait_request("ACK", call_id=ack.get("call-id"))
        bye_txn = alice.start(dialog.request("BYE"), dest=(host, port))
        bye = desk.wait_request("BYE", call_id=ack.get("call-id"))
        desk.respond(bye, 200)
        self.assertStatus(bye_txn.wait_final(), 200, "BYE after the forked call")

    def test_caller_cancels_before_answer(self):
        bob = self.registered("bob", "udp")
        alice = self.registered("alice", "udp")
        ct = alice.call("sip:bob@" + DOMAIN)
        invite = bob.wait_request("INVITE")
        bob.respond(invite, 180, to_tag="b1", contact=True)
        ct.wait(lambda r: r.status == 180)
        cancel = alice.request("CANCEL", ct.req.uri, to=uri_of(ct.req.get("to")), call_id=ct.req.get("call-id"),
                               cseq=ct.req.cseq_number, contact=False)
        cancel.set("Via", ct.req.get("via"))
        self.assertStatus(alice.transact(cancel), 200, "CANCEL")
        got = bob.wait_request("CANCEL", call_id=invite.call_id)
        bob.respond(got, 200)
        bob.respond(invite, 487, to_tag="b1")
        self.assertStatus(ct.wait_final(), 487, "INVITE cancelled by alice")


if __name__ == "__main__":
    unittest.main()
