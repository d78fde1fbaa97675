// Syncer: drains the outbox (outbox_stream.hpp) into PostgreSQL (docs/outbox.md).
//
// Several syncers may run at once (one inside each `tgkeep run`, any number of `tgkeep sync`):
// they are consumers of one group, and a lease in Redis lets one of them, the leader, work at a
// time, so entries reach PostgreSQL in stream order (a /reset never overtakes the messages it
// forgets). The others wait and take over when the leader's lease expires (it died, or lost
// Redis); a new leader first claims what its predecessor read but never acknowledged
// (XAUTOCLAIM), then reads on.
//
// A batch is written in one PostgreSQL transaction (outbox/pg_writer.hpp), and acknowledged and
// trimmed only after the commit: a syncer killed in between leaves its entries pending, the next
// leader writes them again, and the idempotency keys make the second write change nothing.
// A batch is flushed when full or `interval` after its first entry arrived, or at once when
// woken (a reader waiting for the sync). PostgreSQL or Redis failing: the batch is kept and
// retried; an entry PostgreSQL refuses as data (SQLSTATE class 22/23) or that does not decode is
// moved to the dead-letter stream ({outbox}:dead) with its error, so one bad entry never stops
// the sync.
//
// At start, PostgreSQL refusing the credentials or the database ends run() with that error
// (waiting cannot fix it); with until_drained, so does any failure to reach it at start.
//
// Thread-safety: the executor it was created on; wake() and stop() too (post to it).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include "outbox/entry.hpp"
#include "outbox/pg_writer.hpp"
#include "pg/connection.hpp"
#include "sync/outbox_stream.hpp"
#include "util/result.hpp"

namespace tgkeep::sync {

struct SyncerOptions {
  std::string consumer;  // this syncer's name in the group: unique (host and pid)
  std::size_t batch = 1000;
  std::chrono::milliseconds interval{1000};  // TGKEEP_SYNC_INTERVAL
  std::chrono::milliseconds lease{5000};
  std::chrono::milliseconds idle_poll{50};  // between reads of an empty stream
  std::chrono::milliseconds retry{1000};    // after a failed write
  pg::ConnectOptions postgres;
  std::chrono::milliseconds statement_timeout{30000};
  bool until_drained = false;  // `tgkeep sync --once`: stop once the backlog is empty
  // Tests only (TGKEEP_TEST_KILL_SYNCER_AFTER_WRITE): SIGKILL itself after the first PostgreSQL
  // commit, before acknowledging it.
  bool kill_after_write = false;
};

struct SyncCounters {
  std::uint64_t synced = 0;   // entries written and acknowledged
  std::uint64_t batches = 0;  // PostgreSQL transactions
  std::uint64_t failed_writes = 0;
  std::uint64_t dead_letters = 0;
  std::uint64_t claimed = 0;  // entries taken over from a previous leader
  std::uint64_t backlog = 0;  // entries waiting, as last measured
  std::int64_t lag_ms = 0;    // how long the oldest waiting entry has waited, as last measured
  bool leader = false;
};

class Syncer {
 public:
  Syncer(boost::asio::any_io_executor ex, OutboxStream& stream, SyncerOptions options);
  ~Syncer();

  // Runs until stop(), or with until_drained once the backlog is empty. Fails only for what
  // retrying cannot fix (an incompatible schema).
  boost::asio::awaitable<Status> run();
  void wake();
  void stop();

  const SyncCounters& counters() const { return counters_; }
  // Called after each batch and each backlog measurement (progress of `sync --once`).
  std::function<void(const SyncCounters&)> on_progress;

 private:
  struct Pending {
    std::string id;
    std::string kind, value, raw;          // as read, for the dead letters
    std::optional<outbox::Entry> entry;    // decoded, until a flush takes it
    std::optional<std::string> malformed;  // why it could not be decoded
  };
  static void decode(Pending& pending);
  // Forgets every entry read and not yet written (they stay pending in Redis); between flushes.
  void drop_buffer();
  // A flush's entries, decoded and taken out of their Pending, and where they were.
  struct Batch {
    std::vector<outbox::Entry> entries;
    std::vector<std::size_t> index;                   // entries[i] is pendings[index[i]]
    std::size_t taken_from = 0;                       // pendings.size(), malformed ones included
    std::shared_ptr<outbox::PreparedBatch> prepared;  // made ahead, or null
  };
  static Batch take_batch(std::vector<Pending>& pendings);

  boost::asio::awaitable<bool> hold_lease();
  boost::asio::awaitable<void> release_lease();
  // Reads more entries into buffer_: claimed ones first after becoming leader, then new ones.
  boost::asio::awaitable<redis::RedisStatus> read_more();
  // Reads the next batch into ahead_, while a flush waits for PostgreSQL.
  boost::asio::awaitable<void> read_ahead();
  boost::asio::awaitable<redis::RedisStatus> read_into(std::vector<Pending>& into,
                                                       std::size_t room);
  boost::asio::awaitable<bool> flush();
  // Opens the PostgreSQL connection when there is none (or it broke).
  boost::asio::awaitable<pg::PgStatus> ensure_postgres();
  // Writes buffer_[from, to) (decoded: `entries`) and acknowledges it; false: retry later.
  boost::asio::awaitable<bool> write_range(
      std::vector<outbox::Entry>& entries, std::vector<std::size_t>& index, std::size_t from,
      std::size_t to, std::shared_ptr<outbox::PreparedBatch> prepared = nullptr);
  boost::asio::awaitable<bool> acknowledge(const std::vector<std::string>& ids);
  boost::asio::awaitable<void> trim();
  boost::asio::awaitable<bool> dead_letter(const Pending& entry, const std::string& why);
  boost::asio::awaitable<void> measure_backlog();
  boost::asio::awaitable<void> pause(std::chrono::milliseconds how_long);
  void note_failure(const std::string& what);
  void note_working();

  boost::asio::any_io_executor ex_;
  OutboxStream& stream_;
  SyncerOptions options_;
  SyncCounters counters_;
  std::unique_ptr<pg::Connection> pg_;
  std::unique_ptr<pg::Connection> pg_side_;  // a batch's raw updates, beside pg_ (pg_writer.hpp)
  std::vector<Pending> buffer_;
  std::vector<Pending> ahead_;  // read during a flush, joins buffer_ after it
  // ahead_'s entries, prepared during that flush; the next flush's batch if buffer_ is still
  // exactly what ahead_ was.
  std::optional<Batch> next_batch_;
  std::optional<std::chrono::steady_clock::time_point> first_buffered_;
  std::optional<outbox::StreamId> last_delivered_;
  std::optional<std::string> claim_cursor_;  // set while taking over pending entries
  std::chrono::steady_clock::time_point lease_renewed_{};
  boost::asio::steady_timer timer_;
  boost::asio::steady_timer renew_timer_;  // the lease renewal's tick
  std::uint64_t lease_generation_ = 0;     // one renewal loop per lease taken
  bool woken_ = false;
  bool lease_lost_ = false;  // set by the renewal loop; the main loop drops the buffer
  // A read or an acknowledgement failed (a timeout may still have run on the server, delivering
  // entries whose reply never came): the main loop drops the buffer and re-reads everything
  // pending under this consumer (XAUTOCLAIM from 0), so nothing stays delivered but unwritten.
  bool reread_pending_ = false;
  bool stopping_ = false;
  std::optional<std::string> failing_;  // what fails, while it does (one log line per change)
};

}  // namespace tgkeep::sync
