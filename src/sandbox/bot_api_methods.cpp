#include "sandbox/bot_api_methods.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "sandbox/json_text.hpp"
#include "sandbox/message_json.hpp"
#include "sandbox/message_methods.hpp"

namespace tgkeep::sandbox {
namespace {

constexpr std::string_view kWebhookConflict =
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete "
    "the webhook first";
constexpr std::string_view kOtherGetUpdates =
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is "
    "running";
constexpr std::string_view kTerminatedBySetWebhook = "Conflict: terminated by setWebhook request";

using Handler = MethodResult (*)(BotState&, const RequestParams&, const Instant&);

MethodResult reply(ApiReply r) {
  return {std::move(r), std::nullopt};
}

template <ApiReply (*F)(BotState&, const RequestParams&, const Instant&)>
MethodResult wrap(BotState& bot, const RequestParams& params, const Instant& now) {
  return reply(F(bot, params, now));
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return (x | 0x20) == (y | 0x20);
         });
}

void update_allowed_updates(BotState& bot, const RequestParams& params) {
  if (auto mask = parse_allowed_updates(params.get("allowed_updates"))) {
    bot.allowed_updates = *mask;
    bot.allowed_updates_set = *mask != all_update_types();
  }
}

MethodResult get_me(BotState& bot, const RequestParams&, const Instant&) {
  std::string json;
  append_user_json(json, bot.bot_user, /*full_bot_info=*/true);
  return reply(ok_reply(json));
}

MethodResult get_updates(BotState& bot, const RequestParams& params, const Instant& now) {
  if (!bot.webhook.url.empty()) return reply(error_reply(409, kWebhookConflict));
  const std::int64_t offset = params.get_int("offset", 0);
  const auto limit =
      static_cast<std::size_t>(std::clamp<std::int64_t>(params.get_int("limit", 100), 1, 100));
  const std::int64_t timeout =
      std::clamp<std::int64_t>(params.get_int("timeout", 0), 0, kMaxPollTimeoutSeconds);
  update_allowed_updates(bot, params);
  ++bot.counters.get_updates_calls;

  UpdateBatch batch = bot.updates.take(offset, limit, bot.allowed_updates);
  if (!batch.updates.empty() || timeout == 0) return reply(ok_reply(batch.result_json()));

  PollWait wait;
  wait.ticket = bot.poll.start();  // terminates an earlier waiter
  wait.offset = batch.effective_offset;
  wait.limit = limit;
  wait.deadline = now.steady + std::chrono::seconds(timeout);
  bot.wake_pending = true;
  return {ApiReply{}, wait};
}

bool is_allowed_secret(std::string_view secret) {
  if (secret.empty() || secret.size() > 256) return false;
  return std::all_of(secret.begin(), secret.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
}

MethodResult delete_webhook(BotState& bot, const RequestParams& params, const Instant&) {
  if (params.get_bool("drop_pending_updates")) bot.updates.clear();
  if (bot.webhook.url.empty()) return reply(ok_reply("true", "Webhook is already deleted"));
  bot.webhook = WebhookState{};
  return reply(ok_reply("true", "Webhook was deleted"));
}

MethodResult set_webhook(BotState& bot, const RequestParams& params, const Instant& now) {
  const std::string_view url = params.get("url");
  if (url.empty()) return delete_webhook(bot, params, now);
  if (url.rfind("https://", 0) != 0 && url.rfind("http://", 0) != 0) {
    return reply(bad_request("bad webhook: An HTTPS URL must be provided for webhook"));
  }
  if (params.has("secret_token") && !is_allowed_secret(params.get("secret_token"))) {
    return reply(bad_request("secret token contains unallowed characters"));
  }
  WebhookState next;
  next.url = std::string(url);
  next.secret_token = std::string(params.get("secret_token"));
  next.max_connections = std::clamp<std::int64_t>(params.get_int("max_connections", 40), 1, 100);
  next.ip_address = std::string(params.get("ip_address"));
  const bool drop = params.get_bool("drop_pending_updates");
  update_allowed_updates(bot, params);
  if (drop) bot.updates.clear();
  if (!drop && next.url == bot.webhook.url && next.secret_token == bot.webhook.secret_token &&
      next.max_connections == bot.webhook.max_connections) {
    return reply(ok_reply("true", "Webhook is already set"));
  }
  bot.poll.abort_current(PollAbort::set_webhook);
  bot.wake_pending = true;
  bot.webhook = std::move(next);
  return reply(ok_reply("true", "Webhook was set"));
}

MethodResult get_webhook_info(BotState& bot, const RequestParams&, const Instant&) {
  std::string json = "{\"url\":";
  append_json_string(json, bot.webhook.url);
  json += ",\"has_custom_certificate\":false";
  append_member(json, "pending_update_count", static_cast<std::int64_t>(bot.updates.pending()));
  if (!bot.webhook.url.empty()) {
    append_member(json, "max_connections", bot.webhook.max_connections);
    if (!bot.webhook.ip_address.empty()) {
      append_member(json, "ip_address", std::string_view(bot.webhook.ip_address));
    }
  }
  if (bot.allowed_updates_set) {
    append_member_raw(json, "allowed_updates", allowed_updates_json(bot.allowed_updates));
  }
  json += '}';
  return reply(ok_reply(json));
}

struct MethodEntry {
  std::string_view name;
  Handler handler;
};

constexpr std::array<MethodEntry, 10> kMethods = {{
    {"getMe", &get_me},
    {"getUpdates", &get_updates},
    {"sendMessage", &wrap<&send_message>},
    {"editMessageText", &wrap<&edit_message_text>},
    {"deleteMessage", &wrap<&delete_message>},
    {"answerCallbackQuery", &wrap<&answer_callback_query>},
    {"sendChatAction", &wrap<&send_chat_action>},
    {"setWebhook", &set_webhook},
    {"deleteWebhook", &delete_webhook},
    {"getWebhookInfo", &get_webhook_info},
}};

}  // namespace

std::string_view canonical_method_name(std::string_view method) {
  for (const auto& entry : kMethods) {
    if (iequals(entry.name, method)) return entry.name;
  }
  return {};
}

MethodResult call_bot_method(BotState& bot, std::string_view method, const RequestParams& params,
                             const Instant& now) {
  for (const auto& entry : kMethods) {
    if (!iequals(entry.name, method)) continue;
    auto counter = bot.counters.calls_by_method.find(entry.name);
    if (counter == bot.counters.calls_by_method.end()) {
      counter = bot.counters.calls_by_method.emplace(std::string(entry.name), 0).first;
    }
    ++counter->second;
    return entry.handler(bot, params, now);
  }
  return reply(error_reply(404, "Not Found"));
}

std::optional<ApiReply> resume_get_updates(BotState& bot, const PollWait& wait,
                                           const Instant& now) {
  if (auto aborted = bot.poll.aborted(wait.ticket)) {
    bot.poll.finish(wait.ticket);
    return error_reply(
        409, *aborted == PollAbort::set_webhook ? kTerminatedBySetWebhook : kOtherGetUpdates);
  }
  UpdateBatch batch = bot.updates.take(wait.offset, wait.limit, bot.allowed_updates);
  if (batch.updates.empty() && now.steady < wait.deadline) return std::nullopt;
  bot.poll.finish(wait.ticket);
  return ok_reply(batch.result_json());
}

}  // namespace tgkeep::sandbox
