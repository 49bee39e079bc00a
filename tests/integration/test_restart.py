#!/usr/bin/env python3
"""Registrations survive `kill -9` of the Front End (they are written through to the store)."""

import unittest

from harness import DOMAIN, Dialog, LabTestCase


class RestartTest(LabTestCase):

    def test_call_reaches_bob_after_kill_9_without_reregistering(self):
        bob = self.ua("bob", "udp")
        _, final = bob.register(expires=600)
        self.assertStatus(final, 200, "REGISTER of bob")
        self.assertEqual(len(self.lab.registrations(user="sip:bob@" + DOMAIN)), 1)

        self.lab.kill9()
        self.lab.start(same_ports=True)

        self.assertEqual(len(self.lab.registrations(user="sip:bob@" + DOMAIN)), 1,
                         "bob's registration is gone from the store after the restart")
        alice = self.ua("alice", "udp")
        _, final = alice.register(expires=600)
        self.assertStatus(final, 200, "REGISTER of alice after the restart")
        ct = alice.call("sip:bob@" + DOMAIN)
        invite = bob.wait_request("INVITE")  # on bob's old socket: he never registered again
        bob.answer(invite)
        ok = ct.wait_final()
        self.assertStatus(ok, 200, "INVITE alice -> bob after the restart")
        dialog = Dialog(alice, ct.req, ok)
        host, port, _ = dialog.first_hop()
        ack = dialog.ack()
        bob.wait_request("ACK", call_id=ack.get("call-id"))
        bye_txn = alice.start(dialog.request("BYE"), dest=(host, port))
        bye = bob.wait_request("BYE", call_id=ack.get("call-id"))
        bob.respond(bye, 200)
        self.assertStatus(bye_txn.wait_final(), 200, "BYE after the restart")


if __name__ == "__main__":
    unittest.main()
