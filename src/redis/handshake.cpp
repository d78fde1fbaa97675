#include "redis/handshake.hpp"

#include <fmt/format.h>

#include "util/secret.hpp"

namespace tgkeep::redis {
namespace {

std::string user_of(const Options& options) {
  return options.username.empty() ? std::string("default") : options.username;
}

// An AUTH reply quoted in a message, with the password masked should a server ever echo it.
std::string masked(const Options& options, std::string_view text) {
  if (options.password.empty()) return std::string(text);
  return mask_secrets_in(text, {options.password});
}

}  // namespace

HandshakePlan plan_handshake(const Options& options) {
  HandshakePlan plan;
  if (!options.password.empty()) {
    if (options.username.empty()) {
      plan.batch.add("AUTH", options.password);
    } else {
      plan.batch.add("AUTH", options.username, options.password);
    }
    plan.steps.push_back(HandshakeStep::auth);
  }
  if (options.db != 0) {
    plan.batch.add("SELECT", options.db);
    plan.steps.push_back(HandshakeStep::select);
  }
  if (!options.client_name.empty()) {
    plan.batch.add("CLIENT", "SETNAME", options.client_name);
    plan.steps.push_back(HandshakeStep::set_name);
  }
  plan.batch.add("PING");
  plan.steps.push_back(HandshakeStep::ping);
  return plan;
}

RedisResult<HandshakeOutcome> check_handshake(const Options& options, const HandshakePlan& plan,
                                              const std::vector<Reply>& replies) {
  const std::string where = describe_server(options);
  if (replies.size() != plan.steps.size()) {
    return make_error(ErrorCode::protocol,
                      fmt::format("{} answered {} replies to {} handshake commands", where,
                                  replies.size(), plan.steps.size()));
  }
  HandshakeOutcome outcome;
  for (std::size_t i = 0; i < replies.size(); ++i) {
    const Reply& reply = replies[i];
    if (!reply.is_error()) continue;
    const ErrorCode code = classify_error_reply(reply.text);
    switch (plan.steps[i]) {
      case HandshakeStep::auth:
        if (code == ErrorCode::no_password_set && options.username.empty()) {
          outcome.password_not_required = true;
          break;
        }
        if (code == ErrorCode::wrongpass) {
          return make_error(code,
                            fmt::format("{} rejected the password for user '{}' ({}): "
                                        "check the Redis password and user name",
                                        where, user_of(options), masked(options, reply.text)));
        }
        return make_error(code, fmt::format("{} refused AUTH as user '{}': {}", where,
                                            user_of(options), masked(options, reply.text)));
      case HandshakeStep::select:
        if (code == ErrorCode::noauth) return reply_error(reply.text, where);
        return make_error(code,
                          fmt::format("{} refused SELECT {} ({}): the server has fewer databases, "
                                      "or allows only db 0 (Redis Cluster, some managed Redis)",
                                      where, options.db, reply.text));
      case HandshakeStep::set_name:
        if (code == ErrorCode::noauth) return reply_error(reply.text, where);
        outcome.client_name_refused = true;
        break;
      case HandshakeStep::ping:
        return reply_error(reply.text, where);
    }
  }
  return outcome;
}

}  // namespace tgkeep::redis
