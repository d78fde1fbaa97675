"""Inline buttons of the reference bot: pressed as a Telegram user would, through the emulator."""

import unittest

from harness import E2ETest, wait_until


class ButtonsTest(E2ETest):
    def press(self, chat, message_id, data):
        return self.api.request("POST", "/_admin/callbacks", {
            "chat_id": chat, "user_id": chat, "message_id": message_id, "data": data})

    def sent_with(self, chat, predicate, what):
        return wait_until(lambda: [s for s in self.api.sent(chat) if predicate(s)], 20,
                          what=what)[-1]

    def test_start_offers_help_and_history_buttons_that_work(self):
        bot = self.start_bot()
        self.api.messages([{"chat_id": 31, "user_id": 31, "text": "/start", "first_name": "Ann"},
                           {"chat_id": 31, "user_id": 31, "text": "remember me"}])
        greeting = self.sent_with(31, lambda s: "Ann" in s["text"], "the greeting")
        buttons = [b["callback_data"]
                   for row in greeting["reply_markup"]["inline_keyboard"] for b in row]
        self.assertEqual(buttons, ["help", "history"])

        self.press(31, greeting["message_id"], "help")
        self.sent_with(31, lambda s: "/history" in s["text"], "help after the button")
        self.press(31, greeting["message_id"], "history")
        history = self.sent_with(31, lambda s: s["text"].startswith("Last"), "history")
        self.assertIn("remember me", history["text"])
        answered = self.api.request("GET", "/_admin/sent?method=answerCallbackQuery")
        self.assertEqual(len(answered["result"]), 2)  # every press is answered
        self.assertEqual(bot.terminate(), 0)

    def test_reset_buttons_keep_or_forget_and_edit_the_question(self):
        bot = self.start_bot()
        self.api.messages([{"chat_id": 32, "user_id": 32, "text": "a message to keep"},
                           {"chat_id": 32, "user_id": 32, "text": "/reset",
                            "language_code": "ru"}])
        question = self.sent_with(32, lambda s: "reply_markup" in s, "the reset question")
        self.press(32, question["message_id"], "reset:no")
        kept = self.sent_with(32, lambda s: s["method"] == "editMessageText", "the edit")
        self.assertEqual(kept["message_id"], question["message_id"])
        self.assertIn("ничего не удалено", kept["text"])
        self.assertGreater(self.scalar(
            "SELECT COUNT(*) FROM messages WHERE chat_id=32 AND role='user'"), 0)
        # The bot's own edit is recorded too.
        wait_until(lambda: self.scalar(
            "SELECT COUNT(*) FROM messages WHERE chat_id=32 AND role='assistant' AND edited=1"),
            10, what="the recorded edit")

        self.api.messages([{"chat_id": 32, "user_id": 32, "text": "/reset",
                            "language_code": "ru"}])
        again = self.sent_with(32, lambda s: "reply_markup" in s
                               and s["message_id"] != question["message_id"], "asked again")
        self.press(32, again["message_id"], "reset:yes")
        self.sent_with(32, lambda s: s["method"] == "editMessageText"
                       and s["message_id"] == again["message_id"], "the reset done edit")
        self.assertEqual(self.scalar(
            "SELECT COUNT(*) FROM messages WHERE chat_id=32 AND role='user'"), 0)

        # A late press on the first question says it expired and forgets nothing more.
        self.press(32, question["message_id"], "reset:yes")
        expired = self.sent_with(32, lambda s: s["method"] == "editMessageText"
                                 and "устарел" in s["text"], "the expired answer")
        self.assertEqual(expired["message_id"], question["message_id"])
        self.assertEqual(bot.terminate(), 0)


if __name__ == "__main__":
    unittest.main()
