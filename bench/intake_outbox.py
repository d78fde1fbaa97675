#!/usr/bin/env python3
"""Intake benchmark with Redis and PostgreSQL: records through the outbox.

As bench/intake_embedded.py (the Bot API emulator prepares N updates over C chats, about 7%
commands, 100 per getUpdates; `tgkeep run` with engine none and rate limits off), but with a
real redis-server and a real PostgreSQL 15 (fsync and synchronous_commit on, as in production),
both started here on free ports. The figure is updates/s from the bot's start until every update
is committed in PostgreSQL (the syncer has acknowledged the whole outbox; the rows are counted
after), plus when the last update was acknowledged to the Bot API, and the bot's peak RSS.
With --ack local the bot acknowledges after the local spool's commit instead, and the spool
drains into PostgreSQL (docs/failover.md); the figure then runs until the spool is empty.
Prints one line of JSON. Usage: bench/intake_outbox.py [--updates N] [--chats C] [--build DIR]
[--ack redis|local]
"""

import argparse
import sqlite3
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "e2e"))
sys.path.insert(0, HERE)
from harness import PgServer, RedisServer  # noqa: E402
from intake_embedded import admin, peak_rss_mb  # noqa: E402


def spool_rows(path):
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1) as db:
            return db.execute("SELECT count(*) FROM spool").fetchone()[0]
    except sqlite3.Error:
        return -1


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--updates", type=int, default=100_000)
    parser.add_argument("--chats", type=int, default=5_000)
    parser.add_argument("--commands", type=float, default=0.07)
    parser.add_argument("--build", default=os.path.join(HERE, "..", "build"))
    # redis: acknowledged once in the Redis outbox; local: once in the local spool, which drains
    # into PostgreSQL (the test Redis keeps nothing on disk, so TGKEEP_ACK=auto would pick local).
    parser.add_argument("--ack", choices=("redis", "local"), default="redis")
    args = parser.parse_args()

    tgkeep = os.path.join(args.build, "src/app/tgkeep")
    tmp = tempfile.mkdtemp(prefix="tgkeep-bench-")
    pg = PgServer(durable=True)
    redis = RedisServer()
    api = subprocess.Popen([tgkeep, "sandbox", "--port", "0"], stdout=subprocess.PIPE, text=True)
    bot = None
    try:
        url = "http://" + api.stdout.readline().split()[1]
        generated = admin(url, "POST", "/_admin/generate",
              {"count": args.updates, "chats": args.chats, "command_ratio": args.commands,
               "seed": 1})
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("TGKEEP_", "TELEGRAM_", "REDIS", "DATABASE", "PG"))}
        env.update({"TELEGRAM_API_URL": url,
                    "TELEGRAM_BOT_TOKEN": "123456:AAH-bench-token-0123456789abcdefghij",
                    "TGKEEP_DATA_DIR": os.path.join(tmp, "data"), "TGKEEP_ENGINE": "none",
                    "TGKEEP_RATE_LIMITS": "off", "TGKEEP_POLL_TIMEOUT": "1",
                    "TGKEEP_LOG_LEVEL": "warn", "REDIS_URL": redis.url(),
                    "DATABASE_URL": pg.url(), "TGKEEP_ACK": args.ack})
        log_path = os.path.join(tmp, "bot.log")
        start = time.monotonic()
        bot = subprocess.Popen([tgkeep, "run"], env=env, stderr=open(log_path, "w"))
        # Committed in PostgreSQL = acknowledged by the syncer: the outbox is empty once the bot
        # has acknowledged the last update (polled on one Redis connection: spawning psql every
        # few milliseconds would cost PostgreSQL more CPU than the work measured).
        acknowledged_at = None
        outbox = redis.client()
        while True:
            if bot.poll() is not None:
                with open(log_path) as log:
                    sys.exit("tgkeep exited early:\n" + log.read()[-2000:])
            if acknowledged_at is None:
                if admin(url, "GET", "/_admin/stats")["confirmed_offset"] > generated["last"]:
                    acknowledged_at = time.monotonic() - start
            elif args.ack == "redis":
                if int(outbox.command("XLEN", "tgkeep:{outbox}:stream") or 0) == 0:
                    break
            elif spool_rows(os.path.join(tmp, "data", "spool.db")) == 0:
                break
            time.sleep(0.005)
        outbox.close()
        seconds = time.monotonic() - start
        rss = peak_rss_mb(bot.pid)
        os.kill(bot.pid, signal.SIGTERM)
        exit_code = bot.wait(60)
        stored = pg.scalar("SELECT count(*) FROM raw_updates")
        user_messages = pg.scalar("SELECT count(*) FROM messages WHERE role = 'user'")
        print(json.dumps({
            "benchmark": "intake_outbox" if args.ack == "redis" else "intake_spool",
            "updates": args.updates,
            "chats": args.chats,
            "seconds": round(seconds, 3),
            "updates_per_s": round(args.updates / seconds),
            # When the last update was acknowledged to the Bot API (durable in Redis).
            "acknowledged_seconds": round(acknowledged_at or seconds, 3),
            "peak_rss_mb": round(rss, 1),
            "stored_updates": stored,
            "stored_user_messages": user_messages,
            "exit_code": exit_code,
        }))
        if stored != args.updates or exit_code != 0:
            sys.exit(1)
    finally:
        for proc in (bot, api):
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait()
        redis.stop()
        pg.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
