#include "sandbox/bot_api_emulator.hpp"

#include "sandbox/admin_api.hpp"
#include "sandbox/request_params.hpp"
#include "sandbox/web_assets.hpp"

namespace tgkeep::sandbox {
namespace {

constexpr std::string_view kBotPrefix = "/bot";
constexpr std::string_view kAdminPrefix = "/_admin/";
constexpr std::string_view kChatPrefix = "/_chat/";

ApiReply not_found() {
  return error_reply(404, "Not Found");
}
ApiReply unauthorized() {
  return error_reply(401, "Unauthorized");
}

}  // namespace

BotApiEmulator::BotApiEmulator(EmulatorOptions options) : options_(std::move(options)) {
  if (!options_.pinned_token.empty()) {
    bots_.push_back(std::make_unique<BotState>(options_.pinned_token, options_.first_update_id));
  }
}

BotState* BotApiEmulator::find_bot(std::string_view token) {
  for (auto& bot : bots_) {
    if (bot->token == token) return bot.get();
  }
  return nullptr;
}

std::size_t BotApiEmulator::bot_for_token(std::string_view token) {
  for (std::size_t i = 0; i < bots_.size(); ++i) {
    if (bots_[i]->token == token) return i;
  }
  for (std::size_t i = 0; i < bots_.size(); ++i) {
    if (bots_[i]->token.empty()) {
      bots_[i]->claim(std::string(token));
      return i;
    }
  }
  bots_.push_back(std::make_unique<BotState>(std::string(token), options_.first_update_id));
  return bots_.size() - 1;
}

Outcome BotApiEmulator::handle(const HttpRequestView& request, const Instant& now,
                               bool apply_faults) {
  const std::size_t question = request.target.find('?');
  const std::string_view path = request.target.substr(0, question);
  const std::string_view query =
      question == std::string_view::npos ? std::string_view() : request.target.substr(question + 1);

  if (path.rfind(kAdminPrefix, 0) == 0) {
    return handle_admin_request(path.substr(kAdminPrefix.size()), query, request, now);
  }
  if (path.rfind(kChatPrefix, 0) == 0) {
    return handle_chat_request(path.substr(kChatPrefix.size()), query, request, now);
  }
  if (path.rfind(kBotPrefix, 0) != 0) {
    if (request.method == "GET") {
      if (auto file = web_file_reply(path)) return std::move(*file);
    }
    return not_found();
  }
  const std::string_view rest = path.substr(kBotPrefix.size());
  const std::size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return not_found();
  const std::string_view token = rest.substr(0, slash);
  const std::string_view method = rest.substr(slash + 1);
  if (method.empty() || method.find('/') != std::string_view::npos) return not_found();
  return handle_bot_api(token, method, query, request, now, apply_faults);
}

Outcome BotApiEmulator::handle_bot_api(std::string_view token, std::string_view method,
                                       std::string_view query, const HttpRequestView& request,
                                       const Instant& now, bool apply_faults) {
  if (!options_.pinned_token.empty() && token != options_.pinned_token) return unauthorized();
  if (!parse_bot_token(token)) return unauthorized();
  const std::size_t index = bot_for_token(token);
  BotState& bot = *bots_[index];

  if (apply_faults) {
    const std::string_view canonical = canonical_method_name(method);
    if (auto fault = bot.faults.take(canonical.empty() ? method : canonical)) {
      std::optional<ApiReply> error;
      if (fault->status != 0) error = fault->reply();
      if (fault->stall.count() > 0) return PendingStall{fault->stall, std::move(error)};
      return std::move(*error);
    }
  }

  RequestParams params;
  if (auto status = parse_request_params(query, request.content_type, request.body, params);
      !status) {
    return error_reply(400, "Bad Request: " + status.error().message);
  }
  MethodResult result = call_bot_method(bot, method, params, now);
  if (result.wait) return PendingPoll{index, *result.wait};
  return std::move(result.reply);
}

std::variant<std::size_t, ApiReply> BotApiEmulator::bot_for_query(const RequestParams& query) {
  if (query.has("token")) {
    const std::string_view token = query.get("token");
    for (std::size_t i = 0; i < bots_.size(); ++i) {
      if (bots_[i]->token == token) return i;
    }
    if (!options_.pinned_token.empty() || !parse_bot_token(token)) {
      return error_reply(400, "Bad Request: unknown or malformed token");
    }
    return bot_for_token(token);
  }
  if (query.has("bot")) {
    const auto id = parse_int64(query.get("bot"));
    for (std::size_t i = 0; id && i < bots_.size(); ++i) {
      if (bots_[i]->bot_user.id == *id) return i;
    }
    return error_reply(400, "Bad Request: unknown bot id");
  }
  if (bots_.empty()) bots_.push_back(std::make_unique<BotState>("", options_.first_update_id));
  return std::size_t{0};
}

ApiReply BotApiEmulator::handle_admin_request(std::string_view endpoint, std::string_view query,
                                              const HttpRequestView& request, const Instant& now) {
  RequestParams query_params;
  parse_urlencoded(query, query_params);
  auto bot = bot_for_query(query_params);
  if (auto* error = std::get_if<ApiReply>(&bot)) return std::move(*error);
  return handle_admin(*bots_[std::get<std::size_t>(bot)],
                      AdminRequest{endpoint, request.method, query_params, request.body}, now);
}

Outcome BotApiEmulator::handle_chat_request(std::string_view endpoint, std::string_view query,
                                            const HttpRequestView& request, const Instant& now) {
  RequestParams query_params;
  parse_urlencoded(query, query_params);
  auto bot = bot_for_query(query_params);
  if (auto* error = std::get_if<ApiReply>(&bot)) return std::move(*error);
  const std::size_t index = std::get<std::size_t>(bot);
  ChatPageRequest page{endpoint, request.method, query_params, request.body, {}};
  for (const auto& each : bots_) page.bots.push_back(each.get());
  ChatPageResult result = handle_chat_page(*bots_[index], page, now);
  if (result.wait) return PendingEvents{index, *result.wait};
  return std::move(result.reply);
}

std::optional<ApiReply> BotApiEmulator::resume(const PendingPoll& poll, const Instant& now) {
  if (poll.bot >= bots_.size()) return error_reply(500, "Internal Server Error");
  return resume_get_updates(*bots_[poll.bot], poll.wait, now);
}

std::optional<ApiReply> BotApiEmulator::resume(const PendingEvents& events, const Instant& now) {
  if (events.bot >= bots_.size()) return error_reply(500, "Internal Server Error");
  return resume_events(*bots_[events.bot], events.wait, now);
}

std::vector<std::size_t> BotApiEmulator::take_event_wakeups() {
  std::vector<std::size_t> woken;
  for (std::size_t i = 0; i < bots_.size(); ++i) {
    if (bots_[i]->events_pending) {
      bots_[i]->events_pending = false;
      woken.push_back(i);
    }
  }
  return woken;
}

std::vector<std::size_t> BotApiEmulator::take_wakeups() {
  std::vector<std::size_t> woken;
  for (std::size_t i = 0; i < bots_.size(); ++i) {
    if (bots_[i]->wake_pending) {
      bots_[i]->wake_pending = false;
      woken.push_back(i);
    }
  }
  return woken;
}

}  // namespace tgkeep::sandbox
