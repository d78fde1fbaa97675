// The sandbox chat page's controller: page state, the /_chat/ API, the long-poll loop that
// applies timeline events as they happen, and the user's actions (pick or create a user,
// create a group, open a chat, send, press an inline button). Rendering is in view.js, the
// user and group forms in dialogs.js, text formatting in format.js.
//
// The page follows one bot: ?token=<TOKEN> or ?bot=<bot id> in the page URL, else the
// emulator's first bot. Events arrive through GET /_chat/events?since=N&timeout=25, which
// answers as soon as anything happens; a "gap" (events lost, emulator restarted) reloads.
"use strict";

(() => {
  const V = window.SandboxView;
  const $ = (id) => document.getElementById(id);
  const POLL_TIMEOUT_S = 25;
  const STATUS_REFRESH_MS = 10000;

  const pageParams = new URLSearchParams(location.search);
  const S = {
    botParams: [...pageParams].filter(([k]) => k === "token" || k === "bot"),
    bot: null,
    bots: [],
    users: new Map(),  // id -> User
    chats: new Map(),  // id -> chat summary (id, type, title, members, last_message)
    messages: new Map(),  // the open chat's messages: message_id -> message view
    userId: null,
    chatId: null,
    since: 0,
    unread: new Map(),
    typingUntil: 0,
    online: true,
  };

  async function api(method, endpoint, { body, query } = {}) {
    const params = new URLSearchParams(query || {});
    for (const [k, v] of S.botParams) params.set(k, v);
    const qs = params.toString();
    const response = await fetch(`/_chat/${endpoint}${qs ? "?" + qs : ""}`, {
      method,
      headers: body ? { "Content-Type": "application/json" } : {},
      body: body ? JSON.stringify(body) : undefined,
      cache: "no-store",
    });
    let json = null;
    try {
      json = await response.json();
    } catch {
      throw new Error(`HTTP ${response.status}`);
    }
    if (!json.ok) throw new Error(json.description || `HTTP ${response.status}`);
    return json.result;
  }

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  const storageKey = () => `tgkeep-sandbox:${S.bot ? S.bot.id : 0}:user`;

  let toastTimer = 0;
  function toast(text, kind = "info", ms = 2500) {
    const node = $("toast");
    node.textContent = text;
    node.dataset.kind = kind;
    node.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { node.hidden = true; }, ms);
  }

  function renderChrome() {
    V.renderBot(S);
    V.renderUsers(S);
    V.renderChatList(S);
    V.renderHeader(S);
    const hasUser = S.userId !== null;
    $("welcome").hidden = hasUser;
    $("messages").hidden = !hasUser;
    $("composer").hidden = !hasUser || S.chatId === null;
    const user = S.users.get(S.userId);
    $("composer-input").placeholder = user ? `Message as ${user.first_name}…` : "Write a message…";
  }

  async function loadState(resetPosition) {
    const state = await api("GET", "state");
    S.bot = state.bot;
    S.bots = state.bots;
    S.users = new Map(state.users.map((u) => [u.id, u]));
    S.chats = new Map(state.chats.map((c) => [c.id, c]));
    if (resetPosition) S.since = state.last_seq;
    if (S.userId !== null && !S.users.has(S.userId)) S.userId = null;
    if (S.userId === null && S.users.size > 0) {
      const saved = Number(localStorage.getItem(storageKey()));
      S.userId = S.users.has(saved) ? saved : S.users.keys().next().value;
    }
    S.online = true;
  }

  function defaultChat() {
    if (S.userId === null) return null;
    if (S.chatId !== null && S.chats.has(S.chatId) && V.isVisible(S, S.chats.get(S.chatId))) {
      return S.chatId;
    }
    return S.chats.has(S.userId) ? S.userId : (V.visibleChats(S)[0] || {}).id ?? null;
  }

  async function openChat(chatId) {
    S.chatId = chatId;
    S.unread.delete(chatId);
    S.messages = new Map();
    renderChrome();
    if (chatId === null) {
      $("messages").replaceChildren();
      return;
    }
    const result = await api("GET", "messages", { query: { chat_id: chatId } });
    if (S.chatId !== chatId) return;  // another chat was opened meanwhile
    S.messages = new Map(result.messages.map((m) => [m.message_id, m]));
    S.chats.set(chatId, result.chat);
    V.renderMessages(S);
    renderChrome();
    $("composer-input").focus();
  }

  async function reloadAll() {
    await loadState(true);
    await openChat(defaultChat());
  }

  let refreshTimer = 0;
  function refreshSoon() {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(async () => {
      try {
        await loadState(false);
        if (S.chatId === null || !S.chats.has(S.chatId)) await openChat(defaultChat());
        renderChrome();
      } catch (err) {
        console.warn("state refresh failed", err);
      }
    }, 80);
  }

  function applyMessageEvent(event) {
    const chat = S.chats.get(event.chat_id);
    if (!chat) {
      refreshSoon();
      return;
    }
    const message = event.message;
    const last = chat.last_message;
    if (!last || message.message_id >= last.message_id) chat.last_message = message;
    if (message.from && message.from.is_bot && event.kind === "message") S.typingUntil = 0;
    if (event.chat_id === S.chatId) {
      S.messages.set(message.message_id, message);
      V.upsertMessage(S, message);
    } else if (event.kind === "message" && V.isVisible(S, chat) && message.from &&
               message.from.id !== S.userId) {
      S.unread.set(chat.id, (S.unread.get(chat.id) || 0) + 1);
    }
  }

  function applyEvent(event) {
    switch (event.kind) {
      case "message":
      case "edit":
      case "delete":
        applyMessageEvent(event);
        break;
      case "callback_answer":
        if (event.chat_id !== S.chatId) break;
        for (const b of document.querySelectorAll(
          `[data-message-id="${event.message_id}"] .keyboard-button.pending`)) {
          b.classList.remove("pending");
        }
        if (event.text) toast(event.text, event.show_alert ? "alert" : "info",
                              event.show_alert ? 6000 : 2500);
        break;
      case "action":
        if (event.chat_id === S.chatId && event.action === "typing") {
          S.typingUntil = Date.now() + 5000;
          setTimeout(() => V.renderHeader(S), 5100);
        }
        break;
      case "reset":
        S.unread.clear();
        reloadAll().catch((err) => console.warn(err));
        break;
      default:  // user, chat
        refreshSoon();
    }
  }

  async function pollLoop() {
    for (;;) {
      try {
        const result = await api("GET", "events",
                                 { query: { since: S.since, timeout: POLL_TIMEOUT_S } });
        if (!S.online) {
          S.online = true;
          renderChrome();
        }
        if (result.gap) {
          await reloadAll();
          continue;
        }
        for (const event of result.events) applyEvent(event);
        S.since = result.last_seq;
        if (result.events.length) renderChrome();
      } catch (err) {
        S.online = false;
        renderChrome();
        await sleep(1500);
      }
    }
  }

  async function selectUser(userId) {
    S.userId = userId;
    localStorage.setItem(storageKey(), String(userId));
    await openChat(defaultChat());  // stays in a group; moves from one private chat to another
  }

  async function send(text) {
    const chatId = S.chatId;
    const userId = S.userId;
    await api("POST", "send", { body: { chat_id: chatId, user_id: userId, text } });
    const chat = S.chats.get(chatId);
    if (chat && chat.type !== "private" && !chat.members.includes(userId)) {
      chat.members.push(userId);
      V.renderHeader(S);
    }
  }

  async function press(button) {
    button.classList.add("pending");
    setTimeout(() => button.classList.remove("pending"), 3000);
    try {
      await api("POST", "press", {
        body: {
          chat_id: S.chatId, user_id: S.userId,
          message_id: Number(button.dataset.messageId), data: button.dataset.callbackData,
        },
      });
    } catch (err) {
      button.classList.remove("pending");
      toast(err.message, "error", 4000);
    }
  }

  function autoGrow() {
    const input = $("composer-input");
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight, 160) + "px";
  }

  async function submitComposer(event) {
    event.preventDefault();
    const input = $("composer-input");
    const text = input.value;
    if (!text.trim() || S.chatId === null || S.userId === null) return;
    input.value = "";
    autoGrow();
    try {
      await send(text);
    } catch (err) {
      input.value = text;
      autoGrow();
      toast(err.message, "error", 4000);
    }
  }

  function wire() {
    $("composer").addEventListener("submit", submitComposer);
    $("composer-input").addEventListener("input", autoGrow);
    $("composer-input").addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        submitComposer(event);
      }
    });
    $("user-select").addEventListener("change", (event) => {
      selectUser(Number(event.target.value)).catch((err) => toast(err.message, "error"));
    });
    $("bot-select").addEventListener("change", (event) => {
      location.search = "?bot=" + encodeURIComponent(event.target.value);
    });
    window.SandboxDialogs.wire({
      api,
      toast,
      users: () => [...S.users.values()],
      currentUserId: () => S.userId,
      async userCreated(user) {
        await loadState(false);
        await selectUser(user.id);
      },
      async groupCreated(chat) {
        await loadState(false);
        await openChat(chat.id);
      },
    });
    $("chat-list").addEventListener("click", (event) => {
      const item = event.target.closest("[data-chat-id]");
      if (item) openChat(Number(item.dataset.chatId)).catch((err) => toast(err.message, "error"));
    });
    $("chat-list").addEventListener("keydown", (event) => {
      const item = event.target.closest("[data-chat-id]");
      if (item && (event.key === "Enter" || event.key === " ")) {
        event.preventDefault();
        item.click();
      }
    });
    $("messages").addEventListener("click", (event) => {
      const button = event.target.closest("button[data-callback-data]");
      if (button) {
        press(button);
        return;
      }
      const command = event.target.closest("[data-command]");
      if (command) {
        send(command.dataset.command).catch((err) => toast(err.message, "error"));
        return;
      }
      event.target.closest(".spoiler")?.classList.toggle("revealed");
      const quote = event.target.closest("[data-reply-to]");
      if (quote) {
        document.querySelector(`.messages [data-message-id="${quote.dataset.replyTo}"]`)
          ?.scrollIntoView({ behavior: "smooth", block: "center" });
      }
    });
  }

  async function start() {
    wire();
    for (;;) {
      try {
        await reloadAll();
        break;
      } catch (err) {
        S.online = false;
        renderChrome();
        toast(err.message, "error", 4000);
        await sleep(2000);
      }
    }
    document.body.dataset.ready = "true";
    setInterval(() => {
      loadState(false).then(renderChrome).catch(() => {});
    }, STATUS_REFRESH_MS);
    pollLoop();
  }

  start();
})();
