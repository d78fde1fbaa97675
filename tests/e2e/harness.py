"""Process harness for tgkeep's end-to-end tests: starts the Bot API emulator and the real
`tgkeep` binary on 127.0.0.1 with temporary data directories, talks to the emulator's admin API,
reads the bot's SQLite database, and stops every process it started, by PID."""

import collections
import http.server
import json
import os
import shutil
import signal
import sqlite3
import ssl
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request

TGKEEP = os.environ.get("TGKEEP_BIN", "build/src/app/tgkeep")
TOKEN = "123456:AAH-e2e-secret-token-value-0123456789"


def wait_until(predicate, timeout=30.0, interval=0.05, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


class FakeApi:
    """The Bot API emulator process (`tgkeep sandbox`) and its admin endpoints."""

    def __init__(self, extra_args=()):
        self.proc = subprocess.Popen(
            [TGKEEP, "sandbox", "--port", "0", *extra_args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline().strip()
        if not line.startswith("listening "):
            self.stop()
            raise RuntimeError(f"emulator did not start: {line!r}")
        self.url = "http://" + line.split()[1]

    def request(self, method, path, body=None, timeout=30):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                return json.loads(resp.read())
        except urllib.error.HTTPError as e:
            return json.loads(e.read())

    def bot(self, method, params=None):
        return self.request("POST", f"/bot{TOKEN}/{method}", params or {})

    def messages(self, items):
        return self.request("POST", "/_admin/messages", items)["result"]

    def updates(self, items):
        return self.request("POST", "/_admin/updates", items)["result"]

    def sent(self, chat_id=None):
        path = "/_admin/sent" + (f"?chat_id={chat_id}" if chat_id is not None else "")
        return self.request("GET", path)["result"]

    def stats(self):
        return self.request("GET", "/_admin/stats")["result"]

    def fault(self, **spec):
        return self.request("POST", "/_admin/faults", spec)

    def stop(self):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


class StandInApi:
    """A minimal Bot API stand-in served from this process, for behaviour the emulator does not
    have: `respond(method)` returns (HTTP status, JSON payload). With a certificate and key it
    speaks HTTPS. `calls` counts requests by method."""

    def __init__(self, respond, cert=None, key=None):
        calls = self.calls = collections.Counter()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                method = self.path.rsplit("/", 1)[-1]
                calls[method] += 1
                status, payload = respond(method)
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        scheme = "http"
        if cert:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(cert, key)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
            scheme = "https"
        self.url = f"{scheme}://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class Bot:
    """One `tgkeep run` process."""

    def __init__(self, api_url, data_dir, extra_env=None, args=(), token=TOKEN):
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("TGKEEP_", "TELEGRAM_", "BOT_TOKEN"))}
        env.update({
            "TELEGRAM_API_URL": api_url,
            "TGKEEP_DATA_DIR": data_dir,
            "TGKEEP_POLL_TIMEOUT": "1",
            "TGKEEP_RATE_LIMITS": "off",
            "TGKEEP_SHUTDOWN_TIMEOUT": "10",
        })
        if token is not None:
            env["TELEGRAM_BOT_TOKEN"] = token
        env.update(extra_env or {})
        self.log_path = os.path.join(data_dir, f"bot-{time.monotonic_ns()}.log")
        os.makedirs(data_dir, exist_ok=True)
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen([TGKEEP, "run", *args], env=env,
                                     stdout=self.log, stderr=subprocess.STDOUT)

    def output(self):
        if not self.log.closed:
            self.log.flush()
        with open(self.log_path) as f:
            return f.read()

    def wait_exit(self, timeout=30):
        try:
            return self.proc.wait(timeout)
        finally:
            self.log.close()

    def terminate(self, timeout=30):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
        return self.wait_exit(timeout)

    def kill(self):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        self.log.close()


def run_tgkeep(*args, data_dir, timeout=60):
    env = dict(os.environ, TGKEEP_DATA_DIR=data_dir)
    return subprocess.run([TGKEEP, *args], env=env, capture_output=True, text=True,
                          timeout=timeout)


class E2ETest(unittest.TestCase):
    """Base: an emulator per test, a temporary directory, every process stopped afterwards."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="tgkeep-e2e-")
        self.data_dir = os.path.join(self.tmp, "data")
        self.api = FakeApi()
        self.bots = []

    def tearDown(self):
        for bot in self.bots:
            if bot.proc.poll() is None:
                bot.kill()
        self.api.stop()
        if self._outcome_ok():
            shutil.rmtree(self.tmp, ignore_errors=True)
        else:
            print(f"\n(kept {self.tmp} for inspection)")

    def _outcome_ok(self):
        outcome = getattr(self, "_outcome", None)
        result = getattr(outcome, "result", None)
        if result is None:
            return True
        return not (result.errors or result.failures)

    def start_bot(self, **kwargs):
        bot = Bot(self.api.url, self.data_dir, **kwargs)
        self.bots.append(bot)
        return bot

    def db(self):
        conn = sqlite3.connect(f"file:{os.path.join(self.data_dir, 'tgkeep.db')}?mode=ro",
                               uri=True, timeout=10)
        conn.row_factory = sqlite3.Row
        return conn

    def query(self, sql, *params):
        with self.db() as conn:
            return conn.execute(sql, params).fetchall()

    def scalar(self, sql, *params):
        rows = self.query(sql, *params)
        return rows[0][0] if rows else None

    def wait_stored(self, count, timeout=60):
        def stored():
            try:
                return self.scalar("SELECT COUNT(*) FROM raw_updates") >= count
            except sqlite3.Error:
                return False
        wait_until(stored, timeout, what=f"{count} stored updates")

    def wait_confirmed(self, last_update_id, timeout=60):
        wait_until(lambda: self.api.stats()["confirmed_offset"] > last_update_id, timeout,
                   what=f"offset past {last_update_id}")
