"""Fault-injection harness for tgkeep: the real `tgkeep run` against a real redis-server, a real
PostgreSQL and the Bot API emulator, under steady load, while a fault is injected. After each
scenario it checks that every update the bot acknowledged (update_id below the emulator's
confirmed_offset) is in the system of record (PostgreSQL: raw_updates and messages) exactly once,
and measures the longest intake stall and the time to recover. Each scenario's figures become a
row of REPORT.md / report.json in $TGKEEP_FAULT_REPORT_DIR.

Builds on tests/e2e/harness.py (FakeApi, Bot, RedisServer, PgServer, RespClient, wait_until);
every process is started on 127.0.0.1 and stopped by PID."""

import datetime
import fcntl
import http.client
import json
import os
import platform
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import unittest

from faultconfig import (AFTER_S, DRAIN_TIMEOUT_S, REDIS_TIMEOUT_MS, REPO,  # noqa: E402,F401
                         TGKEEP, WARMUP_S, report_dir, wait_for_binary)
import harness  # noqa: E402
from harness import (TOKEN, Bot, FakeApi, PgError, PgServer,  # noqa: E402
                     RedisServer, RespError, redis_env, wait_until)

# --- Redis that keeps its data across a restart ------------------------------------------------
from faultconfig import LOAD_CHATS, LOAD_RATE  # noqa: E402,F401
from faultprocs import AdminClient, FaultRedis, Load, Sampler, TcpProxy, longest_stall  # noqa: E402,F401
from faultreport import record  # noqa: E402

# --- The scenario base class -------------------------------------------------------------------

@unittest.skipUnless(PgServer.available() and RedisServer.available(),
                     "redis-server or the PostgreSQL binaries are not installed")
class FaultTest(unittest.TestCase):
    """One PostgreSQL (durable: a SIGKILL keeps every commit) per test process, a fresh database,
    emulator, Redis and bot per scenario."""

    pg = None

    @classmethod
    def setUpClass(cls):
        wait_for_binary()
        cls.pg = PgServer(durable=True)

    @classmethod
    def tearDownClass(cls):
        if cls.pg is not None:
            cls.pg.stop()

    def setUp(self):
        self._bad_at_start = self._bad_count()
        wait_for_binary()
        if self.pg.proc.poll() is not None:  # a failed scenario left it down
            self.pg.start()
        self.tmp = tempfile.mkdtemp(prefix="tgkeep-fault-")
        self.data_dir = os.path.join(self.tmp, "data")
        self.dbname = f"fault_{os.getpid()}_{time.monotonic_ns() % 10**9}"
        self.pg.psql(f"CREATE DATABASE {self.dbname}")
        self.api = FakeApi()
        self.redis = None
        self.proxy = None
        self.bot = None
        self.bots = []
        self.load = None
        self.sampler = None
        self.notes = []
        self.down_windows = []  # (start, end) monotonic: the bot was not running

    def tearDown(self):
        for thread in (self.load, self.sampler):
            if thread is not None and thread.is_alive():
                thread.stop()
        for bot in self.bots:
            if bot.proc.poll() is None:
                bot.kill()
            elif not bot.log.closed:
                bot.log.close()
        self.api.stop()
        if self.proxy is not None:
            self.proxy.stop()
        if self.redis is not None:
            if self.redis.proc and self.redis.proc.poll() is None:
                try:
                    self.redis.thaw()
                except ProcessLookupError:
                    pass
            self.redis.stop()
        ok = self._outcome_ok()
        if ok and not os.environ.get("TGKEEP_FAULT_KEEP"):
            shutil.rmtree(self.tmp, ignore_errors=True)
            try:
                self.pg.psql(f"DROP DATABASE IF EXISTS {self.dbname}")
            except PgError:
                pass
        else:
            print(f"\n(kept {self.tmp} for inspection: bot logs, spool)")

    def _bad_count(self):
        result = getattr(getattr(self, "_outcome", None), "result", None)
        return 0 if result is None else len(result.errors) + len(result.failures)

    def _outcome_ok(self):
        return self._bad_count() == self._bad_at_start

    # --- processes ---

    def start_redis(self, persistent):
        self.redis = FaultRedis(persistent=persistent)
        return self.redis

    def bot_env(self, redis_port=None, **extra):
        port = redis_port if redis_port is not None else (self.redis.port if self.redis else None)
        env = redis_env(TGKEEP_REDIS_URL=f"redis://127.0.0.1:{port}" if port else "")
        env.update({
            "DATABASE_URL": self.pg.url(self.dbname),
            "TGKEEP_SYNC_INTERVAL": "200ms",
            "TGKEEP_REDIS_TIMEOUT": str(REDIS_TIMEOUT_MS),
            "TGKEEP_ACK": "auto",
            "TGKEEP_TARIFFS": "free=1000000/day",
            "TGKEEP_ENGINE": "echo",
            "TGKEEP_POLL_TIMEOUT": "1",
        })
        env.update({k: str(v) for k, v in extra.items()})
        return env

    def start_bot(self, env):
        wait_for_binary()
        calls = self.api.stats()["get_updates_calls"]
        bot = Bot(self.api.url, self.data_dir, extra_env=env)
        self.bots.append(bot)
        self.bot = bot
        self.bot_env_used = env
        return bot, calls

    def wait_polling(self, bot, calls_before, timeout=45):
        def polling():
            if bot.proc.poll() is not None:
                raise AssertionError(f"tgkeep exited with {bot.proc.returncode} at start:\n"
                                     + tail(bot.output()))
            return self.api.stats()["get_updates_calls"] > calls_before
        wait_until(polling, timeout, interval=0.01, what="the bot to poll")

    # --- PostgreSQL ---

    def pg_rows(self, sql):
        out = self.pg.psql(sql, self.dbname)
        return [line for line in out.splitlines() if line]

    def pg_ids(self, sql):
        return {int(x) for x in self.pg_rows(sql)}

    def stored_below(self, offset):
        """(raw_updates count, user messages count) of update ids below `offset`; None when
        PostgreSQL does not answer."""
        try:
            row = self.pg.psql(
                f"SELECT (SELECT count(*) FROM raw_updates WHERE update_id < {offset}), "
                f"(SELECT count(DISTINCT update_id) FROM messages WHERE role = 'user' "
                f"AND update_id < {offset})", self.dbname, timeout=5)
            a, b = row.split("|")
            return int(a), int(b)
        except (PgError, subprocess.TimeoutExpired, ValueError):
            return None

    # --- the scenario ---

    def run_scenario(self, sid, name, fault, persistent_redis=True, env=None, redis=True,
                     rate=LOAD_RATE, stall_limit_ms=None, strict_replies=True, via_proxy=False):
        """Starts Redis (unless `redis` is False), the bot and the load; after WARMUP_S calls
        `fault(self)`, which injects the fault and returns when it has ended; keeps the load on
        for AFTER_S; stops it; waits until everything is acknowledged and in PostgreSQL; records
        the row and asserts."""
        row = {"id": sid, "scenario": name, "result": "FAIL"}
        self.row = row
        started = time.monotonic()
        try:
            if redis:
                self.start_redis(persistent_redis)
                if via_proxy:
                    self.proxy = TcpProxy(self.redis.port)
            redis_port = self.proxy.port if self.proxy else None
            bot, calls = self.start_bot(self.bot_env(redis_port=redis_port, **(env or {})))
            self.wait_polling(bot, calls)
            self.sampler = Sampler(self.api.url)
            self.sampler.start()
            self.load = Load(self.api.url, tag=f"s{sid}", rate=rate)
            self.load.start()
            time.sleep(WARMUP_S)
            pre = [s for s in self.sampler.samples if s[0] > started]
            self.assertTrue(pre and pre[-1][1] > 1,
                            "the bot acknowledged nothing before the fault:\n" + tail(bot.output()))
            baseline_pending = max(s[2] for s in pre[len(pre) // 3:])

            self.fault_start = time.monotonic()
            self.fault_end = None
            fault(self)
            if self.fault_end is None:
                self.fault_end = time.monotonic()
            row["fault_s"] = round(self.fault_end - self.fault_start, 2)
            end_stats = self.api.stats()
            acked_at_fault_end = end_stats["confirmed_offset"]
            caught_up_level = max(baseline_pending, 2 * self.load.batch * 10)

            recovered = {"pg": None, "intake": None}
            scan = {"i": 0}

            def check_recovery():
                now = time.monotonic()
                samples = self.sampler.samples
                while recovered["intake"] is None and scan["i"] < len(samples):
                    t, _c, pending, _g, _w = samples[scan["i"]]
                    scan["i"] += 1
                    if t >= self.fault_end and pending <= caught_up_level:
                        recovered["intake"] = t
                if recovered["pg"] is None:
                    got = self.stored_below(acked_at_fault_end)
                    want = acked_at_fault_end - 1
                    if got is not None and got[0] >= want and got[1] >= want:
                        recovered["pg"] = now

            after_deadline = time.monotonic() + AFTER_S
            while time.monotonic() < after_deadline:
                check_recovery()
                time.sleep(0.1)
            self.load.stop()
            sent_ids = list(self.load.ids)
            load_stopped = time.monotonic()
            if self.load.errors:
                self.notes.append(f"{self.load.errors} load posts failed")

            # Everything acknowledged (the intake resumed), then everything acknowledged stored.
            drain_deadline = load_stopped + DRAIN_TIMEOUT_S
            final = None
            while time.monotonic() < drain_deadline:
                check_recovery()
                stats = self.api.stats()
                if stats["pending"] == 0:
                    final = stats["confirmed_offset"]
                    got = self.stored_below(final)
                    if got is not None and got[0] >= final - 1 and got[1] >= final - 1 \
                            and None not in recovered.values():
                        break
                time.sleep(0.2)
            check_recovery()
            time.sleep(0.3)  # a last sample or two
            self.sampler.stop()
            final_stats = self.api.stats()
            final = final_stats["confirmed_offset"]

            # --- figures ---
            sent = set(sent_ids)
            acked = {i for i in sent if i < final}
            raw = self.pg_ids(f"SELECT update_id FROM raw_updates WHERE update_id < {final}")
            user_msgs = self.pg_ids("SELECT DISTINCT update_id FROM messages WHERE role = 'user' "
                                    f"AND update_id < {final}")
            lost_raw = acked - raw
            lost_msg = acked - user_msgs
            lost = lost_raw | lost_msg
            dup_raw = int(self.pg_rows("SELECT count(*) FROM (SELECT update_id FROM raw_updates "
                                       "GROUP BY 1 HAVING count(*) > 1) d")[0])
            dup_msg_key = int(self.pg_rows(
                "SELECT count(*) FROM (SELECT chat_id, message_id, role FROM messages "
                "WHERE message_id IS NOT NULL GROUP BY 1, 2, 3 HAVING count(*) > 1) d")[0])
            dup_user = int(self.pg_rows(
                "SELECT count(*) FROM (SELECT update_id FROM messages WHERE role = 'user' "
                "GROUP BY 1 HAVING count(*) > 1) d")[0])
            dup_reply_rows = int(self.pg_rows(
                "SELECT count(*) FROM (SELECT chat_id, update_id FROM messages "
                "WHERE role = 'assistant' AND update_id IS NOT NULL GROUP BY 1, 2 "
                "HAVING count(*) > 1) d")[0])
            duplicates = dup_raw + dup_msg_key + dup_user + dup_reply_rows
            dup_replies, replies = self.duplicate_replies()
            stall = longest_stall(self.sampler.samples, self.down_windows)
            recover = None
            if None not in recovered.values():
                recover = max(recovered.values()) - self.fault_end

            row.update({
                "sent": len(sent), "acked": len(acked), "stored": len(acked & raw),
                "lost": len(lost), "duplicates": duplicates,
                "duplicate_replies": dup_replies,
                "longest_stall_ms": round(stall * 1000),
                "recover_s": round(recover, 2) if recover is not None else None,
                "details": {
                    "lost_from_raw_updates": len(lost_raw), "lost_from_messages": len(lost_msg),
                    "lost_sample": sorted(lost)[:20],
                    "dup_raw_updates": dup_raw, "dup_messages_key": dup_msg_key,
                    "dup_user_messages_per_update": dup_user,
                    "dup_reply_rows_per_update": dup_reply_rows,
                    "replies_seen": replies,
                    "confirmed_offset_at_fault_end": acked_at_fault_end,
                    "pg_caught_up_s": (round(recovered["pg"] - self.fault_end, 2)
                                       if recovered["pg"] else None),
                    "intake_caught_up_s": (round(recovered["intake"] - self.fault_end, 2)
                                           if recovered["intake"] else None),
                    "pending_at_end": final_stats["pending"],
                    "stats_samples": len(self.sampler.samples),
                    "max_pending": max((x[2] for x in self.sampler.samples), default=None),
                    "bot_alive": self.bot.proc.poll() is None,
                    "ack_lines": [line for line in self.bot.output().splitlines()
                                  if re.search(r"\back\b|acknowledg|spool", line, re.I)][:8],
                },
            })
            if lost:
                row["details"]["lost_acked_at_s"] = self.ack_times(sorted(lost))
                row["details"]["lost_ranges"] = ranges(sorted(lost))[:10]
                row["details"]["redis_outbox"] = self.outbox_forensics()
                row["details"]["spool_rows_left"] = self.spool_rows_left()

            # --- assertions ---
            problems = []
            if lost:
                where = row["details"]["redis_outbox"]
                outbox = (f"Redis outbox XLEN {where.get('xlen')}" if isinstance(where, dict)
                          else where)
                problems.append(f"LOST {len(lost)} acknowledged updates (e.g. ids "
                                f"{sorted(lost)[:10]}; {len(lost_raw)} missing from raw_updates, "
                                f"{len(lost_msg)} from messages; acknowledged "
                                f"{row['details']['lost_acked_at_s'][0]}–"
                                f"{row['details']['lost_acked_at_s'][1]} s after the fault "
                                f"began; still waiting: {outbox}, spool rows "
                                f"{row['details']['spool_rows_left']})")
            if duplicates:
                problems.append(f"{duplicates} duplicate rows (raw_updates {dup_raw}, messages "
                                f"key {dup_msg_key}, user per update {dup_user}, replies per "
                                f"update {dup_reply_rows})")
            if len(acked) < len(sent):
                problems.append(f"intake did not resume: {len(sent) - len(acked)} updates never "
                                f"acknowledged within {DRAIN_TIMEOUT_S:.0f} s after the load "
                                "stopped")
            if recover is None:
                problems.append("did not recover within the drain bound (PostgreSQL "
                                f"{'ok' if recovered['pg'] else 'behind'}, intake "
                                f"{'ok' if recovered['intake'] else 'behind'})")
            if dup_replies and strict_replies:
                problems.append(f"{dup_replies} replies sent more than once")
            if stall_limit_ms is not None and stall * 1000 > stall_limit_ms:
                problems.append(f"intake stalled {stall * 1000:.0f} ms > {stall_limit_ms} ms "
                                f"(2 x the Redis command timeout)")
            problems += self.extra_checks(row)
            if self.bot.proc.poll() is not None:
                problems.append(f"tgkeep exited with {self.bot.proc.returncode}")
            self.notes = problems + self.notes
            if problems:
                self.fail(f"scenario {sid} ({name}): " + "; ".join(problems)
                          + "\n--- bot log (tail) ---\n" + tail(self.bot.output()))
            row["result"] = "pass"
        except BaseException as e:
            if not any(str(n) in str(e) for n in self.notes):
                self.notes.insert(0, first_line(e))
            raise
        finally:
            row["notes"] = self.notes
            row["wall_s"] = round(time.monotonic() - started, 1)
            record(row)

    def ack_times(self, ids):
        """When (seconds from the fault's start) the emulator's confirmed_offset first passed
        the first and the last of `ids`."""
        out = []
        for wanted in (ids[0], ids[-1]):
            t = next((x[0] for x in self.sampler.samples if x[1] > wanted), None)
            out.append(round(t - self.fault_start, 3) if t is not None else None)
        return out

    def outbox_forensics(self):
        if self.redis is None or self.redis.proc is None or self.redis.proc.poll() is not None:
            return "Redis not running"
        stream = "tgkeep:{outbox}:stream"
        out = {}
        for key, args in (("xlen", ("XLEN", stream)), ("groups", ("XINFO", "GROUPS", stream)),
                          ("first", ("XRANGE", stream, "-", "+", "COUNT", 1)),
                          ("dead", ("XLEN", stream + ":dead"))):
            try:
                value = self.redis.cli(*args)
                out[key] = value if not isinstance(value, list) else json.dumps(value)[:600]
            except (OSError, RespError) as e:
                out[key] = f"error: {e}"
        return out

    def spool_rows_left(self):
        path = os.path.join(self.data_dir, "spool.db")
        if not os.path.exists(path):
            return None
        try:
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
            try:
                return conn.execute("SELECT count(*) FROM spool").fetchone()[0]
            finally:
                conn.close()
        except sqlite3.Error as e:
            return f"unreadable: {e}"

    def extra_checks(self, row):
        """Scenario-specific checks: a list of problems."""
        return []

    def duplicate_replies(self):
        """(replies beyond the first for one incoming message, replies seen). Texts are unique
        per incoming message and the echo engine repeats them, so (chat, text) identifies it."""
        seen = {}
        since = 0
        client = AdminClient(self.api.url)
        try:
            while True:
                batch = client.request("GET", f"/_admin/sent?since={since}&limit=50000"
                                       "&method=sendMessage")
                if not batch:
                    break
                for rec in batch:
                    key = (rec["chat_id"], rec.get("text"))
                    seen[key] = seen.get(key, 0) + 1
                since = batch[-1]["seq"]
        finally:
            client.close()
        return sum(n - 1 for n in seen.values() if n > 1), sum(seen.values())

    # --- helpers for faults ---

    def end_fault(self):
        self.fault_end = time.monotonic()

    def wait_stalled(self, quiet_s, timeout):
        """Until confirmed_offset has not moved for `quiet_s` while updates were pending (the
        bot stopped acknowledging), or `timeout`. True when it stalled."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            s = self.sampler.samples
            if s:
                t_last, off, pending = s[-1][0], s[-1][1], s[-1][2]
                if pending > 0:
                    since = [x for x in s if x[0] >= t_last - quiet_s]
                    if since and since[0][0] <= t_last - quiet_s + 0.1 \
                            and all(x[1] == off for x in since):
                        return True
            time.sleep(0.1)
        return False


def ranges(ids):
    """[[first, last], ...] of consecutive runs."""
    out = []
    for i in ids:
        if out and out[-1][1] == i - 1:
            out[-1][1] = i
        else:
            out.append([i, i])
    return out


def tail(text, lines=40):
    return "\n".join(text.splitlines()[-lines:])


def first_line(e):
    text = str(e).strip().splitlines()
    return (text[0] if text else type(e).__name__)[:400]
