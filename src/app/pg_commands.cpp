#include "app/pg_commands.hpp"

#include <fmt/format.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "pg/connection.hpp"
#include "pg/migrations.hpp"

namespace tgkeep::app {
namespace {

namespace asio = boost::asio;

asio::awaitable<void> migrate_into(asio::io_context& io, pg::ConnectOptions options,
                                   std::optional<pg::PgResult<pg::MigrateOutcome>>& out) {
  auto db = co_await pg::Connection::connect(io.get_executor(), std::move(options));
  if (!db) {
    out.emplace(db.error());
    co_return;
  }
  out.emplace(co_await pg::migrate(**db));
}

}  // namespace

std::string describe_database(const config::DatabaseConfig& d) {
  return fmt::format("PostgreSQL at {}{} (user {}, database {})",
                     d.host.empty() ? std::string("the local socket") : d.host,
                     d.port.empty() ? std::string() : ":" + d.port,
                     d.user.empty() ? std::string("from the environment") : d.user,
                     d.dbname.empty() ? std::string("from the environment") : d.dbname);
}

int migrate_postgres(const config::DatabaseConfig& database) {
  pg::ConnectOptions options;
  options.conninfo = database.conninfo;
  options.where = describe_database(database);
  asio::io_context io(1);
  std::optional<pg::PgResult<pg::MigrateOutcome>> outcome;
  asio::co_spawn(io, migrate_into(io, std::move(options), outcome), asio::detached);
  while (!outcome) io.run_one();
  if (!*outcome) {
    fmt::print(stderr, "tgkeep: {} (from {})\n", outcome->error().message, database.source);
    return 1;
  }
  const auto& done = outcome->value();
  if (done.from == done.to) {
    fmt::print("tgkeep: {} is at schema version {}\n", database.masked, done.to);
  } else {
    fmt::print("tgkeep: {} migrated from schema version {} to {}\n", database.masked, done.from,
               done.to);
  }
  return 0;
}

}  // namespace tgkeep::app
