#include "redis/error.hpp"

#include <fmt/format.h>

namespace tgkeep::redis {
namespace {

// Texts of AUTH sent to a server without a password: Redis 6+ and Redis up to 5.
constexpr std::string_view kNoPasswordSet6 = "ERR AUTH <password> called without any password";
constexpr std::string_view kNoPasswordSet5 = "ERR Client sent AUTH, but no password is set";
// The wrong-password reply of Redis up to 5 (6+ answers WRONGPASS).
constexpr std::string_view kInvalidPassword5 = "ERR invalid password";

std::string_view first_word(std::string_view text) {
  return text.substr(0, text.find(' '));
}

}  // namespace

ErrorKind RedisError::kind() const {
  return error_kind(code);
}

std::string_view error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::wrongpass:
      return "wrongpass";
    case ErrorCode::noauth:
      return "noauth";
    case ErrorCode::noperm:
      return "noperm";
    case ErrorCode::no_password_set:
      return "no_password_set";
    case ErrorCode::moved:
      return "moved";
    case ErrorCode::ask:
      return "ask";
    case ErrorCode::loading:
      return "loading";
    case ErrorCode::readonly:
      return "readonly";
    case ErrorCode::oom:
      return "oom";
    case ErrorCode::busy:
      return "busy";
    case ErrorCode::noscript:
      return "noscript";
    case ErrorCode::unavailable:
      return "unavailable";
    case ErrorCode::server_error:
      return "server_error";
    case ErrorCode::timeout:
      return "timeout";
    case ErrorCode::connection_lost:
      return "connection_lost";
    case ErrorCode::connection_refused:
      return "connection_refused";
    case ErrorCode::dns:
      return "dns";
    case ErrorCode::tls:
      return "tls";
    case ErrorCode::tls_verify:
      return "tls_verify";
    case ErrorCode::protocol:
      return "protocol";
    case ErrorCode::closed:
      return "closed";
    case ErrorCode::config:
      return "config";
  }
  return "unknown";
}

ErrorKind error_kind(ErrorCode code) {
  switch (code) {
    case ErrorCode::wrongpass:
    case ErrorCode::noauth:
    case ErrorCode::noperm:
    case ErrorCode::tls_verify:
    case ErrorCode::config:
      return ErrorKind::fatal;
    case ErrorCode::no_password_set:
    case ErrorCode::moved:
    case ErrorCode::ask:
    case ErrorCode::noscript:
    case ErrorCode::server_error:
      return ErrorKind::invalid_input;
    case ErrorCode::loading:
    case ErrorCode::readonly:
    case ErrorCode::oom:
    case ErrorCode::busy:
    case ErrorCode::unavailable:
    case ErrorCode::timeout:
    case ErrorCode::connection_lost:
    case ErrorCode::connection_refused:
    case ErrorCode::dns:
    case ErrorCode::tls:
    case ErrorCode::protocol:
    case ErrorCode::closed:
      return ErrorKind::transient;
  }
  return ErrorKind::transient;
}

ErrorCode classify_error_reply(std::string_view text) {
  const std::string_view word = first_word(text);
  if (word == "WRONGPASS") return ErrorCode::wrongpass;
  if (word == "NOAUTH") return ErrorCode::noauth;
  if (word == "NOPERM") return ErrorCode::noperm;
  if (word == "MOVED") return ErrorCode::moved;
  if (word == "ASK") return ErrorCode::ask;
  if (word == "LOADING") return ErrorCode::loading;
  if (word == "READONLY") return ErrorCode::readonly;
  if (word == "OOM") return ErrorCode::oom;
  if (word == "BUSY") return ErrorCode::busy;
  if (word == "NOSCRIPT") return ErrorCode::noscript;
  if (word == "MASTERDOWN" || word == "TRYAGAIN" || word == "CLUSTERDOWN") {
    return ErrorCode::unavailable;
  }
  if (text.starts_with(kNoPasswordSet6) || text.starts_with(kNoPasswordSet5)) {
    return ErrorCode::no_password_set;
  }
  if (text == kInvalidPassword5) return ErrorCode::wrongpass;
  return ErrorCode::server_error;
}

RedisError reply_error(std::string_view text, std::string_view where) {
  const ErrorCode code = classify_error_reply(text);
  std::string message;
  switch (code) {
    case ErrorCode::wrongpass:
      message = fmt::format(
          "{} rejected the user name or password ({}): check the Redis password, and the user "
          "name if one is set",
          where, text);
      break;
    case ErrorCode::noauth:
      message = fmt::format(
          "{} requires a password ({}): none was configured; add it to the Redis URL "
          "(redis://default:PASSWORD@host:port) or set the Redis password",
          where, text);
      break;
    case ErrorCode::noperm:
      message = fmt::format(
          "{}: the Redis user lacks a permission ({}); grant it with ACL SETUSER or use "
          "another user",
          where, text);
      break;
    case ErrorCode::no_password_set:
      message =
          fmt::format("{} has no password configured, but a password was given ({})", where, text);
      break;
    case ErrorCode::moved:
    case ErrorCode::ask:
      message = fmt::format(
          "{} is a Redis Cluster node and redirected the request ({}); the client talks to "
          "one node: use the cluster's proxy endpoint or a non-cluster Redis",
          where, text);
      break;
    case ErrorCode::loading:
      message = fmt::format("{} is loading its dataset into memory ({})", where, text);
      break;
    case ErrorCode::readonly:
      message = fmt::format(
          "{} is a read-only replica ({}): point the Redis URL at the primary (or a failover "
          "is in progress)",
          where, text);
      break;
    case ErrorCode::oom:
      message = fmt::format(
          "{} is out of memory ({}): raise maxmemory or set an eviction "
          "policy",
          where, text);
      break;
    case ErrorCode::busy:
      message = fmt::format("{} is busy running a script ({})", where, text);
      break;
    default:
      message = fmt::format("{} answered an error: {}", where, text);
      break;
  }
  RedisError error;
  error.code = code;
  error.message = std::move(message);
  return error;
}

}  // namespace tgkeep::redis
