#!/usr/bin/env python3
"""Sync alone: `tgkeep sync --once` draining an outbox, beside a plain COPY of the same rows.

Fills the outbox of a real redis-server with N updates over C chats (the bot with a syncer that
never flushes, then SIGKILLed), waits for its lease to expire, then times `tgkeep sync --once`
into a real PostgreSQL (fsync and synchronous_commit on). In the same run, the rows the sync
wrote (raw_updates, messages, users) are dumped, the tables emptied, and the same rows loaded
back into the same tables with plain COPY, timed the same way (one psql process). Prints one
line of JSON per run: updates/s of each and their ratio (the issue's target: >= 0.6).
Usage: bench/sync_vs_copy.py [--updates N] [--chats C] [--runs R] [--build DIR]
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "e2e"))
sys.path.insert(0, HERE)
from harness import PgServer, RedisServer, wait_until  # noqa: E402
from intake_embedded import admin  # noqa: E402
from redis_hot_tier import idle_cpus  # noqa: E402

TABLES = ("raw_updates", "messages", "users")
STREAM = "tgkeep:{outbox}:stream"


def base_env(redis, pg, data_dir):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TGKEEP_", "TELEGRAM_", "REDIS", "DATABASE", "PG"))}
    env.update({"TGKEEP_DATA_DIR": data_dir, "TGKEEP_LOG_LEVEL": "warn",
                "REDIS_URL": redis.url(), "DATABASE_URL": pg.url()})
    return env


def fill_outbox(tgkeep, redis, pg, tmp, updates, chats):
    api = subprocess.Popen([tgkeep, "sandbox", "--port", "0"], stdout=subprocess.PIPE, text=True)
    try:
        url = "http://" + api.stdout.readline().split()[1]
        admin(url, "POST", "/_admin/generate",
              {"count": updates, "chats": chats, "command_ratio": 0, "seed": 1})
        env = base_env(redis, pg, os.path.join(tmp, "data"))
        env.update({"TELEGRAM_API_URL": url, "TGKEEP_ENGINE": "none", "TGKEEP_RATE_LIMITS": "off",
                    "TELEGRAM_BOT_TOKEN": "123456:AAH-bench-token-0123456789abcdefghij",
                    "TGKEEP_POLL_TIMEOUT": "1", "TGKEEP_SYNC_INTERVAL": "24h",
                    "TGKEEP_SYNC_BATCH": "100000"})
        bot = subprocess.Popen([tgkeep, "run"], env=env, stderr=subprocess.DEVNULL)
        client = redis.client()
        wait_until(lambda: int(client.command("XLEN", STREAM) or 0) >= updates, 300,
                   interval=0.1, what="a full outbox")
        bot.kill()
        bot.wait()
        # The killed bot's syncer held the lease: let it expire, so only the sync is timed.
        wait_until(lambda: int(client.command("EXISTS", "tgkeep:{outbox}:lease")) == 0, 30,
                   interval=0.05, what="the lease to expire")
        client.close()
    finally:
        api.kill()
        api.wait()


def timed_psql(pg, script):
    start = time.monotonic()
    out = subprocess.run([pg._bin("psql"), "-h", pg.dir, "-p", str(pg.port), "-U", "postgres",
                          "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", "-"], input=script,
                         capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit("psql failed: " + out.stderr)
    return time.monotonic() - start


def one_run(tgkeep, updates, chats):
    tmp = tempfile.mkdtemp(prefix="tgkeep-bench-")
    pg = PgServer(durable=True)
    redis = RedisServer()
    try:
        fill_outbox(tgkeep, redis, pg, tmp, updates, chats)
        idle = idle_cpus()
        env = base_env(redis, pg, os.path.join(tmp, "data"))
        start = time.monotonic()
        sync = subprocess.run([tgkeep, "sync", "--once"], env=env, capture_output=True, text=True)
        sync_seconds = time.monotonic() - start
        if sync.returncode != 0:
            sys.exit("tgkeep sync failed:\n" + sync.stderr[-2000:])
        rows = {t: pg.scalar(f"SELECT count(*) FROM {t}") for t in TABLES}
        if rows["raw_updates"] != updates:
            sys.exit(f"the sync stored {rows['raw_updates']} updates of {updates}")
        files = {t: os.path.join(tmp, f"{t}.copy") for t in TABLES}
        os.chmod(tmp, 0o777)
        timed_psql(pg, "".join(f"\\copy {t} TO '{files[t]}'\n" for t in TABLES))
        pg.psql("TRUNCATE raw_updates, messages, users")
        copy_seconds = timed_psql(
            pg, "BEGIN;\n" + "".join(f"\\copy {t} FROM '{files[t]}'\n" for t in TABLES) +
            "COMMIT;\n")
        copied = pg.scalar("SELECT count(*) FROM raw_updates")
        return {
            "benchmark": "sync_vs_copy",
            "updates": updates,
            "chats": chats,
            "rows": sum(rows.values()),
            "sync_seconds": round(sync_seconds, 3),
            "sync_updates_per_s": round(updates / sync_seconds),
            "copy_seconds": round(copy_seconds, 3),
            "copy_updates_per_s": round(copied / copy_seconds),
            "ratio": round(copy_seconds / sync_seconds, 3),
            "idle_cpus": idle,
        }
    finally:
        redis.stop()
        pg.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--updates", type=int, default=100_000)
    parser.add_argument("--chats", type=int, default=5_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--build", default=os.path.join(HERE, "..", "build"))
    args = parser.parse_args()
    tgkeep = os.path.join(args.build, "src/app/tgkeep")
    for _ in range(args.runs):
        print(json.dumps(one_run(tgkeep, args.updates, args.chats)), flush=True)


if __name__ == "__main__":
    main()
