#include "app/import_command.hpp"

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include "pg/copy_text.hpp"
#include "app/import_tables.hpp"
#include "app/logging.hpp"
#include "app/pg_commands.hpp"
#include "app/run_until_done.hpp"
#include "app/sqlite_source.hpp"
#include "config/database_url.hpp"
#include "pg/connection.hpp"
#include "pg/migrations.hpp"
#include "util/progress.hpp"

namespace tgkeep::app {
namespace {

namespace asio = boost::asio;

// A batch: large enough that the two round trips it costs are noise, small enough that its COPY
// text (raw updates run to a few hundred bytes each) stays a few MiB in memory.
constexpr std::size_t kBatchRows = 10'000;
constexpr std::size_t kBatchBytes = 8u << 20;
constexpr std::chrono::milliseconds kStatementTimeout = std::chrono::minutes(5);

struct TableCounts {
  std::uint64_t read = 0;
  std::uint64_t stored = 0;   // rows PostgreSQL did not have
  std::uint64_t updated = 0;  // rows it had, brought up to date
};

// What an import works with and what it has done so far.
struct ImportRun {
  SqliteSource& source;
  Progress& progress;
  std::uint64_t total = 0;
  std::uint64_t done = 0;
  std::vector<TableCounts> counts = std::vector<TableCounts>(import_tables().size());
};

Error failed(std::string_view doing, const pg::PgError& error) {
  return Error{error.kind(), fmt::format("{}: {}", doing, error.message)};
}

pg::Statement statement(std::string sql) {
  pg::Statement s;
  s.sql = std::move(sql);
  return s;
}

// The staging tables live as long as the session; temporary tables are not WAL-logged.
std::vector<pg::Statement> setup_statements() {
  std::vector<pg::Statement> out;
  // The COPY text is UTF-8 whatever the server's or the environment's default encoding.
  out.push_back(statement("SET client_encoding = 'UTF8'"));
  for (const ImportTable& table : import_tables()) out.push_back(statement(table.create_staging));
  return out;
}

// One transaction: the table's merge statements, then the staging table emptied for the next
// batch.
std::vector<pg::Statement> merge_statements(const ImportTable& table) {
  std::vector<pg::Statement> out;
  for (const char* sql : table.merge) out.push_back(statement(sql));
  out.push_back(statement("TRUNCATE " + staging_name(table)));
  return out;
}

// Adds what the merge statements said they did: each that returns a row says (stored, updated).
void add_counts(const std::vector<pg::Rows>& results, TableCounts& counts) {
  for (const pg::Rows& result : results) {
    if (result.rows.size() != 1 || result.rows[0].size() != 2) continue;
    counts.stored += std::stoull(result.rows[0][0].value_or("0"));
    counts.updated += std::stoull(result.rows[0][1].value_or("0"));
  }
}

asio::awaitable<Status> import_table(pg::Connection& db, const ImportTable& table,
                                     TableCounts& counts, ImportRun& run) {
  const std::string doing = fmt::format("importing {}", table.name);
  if (Status started = run.source.start(table); !started) co_return started;
  const std::string copy_sql = fmt::format("COPY {} FROM STDIN", staging_name(table));
  for (;;) {
    pg::CopyText batch;
    auto rows = run.source.next_batch(kBatchRows, kBatchBytes, batch);
    if (!rows) {
      Status out(rows.error());
      co_return out;
    }
    if (*rows == 0) break;
    auto copied = co_await db.copy_in(copy_sql, batch.take(), kStatementTimeout);
    if (!copied) {
      Status out(failed(doing, copied.error()));
      co_return out;
    }
    auto merged = co_await db.pipeline(merge_statements(table), kStatementTimeout);
    if (!merged) {
      Status out(failed(doing, merged.error()));
      co_return out;
    }
    add_counts(*merged, counts);
    counts.read += *rows;
    run.done += *rows;
    run.progress.update(run.done, run.total);
  }
  co_return Status{};
}

asio::awaitable<Status> connect_and_import(asio::io_context& io, pg::ConnectOptions options,
                                           ImportRun& run) {
  auto db = co_await pg::Connection::connect(io.get_executor(), std::move(options));
  if (!db) {
    Status out(db.error().to_error());
    co_return out;
  }
  pg::Connection& connection = **db;
  // As `tgkeep migrate` does: under the advisory lock, refusing a newer or foreign schema.
  auto migrated = co_await pg::migrate(connection);
  if (!migrated) {
    Status out(migrated.error().to_error());
    co_return out;
  }
  auto staged = co_await connection.pipeline(setup_statements(), kStatementTimeout);
  if (!staged) {
    Status out(failed("creating the staging tables", staged.error()));
    co_return out;
  }
  const auto tables = import_tables();
  for (std::size_t i = 0; i < tables.size(); ++i) {
    Status imported = co_await import_table(connection, tables[i], run.counts[i], run);
    if (!imported) co_return imported;
  }
  co_return Status{};
}

int fail(const std::string& message) {
  fmt::print(stderr, "tgkeep: {}\n", message);
  return 1;
}

void print_summary(const ImportRun& run, std::chrono::steady_clock::duration took,
                   const config::DatabaseConfig& database) {
  const auto tables = import_tables();
  for (std::size_t i = 0; i < tables.size(); ++i) {
    const TableCounts& c = run.counts[i];
    std::string line = fmt::format("tgkeep: {}: read {}, newly stored {}, already there {}",
                                   tables[i].name, c.read, c.stored, c.read - c.stored);
    if (c.updated > 0) line += fmt::format(" ({} brought up to date)", c.updated);
    fmt::print("{}\n", line);
  }
  fmt::print("tgkeep: imported {} into {} in {:.2f} s\n", run.source.file().string(),
             database.masked, std::chrono::duration<double>(took).count());
}

}  // namespace

int import_sqlite_command(const config::Settings& settings, const std::string& path) {
  setup_logging(settings.log_format, settings.log_level, {});
  auto database = config::database_config(config::process_environment());
  if (!database) {
    fmt::print(stderr, "tgkeep: {}\n", database.error().message);
    return 2;
  }
  if (!*database) {
    fmt::print(stderr,
               "tgkeep: PostgreSQL is not configured: set DATABASE_URL (or TGKEEP_DATABASE_URL, "
               "PGHOST...) to the database to import into\n");
    return 2;
  }
  const config::DatabaseConfig& target = **database;

  auto source = SqliteSource::open(path);
  if (!source) return fail(source.error().message);
  std::uint64_t total = 0;
  for (const ImportTable& table : import_tables()) {
    auto n = (*source)->count(table);
    if (!n) return fail(n.error().message);
    total += *n;
  }

  const auto started = std::chrono::steady_clock::now();
  Progress progress("imported", "rows", stderr, is_terminal(stderr));
  ImportRun run{**source, progress, total};
  pg::ConnectOptions options;
  options.conninfo = target.conninfo;
  options.where = describe_database(target);
  asio::io_context io(1);
  Status imported = run_until_done(io, connect_and_import(io, std::move(options), run));
  if (!imported) {
    if (is_terminal(stderr)) progress.finish(run.done, run.total);  // ends the bar's line
    return fail(fmt::format("import-sqlite failed: {}", imported.error().message));
  }
  progress.finish(run.done, run.total);
  print_summary(run, std::chrono::steady_clock::now() - started, target);
  return 0;
}

}  // namespace tgkeep::app
