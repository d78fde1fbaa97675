"""The real `tgkeep run` against the third-party Bot API emulator `telegram-test-api` (npm), so
that our own emulator is not the only judge of the wire format: the core scenarios of
tests/e2e/test_polling.py, scaled to what telegram-test-api handles quickly.

telegram-test-api ignores getUpdates' offset/limit/timeout and hands every update out once
only (docs/thirdparty-emulator.md). Tests that need Telegram's "an update stays until confirmed"
run it with server.js --offsets; the others use the package as published."""

import os
import sys
import tempfile
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
os.environ.setdefault("TGKEEP_BIN", os.path.join(REPO, "build", "src", "app", "tgkeep"))
sys.path.insert(0, os.path.join(REPO, "tests", "e2e"))

import harness  # noqa: E402  (tests/e2e/harness.py)
from harness import E2ETest, wait_until  # noqa: E402
from telegram_test_api import TelegramTestApi  # noqa: E402

MESSAGES = 2000  # over CHATS chats: 10 per chat, as in test_polling
CHATS = 200


def chat_messages(count, chats, first_chat=1000, text="message {i} в чате {chat} 🙂"):
    """As tests/e2e/test_polling.py's chat_messages."""
    items = []
    for i in range(count):
        chat = first_chat + i % chats
        items.append({"chat_id": chat, "user_id": chat, "first_name": "Юля",
                      "language_code": "ru" if chat % 2 else "en",
                      "text": text.format(i=i, chat=chat)})
    return items


class ThirdPartyTest(E2ETest):
    """E2ETest with telegram-test-api in place of our emulator (E2ETest.setUp is not called)."""

    OFFSETS = False  # start server.js --offsets (getUpdates honours offset/limit)

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="tgkeep-3p-")
        self.data_dir = os.path.join(self.tmp, "data")
        self.bots = []
        self.api = TelegramTestApi(harness.TOKEN, offsets=self.OFFSETS,
                                   log_path=os.path.join(self.tmp, "telegram-test-api.log"))

    def wait_sent(self, count, chat_id=None, timeout=30, what=None):
        def enough():
            sent = self.api.sent(chat_id)
            return sent if len(sent) >= count else None
        return wait_until(enough, timeout, interval=0.2, what=what or f"{count} replies")

    def stored_ids(self):
        return [r[0] for r in self.query("SELECT update_id FROM raw_updates ORDER BY update_id")]

    def assert_each_update_stored_once(self, expected_updates, expected_user_messages):
        self.assertEqual(self.scalar("SELECT COUNT(*) FROM raw_updates"), expected_updates)
        self.assertEqual(
            self.scalar("SELECT COUNT(*) FROM messages WHERE role = 'user'"),
            expected_user_messages)
        self.assertEqual(self.query(
            "SELECT chat_id, message_id FROM messages WHERE role = 'user' "
            "GROUP BY chat_id, message_id HAVING COUNT(*) > 1"), [])

    def post_slowly(self, items, per_batch=50, pause=0.1):
        """Posts items from a thread, in batches, so a kill lands while updates still arrive."""
        done = threading.Event()
        errors = []

        def run():
            try:
                for start in range(0, len(items), per_batch):
                    self.api.messages(items[start:start + per_batch])
                    time.sleep(pause)
            except Exception as e:  # reported by the test
                errors.append(e)
            finally:
                done.set()

        threading.Thread(target=run, daemon=True).start()
        return done, errors


class CrossCheckTest(ThirdPartyTest):
    def test_updates_over_chats_stored_once_and_answered_in_order(self):
        bot = self.start_bot()
        items = chat_messages(MESSAGES, CHATS)
        ids = self.api.messages(items)
        self.assertEqual(ids["count"], MESSAGES)
        self.wait_stored(MESSAGES, timeout=30)
        wait_until(self.api.taken, 10, interval=0.2, what="every update taken")
        self.assert_each_update_stored_once(MESSAGES, MESSAGES)
        # The update ids and message ids are the emulator's, the texts arrive intact.
        posted = self.api.user_updates()
        self.assertEqual(self.stored_ids(), [u["update_id"] for u in posted])
        stored = {(r["chat_id"], r["message_id"]): r["text"] for r in self.query(
            "SELECT chat_id, message_id, text FROM messages WHERE role = 'user'")}
        self.assertEqual(stored, {(u["chat_id"], u["message_id"]): u["text"] for u in posted})

        self.wait_sent(MESSAGES, timeout=30, what=f"{MESSAGES} echo replies")
        for chat in (1000, 1001, 1057, 1000 + CHATS - 1):
            expected = [m["text"] for m in items if m["chat_id"] == chat]
            replies = [s["text"] for s in self.api.sent(chat)]
            self.assertEqual(replies, expected, f"replies of chat {chat} out of order")
        # Every reply is stored as assistant with the message_id telegram-test-api gave it.
        wait_until(lambda: self.scalar(
            "SELECT COUNT(*) FROM messages WHERE role='assistant' AND status='sent' "
            "AND message_id IS NOT NULL") == MESSAGES, 30, what="settled replies")
        self.assertEqual(
            [r[0] for r in self.query("SELECT message_id FROM messages WHERE chat_id=1000 "
                                      "AND role='assistant' ORDER BY update_id, id")],
            [s["message_id"] for s in self.api.sent(1000)])

        # /history 3: the last three stored messages before the command.
        per_chat = MESSAGES // CHATS
        last_i = MESSAGES - CHATS  # chat 1000 got i = 0, CHATS, ..., last_i
        self.api.messages([{"chat_id": 1000, "user_id": 1000, "text": "/history 3",
                            "language_code": "en"}])
        history = wait_until(lambda: [s for s in self.api.sent(1000)
                                      if s["text"].startswith("Last")], 20, interval=0.2,
                             what="/history")
        text = history[0]["text"]
        self.assertIn(f"message {last_i} в", text)
        self.assertNotIn(f"message {last_i - 2 * CHATS} в", text)
        self.assertEqual(text.count("\n"), 3)

        # /reset asks first, forgets on the second /reset.
        self.api.messages([{"chat_id": 1000, "user_id": 1000, "text": "/reset"}])
        self.wait_sent(per_chat + 2, 1000, 20, what="reset question")
        self.assertGreater(
            self.scalar("SELECT COUNT(*) FROM messages WHERE chat_id=1000 AND role='user'"), 0)
        self.api.messages([{"chat_id": 1000, "user_id": 1000, "text": "/reset"}])
        self.wait_sent(per_chat + 3, 1000, 20, what="reset done")
        wait_until(lambda: self.scalar(
            "SELECT COUNT(*) FROM messages WHERE chat_id=1000 AND role='user'") == 0, 10,
            what="chat 1000 forgotten")
        self.assertEqual(self.scalar(
            "SELECT COUNT(*) FROM raw_updates WHERE chat_id=1000 AND json IS NOT NULL"), 0)
        # Other chats are untouched.
        self.assertEqual(self.scalar(
            "SELECT COUNT(*) FROM messages WHERE chat_id=1001 AND role='user'"), per_chat)
        self.assertEqual(bot.terminate(), 0)

    def test_start_and_help_speak_the_users_language(self):
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
        self.wait_sent(4, timeout=20, what="greetings and help")
        ru, en, de = (self.api.sent(c)[0]["text"] for c in (21, 22, 23))
        self.assertIn("Маша", ru)
        self.assertNotEqual(ru.split()[0], en.split()[0])
        self.assertIn("Sam", en)
        self.assertEqual(de.replace("Lea", "Sam"), en)  # English is the fallback
        self.assertIn("/history", self.api.sent(22)[1]["text"])
        self.wait_stored(5)
        self.assertEqual(len(self.api.sent(21)), 1)
        self.assertEqual(bot.terminate(), 0)
        self.assertEqual(len(self.api.sent()), 4)

    def sent_with(self, chat, predicate, what):
        return wait_until(lambda: [s for s in self.api.sent(chat) if predicate(s)], 20,
                          interval=0.2, what=what)[-1]

    def test_start_offers_help_and_history_buttons_that_work(self):
        bot = self.start_bot()
        self.api.messages([{"chat_id": 31, "user_id": 31, "text": "/start", "first_name": "Ann"},
                           {"chat_id": 31, "user_id": 31, "text": "remember me"}])
        greeting = self.sent_with(31, lambda s: "Ann" in s["text"], "the greeting")
        buttons = [b["callback_data"]
                   for row in greeting["reply_markup"]["inline_keyboard"] for b in row]
        self.assertEqual(buttons, ["help", "history"])

        self.api.press(greeting, "help", first_name="Ann")
        self.sent_with(31, lambda s: "/history" in s["text"], "help after the button")
        self.api.press(greeting, "history", first_name="Ann")
        history = self.sent_with(31, lambda s: s["text"].startswith("Last"), "history")
        self.assertIn("remember me", history["text"])
        self.assertEqual(bot.terminate(), 0)

    def test_reset_buttons_keep_or_forget_and_edit_the_question(self):
        bot = self.start_bot()
        self.api.messages([{"chat_id": 32, "user_id": 32, "text": "a message to keep"},
                           {"chat_id": 32, "user_id": 32, "text": "/reset",
                            "language_code": "ru"}])
        question = self.sent_with(32, lambda s: "reply_markup" in s, "the reset question")
        self.api.press(question, "reset:no", language_code="ru")
        kept = self.sent_with(32, lambda s: s["edited"], "the edit")
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
        again = self.sent_with(32, lambda s: "reply_markup" in s and not s["edited"]
                               and s["message_id"] != question["message_id"], "asked again")
        self.api.press(again, "reset:yes", language_code="ru")
        self.sent_with(32, lambda s: s["edited"] and s["message_id"] == again["message_id"],
                       "the reset done edit")
        wait_until(lambda: self.scalar(
            "SELECT COUNT(*) FROM messages WHERE chat_id=32 AND role='user'") == 0, 10,
            what="chat 32 forgotten")

        # A late press on the first question says it expired and forgets nothing more.
        self.api.press(question, "reset:yes", language_code="ru")
        expired = self.sent_with(32, lambda s: s["edited"] and "устарел" in s["text"],
                                 "the expired answer")
        self.assertEqual(expired["message_id"], question["message_id"])
        self.assertEqual(bot.terminate(), 0)

    def test_sigkill_with_stock_emulator_loses_only_updates_it_handed_out_unconfirmed(self):
        # telegram-test-api forgets an update once handed out: what the killed bot had received
        # but not stored is gone (Telegram would deliver it again). Nothing else may be missing,
        # and nothing may be stored twice.
        bot = self.start_bot()
        items = chat_messages(MESSAGES, CHATS)
        done, errors = self.post_slowly(items)
        self.wait_stored(MESSAGES // 4, timeout=30)
        bot.kill()
        time.sleep(0.3)  # a request the bot wrote just before dying is still answered
        stored_at_kill = set(self.stored_ids())
        handed_out = {u["update_id"] for u in self.api.user_updates() if u["read"]}
        self.assertLess(len(stored_at_kill), MESSAGES, "the kill came too late to be mid-run")
        self.assertLessEqual(stored_at_kill, handed_out)
        lost = handed_out - stored_at_kill

        restarted = self.start_bot()
        self.assertTrue(done.wait(30), "posting did not finish")
        self.assertEqual(errors, [])
        posted = {u["update_id"] for u in self.api.user_updates()}
        self.assertEqual(len(posted), MESSAGES)
        self.wait_stored(MESSAGES - len(lost), timeout=30)
        wait_until(self.api.taken, 10, interval=0.2, what="every update taken")
        time.sleep(0.5)
        self.assertEqual(set(self.stored_ids()), posted - lost)
        self.assert_each_update_stored_once(MESSAGES - len(lost), MESSAGES - len(lost))
        wait_until(lambda: self.scalar(
            "SELECT COUNT(*) FROM raw_updates WHERE needs_handling=1 AND handled=0") == 0, 30,
            what="every stored update handled")
        wait_until(lambda: self.scalar(
            "SELECT COUNT(DISTINCT reply_key) FROM messages WHERE role='assistant' "
            "AND status='sent'") == MESSAGES - len(lost), 30, what="every reply settled")
        self.assertEqual(restarted.terminate(), 0)
        if lost:
            print(f"\n  (stock telegram-test-api: {len(lost)} updates handed to the killed bot "
                  "were never delivered again)", file=sys.stderr)


class OffsetsCrossCheckTest(ThirdPartyTest):
    """telegram-test-api behind server.js --offsets: getUpdates keeps an update until a later
    call confirms it, as Telegram does."""

    OFFSETS = True

    def test_sigkill_mid_run_then_restart_loses_nothing_and_stores_nothing_twice(self):
        bot = self.start_bot(extra_env={"TGKEEP_POLL_LIMIT": "20"})
        items = chat_messages(MESSAGES, CHATS)
        done, errors = self.post_slowly(items)
        self.wait_stored(MESSAGES // 4, timeout=30)
        bot.kill()
        stored_at_kill = self.scalar("SELECT COUNT(*) FROM raw_updates")
        pending_at_kill = self.scalar(
            "SELECT COUNT(*) FROM messages WHERE role='assistant' AND status='pending'")
        self.assertLess(stored_at_kill, MESSAGES, "the kill came too late to be mid-run")

        restarted = self.start_bot()
        self.assertTrue(done.wait(30), "posting did not finish")
        self.assertEqual(errors, [])
        self.wait_stored(MESSAGES, timeout=30)
        self.assert_each_update_stored_once(MESSAGES, MESSAGES)
        self.assertEqual(self.stored_ids(), [u["update_id"] for u in self.api.user_updates()])
        # No reply is missing: each update's reply is recorded and settled as sent.
        wait_until(lambda: self.scalar(
            "SELECT COUNT(DISTINCT reply_key) FROM messages WHERE role='assistant' "
            "AND status='sent'") == MESSAGES, 30, what="every reply settled")
        wait_until(lambda: self.scalar(
            "SELECT COUNT(*) FROM raw_updates WHERE needs_handling=1 AND handled=0") == 0, 30,
            what="every update handled")
        self.assertEqual(restarted.terminate(), 0)
        # Each user message was answered; only a reply in flight at the kill may repeat.
        sent = self.api.sent()
        self.assertEqual({s["text"] for s in sent}, {m["text"] for m in items})
        self.assertLessEqual(len(sent) - MESSAGES, pending_at_kill)

    def test_graceful_sigterm_mid_run_exits_0_and_restart_sends_each_reply_once(self):
        bot = self.start_bot(extra_env={"TGKEEP_POLL_LIMIT": "20"})
        items = chat_messages(MESSAGES // 2, CHATS)
        done, errors = self.post_slowly(items)
        self.wait_stored(MESSAGES // 8, timeout=30)
        self.assertEqual(bot.terminate(), 0)
        self.assertLess(self.scalar("SELECT COUNT(*) FROM raw_updates"), len(items),
                        "the stop came too late to be mid-run")
        self.assertEqual(self.scalar(
            "SELECT COUNT(*) FROM messages WHERE role='assistant' AND status='pending'"), 0)

        restarted = self.start_bot()
        self.assertTrue(done.wait(30), "posting did not finish")
        self.assertEqual(errors, [])
        self.wait_stored(len(items), timeout=30)
        self.wait_sent(len(items), timeout=30, what="every reply")
        wait_until(lambda: self.scalar(
            "SELECT COUNT(*) FROM raw_updates WHERE needs_handling=1 AND handled=0") == 0, 30,
            what="every update handled")
        self.assertEqual(restarted.terminate(), 0)
        self.assert_each_update_stored_once(len(items), len(items))
        self.assertEqual(sorted(s["text"] for s in self.api.sent()),
                         sorted(m["text"] for m in items))


if __name__ == "__main__":
    unittest.main()
