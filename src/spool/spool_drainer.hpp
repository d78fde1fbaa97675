// SpoolDrainer: moves the local spool into PostgreSQL while the bot keeps serving
// (docs/failover.md, "Replay").
//
// It waits until the route allows it (PostgreSQL worth trying, and the Redis outbox holding
// nothing PostgreSQL lacks: checked against Redis while the outbox may lag), then writes the
// oldest rows with the outbox's batch writer (outbox/pg_writer.hpp) in one transaction per batch
// and removes them from the spool after the commit. Idempotent: a crash between the commit and
// the removal writes the same rows again, which changes nothing. A failure marks PostgreSQL
// down (health), and the route's probes decide when to try again.
//
// The hot tier needs nothing from it: chats written while Redis was away were marked dirty by the
// hot tier and are refilled from PostgreSQL on their next read, once the spool is empty.
//
// Thread-safety: the bot's event loop thread (the route's, the outbox's).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include "pg/connection.hpp"
#include "spool/spool.hpp"
#include "sync/outbox_stream.hpp"
#include "tiers/write_route.hpp"

namespace tgkeep::spool {

struct DrainerOptions {
  pg::ConnectOptions postgres;
  std::size_t batch = 1000;
  std::chrono::milliseconds statement_timeout{30000};
  std::chrono::milliseconds idle{50};  // between looks at an empty spool or a closed route
};

class SpoolDrainer {
 public:
  // `outbox` may be null (no Redis). `redis_connected` says whether the outbox can be asked.
  SpoolDrainer(boost::asio::any_io_executor ex, Spool& spool, tiers::WriteRoute& route,
               sync::OutboxStream* outbox, std::function<bool()> redis_connected,
               DrainerOptions options);

  // Drains until stop(). Spawn once.
  boost::asio::awaitable<void> run();
  // Ends run() after the batch in flight, if any.
  void stop();

  std::uint64_t drained() const { return drained_; }

 private:
  // Clears the route's "outbox may lag" once Redis shows an empty outbox.
  boost::asio::awaitable<void> look_at_outbox();
  // One batch; false when nothing was written (the caller pauses).
  boost::asio::awaitable<bool> drain_batch();
  boost::asio::awaitable<void> pause(std::chrono::milliseconds duration);

  boost::asio::any_io_executor ex_;
  Spool& spool_;
  tiers::WriteRoute& route_;
  sync::OutboxStream* outbox_;
  std::function<bool()> redis_connected_;
  DrainerOptions options_;
  std::unique_ptr<pg::Connection> pg_;
  boost::asio::steady_timer timer_;
  bool stopping_ = false;
  bool waiting_for_outbox_logged_ = false;
  std::uint64_t drained_ = 0;
  std::uint64_t drained_this_outage_ = 0;
};

}  // namespace tgkeep::spool
