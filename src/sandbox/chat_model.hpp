// The emulated world of one bot: users, chats and the recent messages of each chat.
//
// Message ids are per chat and shared by users' and the bot's messages, as in Telegram. Each
// chat remembers its last kMessagesPerChat messages (enough to reply to, edit and delete
// them); older ones are only known to have existed (their id is below next_message_id).
//
// Not thread-safe; owned by BotState. Pointers returned by find_* stay valid until the entry is
// removed (entries are never removed except by clear()).
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace tgkeep::sandbox {

enum class ChatType { private_chat, group, supergroup, channel };

std::string_view chat_type_name(ChatType type);
std::optional<ChatType> parse_chat_type(std::string_view name);

struct UserInfo {
  std::int64_t id = 0;
  bool is_bot = false;
  std::string first_name;
  std::string last_name;
  std::string username;
  std::string language_code;
};

struct StoredMessage {
  std::int64_t message_id = 0;
  std::int64_t from_id = 0;
  std::int64_t date = 0;
  std::int64_t edit_date = 0;
  std::int64_t reply_to_message_id = 0;
  std::int64_t message_thread_id = 0;
  std::string text;
  std::string entities_json;      // `[...]` or empty
  std::string reply_markup_json;  // `{"inline_keyboard":...}` or empty
  bool deleted = false;
};

struct Chat {
  static constexpr std::size_t kMessagesPerChat = 1000;

  std::int64_t id = 0;
  ChatType type = ChatType::private_chat;
  std::string title;       // groups and channels
  std::string username;    // without '@'
  std::string first_name;  // private chats
  std::string last_name;
  std::int64_t next_message_id = 1;
  std::deque<StoredMessage> messages;  // by message_id, oldest first
  std::vector<std::int64_t> members;   // groups: user ids that joined or wrote, in order

  std::int64_t allocate_message_id() { return next_message_id++; }
  // Remembers a message (its id must be above every remembered one), evicting the oldest.
  void remember(StoredMessage message);
  StoredMessage* find(std::int64_t message_id);
  // Like find(), but deleted messages are returned too (with `deleted` set).
  const StoredMessage* find_remembered(std::int64_t message_id) const;
  // Adds `user_id` to `members` unless it is there already.
  void add_member(std::int64_t user_id);
  // True when the message exists or existed (an id this chat has handed out, not deleted).
  bool has_existed(std::int64_t message_id) const;
};

class ChatRegistry {
 public:
  // Inserts or updates a user; empty fields of `user` keep the stored values.
  const UserInfo& upsert_user(const UserInfo& user);
  const UserInfo* find_user(std::int64_t id) const;

  // Returns the chat, creating it with `type` when it is new. A private chat takes its names
  // from the user with the same id.
  Chat& ensure_chat(std::int64_t id, ChatType type);
  Chat* find_chat(std::int64_t id);
  const Chat* find_chat(std::int64_t id) const;
  // `name` without '@', compared case-insensitively.
  Chat* find_chat_by_username(std::string_view name);
  // Keeps the username index in step after a chat's username changed.
  void index_username(const Chat& chat);

  std::size_t chat_count() const { return chats_.size(); }
  // Everything, for listings (unordered).
  const std::unordered_map<std::int64_t, UserInfo>& users() const { return users_; }
  const std::unordered_map<std::int64_t, Chat>& chats() const { return chats_; }
  std::size_t user_count() const { return users_.size(); }
  void reserve(std::size_t chats) {
    chats_.reserve(chats);
    users_.reserve(chats);
  }

 private:
  std::unordered_map<std::int64_t, UserInfo> users_;
  std::unordered_map<std::int64_t, Chat> chats_;
  std::unordered_map<std::string, std::int64_t> usernames_;  // lower-case name -> chat id
};

}  // namespace tgkeep::sandbox
