"""How `tgkeep run` meets a Bot API that refuses, fails or limits it."""

import time
import unittest

from harness import E2ETest, TOKEN, Bot, FakeApi, StandInApi, wait_until

SECRET_PART = TOKEN.split(":", 1)[1]


class ErrorsTest(E2ETest):
    def assert_secret_not_in(self, text):
        self.assertNotIn(SECRET_PART, text)

    def test_no_token_explains_how_to_get_one(self):
        bot = self.start_bot(token=None)
        self.assertEqual(bot.wait_exit(10), 2)
        out = bot.output()
        self.assertIn("@BotFather", out)
        self.assertIn("TELEGRAM_BOT_TOKEN", out)
        self.assertIn("TELEGRAM_API_URL", out)

    def test_rejected_token_stops_with_a_clear_masked_message(self):
        pinned = FakeApi(["--token", "999:ZZZ-the-only-token-this-server-accepts-00"])
        try:
            bot = Bot(pinned.url, self.data_dir)
            self.bots.append(bot)
            self.assertEqual(bot.wait_exit(20), 1)
            out = bot.output()
            self.assertIn("the bot token was rejected", out)
            self.assertIn("123456:****", out)
            self.assert_secret_not_in(out)
        finally:
            pinned.stop()

    def test_webhook_conflict_explains_and_delete_webhook_fixes_it(self):
        self.assertTrue(self.api.bot("setWebhook", {"url": "https://example.invalid/hook"})["ok"])
        bot = self.start_bot()
        self.assertEqual(bot.wait_exit(20), 1)
        out = bot.output()
        self.assertIn("webhook", out)
        self.assertIn("--delete-webhook", out)
        self.assert_secret_not_in(out)

        fixed = self.start_bot(args=["--delete-webhook"])
        ids = self.api.messages([{"chat_id": 3, "user_id": 3, "text": "hello"}])
        self.wait_confirmed(ids["last"])
        self.assertEqual(fixed.terminate(), 0)

    def test_429_waits_retry_after_and_5xx_retries(self):
        self.api.fault(method="getUpdates", status=429, retry_after=1, count=1)
        self.api.fault(method="sendMessage", status=502, count=2)
        bot = self.start_bot()
        ids = self.api.messages([{"chat_id": 4, "user_id": 4, "text": "through the storm"}])
        self.wait_confirmed(ids["last"], timeout=30)
        wait_until(lambda: self.api.sent(4), 30, what="the reply after 502s")
        self.assertEqual(self.api.sent(4)[0]["text"], "through the storm")
        self.assertEqual(bot.terminate(), 0)
        out = bot.output()
        self.assertIn("rate limited", out)
        self.assert_secret_not_in(out)

    def test_unreachable_api_backs_off_without_busy_looping(self):
        self.api.stop()  # nothing listens on this port any more
        bot = self.start_bot()
        wait_until(lambda: "failing" in bot.output(), 10, what="the failure is reported")
        import time
        time.sleep(3)
        self.assertEqual(bot.terminate(), 0)
        out = bot.output()
        # One line per change of state, not one per attempt.
        self.assertLessEqual(out.count("failing"), 1)
        self.assert_secret_not_in(out)

    def test_a_server_that_ignores_the_poll_timeout_does_not_make_polling_spin(self):
        def respond(method):
            if method == "getMe":
                return 200, {"ok": True, "result": {"id": 1, "is_bot": True, "first_name": "B",
                                                    "username": "b"}}
            return 200, {"ok": True, "result": []}  # at once, whatever the timeout

        impatient = StandInApi(respond)
        try:
            bot = Bot(impatient.url, self.data_dir, extra_env={"TGKEEP_POLL_TIMEOUT": "25"})
            self.bots.append(bot)
            time.sleep(3)
            self.assertEqual(bot.terminate(), 0)
        finally:
            impatient.stop()
        self.assertLess(impatient.calls["getUpdates"], 40)
        self.assertIn("answers getUpdates at once", bot.output())

    def test_sigterm_finishes_in_flight_work_and_exits_0(self):
        self.api.fault(method="sendMessage", stall_ms=300, count=100)
        bot = self.start_bot()
        ids = self.api.messages([{"chat_id": 100 + i, "user_id": 100 + i, "text": f"m{i}"}
                                 for i in range(5)])
        self.wait_stored(5)
        self.assertEqual(bot.terminate(), 0)
        self.assertEqual(len(self.api.sent()), 5)
        self.assertEqual(self.scalar(
            "SELECT COUNT(*) FROM messages WHERE role='assistant' AND status='sent'"), 5)
        self.assertIn("stopped", bot.output())
        del ids


if __name__ == "__main__":
    unittest.main()
