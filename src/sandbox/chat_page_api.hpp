// The endpoints of the sandbox chat page, under /_chat/ (JSON in, JSON out, the Bot API
// envelope), for one bot:
//
//   GET  /_chat/state              bot info, the bots, users, chats, the timeline position
//   GET  /_chat/messages?chat_id=  a chat's remembered messages (&limit=, default 200)
//   GET  /_chat/events?since=      the timeline after `since` (&chat_id=, &timeout= seconds:
//                                  a long poll that answers as soon as something happens)
//   POST /_chat/users              {first_name, last_name?, username?, language_code?, id?}
//   POST /_chat/groups             {title, type?: group|supergroup, member_ids?: [...]}
//   POST /_chat/send               {chat_id, user_id, text, reply_to_message_id?}
//   POST /_chat/press              {chat_id, user_id, message_id, data}: an inline button
//
// Input is validated (400 "Bad Request: ..." naming the field); what users do becomes real
// updates for the bot (`message`, `callback_query`). An events request with nothing to return
// and a timeout comes back as an EventsWait; the server waits until BotState::events_pending
// or the deadline and calls resume_events(). See docs/sandbox.md. Pure functions over
// BotState; not thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "sandbox/api_reply.hpp"
#include "sandbox/bot_api_state.hpp"
#include "sandbox/request_params.hpp"

namespace tgkeep::sandbox {

// The longest long poll the page may ask for, as for getUpdates.
inline constexpr std::int64_t kMaxEventsTimeoutSeconds = 50;

struct ChatPageRequest {
  std::string_view endpoint;     // the path after "/_chat/", e.g. "send"
  std::string_view http_method;  // "GET", "POST", ...
  const RequestParams& query;
  std::string_view body;
  std::vector<const BotState*> bots;  // every bot of the emulator, for the bot picker
};

struct EventsWait {
  std::int64_t since = 0;
  std::optional<std::int64_t> chat_id;
  std::chrono::steady_clock::time_point deadline{};
};

struct ChatPageResult {
  ApiReply reply;                  // meaningful when `wait` is empty
  std::optional<EventsWait> wait;  // an events long poll that has to wait
};

ChatPageResult handle_chat_page(BotState& bot, const ChatPageRequest& request, const Instant& now);

// Re-checks a waiting events request: the reply once there are events or the deadline passed,
// nullopt to keep waiting.
std::optional<ApiReply> resume_events(const BotState& bot, const EventsWait& wait,
                                      const Instant& now);

}  // namespace tgkeep::sandbox
