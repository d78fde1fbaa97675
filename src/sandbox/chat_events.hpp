// ChatEventLog: the timeline the sandbox chat page follows — what happened in the bot's chats,
// in order: user and bot messages, edits, deletions, callback answers, chat actions, and
// changes of the chat list (new users, new groups, a reset).
//
// An event only names what changed (chat, message id or user id, a short text for callback
// answers and chat actions); the page endpoint renders the message's current state when it
// answers, so an event costs a few dozen bytes and re-reading an old event is harmless (the
// page upserts by message id). Each event gets a sequence number starting at 1; numbers keep
// counting across clear(), so a page's `since` stays meaningful after /_admin/reset. At most
// `capacity` events are kept (the oldest go first); a reader that fell behind sees a gap.
//
// The log also remembers which chat and message the recent callback queries came from, so an
// answerCallbackQuery (which names only the query id) can be shown in the right chat.
//
// Not thread-safe; owned by BotState.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace tgkeep::sandbox {

enum class ChatEventKind {
  message,          // a new message (user or bot); `id` = message id
  edit,             // the bot edited a message; `id` = message id
  deletion,         // a message was deleted; `id` = message id
  callback_answer,  // answerCallbackQuery for a press in `chat_id`; `id` = message id
  action,           // sendChatAction; `text` = the action
  user,             // a user was created or changed; `id` = user id, chat_id 0
  chat,             // a chat was created; `chat_id`
  reset,            // everything was forgotten (/_admin/reset); chat_id 0
};

std::string_view chat_event_kind_name(ChatEventKind kind);

struct ChatEvent {
  std::int64_t seq = 0;
  ChatEventKind kind = ChatEventKind::message;
  std::int64_t chat_id = 0;  // 0: concerns every chat (user, reset)
  std::int64_t id = 0;
  std::string text;
  bool flag = false;  // callback_answer: show_alert
};

struct CallbackOrigin {
  std::int64_t chat_id = 0;
  std::int64_t message_id = 0;
};

class ChatEventLog {
 public:
  static constexpr std::size_t kDefaultCapacity = 100'000;
  static constexpr std::size_t kCallbacksKept = 1000;

  explicit ChatEventLog(std::size_t capacity = kDefaultCapacity) : capacity_(capacity) {}

  // Stores `event` with the next sequence number, which it returns.
  std::int64_t append(ChatEvent event);
  std::int64_t last_seq() const { return next_seq_ - 1; }
  // The sequence number of the oldest kept event (last_seq() + 1 when the log is empty).
  std::int64_t first_seq() const { return events_.empty() ? next_seq_ : events_.front().seq; }
  // True when events after `since` were dropped (capacity, clear()) or `since` is from the
  // future (the emulator restarted): the reader must reload instead of applying events.
  bool has_gap(std::int64_t since) const;

  // Events with seq > since, oldest first, at most `limit`. With `chat_id`, only events of that
  // chat and those that concern every chat (chat_id 0).
  std::vector<const ChatEvent*> after(std::int64_t since, std::optional<std::int64_t> chat_id,
                                      std::size_t limit) const;
  // Forgets all events (numbers keep counting); callback origins are forgotten too.
  void clear();
  std::size_t size() const { return events_.size(); }

  void remember_callback(std::string query_id, CallbackOrigin origin);
  std::optional<CallbackOrigin> callback_origin(std::string_view query_id) const;

 private:
  std::deque<ChatEvent> events_;
  std::size_t capacity_;
  std::int64_t next_seq_ = 1;
  std::int64_t dropped_through_ = 0;  // events up to this seq were evicted or cleared
  std::deque<std::string> callback_order_;
  std::unordered_map<std::string, CallbackOrigin> callbacks_;
};

}  // namespace tgkeep::sandbox
