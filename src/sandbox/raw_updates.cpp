#include "sandbox/raw_updates.hpp"

#include <simdjson.h>

#include <optional>
#include <string>
#include <vector>

namespace tgkeep::sandbox {
namespace {

using simdjson::dom::element;
using simdjson::dom::object;

std::optional<std::int64_t> int_member(object obj, const char* key) {
  std::int64_t v = 0;
  if (obj[key].get_int64().get(v)) return std::nullopt;
  return v;
}

std::string string_member(object obj, const char* key) {
  std::string_view v;
  if (obj[key].get_string().get(v)) return {};
  return std::string(v);
}

std::optional<object> object_member(object obj, const char* key) {
  object v;
  if (obj[key].get_object().get(v)) return std::nullopt;
  return v;
}

void learn_user(BotState& bot, object from) {
  const auto id = int_member(from, "id");
  if (!id || *id <= 0) return;
  UserInfo user;
  user.id = *id;
  bool is_bot = false;
  user.is_bot = !from["is_bot"].get_bool().get(is_bot) && is_bot;
  user.first_name = string_member(from, "first_name");
  user.last_name = string_member(from, "last_name");
  user.username = string_member(from, "username");
  user.language_code = string_member(from, "language_code");
  if (user.first_name.empty() && bot.chats.find_user(user.id) == nullptr) {
    user.first_name = "User " + std::to_string(user.id);
  }
  bot.chats.upsert_user(user);
}

Chat* learn_chat(BotState& bot, object chat_json) {
  const auto id = int_member(chat_json, "id");
  if (!id || *id == 0) return nullptr;
  auto type = parse_chat_type(string_member(chat_json, "type"));
  if (!type) type = *id > 0 ? ChatType::private_chat : ChatType::group;
  Chat& chat = bot.chats.ensure_chat(*id, *type);
  std::string title = string_member(chat_json, "title");
  if (!title.empty()) chat.title = std::move(title);
  if (chat.type == ChatType::private_chat) {
    std::string first_name = string_member(chat_json, "first_name");
    if (!first_name.empty()) chat.first_name = std::move(first_name);
  } else if (chat.title.empty()) {
    chat.title = "Group " + std::to_string(*id);
  }
  std::string username = string_member(chat_json, "username");
  if (!username.empty() && username != chat.username) {
    chat.username = std::move(username);
    bot.chats.index_username(chat);
  }
  return &chat;
}

void learn_message(BotState& bot, object message) {
  std::int64_t from_id = 0;
  if (auto from = object_member(message, "from")) {
    learn_user(bot, *from);
    from_id = int_member(*from, "id").value_or(0);
  }
  auto chat_json = object_member(message, "chat");
  Chat* chat = chat_json ? learn_chat(bot, *chat_json) : nullptr;
  const auto message_id = int_member(message, "message_id");
  if (chat == nullptr || !message_id || *message_id <= 0) return;
  if (*message_id >= chat->next_message_id) {
    chat->next_message_id = *message_id + 1;
    StoredMessage stored;
    stored.message_id = *message_id;
    stored.from_id = from_id;
    stored.date = int_member(message, "date").value_or(0);
    stored.text = string_member(message, "text");
    chat->remember(std::move(stored));
    bot.record_event(ChatEventKind::message, chat->id, *message_id);
  }
}

// Registers what an update mentions. `payload` is the value of its type member.
void learn(BotState& bot, std::string_view type, object payload) {
  if (type == "message" || type == "edited_message" || type == "channel_post" ||
      type == "edited_channel_post" || type == "business_message") {
    learn_message(bot, payload);
    return;
  }
  if (auto from = object_member(payload, "from")) learn_user(bot, *from);
  if (auto message = object_member(payload, "message")) learn_message(bot, *message);
  if (auto chat = object_member(payload, "chat")) learn_chat(bot, *chat);
}

struct Parsed {
  std::string_view text;  // exact JSON text of the object
  std::optional<std::int64_t> id;
  std::string_view type;
  std::optional<object> payload;
};

}  // namespace

Result<QueuedRange> queue_raw_updates(BotState& bot, std::string_view json) {
  simdjson::padded_string padded(json);
  simdjson::dom::parser dom;
  element root;
  if (auto error = dom.parse(padded).get(root); error) {
    return Error::invalid(std::string("invalid JSON: ") + simdjson::error_message(error));
  }
  // The DOM validates and gives structure; the on-demand pass gives each object's exact text.
  std::vector<object> objects;
  std::vector<std::string_view> texts;
  simdjson::ondemand::parser ondemand;
  simdjson::ondemand::document doc = ondemand.iterate(padded);
  simdjson::dom::array array;
  if (!root.get_array().get(array)) {
    for (element item : array) {
      object obj;
      if (item.get_object().get(obj)) return Error::invalid("every update must be a JSON object");
      objects.push_back(obj);
    }
    for (auto value : doc.get_array()) {
      simdjson::ondemand::object obj;
      std::string_view raw;
      if (value.get_object().get(obj) || obj.raw_json().get(raw)) {
        return Error::invalid("unreadable update");
      }
      texts.push_back(raw);
    }
  } else {
    object obj;
    if (root.get_object().get(obj)) return Error::invalid("body must be an Update or an array");
    objects.push_back(obj);
    simdjson::ondemand::object od_obj;
    std::string_view raw;
    if (doc.get_object().get(od_obj) || od_obj.raw_json().get(raw)) {
      return Error::invalid("unreadable update");
    }
    texts.push_back(raw);
  }
  if (objects.empty()) return Error::invalid("no updates given");
  if (objects.size() != texts.size()) return Error::invalid("unreadable updates");

  std::vector<Parsed> updates(objects.size());
  for (std::size_t i = 0; i < objects.size(); ++i) {
    Parsed& u = updates[i];
    u.text = texts[i];
    for (auto field : objects[i]) {
      if (field.key == "update_id") {
        std::int64_t v = 0;
        if (field.value.get_int64().get(v)) return Error::invalid("update_id must be an integer");
        u.id = v;
      } else if (u.type.empty()) {
        u.type = field.key;
        object payload;
        if (!field.value.get_object().get(payload)) u.payload = payload;
      }
    }
  }

  QueuedRange range;
  for (Parsed& u : updates) {
    if (u.payload) learn(bot, u.type, *u.payload);
    std::string text;
    if (u.id) {
      text = std::string(u.text);
    } else {
      u.id = bot.updates.allocate_id();
      const std::string_view rest = u.text.substr(1);
      const std::size_t next = rest.find_first_not_of(" \t\r\n");
      text = "{\"update_id\":" + std::to_string(*u.id);
      if (next != std::string_view::npos && rest[next] != '}') text += ',';
      text += rest;
    }
    bot.push_update(*u.id, u.type, std::move(text));
    if (range.count++ == 0) range.first = *u.id;
    range.last = *u.id;
  }
  return range;
}

}  // namespace tgkeep::sandbox
