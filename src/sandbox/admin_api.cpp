#include "sandbox/admin_api.hpp"

#include <simdjson.h>

#include <functional>

#include "sandbox/json_fields.hpp"
#include "sandbox/json_text.hpp"
#include "sandbox/raw_updates.hpp"
#include "sandbox/update_generator.hpp"
#include "sandbox/user_messages.hpp"

namespace tgkeep::sandbox {
namespace {

using simdjson::dom::object;

ApiReply admin_error(std::string_view description) {
  return bad_request_reply(description);
}

ApiReply range_reply(std::int64_t first, std::int64_t last, std::int64_t count) {
  std::string json = "{\"first\":";
  append_int(json, first);
  append_member(json, "last", last);
  append_member(json, "count", count);
  json += '}';
  return ok_reply(json);
}

// Queues one update per object of the body: `queue_one` reads the object's fields and queues
// an update, setting its update_id, or answers an error. Answers with the range queued.
ApiReply queue_each(std::string_view body,
                    const std::function<ApiReply(FieldReader&, std::int64_t&)>& queue_one) {
  std::int64_t first = 0;
  std::int64_t last = 0;
  std::size_t count = 0;
  ApiReply r = for_each_object(
      body,
      [&](object obj) {
        FieldReader in{obj, {}};
        std::int64_t update_id = 0;
        ApiReply one = queue_one(in, update_id);
        if (one.status != 200) return one;
        if (first == 0) first = update_id;
        last = update_id;
        return one;
      },
      &count);
  if (r.status != 200) return r;
  return range_reply(first, last, static_cast<std::int64_t>(count));
}

ApiReply add_raw_updates(BotState& bot, std::string_view body) {
  auto range = queue_raw_updates(bot, body);
  if (!range) return admin_error(range.error().message);
  return range_reply(range->first, range->last, range->count);
}

ApiReply add_messages(BotState& bot, std::string_view body, const Instant& now) {
  return queue_each(body, [&](FieldReader& in, std::int64_t& update_id) {
    UserMessageSpec spec;
    spec.chat_id = in.integer("chat_id").value_or(0);
    spec.user_id = in.integer("user_id").value_or(spec.chat_id);
    auto text = in.string("text");
    spec.first_name = in.string("first_name").value_or("");
    spec.last_name = in.string("last_name").value_or("");
    spec.username = in.string("username").value_or("");
    spec.language_code = in.string("language_code").value_or("");
    spec.title = in.string("title").value_or("");
    spec.reply_to_message_id = in.integer("reply_to_message_id").value_or(0);
    spec.message_thread_id = in.integer("message_thread_id").value_or(0);
    if (auto type = in.string("chat_type")) {
      spec.chat_type = parse_chat_type(*type);
      if (!spec.chat_type) in.fail("chat_type", "private, group, supergroup or channel");
    }
    if (!in.error.empty()) return admin_error(in.error);
    if (!text) return admin_error("field \"text\" is required");
    spec.text = std::move(*text);
    auto queued = queue_user_message(bot, spec, now);
    if (!queued) return admin_error(queued.error().message);
    update_id = queued->update_id;
    return ok_reply("true");
  });
}

ApiReply add_callbacks(BotState& bot, std::string_view body) {
  return queue_each(body, [&](FieldReader& in, std::int64_t& update_id) {
    CallbackSpec spec;
    spec.chat_id = in.integer("chat_id").value_or(0);
    spec.user_id = in.integer("user_id").value_or(spec.chat_id);
    spec.message_id = in.integer("message_id").value_or(0);
    spec.data = in.string("data").value_or("");
    if (!in.error.empty()) return admin_error(in.error);
    auto queued = queue_callback_query(bot, spec);
    if (!queued) return admin_error(queued.error().message);
    update_id = queued->update_id;
    return ok_reply("true");
  });
}

ApiReply generate(BotState& bot, std::string_view body, const Instant& now) {
  GenerateSpec spec;
  std::size_t count = 0;
  ApiReply r = for_each_object(
      body.empty() ? std::string_view("{}") : body,
      [&](object obj) {
        FieldReader in{obj, {}};
        spec.count = in.integer("count").value_or(spec.count);
        spec.chats = in.integer("chats").value_or(spec.chats);
        spec.command_ratio = in.number("command_ratio").value_or(spec.command_ratio);
        spec.seed = static_cast<std::uint64_t>(in.integer("seed").value_or(1));
        spec.text_len = in.integer("text_len").value_or(spec.text_len);
        spec.first_user_id = in.integer("first_user_id").value_or(spec.first_user_id);
        return in.error.empty() ? ok_reply("true") : admin_error(in.error);
      },
      &count);
  if (r.status != 200) return r;
  auto result = generate_updates(bot, spec, now);
  if (!result) return admin_error(result.error().message);
  return range_reply(result->first, result->last, result->count);
}

ApiReply add_faults(BotState& bot, std::string_view body) {
  std::size_t count = 0;
  ApiReply r = for_each_object(
      body,
      [&](object obj) {
        FieldReader in{obj, {}};
        FaultRule rule;
        rule.method = in.string("method").value_or("*");
        rule.status = static_cast<unsigned>(in.integer("status").value_or(0));
        rule.retry_after = static_cast<int>(in.integer("retry_after").value_or(1));
        rule.count = in.integer("count").value_or(1);
        rule.stall = std::chrono::milliseconds(in.integer("stall_ms").value_or(0));
        rule.description = in.string("description").value_or("");
        rule.html = in.boolean("html").value_or(false);
        if (!in.error.empty()) return admin_error(in.error);
        if (rule.status != 0 && (rule.status < 400 || rule.status > 599)) {
          return admin_error("status must be between 400 and 599");
        }
        if (rule.status == 0 && rule.stall.count() <= 0) {
          return admin_error("a fault needs a status or stall_ms");
        }
        if (rule.count < 1 || rule.retry_after < 0 || rule.stall.count() < 0) {
          return admin_error("count must be positive; retry_after and stall_ms not negative");
        }
        bot.faults.add(std::move(rule));
        return ok_reply("true");
      },
      &count);
  if (r.status != 200) return r;
  return ok_reply("{\"active\":" + std::to_string(bot.faults.active()) + "}");
}

ApiReply sent(BotState& bot, const RequestParams& query) {
  SentFilter filter;
  if (query.has("chat_id")) {
    auto id = parse_int64(query.get("chat_id"));
    if (!id) return admin_error("chat_id must be an integer");
    filter.chat_id = *id;
  }
  filter.since = query.get_int("since", 0);
  filter.method = std::string(query.get("method"));
  filter.limit = static_cast<std::size_t>(std::max<std::int64_t>(0, query.get_int("limit", 0)));
  return ok_reply(bot.sent.to_json(filter));
}

ApiReply stats(BotState& bot) {
  std::string json = "{\"next_update_id\":";
  append_int(json, bot.updates.next_id());
  append_member(json, "confirmed_offset", bot.updates.confirmed_offset());
  append_member(json, "pending", static_cast<std::int64_t>(bot.updates.pending()));
  append_member(json, "get_updates_calls", bot.counters.get_updates_calls);
  append_member(json, "sent", bot.counters.messages_sent);
  append_member(json, "edited", bot.counters.messages_edited);
  append_member(json, "deleted", bot.counters.messages_deleted);
  append_member(json, "sent_log_last_seq", bot.sent.last_seq());
  append_member(json, "webhook_url", std::string_view(bot.webhook.url));
  append_member_bool(json, "long_poll_waiting", bot.poll.has_waiter());
  append_member(json, "bot_id", bot.bot_user.id);
  append_member(json, "chats", static_cast<std::int64_t>(bot.chats.chat_count()));
  append_member(json, "users", static_cast<std::int64_t>(bot.chats.user_count()));
  append_member(json, "faults_active", static_cast<std::int64_t>(bot.faults.active()));
  append_member(json, "queue_bytes", static_cast<std::int64_t>(bot.updates.memory_bytes()));
  json += ",\"calls\":{";
  bool first = true;
  for (const auto& [method, calls] : bot.counters.calls_by_method) {
    if (!first) json += ',';
    first = false;
    append_key(json, method);
    append_int(json, calls);
  }
  json += "}}";
  return ok_reply(json);
}

}  // namespace

void reset_bot(BotState& bot) {
  const std::int64_t next_id = bot.updates.next_id();
  bot.updates = UpdateQueue(next_id);
  bot.allowed_updates = all_update_types();
  bot.allowed_updates_set = false;
  bot.chats = ChatRegistry();
  bot.webhook = WebhookState();
  bot.sent = SentLog();
  bot.faults.clear();
  bot.counters = BotCounters();
  bot.wake_pending = true;
  bot.events.clear();
  bot.record_event(ChatEventKind::reset, 0, 0);
}

ApiReply handle_admin(BotState& bot, const AdminRequest& request, const Instant& now) {
  const std::string_view e = request.endpoint;
  const bool post = request.http_method == "POST";
  if (post && e == "updates") return add_raw_updates(bot, request.body);
  if (post && e == "messages") return add_messages(bot, request.body, now);
  if (post && e == "callbacks") return add_callbacks(bot, request.body);
  if (post && e == "generate") return generate(bot, request.body, now);
  if (post && e == "faults") return add_faults(bot, request.body);
  if (post && e == "faults/clear") {
    bot.faults.clear();
    return ok_reply("{\"active\":0}");
  }
  if (post && e == "reset") {
    reset_bot(bot);
    return ok_reply("true");
  }
  if (e == "sent") return sent(bot, request.query);
  if (e == "stats") return stats(bot);
  return error_reply(404, "Not Found");
}

}  // namespace tgkeep::sandbox
