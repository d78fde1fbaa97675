"""Adapter for the third-party Bot API emulator `telegram-test-api` (npm; see package.json and
docs/thirdparty-emulator.md): starts it through server.js, posts user messages through its client
API and reads back what the bot sent — the subset of tests/e2e/harness.py's FakeApi that the
cross-check tests need (`url`, `messages`, `sent`, `stop`), plus `user_updates`/`taken`.

telegram-test-api has no admin API like ours. What this adapter maps onto:
  POST /sendMessage, /sendCommand   a user writes (the body is the Message, plus `botToken`)
  POST /sendCallback                a user presses an inline button (callback_query)
  POST /getUpdatesHistory           every stored user update and bot message of a token
It answers the client calls with `result: null`, so the update ids of posted messages are read
back from the history. It keeps no confirmed offset: wait on the bot's database instead
(harness.E2ETest.wait_stored)."""

import http.client
import json
import os
import signal
import subprocess
import time

HERE = os.path.dirname(os.path.abspath(__file__))
NODE = os.environ.get("NODE_BIN", "node")


class TelegramTestApi:
    """One telegram-test-api server (node server.js). `offsets=True` starts it with --offsets:
    getUpdates then honours offset/limit like Telegram (see server.js)."""

    def __init__(self, token, offsets=False, log_path=None):
        self.token = token
        self.offsets = offsets
        if not os.path.isdir(os.path.join(HERE, "node_modules", "telegram-test-api")):
            raise RuntimeError(f"telegram-test-api is not installed: run `npm ci` in {HERE}")
        self._log = open(log_path, "w") if log_path else subprocess.DEVNULL
        args = [NODE, os.path.join(HERE, "server.js"), "--port", "0"]
        if offsets:
            args.append("--offsets")
        self.proc = subprocess.Popen(args, cwd=HERE, stdout=subprocess.PIPE, stderr=self._log,
                                     text=True)
        line = self.proc.stdout.readline().strip()
        if not line.startswith("listening "):
            self.stop()
            raise RuntimeError(f"telegram-test-api did not start: {line!r}")
        self.host, port = line.split()[1].rsplit(":", 1)
        self.port = int(port)
        self.url = f"http://{self.host}:{self.port}"
        self._last_user_update = 0

    # --- HTTP ---------------------------------------------------------------------------------

    def _post(self, conn, path, body):
        conn.request("POST", path, json.dumps(body).encode(),
                     {"Content-Type": "application/json"})
        resp = conn.getresponse()
        payload = resp.read()
        if resp.status != 200:
            raise RuntimeError(f"POST {path}: HTTP {resp.status} {payload[:300]!r}")
        return json.loads(payload)

    def request(self, path, body, timeout=30):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            return self._post(conn, path, body)
        finally:
            conn.close()

    def bot(self, method, params=None):
        """A Bot API call as the bot makes it (JSON body)."""
        return self.request(f"/bot{self.token}/{method}", params or {})

    # --- users write --------------------------------------------------------------------------

    def _user_message(self, item, date):
        """harness-style item -> the Message body telegram-test-api's client API takes."""
        chat_id = item["chat_id"]
        user_id = item.get("user_id", chat_id)
        chat_type = item.get("chat_type", "private" if chat_id == user_id else "group")
        sender = {"id": user_id, "is_bot": False,
                  "first_name": item.get("first_name", f"User {user_id}")}
        for key in ("username", "language_code"):
            if item.get(key) is not None:
                sender[key] = item[key]
        chat = {"id": chat_id, "type": chat_type}
        if chat_type == "private":
            chat["first_name"] = sender["first_name"]
            if "username" in sender:
                chat["username"] = sender["username"]
        else:
            chat["title"] = item.get("title") or f"Group {chat_id}"
        message = {"botToken": self.token, "date": date, "from": sender, "chat": chat,
                   "text": item["text"]}
        text = item["text"]
        if text.startswith("/") and len(text) > 1:
            # Telegram marks a leading command with a bot_command entity (UTF-16 length).
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0,
                                    "length": len(command.encode("utf-16-le")) // 2}]
        return message

    def messages(self, items):
        """Users write `items` ({chat_id, text, user_id?, first_name?, username?,
        language_code?, chat_type?, title?}), in order. Returns {"first", "last", "count"}: the
        update ids the emulator gave them (read back from its history)."""
        if isinstance(items, dict):
            items = [items]
        date = int(time.time())
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            for item in items:
                message = self._user_message(item, date)
                path = "/sendCommand" if "entities" in message else "/sendMessage"
                reply = self._post(conn, path, message)
                if not reply.get("ok"):
                    raise RuntimeError(f"{path} refused {item!r}: {reply!r}")
        finally:
            conn.close()
        new = [u["update_id"] for u in self.user_updates()
               if u["update_id"] > self._last_user_update]
        if len(new) != len(items):
            raise RuntimeError(f"posted {len(items)} messages, the emulator holds {len(new)} new")
        self._last_user_update = max(new, default=self._last_user_update)
        return {"first": min(new, default=None), "last": max(new, default=None),
                "count": len(new)}

    def press(self, message, data, user_id=None, first_name=None, language_code=None):
        """A user presses an inline button with callback `data` under the bot's `message` (a
        record from sent()): a callback_query update, through the client API's /sendCallback.
        The `message` it carries is the bot's Message as Telegram would show it."""
        chat_id = message["chat_id"]
        user_id = chat_id if user_id is None else user_id
        sender = {"id": user_id, "is_bot": False,
                  "first_name": first_name or f"User {user_id}"}
        if language_code:
            sender["language_code"] = language_code
        shown = {"message_id": message["message_id"], "date": int(time.time()),
                 "chat": {"id": chat_id, "type": "private" if chat_id == user_id else "group"},
                 "from": dict(self.bot("getMe")["result"], is_bot=True),
                 "text": message["text"]}
        if message.get("reply_markup"):
            shown["reply_markup"] = message["reply_markup"]
        reply = self.request("/sendCallback", {"botToken": self.token, "from": sender,
                                               "message": shown, "data": data})
        if not reply.get("ok"):
            raise RuntimeError(f"/sendCallback refused: {reply!r}")

    # --- what is stored -----------------------------------------------------------------------

    def history(self):
        return self.request("/getUpdatesHistory", {"token": self.token})["result"]

    def user_updates(self):
        """The users' updates, by update id: update_id, message_id, chat_id, text and `read`
        (handed out by getUpdates at least once)."""
        out = []
        for entry in self.history():
            message = entry.get("message")
            if not isinstance(message, dict) or not isinstance(message.get("chat"), dict):
                continue  # a bot message (its `message` is the sendMessage body) or a callback
            out.append({"update_id": entry["updateId"], "message_id": entry["messageId"],
                        "chat_id": message["chat"]["id"], "text": message.get("text"),
                        "read": entry["isRead"]})
        out.sort(key=lambda u: u["update_id"])
        return out

    def taken(self):
        """True when getUpdates has handed out every user update (not: the bot stored them)."""
        return all(u["read"] for u in self.user_updates())

    def sent(self, chat_id=None):
        """The bot's sendMessage calls in the order the emulator took them: seq, method, chat_id,
        message_id, text (after any editMessageText), edited, and the other body fields the bot
        sent (reply_markup, ...)."""
        out = []
        for entry in self.history():
            message = entry.get("message")
            if not isinstance(message, dict) or "chat_id" not in message:
                continue  # a user's update
            record = dict(message)
            # editMessageText merges its body (which names the message_id) into the stored
            # sendMessage body: the record shows the latest text, and no separate edit.
            record["edited"] = "message_id" in message
            try:
                record["chat_id"] = int(message["chat_id"])
            except (TypeError, ValueError):
                pass  # "@username"
            record.update({"seq": entry["messageId"], "method": "sendMessage",
                           "message_id": entry["messageId"]})
            out.append(record)
        out.sort(key=lambda r: r["seq"])
        if chat_id is not None:
            out = [r for r in out if r["chat_id"] == chat_id]
        return out

    # --- lifetime -----------------------------------------------------------------------------

    def stop(self):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        if self.proc.stdout:
            self.proc.stdout.close()
        if self._log is not subprocess.DEVNULL:
            self._log.close()
