// Client: a small pool of pipelined connections (Connection) to one Redis server, with
// reconnection in the background.
//
// - Routing: each command or pipeline goes to the open connection with the fewest commands in
//   flight (ties go round-robin); a pipeline stays on one connection, in one write, in order.
// - Reconnect: every pool slot has a loop that reopens its connection after it is lost, with
//   exponential backoff and equal jitter (Options::reconnect, util/backoff.hpp), for as long as
//   the client runs. Commands in flight on a lost connection fail with connection_lost (they may
//   or may not have run).
// - No connection open: commands FAIL FAST with the last connection error (its code: dns,
//   connection_refused, wrongpass, ...) instead of waiting for a reconnect. The hot tier above has
//   other tiers to fall back to, and waiting up to command_timeout on every write during an
//   outage would stall the bot; a reconnect happens in the background regardless.
// - Frozen server: when a command times out and its connection received nothing meanwhile (the
//   stall rule, connection.hpp), every connection of the pool is closed: one timeout, not one per
//   connection, before commands fail fast.
// - Connection state (SELECT, AUTH, CLIENT SETNAME, SUBSCRIBE) is set through Options: sent as a
//   command it would change one connection of the pool only. MULTI/EXEC belong in one pipeline.
// - Logging: once per change of state (all connections lost -> warn; back -> info), never once per
//   attempt; a password the server does not need is warned about once.
//
// Thread-safety: use from the executor it was created with, one thread (like net::HttpClient).
// Ownership: owns its connections; shutdown() (also run by the destructor) closes them, fails
// commands in flight with ErrorCode::closed and stops reconnecting. Background coroutines share
// the client's state, so they may finish after the Client object is gone.
#pragma once

#include <chrono>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "redis/command.hpp"
#include "redis/options.hpp"
#include "redis/redis_result.hpp"
#include "redis/reply.hpp"

namespace tgkeep::redis {

class Client {
 public:
  // Checks the options and loads TLS trust anchors (ErrorCode::config); does not connect.
  [[nodiscard]] static RedisResult<std::unique_ptr<Client>> create(boost::asio::any_io_executor ex,
                                                                   Options options);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Opens the first connection and returns its outcome (wrongpass, tls_verify, timeout, ...); the
  // other connections open in the background. Whatever the outcome, the pool keeps (re)connecting
  // until shutdown(). Call once.
  boost::asio::awaitable<RedisStatus> connect();

  // One command, e.g. command("SET", key, value) or command("EXPIRE", key, 60), within
  // Options::command_timeout. An error reply is a failure, classified (error.hpp).
  template <class... Args>
  boost::asio::awaitable<RedisResult<Reply>> command(const Args&... args) {
    return send_one(command_bytes(args...), options().command_timeout);
  }
  template <class... Args>
  boost::asio::awaitable<RedisResult<Reply>> command_within(std::chrono::milliseconds timeout,
                                                            const Args&... args) {
    return send_one(command_bytes(args...), timeout);
  }
  boost::asio::awaitable<RedisResult<Reply>> command_argv(std::span<const std::string_view> args);

  // The batch in one write on one connection; its replies in order, error replies included as
  // values (see error_of). Fails as a whole only when the transport fails or the deadline
  // (Options::command_timeout unless given) passes.
  boost::asio::awaitable<RedisResult<std::vector<Reply>>> pipeline(CommandBatch batch);
  boost::asio::awaitable<RedisResult<std::vector<Reply>>> pipeline(
      CommandBatch batch, std::chrono::milliseconds timeout);

  // The classified error for an error reply out of a pipeline.
  RedisError error_of(const Reply& error_reply) const;

  void shutdown();

  std::size_t connections_up() const;
  bool connected() const { return connections_up() > 0; }
  // A connection sent a password that the server does not need (see handshake.hpp).
  bool password_not_required() const;
  const Options& options() const;

 private:
  struct Impl;
  explicit Client(std::shared_ptr<Impl> impl);
  boost::asio::awaitable<RedisResult<Reply>> send_one(std::string command,
                                                      std::chrono::milliseconds timeout);
  std::shared_ptr<Impl> impl_;
};

}  // namespace tgkeep::redis
