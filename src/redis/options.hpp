// Options: how to reach and log in to one Redis server, and the client's timeouts and pool size.
// A plain struct: the URL and environment parsing live in the config module.
//
// Thread-safety: a value type. `password` is a secret: it is sent in AUTH and nowhere else (no
// message, log line or describe() output contains it).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "util/backoff.hpp"

namespace tgkeep::redis {

struct Options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 6379;

  bool tls = false;           // rediss://
  std::string ca_file;        // PEM trust anchors for TLS; "" = the system CAs
  bool tls_insecure = false;  // skip certificate and host name checks (the caller warns)

  std::string username;  // ACL user; "" = AUTH with the password only (the `default` user)
  std::string password;  // "" = no AUTH
  int db = 0;            // SELECT when not 0
  std::string client_name = "tgkeep";  // CLIENT SETNAME when not ""

  std::chrono::milliseconds connect_timeout{5000};  // DNS + TCP + TLS + AUTH/SELECT, per attempt
  std::chrono::milliseconds command_timeout{500};   // default for each command or pipeline
  std::size_t pool_size = 2;                        // connections, at least 1
  BackoffPolicy reconnect{std::chrono::milliseconds(100), std::chrono::milliseconds(5000), 2.0};
  std::size_t max_reply_bytes = std::size_t{512} * 1024 * 1024 + 1024;  // one reply, buffered
};

// "Redis at host:port" or "Redis at host:port (TLS)": the server named in messages.
std::string describe_server(const Options& options);

}  // namespace tgkeep::redis
