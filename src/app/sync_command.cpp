#include "app/sync_command.hpp"

#include <csignal>
#include <cstdio>
#include <cstdlib>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "app/logging.hpp"
#include "app/pg_commands.hpp"
#include "app/redis_setup.hpp"
#include "app/run_until_done.hpp"
#include "app/sync_service.hpp"
#include "config/database_url.hpp"
#include "config/options.hpp"
#include "sync/outbox_stream.hpp"
#include "util/progress.hpp"

namespace tgkeep::app {

namespace asio = boost::asio;

Result<sync::SyncerOptions> syncer_options(const config::Settings& settings, bool standalone) {
  auto database = config::database_config(config::process_environment());
  if (!database) return database.error();
  if (!*database) {
    return Error::fatal(
        "PostgreSQL is not configured: set DATABASE_URL (or TGKEEP_DATABASE_URL, PGHOST...); the "
        "outbox drains into it");
  }
  auto interval = config::parse_duration(settings.sync_interval, "TGKEEP_SYNC_INTERVAL");
  if (!interval) return interval.error();
  sync::SyncerOptions options;
  options.consumer = sync_consumer_name();
  options.batch = static_cast<std::size_t>(settings.sync_batch > 0 ? settings.sync_batch
                                           : standalone ? config::Settings::kStandaloneSyncBatch
                                                        : config::Settings::kBotSyncBatch);
  options.interval = *interval;
  options.postgres.conninfo = (*database)->conninfo;
  options.postgres.where = describe_database(**database);
  const char* kill = std::getenv("TGKEEP_TEST_KILL_SYNCER_AFTER_WRITE");
  options.kill_after_write = kill && std::string_view(kill) == "1";
  return options;
}

int sync_command(const config::Settings& settings, bool once) {
  setup_logging(settings.log_format, settings.log_level, {});
  auto options = syncer_options(settings, /*standalone=*/true);
  if (!options) {
    spdlog::critical("{}", options.error().message);
    return 2;
  }
  options->until_drained = once;
  auto keys = hot::HotKeys::with_prefix(settings.redis_prefix);
  if (!keys) {
    spdlog::critical("{}", keys.error().message);
    return 2;
  }
  asio::io_context io(1);
  auto redis = run_until_done(io, connect_redis(io.get_executor(), settings));
  if (!redis) {
    spdlog::critical("{}", redis.error().message);
    return 2;
  }
  if (!redis->client) {
    spdlog::critical(
        "Redis is not configured, so there is no outbox to drain: without Redis, records go "
        "straight to PostgreSQL");
    return 2;
  }
  if (!redis->answering) {
    // connect_redis has said why, in a line per candidate.
    spdlog::critical("sync: Redis does not answer ({}); nothing can be drained until it does",
                     redis->chosen);
    redis->client->shutdown();
    return 1;
  }
  sync::OutboxStream stream(*redis->client, *keys);
  sync::Syncer syncer(io.get_executor(), stream, *options);
  std::optional<Progress> progress;
  if (once) {
    progress.emplace("synced", "entries", stderr, is_terminal(stderr));
    syncer.on_progress = [&](const sync::SyncCounters& c) {
      progress->update(c.synced, c.synced + c.backlog);
    };
  }
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (!ec) {
      spdlog::info("stopping: flushing what is read");
      syncer.stop();
    }
  });
  Status outcome = run_until_done(io, syncer.run());
  signals.cancel();
  const auto& c = syncer.counters();
  if (progress && outcome) progress->finish(c.synced, c.synced + c.backlog);
  redis->client->shutdown();
  if (!outcome) {
    spdlog::critical("sync: {}", outcome.error().message);
    return 1;
  }
  spdlog::info(
      "sync: {} entries written to PostgreSQL in {} transactions; {} claimed from a stopped "
      "syncer, {} set aside as dead letters; {} waiting",
      c.synced, c.batches, c.claimed, c.dead_letters, c.backlog);
  return c.dead_letters > 0 ? 1 : 0;
}

}  // namespace tgkeep::app
