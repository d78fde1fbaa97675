// BotApiEmulator: the request handler of the emulated Telegram Bot API server, free of I/O.
//
// It routes an HTTP request (method, target, content type, body) to the Bot API
// (/bot<TOKEN>/<method>), the admin endpoints (/_admin/...), the sandbox chat page's endpoints
// (/_chat/...) or the page itself (GET /, /chat.js, ...), keeps one BotState per token and
// says what the server must do next:
//   * ApiReply       answer now;
//   * PendingPoll    a long-polling getUpdates: wait until woken or until its deadline, then
//                    call resume();
//   * PendingEvents  a long-polling /_chat/events: the same, with resume_events();
//   * PendingStall   an injected stall: wait `delay`, then answer `reply_after`, or, when it is
//                    empty, handle the same request again with faults off.
// After each call the server asks take_wakeups() which bots' waiting getUpdates must re-check,
// and take_event_wakeups() which bots' waiting events requests must.
//
// Tokens: with a pinned token only that token is accepted (401 otherwise); without one, every
// well-formed token is its own bot. Admin and chat endpoints act on ?token=<TOKEN>, ?bot=<bot
// id> or the first bot (created unclaimed when none exists yet, and claimed by the first token
// that calls the API).
//
// Not thread-safe: one thread (the server's io_context) owns it.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "sandbox/api_reply.hpp"
#include "sandbox/bot_api_methods.hpp"
#include "sandbox/bot_api_state.hpp"
#include "sandbox/chat_page_api.hpp"

namespace tgkeep::sandbox {

struct EmulatorOptions {
  std::string pinned_token;  // empty: accept any well-formed token
  std::int64_t first_update_id = 1;
};

struct HttpRequestView {
  std::string_view method;  // "GET", "POST", ...
  std::string_view target;  // path and query string
  std::string_view content_type;
  std::string_view body;
};

struct PendingPoll {
  std::size_t bot = 0;  // index of the bot, stable for the emulator's lifetime
  PollWait wait;
};

struct PendingStall {
  std::chrono::milliseconds delay{0};
  std::optional<ApiReply> reply_after;  // empty: handle the request again without faults
};

struct PendingEvents {
  std::size_t bot = 0;  // index of the bot, stable for the emulator's lifetime
  EventsWait wait;
};

using Outcome = std::variant<ApiReply, PendingPoll, PendingEvents, PendingStall>;

class BotApiEmulator {
 public:
  explicit BotApiEmulator(EmulatorOptions options);

  Outcome handle(const HttpRequestView& request, const Instant& now, bool apply_faults = true);
  // Re-checks a waiting getUpdates; nullopt: keep waiting.
  std::optional<ApiReply> resume(const PendingPoll& poll, const Instant& now);
  // Re-checks a waiting /_chat/events; nullopt: keep waiting.
  std::optional<ApiReply> resume(const PendingEvents& events, const Instant& now);
  // Indexes of bots whose waiting getUpdates must re-check, since the last call.
  std::vector<std::size_t> take_wakeups();
  // Indexes of bots whose waiting /_chat/events must re-check, since the last call.
  std::vector<std::size_t> take_event_wakeups();

  std::size_t bot_count() const { return bots_.size(); }
  // The bot for `token`, or nullptr.
  BotState* find_bot(std::string_view token);

 private:
  Outcome handle_bot_api(std::string_view token, std::string_view method, std::string_view query,
                         const HttpRequestView& request, const Instant& now, bool apply_faults);
  ApiReply handle_admin_request(std::string_view endpoint, std::string_view query,
                                const HttpRequestView& request, const Instant& now);
  Outcome handle_chat_request(std::string_view endpoint, std::string_view query,
                              const HttpRequestView& request, const Instant& now);
  // The bot an admin or chat request names (?token=, ?bot=) or the first bot; or the error.
  std::variant<std::size_t, ApiReply> bot_for_query(const RequestParams& query);
  // The bot for an API call with a valid token (claiming an unclaimed bot or creating one).
  std::size_t bot_for_token(std::string_view token);

  EmulatorOptions options_;
  std::vector<std::unique_ptr<BotState>> bots_;
};

}  // namespace tgkeep::sandbox
