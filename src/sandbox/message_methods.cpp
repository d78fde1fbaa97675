#include "sandbox/message_methods.hpp"

#include <simdjson.h>

#include <array>

#include "sandbox/json_text.hpp"
#include "sandbox/message_json.hpp"
#include "sandbox/text_markup.hpp"

namespace tgkeep::sandbox {
namespace {

constexpr std::size_t kMaxTextLength = 4096;  // UTF-16 units, after entity parsing

constexpr std::array<std::string_view, 11> kChatActions = {
    "typing",        "upload_photo",      "record_video",     "upload_video",
    "record_voice",  "upload_voice",      "upload_document",  "choose_sticker",
    "find_location", "record_video_note", "upload_video_note"};

struct ChatLookup {
  Chat* chat = nullptr;
  std::optional<ApiReply> error;
};

ChatLookup resolve_chat(BotState& bot, std::string_view chat_id) {
  if (chat_id.empty()) return {nullptr, bad_request("chat_id is empty")};
  Chat* chat = nullptr;
  if (chat_id.front() == '@') {
    chat = bot.chats.find_chat_by_username(chat_id.substr(1));
  } else if (auto id = parse_int64(chat_id)) {
    chat = bot.chats.find_chat(*id);
  }
  if (chat == nullptr) return {nullptr, bad_request("chat not found")};
  return {chat, std::nullopt};
}

bool is_blank(std::string_view text) {
  return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

// The text of a message after parse_mode/entities, or the error reply.
struct TextResult {
  FormattedText formatted;
  std::optional<ApiReply> error;
};

TextResult read_text(const RequestParams& params) {
  const std::string_view raw = params.get("text");
  if (is_blank(raw)) return {{}, bad_request("message text is empty")};
  auto formatted = apply_parse_mode(raw, params.get("parse_mode"));
  if (!formatted) return {{}, bad_request(formatted.error().message)};
  if (params.get("parse_mode").empty() && params.has("entities")) {
    simdjson::dom::parser parser;
    simdjson::dom::array entities;
    const std::string_view json = params.get("entities");
    if (parser.parse(json.data(), json.size()).get_array().get(entities)) {
      return {{}, bad_request("can't parse entities JSON object")};
    }
    if (entities.size() != 0) formatted->entities_json = simdjson::minify(entities);
  }
  if (is_blank(formatted->text)) return {{}, bad_request("message text is empty")};
  if (utf16_length(formatted->text) > kMaxTextLength) {
    return {{}, bad_request("message is too long")};
  }
  return {std::move(*formatted), std::nullopt};
}

// The inline keyboard to echo back (`{"inline_keyboard":[...]}`), empty for other keyboards.
struct MarkupResult {
  std::string json;
  std::optional<ApiReply> error;
};

MarkupResult read_reply_markup(const RequestParams& params) {
  if (!params.has("reply_markup") || params.get("reply_markup").empty()) return {};
  const std::string_view text = params.get("reply_markup");
  simdjson::dom::parser parser;
  simdjson::dom::object markup;
  if (parser.parse(text.data(), text.size()).get_object().get(markup)) {
    return {{}, bad_request("can't parse reply keyboard markup JSON object")};
  }
  simdjson::dom::element keyboard;
  if (markup["inline_keyboard"].get(keyboard)) return {};
  if (!keyboard.is_array())
    return {{}, bad_request("field \"inline_keyboard\" must be of type Array")};
  return {"{\"inline_keyboard\":" + simdjson::minify(keyboard) + "}", std::nullopt};
}

// The message a new message replies to: 0 for none, or the error reply.
struct ReplyTarget {
  std::int64_t message_id = 0;
  std::optional<ApiReply> error;
};

ReplyTarget read_reply_target(const RequestParams& params, const Chat& chat) {
  std::int64_t target = params.get_int("reply_to_message_id");
  bool allow_without = params.get_bool("allow_sending_without_reply");
  if (params.has("reply_parameters")) {
    const std::string_view text = params.get("reply_parameters");
    simdjson::dom::parser parser;
    simdjson::dom::object reply;
    if (parser.parse(text.data(), text.size()).get_object().get(reply)) {
      return {0, bad_request("can't parse reply parameters JSON object")};
    }
    std::int64_t id = 0;
    if (reply["message_id"].get_int64().get(id)) {
      return {0, bad_request("message to be replied not found")};
    }
    target = id;
    bool allow = false;
    if (!reply["allow_sending_without_reply"].get_bool().get(allow)) allow_without = allow;
  }
  if (target == 0) return {};
  if (chat.has_existed(target)) return {target, std::nullopt};
  if (allow_without) return {};
  return {0, bad_request("message to be replied not found")};
}

void log_message(BotState& bot, std::string method, const Chat& chat, const StoredMessage& m,
                 const RequestParams& params) {
  SentRecord record;
  record.method = std::move(method);
  record.chat_id = chat.id;
  record.message_id = m.message_id;
  record.date = m.edit_date != 0 ? m.edit_date : m.date;
  record.reply_to_message_id = m.reply_to_message_id;
  record.message_thread_id = m.message_thread_id;
  record.text = m.text;
  record.parse_mode = std::string(params.get("parse_mode"));
  record.entities_json = m.entities_json;
  record.reply_markup_json = m.reply_markup_json;
  bot.sent.append(std::move(record));
}

}  // namespace

ApiReply bad_request(std::string_view what) {
  return error_reply(400, std::string("Bad Request: ").append(what));
}

UserInfo sender_of(const BotState& bot, const StoredMessage& message) {
  if (message.from_id == bot.bot_user.id) return bot.bot_user;
  if (const UserInfo* user = bot.chats.find_user(message.from_id)) return *user;
  UserInfo unknown;
  unknown.id = message.from_id;
  unknown.first_name = "User";
  return unknown;
}

std::string render_message(const BotState& bot, Chat& chat, const StoredMessage& message) {
  std::string reply_json;
  if (message.reply_to_message_id != 0) {
    if (const StoredMessage* target = chat.find(message.reply_to_message_id)) {
      StoredMessage shallow = *target;
      shallow.reply_to_message_id = 0;  // Telegram does not nest replies
      append_message_json(reply_json, chat, shallow, sender_of(bot, shallow));
    } else {
      // Known to exist but no longer remembered: the fields we still know.
      reply_json = "{\"message_id\":";
      append_int(reply_json, message.reply_to_message_id);
      reply_json += ",\"chat\":";
      append_chat_json(reply_json, chat);
      append_member(reply_json, "date", message.date);
      reply_json += '}';
    }
  }
  std::string out;
  out.reserve(256 + message.text.size());
  append_message_json(out, chat, message, sender_of(bot, message), reply_json);
  return out;
}

ApiReply send_message(BotState& bot, const RequestParams& params, const Instant& now) {
  auto [chat, chat_error] = resolve_chat(bot, params.get("chat_id"));
  if (chat_error) return std::move(*chat_error);
  auto text = read_text(params);
  if (text.error) return std::move(*text.error);
  auto markup = read_reply_markup(params);
  if (markup.error) return std::move(*markup.error);
  auto reply = read_reply_target(params, *chat);
  if (reply.error) return std::move(*reply.error);

  StoredMessage message;
  message.message_id = chat->allocate_message_id();
  message.from_id = bot.bot_user.id;
  message.date = now.unix_time;
  message.reply_to_message_id = reply.message_id;
  message.message_thread_id = params.get_int("message_thread_id");
  message.text = std::move(text.formatted.text);
  message.entities_json = std::move(text.formatted.entities_json);
  message.reply_markup_json = std::move(markup.json);
  std::string json = render_message(bot, *chat, message);
  log_message(bot, "sendMessage", *chat, message, params);
  const std::int64_t message_id = message.message_id;
  chat->remember(std::move(message));
  bot.record_event(ChatEventKind::message, chat->id, message_id);
  ++bot.counters.messages_sent;
  return ok_reply(json);
}

ApiReply edit_message_text(BotState& bot, const RequestParams& params, const Instant& now) {
  if (params.has("inline_message_id")) return ok_reply("true");
  auto [chat, chat_error] = resolve_chat(bot, params.get("chat_id"));
  if (chat_error) return std::move(*chat_error);
  StoredMessage* message = chat->find(params.get_int("message_id"));
  if (message == nullptr) return bad_request("message to edit not found");
  if (message->from_id != bot.bot_user.id) return bad_request("message can't be edited");
  auto text = read_text(params);
  if (text.error) return std::move(*text.error);
  auto markup = read_reply_markup(params);
  if (markup.error) return std::move(*markup.error);
  if (message->text == text.formatted.text &&
      message->entities_json == text.formatted.entities_json &&
      message->reply_markup_json == markup.json) {
    return bad_request(
        "message is not modified: specified new message content and reply markup are exactly "
        "the same as a current content and reply markup of the message");
  }
  message->text = std::move(text.formatted.text);
  message->entities_json = std::move(text.formatted.entities_json);
  message->reply_markup_json = std::move(markup.json);
  message->edit_date = now.unix_time;
  log_message(bot, "editMessageText", *chat, *message, params);
  bot.record_event(ChatEventKind::edit, chat->id, message->message_id);
  ++bot.counters.messages_edited;
  return ok_reply(render_message(bot, *chat, *message));
}

ApiReply delete_message(BotState& bot, const RequestParams& params, const Instant& now) {
  auto [chat, chat_error] = resolve_chat(bot, params.get("chat_id"));
  if (chat_error) return std::move(*chat_error);
  const std::int64_t message_id = params.get_int("message_id");
  StoredMessage* message = chat->find(message_id);
  if (message == nullptr && !chat->has_existed(message_id)) {
    return bad_request("message to delete not found");
  }
  if (message != nullptr) message->deleted = true;
  SentRecord record;
  record.method = "deleteMessage";
  record.chat_id = chat->id;
  record.message_id = message_id;
  record.date = now.unix_time;
  bot.sent.append(std::move(record));
  bot.record_event(ChatEventKind::deletion, chat->id, message_id);
  ++bot.counters.messages_deleted;
  return ok_reply("true");
}

ApiReply answer_callback_query(BotState& bot, const RequestParams& params, const Instant& now) {
  const std::string_view id = params.get("callback_query_id");
  if (id.empty()) {
    return bad_request("query is too old and response timeout expired or query ID is invalid");
  }
  SentRecord record;
  record.method = "answerCallbackQuery";
  record.callback_query_id = std::string(id);
  record.text = std::string(params.get("text"));
  record.date = now.unix_time;
  if (auto origin = bot.events.callback_origin(id)) {
    bot.record_event(ChatEventKind::callback_answer, origin->chat_id, origin->message_id,
                     record.text, params.get_bool("show_alert"));
  }
  bot.sent.append(std::move(record));
  return ok_reply("true");
}

ApiReply send_chat_action(BotState& bot, const RequestParams& params, const Instant& now) {
  auto [chat, chat_error] = resolve_chat(bot, params.get("chat_id"));
  if (chat_error) return std::move(*chat_error);
  const std::string_view action = params.get("action");
  if (action.empty()) return bad_request("parameter \"action\" is required");
  bool known = false;
  for (std::string_view a : kChatActions) known = known || a == action;
  if (!known) return bad_request("wrong parameter action in request");
  SentRecord record;
  record.method = "sendChatAction";
  record.chat_id = chat->id;
  record.text = std::string(action);
  record.date = now.unix_time;
  record.message_thread_id = params.get_int("message_thread_id");
  bot.record_event(ChatEventKind::action, chat->id, 0, record.text);
  bot.sent.append(std::move(record));
  return ok_reply("true");
}

}  // namespace tgkeep::sandbox
