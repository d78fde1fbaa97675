"""Processes and load for the fault suite: a Redis that can keep its AOF across restarts, a TCP
proxy that passes, delays, black-holes or cuts connections, the emulator's admin client, the
steady load, and the sampler that measures intake stalls. Every server listens on 127.0.0.1 and is
stopped by PID."""

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time

from faultconfig import LOAD_CHATS, LOAD_RATE  # first: it makes tests/e2e importable
from harness import RedisServer, RespError, wait_until  # noqa: F401

class FaultRedis(RedisServer):
    """RedisServer with optional persistence: `persistent=True` runs with
    `--appendonly yes --appendfsync everysec`, and restart() (after a SIGKILL) reloads the AOF
    from the same directory; without it Redis restarts empty. The pid is `self.proc.pid`."""

    def __init__(self, persistent=False, extra_args=()):
        self.persistent = persistent
        args = ["--appendonly", "yes", "--appendfsync", "everysec"] if persistent else []
        super().__init__(extra_args=args + list(extra_args))

    def start(self, timeout=20.0):
        # A big AOF takes a moment to load: Redis answers -LOADING meanwhile (PING fails).
        super().start(timeout)

    def freeze(self):
        os.kill(self.proc.pid, signal.SIGSTOP)

    def thaw(self):
        os.kill(self.proc.pid, signal.SIGCONT)

    def info(self, section):
        text = self.cli("INFO", section)
        out = {}
        for line in text.splitlines():
            if ":" in line:
                k, v = line.split(":", 1)
                out[k] = v
        return out


# --- A TCP proxy that can delay, cut or black-hole connections --------------------------------

def _quietly(action):
    """Runs a socket call whose failure (the peer already gone) changes nothing."""
    try:
        action()
    except OSError:
        pass


class TcpProxy:
    """Listens on 127.0.0.1:<port> and forwards each connection to 127.0.0.1:<upstream>, with a
    thread per direction. Modes:
    - "pass": forward;
    - "delay": forward, each chunk `delay_s` late;
    - "blackhole": accept and read, forward nothing (the peer sees no answer, no error), held
      bytes are delivered if the mode goes back to pass (a healed partition);
    - "cut": close every connection with a reset, and reset new ones at once."""

    def __init__(self, upstream_port):
        self.upstream_port = upstream_port
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(128)
        self.port = self.listener.getsockname()[1]
        self.mode = "pass"
        self.delay_s = 0.0
        self.cond = threading.Condition()
        self.socks = set()
        self.closed = False
        self.accepted = 0
        threading.Thread(target=self._accept_loop, daemon=True, name="proxy-accept").start()

    def set_mode(self, mode, delay_s=0.0):
        with self.cond:
            self.mode, self.delay_s = mode, delay_s
            socks = list(self.socks) if mode == "cut" else []
            self.cond.notify_all()
        for s in socks:
            self._reset(s)

    @staticmethod
    def _reset(s):
        """Closes with an RST (SO_LINGER 0), as a cut connection would."""
        _quietly(lambda: s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                      b"\x01\x00\x00\x00\x00\x00\x00\x00"))
        _quietly(s.close)

    def _accept_loop(self):
        while not self.closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            self.accepted += 1
            if self.mode == "cut":
                self._reset(client)
                continue
            try:
                upstream = socket.create_connection(("127.0.0.1", self.upstream_port), timeout=5)
                upstream.settimeout(None)
            except OSError:
                self._reset(client)
                continue
            with self.cond:
                self.socks.update((client, upstream))
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(src, dst), daemon=True,
                                 name="proxy-pump").start()

    def _pump(self, src, dst):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                with self.cond:
                    while self.mode == "blackhole" and not self.closed:
                        self.cond.wait(0.1)
                    if self.mode == "cut" or self.closed:
                        break
                    delay = self.delay_s if self.mode == "delay" else 0.0
                if delay:
                    time.sleep(delay)
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with self.cond:
                    self.socks.discard(s)
                _quietly(lambda: s.shutdown(socket.SHUT_RDWR))
                _quietly(s.close)

    def stop(self):
        with self.cond:
            self.closed = True
            socks = list(self.socks)
            self.cond.notify_all()
        try:
            self.listener.close()
        except OSError:
            pass
        for s in socks:
            self._reset(s)


# --- The emulator over one keep-alive connection per thread ------------------------------------

class AdminClient:
    def __init__(self, url, timeout=10):
        host, port = url.split("//", 1)[1].split(":")
        self.host, self.port, self.timeout = host, int(port), timeout
        self.conn = None

    def request(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        for attempt in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            try:
                self.conn.request(method, path, body=data,
                                  headers={"Content-Type": "application/json"})
                resp = self.conn.getresponse()
                payload = json.loads(resp.read())
                return payload["result"]
            except (OSError, http.client.HTTPException, ValueError):
                self.conn.close()
                self.conn = None
                if attempt == 1:
                    raise

    def close(self):
        if self.conn is not None:
            self.conn.close()


class Load(threading.Thread):
    """Posts `rate` user messages per second (in batches of `batch`) across `chats` private chats
    through /_admin/messages; every text is unique (`<tag> <n>`). Records the update ids the
    emulator gave them."""

    def __init__(self, api_url, tag, rate=LOAD_RATE, chats=LOAD_CHATS, batch=5):
        super().__init__(daemon=True, name="load")
        self.client = AdminClient(api_url)
        self.tag, self.rate, self.chats, self.batch = tag, rate, chats, batch
        self.ids = []
        self.errors = 0
        self.stopping = threading.Event()

    def run(self):
        n = 0
        next_t = time.monotonic()
        while not self.stopping.is_set():
            items = [{"chat_id": 7000 + (n + k) % self.chats, "user_id": 7000 + (n + k) % self.chats,
                      "language_code": "en", "text": f"{self.tag} {n + k}"}
                     for k in range(self.batch)]
            try:
                r = self.client.request("POST", "/_admin/messages", items)
                self.ids.extend(range(r["first"], r["last"] + 1))
                n += self.batch
            except Exception:  # noqa: BLE001 -- counted, the load goes on
                self.errors += 1
            next_t += self.batch / self.rate
            delay = next_t - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            elif delay < -1.0:
                next_t = time.monotonic()  # fell behind (the emulator was slow): do not burst

    def stop(self):
        self.stopping.set()
        self.join(15)
        self.client.close()


class Sampler(threading.Thread):
    """Samples /_admin/stats every `interval` seconds: (t, confirmed_offset, pending,
    get_updates_calls)."""

    def __init__(self, api_url, interval=0.01):
        super().__init__(daemon=True, name="sampler")
        self.client = AdminClient(api_url, timeout=5)
        self.interval = interval
        self.samples = []
        self.stopping = threading.Event()

    def run(self):
        while not self.stopping.is_set():
            try:
                s = self.client.request("GET", "/_admin/stats")
                self.samples.append((time.monotonic(), s["confirmed_offset"], s["pending"],
                                     s["get_updates_calls"], s.get("long_poll_waiting")))
            except Exception:  # noqa: BLE001
                pass
            time.sleep(self.interval)

    def last(self):
        return self.samples[-1] if self.samples else None

    def stop(self):
        self.stopping.set()
        self.join(10)
        self.client.close()


def longest_stall(samples, excluded=()):
    """The longest time during which the emulator had pending updates and confirmed_offset did
    not advance. Samples inside an excluded (start, end) window (the bot not running) restart
    the count."""
    best = 0.0
    start = None
    offset = None
    for t, confirmed, pending, _calls, _waiting in samples:
        if any(a <= t <= (b if b is not None else float("inf")) for a, b in excluded):
            start, offset = None, None
            continue
        if pending == 0 or confirmed != offset:
            start, offset = (t if pending else None), confirmed
            continue
        if start is None:
            start = t
        best = max(best, t - start)
    return best


# --- The report --------------------------------------------------------------------------------

