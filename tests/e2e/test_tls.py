"""TLS to the Bot API: certificates are verified, and a private CA can be trusted explicitly.
An HTTPS stand-in with a certificate made by the test rejects every token, as Telegram does for
a wrong one, so getting that answer proves the handshake succeeded."""

import os
import shutil
import subprocess
import tempfile
import unittest

from harness import Bot, StandInApi, TOKEN


class TlsTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="tgkeep-tls-")
        self.cert = os.path.join(self.tmp, "cert.pem")
        key = os.path.join(self.tmp, "key.pem")
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
             "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
             "-keyout", key, "-out", self.cert],
            check=True, capture_output=True)
        self.api = StandInApi(
            lambda method: (401, {"ok": False, "error_code": 401, "description": "Unauthorized"}),
            cert=self.cert, key=key)
        self.bots = []

    def tearDown(self):
        for bot in self.bots:
            if bot.proc.poll() is None:
                bot.kill()
        self.api.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def run_bot(self, extra_env=None):
        bot = Bot(self.api.url, os.path.join(self.tmp, "data"),
                  extra_env=extra_env)
        self.bots.append(bot)
        code = bot.wait_exit(30)
        return code, bot.output()

    def test_unverifiable_certificate_stops_with_a_clear_message(self):
        code, out = self.run_bot()
        self.assertEqual(code, 1, out)
        self.assertIn("could not be verified", out)
        self.assertIn("TGKEEP_API_CA_FILE", out)
        self.assertNotIn(TOKEN.split(":")[1], out)

    def test_a_trusted_ca_file_gets_past_the_handshake(self):
        code, out = self.run_bot({"TGKEEP_API_CA_FILE": self.cert})
        self.assertEqual(code, 1, out)  # the TLS server is no Bot API ...
        self.assertNotIn("could not be verified", out)  # ... but the handshake succeeded
        self.assertIn("the bot token was rejected", out)
        self.assertNotIn(TOKEN.split(":")[1], out)


if __name__ == "__main__":
    unittest.main()
