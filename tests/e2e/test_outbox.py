"""The outbox: the real `tgkeep run` and `tgkeep sync` with a real redis-server and a real
PostgreSQL. Records go to Redis first and reach PostgreSQL exactly once: 20,000 updates through
the bot, a syncer SIGKILLed between its commit and its acknowledgement, two syncers at once,
PostgreSQL SIGKILLed and restarted mid-sync, a malformed entry set aside."""

import os
import signal
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (TGKEEP, E2ETest, PgServer, RedisServer, database_env_cleared, wait_until)

STREAM = "tgkeep:{outbox}:stream"


def traffic(count, chats, start=0):
    """`count` text messages spread over `chats` private chats (user id = chat id)."""
    return [{"chat_id": 5000 + i % chats, "user_id": 5000 + i % chats, "language_code": "ru",
             "text": f"сообщение {i} \t\\ 👋 \"quoted\""} for i in range(start, start + count)]


@unittest.skipUnless(PgServer.available() and RedisServer.available(),
                     "redis-server or the PostgreSQL binaries are not installed")
class OutboxTest(E2ETest):
    durable_pg = False

    def setUp(self):
        database_env_cleared(self)
        super().setUp()
        self.pg = PgServer(durable=self.durable_pg)
        self.addCleanup(self.pg.stop)
        self.redis = RedisServer()  # started on a free port
        self.addCleanup(self.redis.stop)
        self.syncers = []
        self.addCleanup(self.stop_syncers)

    def env(self, **extra):
        # The test Redis keeps nothing on disk, so TGKEEP_ACK=auto would acknowledge after the
        # local spool; these tests are about the outbox.
        return {"REDIS_URL": self.redis.url(), "DATABASE_URL": self.pg.url(),
                "TGKEEP_ENGINE": "none", "TGKEEP_ACK": "redis", **extra}

    def start_syncer(self, *args, **env):
        clean = {k: v for k, v in os.environ.items()
                 if not k.startswith(("TGKEEP_", "TELEGRAM_", "REDIS"))}
        clean.update(self.env(**env))
        clean["TGKEEP_DATA_DIR"] = self.data_dir
        proc = subprocess.Popen([TGKEEP, "sync", *args], env=clean, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)
        self.syncers.append(proc)
        return proc

    def stop_syncers(self):
        for proc in self.syncers:
            if proc.poll() is None:
                proc.kill()
            proc.communicate()

    def finish(self, proc, timeout=120):
        out, _ = proc.communicate(timeout=timeout)
        return proc.returncode, out

    def backlog(self):
        return int(self.redis.cli("XLEN", STREAM) or 0)

    def fill_outbox(self, count, chats):
        """Runs the bot with a syncer that never flushes, then SIGKILLs it: `count` updates wait
        in the outbox, read (pending) by a consumer that is gone."""
        bot = self.start_bot(extra_env=self.env(TGKEEP_SYNC_INTERVAL="24h",
                                                TGKEEP_SYNC_BATCH="100000"))
        self.api.messages(traffic(count, chats))
        wait_until(lambda: self.backlog() >= count, 120, interval=0.2,
                   what=f"{count} entries in the outbox")
        bot.kill()
        self.assertEqual(self.pg.scalar("SELECT count(*) FROM raw_updates"), 0)
        return count

    def assert_exact(self, count, chats):
        """Every update once, every message once, the texts intact, one user per chat."""
        self.assertEqual(self.pg.scalar("SELECT count(*) FROM raw_updates"), count)
        self.assertEqual(self.pg.scalar("SELECT count(DISTINCT update_id) FROM raw_updates"), count)
        self.assertEqual(self.pg.scalar("SELECT count(*) FROM messages WHERE role = 'user'"), count)
        self.assertEqual(self.pg.psql(
            "SELECT chat_id, message_id FROM messages GROUP BY 1, 2 HAVING count(*) > 1"), "")
        self.assertEqual(self.pg.scalar("SELECT count(*) FROM users"), chats)
        expected = {f"сообщение {i} \t\\ 👋 \"quoted\"" for i in range(count)}
        texts = self.pg.psql("SELECT string_agg(text, E'\\x1f') FROM messages "
                             "WHERE role = 'user'").split("\x1f")
        self.assertEqual(set(texts), expected)
        self.assertEqual(self.backlog(), 0)


class BotThroughOutbox(OutboxTest):
    def test_20000_updates_end_as_exactly_the_expected_rows(self):
        bot = self.start_bot(extra_env=self.env())
        self.api.messages(traffic(20_000, 400))
        wait_until(lambda: self.pg.scalar("SELECT count(*) FROM raw_updates") >= 20_000, 180,
                   interval=0.5, what="20,000 updates in PostgreSQL")
        wait_until(lambda: self.backlog() == 0, 30, what="an empty outbox")
        self.assertEqual(bot.terminate(), 0)
        self.assert_exact(20_000, 400)
        out = bot.output()
        self.assertIn("outbox: records go to Redis first", out)
        self.assertIn("leads the outbox sync", out)
        # Nothing was written twice through the dedupe keys either.
        self.assertEqual(int(self.redis.cli("EXISTS", "tgkeep:update:1")), 1)

    def test_history_after_an_edit_reads_what_was_synced(self):
        bot = self.start_bot(extra_env=self.env(TGKEEP_ENGINE="echo",
                                                TGKEEP_SYNC_INTERVAL="1h"))
        self.api.messages([{"chat_id": 77, "user_id": 77, "text": f"first {i}"}
                           for i in range(3)])
        wait_until(lambda: len(self.api.sent(77)) >= 3, 60, what="3 echoes")
        self.api.messages([{"chat_id": 77, "user_id": 77, "text": "/history"}])
        wait_until(lambda: len(self.api.sent(77)) >= 4, 60, what="the /history reply")
        # The list was dropped by nothing yet: now drop it, and ask again. With an interval of
        # an hour, only the reader's wake-up can have put the messages into PostgreSQL.
        self.redis.cli("DEL", "tgkeep:{chat:77}:history")
        self.api.messages([{"chat_id": 77, "user_id": 77, "text": "/history"}])
        wait_until(lambda: len(self.api.sent(77)) >= 5, 60, what="the second /history reply")
        history = self.api.sent(77)[-1]["text"]
        for i in range(3):
            self.assertIn(f"first {i}", history)
        self.assertGreaterEqual(self.pg.scalar("SELECT count(*) FROM messages"), 3)
        self.assertEqual(bot.terminate(), 0)


class SyncCommand(OutboxTest):
    def test_sync_killed_between_write_and_ack_loses_and_repeats_nothing(self):
        count = self.fill_outbox(3000, 100)
        killed = self.start_syncer("--once", "--sync-batch", "500",
                                   TGKEEP_TEST_KILL_SYNCER_AFTER_WRITE="1")
        code, out = self.finish(killed)
        self.assertEqual(code, -signal.SIGKILL, out)
        written = self.pg.scalar("SELECT count(*) FROM raw_updates")
        self.assertGreater(written, 0)
        self.assertEqual(self.backlog(), count)  # written, never acknowledged
        code, out = self.finish(self.start_syncer("--once"))
        self.assertEqual(code, 0, out)
        self.assertIn("claimed from a stopped syncer", out)
        self.assert_exact(count, 100)

    def test_two_syncers_at_once(self):
        count = self.fill_outbox(4000, 100)
        first = self.start_syncer("--once", "--sync-batch", "200")
        second = self.start_syncer("--once", "--sync-batch", "200")
        for proc in (first, second):
            code, out = self.finish(proc)
            self.assertEqual(code, 0, out)
        self.assert_exact(count, 100)

    def test_progress_lines_when_not_on_a_terminal(self):
        count = self.fill_outbox(2000, 50)
        code, out = self.finish(self.start_syncer("--once", "--sync-batch", "100"))
        self.assertEqual(code, 0, out)
        self.assertRegex(out, r"synced: 2000/2000 entries \(100%\), \d+ entries/s")
        self.assert_exact(count, 50)

    def test_a_malformed_entry_is_set_aside_and_the_rest_synced(self):
        count = self.fill_outbox(500, 10)
        self.redis.cli("XADD", STREAM, "*", "k", "u", "v", "{not json")
        code, out = self.finish(self.start_syncer("--once"))
        self.assertEqual(code, 1, out)  # dead letters make --once fail, loudly
        self.assertIn("set aside", out)
        self.assertEqual(int(self.redis.cli("XLEN", STREAM + ":dead")), 1)
        self.assert_exact(count, 10)

    def test_without_postgres_or_redis_sync_explains_itself(self):
        clean = {k: v for k, v in os.environ.items()
                 if not k.startswith(("TGKEEP_", "REDIS"))}
        out = subprocess.run([TGKEEP, "sync", "--once"], env=dict(clean, REDIS_URL=self.redis.url()),
                             capture_output=True, text=True, timeout=30)
        self.assertEqual(out.returncode, 2)
        self.assertIn("PostgreSQL is not configured", out.stdout + out.stderr)
        out = subprocess.run([TGKEEP, "sync", "--once"],
                             env=dict(clean, DATABASE_URL=self.pg.url()),
                             capture_output=True, text=True, timeout=30)
        self.assertEqual(out.returncode, 2)
        self.assertIn("Redis is not configured", out.stdout + out.stderr)

    def test_sync_once_that_cannot_start_fails_in_one_line_without_secrets(self):
        clean = {k: v for k, v in os.environ.items()
                 if not k.startswith(("TGKEEP_", "REDIS"))}
        guarded = RedisServer(password="the-right-one")
        self.addCleanup(guarded.stop)
        wrong_redis = guarded.url(password="hunter2-secret")
        out = subprocess.run([TGKEEP, "sync", "--once"],
                             env=dict(clean, REDIS_URL=wrong_redis, DATABASE_URL=self.pg.url()),
                             capture_output=True, text=True, timeout=30)
        text = out.stdout + out.stderr
        self.assertEqual(out.returncode, 1, text)
        self.assertIn("Redis does not answer", text)
        self.assertNotIn("hunter2-secret", text)
        no_pg = "postgresql://postgres:topsecret-pw@127.0.0.1:1/postgres"
        out = subprocess.run([TGKEEP, "sync", "--once"],
                             env=dict(clean, REDIS_URL=self.redis.url(), DATABASE_URL=no_pg),
                             capture_output=True, text=True, timeout=30)
        text = out.stdout + out.stderr
        self.assertEqual(out.returncode, 1, text)
        critical = [line for line in text.splitlines() if " critical " in line]
        self.assertEqual(len(critical), 1, text)
        self.assertIn("PostgreSQL at 127.0.0.1:1", critical[0])
        self.assertNotIn("topsecret-pw", text)


class PostgresRestartMidSync(OutboxTest):
    durable_pg = True  # a SIGKILLed server keeps every commit it acknowledged

    def test_postgres_killed_and_restarted_mid_sync(self):
        count = self.fill_outbox(6000, 200)
        proc = self.start_syncer("--once", "--sync-batch", "100")
        wait_until(lambda: self.pg.scalar("SELECT count(*) FROM raw_updates") > 0, 60,
                   interval=0.02, what="the sync to start")
        self.pg.kill()
        time.sleep(1.5)
        self.pg.start()
        code, out = self.finish(proc, timeout=180)
        self.assertEqual(code, 0, out)
        self.assertIn("retrying", out)
        self.assert_exact(count, 200)


if __name__ == "__main__":
    unittest.main()
