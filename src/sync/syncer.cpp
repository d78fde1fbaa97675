#include "sync/syncer.hpp"

#include <algorithm>
#include <array>
#include <csignal>
#include <iterator>

#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "outbox/entry_codec.hpp"
#include "outbox/pg_writer.hpp"
#include "pg/migrations.hpp"

namespace tgkeep::sync {

namespace asio = boost::asio;
using outbox::StreamId;
using redis::CommandBatch;
using redis::RedisStatus;
using redis::Reply;

namespace {

// Renews the lease only while it is still ours (another syncer may have taken it over).
constexpr const char* kRenewLease =
    "if redis.call('GET', KEYS[1]) == ARGV[1] then "
    "return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end";
constexpr const char* kReleaseLease =
    "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) "
    "else return 0 end";

// PostgreSQL refuses the data itself (SQLSTATE class 22 data exception, 23 integrity): writing it
// again would fail again, so the entry is set aside rather than retried.
bool refused_as_data(const pg::PgError& error) {
  return error.sqlstate.starts_with("22") || error.sqlstate.starts_with("23");
}

// A field of a stream entry, or "" when it has none.
std::string field(const Reply& fields, std::string_view name) {
  const Reply* value = redis::map_value(fields, name);
  return value ? value->text : std::string();
}

std::int64_t millis(std::chrono::milliseconds d) {
  return d.count();
}

}  // namespace

Syncer::Syncer(asio::any_io_executor ex, OutboxStream& stream, SyncerOptions options)
    : ex_(ex), stream_(stream), options_(std::move(options)), timer_(ex), renew_timer_(ex) {}

Syncer::~Syncer() = default;

void Syncer::wake() {
  woken_ = true;
  timer_.cancel();
}

void Syncer::stop() {
  stopping_ = true;
  timer_.cancel();
  renew_timer_.cancel();
}

asio::awaitable<void> Syncer::pause(std::chrono::milliseconds how_long) {
  if (stopping_ || woken_) co_return;
  boost::system::error_code ec;
  timer_.expires_after(how_long);
  co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

void Syncer::note_failure(const std::string& what) {
  const std::string source = what.substr(0, what.find(':'));
  if (failing_ != source) {
    spdlog::warn("sync: {}; the outbox keeps the entries, retrying", what);
    failing_ = source;
  }
}

void Syncer::note_working() {
  if (failing_) spdlog::info("sync: writing to PostgreSQL again");
  failing_.reset();
}

asio::awaitable<bool> Syncer::hold_lease() {
  if (counters_.leader) co_return true;
  auto taken = co_await stream_.client().command("SET", stream_.lease_key(), options_.consumer,
                                                 "NX", "PX", millis(options_.lease));
  if (!taken) {
    note_failure("Redis: " + taken.error().message);
    co_return false;
  }
  if (!taken->is_status("OK")) co_return false;
  counters_.leader = true;
  claim_cursor_ = "0-0";  // take over whatever the previous leader left unacknowledged
  spdlog::info("sync: {} leads the outbox sync", options_.consumer);
  // Keeps the lease while this syncer leads; a syncer that stops renewing loses it.
  const std::uint64_t generation = ++lease_generation_;
  asio::co_spawn(
      ex_,
      [this, generation]() -> asio::awaitable<void> {
        while (counters_.leader && !stopping_ && generation == lease_generation_) {
          boost::system::error_code ec;
          renew_timer_.expires_after(options_.lease / 3);
          co_await renew_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
          if (stopping_ || !counters_.leader || generation != lease_generation_) break;
          auto renewed =
              co_await stream_.client().command("EVAL", kRenewLease, 1, stream_.lease_key(),
                                                options_.consumer, millis(options_.lease));
          if (renewed && renewed->is_integer() && renewed->integer == 0) {
            spdlog::warn("sync: {} lost the lease; another syncer leads now", options_.consumer);
            counters_.leader = false;
            lease_lost_ = true;  // the buffer is dropped by the main loop, never mid-flush
          }
        }
      },
      asio::detached);
  co_return true;
}

asio::awaitable<void> Syncer::release_lease() {
  if (!counters_.leader) co_return;
  counters_.leader = false;
  (void)co_await stream_.client().command("EVAL", kReleaseLease, 1, stream_.lease_key(),
                                          options_.consumer);
}

asio::awaitable<RedisStatus> Syncer::read_more() {
  const std::size_t room = options_.batch > buffer_.size() ? options_.batch - buffer_.size() : 0;
  if (room == 0) co_return RedisStatus::success();
  auto read = co_await read_into(buffer_, room);
  if (!buffer_.empty() && !first_buffered_) first_buffered_ = std::chrono::steady_clock::now();
  co_return read;
}

asio::awaitable<void> Syncer::read_ahead() {
  if (stopping_) co_return;
  const RedisStatus read = co_await read_into(ahead_, options_.batch);
  if (!read.ok()) reread_pending_ = true;  // read_more reads again, from what is pending
  if (ahead_.empty()) co_return;
  next_batch_ = take_batch(ahead_);
  next_batch_->prepared = outbox::prepare_batch(next_batch_->entries);
}

asio::awaitable<RedisStatus> Syncer::read_into(std::vector<Pending>& into, std::size_t room) {
  redis::RedisResult<Reply> reply = redis::make_error(redis::ErrorCode::closed, "not read");
  const Reply* entries = nullptr;
  if (claim_cursor_) {
    reply = co_await stream_.client().command("XAUTOCLAIM", stream_.key(), kSyncGroup,
                                              options_.consumer, 0, *claim_cursor_, "COUNT", room);
    if (!reply) co_return reply.error();
    // [next cursor, [[id, fields]...], [deleted ids]]
    if (!reply->is_array() || reply->elements.size() < 2) co_return RedisStatus::success();
    const std::string next = reply->elements[0].text;
    if (next == "0-0") {
      claim_cursor_.reset();
    } else {
      claim_cursor_ = next;
    }
    entries = &reply->elements[1];
    counters_.claimed += entries->elements.size();
    woken_ = true;  // a predecessor's entries are overdue already
  } else {
    reply = co_await stream_.client().command("XREADGROUP", "GROUP", kSyncGroup, options_.consumer,
                                              "COUNT", room, "STREAMS", stream_.key(), ">");
    if (!reply) co_return reply.error();
    // nil, or [[stream, [[id, fields]...]]]
    if (!reply->is_array() || reply->elements.empty()) co_return RedisStatus::success();
    const Reply& stream = reply->elements[0];
    if (stream.elements.size() < 2) co_return RedisStatus::success();
    entries = &stream.elements[1];
  }
  for (const Reply& entry : entries->elements) {
    if (entry.elements.size() < 2) continue;
    Pending pending;
    pending.id = entry.elements[0].text;
    const Reply& fields = entry.elements[1];
    pending.kind = field(fields, "k");
    pending.value = field(fields, "v");
    pending.raw = field(fields, "r");
    if (auto id = outbox::parse_stream_id(pending.id)) {
      if (!last_delivered_ || *id > *last_delivered_) last_delivered_ = id;
    }
    decode(pending);  // here, where it overlaps a flush's wait for PostgreSQL when read ahead
    into.push_back(std::move(pending));
  }
  co_return RedisStatus::success();
}

asio::awaitable<bool> Syncer::acknowledge(const std::vector<std::string>& ids) {
  if (ids.empty()) co_return true;
  std::vector<std::string_view> argv = {"XACK", stream_.key(), kSyncGroup};
  for (const auto& id : ids) argv.push_back(id);
  auto acked = co_await stream_.client().command_argv(argv);
  if (!acked) {
    note_failure("Redis: " + acked.error().message);
    reread_pending_ = true;
    co_return false;
  }
  co_await trim();
  co_return true;
}

// Trims what every syncer has acknowledged: below the oldest pending entry, and never past what
// this syncer read (entries not yet read stay).
asio::awaitable<void> Syncer::trim() {
  if (!last_delivered_) co_return;
  auto pending = co_await stream_.client().command("XPENDING", stream_.key(), kSyncGroup);
  if (!pending || !pending->is_array() || pending->elements.size() < 2) co_return;
  StreamId threshold = last_delivered_->next();
  if (pending->elements[0].integer > 0) {
    if (auto smallest = outbox::parse_stream_id(pending->elements[1].text)) {
      threshold = std::min(threshold, *smallest);
    }
  }
  (void)co_await stream_.client().command("XTRIM", stream_.key(), "MINID", threshold.text());
}

void Syncer::decode(Pending& pending) {
  auto decoded = outbox::decode(pending.kind, pending.value, pending.raw);
  if (decoded) {
    pending.entry = std::move(decoded).value();
  } else {
    pending.malformed = decoded.error().message;
  }
}

asio::awaitable<bool> Syncer::dead_letter(const Pending& entry, const std::string& why) {
  spdlog::error("sync: outbox entry {} set aside in {}:dead: {}", entry.id, stream_.key(), why);
  auto kept =
      co_await stream_.client().command("XADD", stream_.key() + ":dead", "*", "id", entry.id, "k",
                                        entry.kind, "v", entry.value, "r", entry.raw, "error", why);
  if (!kept) co_return false;
  const std::vector<std::string> ids(1, entry.id);
  if (!co_await acknowledge(ids)) co_return false;
  ++counters_.dead_letters;
  co_return true;
}

asio::awaitable<pg::PgStatus> Syncer::ensure_postgres() {
  std::array<std::unique_ptr<pg::Connection>*, 2> connections;  // named: g++ 12 and coroutines
  connections[0] = &pg_;
  connections[1] = &pg_side_;
  for (std::unique_ptr<pg::Connection>* connection : connections) {
    if (*connection && !(*connection)->broken()) continue;
    connection->reset();  // first: a broken connection's socket number may be reused
    auto connected = co_await pg::Connection::connect(ex_, options_.postgres);
    if (!connected) {
      pg::PgStatus failed(connected.error());
      co_return failed;
    }
    *connection = std::move(connected).value();
  }
  co_return pg::PgStatus();
}

asio::awaitable<bool> Syncer::write_range(std::vector<outbox::Entry>& entries,
                                          std::vector<std::size_t>& index, std::size_t from,
                                          std::size_t to,
                                          std::shared_ptr<outbox::PreparedBatch> prepared) {
  if (from == to) co_return true;
  pg::PgStatus connected = co_await ensure_postgres();
  if (!connected) {
    note_failure("PostgreSQL: " + connected.error().message);
    co_return false;  // retried later
  }
  std::span<const outbox::Entry> part(entries.data() + from, to - from);
  auto written = co_await outbox::write_to_postgres(
      *pg_, pg_side_.get(), part, options_.statement_timeout, std::move(prepared));
  if (written) {
    if (options_.kill_after_write) std::raise(SIGKILL);
    std::vector<std::string> ids;
    for (std::size_t i = from; i < to; ++i) ids.push_back(buffer_[index[i]].id);
    if (!co_await acknowledge(ids)) co_return false;
    for (std::size_t i = from; i < to; ++i) buffer_[index[i]].id.clear();  // done
    counters_.synced += to - from;
    ++counters_.batches;
    note_working();
    co_return true;
  }
  const pg::PgError error = written.error();
  if (pg_->broken() || pg_side_->broken() || !refused_as_data(error)) {
    ++counters_.failed_writes;
    note_failure("PostgreSQL: " + error.message);
    co_return false;
  }
  if (to - from == 1) {
    const bool set_aside = co_await dead_letter(buffer_[index[from]], error.message);
    if (set_aside) buffer_[index[from]].id.clear();
    co_return set_aside;
  }
  // One entry spoils the transaction: halve until it is found.
  const std::size_t middle = from + (to - from) / 2;
  if (!co_await write_range(entries, index, from, middle)) co_return false;
  co_return co_await write_range(entries, index, middle, to);
}

Syncer::Batch Syncer::take_batch(std::vector<Pending>& pendings) {
  Batch batch;
  batch.taken_from = pendings.size();
  batch.entries.reserve(pendings.size());
  for (std::size_t i = 0; i < pendings.size(); ++i) {
    Pending& pending = pendings[i];
    if (!pending.entry && !pending.malformed) decode(pending);  // taken by an earlier batch
    if (!pending.entry) continue;
    batch.entries.push_back(std::move(*pending.entry));
    pending.entry.reset();
    batch.index.push_back(i);
  }
  return batch;
}

asio::awaitable<bool> Syncer::flush() {
  // The batch read ahead, prepared while the previous one was written, unless more joined it.
  Batch batch;
  if (next_batch_ && next_batch_->taken_from == buffer_.size()) {
    batch = std::move(*next_batch_);
  } else {
    batch = take_batch(buffer_);
  }
  next_batch_.reset();
  bool ok = true;
  for (std::size_t i = 0; i < buffer_.size() && ok; ++i) {
    if (!buffer_[i].malformed) continue;
    ok = co_await dead_letter(buffer_[i], *buffer_[i].malformed);
    if (ok) buffer_[i].id.clear();
  }
  if (ok) {
    // While PostgreSQL takes this batch, the next one comes from Redis and is prepared.
    using namespace asio::experimental::awaitable_operators;
    ok = co_await (write_range(batch.entries, batch.index, 0, batch.entries.size(),
                               std::move(batch.prepared)) &&
                   read_ahead());
  }
  // What was written (or set aside) leaves the buffer; the rest is retried, before what was read
  // ahead (stream order). Only when nothing is left is the prepared batch still the next one.
  std::erase_if(buffer_, [](const Pending& p) { return p.id.empty(); });
  if (!buffer_.empty()) next_batch_.reset();
  std::move(ahead_.begin(), ahead_.end(), std::back_inserter(buffer_));
  ahead_.clear();
  if (buffer_.empty()) {
    first_buffered_.reset();
  } else if (!first_buffered_) {
    first_buffered_ = std::chrono::steady_clock::now();
  }
  if (ok) co_await measure_backlog();
  co_return ok;
}

void Syncer::drop_buffer() {
  buffer_.clear();
  ahead_.clear();
  next_batch_.reset();
  first_buffered_.reset();
}

asio::awaitable<void> Syncer::measure_backlog() {
  auto backlog = co_await stream_.backlog();
  if (!backlog) co_return;
  counters_.backlog = backlog->entries;
  counters_.lag_ms = backlog->lag(std::chrono::system_clock::now()).count();
  if (on_progress) on_progress(counters_);
}

asio::awaitable<Status> Syncer::run() {
  bool migrated = false;
  while (!stopping_) {
    auto group = co_await stream_.ensure_group();
    if (group) break;
    note_failure("Redis: " + group.error().message);
    co_await pause(options_.retry);
  }
  while (!stopping_) {
    if (!migrated) {
      // The schema this syncer writes: migrated (or checked) once, like `tgkeep run` does.
      pg::PgStatus connected = co_await ensure_postgres();
      if (!connected) {
        // Wrong credentials or database: retrying cannot help, say so and stop. `--once` stops
        // on any failure to start: its user is waiting for an answer.
        if (connected.error().kind() == ErrorKind::fatal || options_.until_drained) {
          co_return connected.error().to_error();
        }
        note_failure("PostgreSQL: " + connected.error().message);
        co_await pause(options_.retry);
        continue;
      }
      auto schema = co_await pg::migrate(*pg_);
      if (!schema) {
        if (schema.error().kind() == ErrorKind::fatal || options_.until_drained) {
          co_return schema.error().to_error();
        }
        note_failure("PostgreSQL: " + schema.error().message);
        co_await pause(options_.retry);
        continue;
      }
      migrated = true;
    }
    if (reread_pending_ && counters_.leader) {
      reread_pending_ = false;
      drop_buffer();
      claim_cursor_ = "0-0";  // written again if they were: idempotent
    }
    if (lease_lost_) {
      lease_lost_ = false;
      drop_buffer();  // still pending under this consumer: the new leader claims them
    }
    if (!co_await hold_lease()) {
      co_await measure_backlog();
      if (options_.until_drained && counters_.backlog == 0) break;
      co_await pause(std::max(options_.idle_poll, options_.lease / 10));
      woken_ = false;
      continue;
    }
    const std::size_t before = buffer_.size();
    auto read = co_await read_more();
    if (!read) {
      reread_pending_ = true;
      note_failure("Redis: " + read.error().message);
      co_await pause(options_.retry);
      continue;
    }
    const bool got_more = buffer_.size() > before;
    const auto now = std::chrono::steady_clock::now();
    const bool full = buffer_.size() >= options_.batch;
    const bool aged = first_buffered_ && now - *first_buffered_ >= options_.interval;
    if (!buffer_.empty() && (full || aged || woken_ || options_.until_drained)) {
      woken_ = false;
      if (!co_await flush()) co_await pause(options_.retry);
      continue;
    }
    if (!got_more && buffer_.empty()) {
      if (options_.until_drained) {
        co_await trim();  // in case a trim after an acknowledgement failed
        co_await measure_backlog();
        if (counters_.backlog == 0) break;
      }
      woken_ = false;
    }
    auto wait = options_.idle_poll;
    if (first_buffered_) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          *first_buffered_ + options_.interval - now);
      wait = std::clamp(left, std::chrono::milliseconds(1), options_.idle_poll);
    }
    if (!got_more) co_await pause(wait);
  }
  if (!buffer_.empty() && counters_.leader) (void)co_await flush();  // a graceful stop
  co_await measure_backlog();  // what is left, for the last word
  co_await release_lease();
  co_return Status::success();
}

}  // namespace tgkeep::sync
