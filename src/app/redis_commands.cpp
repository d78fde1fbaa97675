#include "app/redis_commands.hpp"

#include <fmt/format.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "app/data_commands.hpp"
#include "app/logging.hpp"
#include "app/redis_setup.hpp"
#include "app/run_until_done.hpp"
#include "app/system_of_record.hpp"
#include "bot/lexicon.hpp"
#include "hot/hot_tier.hpp"
#include "sqlite/sqlite_store.hpp"
#include "storage/store_awaitable.hpp"
#include "tiers/tiers.hpp"
#include "util/unix_time.hpp"

namespace tgkeep::app {
namespace {

namespace asio = boost::asio;

int fail(std::string_view message) {
  fmt::print(stderr, "tgkeep: {}\n", message);
  return 1;
}

// Everything a command needs: the store, and Redis when configured and answering.
struct Session {
  asio::io_context io{1};
  std::unique_ptr<storage::Store> store;  // the system of record
  std::unique_ptr<redis::Client> client;
  std::optional<hot::HotTier> hot;
  std::optional<tiers::Tiers> tiers;
};

// Opens the session; on failure prints why and returns the exit code.
std::variant<std::unique_ptr<Session>, int> open_session(const config::Settings& settings,
                                                         bool need_store) {
  setup_logging("text", "warn", {});
  auto session = std::make_unique<Session>();
  if (need_store) {
    auto store = open_records(settings, "", false, false);
    if (!store) return fail(store.error().message);
    session->store = std::move(store).value();
  }
  auto connection =
      run_until_done(session->io, connect_redis(session->io.get_executor(), settings));
  if (!connection) return fail(connection.error().message);
  auto keys = hot::HotKeys::with_prefix(settings.redis_prefix);
  if (!keys) return fail(keys.error().message);
  auto tariffs = hot::parse_tariffs(settings.tariffs, "TGKEEP_TARIFFS");
  if (!tariffs) return fail(tariffs.error().message);
  session->client = std::move(connection.value().client);
  if (session->client && connection.value().answering) {
    hot::HotTierOptions options;
    options.history_cap = static_cast<std::size_t>(settings.history_cap);
    session->hot.emplace(*session->client, std::move(keys).value(), options);
  }
  if (session->store) {
    session->tiers.emplace(*session->store, session->hot ? &*session->hot : nullptr,
                           std::move(tariffs).value());
  }
  return session;
}

template <class T>
T run(Session& session, asio::awaitable<T> task) {
  return run_until_done(session.io, std::move(task));
}

void close(Session& session) {
  if (session.client) session.client->shutdown();
  if (session.store) session.store->close();
}

}  // namespace

int hot_history_command(const config::Settings& settings, std::int64_t chat_id, std::size_t limit) {
  auto opened = open_session(settings, false);
  if (auto* code = std::get_if<int>(&opened)) return *code;
  auto& session = *std::get<0>(opened);
  if (!session.client) {
    return fail(
        "Redis is not configured: set REDIS_URL (or TGKEEP_REDIS_URL, REDISHOST...) to "
        "read the hot tier");
  }
  if (!session.hot) return fail("Redis does not answer (see above); nothing to read");
  if (limit > static_cast<std::size_t>(settings.history_cap)) {
    return fail(fmt::format("the hot tier keeps at most {} messages per chat (--history-cap)",
                            settings.history_cap));
  }
  auto history = run(session, session.hot->history(chat_id, limit));
  close(session);
  if (!history) return fail(history.error().message);
  if (!history->present) {
    fmt::print(stderr,
               "tgkeep: Redis holds no history of chat {} (filled by the bot's first read of it, "
               "dropped after {} s idle)\n",
               chat_id, settings.history_idle_seconds);
    return 0;
  }
  print_history(history->messages);
  return 0;
}

int tariff_command(const config::Settings& settings, std::int64_t user_id,
                   std::optional<std::string> tariff) {
  auto opened = open_session(settings, true);
  if (auto* code = std::get_if<int>(&opened)) return *code;
  auto& session = *std::get<0>(opened);
  if (tariff) {
    if (*tariff == "default") tariff->clear();
    if (!tariff->empty() && session.tiers->tariff_named(*tariff).name != *tariff) {
      close(session);
      return fail(
          fmt::format("no tariff \"{}\" in TGKEEP_TARIFFS ({})", *tariff, settings.tariffs));
    }
    auto set = storage::await_result<bool>(
        [&](auto done) { session.store->set_user_tariff(user_id, *tariff, std::move(done)); });
    auto changed = run(session, std::move(set));
    if (!changed) {
      close(session);
      return fail(changed.error().message);
    }
    if (!*changed) {
      close(session);
      return fail(fmt::format("user {} has never written to the bot", user_id));
    }
    if (session.hot) {
      auto dropped = run(session, session.hot->drop_profile(user_id));
      if (!dropped) {
        fmt::print(stderr,
                   "tgkeep: warning: the cached profile stays in Redis until it expires "
                   "({} s): {}\n",
                   settings.profile_ttl_seconds, dropped.error().message);
      }
    }
  }
  auto quota = run(session, session.tiers->quota(user_id, unix_now()));
  close(session);
  if (!quota) return fail(quota.error().message);
  fmt::print("user {}: tariff {} ({}/{}), {} used, {} left, renews {} UTC\n", user_id,
             quota->tariff, quota->limit, hot::period_name(quota->period), quota->used,
             std::max<std::int64_t>(0, quota->limit - quota->used), utc_minute(quota->resets_at));
  return 0;
}

int lexicon_command(const config::Settings& settings, const std::string& action,
                    const std::vector<std::string>& args) {
  const bool listing = action == "list";
  if (!listing &&
      !((action == "set" && args.size() == 3) || (action == "unset" && args.size() == 2))) {
    return fail("usage: tgkeep lexicon list | set LANG KEY TEXT | unset LANG KEY");
  }
  auto opened = open_session(settings, true);
  if (auto* code = std::get_if<int>(&opened)) return *code;
  auto& session = *std::get<0>(opened);
  if (!listing) {
    const auto& keys = bot::text::all_keys;
    if (std::find(keys.begin(), keys.end(), args[1]) == keys.end()) {
      close(session);
      return fail(
          fmt::format("\"{}\" is not a lexicon key; `tgkeep lexicon list` shows them", args[1]));
    }
    storage::LexiconText entry{args[0], args[1], action == "set" ? args[2] : std::string()};
    auto set = storage::await_status(
        [&](auto done) { session.store->set_lexicon_text(std::move(entry), std::move(done)); });
    auto stored = run(session, std::move(set));
    if (!stored) {
      close(session);
      return fail(stored.error().message);
    }
    if (session.hot) {
      auto bumped = run(session, session.hot->bump_lexicon_version());
      if (!bumped) {
        fmt::print(stderr,
                   "tgkeep: warning: running instances learn of it within 10 s only "
                   "once Redis answers: {}\n",
                   bumped.error().message);
      }
    }
  }
  auto texts = run(session, storage::await_result<std::vector<storage::LexiconText>>(
                                [&](auto done) { session.store->lexicon_texts(std::move(done)); }));
  close(session);
  if (!texts) return fail(texts.error().message);
  if (listing) {
    std::string keys;
    for (auto key : bot::text::all_keys) keys += (keys.empty() ? "" : " ") + std::string(key);
    fmt::print("keys: {}\n", keys);
  }
  fmt::print("{} text(s) set by the operator{}\n", texts->size(), texts->empty() ? "" : ":");
  for (const auto& t : *texts) fmt::print("{} {}: {}\n", t.language, t.key, t.text);
  return 0;
}

}  // namespace tgkeep::app
