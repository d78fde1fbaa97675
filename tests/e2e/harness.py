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


# --- Redis: a real redis-server per test, and a tiny RESP client. ---

import socket  # noqa: E402  (kept with the Redis helpers it serves)

REDIS_SERVER = os.environ.get("REDIS_SERVER_BIN", "redis-server")

# Every variable tgkeep reads to find Redis (src/config/redis_candidates.cpp). The bot's and the
# CLI's environment blanks them (empty counts as unset) unless a test sets them, so a Redis
# configured on the developer's machine never leaks into a test.
REDIS_ENV_NAMES = ("TGKEEP_REDIS_URL", "REDIS_URL", "REDIS_PRIVATE_URL", "REDIS_PUBLIC_URL",
                   "REDISHOST", "REDISPORT", "REDISUSER", "REDISPASSWORD", "REDIS_HOST",
                   "REDIS_PORT", "REDIS_USERNAME", "REDIS_PASSWORD", "REDIS_TLS_CA")


def redis_env(**values):
    """The Redis variables for a tgkeep process: all blank but `values`."""
    env = {name: "" for name in REDIS_ENV_NAMES}
    env.update(values)
    return env


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_on_a_free_port(server, attempts=3):
    """Sets server.port to a free port and calls server.start(); the port may be taken between
    the two, so another is tried, up to `attempts` times."""
    for attempt in range(attempts):
        server.port = free_port()
        try:
            server.start()
            return
        except RuntimeError:
            if attempt == attempts - 1:
                raise


class RespError(Exception):
    """An error reply of Redis (-ERR ..., -WRONGPASS ...)."""


class RespClient:
    """A minimal blocking RESP2 client: one connection, one command at a time."""

    def __init__(self, port, password=None, username=None, timeout=5.0):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buf = b""
        if password is not None:
            self.command(*(["AUTH", username, password] if username else ["AUTH", password]))

    def close(self):
        self.sock.close()

    def command(self, *args):
        out = [b"*%d\r\n" % len(args)]
        for arg in args:
            data = arg if isinstance(arg, bytes) else str(arg).encode()
            out.append(b"$%d\r\n%s\r\n" % (len(data), data))
        self.sock.sendall(b"".join(out))
        return self._reply()

    def _line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("Redis closed the connection")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _exact(self, n):
        while len(self.buf) < n + 2:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("Redis closed the connection")
            self.buf += chunk
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    def _reply(self):
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            raise RespError(rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            return None if n < 0 else self._exact(n).decode("utf-8", "replace")
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self._reply() for _ in range(n)]
        raise RespError(f"unexpected reply {line!r}")


class RedisServer:
    """A real `redis-server` on 127.0.0.1 at a free port, in its own temporary directory, without
    persistence. `kill()` SIGKILLs it by PID, `restart()` starts it again, empty, on the same port,
    `stop()` ends it by PID and removes its directory."""

    def __init__(self, password=None, extra_args=()):
        self.password = password
        self.extra_args = list(extra_args)
        self.dir = tempfile.mkdtemp(prefix="tgkeep-e2e-redis-")
        self.proc = None
        self.starts = 0
        try:
            start_on_a_free_port(self)
        except RuntimeError:
            shutil.rmtree(self.dir, ignore_errors=True)
            raise

    @staticmethod
    def available():
        return shutil.which(REDIS_SERVER) is not None

    def url(self, password=None, username="default"):
        password = self.password if password is None else password
        auth = f"{username}:{password}@" if password else ""
        return f"redis://{auth}127.0.0.1:{self.port}"

    def start(self, timeout=10.0):
        self.starts += 1
        args = [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--daemonize", "no",
                "--dir", self.dir, "--logfile", os.path.join(self.dir, f"redis-{self.starts}.log")]
        if self.password:
            args += ["--requirepass", self.password]
        self.proc = subprocess.Popen(args + self.extra_args, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        def answers():
            if self.proc.poll() is not None:
                raise RuntimeError(f"redis-server exited with {self.proc.returncode}; see "
                                   f"{self.dir}")
            try:
                # PING, and make sure it is this server, not another one on a reused port.
                return (self.cli("PING") == "PONG" and
                        f"process_id:{self.proc.pid}\r\n" in self.cli("INFO", "server"))
            except (OSError, RespError):
                return False
        try:
            wait_until(answers, timeout, interval=0.02, what="redis-server to answer PING")
        except AssertionError:
            self.kill()
            raise

    def client(self):
        return RespClient(self.port, self.password)

    def cli(self, *args):
        """One command on a fresh connection (authenticated when the server has a password)."""
        conn = self.client()
        try:
            return conn.command(*args)
        finally:
            conn.close()

    def kill(self):
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        if self.proc:
            self.proc.wait()

    def restart(self):
        self.kill()
        self.start()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def run_tgkeep_env(*args, data_dir, env=None, timeout=60):
    """`tgkeep` with the variables of tgkeep and Redis from this environment left out, plus
    `env`."""
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("TGKEEP_", "TELEGRAM_", "BOT_TOKEN"))}
    clean.update(redis_env())
    clean["TGKEEP_DATA_DIR"] = data_dir
    clean.update(env or {})
    return subprocess.run([TGKEEP, *args], env=clean, capture_output=True, text=True,
                          timeout=timeout)


# --- PostgreSQL: a real postgres per test (initdb into a temporary directory). ---

# Every variable tgkeep reads to find PostgreSQL (src/config/database_url.cpp), and the libpq
# variables that could steer a connection. A test drops them from its environment
# (`database_env_cleared`) so a database configured on the developer's machine never leaks in.
DATABASE_ENV_NAMES = ("TGKEEP_DATABASE_URL", "DATABASE_URL", "DATABASE_PRIVATE_URL",
                      "DATABASE_PUBLIC_URL", "PGHOST", "PGHOSTADDR", "PGPORT", "PGUSER",
                      "PGDATABASE", "PGSERVICE", "PGPASSWORD", "PGPASSFILE", "PGSSLMODE",
                      "PGSERVICEFILE", "PGOPTIONS")


def database_env_cleared(testcase):
    """Removes the database variables from os.environ for the duration of `testcase` (every
    process the harness starts copies os.environ)."""
    saved = {name: os.environ.pop(name) for name in DATABASE_ENV_NAMES if name in os.environ}
    testcase.addCleanup(os.environ.update, saved)


def _pg_bindir():
    candidates = []
    try:
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True,
                             timeout=10)
        if out.returncode == 0:
            candidates.append(out.stdout.strip())
    except (OSError, subprocess.SubprocessError):
        pass
    candidates.append("/usr/lib/postgresql/15/bin")
    for d in candidates:
        if all(os.access(os.path.join(d, b), os.X_OK) for b in ("initdb", "postgres", "psql")):
            return d
    return None


def _children_of(pid):
    """PIDs whose parent is `pid` (from /proc)."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[-1].split()
        if len(fields) > 1 and int(fields[1]) == pid:
            out.append(int(entry))
    return out


class PgError(Exception):
    """psql failed."""


class PgServer:
    """A real PostgreSQL (initdb -U postgres -A trust) on 127.0.0.1 at a free port, its socket
    and data in its own temporary directory, fsync off. As root, initdb and postgres run as
    `nobody` (they refuse root). `psql(sql)` runs one statement as postgres over the socket,
    `kill()` SIGKILLs the postmaster (and its children) by PID, `stop()` stops it (SIGINT: fast
    shutdown), waits by PID and removes the directory."""

    BINDIR = _pg_bindir()

    def __init__(self, durable=False):
        # Fast by default (fsync and synchronous_commit off); `durable` keeps every commit across
        # a SIGKILL, for tests that kill the server and count what it acknowledged.
        self.durability = "on" if durable else "off"
        self.bindir = self.BINDIR
        if self.bindir is None:
            raise RuntimeError("the PostgreSQL binaries are not installed")
        self.dir = tempfile.mkdtemp(prefix="tgkeep-e2e-pg-")
        self.data = os.path.join(self.dir, "data")
        self.proc = None
        self.starts = 0
        self.prefix = []
        try:
            if os.geteuid() == 0:
                import grp
                import pwd
                nobody = pwd.getpwnam("nobody")
                try:
                    group = "nogroup"
                    gid = grp.getgrnam("nogroup").gr_gid
                except KeyError:
                    gid = nobody.pw_gid
                    group = grp.getgrgid(gid).gr_name
                os.chown(self.dir, nobody.pw_uid, gid)
                self.prefix = ["setpriv", "--reuid=nobody", f"--regid={group}",
                               "--clear-groups"]
            init = subprocess.run(
                self.prefix + [self._bin("initdb"), "-D", self.data, "-U", "postgres",
                               "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync"],
                stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120,
                cwd=self.dir)
            if init.returncode != 0:
                raise RuntimeError(f"initdb failed ({init.returncode}): {init.stderr}")
            start_on_a_free_port(self)
        except BaseException:
            self.stop()
            raise

    @classmethod
    def available(cls):
        return cls.BINDIR is not None and (os.geteuid() != 0 or shutil.which("setpriv"))

    def _bin(self, name):
        return os.path.join(self.bindir, name)

    def url(self, dbname="postgres", password=None):
        auth = "postgres" + (f":{password}" if password else "")
        return f"postgresql://{auth}@127.0.0.1:{self.port}/{dbname}"

    def start(self, timeout=30.0):
        self.starts += 1
        log = open(os.path.join(self.dir, f"postgres-{self.starts}.log"), "w")
        try:
            self.proc = subprocess.Popen(
                self.prefix + [self._bin("postgres"), "-D", self.data, "-p", str(self.port),
                               "-c", "listen_addresses=127.0.0.1",
                               "-c", f"unix_socket_directories={self.dir}",
                               "-c", f"fsync={self.durability}",
                               "-c", f"synchronous_commit={self.durability}",
                               "-c", "full_page_writes=off", "-c", "logging_collector=off",
                               "-c", "max_connections=50"],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, cwd=self.dir)
        finally:
            log.close()

        def answers():
            if self.proc.poll() is not None:
                raise RuntimeError(f"postgres exited with {self.proc.returncode}; see {self.dir}")
            try:
                # Make sure it is this server, not another one on a reused port.
                return self.psql("SELECT pg_backend_pid() > 0 AND "
                                 f"current_setting('port') = '{self.port}'") == "t"
            except PgError:
                return False
        try:
            wait_until(answers, timeout, interval=0.1, what="postgres to answer SELECT 1")
        except AssertionError:
            self.kill()
            raise RuntimeError(f"postgres did not answer within {timeout} s; see {self.dir}")

    def psql(self, sql, dbname="postgres", timeout=30):
        """One statement's rows, as psql -At prints them (| between columns)."""
        out = subprocess.run(
            [self._bin("psql"), "-h", self.dir, "-p", str(self.port), "-U", "postgres",
             "-d", dbname, "-X", "-v", "ON_ERROR_STOP=1", "-Atc", sql],
            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout,
            env={k: v for k, v in os.environ.items() if not k.startswith("PG")})
        if out.returncode != 0:
            raise PgError(out.stderr.strip())
        return out.stdout.strip()

    def scalar(self, sql, dbname="postgres"):
        value = self.psql(sql, dbname)
        return int(value) if value.lstrip("-").isdigit() else value

    def kill(self):
        if self.proc and self.proc.poll() is None:
            children = _children_of(self.proc.pid)
            os.kill(self.proc.pid, signal.SIGKILL)
            for child in children:
                try:
                    os.kill(child, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        if self.proc:
            self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGINT)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()
        shutil.rmtree(self.dir, ignore_errors=True)
