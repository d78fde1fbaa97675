#include "app/run_command.hpp"

#include <csignal>
#include <cstdlib>
#include <functional>
#include <optional>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "app/ack_point.hpp"
#include "app/logging.hpp"
#include "app/pg_commands.hpp"
#include "app/redis_setup.hpp"
#include "app/run_until_done.hpp"
#include "app/status_server.hpp"
#include "app/sync_command.hpp"
#include "app/sync_service.hpp"
#include "app/system_of_record.hpp"
#include "bot/api_caller.hpp"
#include "bot/bot.hpp"
#include "bot/chat_dispatcher.hpp"
#include "bot/intake.hpp"
#include "bot/lexicon_cache.hpp"
#include "bot/reply_engine.hpp"
#include "bot/reply_sender.hpp"
#include "config/database_url.hpp"
#include "config/options.hpp"
#include "hot/hot_tier.hpp"
#include "net/bot_api.hpp"
#include "net/http_client.hpp"
#include "spool/spool.hpp"
#include "spool/spool_drainer.hpp"
#include "storage/store_awaitable.hpp"
#include "telegram/requests.hpp"
#include "telegram/update_parser.hpp"
#include "tiers/tiers.hpp"
#include "util/secret.hpp"

namespace tgkeep::app {
namespace {

namespace asio = boost::asio;

constexpr const char* kNoToken =
    "tgkeep: no bot token. Create a bot with @BotFather in Telegram (send /newbot) and set "
    "TELEGRAM_BOT_TOKEN=<token>. To run without Telegram, point TELEGRAM_API_URL at a local Bot "
    "API server (e.g. TELEGRAM_API_URL=http://127.0.0.1:8081) and use any token of the form "
    "123456:ABC...";

// Everything the bot is made of, in dependency order (destroyed in reverse).
struct Components {
  Components(asio::io_context& io, const config::Settings& s, tiers::Tiers& tiers_,
             std::unique_ptr<net::HttpClient> poll_http, std::unique_ptr<net::HttpClient> send_http,
             std::unique_ptr<bot::ReplyEngine> engine_)
      : settings(s),
        tiers(tiers_),
        stop(io.get_executor()),
        poll_client(std::move(poll_http)),
        send_client(std::move(send_http)),
        poll_api(*poll_client, s.token),
        send_api(*send_client, s.token),
        limiter(s.rate_limit_settings()),
        poll_caller(poll_api, stop, BackoffPolicy{}, nullptr, "polling"),
        send_caller(send_api, stop, BackoffPolicy{}, &limiter, "sending"),
        engine(std::move(engine_)),
        replies(tiers, send_caller, limiter,
                bot::ReplyOptions{std::chrono::seconds(s.api_timeout_seconds), 5}),
        bot(bot::BotOptions{"", static_cast<std::size_t>(s.history_default),
                            static_cast<std::size_t>(s.history_max),
                            std::chrono::seconds(s.reset_confirm_seconds)},
            lexicon, *engine, tiers, replies, send_caller),
        dispatcher(io.get_executor(), static_cast<std::size_t>(s.max_in_flight),
                   [this](telegram::Update u) { return bot.handle(std::move(u)); }),
        intake(bot::IntakeOptions{s.poll_limit, s.poll_timeout_seconds, s.allowed_updates},
               poll_caller, tiers, bot, dispatcher, stop) {
    stop.on_stop([this] { poll_client->shutdown(); });
  }

  const config::Settings& settings;
  tiers::Tiers& tiers;
  bot::StopSignal stop;
  std::unique_ptr<net::HttpClient> poll_client;
  std::unique_ptr<net::HttpClient> send_client;
  net::BotApi poll_api;
  net::BotApi send_api;
  RateLimiter limiter;
  bot::ApiCaller poll_caller;
  bot::ApiCaller send_caller;
  bot::LexiconCache lexicon;
  std::unique_ptr<bot::ReplyEngine> engine;
  bot::ReplySender replies;
  bot::Bot bot;
  bot::ChatDispatcher dispatcher;
  bot::Intake intake;
};

// getMe until it answers: proves the token and learns the bot's username.
asio::awaitable<Status> introduce(Components& c) {
  bot::CallPolicy policy;
  policy.max_attempts = 0;
  auto reply = co_await c.poll_caller.call("getMe", "{}", policy);
  if (reply.outcome == net::ApiOutcome::unauthorized) {
    co_return Error::fatal(fmt::format(
        "the bot token was rejected by {} ({} {}): token {} from {}. Check the token; @BotFather "
        "in Telegram shows it (/mybots) or issues a new one",
        mask_url(c.settings.api_url), reply.error_code, reply.description,
        mask_token(c.settings.token), c.settings.token_source));
  }
  if (!reply.ok()) {
    if (c.stop.stopping()) co_return Status::success();
    co_return Error::fatal(fmt::format("getMe failed: {}", reply.description));
  }
  telegram::UpdateParser parser;
  auto envelope = parser.parse_envelope(reply.body);
  auto me = envelope ? parser.parse_user(envelope->result_json)
                     : Result<telegram::User>(envelope.error());
  if (!me)
    co_return Error::fatal("getMe answered something that is not a bot: " + me.error().message);
  c.bot.set_username(me->username);
  spdlog::info("bot @{} (id {}) connected to {}", me->username, me->id,
               mask_url(c.settings.api_url));

  if (c.settings.delete_webhook) {
    bot::CallPolicy once;
    auto deleted =
        co_await c.poll_caller.call("deleteWebhook", telegram::delete_webhook_body(false), once);
    if (!deleted.ok()) co_return Error::fatal("deleteWebhook failed: " + deleted.description);
    spdlog::info("webhook deleted (--delete-webhook); polling for updates");
  }
  co_return Status::success();
}

// The outbox of this run, when records go through Redis to PostgreSQL; and the failover parts
// (docs/failover.md) when PostgreSQL is the system of record.
struct OutboxParts {
  sync::OutboxStream* stream = nullptr;
  SyncService* service = nullptr;
  spool::Spool* spool = nullptr;
  spool::SpoolDrainer* drainer = nullptr;
};

// Before resuming interrupted work from PostgreSQL, lets a queue bound for it (the outbox's
// syncer, the spool's drainer) write what it holds from before this start, so that this work is
// found there; up to 30 s. `waiting` counts what the queue holds (0 once empty or unknown);
// `wake` asks its writer to hurry.
asio::awaitable<void> wait_drained(std::string_view queue, std::string_view things,
                                   std::function<asio::awaitable<std::uint64_t>()> waiting,
                                   std::function<void()> wake, bot::StopSignal& stop) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  bool announced = false;
  while (!stop.stopping()) {
    const std::uint64_t left = co_await waiting();
    if (left == 0) co_return;
    if (!announced) {
      spdlog::info("{}: writing {} waiting {} to PostgreSQL before resuming", queue, left, things);
      announced = true;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      spdlog::warn(
          "{}: {} {} still wait after 30 s; polling starts, and updates among them whose "
          "handling was interrupted are resumed at the next start",
          queue, left, things);
      co_return;
    }
    if (wake) wake();
    co_await stop.sleep(std::chrono::milliseconds(50));
  }
}

asio::awaitable<void> drain_before_resuming(OutboxParts parts, bot::StopSignal& stop) {
  if (parts.stream) {
    sync::OutboxStream& stream = *parts.stream;
    co_await wait_drained(
        "outbox", "entries",
        [&stream]() -> asio::awaitable<std::uint64_t> {
          auto backlog = co_await stream.backlog();
          co_return backlog ? backlog->entries : 0;
        },
        [service = parts.service] { service->wake(); }, stop);
  }
  if (parts.spool && !stop.stopping()) {
    spool::Spool& spool = *parts.spool;
    co_await wait_drained(
        "spool", "records",
        [&spool]() -> asio::awaitable<std::uint64_t> { co_return spool.rows(); }, nullptr, stop);
  }
}

asio::awaitable<void> run_and_stop(asio::io_context& io, Components& c, storage::Store& store,
                                   redis::Client* redis_client, OutboxParts outbox,
                                   int& exit_code) {
  co_await c.lexicon.reload(c.tiers);
  asio::co_spawn(io, c.lexicon.watch(c.tiers, c.stop), asio::detached);
  if (outbox.drainer) asio::co_spawn(io, outbox.drainer->run(), asio::detached);
  Status status = co_await introduce(c);
  if (status && !c.stop.stopping()) co_await drain_before_resuming(outbox, c.stop);
  if (status && !c.stop.stopping()) status = co_await c.intake.resume_unhandled();
  if (status && !c.stop.stopping()) {
    spdlog::info("polling for updates (timeout {} s, limit {})", c.settings.poll_timeout_seconds,
                 c.settings.poll_limit);
    status = co_await c.intake.run();
  }
  if (!status) {
    spdlog::critical("{}", status.error().message);
    exit_code = 1;
  }
  c.stop.request_stop();

  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(c.settings.shutdown_timeout_seconds);
  if (c.dispatcher.in_flight() > 0) {
    spdlog::info("finishing {} updates in flight (up to {} s)", c.dispatcher.in_flight(),
                 c.settings.shutdown_timeout_seconds);
  }
  if (!co_await c.dispatcher.drain(deadline)) {
    spdlog::warn(
        "{} updates were still in flight at the deadline; they are stored and will be "
        "handled at the next start",
        c.dispatcher.in_flight());
  }
  auto flushed = co_await storage::await_status([&](auto done) { store.flush(std::move(done)); });
  if (!flushed) spdlog::error("final commit failed: {}", flushed.error().message);
  const auto& counters = c.intake.counters();
  const auto& sent = c.replies.counters();
  spdlog::info(
      "stopped: {} updates received, {} stored, {} duplicates skipped, {} malformed "
      "replies, {} replies sent, {} failed, {} re-sent after a crash, {} not sent again (fate "
      "unknown after a re-send)",
      counters.received, counters.stored, counters.duplicates, counters.malformed_replies,
      sent.sent, sent.failed, sent.resent, sent.skipped_unknown);
  if (outbox.drainer) outbox.drainer->stop();
  if (outbox.spool && outbox.spool->rows() > 0) {
    spdlog::warn("spool: {} records wait in {} for PostgreSQL; the next start writes them",
                 outbox.spool->rows(), outbox.spool->file().string());
  }
  if (outbox.service) {
    outbox.service->stop();  // writes what it holds; the rest waits in Redis for the next syncer
    const auto synced = outbox.service->counters();
    spdlog::info("outbox: {} entries synced to PostgreSQL during this run, {} waiting",
                 synced.synced, synced.backlog);
  }
  c.send_client->shutdown();
  if (redis_client) redis_client->shutdown();
  io.stop();
}

}  // namespace

int run_bot(const config::Settings& settings) {
  if (settings.token.empty()) {
    fmt::print(stderr, "{}\n", kNoToken);
    return 2;
  }
  setup_logging(settings.log_format, settings.log_level, {settings.token});
  spdlog::info("tgkeep {} starting", TGKEEP_VERSION);
  spdlog::info("{}", config::summary(settings));

  auto url = net::parse_http_url(settings.api_url, "TELEGRAM_API_URL");
  if (!url) {
    spdlog::critical("{}", url.error().message);
    return 2;
  }
  auto engine = bot::make_reply_engine(settings.engine);
  if (!engine) {
    spdlog::critical("{}", engine.error().message);
    return 2;
  }
  auto store = open_records(settings, "", false, true);
  if (!store) {
    spdlog::critical("storage: {}", store.error().message);
    return store.error().kind == ErrorKind::fatal ? 2 : 1;
  }

  auto tariffs = hot::parse_tariffs(settings.tariffs, "TGKEEP_TARIFFS");
  if (!tariffs) {
    spdlog::critical("{}", tariffs.error().message);
    return 2;
  }
  auto keys = hot::HotKeys::with_prefix(settings.redis_prefix);
  if (!keys) {
    spdlog::critical("{}", keys.error().message);
    return 2;
  }

  asio::io_context io(1);
  auto redis_connection = run_until_done(io, connect_redis(io.get_executor(), settings));
  if (!redis_connection) {
    spdlog::critical("{}", redis_connection.error().message);
    return 2;
  }
  std::unique_ptr<redis::Client> redis_client = std::move(redis_connection.value().client);
  std::optional<hot::HotTier> hot_tier;
  if (redis_client) {
    hot::HotTierOptions hot_options;
    hot_options.history_cap = static_cast<std::size_t>(settings.history_cap);
    hot_options.history_idle = std::chrono::seconds(settings.history_idle_seconds);
    hot_options.profile_ttl = std::chrono::seconds(settings.profile_ttl_seconds);
    hot_tier.emplace(*redis_client, std::move(keys).value(), hot_options);
  }
  tiers::Tiers tiers(**store, hot_tier ? &*hot_tier : nullptr, std::move(tariffs).value());

  // Redis and PostgreSQL both configured: records go through the outbox (docs/outbox.md).
  std::optional<sync::OutboxStream> outbox_stream;
  std::unique_ptr<SyncService> sync_service;
  auto database = config::database_config(config::process_environment());
  if (hot_tier && database && *database) {
    auto sync_options = syncer_options(settings, /*standalone=*/false);
    if (!sync_options) {
      spdlog::critical("{}", sync_options.error().message);
      return 2;
    }
    auto started =
        SyncService::start(redis_connection.value().options, hot_tier->keys(), *sync_options);
    if (!started) {
      spdlog::critical("sync: {}", started.error().message);
      return 2;
    }
    sync_service = std::move(started).value();
    outbox_stream.emplace(*redis_client, hot_tier->keys());
    SyncService* service = sync_service.get();
    tiers.use_outbox(&*outbox_stream, [service] { service->wake(); });
    spdlog::info(
        "outbox: records go to Redis first ({}) and on to PostgreSQL within {} (up to {} per "
        "transaction)",
        hot_tier->keys().outbox_stream(), settings.sync_interval, sync_options->batch);
  }

  // PostgreSQL the system of record: the write chain fails over to a local spool.
  auto ack =
      run_until_done(io, choose_ack_point(settings.ack, redis_client.get(), database && *database));
  if (!ack) {
    spdlog::critical("{}", ack.error().message);
    return 2;
  }
  health::Health health;
  std::optional<tiers::WriteRoute> route;
  std::unique_ptr<spool::Spool> spool;
  std::optional<spool::SpoolDrainer> drainer;
  if (database && *database) {
    spool::Options spool_options;
    spool_options.data_dir = settings.data_dir;
    spool_options.max_bytes = static_cast<std::int64_t>(settings.spool_max_mb) * 1024 * 1024;
    auto opened = spool::Spool::open(spool_options);
    if (!opened) {
      spdlog::critical("spool: {}", opened.error().message);
      return 2;
    }
    spool = std::move(opened).value();
    route.emplace(*ack, outbox_stream.has_value(), true, health);
    tiers.use_failover(&*route, spool.get());
    spool::DrainerOptions drainer_options;
    drainer_options.postgres.conninfo = (*database)->conninfo;
    drainer_options.postgres.where = describe_database(**database);
    redis::Client* client = redis_client.get();
    drainer.emplace(
        io.get_executor(), *spool, *route, outbox_stream ? &*outbox_stream : nullptr,
        [client] { return client && client->connected(); }, drainer_options);
    spdlog::info("spool: {} ({} records waiting{})", spool->file().string(), spool->rows(),
                 settings.spool_max_mb > 0
                     ? fmt::format(", capped at {} MiB", settings.spool_max_mb)
                     : std::string());
  }

  tiers.health().has_redis = redis_client != nullptr;
  tiers.health().has_postgres = database && *database;
  std::unique_ptr<StatusServer> status_server;
  if (!settings.status_addr.empty()) {
    StatusPages pages;
    pages.ready = [&tiers] { return !tiers.holding(); };
    pages.metrics = [&tiers, spool = spool.get()] {
      std::string text = tiers.health().metrics_text();
      text += fmt::format(
          "# HELP tgkeep_spool_records Records waiting in the local spool for PostgreSQL.\n"
          "# TYPE tgkeep_spool_records gauge\ntgkeep_spool_records {}\n"
          "# HELP tgkeep_write_chain_holding 1 while no tier takes records (updates wait).\n"
          "# TYPE tgkeep_write_chain_holding gauge\ntgkeep_write_chain_holding {}\n",
          spool ? spool->rows() : 0, tiers.holding() ? 1 : 0);
      return text;
    };
    auto started = StatusServer::start(io.get_executor(), settings.status_addr, std::move(pages));
    if (!started) {
      spdlog::critical("{}", started.error().message);
      return 2;
    }
    status_server = std::move(started).value();
    spdlog::info("status: http://{}/metrics, /readyz, /healthz", settings.status_addr);
  }

  net::HttpClientOptions poll_options{*url, settings.api_ca_file, 1, std::chrono::seconds(10)};
  net::HttpClientOptions send_options{*url, settings.api_ca_file,
                                      static_cast<std::size_t>(settings.api_connections),
                                      std::chrono::seconds(10)};
  auto poll_http = net::HttpClient::create(io.get_executor(), poll_options);
  auto send_http = net::HttpClient::create(io.get_executor(), send_options);
  if (!poll_http || !send_http) {
    spdlog::critical("{}", (!poll_http ? poll_http.error() : send_http.error()).message);
    return 2;
  }
  int exit_code = 0;
  {
    Components components(io, settings, tiers, std::move(poll_http.value()),
                          std::move(send_http.value()), std::move(engine.value()));
    asio::signal_set signals(io, SIGINT, SIGTERM);
    int signals_seen = 0;
    std::function<void(const boost::system::error_code&, int)> on_signal =
        [&](const boost::system::error_code& ec, int signal) {
          if (ec) return;
          if (++signals_seen == 1) {
            spdlog::info("{} received: stopping", signal == SIGTERM ? "SIGTERM" : "SIGINT");
            components.stop.request_stop();
            signals.async_wait(on_signal);
            tiers.set_stopping([&components] { return components.stop.stopping(); });
          } else {
            spdlog::warn("second signal: stopping now");
            io.stop();
          }
        };
    signals.async_wait(on_signal);
    OutboxParts outbox{outbox_stream ? &*outbox_stream : nullptr, sync_service.get(), spool.get(),
                       drainer ? &*drainer : nullptr};
    asio::co_spawn(io, run_and_stop(io, components, **store, redis_client.get(), outbox, exit_code),
                   asio::detached);
    io.run();
  }
  (*store)->close();
  if (spool) spool->close();
  spdlog::info("tgkeep stopped");
  return exit_code;
}

}  // namespace tgkeep::app
