"""Fault injection, the rest: tgkeep itself SIGKILLed mid-batch and restarted on the same data
dir; the local spool's disk full while Redis and PostgreSQL are down (tgkeep must stop
acknowledging, then drain the spool when PostgreSQL is back); Redis answering OOM; Redis
black-holed behind a TCP proxy."""

import os
import sqlite3
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from faultlib import REDIS_TIMEOUT_MS, FaultTest, RespError  # noqa: E402

SPOOL_MAX_MB = 1


class ProcessFaults(FaultTest):
    # 6 --------------------------------------------------------------------------------------------
    def test_06_tgkeep_killed_mid_batch_and_restarted(self):
        def fault(t):
            # Kill while the bot holds a batch it has not confirmed yet (not waiting in a poll).
            deadline = time.monotonic() + 3
            while time.monotonic() < deadline:
                s = t.api.stats()
                if s["pending"] > 0 and not s["long_poll_waiting"]:
                    break
            killed_at = time.monotonic()
            t.fault_start = killed_at
            t.bot.kill()
            time.sleep(0.5)
            bot, calls = t.start_bot(t.bot_env_used)
            t.end_fault()
            t.wait_polling(bot, calls)
            t.down_windows.append((killed_at, time.monotonic()))
            t.row.setdefault("details_extra", {})["restart_to_first_poll_s"] = round(
                time.monotonic() - t.fault_end, 2)
        # A reply sent just before the SIGKILL, its "sent" not yet recorded, may go out again
        # (sendMessage has no idempotency key): reported, not asserted, here.
        self.run_scenario(6, "tgkeep SIGKILL mid-batch + restart (same data dir)", fault,
                          strict_replies=False)

    # 8 --------------------------------------------------------------------------------------------
    def spool_path(self):
        return os.path.join(self.data_dir, "spool.db")

    def spool_rows(self):
        return self.spool_rows_left()

    def spool_logical_bytes(self):
        """page_count x page_size, the size max_page_count caps (WAL content included)."""
        try:
            conn = sqlite3.connect(f"file:{self.spool_path()}?mode=ro", uri=True, timeout=5)
            try:
                pages = conn.execute("PRAGMA page_count").fetchone()[0]
                size = conn.execute("PRAGMA page_size").fetchone()[0]
                return pages * size
            finally:
                conn.close()
        except sqlite3.Error:
            return None

    def test_08_spool_disk_full_holds_acks_then_drains(self):
        facts = {}

        def fault(t):
            start_offset = t.api.stats()["confirmed_offset"]
            t.redis.kill()
            t.pg.kill()
            facts["stalled"] = t.wait_stalled(quiet_s=2.0, timeout=15)
            path = t.spool_path()
            facts["spool_exists"] = os.path.exists(path)
            facts["spool_bytes"] = os.path.getsize(path) if facts["spool_exists"] else None
            wal = path + "-wal"
            facts["spool_wal_bytes"] = os.path.getsize(wal) if os.path.exists(wal) else None
            facts["spool_rows_full"] = t.spool_rows()
            facts["spool_logical_bytes"] = t.spool_logical_bytes() if facts["spool_exists"] else None
            facts["acked_during_outage"] = t.api.stats()["confirmed_offset"] - start_offset
            facts["bot_alive_while_full"] = t.bot.proc.poll() is None
            t.pg.start()
            pg_back = time.monotonic()
            drained = None
            deadline = pg_back + 30
            while facts["spool_exists"] and time.monotonic() < deadline:
                if t.spool_rows() == 0:
                    drained = time.monotonic() - pg_back
                    break
                time.sleep(0.1)
            facts["spool_drained_s"] = round(drained, 2) if drained is not None else None
            facts["spool_rows_30s_after_pg_back"] = None if drained is not None else t.spool_rows()
            # Redis back (with its AOF): what it acknowledged before the outage syncs on.
            t.redis.restart()
            t.end_fault()

        def checks(row):
            problems = []
            row.setdefault("details", {}).update(facts)
            if not facts.get("spool_exists"):
                problems.append(f"no spool at <data dir>/spool.db while Redis and PostgreSQL "
                                f"were down (the local spool is missing; TGKEEP_SPOOL_MAX_MB="
                                f"{SPOOL_MAX_MB} had nothing to cap)")
            if not facts.get("stalled"):
                problems.append(f"tgkeep did not stop acknowledging within 15 s with both tiers "
                                f"down and a {SPOOL_MAX_MB} MB spool "
                                f"({facts.get('acked_during_outage')} acknowledged meanwhile)")
            cap = SPOOL_MAX_MB * 1024 * 1024 + 64 * 1024
            logical = facts.get("spool_logical_bytes") or facts.get("spool_bytes")
            if logical and logical > cap:
                problems.append(f"the spool grew to {logical} bytes, past its "
                                f"{SPOOL_MAX_MB} MB cap")
            on_disk = (facts.get("spool_bytes") or 0) + (facts.get("spool_wal_bytes") or 0)
            if on_disk > 2 * cap:
                # Not failed (the cap is on the database's pages): said in the report.
                self.notes.append(f"observation: spool.db + its WAL took {on_disk} bytes on "
                                  f"disk while full, {on_disk / (SPOOL_MAX_MB << 20):.1f} x "
                                  "the cap")
            if not facts.get("bot_alive_while_full", True):
                problems.append("tgkeep exited while the spool was full")
            if facts.get("spool_exists") and facts.get("spool_drained_s") is None:
                problems.append(f"the spool did not drain within 30 s of PostgreSQL's return "
                                f"(Redis still down; {facts.get('spool_rows_30s_after_pg_back')} "
                                "rows left then)")
            if facts.get("spool_exists"):
                left = self.spool_rows()
                if left != 0:
                    problems.append(f"the spool still holds {left} rows at the end")
            return problems

        self.extra_checks = checks
        # TGKEEP_ACK=local: the spool is the acknowledgement point, so it drains as soon as
        # PostgreSQL is back. (With TGKEEP_ACK=redis, spooled records wait for Redis too: its
        # outbox holds older records, which reach PostgreSQL first; docs/failover.md, "Order".)
        self.run_scenario(8, f"spool full ({SPOOL_MAX_MB} MB, TGKEEP_ACK=local): Redis + "
                             "PostgreSQL down, PostgreSQL back, spool drains, Redis back", fault,
                          rate=300, env={"TGKEEP_SPOOL_MAX_MB": SPOOL_MAX_MB,
                                         "TGKEEP_ACK": "local"})

    # 9 --------------------------------------------------------------------------------------------
    def test_09_redis_answers_oom(self):
        facts = {}

        def errors_oom():
            try:
                stats = self.redis.info("errorstats")
            except (OSError, RespError):
                return None
            value = stats.get("errorstat_OOM", "count=0")
            return int(value.split("count=")[1].split(",")[0])

        def fault(t):
            used = int(t.redis.info("memory")["used_memory"])
            t.redis.cli("CONFIG", "SET", "maxmemory-policy", "noeviction")
            t.redis.cli("CONFIG", "SET", "maxmemory", used + 64 * 1024)
            t.fault_start = time.monotonic()
            time.sleep(3.0)
            t.redis.cli("CONFIG", "SET", "maxmemory", 0)
            t.end_fault()
            facts["maxmemory_bytes"] = used + 64 * 1024
            facts["oom_errors"] = errors_oom()

        def checks(row):
            row.setdefault("details", {}).update(facts)
            if not facts.get("oom_errors"):
                return ["Redis never answered OOM: the fault did not bite "
                        f"(errorstat_OOM {facts.get('oom_errors')})"]
            return []

        self.extra_checks = checks
        self.run_scenario(9, "Redis OOM (maxmemory just above used, noeviction) for 3 s", fault)

    # 10 -------------------------------------------------------------------------------------------
    def test_10_redis_black_holed_behind_a_proxy(self):
        facts = {}

        def fault(t):
            facts["connections_before"] = t.proxy.accepted
            t.proxy.set_mode("blackhole")
            time.sleep(3.0)
            t.proxy.set_mode("pass")
            t.end_fault()

        def checks(row):
            row.setdefault("details", {}).update(facts)
            problems = []
            if not facts.get("connections_before"):
                problems.append("the bot never connected through the proxy")
            stall = row.get("longest_stall_ms") or 0
            if stall > 2 * REDIS_TIMEOUT_MS:
                # Not asserted (the brief asserts the stall for scenarios 1, 2 and 7): noted.
                self.notes.append(f"observation: intake stalled {stall} ms "
                                  f"> 2 x the Redis command timeout")
            return problems

        self.extra_checks = checks
        self.run_scenario(10, "Redis black-holed 3 s through a TCP proxy, then healed", fault,
                          via_proxy=True)


if __name__ == "__main__":
    unittest.main()
