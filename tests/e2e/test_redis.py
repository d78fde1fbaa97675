"""The real `tgkeep run` with a real redis-server as its hot tier: the chosen candidate, keys and
lists in Redis, a wrong password, quotas that survive a Redis that lost its data, Redis killed
and restarted mid-run, and `tgkeep history --tier redis`."""

import json
import os
import signal
import sys
import time
import unittest

# Also runnable from the repository's root: python3 -m unittest tests/e2e/test_redis.py
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (E2ETest, RedisServer, RespError, redis_env, run_tgkeep_env, wait_until)

PASSWORD = "e2e-Redis-pw-7f3c91d0"  # never to appear in a log line
PREFIX = "tgkeep"


def history_key(chat):
    return f"{PREFIX}:{{chat:{chat}}}:history"


def texts(items, chat):
    return [m["text"] for m in items if m["chat_id"] == chat]


@unittest.skipUnless(RedisServer.available(), "redis-server is not installed")
class RedisTest(E2ETest):
    def setUp(self):
        super().setUp()
        self.redis = self.start_redis(password=PASSWORD)

    def start_redis(self, **kwargs):
        server = RedisServer(**kwargs)
        self.addCleanup(server.stop)  # after tearDown has stopped the bots
        return server

    def start_redis_bot(self, args=(), **redis_vars):
        return self.start_bot(extra_env=redis_env(**redis_vars), args=list(args))

    def replies(self, chat):
        return [s["text"] for s in self.api.sent(chat)]

    def wait_replies(self, chat, count, timeout=20):
        return wait_until(lambda: self.replies(chat) if len(self.replies(chat)) >= count else None,
                          timeout, what=f"{count} replies in chat {chat}")

    def hot_list(self, chat):
        """The chat's list in Redis, decoded, without the empty marker at its head."""
        raw = self.redis.cli("LRANGE", history_key(chat), 0, -1)
        return [json.loads(entry) for entry in raw if entry]

    def redis_log_lines(self, out):
        return [line for line in out.splitlines()
                if "redis" in line.lower() or "unreachable" in line.lower()]

    def assert_no_password(self, out, *secrets):
        for secret in (PASSWORD, *secrets):
            self.assertNotIn(secret, out)

    # 1 -------------------------------------------------------------------------------------------
    def test_history_keys_and_dedupe_in_redis_with_the_candidate_logged_and_password_masked(self):
        bot = self.start_redis_bot(REDIS_URL=self.redis.url())
        items = [{"chat_id": 101 + i % 3, "user_id": 101 + i % 3, "language_code": "en",
                  "text": f"note {i} for chat {101 + i % 3}"} for i in range(12)]
        ids = self.api.messages(items)
        for chat in (101, 102, 103):
            self.wait_replies(chat, 4)

        self.api.messages([{"chat_id": 101, "user_id": 101, "language_code": "en",
                            "text": "/history"}])
        history = self.wait_replies(101, 5)[-1]
        lines = history.splitlines()
        self.assertEqual(lines[0], "Last 8 messages of this chat:")
        expected = []
        for text in texts(items, 101):
            expected += [f"you: {text}", f"bot: {text}"]
        self.assertEqual(lines[1:], expected)

        # The list was filled from SQLite by that read: everything stored in the chat, the
        # /history command included, and the reply appended after it.
        wait_until(lambda: len(self.hot_list(101)) == 10, 10, what="the reply in the hot list")
        entries = self.hot_list(101)
        self.assertEqual([e["t"] for e in entries if e["r"] == "u"],
                         texts(items, 101) + ["/history"])
        self.assertEqual([e["t"] for e in entries if e["r"] == "a"],
                         texts(items, 101) + [history])
        self.assertTrue(all(e["c"] == 101 for e in entries))
        # Chats nobody read have no list: writes only extend lists that exist.
        self.assertEqual(self.redis.cli("EXISTS", history_key(102)), 0)

        # Every update's dedupe key, with a TTL of at most a day.
        for update_id in range(ids["first"], ids["last"] + 1):
            key = f"{PREFIX}:update:{update_id}"
            self.assertEqual(self.redis.cli("EXISTS", key), 1, key)
            ttl = self.redis.cli("TTL", key)
            self.assertGreater(ttl, 0, key)
            self.assertLessEqual(ttl, 86400, key)

        self.assertEqual(bot.terminate(), 0)
        out = bot.output()
        self.assertIn("using REDIS_URL", out)
        self.assertIn("default:****@127.0.0.1", out)
        self.assert_no_password(out)

    # 2 -------------------------------------------------------------------------------------------
    def test_private_url_that_does_not_resolve_falls_back_to_the_public_url(self):
        private_password = "railway-private-pw-0a1b2c"
        bot = self.start_redis_bot(
            REDIS_PRIVATE_URL=f"redis://default:{private_password}@redis.railway.internal:6379",
            REDIS_PUBLIC_URL=self.redis.url())
        self.api.messages([{"chat_id": 201, "user_id": 201, "text": "over the proxy"},
                           {"chat_id": 201, "user_id": 201, "text": "/history"}])
        replies = self.wait_replies(201, 2)
        self.assertEqual(replies[0], "over the proxy")
        self.assertIn("over the proxy", replies[1])
        # The bot really uses the public server.
        wait_until(lambda: self.redis.cli("EXISTS", history_key(201)), 10,
                   what="the chat's list in the public Redis")
        self.assertEqual(bot.terminate(), 0)

        out = bot.output()
        chosen = [line for line in out.splitlines() if "using REDIS_PUBLIC_URL" in line]
        self.assertEqual(len(chosen), 1, out)
        # ... and says why: the private one failed, its name does not resolve.
        self.assertIn("REDIS_PRIVATE_URL", chosen[0])
        self.assertIn("redis.railway.internal", chosen[0])
        self.assertIn("failed", chosen[0])
        self.assertIn("does not resolve", chosen[0])
        self.assertEqual(chosen[0].count("resolves only inside"), 1, chosen[0])  # said once
        self.assert_no_password(out, private_password)

    # 3 -------------------------------------------------------------------------------------------
    def test_wrong_password_logs_one_masked_wrongpass_line_and_the_bot_still_answers(self):
        wrong = "not-the-password-9e8d7c"
        bot = self.start_redis_bot(REDIS_URL=self.redis.url(password=wrong))
        items = [{"chat_id": 301, "user_id": 301, "text": f"still here {i}"} for i in range(3)]
        self.api.messages(items)
        self.assertEqual(self.wait_replies(301, 3), texts(items, 301))
        self.api.messages([{"chat_id": 301, "user_id": 301, "text": "/history",
                            "language_code": "en"}])
        self.assertIn("you: still here 2", self.wait_replies(301, 4)[-1])
        # The bot keeps retrying in the background (Redis logs each refused AUTH) ...
        wait_until(lambda: sum(int(dict(zip(e[::2], e[1::2]))["count"])
                               for e in self.acl_log()) >= 5, 15,
                   what="the bot to retry the password a few times")
        self.assertEqual(self.scalar("SELECT COUNT(*) FROM messages WHERE chat_id=301"), 8)
        self.assertEqual(bot.terminate(), 0)

        # ... but says so once.
        out = bot.output()
        wrongpass = [line for line in out.splitlines() if "WRONGPASS" in line]
        self.assertEqual(len(wrongpass), 1, out)
        self.assertIn("rejected the password", wrongpass[0])
        self.assertIn("default:****@127.0.0.1", wrongpass[0])
        self.assert_no_password(out, wrong)
        self.assertEqual(self.redis.cli("DBSIZE"), 0)

    def acl_log(self):
        try:
            return self.redis.cli("ACL", "LOG")
        except RespError:
            return []

    # 4 -------------------------------------------------------------------------------------------
    def test_quota_is_kept_in_redis_rebuilt_from_sqlite_and_changed_by_the_tariff_command(self):
        tariffs = "free=3/day,pro=100/day"
        bot = self.start_redis_bot(args=["--tariffs", tariffs], REDIS_URL=self.redis.url())
        user = 401
        say = lambda text: self.api.messages(  # noqa: E731
            [{"chat_id": user, "user_id": user, "language_code": "en", "text": text}])

        for i in range(2):
            say(f"paid {i}")
        self.wait_replies(user, 2)
        say("/limits")
        limits = self.wait_replies(user, 3)[-1]
        self.assertIn("1 of 3 messages left for today", limits)
        self.assertIn("“free”", limits)
        say("paid 2")
        self.wait_replies(user, 4)
        say("one too many")
        refused = self.wait_replies(user, 5)[-1]
        self.assertEqual(self.replies(user)[:4], ["paid 0", "paid 1", limits, "paid 2"])
        self.assertIn("used all 3 messages", refused)
        self.assertIn("renews", refused)
        self.assertIn("UTC", refused)
        say("/limits")
        self.assertIn("0 of 3 messages left", self.wait_replies(user, 6)[-1])
        counters = self.redis.cli("KEYS", f"{PREFIX}:{{user:{user}}}:usage:d*")
        self.assertEqual(len(counters), 1)
        self.assertEqual(self.redis.cli("GET", counters[0]), "3")
        self.assertEqual(self.scalar("SELECT COUNT(*) FROM usage_events WHERE user_id=?", user), 3)

        # Redis loses everything: the counter is rebuilt from the usage events in SQLite.
        self.assertEqual(self.redis.cli("FLUSHALL"), "OK")
        say("after the flush")
        refused_again = self.wait_replies(user, 7)[-1]
        self.assertIn("used all 3 messages", refused_again)
        wait_until(lambda: self.redis.cli("GET", counters[0]) == "3", 10,
                   what="the counter rebuilt in Redis")

        cli_env = redis_env(REDIS_URL=self.redis.url(), TGKEEP_TARIFFS=tariffs)
        shown = run_tgkeep_env("tariff", str(user), data_dir=self.data_dir, env=cli_env)
        self.assertEqual(shown.returncode, 0, shown.stderr)
        self.assertIn(f"user {user}: tariff free (3/day), 3 used, 0 left, renews", shown.stdout)
        self.assertIn("UTC", shown.stdout)

        # The user's profile is cached in Redis; the CLI drops it, so the running bot sees pro.
        self.assertEqual(self.redis.cli("EXISTS", f"{PREFIX}:{{user:{user}}}:profile"), 1)
        upgraded = run_tgkeep_env("tariff", str(user), "pro", data_dir=self.data_dir,
                                  env=cli_env)
        self.assertEqual(upgraded.returncode, 0, upgraded.stderr)
        # No stale profile left: the CLI dropped it (and its own read may cache the new one).
        cached = self.redis.cli("GET", f"{PREFIX}:{{user:{user}}}:profile")
        self.assertTrue(cached is None or json.loads(cached).get("p") == "pro", cached)
        self.assertIn("tariff pro (100/day)", upgraded.stdout)
        self.assertIn("97 left", upgraded.stdout)
        say("now on pro")
        self.assertEqual(self.wait_replies(user, 8)[-1], "now on pro")
        say("/limits")
        self.assertIn("96 of 100 messages left", self.wait_replies(user, 9)[-1])

        self.assertEqual(bot.terminate(), 0)
        self.assert_no_password(bot.output() + shown.stdout + shown.stderr + upgraded.stderr)

    # 5 -------------------------------------------------------------------------------------------
    def test_redis_killed_mid_run_loses_nothing_logs_little_and_comes_back_clean(self):
        bot = self.start_redis_bot(args=["--tariffs", "free=1000/day"],
                                   REDIS_URL=self.redis.url())
        chats = list(range(500, 550))
        items = [{"chat_id": chats[i % 50], "user_id": chats[i % 50],
                  "text": f"stream {i} chat {chats[i % 50]}"} for i in range(300)]
        # A chat read (its list filled) before the outage.
        self.api.messages([{"chat_id": 549, "user_id": 549, "text": "/history"}])
        self.wait_replies(549, 1)
        wait_until(lambda: self.redis.cli("EXISTS", history_key(549)), 10, what="a filled list")

        # A steady stream; Redis is SIGKILLed after a third of it, the rest comes without it.
        for batch in range(30):
            self.api.messages(items[batch * 10:(batch + 1) * 10])
            if batch == 10:
                self.wait_stored(1 + 100)
                self.redis.kill()
            time.sleep(0.02)
        total = 1 + len(items)
        wait_until(lambda: len(self.api.sent()) >= total, 30, what="every reply")
        wait_until(lambda: self.scalar(
            "SELECT COUNT(*) FROM raw_updates WHERE needs_handling=1 AND handled=0") == 0, 30,
            what="every update handled")

        # Exactly once in SQLite, exactly once answered, in order.
        self.assertEqual(self.scalar("SELECT COUNT(*) FROM raw_updates"), total)
        self.assertEqual(self.scalar("SELECT COUNT(*) FROM messages WHERE role='user'"), total)
        self.assertEqual(self.query(
            "SELECT chat_id, message_id FROM messages WHERE role='user' "
            "GROUP BY chat_id, message_id HAVING COUNT(*) > 1"), [])
        self.assertEqual(len(self.api.sent()), total)
        for chat in chats[:-1]:
            self.assertEqual(self.replies(chat), texts(items, chat), f"chat {chat}")
        self.assertEqual(self.replies(549)[1:], texts(items, 549))

        # Losing Redis is told in a few lines, not one per message.
        outage_lines = self.redis_log_lines(bot.output().split("polling for updates", 1)[1])
        self.assertGreaterEqual(len(outage_lines), 1, "the loss of Redis is not logged")
        self.assertLessEqual(len(outage_lines), 5, "\n".join(outage_lines))

        # Redis comes back, empty: the bot uses it again.
        self.redis.restart()
        wait_until(lambda: "answers again" in bot.output(), 20, what="the bot back on Redis")
        after = [{"chat_id": 549, "user_id": 549, "text": "after the outage"},
                 {"chat_id": 549, "user_id": 549, "text": "/history 100",
                  "language_code": "en"}]
        self.api.messages(after)
        history = self.wait_replies(549, 2 + len(texts(items, 549)) + 1)[-1]
        # The /history before the outage, its reply, the stream and the message after.
        shown = [line[len("you: "):] for line in history.splitlines() if line.startswith("you: ")]
        self.assertEqual(shown, ["/history"] + texts(items, 549) + ["after the outage"])
        self.assertEqual(history.splitlines()[0], "Last 16 messages of this chat:")
        wait_until(lambda: [e["t"] for e in self.hot_list(549) if e["r"] == "u"]
                   == shown + ["/history 100"], 10, what="the chat's list refilled")

        self.assertEqual(bot.terminate(), 0)
        out = bot.output()
        self.assertLessEqual(len(self.redis_log_lines(out.split("polling for updates", 1)[1])),
                             7, out)
        self.assert_no_password(out)

    # 6 -------------------------------------------------------------------------------------------
    def test_history_cli_reads_the_hot_tier_and_explains_when_redis_is_missing(self):
        bot = self.start_redis_bot(REDIS_URL=self.redis.url())
        items = [{"chat_id": 601, "user_id": 601, "text": f"line {i}"} for i in range(4)]
        self.api.messages(items)
        self.wait_replies(601, 4)
        self.api.messages([{"chat_id": 601, "user_id": 601, "text": "/history"}])
        self.wait_replies(601, 5)
        wait_until(lambda: len(self.hot_list(601)) == 10, 10, what="the filled hot list")

        env = redis_env(REDIS_URL=self.redis.url())
        hot = run_tgkeep_env("history", "601", "--tier", "redis", "--limit", "50",
                             data_dir=self.data_dir, env=env)
        self.assertEqual(hot.returncode, 0, hot.stderr)
        lines = hot.stdout.splitlines()
        self.assertEqual(len(lines), 10, hot.stdout)
        user_lines = [line for line in lines if " user 601: " in line]
        self.assertEqual([line.split(" user 601: ", 1)[1] for line in user_lines],
                         texts(items, 601) + ["/history"])
        self.assertIn("bot: Last 8 messages", lines[-1])
        # The user's lines as the system of record has them (the bot's last reply differs: its
        # hot entry was appended before Telegram gave it a message_id).
        cold = run_tgkeep_env("history", "601", "--limit", "50", data_dir=self.data_dir, env={})
        self.assertEqual(cold.returncode, 0, cold.stderr)
        self.assertEqual([line for line in cold.stdout.splitlines() if " user 601: " in line],
                         user_lines)
        self.assert_no_password(hot.stdout + hot.stderr)

        # A chat never read has no list: said on stderr, not an error.
        empty = run_tgkeep_env("history", "999", "--tier", "redis", data_dir=self.data_dir,
                               env=env)
        self.assertEqual(empty.returncode, 0, empty.stderr)
        self.assertEqual(empty.stdout, "")
        self.assertIn("holds no history of chat 999", empty.stderr)

        # Without Redis configured: one clear line, a non-zero exit.
        missing = run_tgkeep_env("history", "601", "--tier", "redis", data_dir=self.data_dir)
        self.assertNotEqual(missing.returncode, 0)
        self.assertEqual(missing.stdout, "")
        self.assertEqual(len(missing.stderr.strip().splitlines()), 1, missing.stderr)
        self.assertIn("Redis is not configured", missing.stderr)
        self.assertIn("REDIS_URL", missing.stderr)

        self.assertEqual(bot.terminate(), 0)

    # 7 -------------------------------------------------------------------------------------------
    def test_a_frozen_redis_keeps_a_stale_list_that_history_never_serves(self):
        # SIGSTOP: Redis keeps its data but answers nothing, so writes time out and the chat's
        # list, still in Redis, misses them. It must be dropped, not served, once Redis answers.
        bot = self.start_redis_bot(args=["--redis-timeout", "100"], REDIS_URL=self.redis.url())
        self.api.messages([{"chat_id": 701, "user_id": 701, "text": "before"},
                           {"chat_id": 701, "user_id": 701, "text": "/history"}])
        self.wait_replies(701, 2)
        wait_until(lambda: len(self.hot_list(701)) == 4, 10, what="the filled hot list")

        during = [{"chat_id": 701, "user_id": 701, "text": f"frozen {i}"} for i in range(3)]
        os.kill(self.redis.proc.pid, signal.SIGSTOP)
        try:
            for n, item in enumerate(during):  # one at a time: later writes find Redis down
                self.api.messages([item])
                self.wait_replies(701, 3 + n, timeout=30)
        finally:
            os.kill(self.redis.proc.pid, signal.SIGCONT)
        wait_until(lambda: "answers again" in bot.output(), 20, what="the bot back on Redis")
        # Nothing has touched the chat since: its list in Redis is stale.
        stale = [(e["r"], e["t"]) for e in self.hot_list(701)]
        self.assertNotIn(("a", "frozen 2"), stale)

        self.api.messages([{"chat_id": 701, "user_id": 701, "text": "/history 50",
                            "language_code": "en"}])
        history = self.wait_replies(701, 6, timeout=30)[-1]
        first_history = self.replies(701)[1].replace("\n", " ")  # one line per message
        expected = ["you: before", "bot: before", "you: /history", f"bot: {first_history}"]
        for item in during:
            expected += [f"you: {item['text']}", f"bot: {item['text']}"]
        self.assertEqual(history.splitlines()[1:], expected)
        # Refilled from SQLite: everything, the new /history included.
        wait_until(lambda: ("u", "/history 50") in [(e["r"], e["t"]) for e in self.hot_list(701)],
                   10, what="the refilled list")
        self.assertIn(("a", "frozen 2"), [(e["r"], e["t"]) for e in self.hot_list(701)])
        self.assertEqual(bot.terminate(), 0)
        out = bot.output()
        self.assertIn("dropped 1 chat histories", out)
        self.assert_no_password(out)


if __name__ == "__main__":
    unittest.main()
