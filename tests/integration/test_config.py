#!/usr/bin/env python3
"""A bad frontend.json stops parley-frontend at once with one line on stderr that names the
file, the line and the key (docs/admin-guide.md: exit 2 for a config error, 1 for a
start-up failure such as a missing certificate)."""

import json
import re
import subprocess
import unittest

from harness import FRONTEND, Lab

EXIT_WAIT = 20  # bound for "promptly"


class ConfigErrorTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.lab = Lab()  # a valid store and certificates: only the config is at fault
        cls.lab.pick_ports()

    @classmethod
    def tearDownClass(cls):
        cls.lab.close()

    def base_lines(self):
        """The lab's valid config as JSON text, one key per line."""
        return json.dumps(self.lab.config_dict(), indent=2).splitlines()

    def write(self, name, lines):
        path = self.lab.dir / name
        path.write_text("\n".join(lines) + "\n")
        return path

    def run_frontend(self, path):
        try:
            proc = subprocess.run([str(FRONTEND), "--config", str(path)], capture_output=True, text=True,
                                  timeout=EXIT_WAIT, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired as e:  # run() killed it
            self.fail("parley-frontend with %s did not exit within %ss (stderr so far: %r)" % (
                path.name, EXIT_WAIT, e.stderr))
        return proc

    def assertConfigError(self, proc, path, status, line=None, key=None):
        err = proc.stderr.strip()
        self.assertEqual(proc.returncode, status, "exit status with %s; stderr: %r" % (path.name, err))
        self.assertEqual(len(err.splitlines()), 1, "stderr is not one line: %r" % err)
        self.assertIn(str(path), err, "stderr does not name the file")
        if line is not None:
            lines = line if isinstance(line, (list, tuple)) else [line]
            self.assertTrue(any(re.search(r"(:%d\b|line %d\b)" % (n, n), err) for n in lines),
                            "stderr does not name line %s: %r" % (" or ".join(map(str, lines)), err))
        if key is not None:
            self.assertIn(key, err, "stderr does not name the key %r" % key)
        return err

    def line_of(self, lines, text):
        return next(i for i, l in enumerate(lines, 1) if text in l)

    def test_valid_config_starts(self):
        # The control case: the same file unbroken does start (and is stopped again).
        self.lab.start(same_ports=True)
        try:
            self.assertTrue(self.lab.running())
        finally:
            self.lab.stop()

    def test_syntax_error(self):
        lines = self.base_lines()
        n = self.line_of(lines, '"pool"')
        lines[n - 1] = lines[n - 1].rstrip(",")  # a missing comma after "pool": ...
        path = self.write("syntax.json", lines)
        self.assertConfigError(self.run_frontend(path), path, 2, line=[n, n + 1])

    def test_wrong_type(self):
        lines = self.base_lines()
        n = self.line_of(lines, '"port"')
        lines[n - 1] = re.sub(r'"port": \d+', '"port": "x"', lines[n - 1])
        path = self.write("wrong-type.json", lines)
        self.assertConfigError(self.run_frontend(path), path, 2, line=n, key="port")

    def test_unknown_key(self):
        lines = self.base_lines()
        n = self.line_of(lines, '"log_level"')
        lines[n - 1] = lines[n - 1].replace('"log_level"', '"log_levle"')
        path = self.write("unknown-key.json", lines)
        self.assertConfigError(self.run_frontend(path), path, 2, line=n, key="log_levle")

    def test_missing_certificate_file(self):
        cfg = self.lab.config_dict()
        missing = str(self.lab.dir / "no-such-dir" / "pool.crt")
        cfg["tls"]["certificate"] = missing
        path = self.write("missing-cert.json", json.dumps(cfg, indent=2).splitlines())
        proc = self.run_frontend(path)
        err = proc.stderr.strip()
        # A file the config names but that cannot be read is a config error (exit 2): the
        # message names the config file, the key and the missing file.
        self.assertEqual(proc.returncode, 2, "exit status with a missing certificate; stderr: %r" % err)
        self.assertEqual(len(err.splitlines()), 1, "stderr is not one line: %r" % err)
        self.assertIn(missing, err, "stderr does not name the missing certificate file")
        self.assertIn(str(path), err, "stderr does not name the config file")
        self.assertIn("tls.certificate", err, "stderr does not name the key")


if __name__ == "__main__":
    unittest.main()
