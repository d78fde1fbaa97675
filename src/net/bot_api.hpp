// BotApi: one Bot API method call, its outcome classified so callers decide what to do
// (see bot/api_caller.hpp for the retry policy built on top).
//
// The token appears only in request paths, never in errors or logs produced here.
// Thread-safety: as HttpClient (one event loop thread).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "net/http_client.hpp"

namespace tgkeep::net {

enum class ApiOutcome {
  ok,
  unauthorized,   // 401: the token was rejected
  conflict,       // 409: a webhook is set, or another instance polls
  rate_limited,   // 429: wait retry_after
  server_error,   // 5xx
  network_error,  // no reply: connection, DNS, timeout
  rejected,       // other 4xx: this request will never succeed (chat not found, bad text)
  bad_reply,      // a reply that is not the Bot API's JSON envelope
  fatal,          // cannot work at all (TLS verification failed)
};

std::string_view outcome_name(ApiOutcome outcome);

struct ApiReply {
  ApiOutcome outcome = ApiOutcome::network_error;
  int error_code = 0;  // Bot API error_code, or the HTTP status
  std::string description;
  std::optional<int> retry_after;  // seconds, with rate_limited
  // With ok: the whole reply body (the caller parses `result`; one pass for getUpdates).
  std::string body;

  bool ok() const { return outcome == ApiOutcome::ok; }
};

class BotApi {
 public:
  BotApi(HttpClient& http, std::string token);

  boost::asio::awaitable<ApiReply> call(std::string_view method, std::string json_body,
                                        std::chrono::milliseconds timeout);

 private:
  HttpClient& http_;
  std::string token_;
};

}  // namespace tgkeep::net
