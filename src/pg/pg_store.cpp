#include "pg/pg_store.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <exception>
#include <future>
#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "pg/migrations.hpp"
#include "pg/store_sql.hpp"
#include "util/unix_time.hpp"

namespace tgkeep::pg {
namespace {

using namespace sql;  // NOLINT: the statements of this store

namespace asio = boost::asio;
using storage::CommitSummary;
using storage::Completion;
using storage::ExportFilter;
using storage::MessageRecord;
using storage::ReplyState;
using storage::ReplyStatus;
using storage::Role;
using storage::StatusCompletion;
using storage::UpdateRecord;
using storage::UserRecord;

template <class F>
void guarded(F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    spdlog::error("a PostgreSQL store completion threw: {}", e.what());
  } catch (...) {
    spdlog::error("a PostgreSQL store completion threw");
  }
}

}  // namespace

// --- lifetime ---------------------------------------------------------------------------------

PgStore::PgStore(Options options)
    : options_(std::move(options)),
      work_(io_.get_executor()),
      writer_wake_(io_),
      reader_wake_(io_) {
  if (!options_.clock) options_.clock = unix_now;
}

Result<std::unique_ptr<PgStore>, PgError> PgStore::open(Options options) {
  std::unique_ptr<PgStore> store(new PgStore(std::move(options)));
  PgStore* s = store.get();
  s->thread_ = std::thread([s] { s->io_.run(); });
  std::promise<PgStatus> started;
  auto future = started.get_future();
  asio::co_spawn(
      s->io_,
      [](PgStore* self, std::promise<PgStatus>* out) -> asio::awaitable<void> {
        PgStatus status = co_await self->start();
        if (status) {
          asio::co_spawn(self->io_, self->writer_loop(), asio::detached);
          asio::co_spawn(self->io_, self->reader_loop(), asio::detached);
        }
        out->set_value(std::move(status));
      }(s, &started),
      asio::detached);
  PgStatus status = future.get();
  if (!status) {
    s->stop_thread();
    return status.error();
  }
  return store;
}

asio::awaitable<PgStatus> PgStore::start() {
  PgStatus w = co_await ensure(writer_);
  if (!w) co_return w;
  auto migrated = co_await migrate(*writer_);
  if (!migrated) {
    PgStatus failed(migrated.error());
    co_return failed;
  }
  PgStatus r = co_await ensure(reader_);
  co_return r;
}

asio::awaitable<PgStatus> PgStore::ensure(std::unique_ptr<Connection>& connection) {
  if (connection && !connection->broken()) co_return PgStatus();
  connection.reset();
  ConnectOptions options;
  options.conninfo = options_.conninfo;
  options.where = options_.where;
  options.connect_timeout = options_.connect_timeout;
  auto connected = co_await Connection::connect(io_.get_executor(), std::move(options));
  if (!connected) {
    PgStatus failed(connected.error());
    co_return failed;
  }
  connection = std::move(connected).value();
  co_return PgStatus();
}

PgStore::~PgStore() {
  close();
}

void PgStore::close() {
  std::lock_guard close_lock(close_mu_);
  stop_thread();
}

void PgStore::stop_thread() {
  {
    std::lock_guard lock(mu_);
    closed_ = true;
  }
  asio::post(io_, [this] {
    writer_wake_.cancel();
    reader_wake_.cancel();
  });
  work_.reset();
  if (thread_.joinable()) thread_.join();
}

void PgStore::refuse(std::function<void(const PgError&)> fail) {
  // The completion must not run inside the call (the caller may hold a lock it takes).
  std::thread([fail = std::move(fail)] {
    const PgError closed = make_error(PgErrorCode::other, "the PostgreSQL store is closed");
    guarded([&] { fail(closed); });
  }).detach();
}

void PgStore::submit_write(WriteOp op) {
  {
    std::lock_guard lock(mu_);
    if (!closed_) {
      writes_.push_back(std::move(op));
      asio::post(io_, [this] { writer_wake_.cancel(); });
      return;
    }
  }
  refuse([finish = std::move(op.finish)](const PgError& e) { finish(&e, {}); });
}

void PgStore::submit_read(ReadOp op) {
  {
    std::lock_guard lock(mu_);
    if (!closed_) {
      reads_.push_back(std::move(op));
      asio::post(io_, [this] { reader_wake_.cancel(); });
      return;
    }
  }
  refuse([step = std::move(op.step)](const PgError& e) {
    PgResult<Rows> failed(e);
    (void)step(failed);
  });
}

// --- the loops --------------------------------------------------------------------------------

asio::awaitable<void> PgStore::writer_loop() {
  for (;;) {
    std::vector<WriteOp> batch;
    bool closing = false;
    {
      std::lock_guard lock(mu_);
      while (!writes_.empty() && batch.size() < kMaxBatch) {
        batch.push_back(std::move(writes_.front()));
        writes_.pop_front();
      }
      closing = closed_;
    }
    if (batch.empty()) {
      if (closing) break;
      boost::system::error_code ec;
      writer_wake_.expires_at(asio::steady_timer::time_point::max());
      co_await writer_wake_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    co_await run_batch(batch);
  }
  writer_.reset();
}

asio::awaitable<void> PgStore::run_batch(std::vector<WriteOp>& batch) {
  std::vector<Statement> all;
  for (const WriteOp& op : batch) {
    for (const Statement& s : op.statements) all.push_back(s);
  }
  if (all.empty()) {  // flushes only: everything before them is committed
    for (WriteOp& op : batch) guarded([&] { op.finish(nullptr, {}); });
    co_return;
  }
  PgStatus ready = co_await ensure(writer_);
  if (!ready) {
    for (WriteOp& op : batch) guarded([&] { op.finish(&ready.error(), {}); });
    co_return;
  }
  auto committed = co_await writer_->pipeline(std::move(all), options_.statement_timeout);
  if (committed) {
    ++transactions_;
    std::span<const Rows> rows(*committed);
    std::size_t offset = 0;
    for (WriteOp& op : batch) {
      const std::size_t n = op.statements.size();
      guarded([&] { op.finish(nullptr, rows.subspan(offset, n)); });
      offset += n;
    }
    co_return;
  }
  if (batch.size() == 1 || writer_->broken()) {
    const PgError error = committed.error();
    for (WriteOp& op : batch) guarded([&] { op.finish(&error, {}); });
    co_return;
  }
  // One operation aborted the transaction: run them one by one, so that only it fails.
  for (WriteOp& op : batch) {
    if (op.statements.empty()) {
      guarded([&] { op.finish(nullptr, {}); });
      continue;
    }
    PgStatus alive = co_await ensure(writer_);
    if (!alive) {
      guarded([&] { op.finish(&alive.error(), {}); });
      continue;
    }
    auto alone = co_await writer_->pipeline(op.statements, options_.statement_timeout);
    if (alone) {
      ++transactions_;
      std::span<const Rows> rows(*alone);
      guarded([&] { op.finish(nullptr, rows); });
    } else {
      const PgError error = alone.error();
      guarded([&] { op.finish(&error, {}); });
    }
  }
}

asio::awaitable<void> PgStore::reader_loop() {
  for (;;) {
    std::optional<ReadOp> op;
    bool closing = false;
    {
      std::lock_guard lock(mu_);
      if (!reads_.empty()) {
        op.emplace(std::move(reads_.front()));
        reads_.pop_front();
      }
      closing = closed_;
    }
    if (!op) {
      if (closing) break;
      boost::system::error_code ec;
      reader_wake_.expires_at(asio::steady_timer::time_point::max());
      co_await reader_wake_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    std::optional<Statement> next(std::move(op->statement));
    while (next) {
      PgStatus ready = co_await ensure(reader_);
      std::optional<PgResult<Rows>> result;
      if (ready) {
        auto rows = co_await reader_->query(std::move(*next), options_.statement_timeout);
        result.emplace(std::move(rows));
      } else {
        result.emplace(ready.error());
      }
      next.reset();
      try {
        next = op->step(*result);
      } catch (const std::exception& e) {
        spdlog::error("a PostgreSQL store completion threw: {}", e.what());
      }
    }
  }
  reader_.reset();
}

// --- writes -----------------------------------------------------------------------------------

void PgStore::commit_updates(std::vector<UpdateRecord> updates, Completion<CommitSummary> done) {
  WriteOp op;
  const std::int64_t now = options_.clock();
  for (const UpdateRecord& u : updates) op.statements.push_back(commit_statement(u, now));
  op.finish = [done = std::move(done)](const PgError* error, std::span<const Rows> rows) {
    if (error) return done(error->to_error());
    CommitSummary summary;
    for (const Rows& r : rows) {
      const bool stored = !r.rows.empty() && !r.rows[0].empty() && r.rows[0][0] == "1";
      ++(stored ? summary.stored : summary.duplicates);
    }
    done(summary);
  };
  submit_write(std::move(op));
}

namespace {

std::function<void(const PgError*, std::span<const Rows>)> status_finish(StatusCompletion done) {
  return [done = std::move(done)](const PgError* error, std::span<const Rows>) {
    if (error) return done(error->to_error());
    done(Status());
  };
}

}  // namespace

void PgStore::mark_handled(std::vector<std::int64_t> update_ids, StatusCompletion done) {
  WriteOp op;
  if (!update_ids.empty()) {
    op.statements.push_back(
        plain("UPDATE raw_updates SET handled = true WHERE update_id = ANY($1::int8[])",
              {int_array(update_ids)}));
  }
  op.finish = status_finish(std::move(done));
  submit_write(std::move(op));
}

void PgStore::record_reply(MessageRecord reply, Completion<ReplyState> done) {
  WriteOp op;
  if (reply.reply_key.empty()) {
    op.finish = [done = std::move(done)](const PgError*, std::span<const Rows>) {
      done(Error::invalid("record_reply: the reply has no reply_key"));
    };
    submit_write(std::move(op));
    return;
  }
  MessageRecord pending = std::move(reply);
  pending.role = Role::assistant;
  pending.status = ReplyStatus::pending;
  Builder insert;
  insert.statement.sql = fmt::format(
      "INSERT INTO messages ({}) VALUES ({}) ON CONFLICT (reply_key) WHERE reply_key IS NOT NULL "
      "DO NOTHING RETURNING id",
      kMessageColumns, message_values(insert, pending, pending.update_id));
  op.statements.push_back(std::move(insert.statement));
  op.statements.push_back(
      plain("SELECT status, message_id FROM messages WHERE reply_key = $1", {pending.reply_key}));
  op.finish = [done = std::move(done)](const PgError* error, std::span<const Rows> rows) {
    if (error) return done(error->to_error());
    ReplyState state;
    if (rows[0].rows.empty() && !rows[1].rows.empty()) {
      state.existed = true;
      state.status = storage::parse_reply_status(rows[1].rows[0][0].value_or(""));
      state.message_id = as_opt_int(rows[1].rows[0][1]);
    }
    done(state);
  };
  submit_write(std::move(op));
}

void PgStore::settle_reply(std::string reply_key, ReplyStatus status,
                           std::optional<std::int64_t> message_id, std::int64_t date,
                           StatusCompletion done) {
  WriteOp op;
  op.statements.push_back(
      plain("UPDATE messages SET status = $2, message_id = coalesce($3::int8, message_id), "
            "date = $4::int8 WHERE reply_key = $1",
            {reply_key, text(storage::reply_status_name(status)), num(message_id), num(date)}));
  op.finish = [done = std::move(done), key = std::move(reply_key)](const PgError* error,
                                                                   std::span<const Rows> rows) {
    if (error) return done(error->to_error());
    if (rows[0].affected == 0) {
      return done(Error::invalid(fmt::format("settle_reply: no reply recorded with key {}", key)));
    }
    done(Status());
  };
  submit_write(std::move(op));
}

void PgStore::edit_message(std::int64_t chat_id, std::int64_t message_id, Role role,
                           std::string new_text, std::int64_t edit_date, StatusCompletion done) {
  WriteOp op;
  op.statements.push_back(
      plain("UPDATE messages SET text = $4, edited = true, edit_date = $5::int8 "
            "WHERE message_id = $2::int8 AND chat_id = $1::int8 AND role = $3",
            {num(chat_id), num(message_id), text(storage::role_name(role)), std::move(new_text),
             num(edit_date)}));
  op.finish = status_finish(std::move(done));
  submit_write(std::move(op));
}

void PgStore::forget_chat(std::int64_t chat_id, StatusCompletion done) {
  WriteOp op;
  op.statements.push_back(plain("DELETE FROM messages WHERE chat_id = $1::int8", {num(chat_id)}));
  op.statements.push_back(
      plain("UPDATE raw_updates SET json = NULL WHERE chat_id = $1::int8 AND json IS NOT NULL",
            {num(chat_id)}));
  op.finish = status_finish(std::move(done));
  submit_write(std::move(op));
}

void PgStore::record_usage(storage::UsageEvent event, StatusCompletion done) {
  WriteOp op;
  op.statements.push_back(
      plain("INSERT INTO usage_events (user_id, update_id, at, tariff) "
            "VALUES ($1::int8, $2::int8, $3::int8, $4) ON CONFLICT (user_id, update_id) DO NOTHING",
            {num(event.user_id), num(event.update_id), num(event.at), std::move(event.tariff)}));
  op.finish = status_finish(std::move(done));
  submit_write(std::move(op));
}

void PgStore::set_user_tariff(std::int64_t user_id, std::string tariff, Completion<bool> done) {
  WriteOp op;
  op.statements.push_back(
      plain("UPDATE users SET tariff = $2 WHERE id = $1::int8", {num(user_id), std::move(tariff)}));
  op.finish = [done = std::move(done)](const PgError* error, std::span<const Rows> rows) {
    if (error) return done(error->to_error());
    done(rows[0].affected != 0);
  };
  submit_write(std::move(op));
}

void PgStore::set_lexicon_text(storage::LexiconText entry, StatusCompletion done) {
  WriteOp op;
  if (entry.text.empty()) {
    op.statements.push_back(plain("DELETE FROM lexicon WHERE language = $1 AND key = $2",
                                  {std::move(entry.language), std::move(entry.key)}));
  } else {
    op.statements.push_back(
        plain("INSERT INTO lexicon (language, key, text, updated_at) "
              "VALUES ($1, $2, $3, $4::int8) ON CONFLICT (language, key) DO UPDATE SET "
              "text = excluded.text, updated_at = excluded.updated_at",
              {std::move(entry.language), std::move(entry.key), std::move(entry.text),
               num(options_.clock())}));
  }
  op.finish = status_finish(std::move(done));
  submit_write(std::move(op));
}

void PgStore::flush(StatusCompletion done) {
  WriteOp op;
  op.finish = status_finish(std::move(done));
  submit_write(std::move(op));
}

}  // namespace tgkeep::pg
