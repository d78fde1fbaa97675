#include "sqlite/store_worker.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

namespace tgkeep::sqlite {

Result<std::unique_ptr<StoreWorker>> StoreWorker::start(Connection& db, Queries& queries,
                                                        Config config) {
  std::unique_ptr<StoreWorker> w(new StoreWorker(db, queries, std::move(config)));
  const std::pair<Statement*, const char*> statements[] = {
      {&w->begin_, "BEGIN IMMEDIATE"}, {&w->commit_, "COMMIT"},
      {&w->rollback_, "ROLLBACK"},     {&w->savepoint_, "SAVEPOINT op"},
      {&w->release_, "RELEASE op"},    {&w->rollback_to_, "ROLLBACK TO op"},
  };
  for (const auto& [stmt, sql] : statements) {
    auto prepared = db.prepare(sql);
    if (!prepared) return prepared.error();
    *stmt = std::move(prepared).value();
  }
  w->thread_ = std::thread([raw = w.get()] { raw->loop(); });
  w->thread_id_ = w->thread_.get_id();
  return w;
}

StoreWorker::StoreWorker(Connection& db, Queries& queries, Config config)
    : db_(db), queries_(queries), config_(std::move(config)) {
  config_.max_batch = std::max<std::size_t>(config_.max_batch, 1);
  if (!config_.log) config_.log = spdlog::default_logger();
}

StoreWorker::~StoreWorker() {
  stop();
}

std::unique_ptr<Operation> StoreWorker::submit(std::unique_ptr<Operation> op) {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return op;
    queue_.push_back(std::move(op));
  }
  wake_.notify_one();
  return nullptr;
}

void StoreWorker::stop() {
  if (on_store_thread()) {
    throw std::logic_error("SqliteStore::close() called from a store completion");
  }
  std::lock_guard stop_lock(stop_mu_);
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void StoreWorker::loop() {
  Batch batch;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything queued has run
      const std::size_t n = std::min(queue_.size(), config_.max_batch);
      batch.reserve(n);
      for (std::size_t i = 0; i < n; ++i) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    run_batch(batch);
    batch.clear();
  }
}

void StoreWorker::run_batch(Batch& batch) {
  std::vector<Operation*> writes;
  std::vector<Operation*> reads;
  for (auto& op : batch) {
    (op->kind() == Operation::Kind::read ? reads : writes).push_back(op.get());
  }

  std::vector<Status> statuses(writes.size());
  const Status batch_status = run_writes(writes, statuses);
  for (std::size_t i = 0; i < writes.size(); ++i) {
    const bool barrier = writes[i]->kind() == Operation::Kind::barrier;
    finish(*writes[i], barrier ? batch_status : std::move(statuses[i]));
  }
  for (Operation* op : reads) finish(*op, run_body(*op));
}

Status StoreWorker::run_writes(const std::vector<Operation*>& writes,
                               std::vector<Status>& statuses) {
  std::vector<std::size_t> pending;  // indexes into writes, in queue order
  for (std::size_t i = 0; i < writes.size(); ++i) {
    if (writes[i]->kind() == Operation::Kind::write) pending.push_back(i);
  }
  if (config_.read_only) {
    for (std::size_t k : pending) {
      statuses[k] = Error::fatal(
          "the SQLite store is open read-only (tgkeep export/history); writes are refused");
    }
    return {};
  }

  Status last_txn;
  std::vector<bool> retried(writes.size(), false);
  while (!pending.empty()) {
    if (Status s = db_.run(begin_, "starting a transaction"); !s) {
      for (std::size_t k : pending) statuses[k] = s;
      return s;
    }
    std::vector<std::size_t> succeeded;  // in this transaction, so far
    std::optional<Error> lost;           // SQLite rolled the whole transaction back
    std::size_t pos = 0;
    for (; pos < pending.size() && !lost; ++pos) {
      const std::size_t k = pending[pos];
      statuses[k] = run_in_savepoint(*writes[k]);
      if (statuses[k]) {
        succeeded.push_back(k);
      } else if (!db_.in_transaction()) {
        lost = statuses[k].error();
      }
    }

    std::vector<std::size_t> next;
    if (lost) {
      // The writes that had succeeded went down with the transaction through no fault of their
      // own: they run once more, with the rest, in the next one.
      for (std::size_t k : succeeded) {
        if (retried[k]) {
          statuses[k] = *lost;
        } else {
          retried[k] = true;
          next.push_back(k);
        }
      }
      last_txn = *lost;
    } else {
      last_txn = db_.run(commit_, "committing");
      if (last_txn) {
        transactions_.fetch_add(1);
      } else {
        if (db_.in_transaction()) (void)db_.run(rollback_, "rolling back");
        for (std::size_t k : succeeded) statuses[k] = last_txn;
      }
    }
    next.insert(next.end(), pending.begin() + static_cast<std::ptrdiff_t>(pos), pending.end());
    pending = std::move(next);
  }
  return last_txn;
}

Status StoreWorker::run_in_savepoint(Operation& op) {
  if (Status s = db_.run(savepoint_, "starting a savepoint"); !s) return s;
  Status s = run_body(op);
  if (s) s = db_.run(release_, "releasing a savepoint");
  if (!s && db_.in_transaction()) {
    (void)db_.run(rollback_to_, "rolling back a savepoint");
    (void)db_.run(release_, "releasing a savepoint");
  }
  return s;
}

Status StoreWorker::run_body(Operation& op) {
  try {
    return op.run(queries_);
  } catch (const std::exception& e) {
    return Error::fatal(std::string("SQLite store operation failed: ") + e.what());
  }
}

void StoreWorker::finish(Operation& op, Status status) {
  try {
    op.finish(std::move(status));
  } catch (const std::exception& e) {
    config_.log->error("a SQLite store completion threw: {}", e.what());
  } catch (...) {
    config_.log->error("a SQLite store completion threw a non-standard exception");
  }
}

}  // namespace tgkeep::sqlite
