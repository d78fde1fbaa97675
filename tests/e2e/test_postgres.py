"""The real `tgkeep run` with a real PostgreSQL (initdb'd per test) as its system of record:
every update, message, user and usage event in PostgreSQL and not in SQLite, a restart that
stores nothing twice, `tgkeep migrate` against PostgreSQL, and a DATABASE_URL that is wrong."""

import os
import sqlite3
import sys
import time
import unittest

# Also runnable from the repository's root: python3 -m unittest tests/e2e/test_postgres.py
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (E2ETest, PgServer, database_env_cleared, run_tgkeep_env, wait_until)

SECRET = "pw-secret"  # in every URL given to tgkeep (trust ignores it): never to appear in output
CHATS = list(range(1001, 1021))  # 20 private chats, user id = chat id


def counts(pg):
    """What the system of record holds, as one comparable dict."""
    return {
        "raw_updates": pg.scalar("SELECT count(*) FROM raw_updates"),
        "user_messages": pg.scalar("SELECT count(*) FROM messages WHERE role = 'user'"),
        "replies": pg.scalar("SELECT count(*) FROM messages WHERE role = 'assistant'"),
        "sent_replies": pg.scalar("SELECT count(*) FROM messages WHERE role = 'assistant' "
                                  "AND status = 'sent' AND message_id IS NOT NULL"),
        "users": pg.scalar("SELECT count(*) FROM users"),
        "usage_events": pg.scalar("SELECT count(*) FROM usage_events"),
        "unhandled": pg.scalar("SELECT count(*) FROM raw_updates "
                               "WHERE needs_handling AND NOT handled"),
    }


@unittest.skipUnless(PgServer.available(), "the PostgreSQL binaries are not installed")
class PostgresTest(E2ETest):
    def setUp(self):
        database_env_cleared(self)
        super().setUp()
        self.pg = PgServer()
        self.addCleanup(self.pg.stop)  # after tearDown has stopped the bots

    def url(self, dbname="postgres"):
        return self.pg.url(dbname, password=SECRET)

    def start_pg_bot(self, **env):
        return self.start_bot(extra_env={"DATABASE_URL": self.url(), **env})

    def wait_settled(self, expected, timeout=60):
        """Every update handled and every reply sent, in PostgreSQL."""
        def settled():
            try:
                c = counts(self.pg)
            except Exception:  # noqa: BLE001  (tables not yet created)
                return None
            return c if (c["raw_updates"] >= expected and c["unhandled"] == 0 and
                         c["sent_replies"] >= expected) else None
        return wait_until(settled, timeout, interval=0.2, what=f"{expected} settled updates")

    def assert_nothing_twice(self):
        self.assertEqual(self.pg.psql(
            "SELECT chat_id, message_id, role FROM messages GROUP BY 1, 2, 3 "
            "HAVING count(*) > 1"), "")
        self.assertEqual(self.pg.psql(
            "SELECT update_id FROM messages WHERE role = 'user' GROUP BY 1 "
            "HAVING count(*) > 1"), "")
        self.assertEqual(self.pg.psql(
            "SELECT update_id FROM messages WHERE role = 'assistant' GROUP BY 1 "
            "HAVING count(*) > 1"), "")

    def send_traffic(self):
        """200 messages over 20 chats (10 each, under the free tariff's 30/day), then /history in
        the first chat once its replies are in. Returns the items and the /history reply."""
        items = [{"chat_id": CHATS[i % 20], "user_id": CHATS[i % 20], "language_code": "en",
                  "text": f"keep {i} in chat {CHATS[i % 20]}"} for i in range(200)]
        self.api.messages(items)
        wait_until(lambda: len(self.api.sent(CHATS[0])) >= 10, 60,
                   what="the first chat's replies")
        self.api.messages([{"chat_id": CHATS[0], "user_id": CHATS[0], "language_code": "en",
                            "text": "/history"}])
        wait_until(lambda: len(self.api.sent()) >= 201, 60, what="201 replies")
        return items, self.api.sent(CHATS[0])[-1]["text"]

    # 1 -------------------------------------------------------------------------------------------
    def test_postgres_is_the_system_of_record_with_exactly_the_expected_rows(self):
        bot = self.start_pg_bot()
        items, history = self.send_traffic()
        c = self.wait_settled(201)
        self.assertEqual(c, {"raw_updates": 201, "user_messages": 201, "replies": 201,
                             "sent_replies": 201, "users": 20, "usage_events": 200,
                             "unhandled": 0})
        self.assert_nothing_twice()
        # Every text in PostgreSQL, each echoed once.
        stored = self.pg.psql("SELECT text FROM messages WHERE role = 'user' ORDER BY update_id")
        self.assertEqual(stored.splitlines(), [i["text"] for i in items] + ["/history"])
        echoed = self.pg.psql("SELECT count(*) FROM messages m JOIN messages r ON "
                              "r.chat_id = m.chat_id AND r.update_id = m.update_id AND "
                              "r.role = 'assistant' AND r.text = m.text WHERE m.role = 'user'")
        self.assertEqual(int(echoed), 200)
        # The raw updates are jsonb, queryable.
        self.assertEqual(self.pg.scalar(
            f"SELECT count(*) FROM raw_updates WHERE json->'message'->>'text' = '{items[7]['text']}'"),
            1)
        self.assertEqual(self.pg.scalar(
            "SELECT count(DISTINCT user_id) FROM usage_events"), 20)
        self.assertEqual(self.pg.psql("SELECT max(version) FROM schema_migrations"), "2")
        # /history read the chat back from PostgreSQL.
        mine = [i["text"] for i in items if i["chat_id"] == CHATS[0]]
        conversation = [line for t in mine for line in (f"you: {t}", f"bot: {t}")]
        lines = history.splitlines()
        shown = int(lines[0].split()[1])  # "Last N messages of this chat:"
        self.assertEqual(lines[0], f"Last {shown} messages of this chat:")
        self.assertGreaterEqual(shown, 8)
        self.assertEqual(lines[1:], conversation[-shown:])

        self.assertEqual(bot.terminate(), 0)
        # SQLite is not the system of record: its file, if any, holds none of it.
        db_path = os.path.join(self.data_dir, "tgkeep.db")
        if os.path.exists(db_path):
            try:
                n = self.scalar("SELECT COUNT(*) FROM messages")
            except sqlite3.Error:
                n = 0
            self.assertEqual(n, 0, "the messages went to SQLite")
            try:
                self.assertEqual(self.scalar("SELECT COUNT(*) FROM raw_updates"), 0)
            except sqlite3.Error:
                pass
        out = bot.output()
        record = [line for line in out.splitlines()
                  if "storage:" in line and "the system of record" in line]
        self.assertEqual(len(record), 1, out)
        self.assertIn(f"127.0.0.1:{self.pg.port}", record[0])
        self.assertIn("DATABASE_URL", record[0])
        self.assertNotIn(SECRET, out)
        self.assertNotIn("sqlite at", out)

        # The data commands read the system of record too.
        env = {"DATABASE_URL": self.url()}
        shown_cli = run_tgkeep_env("history", str(CHATS[0]), "--limit", "4",
                                   data_dir=self.data_dir, env=env)
        self.assertEqual(shown_cli.returncode, 0, shown_cli.stderr)
        self.assertEqual(len(shown_cli.stdout.splitlines()), 4, shown_cli.stdout)
        self.assertIn(mine[-1], shown_cli.stdout)
        exported = run_tgkeep_env("export", data_dir=self.data_dir, env=env)
        self.assertEqual(exported.returncode, 0, exported.stderr)
        self.assertEqual(len(exported.stdout.splitlines()), 402)  # 201 messages, 201 replies
        self.assertNotIn(SECRET, exported.stderr + shown_cli.stderr)
        forced = run_tgkeep_env("history", str(CHATS[0]), "--tier", "postgres",
                                data_dir=self.data_dir, env={})
        self.assertNotEqual(forced.returncode, 0)
        self.assertIn("PostgreSQL is not configured", forced.stderr)

    # 2 -------------------------------------------------------------------------------------------
    def test_a_restart_on_the_same_database_stores_nothing_twice(self):
        bot = self.start_pg_bot()
        self.send_traffic()
        before = self.wait_settled(201)
        self.assertEqual(bot.terminate(), 0)
        sent_before = len(self.api.sent())

        bot = self.start_pg_bot()
        wait_until(lambda: "polling for updates" in bot.output(), 30, what="the bot to poll")
        confirmed = self.api.stats()["confirmed_offset"]
        time.sleep(2.5)  # a couple of polls (TGKEEP_POLL_TIMEOUT=1): nothing new comes
        self.assertEqual(counts(self.pg), before)
        self.assertEqual(len(self.api.sent()), sent_before)
        self.assertEqual(self.api.stats()["confirmed_offset"], confirmed)

        more = [{"chat_id": CHATS[i], "user_id": CHATS[i], "language_code": "en",
                 "text": f"after the restart {i}"} for i in range(10)]
        self.api.messages(more)
        self.wait_settled(211)
        wait_until(lambda: len(self.api.sent()) >= sent_before + 10, 30, what="10 more replies")
        time.sleep(1)  # time for a stray duplicate to show
        after = counts(self.pg)
        self.assertEqual({k: after[k] - before[k] for k in after},
                         {"raw_updates": 10, "user_messages": 10, "replies": 10,
                          "sent_replies": 10, "users": 0, "usage_events": 10, "unhandled": 0})
        self.assertEqual(len(self.api.sent()), sent_before + 10)
        for i, item in enumerate(more):
            self.assertEqual(self.api.sent(CHATS[i])[-1]["text"], item["text"])
        self.assert_nothing_twice()
        self.assertEqual(self.pg.psql("SELECT max(version) FROM schema_migrations"), "2")
        self.assertEqual(bot.terminate(), 0)
        self.assertNotIn(SECRET, bot.output())

    # 3 -------------------------------------------------------------------------------------------
    def test_migrate_prints_the_masked_url_and_version_and_names_a_missing_database(self):
        env = {"DATABASE_URL": self.url()}
        first = run_tgkeep_env("migrate", data_dir=self.data_dir, env=env)
        self.assertEqual(first.returncode, 0, first.stderr)
        self.assertIn("migrated from schema version 0 to 2", first.stdout)
        self.assertIn(f"127.0.0.1:{self.pg.port}", first.stdout)
        self.assertEqual(self.pg.psql("SELECT max(version) FROM schema_migrations"), "2")
        # Both: the SQLite file in the data dir too.
        self.assertTrue(os.path.exists(os.path.join(self.data_dir, "tgkeep.db")))
        self.assertIn("tgkeep.db is at schema version", first.stdout)

        again = run_tgkeep_env("migrate", data_dir=self.data_dir, env=env)
        self.assertEqual(again.returncode, 0, again.stderr)
        pg_lines = [line for line in again.stdout.splitlines()
                    if f"127.0.0.1:{self.pg.port}" in line]
        self.assertEqual(len(pg_lines), 1, again.stdout)
        self.assertIn("is at schema version 2", pg_lines[0])
        self.assertEqual(self.pg.scalar("SELECT count(*) FROM schema_migrations"), 2)

        missing = run_tgkeep_env("migrate", data_dir=self.data_dir,
                                 env={"DATABASE_URL": self.url("no_such_db")})
        self.assertNotEqual(missing.returncode, 0)
        lines = missing.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, missing.stderr)
        self.assertIn("no_such_db", lines[0])
        self.assertIn("does not exist", lines[0])
        for out in (first, again, missing):
            self.assertNotIn(SECRET, out.stdout + out.stderr)

    # 4 -------------------------------------------------------------------------------------------
    def test_a_bad_database_url_stops_run_with_one_line_and_exit_code_2(self):
        bot = self.start_bot(extra_env={"DATABASE_URL": f"postgresql://u:{SECRET}@host:54x2/db"})
        self.assertEqual(bot.wait_exit(30), 2)
        out = bot.output()
        self.assertNotIn(SECRET, out)
        bad = [line for line in out.splitlines() if "DATABASE_URL" in line]
        self.assertEqual(len(bad), 1, out)
        self.assertIn("54x2", bad[0])
        self.assertEqual(self.api.stats()["confirmed_offset"], 0)


if __name__ == "__main__":
    unittest.main()
