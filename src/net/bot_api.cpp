#include "net/bot_api.hpp"

#include <fmt/format.h>

#include "telegram/update_parser.hpp"

namespace tgkeep::net {

std::string_view outcome_name(ApiOutcome outcome) {
  switch (outcome) {
    case ApiOutcome::ok:
      return "ok";
    case ApiOutcome::unauthorized:
      return "unauthorized";
    case ApiOutcome::conflict:
      return "conflict";
    case ApiOutcome::rate_limited:
      return "rate_limited";
    case ApiOutcome::server_error:
      return "server_error";
    case ApiOutcome::network_error:
      return "network_error";
    case ApiOutcome::rejected:
      return "rejected";
    case ApiOutcome::bad_reply:
      return "bad_reply";
    case ApiOutcome::fatal:
      return "fatal";
  }
  return "unknown";
}

BotApi::BotApi(HttpClient& http, std::string token) : http_(http), token_(std::move(token)) {}

boost::asio::awaitable<ApiReply> BotApi::call(std::string_view method, std::string json_body,
                                              std::chrono::milliseconds timeout) {
  ApiReply reply;
  auto response = co_await http_.post(fmt::format("/bot{}/{}", token_, method),
                                      std::move(json_body), "application/json", timeout);
  if (!response) {
    reply.outcome =
        response.error().kind == ErrorKind::fatal ? ApiOutcome::fatal : ApiOutcome::network_error;
    reply.description = response.error().message;
    co_return reply;
  }
  const unsigned status = response->status;
  reply.error_code = static_cast<int>(status);
  if (status == 200) {
    reply.outcome = ApiOutcome::ok;
    reply.body = std::move(response->body);
    co_return reply;
  }
  // An error: the envelope says why. A proxy's HTML error page is not an envelope.
  telegram::UpdateParser parser;
  auto envelope = parser.parse_envelope(response->body);
  if (envelope && !envelope->ok) {
    reply.error_code = envelope->error_code != 0 ? envelope->error_code : reply.error_code;
    reply.description = envelope->description;
    reply.retry_after = envelope->retry_after;
  } else {
    reply.description = fmt::format("HTTP {} without a Bot API reply", status);
  }
  const int code = reply.error_code;
  if (code == 401 || (code == 404 && method == "getMe")) {
    reply.outcome = ApiOutcome::unauthorized;  // an unknown token is a 404 on some servers
  } else if (code == 409) {
    reply.outcome = ApiOutcome::conflict;
  } else if (code == 429) {
    reply.outcome = ApiOutcome::rate_limited;
    if (!reply.retry_after) reply.retry_after = 1;
  } else if (code >= 500) {
    reply.outcome = ApiOutcome::server_error;
  } else if (envelope && !envelope->ok) {
    reply.outcome = ApiOutcome::rejected;
  } else {
    reply.outcome = ApiOutcome::bad_reply;
  }
  co_return reply;
}

}  // namespace tgkeep::net
