#include "sandbox/chat_page_api.hpp"

#include <simdjson.h>

#include <algorithm>
#include <functional>

#include "sandbox/chat_page_json.hpp"
#include "sandbox/json_fields.hpp"
#include "sandbox/json_text.hpp"
#include "sandbox/message_json.hpp"
#include "sandbox/user_messages.hpp"

namespace tgkeep::sandbox {
namespace {

constexpr std::size_t kMaxNameLength = 64;    // first/last name, UTF-16 units (as Telegram)
constexpr std::size_t kMaxTitleLength = 128;  // group title
constexpr std::size_t kMaxTextLength = 4096;  // message text
constexpr std::int64_t kMaxSafeId = (std::int64_t{1} << 53) - 1;  // exact in JavaScript
constexpr std::int64_t kFirstPageUserId = 1001;
constexpr std::int64_t kFirstGroupId = -4'000'000'001;
constexpr std::int64_t kFirstSupergroupId = -1'001'000'000'001;
constexpr std::size_t kDefaultMessages = 200;

ChatPageResult reply(ApiReply r) {
  return {std::move(r), std::nullopt};
}
ChatPageResult bad(std::string_view description) {
  return reply(bad_request_reply(description));
}

std::string_view trim(std::string_view s) {
  const std::size_t begin = s.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos) return {};
  return s.substr(begin, s.find_last_not_of(" \t\r\n") - begin + 1);
}

bool has_control_chars(std::string_view s) {
  return std::any_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x20; });
}

// A name or title: trimmed, 1..max UTF-16 units, one line. Empty result: `error` is set.
std::string read_name(FieldReader& in, const char* key, std::size_t max, bool required,
                      std::string& error) {
  const std::string value = in.string(key).value_or("");
  const std::string_view text = trim(value);
  if (!in.error.empty()) return {};
  if (text.empty()) {
    if (required) error = std::string("field \"") + key + "\" is required";
    return {};
  }
  if (utf16_length(text) > max || has_control_chars(text)) {
    error = std::string("field \"") + key + "\" must be one line of at most " +
            std::to_string(max) + " characters";
    return {};
  }
  return std::string(text);
}

bool valid_username(std::string_view name) {
  if (name.size() < 5 || name.size() > 32) return false;
  if (!((name[0] >= 'a' && name[0] <= 'z') || (name[0] >= 'A' && name[0] <= 'Z'))) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// "en", "ru", "pt-br", "zh-hans": 2-3 lower-case letters, optionally '-' and 2-8 letters/digits.
bool valid_language_code(std::string_view code) {
  const std::size_t dash = code.find('-');
  const std::string_view primary = code.substr(0, dash);
  if (primary.size() < 2 || primary.size() > 3) return false;
  if (!std::all_of(primary.begin(), primary.end(), [](char c) { return c >= 'a' && c <= 'z'; })) {
    return false;
  }
  if (dash == std::string_view::npos) return true;
  const std::string_view sub = code.substr(dash + 1);
  return sub.size() >= 2 && sub.size() <= 8 && std::all_of(sub.begin(), sub.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
         });
}

bool id_taken(const BotState& bot, std::int64_t id) {
  return bot.chats.find_user(id) != nullptr || bot.chats.find_chat(id) != nullptr;
}

// Runs `handle` on the body's one JSON object.
ChatPageResult with_object(std::string_view body,
                           const std::function<ChatPageResult(FieldReader&)>& handle) {
  simdjson::dom::parser parser;
  simdjson::dom::object obj;
  if (auto error = parser.parse(body.data(), body.size()).get_object().get(obj); error) {
    return bad(error == simdjson::INCORRECT_TYPE
                   ? std::string("the body must be a JSON object")
                   : std::string("invalid JSON: ") + simdjson::error_message(error));
  }
  FieldReader in{obj, {}};
  return handle(in);
}

ChatPageResult create_user(BotState& bot, FieldReader& in) {
  std::string error;
  UserInfo user;
  user.first_name = read_name(in, "first_name", kMaxNameLength, true, error);
  if (error.empty()) user.last_name = read_name(in, "last_name", kMaxNameLength, false, error);
  const std::string username = in.string("username").value_or("");
  user.username = std::string(trim(username));
  if (!user.username.empty() && user.username.front() == '@') user.username.erase(0, 1);
  const std::string language_code = in.string("language_code").value_or("");
  user.language_code = std::string(trim(language_code));
  const auto id = in.integer("id");
  if (!in.error.empty()) return bad(in.error);
  if (!error.empty()) return bad(error);
  if (!user.username.empty() && !valid_username(user.username)) {
    return bad(
        "username must be 5-32 Latin letters, digits or underscores, starting with a letter");
  }
  if (!user.username.empty() && bot.chats.find_chat_by_username(user.username) != nullptr) {
    return bad("username @" + user.username + " is already taken");
  }
  if (!user.language_code.empty() && !valid_language_code(user.language_code)) {
    return bad("language_code must look like \"en\", \"ru\" or \"pt-br\"");
  }
  if (id) {
    if (*id <= 0 || *id > kMaxSafeId) return bad("id must be a positive integer below 2^53");
    if (id_taken(bot, *id)) return bad("id " + std::to_string(*id) + " is already taken");
    user.id = *id;
  } else {
    user.id = kFirstPageUserId;
    while (id_taken(bot, user.id)) ++user.id;
  }
  const UserInfo& stored = bot.chats.upsert_user(user);
  bot.chats.ensure_chat(stored.id, ChatType::private_chat);
  bot.record_event(ChatEventKind::user, 0, stored.id);
  bot.record_event(ChatEventKind::chat, stored.id, 0);
  std::string json;
  append_user_json(json, stored);
  return reply(ok_reply(json));
}

ChatPageResult create_group(BotState& bot, FieldReader& in) {
  std::string error;
  const std::string title = read_name(in, "title", kMaxTitleLength, true, error);
  const std::string type_name = in.string("type").value_or("group");
  const auto members = in.integers("member_ids");
  if (!in.error.empty()) return bad(in.error);
  if (!error.empty()) return bad(error);
  const auto type = parse_chat_type(type_name);
  if (!type || (*type != ChatType::group && *type != ChatType::supergroup)) {
    return bad("type must be \"group\" or \"supergroup\"");
  }
  for (std::int64_t member : members.value_or(std::vector<std::int64_t>{})) {
    const UserInfo* user = bot.chats.find_user(member);
    if (user == nullptr || user->is_bot)
      return bad("user " + std::to_string(member) + " not found");
  }
  std::int64_t id = *type == ChatType::group ? kFirstGroupId : kFirstSupergroupId;
  while (bot.chats.find_chat(id) != nullptr) --id;
  Chat& chat = bot.chats.ensure_chat(id, *type);
  chat.title = title;
  for (std::int64_t member : members.value_or(std::vector<std::int64_t>{})) chat.add_member(member);
  bot.record_event(ChatEventKind::chat, chat.id, 0);
  std::string json;
  append_page_chat(json, bot, chat);
  return reply(ok_reply(json));
}

// The chat and the user of a send or press, checked: both exist and the user may act there.
struct Actor {
  Chat* chat = nullptr;
  const UserInfo* user = nullptr;
  std::string error;
};

Actor find_actor(BotState& bot, std::optional<std::int64_t> chat_id,
                 std::optional<std::int64_t> user_id) {
  if (!chat_id) return {nullptr, nullptr, "field \"chat_id\" is required"};
  if (!user_id) return {nullptr, nullptr, "field \"user_id\" is required"};
  Chat* chat = bot.chats.find_chat(*chat_id);
  if (chat == nullptr) return {nullptr, nullptr, "chat not found"};
  const UserInfo* user = bot.chats.find_user(*user_id);
  if (user == nullptr || user->is_bot) return {nullptr, nullptr, "user not found"};
  if (chat->type == ChatType::private_chat && chat->id != user->id) {
    return {nullptr, nullptr, "a user can only write in its own private chat with the bot"};
  }
  if (chat->type == ChatType::channel) return {nullptr, nullptr, "users cannot post in a channel"};
  return {chat, user, {}};
}

ChatPageResult send(BotState& bot, FieldReader& in, const Instant& now) {
  const auto chat_id = in.integer("chat_id");
  const auto user_id = in.integer("user_id");
  const auto text = in.string("text");
  const auto reply_to = in.integer("reply_to_message_id");
  if (!in.error.empty()) return bad(in.error);
  Actor actor = find_actor(bot, chat_id, user_id);
  if (!actor.error.empty()) return bad(actor.error);
  if (trim(text.value_or("")).empty()) return bad("message text is empty");
  if (utf16_length(*text) > kMaxTextLength) return bad("message is too long");

  UserMessageSpec spec;
  spec.chat_id = actor.chat->id;
  spec.user_id = actor.user->id;
  spec.chat_type = actor.chat->type;
  spec.text = *text;
  spec.reply_to_message_id = reply_to.value_or(0);
  auto queued = queue_user_message(bot, spec, now);
  if (!queued) return bad(queued.error().message);
  std::string json = "{\"message_id\":";
  append_int(json, queued->message_id);
  append_member(json, "update_id", queued->update_id);
  append_member(json, "seq", bot.events.last_seq());
  json += '}';
  return reply(ok_reply(json));
}

// True when the message's inline keyboard has a button with this callback_data.
bool has_callback_button(std::string_view markup_json, std::string_view data) {
  if (markup_json.empty()) return false;
  simdjson::dom::parser parser;
  simdjson::dom::array rows;
  if (parser.parse(markup_json.data(), markup_json.size())["inline_keyboard"].get(rows)) {
    return false;
  }
  for (simdjson::dom::element row : rows) {
    simdjson::dom::array buttons;
    if (row.get_array().get(buttons)) continue;
    for (simdjson::dom::element button : buttons) {
      std::string_view value;
      if (!button["callback_data"].get_string().get(value) && value == data) return true;
    }
  }
  return false;
}

ChatPageResult press(BotState& bot, FieldReader& in) {
  const auto chat_id = in.integer("chat_id");
  const auto user_id = in.integer("user_id");
  const auto message_id = in.integer("message_id");
  const auto data = in.string("data");
  if (!in.error.empty()) return bad(in.error);
  Actor actor = find_actor(bot, chat_id, user_id);
  if (!actor.error.empty()) return bad(actor.error);
  if (!message_id) return bad("field \"message_id\" is required");
  if (!data) return bad("field \"data\" is required");
  const StoredMessage* message = actor.chat->find(*message_id);
  if (message == nullptr) return bad("message not found");
  if (message->from_id != bot.bot_user.id ||
      !has_callback_button(message->reply_markup_json, *data)) {
    return bad("the message has no inline button with this callback_data");
  }
  CallbackSpec spec{actor.chat->id, actor.user->id, *message_id, *data};
  auto queued = queue_callback_query(bot, spec);
  if (!queued) return bad(queued.error().message);
  std::string json = "{\"callback_query_id\":";
  append_json_string(json, queued->callback_query_id);
  append_member(json, "update_id", queued->update_id);
  json += '}';
  return reply(ok_reply(json));
}

ChatPageResult messages(BotState& bot, const RequestParams& query) {
  const auto chat_id = parse_int64(query.get("chat_id"));
  if (!chat_id) return bad("chat_id must be an integer");
  const Chat* chat = bot.chats.find_chat(*chat_id);
  if (chat == nullptr) return bad("chat not found");
  std::int64_t limit = static_cast<std::int64_t>(kDefaultMessages);
  if (query.has("limit")) {
    const auto value = parse_int64(query.get("limit"));
    if (!value || *value < 1) return bad("limit must be a positive integer");
    limit = std::min<std::int64_t>(*value, static_cast<std::int64_t>(Chat::kMessagesPerChat));
  }
  return reply(ok_reply(page_messages_json(bot, *chat, static_cast<std::size_t>(limit))));
}

ChatPageResult events(const BotState& bot, const RequestParams& query, const Instant& now) {
  EventsWait wait;
  if (query.has("since")) {
    const auto since = parse_int64(query.get("since"));
    if (!since || *since < 0) return bad("since must be a non-negative integer");
    wait.since = *since;
  }
  if (query.has("chat_id")) {
    wait.chat_id = parse_int64(query.get("chat_id"));
    if (!wait.chat_id) return bad("chat_id must be an integer");
  }
  std::int64_t timeout = 0;
  if (query.has("timeout")) {
    const auto value = parse_int64(query.get("timeout"));
    if (!value || *value < 0) return bad("timeout must be a non-negative integer (seconds)");
    timeout = std::min(*value, kMaxEventsTimeoutSeconds);
  }
  wait.deadline = now.steady + std::chrono::seconds(timeout);
  if (auto ready = resume_events(bot, wait, now)) return reply(std::move(*ready));
  return {{}, wait};
}

}  // namespace

ChatPageResult handle_chat_page(BotState& bot, const ChatPageRequest& request, const Instant& now) {
  const std::string_view e = request.endpoint;
  const bool get = request.http_method == "GET";
  const bool post = request.http_method == "POST";
  const bool known = e == "state" || e == "messages" || e == "events" || e == "users" ||
                     e == "groups" || e == "send" || e == "press";
  if (!known) return reply(error_reply(404, "Not Found"));
  if (get && e == "state") return reply(ok_reply(page_state_json(bot, request.bots)));
  if (get && e == "messages") return messages(bot, request.query);
  if (get && e == "events") return events(bot, request.query, now);
  if (post && e == "users") {
    return with_object(request.body, [&](FieldReader& in) { return create_user(bot, in); });
  }
  if (post && e == "groups") {
    return with_object(request.body, [&](FieldReader& in) { return create_group(bot, in); });
  }
  if (post && e == "send") {
    return with_object(request.body, [&](FieldReader& in) { return send(bot, in, now); });
  }
  if (post && e == "press") {
    return with_object(request.body, [&](FieldReader& in) { return press(bot, in); });
  }
  return reply(error_reply(405, "Method Not Allowed"));
}

std::optional<ApiReply> resume_events(const BotState& bot, const EventsWait& wait,
                                      const Instant& now) {
  const bool ready = bot.events.has_gap(wait.since) ||
                     !bot.events.after(wait.since, wait.chat_id, 1).empty() ||
                     now.steady >= wait.deadline;
  if (!ready) return std::nullopt;
  return ok_reply(page_events_json(bot, wait.since, wait.chat_id));
}

}  // namespace tgkeep::sandbox
