// StoreWorker: the SQLite store's own thread, its queue of operations, and group commit.
//
// The thread takes everything queued (up to max_batch operations) and runs the batch:
//  1. every write, in queue order, inside ONE transaction (BEGIN IMMEDIATE ... COMMIT), each in
//     its own savepoint: a write that fails is rolled back alone and gets its own error, the
//     others commit. If SQLite abandons the whole transaction because of one write (it does on
//     disk full, and may on I/O errors), that write gets the error and the others run again, once,
//     in a new transaction with the rest of the batch. If COMMIT fails, every write of that
//     transaction gets the error.
//  2. the completions of the writes and flushes, in queue order, after the commit: success means
//     durable (synchronous=FULL).
//  3. the reads, in queue order, outside any transaction, each completed as it finishes. A read
//     queued in the same batch as a write sees it.
// While a batch commits, new operations queue up and form the next batch, so the cost of one
// fsync is shared by every write that arrived meanwhile, with no timer and no added latency.
//
// Exceptions thrown by an operation body become that operation's error; exceptions thrown by a
// completion are logged and do not stop the thread.
//
// Thread-safety: submit() and transactions_committed() from any thread. stop() from any thread
// but the store thread (never from a completion). Holds references to the Connection and Queries,
// which must outlive it.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "sqlite/connection.hpp"
#include "sqlite/operation.hpp"
#include "sqlite/queries.hpp"
#include "util/result.hpp"

namespace spdlog {
class logger;
}

namespace tgkeep::sqlite {

class StoreWorker {
 public:
  struct Config {
    std::size_t max_batch = 1000;
    bool read_only = false;  // writes fail instead of running
    std::shared_ptr<spdlog::logger> log;
  };

  // Prepares the transaction statements and starts the thread.
  static Result<std::unique_ptr<StoreWorker>> start(Connection& db, Queries& queries,
                                                    Config config);
  ~StoreWorker();  // stop()
  StoreWorker(const StoreWorker&) = delete;
  StoreWorker& operator=(const StoreWorker&) = delete;

  // Queues an operation. Returns nullptr when queued, or the operation itself when the worker is
  // stopping or stopped: the caller must then finish() it.
  std::unique_ptr<Operation> submit(std::unique_ptr<Operation> op);

  // Refuses new operations, runs everything queued, and joins the thread. Idempotent.
  void stop();

  bool on_store_thread() const { return std::this_thread::get_id() == thread_id_; }
  std::uint64_t transactions_committed() const { return transactions_.load(); }

 private:
  using Batch = std::vector<std::unique_ptr<Operation>>;

  StoreWorker(Connection& db, Queries& queries, Config config);
  void loop();
  void run_batch(Batch& batch);
  // Runs the writes of a batch; statuses[i] is the outcome of writes[i]. Returns the status of
  // the last transaction (what a flush in this batch reports).
  Status run_writes(const std::vector<Operation*>& writes, std::vector<Status>& statuses);
  // Runs one write in its own savepoint, rolled back alone if it fails.
  Status run_in_savepoint(Operation& op);
  Status run_body(Operation& op);
  void finish(Operation& op, Status status);

  Connection& db_;
  Queries& queries_;
  Config config_;
  Statement begin_;
  Statement commit_;
  Statement rollback_;
  Statement savepoint_;
  Statement release_;
  Statement rollback_to_;

  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<std::unique_ptr<Operation>> queue_;  // guarded by mu_
  bool stopping_ = false;                         // guarded by mu_
  std::mutex stop_mu_;                            // serialises stop()
  std::atomic<std::uint64_t> transactions_{0};
  std::thread thread_;
  std::thread::id thread_id_;
};

}  // namespace tgkeep::sqlite
