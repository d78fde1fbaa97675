"""A reply whose fate a crash left unknown (docs/replies.md, "After a crash"), with the real
`tgkeep run` SIGKILLed while the emulator holds its sendMessage: found pending at the next start,
the reply is sent exactly once more; found resending (the crash hit that re-send too), it is not
sent a third time, and one warning line says so. Once with SQLite, once through the outbox (a real
redis-server and PostgreSQL), where the bot finds the reply's state in Redis."""

import sqlite3
import unittest

from harness import E2ETest, PgError, PgServer, RedisServer, database_env_cleared, wait_until

CHAT = 31
TEXT = "once, whatever happens"
WARNING = "fate unknown after one re-send; not sent again"
STALL_MS = 1500  # long enough to SIGKILL the bot while sendMessage is held, short for the test


class ReplyCrashTest(E2ETest):
    def ask(self):
        """Sends the question; returns its update_id (the reply's key is u<update_id>.0)."""
        return self.api.messages([{"chat_id": CHAT, "user_id": CHAT, "text": TEXT}])["last"]

    def stall_next_send_messages(self, count):
        # One rule per call: a rule is used up when a call arrives, so faults_active counts the
        # stalled calls still to come, and tells when sendMessage has reached the emulator.
        rules = [{"method": "sendMessage", "stall_ms": STALL_MS}] * count
        self.api.request("POST", "/_admin/faults", rules)

    def faults_active(self):
        return self.api.stats()["faults_active"]

    def reply_status(self, update_id):
        try:
            return self.scalar("SELECT status FROM messages WHERE reply_key = ?",
                               f"u{update_id}.0")
        except sqlite3.Error:  # the bot is still creating the database
            return None

    def handled(self, update_id):
        return self.scalar("SELECT handled FROM raw_updates WHERE update_id = ?", update_id) == 1

    def deliveries(self):
        return [s for s in self.api.sent(CHAT) if s["text"] == TEXT]

    def kill_while_sending(self, bot, update_id, status, faults_left):
        """SIGKILLs `bot` once its reply is stored as `status` and its sendMessage is held."""
        wait_until(lambda: self.reply_status(update_id) == status, 10,
                   what=f"the reply recorded {status}")
        wait_until(lambda: self.faults_active() == faults_left, 10,
                   what="sendMessage held by the emulator")
        bot.kill()

    def test_a_reply_found_pending_is_sent_exactly_once_more(self):
        self.stall_next_send_messages(1)
        first = self.start_bot()
        update_id = self.ask()
        self.kill_while_sending(first, update_id, "pending", 0)
        self.assertEqual(self.reply_status(update_id), "pending")
        self.assertFalse(self.handled(update_id))

        second = self.start_bot()
        wait_until(lambda: self.reply_status(update_id) == "sent" and self.handled(update_id), 10,
                   what="the reply re-sent and the update handled")
        # The held call went through after the kill (Telegram took it, its answer was lost), so
        # the user has it twice: the one unknown delivery and the one re-send, never more.
        wait_until(lambda: len(self.deliveries()) >= 2, 10, what="both deliveries")
        self.assertEqual(len(self.deliveries()), 2)
        self.assertEqual(self.api.stats()["calls"]["sendMessage"], 2)
        self.assertEqual(second.terminate(), 0)
        self.assertNotIn(WARNING, second.output())
        self.assertIn("1 re-sent after a crash", second.output())
        self.assertEqual(len(self.deliveries()), 2)

    def test_a_reply_found_resending_is_not_sent_a_third_time(self):
        self.stall_next_send_messages(2)
        first = self.start_bot()
        update_id = self.ask()
        self.kill_while_sending(first, update_id, "pending", 1)

        second = self.start_bot()
        self.kill_while_sending(second, update_id, "resending", 0)
        self.assertFalse(self.handled(update_id))

        third = self.start_bot()
        wait_until(lambda: self.handled(update_id), 10, what="the update handled")
        # Both held calls went through after their kills; nothing else was sent.
        wait_until(lambda: len(self.deliveries()) >= 2, 10, what="both held deliveries")
        self.assertEqual(self.reply_status(update_id), "resending")
        self.assertEqual(third.terminate(), 0)
        self.assertEqual(len(self.deliveries()), 2)
        self.assertEqual(self.api.stats()["calls"]["sendMessage"], 2)
        warnings = [line for line in third.output().splitlines() if WARNING in line]
        self.assertEqual(len(warnings), 1, third.output())
        self.assertIn(f"reply u{update_id}.0 to chat {CHAT}", warnings[0])
        self.assertIn("1 not sent again", third.output())


@unittest.skipUnless(PgServer.available() and RedisServer.available(),
                     "redis-server or the PostgreSQL binaries are not installed")
class ReplyCrashOutboxTest(ReplyCrashTest):
    """The same through the outbox: record_reply claims the reply's state in Redis ("p", "r",
    "s:<message_id>", "f"), and handled marks reach PostgreSQL through the bot's syncer."""

    STATES = {"p": "pending", "r": "resending", "f": "failed"}

    def setUp(self):
        database_env_cleared(self)
        super().setUp()
        self.pg = PgServer()
        self.addCleanup(self.pg.stop)
        self.redis = RedisServer()
        self.addCleanup(self.redis.stop)

    def start_bot(self, **kwargs):
        env = {"REDIS_URL": self.redis.url(), "DATABASE_URL": self.pg.url(),
               "TGKEEP_ACK": "redis"}  # the test Redis keeps nothing on disk: force the outbox
        return super().start_bot(extra_env=env, **kwargs)

    def kill_while_sending(self, bot, update_id, status, faults_left):
        super().kill_while_sending(bot, update_id, status, faults_left)
        # The killed bot's syncer held the outbox lease: expire it now rather than after its 5 s,
        # as the next bot drains the outbox before resuming and would wait for it.
        self.redis.cli("DEL", "tgkeep:{outbox}:lease")

    def reply_status(self, update_id):
        state = self.redis.cli("GET", f"tgkeep:{{chat:{CHAT}}}:reply:u{update_id}.0")
        if state is None:
            return None
        return "sent" if state.startswith("s") else self.STATES[state]

    def handled(self, update_id):
        try:
            return self.pg.psql(
                f"SELECT handled FROM raw_updates WHERE update_id = {int(update_id)}") == "t"
        except PgError:  # the bot has not created the schema yet
            return False


if __name__ == "__main__":
    unittest.main()
