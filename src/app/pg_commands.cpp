#include "app/pg_commands.hpp"

#include <fmt/format.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "app/run_until_done.hpp"
#include "pg/connection.hpp"
#include "pg/migrations.hpp"

namespace tgkeep::app {
namespace {

namespace asio = boost::asio;

asio::awaitable<pg::PgResult<pg::MigrateOutcome>> connect_and_migrate(asio::io_context& io,
                                                                      pg::ConnectOptions options) {
  auto db = co_await pg::Connection::connect(io.get_executor(), std::move(options));
  if (!db) co_return db.error();
  co_return co_await pg::migrate(**db);
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
  auto outcome = run_until_done(io, connect_and_migrate(io, std::move(options)));
  if (!outcome) {
    fmt::print(stderr, "tgkeep: {} (from {})\n", outcome.error().message, database.source);
    return 1;
  }
  const auto& done = outcome.value();
  if (done.from == done.to) {
    fmt::print("tgkeep: {} is at schema version {}\n", database.masked, done.to);
  } else {
    fmt::print("tgkeep: {} migrated from schema version {} to {}\n", database.masked, done.from,
               done.to);
  }
  return 0;
}

}  // namespace tgkeep::app
