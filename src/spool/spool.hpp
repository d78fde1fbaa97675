// Spool: the local SQLite queue of records bound for PostgreSQL, for when neither Redis's outbox
// nor PostgreSQL itself can take them (docs/failover.md). A record is acknowledged to Telegram
// once its append committed (synchronous=FULL, so it survives a crash and a power loss).
//
// Rows are outbox entries as the Redis outbox carries them (outbox/entry_codec.hpp), in order,
// numbered by an AUTOINCREMENT seq that is never reused; the drainer (spool_drainer.hpp) writes
// the oldest to PostgreSQL with the outbox's batch writer, idempotently, then removes them.
//
// Group commit: a thread of its own takes every append queued meanwhile into one transaction. If
// that transaction fails (disk full: `max_page_count` caps the file, or the disk really is full),
// each append is tried again alone, so one oversized batch does not fail the others.
//
// Thread-safety: every method from any thread; completions run on the spool's thread (await them
// with storage/store_awaitable.hpp). rows() is exact for what committed.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <vector>

#include "outbox/entry_codec.hpp"
#include "storage/store.hpp"
#include "util/result.hpp"

namespace tgkeep::spool {

struct Options {
  std::filesystem::path data_dir;
  std::int64_t max_bytes = 0;  // 0: as large as the disk allows
};

struct Row {
  std::int64_t seq = 0;  // set by the spool
  std::optional<std::int64_t> chat_id;
  outbox::EncodedEntry entry;
};

class Spool {
 public:
  static constexpr const char* kFileName = "spool.db";

  static Result<std::unique_ptr<Spool>> open(const Options& options);
  ~Spool();
  Spool(const Spool&) = delete;
  Spool& operator=(const Spool&) = delete;

  // Appends rows, in order, durably; all or none.
  void append(std::vector<Row> rows, storage::StatusCompletion done);
  // The oldest `limit` rows.
  void oldest(std::size_t limit, storage::Completion<std::vector<Row>> done);
  // Every row of a chat, oldest first (a chat's history while PostgreSQL lacks it).
  void of_chat(std::int64_t chat_id, storage::Completion<std::vector<Row>> done);
  // Removes the rows up to and including `seq` (written to PostgreSQL).
  void remove_through(std::int64_t seq, storage::StatusCompletion done);

  std::uint64_t rows() const { return rows_.load(); }
  const std::filesystem::path& file() const;
  // Runs what is queued, then stops the thread. Calls after it fail.
  void close();

 private:
  struct Impl;
  explicit Spool(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  std::atomic<std::uint64_t> rows_{0};
};

}  // namespace tgkeep::spool
