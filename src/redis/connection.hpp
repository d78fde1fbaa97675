// Connection: one session with a Redis server over TCP or TLS, pipelined: any number of commands
// in flight, their replies matched to them in order.
//
// open() connects (Stream), starts one reader and one writer coroutine, then runs the handshake
// (handshake.hpp) as a pipeline, all within Options::connect_timeout. exchange() appends formatted
// commands to the write queue and a pending completion to a FIFO; the writer sends everything
// queued in one write; the reader feeds a RespReader and completes the FIFO's head as replies
// arrive. A batch of N commands is one FIFO entry, one write and one timer.
//
// Deadlines: every exchange has one. A command that misses it fails with ErrorCode::timeout
// (it may still run on the server); its entry stays in the FIFO so later replies still match,
// and its late replies are dropped. Stall rule: if nothing at all was received since that command
// was sent, the server or the route to it is stuck (a frozen process, a dropped NAT entry): the
// connection is closed, failing everything else in flight with connection_lost, so the pool
// reconnects instead of queueing behind a dead socket.
//
// A connection that breaks (EOF, reset, a protocol error) fails every command in flight with the
// reason (connection_lost or protocol) and never reopens: the pool (Client) replaces it.
//
// Thread-safety: use from the executor it was opened on, one thread. Ownership: shared; the
// reader and writer coroutines and every waiting exchange hold a reference until it closes.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include "redis/handshake.hpp"
#include "redis/options.hpp"
#include "redis/redis_result.hpp"
#include "redis/reply.hpp"
#include "redis/resp_reader.hpp"
#include "redis/stream.hpp"
#include "redis/transport_error.hpp"

namespace tgkeep::redis {

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  // `tls` is required when options.tls. Fails with the transport's or the handshake's error.
  static boost::asio::awaitable<RedisResult<std::shared_ptr<Connection>>> open(
      boost::asio::any_io_executor ex, Options options,
      std::shared_ptr<boost::asio::ssl::context> tls);

  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Sends `count` commands formatted back to back (command.hpp) and returns their `count`
  // replies, error replies included, or the failure that prevented them.
  boost::asio::awaitable<RedisResult<std::vector<Reply>>> exchange(
      std::string commands, std::size_t count, std::chrono::milliseconds timeout);

  // Closes the connection; commands in flight fail with ErrorCode::closed.
  void close();
  // Closes it because the server seems lost; commands in flight fail with `why`.
  void abandon(RedisError why) { close_with(std::move(why)); }

  // Resumes once the connection has closed, with the reason.
  boost::asio::awaitable<RedisError> wait_closed();

  bool is_open() const { return !closed_; }
  // Commands sent (or queued) and not yet answered.
  std::size_t in_flight() const { return in_flight_; }
  const HandshakeOutcome& handshake() const { return handshake_; }

 private:
  using Clock = std::chrono::steady_clock;
  struct Pending {
    std::size_t expected = 0;
    std::size_t received = 0;
    std::vector<Reply> replies;
    Clock::time_point sent_at;
    boost::asio::steady_timer* waiter = nullptr;  // the waiting exchange's timer, if it waits
    std::optional<RedisError> failure;
    bool done = false;
    bool abandoned = false;  // timed out: replies are counted, not kept
  };

  Connection(boost::asio::any_io_executor ex, const Options& options,
             std::shared_ptr<boost::asio::ssl::context> tls, std::unique_ptr<Stream> stream);
  void start();
  // `self` keeps the connection alive while the loop runs.
  boost::asio::awaitable<void> read_loop(std::shared_ptr<Connection> self);
  boost::asio::awaitable<void> write_loop(std::shared_ptr<Connection> self);
  bool drain_replies();
  bool deliver(Reply reply);
  void close_with(RedisError why);
  RedisError error_when_closed() const;

  boost::asio::any_io_executor ex_;
  std::string where_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  std::unique_ptr<Stream> stream_;
  RespReader reader_;
  std::string outbox_;   // formatted commands not yet handed to the writer
  std::string writing_;  // the bytes of the write in progress
  std::deque<std::shared_ptr<Pending>> pending_;
  std::size_t in_flight_ = 0;
  boost::asio::steady_timer writer_wake_;
  boost::asio::steady_timer closed_signal_;
  bool writer_idle_ = false;
  bool closed_ = false;
  std::optional<RedisError> close_reason_;
  Clock::time_point last_read_;
  TransportPhase phase_ = TransportPhase::handshake;
  HandshakeOutcome handshake_;
};

}  // namespace tgkeep::redis
