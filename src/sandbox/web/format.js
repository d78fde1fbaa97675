// Formatting helpers of the sandbox chat page: message text with Telegram entities as DOM
// nodes, avatars, times. No state; everything is built with textContent, never innerHTML, so
// message text cannot inject markup.
"use strict";

window.SandboxFormat = (() => {
  // Entity type -> element name (and class). Offsets and lengths are UTF-16 code units, which is
  // exactly how JavaScript strings index, so text.slice() works on them directly.
  const TAGS = {
    bold: ["strong"],
    italic: ["em"],
    underline: ["u"],
    strikethrough: ["s"],
    spoiler: ["span", "spoiler"],
    code: ["code"],
    pre: ["pre"],
    blockquote: ["blockquote"],
    expandable_blockquote: ["blockquote"],
    bot_command: ["span", "command"],
    mention: ["span", "mention"],
    hashtag: ["span", "mention"],
    cashtag: ["span", "mention"],
    text_mention: ["span", "mention"],
    url: ["a"],
    text_link: ["a"],
    email: ["a"],
    phone_number: ["span", "mention"],
  };
  const SAFE_LINK = /^(https?:|mailto:|tg:)/i;

  function element(entity, fullText) {
    const [tag, cls] = TAGS[entity.type] || ["span"];
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (tag === "a") {
      let href = entity.type === "text_link" ? entity.url || "" :
        fullText.slice(entity.offset, entity.offset + entity.length);
      if (entity.type === "email") href = "mailto:" + href;
      if (SAFE_LINK.test(href)) {  // a url without a scheme ("example.com") stays plain text
        node.href = href;
        node.target = "_blank";
        node.rel = "noopener noreferrer";
      }
    }
    if (entity.type === "bot_command") {
      node.dataset.command = fullText.slice(entity.offset, entity.offset + entity.length);
      node.setAttribute("role", "button");
      node.title = "Send " + node.dataset.command;
    }
    if (entity.type === "spoiler") node.title = "Spoiler: click to reveal";
    if (entity.type === "pre" && entity.language) node.dataset.language = entity.language;
    return node;
  }

  // The text with its entities as a DocumentFragment. The text is cut at every entity boundary;
  // each piece is wrapped in the elements of the entities covering it (outermost first).
  function renderText(text, entities) {
    const fragment = document.createDocumentFragment();
    const list = (Array.isArray(entities) ? entities : [])
      .filter((e) => e && Number.isInteger(e.offset) && Number.isInteger(e.length) && e.length > 0)
      .sort((a, b) => a.offset - b.offset || b.length - a.length);
    if (list.length === 0) {
      fragment.append(text);
      return fragment;
    }
    const cuts = new Set([0, text.length]);
    for (const e of list) {
      cuts.add(Math.min(e.offset, text.length));
      cuts.add(Math.min(e.offset + e.length, text.length));
    }
    const points = [...cuts].sort((a, b) => a - b);
    for (let i = 0; i + 1 < points.length; ++i) {
      const from = points[i];
      const to = points[i + 1];
      const piece = text.slice(from, to);
      let node = document.createTextNode(piece);
      const covering = list.filter((e) => e.offset <= from && e.offset + e.length >= to);
      for (let k = covering.length - 1; k >= 0; --k) {
        const wrapper = element(covering[k], text);
        wrapper.append(node);
        node = wrapper;
      }
      fragment.append(node);
    }
    return fragment;
  }

  // Telegram's avatar palette, picked by id.
  const COLORS = ["#e17076", "#faa774", "#a695e7", "#7bc862", "#6ec9cb", "#65aadd", "#ee7aae"];

  function avatarColor(id) {
    return COLORS[Math.abs(Number(id) || 0) % COLORS.length];
  }

  function initials(name) {
    const words = String(name || "?").trim().split(/\s+/).filter(Boolean);
    const letters = words.slice(0, 2).map((w) => Array.from(w)[0] || "");
    return (letters.join("") || "?").toUpperCase();
  }

  function fillAvatar(node, id, name, isBot) {
    node.textContent = initials(name);
    node.style.background = isBot ? "" : avatarColor(id);
    node.classList.toggle("avatar-bot", Boolean(isBot));
  }

  function formatTime(unixSeconds) {
    if (!unixSeconds) return "";
    const d = new Date(unixSeconds * 1000);
    return String(d.getHours()).padStart(2, "0") + ":" + String(d.getMinutes()).padStart(2, "0");
  }

  function fullName(user) {
    if (!user) return "";
    return [user.first_name, user.last_name].filter(Boolean).join(" ");
  }

  return { renderText, avatarColor, initials, fillAvatar, formatTime, fullName };
})();
