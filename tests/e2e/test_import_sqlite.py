"""`tgkeep import-sqlite`: a bot run on the embedded default (SQLite) through some hundreds of
updates (several chats and a group, Cyrillic, emoji, hostile text, edits, a forgotten chat, a
spent quota, a tariff, a lexicon text), then imported into a real PostgreSQL (initdb'd per test):
every row of every table equal on both sides, a second import that changes nothing, an
interrupted import completed by the next one, and one clear line for what cannot be imported."""

import json
import os
import shutil
import sqlite3
import sys
import time
import unittest

# Also runnable from the repository's root: python3 -m unittest tests/e2e/test_import_sqlite.py
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (E2ETest, PgServer, database_env_cleared, run_tgkeep_env, wait_until)

SECRET = "pw-import-secret"  # in every URL given to tgkeep (trust ignores it): never in output
TARIFFS = "free=30/day,pro=500/day"
PRIVATE = list(range(2001, 2007))  # private chats, user id = chat id
GROUP = -1001234567890  # a supergroup, written to by three of them
FORGOTTEN = PRIVATE[5]  # its history is forgotten with /reset
PRO = PRIVATE[1]  # put on the pro tariff
HOSTILE = [
    "tab\there, newline\nthere, CR\rthere",
    "back\\slash \\N \\. \\\\ end\\",
    "'; DROP TABLE messages; -- \"quoted\" $1 %s {0} {}",
    "Привет, мир! Ёжик в тумане 🦔🌫️ 👨‍👩‍👧‍👦",
    "zero\x00byte in the middle",
    "|pipe|and,comma;",
    "\u202eright-to-left override\u202c and \ufeffBOM",
    "x" * 3000,
]
# Each table's columns, the same in both stores, in an order both can give.
TABLES = {
    "raw_updates": "SELECT update_id, type, chat_id, json, received_at, needs_handling, handled "
                   "FROM raw_updates ORDER BY update_id",
    "messages": "SELECT chat_id, message_id, user_id, role, text, date, update_id, edited, "
                "edit_date, reply_key, status FROM messages ORDER BY id",
    "users": "SELECT id, is_bot, username, first_name, last_name, language_code, first_seen, "
             "last_seen, tariff FROM users ORDER BY id",
    "usage_events": "SELECT user_id, update_id, at, tariff FROM usage_events "
                    "ORDER BY user_id, update_id",
    "lexicon": "SELECT language, key, text, updated_at FROM lexicon ORDER BY language, key",
}
BOOLEAN_COLUMNS = {"needs_handling", "handled", "edited", "is_bot"}


def as_postgres_stores_it(value):
    """A SQLite value as PostgreSQL holds it: NUL bytes become U+FFFD, 0/1 flags stay ints."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    return value


def normalize_json(text):
    """Raw JSON compared by content (jsonb keeps content, not bytes); \\u0000 became \\ufffd."""
    if text in (None, ""):
        return None
    return json.loads(text.replace("\\u0000", "\\ufffd"))


@unittest.skipUnless(PgServer.available(), "the PostgreSQL binaries are not installed")
class ImportSqliteTest(E2ETest):
    def setUp(self):
        database_env_cleared(self)
        super().setUp()
        self.pg = PgServer()
        self.addCleanup(self.pg.stop)  # after tearDown has stopped the bots
        self.db_path = os.path.join(self.data_dir, "tgkeep.db")
        self.outputs = []

    def url(self, dbname="postgres"):
        return self.pg.url(dbname, password=SECRET)

    def tgkeep(self, *args, database=True, **env):
        if database:
            env.setdefault("DATABASE_URL", self.url())
        out = run_tgkeep_env(*args, data_dir=self.data_dir, env=env, timeout=120)
        self.outputs.append(out.stdout + out.stderr)
        return out

    def import_sqlite(self, path=None):
        started = time.monotonic()
        out = self.tgkeep("import-sqlite", path or self.db_path)
        return out, time.monotonic() - started

    # --- the data --------------------------------------------------------------------------------

    def settle(self, ids):
        """Waits until the updates up to ids["last"] are stored, handled and answered."""
        self.wait_confirmed(ids["last"])  # acknowledged only once stored

        def settled():
            return (self.scalar("SELECT COUNT(*) FROM raw_updates "
                                "WHERE needs_handling = 1 AND handled = 0") == 0 and
                    self.scalar("SELECT COUNT(*) FROM messages WHERE status = 'pending'") == 0)
        wait_until(settled, 60, interval=0.1, what="handled updates and sent replies")

    def send_and_settle(self, items):
        self.settle(self.api.messages(items))

    def message_id_of(self, chat, text):
        return self.scalar("SELECT message_id FROM messages WHERE chat_id = ? AND text = ? "
                           "AND role = 'user'", chat, text)

    def edit(self, chat, user, text, new_text, chat_type="private"):
        message_id = self.message_id_of(chat, text)
        date = self.scalar("SELECT date FROM messages WHERE chat_id = ? AND message_id = ?",
                           chat, message_id)
        self.assertIsNotNone(message_id, text)
        return {"edited_message": {
            "message_id": message_id, "date": date, "edit_date": date + 5, "text": new_text,
            "from": {"id": user, "is_bot": False, "first_name": "Юля", "language_code": "ru"},
            "chat": {"id": chat, "type": chat_type, **({"title": "Группа 🚀"} if chat < 0
                                                       else {"first_name": "Юля"})}}}

    def make_history(self):
        """Some hundreds of updates on the embedded default, then a tariff and a lexicon text."""
        bot = self.start_bot(extra_env={"TGKEEP_TARIFFS": TARIFFS})
        items = []
        for i in range(240):
            chat = PRIVATE[i % len(PRIVATE)]
            items.append({"chat_id": chat, "user_id": chat, "first_name": "Юля",
                          "last_name": f"№{chat}", "username": f"user_{chat}",
                          "language_code": "ru" if chat % 2 else "en",
                          "text": f"сообщение {i} в чате {chat} 🙂 " + HOSTILE[i % len(HOSTILE)]})
        for i in range(60):
            user = PRIVATE[i % 3]
            items.append({"chat_id": GROUP, "user_id": user, "chat_type": "supergroup",
                          "title": "Группа 🚀", "first_name": "Юля", "language_code": "ru",
                          "text": f"в группе {i}: " + HOSTILE[(i + 3) % len(HOSTILE)]})
        items.append({"chat_id": PRIVATE[0], "user_id": PRIVATE[0], "text": "/limits"})
        items.append({"chat_id": PRIVATE[2], "user_id": PRIVATE[2], "text": "/history 5"})
        self.send_and_settle(items)

        # Edits of user messages (a private chat and the group), and updates stored raw only.
        raw = [self.edit(PRIVATE[0], PRIVATE[0], items[0]["text"], "изменено ✏️ \\N\tnew"),
               self.edit(GROUP, items[242]["user_id"], items[242]["text"], "edited in the group",
                         "supergroup"),
               {"poll": {"id": "5000001", "question": "Вопрос? 🤔", "total_voter_count": 1,
                         "options": [{"text": "да", "voter_count": 1},
                                     {"text": "нет\t\\N", "voter_count": 0}],
                         "is_closed": False, "is_anonymous": True, "type": "regular",
                         "allows_multiple_answers": False}},
               {"message": {"message_id": 999001, "date": 1700000001, "text": "nul \u0000 here",
                            "from": {"id": PRIVATE[4], "is_bot": False, "first_name": "N"},
                            "chat": {"id": PRIVATE[4], "type": "private"}}}]
        self.settle(self.api.updates(raw))

        # One chat forgotten (the second /reset confirms), then written to again.
        self.send_and_settle([{"chat_id": FORGOTTEN, "user_id": FORGOTTEN, "text": "/reset"}])
        self.send_and_settle([{"chat_id": FORGOTTEN, "user_id": FORGOTTEN, "text": "/reset"}])
        self.send_and_settle([{"chat_id": FORGOTTEN, "user_id": FORGOTTEN,
                               "text": "after the reset ♻️"}])
        self.assertEqual(bot.terminate(), 0)

        tariff = self.tgkeep("tariff", str(PRO), "pro", database=False, TGKEEP_TARIFFS=TARIFFS)
        self.assertEqual(tariff.returncode, 0, tariff.stderr)
        lexicon = self.tgkeep("lexicon", "set", "ru", "greeting",
                              "Привет, {name}! 👋\tтаб \\N и \\", database=False)
        self.assertEqual(lexicon.returncode, 0, lexicon.stderr)

        # The history holds what the test is about.
        self.assertGreater(self.scalar("SELECT COUNT(*) FROM raw_updates"), 300)
        self.assertGreater(self.scalar("SELECT COUNT(*) FROM raw_updates WHERE chat_id = ? "
                                       "AND json IS NULL", FORGOTTEN), 40)
        self.assertGreater(self.scalar("SELECT COUNT(*) FROM messages WHERE edited = 1"), 1)
        self.assertEqual(self.scalar("SELECT tariff FROM users WHERE id = ?", PRO), "pro")
        self.assertGreater(self.scalar("SELECT COUNT(*) FROM usage_events"), 150)
        self.assertEqual(self.scalar("SELECT COUNT(*) FROM lexicon"), 1)
        self.assertGreater(self.scalar("SELECT COUNT(*) FROM messages WHERE text LIKE ?",
                                       "%\x00%"), 0)

    # --- comparing -------------------------------------------------------------------------------

    def sqlite_rows(self, table):
        rows = []
        with self.db() as conn:
            for row in conn.execute(TABLES[table]):
                values = dict(row)
                if "json" in values:
                    values["json"] = normalize_json(values["json"])
                for column in BOOLEAN_COLUMNS & values.keys():
                    values[column] = bool(values[column])
                if values.get("reply_key") == "":
                    values["reply_key"] = None
                rows.append({k: as_postgres_stores_it(v) for k, v in values.items()})
        return rows

    def pg_rows(self, table):
        text = self.pg.psql(f"SELECT coalesce(json_agg(t), '[]') FROM ({TABLES[table]}) t")
        return json.loads(text)  # jsonb values come back as JSON, compared by content

    def assert_tables_equal(self):
        for table in TABLES:
            with self.subTest(table=table):
                mine, theirs = self.sqlite_rows(table), self.pg_rows(table)
                self.assertEqual(len(theirs), len(mine))
                self.assertEqual(theirs, mine)
        # Every message of the export alike, in the same order, from either store.
        lite = self.tgkeep("export", "--tier", "sqlite", database=False)
        self.assertEqual(lite.returncode, 0, lite.stderr)
        post = self.tgkeep("export", "--tier", "postgres")
        self.assertEqual(post.returncode, 0, post.stderr)
        lite_rows = [json.loads(line) for line in lite.stdout.splitlines()]
        for row in lite_rows:
            row["text"] = as_postgres_stores_it(row["text"])
        self.assertEqual([json.loads(line) for line in post.stdout.splitlines()], lite_rows)
        self.assertGreater(len(lite_rows), 500)

    def snapshot(self):
        """Every row of PostgreSQL's tables, identities included."""
        return {table: self.pg.psql(f"SELECT coalesce(json_agg(t ORDER BY t::text), '[]') "
                                    f"FROM {table} t")
                for table in TABLES}

    def summary(self, out):
        """{table: (read, newly stored, already there)} from the import's summary lines."""
        result = {}
        for line in out.stdout.splitlines():
            for table in TABLES:
                prefix = f"tgkeep: {table}: read "
                if line.startswith(prefix):
                    parts = line[len(prefix):].replace(",", "").split()
                    result[table] = (int(parts[0]), int(parts[3]), int(parts[6]))
        return result

    def assert_no_secret(self):
        for text in self.outputs:
            self.assertNotIn(SECRET, text)

    # 1 -------------------------------------------------------------------------------------------
    def test_import_copies_every_row_and_importing_again_changes_nothing(self):
        self.make_history()
        counts = {table: len(self.sqlite_rows(table)) for table in TABLES}

        first, took = self.import_sqlite()
        self.assertEqual(first.returncode, 0, first.stderr)
        print(f"\nimport of {sum(counts.values())} rows took {took:.2f} s "
              f"({first.stdout.splitlines()[-1]})", file=sys.stderr)
        self.assertEqual(self.summary(first), {t: (n, n, 0) for t, n in counts.items()},
                         first.stdout)
        # Progress on stderr (not a terminal here: plain lines), ending at the total.
        total = sum(counts.values())
        self.assertIn(f"imported: {total}/{total} rows (100%)", first.stderr)
        self.assertIn(f"127.0.0.1:{self.pg.port}", first.stdout)
        self.assertIn("postgres:****@", first.stdout)
        self.assert_tables_equal()
        self.assertEqual(self.pg.psql("SELECT max(version) FROM schema_migrations"), "2")
        # jsonb, queryable; the \u0000 escape became U+FFFD.
        self.assertEqual(self.pg.scalar(
            "SELECT count(*) FROM raw_updates WHERE json->'message'->>'text' = 'nul \ufffd here'"),
            1)
        before = self.snapshot()

        # Again: nothing newly stored, the very same rows (identities included).
        second, _ = self.import_sqlite()
        self.assertEqual(second.returncode, 0, second.stderr)
        self.assertEqual(self.summary(second), {t: (n, 0, n) for t, n in counts.items()},
                         second.stdout)
        self.assertEqual(self.snapshot(), before)

        # Interrupted: each batch is one transaction, so an import stopped midway leaves the first
        # rows of a table. The next import adds the rest, in order.
        self.pg.psql("DELETE FROM messages WHERE id > (SELECT max(id) - 150 FROM messages)")
        self.pg.psql("DELETE FROM usage_events WHERE update_id > 200")
        self.pg.psql("DELETE FROM lexicon")
        self.pg.psql("DELETE FROM users WHERE id > 2003")
        self.pg.psql("DELETE FROM raw_updates WHERE update_id > 250")
        third, _ = self.import_sqlite()
        self.assertEqual(third.returncode, 0, third.stderr)
        stored = {t: s for t, (_, s, _) in self.summary(third).items()}
        self.assertEqual(stored["messages"], 150)
        self.assertEqual(stored["lexicon"], 1)
        self.assertGreater(stored["raw_updates"], 50)
        self.assert_tables_equal()
        self.assert_no_secret()

    # 2 -------------------------------------------------------------------------------------------
    def test_a_bot_on_postgres_then_sees_the_imported_history_and_tariff(self):
        self.make_history()
        out, _ = self.import_sqlite(self.data_dir)  # a data dir works as well as its file
        self.assertEqual(out.returncode, 0, out.stderr)
        bot = self.start_bot(extra_env={"DATABASE_URL": self.url(), "TGKEEP_TARIFFS": TARIFFS})
        last = PRIVATE[2]
        self.api.messages([{"chat_id": last, "user_id": last, "text": "/history 3",
                            "language_code": "en"},
                           {"chat_id": PRO, "user_id": PRO, "text": "/limits",
                            "language_code": "en"}])
        wait_until(lambda: any(s["text"].startswith("Last") for s in self.api.sent(last)[-1:]),
                   30, what="/history from PostgreSQL")
        history = self.api.sent(last)[-1]["text"]
        self.assertIn("/history 5", history)  # the last command before the import
        used = self.scalar("SELECT COUNT(*) FROM usage_events WHERE user_id = ?", PRO)
        self.assertGreater(used, 0)
        limits = wait_until(lambda: [s["text"] for s in self.api.sent(PRO)
                                     if s["text"].startswith("Plan")], 30,
                            what="/limits of the pro tariff")
        self.assertIn(f"Plan “pro”: {500 - used} of 500 messages left", limits[-1])
        self.assertEqual(bot.terminate(), 0)
        self.assertNotIn(SECRET, bot.output())
        self.assert_no_secret()

    # 3 -------------------------------------------------------------------------------------------
    def test_a_later_import_brings_rows_forward_and_never_back(self):
        made = self.tgkeep("migrate", database=False)
        self.assertEqual(made.returncode, 0, made.stderr)
        with sqlite3.connect(self.db_path) as conn:
            conn.executescript("""
              INSERT INTO users VALUES (7, 0, 'u', 'F', 'L', 'ru', 10, 20, '');
              INSERT INTO users VALUES (8, 0, 'v', 'G', 'M', 'en', 10, 20, '');
              INSERT INTO raw_updates VALUES (1, 'message', 7, '{"update_id":1}', 5, 1, 0);
              INSERT INTO messages (chat_id, message_id, user_id, role, text, date, update_id,
                status) VALUES (7, 1, 7, 'user', 'hi', 10, 1, 'sent');
              INSERT INTO messages (chat_id, message_id, user_id, role, text, date, update_id,
                reply_key, status) VALUES (7, NULL, NULL, 'assistant', 'hi back', 10, 1, 'k1',
                'pending');
              INSERT INTO messages (chat_id, message_id, user_id, role, text, date, update_id,
                reply_key, status) VALUES (7, NULL, NULL, 'assistant', 'part two', 10, 1, 'k2',
                'pending');
              INSERT INTO lexicon VALUES ('en', 'greeting', 'old', 100);
              INSERT INTO lexicon VALUES ('en', 'help', 'help from SQLite', 100);""")
        first, _ = self.import_sqlite()
        self.assertEqual(first.returncode, 0, first.stderr)
        # Meanwhile, in PostgreSQL: a tariff and a newer text of the operator's.
        self.pg.psql("UPDATE users SET tariff = 'gold' WHERE id = 8")
        self.pg.psql("UPDATE lexicon SET text = 'help from PostgreSQL', updated_at = 300 "
                     "WHERE key = 'help'")
        # Meanwhile, in SQLite: handled, edited, settled, re-sent after a crash (resending), seen
        # again, renamed, a newer text.
        with sqlite3.connect(self.db_path) as conn:
            conn.executescript("""
              UPDATE users SET username = 'u2', last_seen = 30, tariff = 'pro' WHERE id = 7;
              UPDATE users SET last_seen = 40 WHERE id = 8;
              UPDATE raw_updates SET handled = 1;
              UPDATE messages SET text = 'hi edited', edited = 1, edit_date = 15
                WHERE message_id = 1;
              UPDATE messages SET status = 'sent', message_id = 2, date = 11
                WHERE reply_key = 'k1';
              UPDATE messages SET status = 'resending', date = 12 WHERE reply_key = 'k2';
              UPDATE lexicon SET text = 'new', updated_at = 200 WHERE key = 'greeting';""")
        second, _ = self.import_sqlite()
        self.assertEqual(second.returncode, 0, second.stderr)
        self.assertIn("tgkeep: messages: read 3, newly stored 0, already there 3 "
                      "(3 brought up to date)", second.stdout)
        self.assertEqual(self.pg.psql("SELECT id, username, last_seen, tariff FROM users "
                                      "ORDER BY id"), "7|u2|30|pro\n8|v|40|gold")
        self.assertEqual(self.pg.psql("SELECT handled FROM raw_updates"), "t")
        self.assertEqual(self.pg.psql("SELECT message_id, text, edited, edit_date, status "
                                      "FROM messages ORDER BY id"),
                         "1|hi edited|t|15|sent\n2|hi back|f||sent\n|part two|f||resending")
        self.assertEqual(self.pg.psql("SELECT key, text FROM lexicon ORDER BY key"),
                         "greeting|new\nhelp|help from PostgreSQL")
        before = self.snapshot()
        third, _ = self.import_sqlite()
        self.assertEqual(third.returncode, 0, third.stderr)
        self.assertNotIn("brought up to date", third.stdout)
        self.assertEqual(self.snapshot(), before)
        # The re-send settled in SQLite: PostgreSQL's resending moves on to sent.
        with sqlite3.connect(self.db_path) as conn:
            conn.execute("UPDATE messages SET status = 'sent', message_id = 3, date = 13 "
                         "WHERE reply_key = 'k2'")
        fourth, _ = self.import_sqlite()
        self.assertEqual(fourth.returncode, 0, fourth.stderr)
        self.assertIn("(1 brought up to date)", fourth.stdout)
        self.assertEqual(self.pg.psql("SELECT message_id, date, status FROM messages "
                                      "WHERE reply_key = 'k2'"), "3|13|sent")

    # 4 -------------------------------------------------------------------------------------------
    def test_what_cannot_be_imported_is_refused_with_one_line(self):
        def refused(out, *expected, code=1):
            self.assertEqual(out.returncode, code, out.stdout + out.stderr)
            lines = out.stderr.strip().splitlines()
            self.assertEqual(len(lines), 1, out.stderr)
            for text in expected:
                self.assertIn(text, lines[0])
            return lines[0]

        missing = os.path.join(self.tmp, "nowhere", "tgkeep.db")
        refused(self.import_sqlite(missing)[0], missing, "does not exist")

        text_file = os.path.join(self.tmp, "notes.txt")
        with open(text_file, "w") as f:
            f.write("not a database at all\n" * 20)
        refused(self.import_sqlite(text_file)[0], text_file, "not a tgkeep database")

        empty = os.path.join(self.tmp, "empty.db")
        open(empty, "w").close()
        refused(self.import_sqlite(empty)[0], "not a tgkeep database")

        other = os.path.join(self.tmp, "other.db")
        with sqlite3.connect(other) as conn:
            conn.execute("CREATE TABLE messages (id INTEGER PRIMARY KEY, body TEXT)")
        refused(self.import_sqlite(other)[0], other, "not a tgkeep database")

        # A tgkeep database from a newer tgkeep.
        made = self.tgkeep("migrate", database=False)
        self.assertEqual(made.returncode, 0, made.stderr)
        newer = os.path.join(self.tmp, "newer.db")
        shutil.copy(self.db_path, newer)
        with sqlite3.connect(newer) as conn:
            conn.execute("PRAGMA user_version = 99")
        refused(self.import_sqlite(newer)[0], "schema version 99", "upgrade tgkeep")

        # Nothing was written to PostgreSQL by any of them.
        self.assertEqual(self.pg.psql("SELECT to_regclass('messages') IS NULL"), "t")

        # PostgreSQL not configured, or not reachable as configured.
        refused(self.tgkeep("import-sqlite", self.db_path, database=False), "DATABASE_URL",
                code=2)
        refused(self.tgkeep("import-sqlite", self.db_path,
                            DATABASE_URL=f"postgresql://u:{SECRET}@127.0.0.1:54x2/db"),
                "DATABASE_URL", "54x2", code=2)
        no_db = refused(self.tgkeep("import-sqlite", self.db_path,
                                    DATABASE_URL=self.url("no_such_db")),
                        "no_such_db", "does not exist")
        self.assertIn(f"127.0.0.1:{self.pg.port}", no_db)

        # An empty tgkeep database imports nothing, successfully.
        empty_import, _ = self.import_sqlite()
        self.assertEqual(empty_import.returncode, 0, empty_import.stderr)
        self.assertEqual(self.summary(empty_import), {t: (0, 0, 0) for t in TABLES})
        self.assert_no_secret()


if __name__ == "__main__":
    unittest.main()
