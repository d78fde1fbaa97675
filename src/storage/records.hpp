// The records tgkeep keeps, independent of any backend.
//
// Idempotency keys (DESIGN.md): an incoming update by update_id; a message by
// (chat_id, message_id, role); a reply, before Telegram gives it a message_id, by reply_key.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tgkeep::storage {

enum class Role { user, assistant };
std::string_view role_name(Role role);  // "user" / "assistant"

// The fate of an outgoing reply: pending (recorded, not yet known to have gone out), resending
// (found pending after a crash and being sent once more; never sent a third time), sent, failed.
// See docs/replies.md.
enum class ReplyStatus { pending, sent, failed, resending };
std::string_view reply_status_name(ReplyStatus status);
// The inverse of reply_status_name; anything else reads as sent.
ReplyStatus parse_reply_status(std::string_view name);

struct MessageRecord {
  std::int64_t chat_id = 0;
  std::optional<std::int64_t> message_id;  // unset for a reply not yet confirmed by Telegram
  std::optional<std::int64_t> user_id;     // the sender; unset for channel posts and replies
  Role role = Role::user;
  std::string text;
  std::int64_t date = 0;  // unix seconds
  // The update that carried it (user messages) or that it answers (replies): a chat's history is
  // ordered by it, so a reply follows its question.
  std::optional<std::int64_t> update_id;
  bool edited = false;
  std::optional<std::int64_t> edit_date;  // the newest edit applied
  // Replies only: a key generated before sending ("u<update_id>.<part>"), and the fate.
  std::string reply_key;
  ReplyStatus status = ReplyStatus::sent;
};

struct UserRecord {
  std::int64_t id = 0;
  bool is_bot = false;
  std::string username;
  std::string first_name;
  std::string last_name;
  std::string language_code;
  std::int64_t seen_at = 0;  // unix seconds of the update that showed this user
  // The user's tariff (usage quota plan, see hot/usage_window.hpp); "" is the default tariff.
  // Kept by the store: updates never change it, set_user_tariff does.
  std::string tariff;
};

// One unit of a usage quota consumed: a message of `user_id` (in update `update_id`) that went to
// the reply engine. Idempotency key: (user_id, update_id). Counters in Redis are rebuilt from them.
struct UsageEvent {
  std::int64_t user_id = 0;
  std::int64_t update_id = 0;
  std::int64_t at = 0;  // unix seconds
  std::string tariff;   // the tariff it counted against
};

// A text of the lexicon set by an operator, overriding the bundled one.
struct LexiconText {
  std::string language;
  std::string key;
  std::string text;
};

// One incoming update, ready to store.
struct UpdateRecord {
  std::int64_t update_id = 0;
  std::string type;  // the update's field name ("message", "my_chat_member", ...)
  std::optional<std::int64_t> chat_id;
  std::string raw_json;
  // True when a handler still has to act on it (a reply is due). Updates that need no handling
  // are stored as handled, so a restart does not revisit them.
  bool needs_handling = false;
  std::optional<MessageRecord> message;  // the message it carries (new or edited)
  std::optional<UserRecord> user;        // the sender, to upsert into users
};

struct ExportFilter {
  std::optional<std::int64_t> chat_id;
  std::optional<std::int64_t> user_id;
};

}  // namespace tgkeep::storage
