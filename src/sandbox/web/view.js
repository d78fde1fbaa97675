// Rendering of the sandbox chat page: the bot card, the user picker, the chat list, the chat
// header and the message bubbles with their inline keyboards. Reads the page state (see
// chat.js) and writes DOM; holds no state of its own. Element ids and data-testid attributes
// are the page's contract with tests/browser.
"use strict";

window.SandboxView = (() => {
  const F = window.SandboxFormat;
  const $ = (id) => document.getElementById(id);

  function isVisible(S, chat) {
    return chat.type !== "private" || chat.id === S.userId;
  }

  function visibleChats(S) {
    return [...S.chats.values()].filter((chat) => isVisible(S, chat));
  }

  function statusOf(S) {
    if (!S.online) return ["offline", "emulator unreachable"];
    if (!S.bot || !S.bot.connected) return ["waiting", "waiting for the bot"];
    if (S.bot.webhook) return ["waiting", "webhook set: not polling"];
    if (S.bot.polling) return ["online", "bot online"];
    return ["connected", "bot connected"];
  }

  function renderBot(S) {
    const bot = S.bot || {};
    document.querySelector("[data-testid=bot-name]").textContent = bot.first_name || "Sandbox";
    document.querySelector("[data-testid=bot-username]").textContent =
      bot.username ? "@" + bot.username : "";
    const token = document.querySelector("[data-testid=bot-token]");
    token.textContent = bot.connected ? bot.token : "no token yet";
    token.dataset.botId = String(bot.id || "");
    const [state, label] = statusOf(S);
    const status = document.querySelector("[data-testid=bot-status]");
    status.dataset.state = state;
    status.textContent = label;

    const picker = document.querySelector(".bot-picker");
    picker.hidden = S.bots.length < 2;
    const select = $("bot-select");
    const key = JSON.stringify(S.bots);
    if (select.dataset.key !== key) {
      select.dataset.key = key;
      select.replaceChildren(...S.bots.map((b) => {
        const option = new Option(`@${b.username} · ${b.token}`, String(b.id), false, b.selected);
        return option;
      }));
    }
  }

  function renderUsers(S) {
    const select = $("user-select");
    const users = [...S.users.values()];
    const key = JSON.stringify(users) + S.userId;
    if (select.dataset.key === key) return;
    select.dataset.key = key;
    if (users.length === 0) {
      select.replaceChildren(new Option("no users yet", "", true, true));
      select.disabled = true;
      return;
    }
    select.disabled = false;
    select.replaceChildren(...users.map((u) => {
      const lang = u.language_code ? ` · ${u.language_code}` : "";
      const handle = u.username ? ` @${u.username}` : "";
      return new Option(`${F.fullName(u)}${handle}${lang}`, String(u.id), false, u.id === S.userId);
    }));
  }

  function previewOf(S, chat) {
    const m = chat.last_message;
    if (!m) return chat.type === "private" ? "Say hello to the bot" : "No messages yet";
    if (m.deleted) return "Message deleted";
    let who = "";
    if (m.from && m.from.id === S.userId) who = "You: ";
    else if (chat.type !== "private" && m.from) who = (m.from.first_name || "") + ": ";
    return who + (m.text || "").replace(/\s+/g, " ");
  }

  function chatTitle(S, chat) {
    if (chat.type === "private") return S.bot ? S.bot.first_name || "Bot" : "Bot";
    return chat.title;
  }

  function renderChatList(S) {
    const list = $("chat-list");
    const chats = visibleChats(S).sort((a, b) =>
      (b.last_message ? b.last_message.date : 0) - (a.last_message ? a.last_message.date : 0) ||
      (a.type === "private" ? -1 : 1) - (b.type === "private" ? -1 : 1) || a.id - b.id);
    list.replaceChildren(...chats.map((chat) => {
      const item = document.createElement("li");
      item.className = "chat-item";
      item.dataset.testid = "chat-item";
      item.dataset.chatId = String(chat.id);
      item.dataset.chatType = chat.type;
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", String(chat.id === S.chatId));
      item.tabIndex = 0;
      const avatar = document.createElement("div");
      avatar.className = "avatar";
      F.fillAvatar(avatar, chat.id, chatTitle(S, chat), chat.type === "private");
      const body = document.createElement("div");
      body.className = "chat-item-body";
      const top = document.createElement("div");
      top.className = "chat-item-top";
      const title = document.createElement("span");
      title.className = "chat-item-title";
      title.textContent = chatTitle(S, chat);
      if (chat.type !== "private") title.classList.add("group");
      const time = document.createElement("span");
      time.className = "chat-item-time";
      time.textContent = chat.last_message ? F.formatTime(chat.last_message.date) : "";
      top.append(title, time);
      const bottom = document.createElement("div");
      bottom.className = "chat-item-bottom";
      const preview = document.createElement("span");
      preview.className = "chat-item-preview";
      preview.textContent = previewOf(S, chat);
      bottom.append(preview);
      const unread = S.unread.get(chat.id) || 0;
      if (unread > 0 && chat.id !== S.chatId) {
        const badge = document.createElement("span");
        badge.className = "badge";
        badge.dataset.testid = "unread-badge";
        badge.textContent = String(unread);
        bottom.append(badge);
      }
      body.append(top, bottom);
      item.append(avatar, body);
      return item;
    }));
  }

  function renderHeader(S) {
    const chat = S.chats.get(S.chatId);
    const avatar = $("chat-avatar");
    const subtitle = $("chat-subtitle");
    document.querySelector(".chat-header").hidden = !chat;
    if (!chat) return;
    $("chat-title").textContent = chatTitle(S, chat);
    F.fillAvatar(avatar, chat.id, chatTitle(S, chat), chat.type === "private");
    const typing = S.typingUntil > Date.now();
    subtitle.classList.toggle("typing", typing);
    if (typing) {
      subtitle.textContent = "typing…";
    } else if (chat.type === "private") {
      const user = S.users.get(chat.id);
      subtitle.textContent = `bot · private chat with ${F.fullName(user) || "you"}`;
    } else {
      const names = (chat.members || []).map((id) => S.users.get(id)).filter(Boolean)
        .map((u) => u.first_name);
      const count = names.length + 1;
      subtitle.textContent = `${chat.type} · ${count} members: ${S.bot ? S.bot.first_name : "bot"}` +
        (names.length ? ", " + names.join(", ") : "");
    }
  }

  function keyboardNode(message) {
    const rows = message.reply_markup && message.reply_markup.inline_keyboard;
    if (!Array.isArray(rows) || rows.length === 0) return null;
    const keyboard = document.createElement("div");
    keyboard.className = "keyboard";
    keyboard.dataset.testid = "inline-keyboard";
    for (const row of rows) {
      if (!Array.isArray(row)) continue;
      const line = document.createElement("div");
      line.className = "keyboard-row";
      for (const button of row) {
        if (!button || typeof button !== "object") continue;
        let node;
        if (typeof button.url === "string") {
          node = document.createElement("a");
          node.href = /^(https?:|tg:)/i.test(button.url) ? button.url : "#";
          node.target = "_blank";
          node.rel = "noopener noreferrer";
          node.title = button.url;
        } else {
          node = document.createElement("button");
          node.type = "button";
          if (typeof button.callback_data === "string") {
            node.dataset.callbackData = button.callback_data;
            node.dataset.messageId = String(message.message_id);
            node.title = "callback_data: " + button.callback_data;
          } else {
            node.disabled = true;
            node.title = "This button type is not emulated";
          }
        }
        node.className = "keyboard-button";
        node.dataset.testid = "inline-button";
        node.textContent = String(button.text || "");
        line.append(node);
      }
      keyboard.append(line);
    }
    return keyboard;
  }

  function quoteNode(S, message) {
    const target = S.messages.get(message.reply_to_message_id);
    const quote = document.createElement("div");
    quote.className = "quote";
    quote.dataset.replyTo = String(message.reply_to_message_id);
    const who = document.createElement("div");
    who.className = "quote-sender";
    who.textContent = target ? F.fullName(target.from) : "Message";
    const text = document.createElement("div");
    text.className = "quote-text";
    text.textContent = !target ? `#${message.reply_to_message_id}` :
      target.deleted ? "Message deleted" : target.text || "";
    quote.append(who, text);
    return quote;
  }

  function messageNode(S, message) {
    const chat = S.chats.get(S.chatId);
    const from = message.from || {};
    const mine = from.id === S.userId;
    const row = document.createElement("div");
    row.className = "message " + (mine ? "out" : "in");
    row.dataset.testid = "message";
    row.dataset.messageId = String(message.message_id);
    row.dataset.from = from.is_bot ? "bot" : "user";
    row.dataset.senderId = String(from.id || "");
    if (message.edit_date) row.dataset.edited = "true";
    if (message.deleted) row.dataset.deleted = "true";

    const bubble = document.createElement("div");
    bubble.className = "bubble";
    if (chat && chat.type !== "private" && !mine) {
      const sender = document.createElement("div");
      sender.className = "sender";
      sender.style.color = F.avatarColor(from.id);
      sender.textContent = F.fullName(from) || "User";
      bubble.append(sender);
    }
    if (message.deleted) {
      bubble.classList.add("deleted");
      const text = document.createElement("div");
      text.className = "text";
      text.dataset.testid = "message-text";
      text.textContent = "Message deleted";
      bubble.append(text);
    } else {
      if (message.reply_to_message_id) bubble.append(quoteNode(S, message));
      const text = document.createElement("div");
      text.className = "text";
      text.dataset.testid = "message-text";
      text.append(F.renderText(message.text || "", message.entities));
      bubble.append(text);
    }
    const meta = document.createElement("span");
    meta.className = "meta";
    if (message.edit_date && !message.deleted) {
      const edited = document.createElement("span");
      edited.className = "edited";
      edited.dataset.testid = "message-edited";
      edited.textContent = "edited";
      meta.append(edited);
    }
    meta.append(F.formatTime(message.edit_date || message.date));
    bubble.append(meta);
    row.append(bubble);
    const keyboard = message.deleted ? null : keyboardNode(message);
    if (keyboard) row.append(keyboard);
    return row;
  }

  function nearBottom() {
    const box = $("messages");
    return box.scrollHeight - box.scrollTop - box.clientHeight < 120;
  }

  function scrollToBottom() {
    const box = $("messages");
    box.scrollTop = box.scrollHeight;
  }

  function renderMessages(S) {
    const sorted = [...S.messages.values()].sort((a, b) => a.message_id - b.message_id);
    const nodes = sorted.map((m) => messageNode(S, m));
    if (nodes.length === 0 && S.chatId !== null) {
      const hint = document.createElement("div");
      hint.className = "no-messages";
      hint.textContent = "No messages here yet. Try /start.";
      nodes.push(hint);
    }
    $("messages").replaceChildren(...nodes);
    scrollToBottom();
  }

  // Adds or replaces one message in place, keeping the order by message id.
  function upsertMessage(S, message) {
    const box = $("messages");
    const stick = nearBottom();
    const node = messageNode(S, message);
    const existing = box.querySelector(`[data-message-id="${message.message_id}"]`);
    box.querySelector(".no-messages")?.remove();
    if (existing) {
      existing.replaceWith(node);
    } else {
      const later = [...box.querySelectorAll("[data-message-id]")]
        .find((n) => Number(n.dataset.messageId) > message.message_id);
      box.insertBefore(node, later || null);
    }
    if (stick || (message.from && message.from.id === S.userId)) scrollToBottom();
    if (existing) node.classList.add("flash");
  }

  return {
    isVisible, visibleChats, renderBot, renderUsers, renderChatList, renderHeader,
    renderMessages, upsertMessage, chatTitle,
  };
})();
