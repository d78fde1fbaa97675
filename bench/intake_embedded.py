#!/usr/bin/env python3
"""Intake benchmark on the embedded default (SQLite).

The Bot API emulator (`tgkeep sandbox`) prepares N updates over C chats (about 7% commands) and serves 100 per
getUpdates call; `tgkeep run` (engine none, rate limits off) takes them. The figure is updates/s
from the bot's start until every update is committed, i.e. until the bot's getUpdates offset has
moved past the last update (it moves only after a commit), and the bot's peak RSS (VmHWM).
Prints one line of JSON. Usage: bench/intake_embedded.py [--updates N] [--chats C] [--build DIR]
"""

import argparse
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request


def admin(url, method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url + path, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as resp:
        return json.loads(resp.read())["result"]


def peak_rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--updates", type=int, default=100_000)
    parser.add_argument("--chats", type=int, default=5_000)
    parser.add_argument("--commands", type=float, default=0.07)
    parser.add_argument("--build", default=os.path.join(os.path.dirname(__file__), "..", "build"))
    args = parser.parse_args()

    tgkeep = os.path.join(args.build, "src/app/tgkeep")
    tmp = tempfile.mkdtemp(prefix="tgkeep-bench-")
    api = subprocess.Popen([tgkeep, "sandbox", "--port", "0"], stdout=subprocess.PIPE, text=True)
    bot = None
    try:
        url = "http://" + api.stdout.readline().split()[1]
        generated = admin(url, "POST", "/_admin/generate",
                          {"count": args.updates, "chats": args.chats,
                           "command_ratio": args.commands, "seed": 1})
        last = generated["last"]
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TGKEEP_", "TELEGRAM_"))}
        env.update({"TELEGRAM_API_URL": url, "TELEGRAM_BOT_TOKEN": "123456:AAH-bench-token-0123456789abcdefghij",
                    "TGKEEP_DATA_DIR": os.path.join(tmp, "data"), "TGKEEP_ENGINE": "none",
                    "TGKEEP_RATE_LIMITS": "off", "TGKEEP_POLL_TIMEOUT": "1",
                    "TGKEEP_LOG_LEVEL": "warn"})
        start = time.monotonic()
        bot = subprocess.Popen([tgkeep, "run"], env=env, stderr=open(os.path.join(tmp, "bot.log"), "w"))
        while admin(url, "GET", "/_admin/stats")["confirmed_offset"] <= last:
            if bot.poll() is not None:
                with open(os.path.join(tmp, "bot.log")) as log:
                    sys.exit("tgkeep exited early:\n" + log.read()[-2000:])
            time.sleep(0.005)
        seconds = time.monotonic() - start
        rss = peak_rss_mb(bot.pid)
        # Let replies to commands finish, then stop gracefully and count what is stored.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            sent = admin(url, "GET", "/_admin/stats")["sent"]
            time.sleep(0.2)
            if admin(url, "GET", "/_admin/stats")["sent"] == sent:
                break
        rss = max(rss, peak_rss_mb(bot.pid))
        os.kill(bot.pid, signal.SIGTERM)
        exit_code = bot.wait(60)
        db = sqlite3.connect(os.path.join(tmp, "data", "tgkeep.db"))
        stored = db.execute("SELECT COUNT(*) FROM raw_updates").fetchone()[0]
        user_messages = db.execute("SELECT COUNT(*) FROM messages WHERE role='user'").fetchone()[0]
        replies = db.execute("SELECT COUNT(*) FROM messages WHERE role='assistant'").fetchone()[0]
        db.close()
        print(json.dumps({
            "benchmark": "intake_embedded",
            "updates": args.updates,
            "chats": args.chats,
            "seconds": round(seconds, 3),
            "updates_per_s": round(args.updates / seconds),
            "peak_rss_mb": round(rss, 1),
            "stored_updates": stored,
            "stored_user_messages": user_messages,
            "stored_replies": replies,
            "exit_code": exit_code,
        }))
        if stored != args.updates or exit_code != 0:
            sys.exit(1)
    finally:
        for proc in (bot, api):
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
