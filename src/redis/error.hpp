// ErrorCode, RedisError: what went wrong talking to Redis, typed; and the one classifier of
// server error replies.
//
// Server replies are classified by their first word (WRONGPASS, NOAUTH, MOVED, LOADING, ...) in
// classify_error_reply(), the only function that reads error texts; transport failures are
// classified from error codes in transport_error.hpp. Each code has a kind (util/result.hpp):
// `fatal` needs an operator (credentials, permissions, an untrusted certificate, bad settings),
// `transient` may pass on retry or on another tier (network, timeouts, a loading or busy server),
// `invalid_input` is about the request itself (a wrong type, a cluster redirect, a missing script).
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "util/result.hpp"

namespace tgkeep::redis {

enum class ErrorCode {
  // Error replies.
  wrongpass,        // WRONGPASS (or "ERR invalid password" before Redis 6): bad user or password
  noauth,           // NOAUTH: the server wants a password and none was given
  noperm,           // NOPERM: the ACL user may not run this command or touch this key
  no_password_set,  // AUTH sent to a server that has no password configured
  moved,            // MOVED: Redis Cluster, the key lives on another node
  ask,              // ASK: Redis Cluster, slot migration in progress
  loading,          // LOADING: the server is loading its dataset
  readonly,         // READONLY: a write sent to a replica
  oom,              // OOM: maxmemory reached and nothing evictable
  busy,             // BUSY: a script or function is running too long
  noscript,         // NOSCRIPT: EVALSHA of a script the server does not know
  unavailable,      // MASTERDOWN, TRYAGAIN, CLUSTERDOWN: cannot serve right now
  server_error,     // any other error reply (ERR, WRONGTYPE, EXECABORT, ...)
  // Transport and client.
  timeout,             // no answer in time (connect, TLS handshake, command)
  connection_lost,     // the connection closed or broke; the command may or may not have run
  connection_refused,  // nothing listens at host:port
  dns,                 // the host name does not resolve
  tls,                 // the TLS handshake failed (not a TLS server, no common protocol, ...)
  tls_verify,          // the server's certificate is not trusted or does not match the host
  protocol,            // the server sent bytes that are not RESP, or a reply nobody asked for
  closed,              // the client was shut down
  config,              // bad client settings (an unreadable CA file, an empty host, ...)
};

// A failure: its code and a one-line message for an operator (never a password).
struct RedisError {
  ErrorCode code = ErrorCode::server_error;
  std::string message;

  ErrorKind kind() const;
  Error to_error() const { return Error{kind(), message}; }
};

inline RedisError make_error(ErrorCode code, std::string message) {
  return RedisError{code, std::move(message)};
}

// "wrongpass", "connection_lost", ...: stable names for logs and metrics.
std::string_view error_code_name(ErrorCode code);
ErrorKind error_kind(ErrorCode code);

// The code of an error reply, from its text (without the leading '-').
ErrorCode classify_error_reply(std::string_view text);

// The error for an error reply: classified, with a message that names the server (`where`, e.g.
// "Redis at cache.internal:6379"), quotes the reply and says what to check.
RedisError reply_error(std::string_view text, std::string_view where);

}  // namespace tgkeep::redis
