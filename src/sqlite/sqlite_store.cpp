#include "sqlite/sqlite_store.hpp"

#include <spdlog/spdlog.h>

#include <exception>
#include <thread>
#include <utility>

#include "sqlite/connection.hpp"
#include "sqlite/open_database.hpp"
#include "sqlite/operation.hpp"
#include "sqlite/queries.hpp"
#include "sqlite/store_worker.hpp"
#include "util/unix_time.hpp"

namespace tgkeep::sqlite {

using storage::CommitSummary;
using storage::Completion;
using storage::ExportFilter;
using storage::MessageRecord;
using storage::ReplyState;
using storage::ReplyStatus;
using storage::StatusCompletion;
using storage::UpdateRecord;
using storage::UserRecord;

namespace {

Operation::Kind kind_of(bool write) {
  return write ? Operation::Kind::write : Operation::Kind::read;
}

}  // namespace

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const Options& options) {
  std::unique_ptr<SqliteStore> store(new SqliteStore(options));
  auto opened = open_database(store->options_, kFileName);
  if (!opened) return opened.error();
  store->schema_version_ = opened->schema_version;
  store->db_ = std::make_unique<Connection>(std::move(opened->db));
  if (Status s = store->start(); !s) return s.error();
  return store;
}

SqliteStore::SqliteStore(Options options)
    : options_(std::move(options)), path_(options_.data_dir / kFileName) {
  if (!options_.clock) options_.clock = unix_now;
  if (!options_.log) options_.log = spdlog::default_logger();
}

Status SqliteStore::start() {
  auto queries = Queries::prepare(*db_, options_.clock);
  if (!queries) return queries.error();
  queries_ = std::make_unique<Queries>(std::move(queries).value());
  auto worker =
      StoreWorker::start(*db_, *queries_, {options_.max_batch, options_.read_only, options_.log});
  if (!worker) return worker.error();
  worker_ = std::move(worker).value();
  return {};
}

SqliteStore::~SqliteStore() {
  close();
}

void SqliteStore::close() {
  std::lock_guard lock(close_mu_);
  if (worker_) worker_->stop();
  // The thread is gone: nothing else uses the statements or the connection.
  queries_.reset();
  db_.reset();
}

std::uint64_t SqliteStore::transactions_committed() const {
  return worker_ ? worker_->transactions_committed() : 0;
}

void SqliteStore::submit(std::unique_ptr<Operation> op) {
  std::unique_ptr<Operation> refused = worker_->submit(std::move(op));
  if (!refused) return;
  // Closed. The completion must not run inside this call (the caller may hold a lock it takes).
  std::thread([op = std::move(refused), log = options_.log] {
    try {
      op->finish(Error::fatal("the SQLite store is closed"));
    } catch (const std::exception& e) {
      log->error("a SQLite store completion threw: {}", e.what());
    }
  }).detach();
}

template <class T, class Body>
void SqliteStore::submit_value(bool write, Body body, Completion<T> done) {
  submit(
      std::make_unique<ValueOperation<T, Body>>(kind_of(write), std::move(body), std::move(done)));
}

template <class Body>
void SqliteStore::submit_status(bool write, Body body, StatusCompletion done) {
  submit(std::make_unique<StatusOperation<Body>>(kind_of(write), std::move(body), std::move(done)));
}

void SqliteStore::commit_updates(std::vector<UpdateRecord> updates,
                                 Completion<CommitSummary> done) {
  submit_value<CommitSummary>(
      true,
      [updates = std::move(updates)](Queries& q) -> Result<CommitSummary> {
        CommitSummary summary;
        for (const UpdateRecord& u : updates) {
          if (Status s = q.commit_update(u, summary); !s) return s.error();
        }
        return summary;
      },
      std::move(done));
}

void SqliteStore::mark_handled(std::vector<std::int64_t> update_ids, StatusCompletion done) {
  submit_status(
      true,
      [ids = std::move(update_ids)](Queries& q) -> Status {
        for (std::int64_t id : ids) {
          if (Status s = q.mark_handled(id); !s) return s;
        }
        return {};
      },
      std::move(done));
}

void SqliteStore::unhandled_updates(std::size_t limit, Completion<std::vector<UpdateRecord>> done) {
  submit_value<std::vector<UpdateRecord>>(
      false, [limit](Queries& q) { return q.unhandled_updates(limit); }, std::move(done));
}

void SqliteStore::last_update_id(Completion<std::optional<std::int64_t>> done) {
  submit_value<std::optional<std::int64_t>>(
      false, [](Queries& q) { return q.last_update_id(); }, std::move(done));
}

void SqliteStore::record_reply(MessageRecord reply, Completion<ReplyState> done) {
  submit_value<ReplyState>(
      true, [reply = std::move(reply)](Queries& q) { return q.record_reply(reply); },
      std::move(done));
}

void SqliteStore::settle_reply(std::string reply_key, ReplyStatus status,
                               std::optional<std::int64_t> message_id, std::int64_t date,
                               StatusCompletion done) {
  submit_status(
      true,
      [key = std::move(reply_key), status, message_id, date](Queries& q) {
        return q.settle_reply(key, status, message_id, date);
      },
      std::move(done));
}

void SqliteStore::recent_messages(std::int64_t chat_id, std::size_t limit,
                                  Completion<std::vector<MessageRecord>> done) {
  submit_value<std::vector<MessageRecord>>(
      false, [chat_id, limit](Queries& q) { return q.recent_messages(chat_id, limit); },
      std::move(done));
}

void SqliteStore::forget_chat(std::int64_t chat_id, StatusCompletion done) {
  submit_status(
      true, [chat_id](Queries& q) { return q.forget_chat(chat_id); }, std::move(done));
}

void SqliteStore::edit_message(std::int64_t chat_id, std::int64_t message_id, storage::Role role,
                               std::string text, std::int64_t edit_date, StatusCompletion done) {
  submit_status(
      true,
      [=, text = std::move(text)](Queries& q) {
        return q.edit_message(chat_id, message_id, role, text, edit_date);
      },
      std::move(done));
}

void SqliteStore::export_messages(ExportFilter filter,
                                  std::function<void(const MessageRecord&)> row,
                                  StatusCompletion done) {
  submit_status(
      false, [filter, row = std::move(row)](Queries& q) { return q.export_messages(filter, row); },
      std::move(done));
}

void SqliteStore::find_user(std::int64_t user_id, Completion<std::optional<UserRecord>> done) {
  submit_value<std::optional<UserRecord>>(
      false, [user_id](Queries& q) { return q.find_user(user_id); }, std::move(done));
}

void SqliteStore::record_usage(storage::UsageEvent event, StatusCompletion done) {
  submit_status(
      true, [event = std::move(event)](Queries& q) { return q.record_usage(event); },
      std::move(done));
}

void SqliteStore::count_usage(std::int64_t user_id, std::int64_t from, std::int64_t to,
                              Completion<std::int64_t> done) {
  submit_value<std::int64_t>(
      false, [=](Queries& q) { return q.count_usage(user_id, from, to); }, std::move(done));
}

void SqliteStore::set_user_tariff(std::int64_t user_id, std::string tariff,
                                  Completion<bool> done) {
  submit_value<bool>(
      true,
      [user_id, tariff = std::move(tariff)](Queries& q) {
        return q.set_user_tariff(user_id, tariff);
      },
      std::move(done));
}

void SqliteStore::lexicon_texts(Completion<std::vector<storage::LexiconText>> done) {
  submit_value<std::vector<storage::LexiconText>>(
      false, [](Queries& q) { return q.lexicon_texts(); }, std::move(done));
}

void SqliteStore::set_lexicon_text(storage::LexiconText entry, StatusCompletion done) {
  submit_status(
      true, [entry = std::move(entry)](Queries& q) { return q.set_lexicon_text(entry); },
      std::move(done));
}

void SqliteStore::flush(StatusCompletion done) {
  submit(std::make_unique<StatusOperation<Status (*)(Queries&)>>(
      Operation::Kind::barrier, [](Queries&) { return Status(); }, std::move(done)));
}

}  // namespace tgkeep::sqlite
