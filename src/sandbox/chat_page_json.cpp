#include "sandbox/chat_page_json.hpp"

#include <algorithm>
#include <tuple>

#include "sandbox/json_text.hpp"
#include "sandbox/message_json.hpp"
#include "sandbox/message_methods.hpp"

namespace tgkeep::sandbox {
namespace {

std::string chat_title(const Chat& chat) {
  if (chat.type != ChatType::private_chat) return chat.title;
  if (chat.last_name.empty()) return chat.first_name;
  return chat.first_name + " " + chat.last_name;
}

const StoredMessage* last_message(const Chat& chat) {
  return chat.messages.empty() ? nullptr : &chat.messages.back();
}

void append_bot_info(std::string& out, const BotState& bot) {
  out += "{\"id\":";
  append_int(out, bot.bot_user.id);
  append_member(out, "first_name", std::string_view(bot.bot_user.first_name));
  append_member(out, "username", std::string_view(bot.bot_user.username));
  append_member(out, "token", masked_token(bot.token));
  append_member_bool(out, "connected", !bot.token.empty());
  append_member_bool(out, "polling", bot.poll.has_waiter());
  append_member(out, "get_updates_calls", bot.counters.get_updates_calls);
  append_member_bool(out, "webhook", !bot.webhook.url.empty());
  out += '}';
}

// Appends one event; false when there is nothing left to show (an evicted message).
bool append_event(std::string& out, const BotState& bot, const ChatEvent& event) {
  const std::size_t mark = out.size();
  out += "{\"seq\":";
  append_int(out, event.seq);
  append_member(out, "kind", chat_event_kind_name(event.kind));
  if (event.chat_id != 0) append_member(out, "chat_id", event.chat_id);
  const Chat* chat = event.chat_id != 0 ? bot.chats.find_chat(event.chat_id) : nullptr;
  switch (event.kind) {
    case ChatEventKind::message:
    case ChatEventKind::edit:
    case ChatEventKind::deletion: {
      const StoredMessage* message = chat ? chat->find_remembered(event.id) : nullptr;
      if (message != nullptr) {
        out += ",\"message\":";
        append_page_message(out, bot, *message);
      } else if (event.kind == ChatEventKind::deletion) {
        out += ",\"message\":{\"message_id\":";
        append_int(out, event.id);
        out += ",\"deleted\":true}";
      } else {
        out.resize(mark);
        return false;
      }
      break;
    }
    case ChatEventKind::callback_answer:
      append_member(out, "message_id", event.id);
      append_member(out, "text", std::string_view(event.text));
      append_member_bool(out, "show_alert", event.flag);
      break;
    case ChatEventKind::action:
      append_member(out, "action", std::string_view(event.text));
      break;
    case ChatEventKind::user:
      if (const UserInfo* user = bot.chats.find_user(event.id)) {
        out += ",\"user\":";
        append_user_json(out, *user);
      }
      break;
    case ChatEventKind::chat:
      if (chat != nullptr) {
        out += ",\"chat\":";
        append_page_chat(out, bot, *chat);
      }
      break;
    case ChatEventKind::reset:
      break;
  }
  out += '}';
  return true;
}

}  // namespace

std::string masked_token(std::string_view token) {
  const std::size_t colon = token.find(':');
  if (colon == std::string_view::npos) return std::string(token.substr(0, 4)) + "…";
  const std::string_view secret = token.substr(colon + 1);
  if (secret.size() < 12) return std::string(token.substr(0, colon + 1)) + "…";
  return std::string(token.substr(0, colon + 4)) + "…" +
         std::string(secret.substr(secret.size() - 4));
}

void append_page_message(std::string& out, const BotState& bot, const StoredMessage& message) {
  out += "{\"message_id\":";
  append_int(out, message.message_id);
  out += ",\"from\":";
  append_user_json(out, sender_of(bot, message));
  append_member(out, "date", message.date);
  if (message.deleted) {
    append_member_bool(out, "deleted", true);
    out += '}';
    return;
  }
  if (message.edit_date != 0) append_member(out, "edit_date", message.edit_date);
  if (message.reply_to_message_id != 0) {
    append_member(out, "reply_to_message_id", message.reply_to_message_id);
  }
  append_member(out, "text", std::string_view(message.text));
  if (!message.entities_json.empty()) append_member_raw(out, "entities", message.entities_json);
  if (!message.reply_markup_json.empty()) {
    append_member_raw(out, "reply_markup", message.reply_markup_json);
  }
  out += '}';
}

void append_page_chat(std::string& out, const BotState& bot, const Chat& chat) {
  out += "{\"id\":";
  append_int(out, chat.id);
  append_member(out, "type", chat_type_name(chat.type));
  append_member(out, "title", chat_title(chat));
  if (!chat.username.empty()) append_member(out, "username", std::string_view(chat.username));
  out += ",\"members\":[";
  for (std::size_t i = 0; i < chat.members.size(); ++i) {
    if (i != 0) out += ',';
    append_int(out, chat.members[i]);
  }
  out += "],\"last_message\":";
  if (const StoredMessage* last = last_message(chat)) {
    append_page_message(out, bot, *last);
  } else {
    out += "null";
  }
  out += '}';
}

std::string page_state_json(const BotState& bot, const std::vector<const BotState*>& bots) {
  std::string out = "{\"bot\":";
  append_bot_info(out, bot);
  out += ",\"bots\":[";
  for (std::size_t i = 0; i < bots.size(); ++i) {
    if (i != 0) out += ',';
    out += "{\"id\":";
    append_int(out, bots[i]->bot_user.id);
    append_member(out, "username", std::string_view(bots[i]->bot_user.username));
    append_member(out, "token", masked_token(bots[i]->token));
    append_member_bool(out, "selected", bots[i] == &bot);
    out += '}';
  }

  std::vector<const UserInfo*> users;
  for (const auto& [id, user] : bot.chats.users()) {
    if (!user.is_bot) users.push_back(&user);
  }
  std::sort(users.begin(), users.end(),
            [](const UserInfo* a, const UserInfo* b) { return a->id < b->id; });
  out += "],\"users\":[";
  for (std::size_t i = 0; i < users.size() && i < kPageListLimit; ++i) {
    if (i != 0) out += ',';
    append_user_json(out, *users[i]);
  }
  out += ']';
  append_member(out, "users_total", static_cast<std::int64_t>(users.size()));

  // Groups first, then private chats; the most recently active first within each.
  std::vector<const Chat*> chats;
  for (const auto& [id, chat] : bot.chats.chats()) chats.push_back(&chat);
  auto rank = [](const Chat* c) {
    const StoredMessage* last = last_message(*c);
    return std::make_tuple(c->type == ChatType::private_chat, last ? -last->date : 0,
                           last ? -last->message_id : 0, c->id);
  };
  std::sort(chats.begin(), chats.end(),
            [&](const Chat* a, const Chat* b) { return rank(a) < rank(b); });
  out += ",\"chats\":[";
  for (std::size_t i = 0; i < chats.size() && i < kPageListLimit; ++i) {
    if (i != 0) out += ',';
    append_page_chat(out, bot, *chats[i]);
  }
  out += ']';
  append_member(out, "chats_total", static_cast<std::int64_t>(chats.size()));
  append_member(out, "last_seq", bot.events.last_seq());
  out += '}';
  return out;
}

std::string page_messages_json(const BotState& bot, const Chat& chat, std::size_t limit) {
  std::string out = "{\"chat\":";
  append_page_chat(out, bot, chat);
  out += ",\"messages\":[";
  const std::size_t skip = chat.messages.size() > limit ? chat.messages.size() - limit : 0;
  for (std::size_t i = skip; i < chat.messages.size(); ++i) {
    if (i != skip) out += ',';
    append_page_message(out, bot, chat.messages[i]);
  }
  out += ']';
  append_member(out, "last_seq", bot.events.last_seq());
  out += '}';
  return out;
}

std::string page_events_json(const BotState& bot, std::int64_t since,
                             std::optional<std::int64_t> chat_id) {
  std::string out = "{\"events\":[";
  std::int64_t last_seq = bot.events.last_seq();
  const bool gap = bot.events.has_gap(since);
  if (!gap) {
    const auto events = bot.events.after(since, chat_id, kPageEventsLimit);
    bool first = true;
    for (const ChatEvent* event : events) {
      if (!first) out += ',';
      if (append_event(out, bot, *event)) {
        first = false;
      } else if (!first) {
        out.pop_back();
      }
    }
    if (events.size() == kPageEventsLimit) last_seq = events.back()->seq;
  }
  out += ']';
  append_member(out, "last_seq", last_seq);
  append_member_bool(out, "gap", gap);
  out += '}';
  return out;
}

}  // namespace tgkeep::sandbox
