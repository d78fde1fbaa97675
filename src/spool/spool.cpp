#include "spool/spool.hpp"

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include <sqlite3.h>

#include "sqlite/connection.hpp"
#include "sqlite/open_database.hpp"

namespace tgkeep::spool {
namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS spool (
  seq     INTEGER PRIMARY KEY AUTOINCREMENT,
  chat_id INTEGER,
  kind    TEXT NOT NULL,
  value   TEXT NOT NULL,
  raw     TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS spool_by_chat ON spool(chat_id) WHERE chat_id IS NOT NULL;
)sql";

constexpr const char* kAppending = "appending to the spool";
constexpr const char* kReading = "reading the spool";

}  // namespace

// One job of the spool's thread. Writes run inside the group's transaction, answer how many rows
// they add (negative: remove) and complete after its commit; reads run after it and complete
// themselves. `done` also reports a job refused because the spool is closed.
struct Job {
  bool write = false;
  std::function<Result<std::int64_t>()> run;
  std::function<void(Status)> done;
};

struct Spool::Impl {
  sqlite::Connection db;
  sqlite::Statement insert, select_oldest, select_chat, remove;
  std::atomic<std::uint64_t>* rows = nullptr;
  std::mutex mutex;
  std::condition_variable wake;
  std::deque<Job> queue;
  bool closing = false;
  std::thread thread;

  explicit Impl(sqlite::Connection connection) : db(std::move(connection)) {}

  Status prepare() {
    struct {
      sqlite::Statement* statement;
      const char* sql;
    } const all[] = {
        {&insert, "INSERT INTO spool (chat_id, kind, value, raw) VALUES (?1, ?2, ?3, ?4)"},
        {&select_oldest, "SELECT seq, chat_id, kind, value, raw FROM spool ORDER BY seq LIMIT ?1"},
        {&select_chat,
         "SELECT seq, chat_id, kind, value, raw FROM spool WHERE chat_id = ?1 ORDER BY seq"},
        {&remove, "DELETE FROM spool WHERE seq <= ?1"},
    };
    for (const auto& s : all) {
      auto prepared = db.prepare(s.sql);
      if (!prepared) return prepared.error();
      *s.statement = std::move(prepared).value();
    }
    return {};
  }

  void submit(Job job) {
    {
      std::lock_guard lock(mutex);
      if (!closing) {
        queue.push_back(std::move(job));
        wake.notify_one();
        return;
      }
    }
    job.done(Error::transient("the spool is closed"));
  }

  void loop() {
    for (;;) {
      std::deque<Job> batch;
      {
        std::unique_lock lock(mutex);
        wake.wait(lock, [&] { return closing || !queue.empty(); });
        if (queue.empty()) return;
        batch.swap(queue);
      }
      std::vector<Job*> writes;
      for (Job& job : batch) {
        if (job.write) writes.push_back(&job);
      }
      if (!writes.empty() && !commit_together(writes)) {
        for (Job* job : writes) commit_together({job});
      }
      for (Job& job : batch) {
        if (!job.write) (void)job.run();
      }
    }
  }

  // Runs the writes in one transaction and completes them; false (nothing completed) when the
  // group failed and has more than one write, so each can be tried alone.
  bool commit_together(const std::vector<Job*>& writes) {
    Status status = db.exec("BEGIN IMMEDIATE", kAppending);
    std::int64_t delta = 0;
    for (Job* job : writes) {
      if (!status) break;
      auto changed = job->run();
      if (changed) {
        delta += *changed;
      } else {
        status = changed.error();
      }
    }
    if (status) status = db.exec("COMMIT", kAppending);
    if (!status && db.in_transaction()) (void)db.exec("ROLLBACK", kAppending);
    if (!status && writes.size() > 1) return false;
    if (status) rows->fetch_add(static_cast<std::uint64_t>(delta));  // modular: negative works
    for (Job* job : writes) job->done(status);
    return true;
  }

  // Queues a read of `select` with its one parameter.
  void read(sqlite::Statement& select, std::int64_t param,
            storage::Completion<std::vector<Row>> done) {
    Job job;
    job.done = [done](Status refused) { done(refused.error()); };
    job.run = [this, &select, param, done = std::move(done)]() -> Result<std::int64_t> {
      select.bind(1, param);
      done(read_rows(select));
      return 0;
    };
    submit(std::move(job));
  }

  Result<std::vector<Row>> read_rows(sqlite::Statement& select) {
    sqlite::Statement::Use use(select);
    std::vector<Row> out;
    for (;;) {
      const int rc = select.step();
      if (rc == SQLITE_DONE) return out;
      if (rc != SQLITE_ROW) return db.error(rc, kReading);
      Row row;
      row.seq = select.int64(0);
      row.chat_id = select.optional_int64(1);
      const auto kind = select.text(2);
      row.entry.kind = kind.empty() ? '?' : kind[0];
      row.entry.value = std::string(select.text(3));
      row.entry.raw = std::string(select.text(4));
      out.push_back(std::move(row));
    }
  }
};

Result<std::unique_ptr<Spool>> Spool::open(const Options& options) {
  sqlite::SqliteOptions sqlite_options;
  sqlite_options.data_dir = options.data_dir;
  sqlite_options.cache_size_kib = 2 * 1024;
  if (options.max_bytes > 0) {
    sqlite_options.max_page_count = std::max<std::int64_t>(16, options.max_bytes / 4096);
  }
  auto db = sqlite::open_durable(sqlite_options, kFileName);
  if (!db) return db.error();
  // The store checkpoints its WAL every 64 MiB; the spool's cap must bound the disk it takes, so
  // its WAL is checkpointed (and truncated) at 1 MiB.
  if (Status s = db->exec("PRAGMA wal_autocheckpoint = 256; PRAGMA journal_size_limit = 1048576;",
                          "configuring the spool");
      !s) {
    return s.error();
  }
  if (Status s = db->exec(kSchema, "creating the spool table"); !s) return s.error();
  auto count = db->query_int("SELECT count(*) FROM spool", kReading);
  if (!count) return count.error();
  auto impl = std::make_unique<Impl>(std::move(db).value());
  if (Status s = impl->prepare(); !s) return s.error();
  std::unique_ptr<Spool> spool(new Spool(std::move(impl)));
  spool->rows_ = static_cast<std::uint64_t>(*count);
  spool->impl_->rows = &spool->rows_;
  spool->impl_->thread = std::thread([impl = spool->impl_.get()] { impl->loop(); });
  return spool;
}

Spool::Spool(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Spool::~Spool() {
  close();
}

const std::filesystem::path& Spool::file() const {
  return impl_->db.path();
}

void Spool::close() {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->closing = true;
    impl_->wake.notify_one();
  }
  if (impl_->thread.joinable()) impl_->thread.join();
}

void Spool::append(std::vector<Row> rows, storage::StatusCompletion done) {
  Impl& impl = *impl_;
  Job job;
  job.write = true;
  job.done = std::move(done);
  job.run = [&impl, rows = std::move(rows)]() -> Result<std::int64_t> {
    for (const Row& row : rows) {
      sqlite::Statement::Use use(impl.insert);
      impl.insert.bind(1, row.chat_id);
      impl.insert.bind(2, std::string_view(&row.entry.kind, 1));
      impl.insert.bind(3, std::string_view(row.entry.value));
      impl.insert.bind(4, std::string_view(row.entry.raw));
      if (Status s = impl.db.run(impl.insert, kAppending); !s) return s.error();
    }
    return static_cast<std::int64_t>(rows.size());
  };
  impl.submit(std::move(job));
}

void Spool::remove_through(std::int64_t seq, storage::StatusCompletion done) {
  Impl& impl = *impl_;
  Job job;
  job.write = true;
  job.done = std::move(done);
  job.run = [&impl, seq]() -> Result<std::int64_t> {
    impl.remove.bind(1, seq);
    if (Status s = impl.db.run(impl.remove, "removing synced rows from the spool"); !s) {
      return s.error();
    }
    return -impl.db.changes();
  };
  impl.submit(std::move(job));
}

void Spool::oldest(std::size_t limit, storage::Completion<std::vector<Row>> done) {
  impl_->read(impl_->select_oldest, static_cast<std::int64_t>(limit), std::move(done));
}

void Spool::of_chat(std::int64_t chat_id, storage::Completion<std::vector<Row>> done) {
  impl_->read(impl_->select_chat, chat_id, std::move(done));
}

}  // namespace tgkeep::spool
