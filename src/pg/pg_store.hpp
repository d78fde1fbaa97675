// PgStore: storage::Store on PostgreSQL, for when Redis is absent and PostgreSQL is the system of
// record: records go straight to PostgreSQL in batched transactions (group commit).
//
// The store owns a thread running an Asio event loop and two connections on it:
// - the writer: one coroutine takes every write queued so far (up to kMaxBatch operations) and
//   sends all their statements as one pipeline, which PostgreSQL runs as one implicit
//   transaction: the group commit. The completions of the batch follow its commit. When a batch
//   fails on a live connection (one bad operation aborts the transaction), its operations are
//   retried one by one, so only the bad one fails. A broken connection is reopened before the
//   next batch; the batch that met it fails (its operations are idempotent: callers may retry).
// - the reader: another coroutine runs reads one at a time, concurrently with the writes.
// open() connects and migrates the schema (pg/migrations.hpp), blocking the caller.
//
// Differences from the SQLite store: raw_updates.json is jsonb, so unhandled_updates() returns
// the JSON normalized by PostgreSQL (same content, not the same bytes); the escape \u0000, which
// jsonb refuses, is stored as \ufffd; an empty raw_json is stored as NULL; a NUL byte in any text
// (which PostgreSQL's text cannot hold) is stored as U+FFFD.
//
// Thread-safety: every method (storage/store.hpp). Completions run on the store's thread; after
// close(), calls complete with an error on a short-lived thread of their own. close() joins the
// store's thread: never call it from a completion.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "pg/connection.hpp"
#include "pg/sqlstate.hpp"
#include "storage/store.hpp"

namespace tgkeep::pg {

class PgStore final : public storage::Store {
 public:
  struct Options {
    std::string conninfo;  // secret: a URL or key=value string
    std::string where;     // "PostgreSQL at host:port (user u, database d)", for messages
    std::chrono::milliseconds connect_timeout{5000};
    std::chrono::milliseconds statement_timeout{30000};  // per round trip (a batch, a page)
    // Unix seconds (received_at, lexicon updated_at); called on callers' threads. Default
    // unix_now.
    std::function<std::int64_t()> clock;
  };
  static constexpr std::size_t kMaxBatch = 1000;  // operations per group commit

  // Connects (writer and reader), migrates the schema, starts the thread.
  static Result<std::unique_ptr<PgStore>, PgError> open(Options options);
  ~PgStore() override;
  PgStore(const PgStore&) = delete;
  PgStore& operator=(const PgStore&) = delete;

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
  void edit_message(std::int64_t chat_id, std::int64_t message_id, storage::Role role,
                    std::string text, std::int64_t edit_date,
                    storage::StatusCompletion done) override;
  void recent_messages(std::int64_t chat_id, std::size_t limit,
                       storage::Completion<std::vector<storage::MessageRecord>> done) override;
  void forget_chat(std::int64_t chat_id, storage::StatusCompletion done) override;
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
  void close() override;

  // Transactions (pipelines) the writer committed: fewer than the writes when they were grouped.
  std::uint64_t transactions_committed() const { return transactions_.load(); }

  // A write: its statements, and what to do with their results (or with the batch's error).
  // `finish` is called exactly once, on the store's thread.
  struct WriteOp {
    std::vector<Statement> statements;
    std::function<void(const PgError* error, std::span<const Rows> rows)> finish;
  };
  // A read: a statement, and what to do with its rows: returns the next statement to run (paging)
  // or nullopt when done (it has then called its completion).
  struct ReadOp {
    Statement statement;
    std::function<std::optional<Statement>(const PgResult<Rows>& rows)> step;
  };

 private:
  explicit PgStore(Options options);
  boost::asio::awaitable<PgStatus> start();
  boost::asio::awaitable<PgStatus> ensure(std::unique_ptr<Connection>& connection);
  boost::asio::awaitable<void> writer_loop();
  boost::asio::awaitable<void> reader_loop();
  boost::asio::awaitable<void> run_batch(std::vector<WriteOp>& batch);
  void submit_write(WriteOp op);
  void submit_read(ReadOp op);
  void refuse(std::function<void(const PgError&)> fail);
  void stop_thread();

  Options options_;
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  boost::asio::steady_timer writer_wake_;
  boost::asio::steady_timer reader_wake_;
  std::unique_ptr<Connection> writer_;  // the store's thread only
  std::unique_ptr<Connection> reader_;
  std::mutex mu_;  // guards the queues and closed_
  std::deque<WriteOp> writes_;
  std::deque<ReadOp> reads_;
  bool closed_ = false;
  std::mutex close_mu_;
  std::thread thread_;
  std::atomic<std::uint64_t> transactions_{0};
};

}  // namespace tgkeep::pg
