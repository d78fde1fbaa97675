"""The real `tgkeep run` against the Bot API emulator: intake, storage, replies, crashes."""

import json
import unittest

from harness import E2ETest, wait_until, run_tgkeep


def chat_messages(count, chats, first_chat=1000, text="message {i} в чате {chat} 🙂"):
    items = []
    for i in range(count):
        chat = first_chat + i % chats
        items.append({"chat_id": chat, "user_id": chat, "first_name": "Юля",
                      "language_code": "ru" if chat % 2 else "en",
                      "text": text.format(i=i, chat=chat)})
    return items


class PollingTest(E2ETest):
    def assert_each_update_stored_once(self, expected_updates, expected_user_messages):
        self.assertEqual(self.scalar("SELECT COUNT(*) FROM raw_updates"), expected_updates)
        self.assertEqual(
            self.scalar("SELECT COUNT(*) FROM messages WHERE role = 'user'"),
            expected_user_messages)
        self.assertEqual(self.query(
            "SELECT chat_id, message_id FROM messages WHERE role = 'user' "
            "GROUP BY chat_id, message_id HAVING COUNT(*) > 1"), [])

    def test_2000_updates_over_200_chats_stored_once_and_answered_in_order(self):
        bot = self.start_bot()
        items = chat_messages(2000, 200)
        ids = self.api.messages(items)
        self.wait_confirmed(ids["last"])
        self.assert_each_update_stored_once(2000, 2000)

        wait_until(lambda: len(self.api.sent()) >= 2000, 60, what="2000 echo replies")
        for chat in (1000, 1001, 1057, 1199):
            expected = [m["text"] for m in items if m["chat_id"] == chat]
            replies = [s["text"] for s in self.api.sent(chat)]
            self.assertEqual(replies, expected, f"replies of chat {chat} out of order")
        # Every reply is stored as assistant with Telegram's message_id.
        wait_until(lambda: self.scalar(
            "SELECT COUNT(*) FROM messages WHERE role='assistant' AND status='sent' "
            "AND message_id IS NOT NULL") == 2000, 30, what="settled replies")

        # /history 3: the last three stored messages before the command.
        self.api.messages([{"chat_id": 1000, "user_id": 1000, "text": "/history 3",
                            "language_code": "en"}])
        history = wait_until(lambda: [s for s in self.api.sent(1000)
                                      if s["text"].startswith("Last")], 30, what="/history")
        text = history[0]["text"]
        self.assertIn("message 1800", text)
        self.assertNotIn("message 1400", text)
        self.assertEqual(text.count("\n"), 3)

        # /reset asks first, forgets on the second /reset.
        self.api.messages([{"chat_id": 1000, "user_id": 1000, "text": "/reset"}])
        wait_until(lambda: len(self.api.sent(1000)) >= 12, 30, what="reset question")
        self.assertGreater(
            self.scalar("SELECT COUNT(*) FROM messages WHERE chat_id=1000 AND role='user'"), 0)
        self.api.messages([{"chat_id": 1000, "user_id": 1000, "text": "/reset"}])
        wait_until(lambda: len(self.api.sent(1000)) >= 13, 30, what="reset done")
        self.assertEqual(
            self.scalar("SELECT COUNT(*) FROM messages WHERE chat_id=1000 AND role='user'"), 0)
        self.assertEqual(self.scalar(
            "SELECT COUNT(*) FROM raw_updates WHERE chat_id=1000 AND json IS NOT NULL"), 0)
        # Other chats are untouched.
        self.assertEqual(
            self.scalar("SELECT COUNT(*) FROM messages WHERE chat_id=1001 AND role='user'"), 10)
        self.assertEqual(bot.terminate(), 0)

    def test_sigkill_mid_run_then_restart_loses_nothing_and_stores_nothing_twice(self):
        # Slow intake and replies down so the kill lands mid-run.
        self.api.fault(method="getUpdates", stall_ms=25, count=100000)
        self.api.fault(method="sendMessage", stall_ms=2, count=100000)
        bot = self.start_bot(extra_env={"TGKEEP_POLL_LIMIT": "20"})
        ids = self.api.messages(chat_messages(2000, 200))
        self.wait_stored(400)
        bot.kill()
        stored_at_kill = self.scalar("SELECT COUNT(*) FROM raw_updates")
        self.assertLess(stored_at_kill, 2000, "the kill came too late to be mid-run")

        self.api.request("POST", "/_admin/faults/clear", {})
        restarted = self.start_bot()
        self.wait_confirmed(ids["last"])
        self.assert_each_update_stored_once(2000, 2000)
        # No reply is missing: each update's reply is recorded and settled as sent.
        wait_until(lambda: self.scalar(
            "SELECT COUNT(DISTINCT reply_key) FROM messages WHERE role='assistant' "
            "AND status='sent'") == 2000, 60, what="every reply settled")
        wait_until(lambda: self.scalar(
            "SELECT COUNT(*) FROM raw_updates WHERE needs_handling=1 AND handled=0") == 0, 30,
            what="every update handled")
        self.assertEqual(restarted.terminate(), 0)

    def test_redelivered_update_id_is_stored_once(self):
        update = {"update_id": 4242, "message": {
            "message_id": 1, "date": 1700000000, "text": "once",
            "chat": {"id": 77, "type": "private", "first_name": "A"},
            "from": {"id": 77, "is_bot": False, "first_name": "A"}}}
        self.api.updates([update, update, update])
        bot = self.start_bot()
        self.wait_confirmed(4242)
        self.assertEqual(self.scalar("SELECT COUNT(*) FROM raw_updates WHERE update_id=4242"), 1)
        self.assertEqual(self.scalar("SELECT COUNT(*) FROM messages WHERE role='user'"), 1)
        wait_until(lambda: len(self.api.sent(77)) == 1, 10, what="one reply")
        self.assertEqual(bot.terminate(), 0)
        self.assertEqual(len(self.api.sent(77)), 1)

    def test_unknown_and_odd_updates_are_stored_raw_and_do_not_stop_the_bot(self):
        # message_reaction is delivered only when asked for, as Telegram does.
        bot = self.start_bot(extra_env={
            "TGKEEP_ALLOWED_UPDATES": "message,message_reaction,some_future_update"})
        odd = [
            {"update_id": 10, "message_reaction": {"chat": {"id": 5, "type": "private"},
                                                    "message_id": 1, "date": 1}},
            {"update_id": 11, "some_future_update": {"x": [1, 2, {"y": "z"}]}},
            {"update_id": 12, "message": {"message_id": "not a number", "text": 5}},
            {"update_id": 13, "message": {"message_id": 3, "date": 1, "text": "ok",
                                          "chat": {"id": 5, "type": "private"},
                                          "from": {"id": 5, "is_bot": False,
                                                   "first_name": "Ф"},
                                          "brand_new_field": {"a": 1}}},
            {"no_update_id": True},
        ]
        self.api.updates(odd)
        ids = self.api.messages([{"chat_id": 5, "user_id": 5, "text": "after"}])
        self.wait_confirmed(ids["last"])
        types = {r["update_id"]: r["type"] for r in self.query(
            "SELECT update_id, type FROM raw_updates")}
        self.assertEqual(types[10], "message_reaction")
        self.assertEqual(types[11], "some_future_update")
        self.assertIn(12, types)
        raw = self.scalar("SELECT json FROM raw_updates WHERE update_id=11")
        self.assertEqual(json.loads(raw)["some_future_update"]["x"][2]["y"], "z")
        wait_until(lambda: [s for s in self.api.sent(5) if s["text"] == "after"], 10,
                   what="the bot still answers")
        self.assertEqual(bot.terminate(), 0)

    def test_long_reply_is_split_at_the_telegram_limit(self):
        bot = self.start_bot()
        text = ("слово " * 900).strip()  # 5399 characters: a reply of two parts
        self.api.updates([{"message": {"message_id": 50, "date": 1700000000, "text": text,
                                        "chat": {"id": 9, "type": "private"},
                                        "from": {"id": 9, "is_bot": False, "first_name": "L"}}}])
        parts = wait_until(lambda: self.api.sent(9) if len(self.api.sent(9)) >= 2 else None,
                           20, what="split reply")
        self.assertEqual(len(parts), 2)
        self.assertTrue(all(len(p["text"]) <= 4096 for p in parts))
        self.assertEqual(" ".join(p["text"] for p in parts).split(), text.split())
        self.assertEqual(bot.terminate(), 0)

    def test_commands_speak_the_users_language(self):
        bot = self.start_bot(extra_env={"TGKEEP_ENGINE": "none"})
        self.api.messages([
            {"chat_id": 21, "user_id": 21, "text": "/start", "first_name": "Маша",
             "language_code": "ru"},
            {"chat_id": 22, "user_id": 22, "text": "/start", "first_name": "Sam",
             "language_code": "en-US"},
            {"chat_id": 23, "user_id": 23, "text": "/start", "first_name": "Lea",
             "language_code": "de"},
            {"chat_id": 21, "user_id": 21, "text": "just text, engine none stays silent"},
            {"chat_id": 22, "user_id": 22, "text": "/help"},
        ])
        wait_until(lambda: len(self.api.sent()) >= 4, 20, what="greetings and help")
        ru, en, de = (self.api.sent(c)[0]["text"] for c in (21, 22, 23))
        self.assertIn("Маша", ru)
        self.assertNotEqual(ru.split()[0], en.split()[0])
        self.assertIn("Sam", en)
        self.assertEqual(de.replace("Lea", "Sam"), en)  # English is the fallback
        self.assertIn("/history", self.api.sent(22)[1]["text"])
        self.assertEqual(len(self.api.sent(21)), 1)
        self.assertEqual(bot.terminate(), 0)

    def test_export_and_history_commands(self):
        bot = self.start_bot()
        ids = self.api.messages(chat_messages(30, 3))
        self.wait_confirmed(ids["last"])
        wait_until(lambda: len(self.api.sent()) >= 30, 20, what="replies")
        self.assertEqual(bot.terminate(), 0)

        out = run_tgkeep("export", data_dir=self.data_dir)
        self.assertEqual(out.returncode, 0, out.stderr)
        rows = [json.loads(line) for line in out.stdout.splitlines()]
        self.assertEqual(len(rows), 60)
        for key in ("chat_id", "message_id", "user_id", "role", "text", "date", "update_id"):
            self.assertIn(key, rows[0])
        one_chat = run_tgkeep("export", "--chat", "1001", data_dir=self.data_dir)
        self.assertEqual(len(one_chat.stdout.splitlines()), 20)
        one_user = run_tgkeep("export", "--user", "1002", data_dir=self.data_dir)
        self.assertEqual(len(one_user.stdout.splitlines()), 10)

        history = run_tgkeep("history", "1000", "--limit", "4", data_dir=self.data_dir)
        self.assertEqual(history.returncode, 0, history.stderr)
        lines = history.stdout.splitlines()
        self.assertEqual(len(lines), 4)
        self.assertIn("message 27", lines[-1])  # newest last

        missing = run_tgkeep("export", data_dir=self.tmp + "/nothing-here")
        self.assertNotEqual(missing.returncode, 0)
        self.assertIn("nothing-here", missing.stderr)


if __name__ == "__main__":
    unittest.main()
