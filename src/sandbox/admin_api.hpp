// The test-control endpoints under /_admin/ (JSON in, JSON out), for one bot:
//
//   POST /_admin/updates        raw Update objects (array or one object), served verbatim
//   POST /_admin/messages       simplified user messages -> realistic `message` updates
//   POST /_admin/callbacks      inline-button presses -> `callback_query` updates
//   POST /_admin/generate       bulk realistic traffic for benchmarks
//   GET  /_admin/sent           what the bot sent/edited/deleted (?chat_id, ?since, ?method)
//   GET  /_admin/stats          queue and call counters
//   POST /_admin/faults         inject errors/stalls into the next Bot API calls
//   POST /_admin/faults/clear   remove injected faults
//   POST /_admin/reset          forget chats, updates, sent log, faults and webhook
//
// Replies use the Bot API envelope ({"ok":true,"result":...} / {"ok":false,...}). See
// docs/bot-api-emulator.md. Pure functions over BotState; not thread-safe.
#pragma once

#include <string_view>

#include "sandbox/api_reply.hpp"
#include "sandbox/bot_api_state.hpp"
#include "sandbox/request_params.hpp"

namespace tgkeep::sandbox {

struct AdminRequest {
  std::string_view endpoint;     // the path after "/_admin/", e.g. "faults/clear"
  std::string_view http_method;  // "GET", "POST", ...
  const RequestParams& query;
  std::string_view body;
};

ApiReply handle_admin(BotState& bot, const AdminRequest& request, const Instant& now);

// Resets everything but the identity, the long-poll slot and the update id counter (update ids
// keep increasing so a running bot's offset stays meaningful).
void reset_bot(BotState& bot);

}  // namespace tgkeep::sandbox
