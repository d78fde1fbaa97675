// SqliteStore: storage::Store on an embedded SQLite database (data_dir/tgkeep.db).
//
// The system of record when nothing else is configured, and the local spool otherwise. One
// connection, used only by the store's own thread (StoreWorker): operations are queued, writes
// that queue up together commit in one transaction (group commit), completions run on the store
// thread after the commit. WAL journal with synchronous=FULL: a write reported successful
// survives a crash or a power loss. Schema and choices: docs/storage-sqlite.md.
//
// Thread-safety: every method may be called from any thread. Completions run on the store
// thread and must not call close() or destroy the store; they may queue more operations.
// Calls made after close() complete with an error ("the SQLite store is closed") on a short-lived
// thread of their own, keeping the promise that a completion never runs inside the call.
//
// Ownership: open() returns the only owner. The destructor calls close().
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "sqlite/sqlite_options.hpp"
#include "storage/store.hpp"
#include "util/result.hpp"

namespace tgkeep::sqlite {

class Connection;
class Operation;
class Queries;
class StoreWorker;

class SqliteStore final : public storage::Store {
 public:
  using Options = SqliteOptions;
  static constexpr const char* kFileName = "tgkeep.db";

  // Opens (creating and migrating unless read_only) the database. Errors are one line for an
  // operator: which path, what is wrong, what to do.
  static Result<std::unique_ptr<SqliteStore>> open(const Options& options);

  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  void commit_updates(std::vector<storage::UpdateRecord> updates,
                      storage::Completion<storage::CommitSummary> done) override;
  void mark_handled(std::vector<std::int64_t> update_ids, storage::StatusCompletion done) override;
  void unhandled_updates(std::size_t limit,
                         storage::Completion<std::vector<storage::UpdateRecord>> done) override;
  void last_update_id(storage::Completion<std::optional<std::int64_t>> done) override;
  void record_reply(storage::MessageRecord reply,
                    storage::Completion<storage::ReplyState> done) override;
  void settle_reply(std::string reply_key, storage::ReplyStatus status,
                    std::optional<std::int64_t> message_id, std::int64_t date,
                    storage::StatusCompletion done) override;
  void recent_messages(std::int64_t chat_id, std::size_t limit,
                       storage::Completion<std::vector<storage::MessageRecord>> done) override;
  void forget_chat(std::int64_t chat_id, storage::StatusCompletion done) override;
  void edit_message(std::int64_t chat_id, std::int64_t message_id, storage::Role role,
                    std::string text, std::int64_t edit_date,
                    storage::StatusCompletion done) override;
  void export_messages(storage::ExportFilter filter,
                       std::function<void(const storage::MessageRecord&)> row,
                       storage::StatusCompletion done) override;
  void find_user(std::int64_t user_id,
                 storage::Completion<std::optional<storage::UserRecord>> done) override;
  void record_usage(storage::UsageEvent event, storage::StatusCompletion done) override;
  void count_usage(std::int64_t user_id, std::int64_t from, std::int64_t to,
                   storage::Completion<std::int64_t> done) override;
  void set_user_tariff(std::int64_t user_id, std::string tariff,
                       storage::Completion<bool> done) override;
  void lexicon_texts(storage::Completion<std::vector<storage::LexiconText>> done) override;
  void set_lexicon_text(storage::LexiconText entry, storage::StatusCompletion done) override;
  void flush(storage::StatusCompletion done) override;
  // Runs everything queued, commits, stops the thread and closes the file. Idempotent.
  void close() override;

  // The schema version of the open database (PRAGMA user_version).
  int schema_version() const { return schema_version_; }
  // Transactions committed so far: with group commit, far fewer than writes (a metric).
  std::uint64_t transactions_committed() const;
  // The database file.
  const std::filesystem::path& path() const { return path_; }

 private:
  explicit SqliteStore(Options options);
  Status start();
  void submit(std::unique_ptr<Operation> op);
  template <class T, class Body>
  void submit_value(bool write, Body body, storage::Completion<T> done);
  template <class Body>
  void submit_status(bool write, Body body, storage::StatusCompletion done);

  Options options_;
  std::filesystem::path path_;
  int schema_version_ = 0;
  std::mutex close_mu_;
  std::unique_ptr<Connection> db_;
  std::unique_ptr<Queries> queries_;
  std::unique_ptr<StoreWorker> worker_;  // kept after close(): it refuses late calls
};

}  // namespace tgkeep::sqlite
