"""`tgkeep sandbox` speaks the Bot API wire format: every method it serves, its envelope and
errors, offset semantics, long polling, the webhook conflict, injected faults."""

import json
import threading
import time
import unittest
import urllib.parse
import urllib.request

from harness import E2ETest, FakeApi, TOKEN


class SandboxApiTest(E2ETest):
    def form(self, method, params):
        data = urllib.parse.urlencode(params).encode()
        req = urllib.request.Request(f"{self.api.url}/bot{TOKEN}/{method}", data=data,
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
        with urllib.request.urlopen(req, timeout=10) as resp:
            return json.loads(resp.read())

    def test_get_me(self):
        me = self.api.bot("getMe")
        self.assertTrue(me["ok"])
        self.assertTrue(me["result"]["is_bot"])
        self.assertEqual(me["result"]["id"], int(TOKEN.split(":")[0]))

    def test_get_updates_offset_limit_and_redelivery(self):
        ids = self.api.messages([{"chat_id": 1, "user_id": 1, "text": f"m{i}"} for i in range(5)])
        first = self.api.bot("getUpdates", {"limit": 2, "timeout": 0})["result"]
        self.assertEqual([u["update_id"] for u in first], [ids["first"], ids["first"] + 1])
        # Unconfirmed updates are served again (a bot that restarts gets them back).
        again = self.api.bot("getUpdates", {"timeout": 0})["result"]
        self.assertEqual(len(again), 5)
        rest = self.api.bot("getUpdates", {"offset": ids["first"] + 2, "timeout": 0})["result"]
        self.assertEqual(len(rest), 3)
        # The offset confirmed the first two: they are gone for good.
        self.assertEqual(len(self.api.bot("getUpdates", {"timeout": 0})["result"]), 3)
        self.assertEqual(self.api.bot("getUpdates", {"offset": -1, "timeout": 0})["result"][0]
                         ["update_id"], ids["last"])
        self.assertEqual(self.api.bot("getUpdates", {"offset": ids["last"] + 1,
                                                     "timeout": 0})["result"], [])

    def test_long_poll_answers_as_soon_as_an_update_arrives(self):
        timer = threading.Timer(0.5, lambda: self.api.messages(
            [{"chat_id": 2, "user_id": 2, "text": "late"}]))
        timer.start()
        started = time.monotonic()
        updates = self.api.bot("getUpdates", {"timeout": 10})["result"]
        self.assertLess(time.monotonic() - started, 5)
        self.assertEqual(updates[0]["message"]["text"], "late")
        started = time.monotonic()
        empty = self.api.bot("getUpdates", {"offset": updates[0]["update_id"] + 1, "timeout": 1})
        self.assertEqual(empty["result"], [])
        self.assertGreaterEqual(time.monotonic() - started, 0.9)

    def test_allowed_updates_filter(self):
        ids = self.api.messages([{"chat_id": 3, "user_id": 3, "text": "hi"}])
        sent = self.api.bot("sendMessage", {
            "chat_id": 3, "text": "pick",
            "reply_markup": {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}})
        self.api.request("POST", "/_admin/callbacks", {
            "chat_id": 3, "user_id": 3, "message_id": sent["result"]["message_id"], "data": "a"})
        only = self.api.bot("getUpdates", {"offset": ids["last"] + 1, "timeout": 0,
                                           "allowed_updates": ["callback_query"]})["result"]
        self.assertEqual([list(u)[1] for u in only], ["callback_query"])
        self.assertEqual(only[0]["callback_query"]["data"], "a")

    def test_send_edit_delete_and_the_rest(self):
        self.api.messages([{"chat_id": 4, "user_id": 4, "text": "hello"}])
        sent = self.api.bot("sendMessage", {
            "chat_id": 4, "text": "<b>bold</b> and plain", "parse_mode": "HTML",
            "reply_markup": {"inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]}})
        self.assertTrue(sent["ok"], sent)
        message = sent["result"]
        self.assertEqual(message["text"], "bold and plain")
        self.assertEqual(message["entities"][0]["type"], "bold")
        self.assertEqual(message["reply_markup"]["inline_keyboard"][0][0]["callback_data"], "go")

        edited = self.api.bot("editMessageText", {"chat_id": 4, "message_id": message["message_id"],
                                                  "text": "changed"})
        self.assertEqual(edited["result"]["text"], "changed")
        self.assertIn("edit_date", edited["result"])
        self.assertTrue(self.api.bot("deleteMessage", {"chat_id": 4,
                                                       "message_id": message["message_id"]})["ok"])
        self.assertTrue(self.api.bot("sendChatAction", {"chat_id": 4, "action": "typing"})["ok"])
        methods = [s["method"] for s in self.api.sent(4)]
        self.assertEqual(methods, ["sendMessage", "editMessageText", "deleteMessage"])

        # Form-encoded bodies work as JSON ones do.
        self.assertTrue(self.form("sendMessage", {"chat_id": 4, "text": "форма 🙂"})["ok"])
        self.assertEqual(self.api.sent(4)[-1]["text"], "форма 🙂")

    def test_answer_callback_query(self):
        self.api.messages([{"chat_id": 5, "user_id": 5, "text": "hi"}])
        sent = self.api.bot("sendMessage", {"chat_id": 5, "text": "press",
                                            "reply_markup": {"inline_keyboard": [[{
                                                "text": "X", "callback_data": "x"}]]}})
        self.api.request("POST", "/_admin/callbacks", {
            "chat_id": 5, "user_id": 5, "message_id": sent["result"]["message_id"], "data": "x"})
        query = [u for u in self.api.bot("getUpdates", {"timeout": 0})["result"]
                 if "callback_query" in u][0]["callback_query"]
        self.assertTrue(self.api.bot("answerCallbackQuery", {"callback_query_id": query["id"],
                                                             "text": "ok"})["ok"])

    def test_errors_use_the_telegram_envelope(self):
        empty = self.api.bot("sendMessage", {"chat_id": 6, "text": ""})
        self.assertEqual((empty["ok"], empty["error_code"]), (False, 400))
        self.assertIn("chat not found", empty["description"])
        self.api.messages([{"chat_id": 6, "user_id": 6, "text": "hi"}])
        self.assertIn("message text is empty",
                      self.api.bot("sendMessage", {"chat_id": 6, "text": ""})["description"])
        too_long = self.api.bot("sendMessage", {"chat_id": 6, "text": "x" * 4097})
        self.assertIn("message is too long", too_long["description"])
        unknown = self.api.bot("sendSomethingNew", {})
        self.assertEqual((unknown["ok"], unknown["error_code"]), (False, 404))
        bad_token = self.api.request("POST", "/botnot-a-token/getMe", {})
        self.assertEqual(bad_token["error_code"], 401)

    def test_pinned_token(self):
        pinned = FakeApi(["--token", "999:ZZZ-the-only-token-this-server-accepts-00"])
        try:
            self.assertEqual(pinned.bot("getMe")["error_code"], 401)
            ok = pinned.request("POST", "/bot999:ZZZ-the-only-token-this-server-accepts-00/getMe")
            self.assertTrue(ok["ok"])
        finally:
            pinned.stop()

    def test_webhook_conflicts_with_get_updates(self):
        self.assertTrue(self.api.bot("setWebhook", {"url": "https://example.invalid/h"})["ok"])
        self.assertEqual(self.api.bot("getWebhookInfo")["result"]["url"],
                         "https://example.invalid/h")
        conflict = self.api.bot("getUpdates", {"timeout": 0})
        self.assertEqual(conflict["error_code"], 409)
        self.assertIn("webhook is active", conflict["description"])
        self.assertTrue(self.api.bot("deleteWebhook")["ok"])
        self.assertTrue(self.api.bot("getUpdates", {"timeout": 0})["ok"])

    def test_injected_429_and_5xx(self):
        self.api.fault(method="getMe", status=429, retry_after=7, count=1)
        limited = self.api.bot("getMe")
        self.assertEqual(limited["error_code"], 429)
        self.assertEqual(limited["parameters"]["retry_after"], 7)
        self.api.fault(method="getMe", status=502, count=1)
        self.assertEqual(self.api.bot("getMe")["error_code"], 502)
        self.assertTrue(self.api.bot("getMe")["ok"])


if __name__ == "__main__":
    unittest.main()
