#include "pg/pg_store.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <exception>
#include <future>
#include <limits>
#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "pg/migrations.hpp"
#include "util/unix_time.hpp"

namespace tgkeep::pg {
namespace {

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

using Param = std::optional<std::string>;

constexpr std::size_t kExportPage = 500;
constexpr std::int64_t kMinInt64 = std::numeric_limits<std::int64_t>::min();

#define TGKEEP_MESSAGE_COLUMNS                                                                \
  "chat_id, message_id, user_id, role, text, date, update_id, edited, edit_date, reply_key, " \
  "status"

constexpr const char* kMessageColumns = TGKEEP_MESSAGE_COLUMNS;
constexpr const char* kSelectMessage = "SELECT id, " TGKEEP_MESSAGE_COLUMNS " FROM messages ";
#undef TGKEEP_MESSAGE_COLUMNS

// PostgreSQL's text cannot hold a NUL byte, and libpq would cut the parameter there: it becomes
// U+FFFD, as the escape \u0000 does in JSON.
Param without_nul(Param value) {
  if (!value || value->find('\0') == std::string::npos) return value;
  std::string out;
  out.reserve(value->size() + 8);
  for (char c : *value) {
    if (c == '\0') {
      out += "\xEF\xBF\xBD";
    } else {
      out += c;
    }
  }
  return out;
}

// Statement text with its parameters, numbered as they are added.
struct Builder {
  Statement statement;
  std::string p(Param value, std::string_view type) {
    statement.params.push_back(without_nul(std::move(value)));
    return fmt::format("${}::{}", statement.params.size(), type);
  }
};

Param num(std::int64_t v) {
  return std::to_string(v);
}
Param num(std::optional<std::int64_t> v) {
  if (!v) return std::nullopt;
  return std::to_string(*v);
}
Param boolean(bool v) {
  return std::string(v ? "true" : "false");
}
Param text(std::string_view v) {
  return std::string(v);
}

std::int64_t as_int(const Param& v) {
  return v ? std::stoll(*v) : 0;
}
std::optional<std::int64_t> as_opt_int(const Param& v) {
  if (!v) return std::nullopt;
  return std::stoll(*v);
}
bool as_bool(const Param& v) {
  return v && *v == "t";
}

ReplyStatus parse_status(const Param& s) {
  if (s == "pending") return ReplyStatus::pending;
  if (s == "failed") return ReplyStatus::failed;
  return ReplyStatus::sent;
}

// A row of `SELECT id, <message columns>`.
MessageRecord read_message(const std::vector<Param>& r) {
  MessageRecord m;
  m.chat_id = as_int(r[1]);
  m.message_id = as_opt_int(r[2]);
  m.user_id = as_opt_int(r[3]);
  m.role = r[4] == "assistant" ? Role::assistant : Role::user;
  m.text = r[5].value_or("");
  m.date = as_int(r[6]);
  m.update_id = as_opt_int(r[7]);
  m.edited = as_bool(r[8]);
  m.edit_date = as_opt_int(r[9]);
  m.reply_key = r[10].value_or("");
  m.status = parse_status(r[11]);
  return m;
}

std::string limit_of(std::size_t limit) {
  constexpr auto kMax = static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max());
  return std::to_string(limit < kMax ? limit : kMax);
}

// The values of a message row, as "$a::int8, $b::int8, ...".
std::string message_values(Builder& b, const MessageRecord& m,
                           std::optional<std::int64_t> update_id) {
  std::string out;
  out += b.p(num(m.chat_id), "int8") + ", ";
  out += b.p(num(m.message_id), "int8") + ", ";
  out += b.p(num(m.user_id), "int8") + ", ";
  out += b.p(text(storage::role_name(m.role)), "text") + ", ";
  out += b.p(text(m.text), "text") + ", ";
  out += b.p(num(m.date), "int8") + ", ";
  out += b.p(num(update_id), "int8") + ", ";
  out += b.p(boolean(m.edited), "bool") + ", ";
  out += b.p(num(m.edit_date), "int8") + ", ";
  Param key;
  if (!m.reply_key.empty()) key = m.reply_key;
  out += b.p(std::move(key), "text") + ", ";
  out += b.p(text(storage::reply_status_name(m.status)), "text");
  return out;
}

PgError invalid(std::string message) {
  return make_error(PgErrorCode::other, std::move(message));
}

Error to_error(const PgError& e) {
  // PgError's kind for SQL errors; a missing reply or key is the caller's mistake.
  return e.to_error();
}

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

// jsonb refuses the escape \u0000 (SQLSTATE 22P05): it becomes \ufffd, the replacement character.
// Only a real escape is replaced: in "\\u0000" the backslash is itself escaped.
std::string sanitize_json(std::string_view json) {
  std::string out;
  out.reserve(json.size());
  for (std::size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    if (c != '\\' || i + 1 >= json.size()) {
      out += c;
      continue;
    }
    if (json.substr(i, 6) == "\\u0000") {
      out += "\\ufffd";
      i += 5;
    } else {
      out += c;
      out += json[i + 1];
      ++i;
    }
  }
  return out;
}

namespace {

// One statement per update: the raw update, and only when it was new its message and user
// (data-modifying CTEs reading `u`). Returns one row: 1 when stored, 0 for a known update_id.
Statement commit_statement(const UpdateRecord& u, std::int64_t now) {
  Builder b;
  Param json;
  if (!u.raw_json.empty()) json = sanitize_json(u.raw_json);
  std::string sql = fmt::format(
      "WITH u AS (INSERT INTO raw_updates (update_id, type, chat_id, json, received_at, "
      "needs_handling, handled) VALUES ({}, {}, {}, {}, {}, {}, {}) "
      "ON CONFLICT (update_id) DO NOTHING RETURNING update_id)",
      b.p(num(u.update_id), "int8"), b.p(text(u.type), "text"), b.p(num(u.chat_id), "int8"),
      b.p(std::move(json), "jsonb"), b.p(num(now), "int8"), b.p(boolean(u.needs_handling), "bool"),
      b.p(boolean(!u.needs_handling), "bool"));
  if (u.message) {
    const MessageRecord& m = *u.message;
    const auto update_id = m.update_id ? m.update_id : std::optional(u.update_id);
    sql += fmt::format(", m AS (INSERT INTO messages ({}) SELECT {} FROM u ", kMessageColumns,
                       message_values(b, m, update_id));
    if (m.edited) {
      // An edit applies when it is not older than what is stored.
      sql +=
          "ON CONFLICT (chat_id, message_id, role) DO UPDATE SET text = excluded.text, "
          "edited = true, edit_date = excluded.edit_date "
          "WHERE messages.edit_date IS NULL OR excluded.edit_date >= messages.edit_date)";
    } else {
      sql += "ON CONFLICT (chat_id, message_id, role) DO NOTHING)";
    }
  }
  if (u.user) {
    const UserRecord& user = *u.user;
    const std::string seen = b.p(num(user.seen_at), "int8");
    // Names follow the newest sighting; the tariff is never touched.
    sql += fmt::format(
        ", usr AS (INSERT INTO users (id, is_bot, username, first_name, last_name, "
        "language_code, first_seen, last_seen) SELECT {}, {}, {}, {}, {}, {}, {}, {} FROM u "
        "ON CONFLICT (id) DO UPDATE SET "
        "is_bot = CASE WHEN excluded.last_seen >= users.last_seen THEN excluded.is_bot "
        "ELSE users.is_bot END, "
        "username = CASE WHEN excluded.last_seen >= users.last_seen THEN excluded.username "
        "ELSE users.username END, "
        "first_name = CASE WHEN excluded.last_seen >= users.last_seen THEN excluded.first_name "
        "ELSE users.first_name END, "
        "last_name = CASE WHEN excluded.last_seen >= users.last_seen THEN excluded.last_name "
        "ELSE users.last_name END, "
        "language_code = CASE WHEN excluded.last_seen >= users.last_seen "
        "THEN excluded.language_code ELSE users.language_code END, "
        "first_seen = least(users.first_seen, excluded.first_seen), "
        "last_seen = greatest(users.last_seen, excluded.last_seen))",
        b.p(num(user.id), "int8"), b.p(boolean(user.is_bot), "bool"),
        b.p(text(user.username), "text"), b.p(text(user.first_name), "text"),
        b.p(text(user.last_name), "text"), b.p(text(user.language_code), "text"), seen, seen);
  }
  sql += " SELECT count(*) FROM u";
  b.statement.sql = std::move(sql);
  return std::move(b.statement);
}

// The first page of an export, or the page after (last_update_id, last_id).
Statement export_statement(const ExportFilter& filter, std::int64_t last_update_id,
                           std::int64_t last_id) {
  Builder b;
  const std::string page = std::to_string(kExportPage);
  if (filter.chat_id) {
    // Conversation order, NULL update_ids first as in SQLite.
    std::string sql = std::string(kSelectMessage) +
                      fmt::format("WHERE chat_id = {} AND (coalesce(update_id, {}), id) > ({}, {})",
                                  b.p(num(*filter.chat_id), "int8"), kMinInt64,
                                  b.p(num(last_update_id), "int8"), b.p(num(last_id), "int8"));
    if (filter.user_id) sql += " AND user_id = " + b.p(num(*filter.user_id), "int8");
    sql += fmt::format(" ORDER BY coalesce(update_id, {}), id LIMIT {}", kMinInt64, page);
    b.statement.sql = std::move(sql);
  } else if (filter.user_id) {
    const std::string user = b.p(num(*filter.user_id), "int8");
    const std::string after = b.p(num(last_id), "int8");
    b.statement.sql = fmt::format(
        "{}WHERE chat_id = {} AND user_id = {} AND id > {} UNION ALL {}WHERE "
        "user_id = {} AND user_id <> chat_id AND id > {} ORDER BY id LIMIT {}",
        kSelectMessage, user, user, after, kSelectMessage, user, after, page);
  } else {
    b.statement.sql = fmt::format("{}WHERE id > {} ORDER BY id LIMIT {}", kSelectMessage,
                                  b.p(num(last_id), "int8"), page);
  }
  return std::move(b.statement);
}

Statement plain(std::string sql, std::vector<Param> params = {}) {
  Statement s;
  s.sql = std::move(sql);
  for (Param& p : params) s.params.push_back(without_nul(std::move(p)));
  return s;
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
    const PgError closed = invalid("the PostgreSQL store is closed");
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
    if (error) return done(to_error(*error));
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
    if (error) return done(to_error(*error));
    done(Status());
  };
}

std::string int_array(const std::vector<std::int64_t>& ids) {
  std::string out = "{";
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (i) out += ',';
    out += std::to_string(ids[i]);
  }
  return out + "}";
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
    if (error) return done(to_error(*error));
    ReplyState state;
    if (rows[0].rows.empty() && !rows[1].rows.empty()) {
      state.existed = true;
      state.status = parse_status(rows[1].rows[0][0]);
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
    if (error) return done(to_error(*error));
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
    if (error) return done(to_error(*error));
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

// --- reads ------------------------------------------------------------------------------------

namespace {

// A read of one statement whose rows `parse` turns into the completion's value.
template <class T, class Parse>
PgStore::ReadOp single_read(Statement statement, Completion<T> done, Parse parse) {
  PgStore::ReadOp op;
  op.statement = std::move(statement);
  op.step = [done = std::move(done),
             parse = std::move(parse)](const PgResult<Rows>& rows) -> std::optional<Statement> {
    if (!rows) {
      done(to_error(rows.error()));
    } else {
      done(Result<T>(parse(*rows)));
    }
    return std::nullopt;
  };
  return op;
}

}  // namespace

void PgStore::unhandled_updates(std::size_t limit, Completion<std::vector<UpdateRecord>> done) {
  submit_read(single_read<std::vector<UpdateRecord>>(
      plain("SELECT update_id, type, chat_id, json::text FROM raw_updates "
            "WHERE needs_handling AND NOT handled ORDER BY update_id LIMIT $1::int8",
            {limit_of(limit)}),
      std::move(done), [](const Rows& rows) {
        std::vector<UpdateRecord> out;
        for (const auto& r : rows.rows) {
          UpdateRecord u;
          u.update_id = as_int(r[0]);
          u.type = r[1].value_or("");
          u.chat_id = as_opt_int(r[2]);
          u.raw_json = r[3].value_or("");  // "" once the chat was forgotten
          u.needs_handling = true;
          out.push_back(std::move(u));
        }
        return out;
      }));
}

void PgStore::last_update_id(Completion<std::optional<std::int64_t>> done) {
  submit_read(single_read<std::optional<std::int64_t>>(
      plain("SELECT max(update_id) FROM raw_updates"), std::move(done), [](const Rows& rows) {
        std::optional<std::int64_t> out;
        if (!rows.rows.empty()) out = as_opt_int(rows.rows[0][0]);
        return out;
      }));
}

void PgStore::recent_messages(std::int64_t chat_id, std::size_t limit,
                              Completion<std::vector<MessageRecord>> done) {
  // NULL update_ids sort first, as in SQLite.
  submit_read(single_read<std::vector<MessageRecord>>(
      plain(fmt::format("SELECT * FROM ({}WHERE chat_id = $1::int8 ORDER BY update_id DESC "
                        "NULLS LAST, id DESC LIMIT $2::int8) t ORDER BY update_id NULLS FIRST, id",
                        kSelectMessage),
            {num(chat_id), limit_of(limit)}),
      std::move(done), [](const Rows& rows) {
        std::vector<MessageRecord> out;
        for (const auto& r : rows.rows) out.push_back(read_message(r));
        return out;
      }));
}

void PgStore::export_messages(ExportFilter filter, std::function<void(const MessageRecord&)> row,
                              StatusCompletion done) {
  ReadOp op;
  op.statement = export_statement(filter, kMinInt64, kMinInt64);
  op.step = [filter, row = std::move(row),
             done = std::move(done)](const PgResult<Rows>& rows) -> std::optional<Statement> {
    if (!rows) {
      done(to_error(rows.error()));
      return std::nullopt;
    }
    std::int64_t last_update_id = kMinInt64;
    std::int64_t last_id = kMinInt64;
    try {
      for (const auto& r : rows->rows) {
        MessageRecord m = read_message(r);
        last_id = as_int(r[0]);
        last_update_id = m.update_id.value_or(kMinInt64);
        row(m);
      }
    } catch (const std::exception& e) {
      done(Error::invalid(fmt::format("exporting messages: {}", e.what())));
      return std::nullopt;
    }
    if (rows->rows.size() < kExportPage) {
      done(Status());
      return std::nullopt;
    }
    return export_statement(filter, last_update_id, last_id);
  };
  submit_read(std::move(op));
}

void PgStore::find_user(std::int64_t user_id, Completion<std::optional<UserRecord>> done) {
  submit_read(single_read<std::optional<UserRecord>>(
      plain("SELECT id, is_bot, username, first_name, last_name, language_code, last_seen, "
            "tariff FROM users WHERE id = $1::int8",
            {num(user_id)}),
      std::move(done), [](const Rows& rows) {
        std::optional<UserRecord> out;
        if (rows.rows.empty()) return out;
        const auto& r = rows.rows[0];
        UserRecord u;
        u.id = as_int(r[0]);
        u.is_bot = as_bool(r[1]);
        u.username = r[2].value_or("");
        u.first_name = r[3].value_or("");
        u.last_name = r[4].value_or("");
        u.language_code = r[5].value_or("");
        u.seen_at = as_int(r[6]);
        u.tariff = r[7].value_or("");
        out = std::move(u);
        return out;
      }));
}

void PgStore::count_usage(std::int64_t user_id, std::int64_t from, std::int64_t to,
                          Completion<std::int64_t> done) {
  submit_read(single_read<std::int64_t>(
      plain("SELECT count(*) FROM usage_events WHERE user_id = $1::int8 AND at >= $2::int8 "
            "AND at < $3::int8",
            {num(user_id), num(from), num(to)}),
      std::move(done), [](const Rows& rows) {
        return rows.rows.empty() ? std::int64_t{0} : as_int(rows.rows[0][0]);
      }));
}

void PgStore::lexicon_texts(Completion<std::vector<storage::LexiconText>> done) {
  submit_read(single_read<std::vector<storage::LexiconText>>(
      plain("SELECT language, key, text FROM lexicon ORDER BY language, key"), std::move(done),
      [](const Rows& rows) {
        std::vector<storage::LexiconText> out;
        for (const auto& r : rows.rows) {
          storage::LexiconText t;
          t.language = r[0].value_or("");
          t.key = r[1].value_or("");
          t.text = r[2].value_or("");
          out.push_back(std::move(t));
        }
        return out;
      }));
}

}  // namespace tgkeep::pg
