#!/usr/bin/env python3
"""IM sessions as Lync clients hold them: an INVITE dialog with an m=message SDP, then
MESSAGE requests inside the dialog, both ways, through the Front End's Record-Route."""

import unittest

from harness import DOMAIN, Dialog, LabTestCase, tag_of, uri_of

IM_SDP = ("v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=session\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
          "m=message 5060 sip null\r\na=accept-types:text/plain\r\n")


class ImSessionTest(LabTestCase):

    def test_messages_flow_both_ways_inside_an_im_dialog(self):
        bob = self.ua("bob", "tls")
        self.assertStatus(bob.register(expires=600)[1], 200, "REGISTER bob over TLS")
        alice = self.ua("alice", "udp")
        self.assertStatus(alice.register(expires=600)[1], 200, "REGISTER alice")

        ct = alice.call("sip:bob@" + DOMAIN, body=IM_SDP)
        invite = bob.wait_request("INVITE")
        self.assertIn(b"m=message", invite.body)
        bob_tag = bob.answer(invite)
        ok = ct.wait_final()
        self.assertStatus(ok, 200, "IM session INVITE")
        dialog = Dialog(alice, ct.req, ok)
        dialog.ack()
        bob.wait_request("ACK", call_id=dialog.call_id)

        # alice -> bob inside the dialog.
        host, port, _ = dialog.first_hop()
        msg = dialog.request("MESSAGE", body=b"hello bob", content_type="text/plain")
        txn = alice.start(msg, dest=(host, port))
        got = bob.wait_request("MESSAGE", call_id=dialog.call_id)
        self.assertEqual(got.body, b"hello bob")
        bob.respond(got, 200)
        self.assertStatus(txn.wait_final(), 200, "in-dialog MESSAGE alice -> bob")

        # bob -> alice: bob's route set is the Record-Route of the INVITE he received.
        routes = invite.values("record-route")
        self.assertTrue(routes, "the IM session INVITE carried no Record-Route")
        back = bob.request("MESSAGE", uri_of(invite.values("contact")[0]), to=alice.aor,
                           to_tag=tag_of(invite.get("from")), call_id=dialog.call_id, from_tag=bob_tag,
                           routes=routes, body=b"hi alice", content_type="text/plain")
        bob.start(back)
        got = alice.wait_request("MESSAGE", call_id=dialog.call_id)
        self.assertEqual(got.body, b"hi alice")


if __name__ == "__main__":
    unittest.main()
