// BotState: everything the emulator knows about one bot (one token): its identity, the
// update queue, the chats and users, the webhook setting, the long-poll slot, what it sent, the
// injected faults, the chat timeline the sandbox page follows and some counters.
//
// A plain model with no I/O and no clock of its own (times are passed in), so the Bot API
// methods and the admin endpoints are pure functions over it and unit-testable. Not
// thread-safe: the emulator serves everything from one thread. Owned by BotApiEmulator.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "sandbox/chat_events.hpp"
#include "sandbox/chat_model.hpp"
#include "sandbox/fault_plan.hpp"
#include "sandbox/sent_log.hpp"
#include "sandbox/update_queue.hpp"

namespace tgkeep::sandbox {

// The time a request is handled at: unix seconds for message dates, the steady clock for
// long-poll and stall deadlines. Passed in, so tests control time.
struct Instant {
  std::int64_t unix_time = 0;
  std::chrono::steady_clock::time_point steady{};
};

// Why a waiting getUpdates was ended early.
enum class PollAbort { other_get_updates, set_webhook };

// The one long-polling getUpdates a bot may have. Starting a new wait terminates the previous
// waiter, as Telegram does ("Conflict: terminated by other getUpdates request").
class LongPollSlot {
 public:
  // Registers a new waiter and returns its ticket; the previous waiter, if any, is aborted.
  std::uint64_t start();
  void abort_current(PollAbort reason);
  // nullopt while `ticket` is the current waiter; the reason once it was aborted.
  std::optional<PollAbort> aborted(std::uint64_t ticket) const;
  // The waiter answered: forget it.
  void finish(std::uint64_t ticket);
  bool has_waiter() const { return current_ != 0; }

 private:
  std::uint64_t next_ = 1;
  std::uint64_t current_ = 0;
  std::unordered_map<std::uint64_t, PollAbort> aborted_;
};

struct WebhookState {
  std::string url;
  std::string secret_token;
  std::int64_t max_connections = 40;
  std::string ip_address;
};

struct BotCounters {
  std::int64_t get_updates_calls = 0;
  std::int64_t messages_sent = 0;
  std::int64_t messages_edited = 0;
  std::int64_t messages_deleted = 0;
  std::map<std::string, std::int64_t, std::less<>> calls_by_method;
};

struct BotState {
  // `token` may be empty for a bot created by an admin call before any token was seen; it is
  // then claimed by the first token that calls the Bot API.
  explicit BotState(std::string token, std::int64_t first_update_id = 1);
  void claim(std::string new_token);

  std::string token;
  UserInfo bot_user;  // id from the token's numeric part, is_bot, names
  UpdateQueue updates;
  UpdateTypeMask allowed_updates;
  bool allowed_updates_set = false;
  ChatRegistry chats;
  WebhookState webhook;
  LongPollSlot poll;
  SentLog sent;
  FaultPlan faults;
  ChatEventLog events;  // the timeline the sandbox chat page follows
  BotCounters counters;
  // Set when a waiting getUpdates should look again (new updates, termination); the emulator
  // collects it after each request.
  bool wake_pending = false;
  // Set when chat events were recorded: waiting chat-page polls should look again.
  bool events_pending = false;

  // Queues an update (JSON with its update_id) and wakes the poller.
  void push_update(std::int64_t id, std::string_view type, std::string json);
  // Records a chat event and wakes the chat-page polls.
  void record_event(ChatEventKind kind, std::int64_t chat_id, std::int64_t id,
                    std::string text = {}, bool flag = false);
};

// The numeric part of a token such as "123456:ABC...", or nullopt when the token is malformed.
// Well-formed: digits, ':', then at least 30 of [A-Za-z0-9_-].
std::optional<std::int64_t> parse_bot_token(std::string_view token);

}  // namespace tgkeep::sandbox
