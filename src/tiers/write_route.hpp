// WriteRoute: where the next record goes (DESIGN.md, "Write path and the acknowledgement rule";
// docs/failover.md). A record is acknowledged once the first tier that takes it has it durably.
//
// The chain starts at the acknowledgement point (TGKEEP_ACK) and continues downward:
//   redis     Redis outbox -> PostgreSQL directly -> local spool
//   postgres  PostgreSQL directly -> local spool
//   local     local spool -> PostgreSQL directly
// and past its end nothing is acknowledged (intake holds the offset; Telegram keeps the updates).
// A tier is skipped while its dependency is down (health/dependency.hpp), except for one probe
// now and then.
//
// Order: records of one chat depend on each other (a reply's settlement on its recording, a
// handled mark on its update, what /reset forgets on what came before), and PostgreSQL applies
// them in the order it receives them. Two queues feed it, the outbox and the spool, so:
// - while the spool holds records, new ones go to the spool too (behind them), never to the
//   outbox or straight to PostgreSQL;
// - straight to PostgreSQL only while the outbox holds nothing PostgreSQL lacks;
// - the spool drains only then as well.
// So a Redis outage during outbox traffic spools, and the spool drains once Redis is back and its
// outbox synced (or came back empty).
//
// Thread-safety: the event loop thread only.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "health/health.hpp"

namespace tgkeep::tiers {

enum class AckPoint { redis, postgres, local };

enum class Tier { outbox, store, spool };

// The tiers to try for one write, in order: at most three, kept inline (a plan is made per write).
class TierPlan {
 public:
  void push_back(Tier tier) { tiers_[size_++] = tier; }
  const Tier* begin() const { return tiers_.data(); }
  const Tier* end() const { return tiers_.data() + size_; }
  bool empty() const { return size_ == 0; }
  bool operator==(const std::vector<Tier>& other) const {
    return std::equal(begin(), end(), other.begin(), other.end());
  }

 private:
  std::array<Tier, 3> tiers_{};
  std::size_t size_ = 0;
};

class WriteRoute {
 public:
  // has_outbox: records may go through Redis's outbox (Redis and PostgreSQL configured).
  // has_spool: a spool exists (PostgreSQL is the system of record). Without one, the store is
  // the embedded SQLite database and the chain is that store alone.
  WriteRoute(AckPoint ack, bool has_outbox, bool has_spool, health::Health& health);

  // The tiers worth trying now, in order. `redis_connected`: the Redis client has a connection.
  TierPlan plan(bool redis_connected, std::uint64_t spool_rows,
                health::Clock::time_point now = health::Clock::now()) const;

  // The outbox may hold entries PostgreSQL lacks: set by every outbox write (and at start),
  // cleared once the outbox was seen empty.
  void wrote_to_outbox() { outbox_may_lag_ = true; }
  void outbox_seen_empty() { outbox_may_lag_ = false; }
  bool outbox_may_lag() const { return has_outbox_ && outbox_may_lag_; }
  // Whether asking Redis for the outbox's backlog can open something: the spool waits behind the
  // outbox, or PostgreSQL directly does (not acknowledging at the outbox). Acknowledging at the
  // outbox with an empty spool, the answer would be stale at the next write: not worth a call.
  bool outbox_worth_checking(std::uint64_t spool_rows) const {
    return outbox_may_lag() && (spool_rows > 0 || ack_ != AckPoint::redis);
  }

  // Whether the spool may drain into PostgreSQL now.
  bool spool_may_drain(std::uint64_t spool_rows,
                       health::Clock::time_point now = health::Clock::now()) const;

  bool has_spool() const { return has_spool_; }
  health::Health& health() { return health_; }

 private:
  AckPoint ack_;
  bool has_outbox_;
  bool has_spool_;
  bool outbox_may_lag_ = true;  // unknown at start
  health::Health& health_;
};

}  // namespace tgkeep::tiers
