#!/usr/bin/env python3
"""parleyctl as an administrator uses it: argument errors, duplicate users, disabling a
user against a running Front End, inspecting an SDP description."""

import re
import unittest

from harness import DOMAIN, LabTestCase, make_sdp, run_ctl


class ParleyctlTest(LabTestCase):
    start_daemon = False  # started by the tests that sign in

    def assertOneLineFailure(self, res, *words):
        self.assertNotEqual(res.returncode, 0, repr(res))
        err = res.stderr.strip()
        self.assertEqual(len(err.splitlines()), 1, "stderr is not one line: %r" % res)
        for w in words:
            self.assertIn(w, err, "stderr does not name %r: %r" % (w, err))
        return err

    def test_unknown_subcommand(self):
        res = self.lab.ctl("frobnicate", check=False)
        self.assertOneLineFailure(res, "frobnicate")

    def test_unknown_user_subcommand(self):
        res = self.lab.ctl("user", "frobnicate", "alice@" + DOMAIN, check=False)
        self.assertOneLineFailure(res, "frobnicate")

    def test_missing_required_option(self):
        res = run_ctl("topology", "init", "--pool", "fe.example.test", store=self.lab.dir / "new.db", check=False)
        self.assertOneLineFailure(res, "--domain")
        self.assertFalse((self.lab.dir / "new.db").exists(), "a store was created despite the error")

    def test_missing_required_argument(self):
        res = self.lab.ctl("user", "set-password", "alice@" + DOMAIN, check=False)
        self.assertOneLineFailure(res, "--password")

    def test_add_existing_user_fails_clearly(self):
        before = self.lab.ctl("user", "show", "alice@" + DOMAIN).stdout
        res = self.lab.ctl("user", "add", "alice@" + DOMAIN, "--name", "Other Alice", "--password", "x",
                           check=False)
        err = self.assertOneLineFailure(res, "alice@" + DOMAIN)
        self.assertRegex(err.lower(), r"exist|already|duplicate", err)
        self.assertEqual(self.lab.ctl("user", "show", "alice@" + DOMAIN).stdout, before,
                         "the failed add changed the existing user")
        # The old password still signs alice in.
        self.lab.start()
        _, final = self.ua("alice", "udp").register(expires=600)
        self.assertStatus(final, 200, "alice with her original password after the failed add")

    def test_command_on_missing_store_fails_without_creating_it(self):
        missing = self.lab.dir / "typo.db"
        res = run_ctl("user", "list", store=missing, check=False)
        self.assertOneLineFailure(res, str(missing))
        self.assertFalse(missing.exists())

    def test_user_disable_stops_registration_and_calls(self):
        self.lab.start()
        bob = self.ua("bob", "udp")
        _, final = bob.register(expires=600)
        self.assertStatus(final, 200, "REGISTER of bob before disable")
        self.lab.ctl("user", "disable", "bob@" + DOMAIN)
        self.assertEqual(self.lab.registrations(user="sip:bob@" + DOMAIN), [],
                         "`user disable` left bob's registrations")
        _, final = bob.register(expires=600)
        self.assertNotEqual(final.status, 200, "a disabled user registered:\n" + final.text())
        self.assertIn(final.status, (401, 403), final.start)
        self.assertEqual(self.lab.registrations(user="sip:bob@" + DOMAIN), [])
        # Nobody reaches him any more either.
        alice = self.ua("alice", "udp")
        _, final = alice.register(expires=600)
        self.assertStatus(final, 200, "REGISTER of alice")
        ct = alice.call("sip:bob@" + DOMAIN)
        resp = ct.wait_final()
        self.assertIn(resp.status, (404, 480), "INVITE to disabled bob: " + resp.start)
        self.assertFalse([m for m in bob.drain(0.5) if m.method == "INVITE"], "the disabled user's phone rang")
        # enable lets him back in
        self.lab.ctl("user", "enable", "bob@" + DOMAIN)
        _, final = bob.register(expires=600)
        self.assertStatus(final, 200, "REGISTER of bob after enable")

    def test_new_password_takes_effect_on_a_running_daemon(self):
        self.lab.start()
        bob = self.ua("bob", "udp")
        self.assertStatus(bob.register(expires=600)[1], 200, "REGISTER of bob with his password")
        self.lab.ctl("user", "set-password", "bob@" + DOMAIN, "--password", "a-new-secret")
        # The daemon caches users; the store change must reach it before the next REGISTER.
        _, final = bob.register(expires=600)
        self.assertEqual(final.status, 401, "the old password still works:\n" + final.text())
        fresh = self.ua("bob", "udp", password="a-new-secret")
        self.assertStatus(fresh.register(expires=600)[1], 200, "REGISTER of bob with the new password")

    def test_user_import_adds_many_users_or_none(self):
        good = self.lab.dir / "users.csv"
        good.write_text("# uri,name,line,password\n" + "".join(
            "u%d@%s,User %d,tel:+1555020%04d,pw-%d\n" % (i, DOMAIN, i, i, i) for i in range(300)))
        res = run_ctl("user", "import", str(good), store=self.lab.store)
        self.assertIn("added 300 users", res.stdout)
        listed = run_ctl("user", "list", store=self.lab.store).stdout
        self.assertIn("sip:u299@" + DOMAIN, listed)
        # A bad line names the file and line, and nothing of that file is added.
        bad = self.lab.dir / "bad.csv"
        bad.write_text("v1@%s,V1,,pw\nv2@%s,V2,not-a-tel-uri,pw\n" % (DOMAIN, DOMAIN))
        res = run_ctl("user", "import", str(bad), store=self.lab.store, check=False)
        self.assertOneLineFailure(res, "%s:2" % bad)
        self.assertNotIn("sip:v1@" + DOMAIN, run_ctl("user", "list", store=self.lab.store).stdout)
        # Imported users sign in.
        self.lab.start()
        ua = self.ua("u7", "udp", password="pw-7")
        self.assertStatus(ua.register(expires=600)[1], 200, "REGISTER of an imported user")

    def test_inspect_sdp_valid_and_invalid(self):
        good = self.lab.dir / "offer.sdp"
        good.write_bytes(make_sdp("alice", 49170))
        res = self.lab.ctl("inspect", "sdp", good, check=False)
        self.assertEqual(res.returncode, 0, repr(res))
        self.assertIn("49170", res.stdout)
        bad = self.lab.dir / "broken.sdp"
        bad.write_bytes(b"v=0\r\nthis is not sdp\r\n")
        res = self.lab.ctl("inspect", "sdp", bad, check=False)
        self.assertEqual(res.returncode, 1, repr(res))
        self.assertRegex(res.stdout, r"rejected: ")
        res = self.lab.ctl("inspect", "sdp", self.lab.dir / "absent.sdp", check=False)
        self.assertOneLineFailure(res, "absent.sdp")


if __name__ == "__main__":
    unittest.main()
