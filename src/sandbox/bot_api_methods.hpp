// The Bot API methods of the emulator: request parameters in, Telegram's JSON reply out.
//
// Implemented: getMe, getUpdates, sendMessage, editMessageText, deleteMessage,
// answerCallbackQuery, sendChatAction, setWebhook, deleteWebhook, getWebhookInfo. Method names
// are case-insensitive, as on Telegram; anything else is 404 "Not Found". Validation and error
// texts follow Telegram ("Bad Request: chat not found", "Bad Request: message is too long",
// 409 "Conflict: can't use getUpdates method while webhook is active; ...").
//
// A getUpdates that finds nothing and has a timeout does not block: it returns a PollWait; the
// caller waits (until BotState::wake_pending or the deadline) and calls resume_get_updates().
// Pure functions over BotState; not thread-safe (one thread owns the state).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

#include "sandbox/api_reply.hpp"
#include "sandbox/bot_api_state.hpp"
#include "sandbox/request_params.hpp"

namespace tgkeep::sandbox {

// Telegram caps the getUpdates timeout at 50 seconds.
inline constexpr std::int64_t kMaxPollTimeoutSeconds = 50;

struct PollWait {
  std::uint64_t ticket = 0;
  std::int64_t offset = 0;  // already adjusted (Telegram keeps the adjusted offset)
  std::size_t limit = 100;
  std::chrono::steady_clock::time_point deadline{};
};

struct MethodResult {
  ApiReply reply;                // meaningful when `wait` is empty
  std::optional<PollWait> wait;  // a long poll that has to wait
};

// The canonical spelling of a supported method ("sendmessage" -> "sendMessage"), or empty.
std::string_view canonical_method_name(std::string_view method);

MethodResult call_bot_method(BotState& bot, std::string_view method, const RequestParams& params,
                             const Instant& now);

// Re-checks a waiting getUpdates: a reply when it is done (updates arrived, deadline passed,
// terminated by another request), nullopt to keep waiting.
std::optional<ApiReply> resume_get_updates(BotState& bot, const PollWait& wait, const Instant& now);

}  // namespace tgkeep::sandbox
