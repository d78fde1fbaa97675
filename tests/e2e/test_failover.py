"""Failover seen from outside (docs/failover.md): the acknowledgement point chosen and explained
in one line, a choice the configuration cannot honour refused in one line, and a bot whose
PostgreSQL dies while its spool is capped: it spools, stops acknowledging when the spool is full
(/readyz 503, nothing lost), and catches up when PostgreSQL returns. The fault-injection suite
(tests/fault) measures the scenarios under load; these check the behaviour."""

import os
import sqlite3
import sys
import unittest
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (E2ETest, PgServer, RedisServer, database_env_cleared, free_port,
                     run_tgkeep_env, wait_until)

SECRET = "pw-secret-failover"


def get(port, path):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as reply:
            return reply.status, reply.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()
    except urllib.error.URLError:
        return 0, ""  # not listening yet


@unittest.skipUnless(PgServer.available() and RedisServer.available(),
                     "redis-server or the PostgreSQL binaries are not installed")
class FailoverTest(E2ETest):
    def setUp(self):
        database_env_cleared(self)
        super().setUp()
        self.pg = PgServer(durable=True)
        self.addCleanup(self.pg.stop)

    def test_ack_choices_the_configuration_cannot_honour_are_one_line_and_exit_2(self):
        for ack, env, needs in (("redis", {}, "PostgreSQL"),
                                ("postgres", {}, "PostgreSQL"),
                                ("redis", {"DATABASE_URL": self.pg.url(password=SECRET)}, "Redis")):
            result = run_tgkeep_env("run", data_dir=self.data_dir, env={
                "TELEGRAM_API_URL": self.api.url, "TELEGRAM_BOT_TOKEN": "1:x",
                "TGKEEP_ACK": ack, **env})
            self.assertEqual(result.returncode, 2, result.stderr)
            lines = [l for l in (result.stdout + result.stderr).splitlines() if "critical" in l]
            self.assertEqual(len(lines), 1, result.stdout + result.stderr)
            self.assertIn(f"TGKEEP_ACK={ack} needs {needs}", lines[0])
            self.assertNotIn(SECRET, result.stdout + result.stderr)

    def test_auto_trusts_redis_only_when_it_persists(self):
        for extra, expected in ((["--appendonly", "yes"], "after the Redis outbox write"),
                                ([], "after the local spool commit")):
            redis = RedisServer(extra_args=extra)
            try:
                bot = self.start_bot(extra_env={"REDIS_URL": redis.url(),
                                                "DATABASE_URL": self.pg.url()})
                wait_until(lambda: "ack:" in bot.output(), 20, what="the ack line")
                before = self.api.stats()["confirmed_offset"]
                self.api.messages([{"chat_id": 7, "text": "hello"}])
                self.wait_confirmed(before, 20)
                self.assertEqual(bot.terminate(), 0)
                line = next(l for l in bot.output().splitlines() if "ack:" in l)
                self.assertIn(expected, line)
                self.assertIn("TGKEEP_ACK=auto", line)
            finally:
                redis.stop()

    def test_postgres_down_and_the_spool_full_holds_intake_and_loses_nothing(self):
        port = free_port()
        bot = self.start_bot(extra_env={"DATABASE_URL": self.pg.url(password=SECRET),
                                        "TGKEEP_STATUS_ADDR": f"127.0.0.1:{port}",
                                        "TGKEEP_SPOOL_MAX_MB": "1"})
        wait_until(lambda: get(port, "/readyz")[0] == 200, 20, what="/readyz")
        self.api.messages([{"chat_id": 1, "text": "before"}])
        self.wait_confirmed(1, 20)
        self.pg.kill()
        # ~1.2 MB of text: more than the spool may hold.
        for round_ in range(8):
            self.api.messages([{"chat_id": 10 + i, "text": f"{round_}-" + "x" * 3000}
                               for i in range(50)])
        wait_until(lambda: get(port, "/readyz")[0] == 503, 30, what="/readyz 503")
        status, metrics = get(port, "/metrics")
        self.assertIn('tgkeep_dependency_up{dependency="postgres"} 0', metrics)
        self.assertIn("tgkeep_write_chain_holding 1", metrics)
        held = self.api.stats()
        self.assertGreater(held["pending"], 0)  # unacknowledged: still Telegram's
        spooled = sqlite3.connect(os.path.join(self.data_dir, "spool.db")).execute(
            "SELECT count(*) FROM spool").fetchone()[0]
        self.assertGreater(spooled, 0)

        self.pg.start()
        last = held["confirmed_offset"] + held["pending"] - 1
        self.wait_confirmed(last, 60)
        wait_until(lambda: self.pg.scalar("SELECT count(*) FROM raw_updates") == last, 60,
                   what="every update in PostgreSQL")
        self.assertEqual(self.pg.scalar(
            "SELECT count(*) FROM (SELECT update_id FROM raw_updates GROUP BY update_id "
            "HAVING count(*) > 1) d"), 0)
        wait_until(lambda: get(port, "/readyz")[0] == 200, 20, what="/readyz 200 again")
        self.assertEqual(bot.terminate(), 0)
        out = bot.output()
        self.assertIn("health: postgres is down", out)
        self.assertIn("health: postgres is up again", out)
        self.assertEqual(out.count("write chain: no tier takes records"),
                         out.count("write chain: records are taken again"))
        self.assertNotIn(SECRET, out)


if __name__ == "__main__":
    unittest.main()
