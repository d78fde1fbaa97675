#include "sandbox/chat_model.hpp"

#include <algorithm>
#include <cctype>

namespace tgkeep::sandbox {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

std::string_view chat_type_name(ChatType type) {
  switch (type) {
    case ChatType::private_chat:
      return "private";
    case ChatType::group:
      return "group";
    case ChatType::supergroup:
      return "supergroup";
    case ChatType::channel:
      return "channel";
  }
  return "private";
}

std::optional<ChatType> parse_chat_type(std::string_view name) {
  if (name == "private") return ChatType::private_chat;
  if (name == "group") return ChatType::group;
  if (name == "supergroup") return ChatType::supergroup;
  if (name == "channel") return ChatType::channel;
  return std::nullopt;
}

void Chat::remember(StoredMessage message) {
  if (messages.size() >= kMessagesPerChat) messages.pop_front();
  messages.push_back(std::move(message));
}

StoredMessage* Chat::find(std::int64_t message_id) {
  const auto it =
      std::lower_bound(messages.begin(), messages.end(), message_id,
                       [](const StoredMessage& m, std::int64_t id) { return m.message_id < id; });
  if (it == messages.end() || it->message_id != message_id || it->deleted) return nullptr;
  return &*it;
}

const StoredMessage* Chat::find_remembered(std::int64_t message_id) const {
  const auto it =
      std::lower_bound(messages.begin(), messages.end(), message_id,
                       [](const StoredMessage& m, std::int64_t id) { return m.message_id < id; });
  if (it == messages.end() || it->message_id != message_id) return nullptr;
  return &*it;
}

void Chat::add_member(std::int64_t user_id) {
  if (std::find(members.begin(), members.end(), user_id) == members.end()) {
    members.push_back(user_id);
  }
}

bool Chat::has_existed(std::int64_t message_id) const {
  if (message_id <= 0 || message_id >= next_message_id) return false;
  const auto it =
      std::lower_bound(messages.begin(), messages.end(), message_id,
                       [](const StoredMessage& m, std::int64_t id) { return m.message_id < id; });
  return it == messages.end() || it->message_id != message_id || !it->deleted;
}

const UserInfo& ChatRegistry::upsert_user(const UserInfo& user) {
  auto [it, inserted] = users_.try_emplace(user.id, user);
  UserInfo& stored = it->second;
  if (!inserted) {
    stored.is_bot = user.is_bot;
    if (!user.first_name.empty()) stored.first_name = user.first_name;
    if (!user.last_name.empty()) stored.last_name = user.last_name;
    if (!user.username.empty()) stored.username = user.username;
    if (!user.language_code.empty()) stored.language_code = user.language_code;
  }
  if (Chat* chat = find_chat(user.id); chat && chat->type == ChatType::private_chat) {
    chat->first_name = stored.first_name;
    chat->last_name = stored.last_name;
    if (chat->username != stored.username) {
      chat->username = stored.username;
      index_username(*chat);
    }
  }
  return stored;
}

const UserInfo* ChatRegistry::find_user(std::int64_t id) const {
  const auto it = users_.find(id);
  return it == users_.end() ? nullptr : &it->second;
}

Chat& ChatRegistry::ensure_chat(std::int64_t id, ChatType type) {
  auto [it, inserted] = chats_.try_emplace(id);
  Chat& chat = it->second;
  if (inserted) {
    chat.id = id;
    chat.type = type;
    if (type == ChatType::private_chat) {
      if (const UserInfo* user = find_user(id)) {
        chat.first_name = user->first_name;
        chat.last_name = user->last_name;
        chat.username = user->username;
        index_username(chat);
      }
    }
  }
  return chat;
}

Chat* ChatRegistry::find_chat(std::int64_t id) {
  const auto it = chats_.find(id);
  return it == chats_.end() ? nullptr : &it->second;
}

const Chat* ChatRegistry::find_chat(std::int64_t id) const {
  const auto it = chats_.find(id);
  return it == chats_.end() ? nullptr : &it->second;
}

Chat* ChatRegistry::find_chat_by_username(std::string_view name) {
  const auto it = usernames_.find(lower(name));
  return it == usernames_.end() ? nullptr : find_chat(it->second);
}

void ChatRegistry::index_username(const Chat& chat) {
  if (!chat.username.empty()) usernames_[lower(chat.username)] = chat.id;
}

}  // namespace tgkeep::sandbox
