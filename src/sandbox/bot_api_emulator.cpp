#include "sandbox/bot_api_emulator.hpp"

#include "sandbox/admin_api.hpp"
#include "sandbox/request_params.hpp"

namespace tgkeep::sandbox {
namespace {

constexpr std::string_view kBotPrefix = "/bot";
constexpr std::string_view kAdminPrefix = "/_admin/";

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
  if (path.rfind(kBotPrefix, 0) != 0) return not_found();
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

ApiReply BotApiEmulator::handle_admin_request(std::string_view endpoint, std::string_view query,
                                              const HttpRequestView& request, const Instant& now) {
  RequestParams query_params;
  parse_urlencoded(query, query_params);
  BotState* bot = nullptr;
  if (query_params.has("token")) {
    const std::string_view token = query_params.get("token");
    bot = find_bot(token);
    if (bot == nullptr) {
      if (!options_.pinned_token.empty() || !parse_bot_token(token)) {
        return error_reply(400, "Bad Request: unknown or malformed token");
      }
      bot = bots_[bot_for_token(token)].get();
    }
  } else {
    if (bots_.empty()) bots_.push_back(std::make_unique<BotState>("", options_.first_update_id));
    bot = bots_.front().get();
  }
  return handle_admin(*bot, AdminRequest{endpoint, request.method, query_params, request.body},
                      now);
}

std::optional<ApiReply> BotApiEmulator::resume(const PendingPoll& poll, const Instant& now) {
  if (poll.bot >= bots_.size()) return error_reply(500, "Internal Server Error");
  return resume_get_updates(*bots_[poll.bot], poll.wait, now);
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
