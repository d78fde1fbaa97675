#include "config/options.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "util/secret.hpp"

namespace tgkeep::config {
namespace {

template <class T>
CLI::Option* setting(CLI::App& app, const std::string& name, T& field, const std::string& help,
                     const std::string& group) {
  std::string env = "TGKEEP_" + name;
  std::transform(env.begin(), env.end(), env.begin(), [](unsigned char c) {
    return c == '-' ? '_' : static_cast<char>(std::toupper(c));
  });
  return app.add_option("--" + name, field, help)
      ->envname(env)
      ->capture_default_str()
      ->group(group);
}

const char* env_or_null(const char* name) {
  const char* value = std::getenv(name);
  return value && *value ? value : nullptr;
}

}  // namespace

RateLimits Settings::rate_limit_settings() const {
  RateLimits limits;
  limits.enabled = rate_limits != "off";
  limits.global_per_second = rate_global_per_second;
  limits.per_chat_per_second = rate_chat_per_second;
  limits.per_group_per_minute = rate_group_per_minute;
  return limits;
}

void add_storage_options(CLI::App& app, Settings& s) {
  setting(app, "data-dir", s.data_dir, "directory of the embedded database", "Storage");
  setting(app, "log-format", s.log_format, "log lines as text or json", "Logging")
      ->check(CLI::IsMember({"text", "json"}));
  setting(app, "log-level", s.log_level, "trace, debug, info, warn or error", "Logging")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));
  app.add_option("--config", s.config_file, "TOML file with settings (below flags and environment)")
      ->envname("TGKEEP_CONFIG");
}

void add_redis_options(CLI::App& app, Settings& s) {
  const std::string group = "Redis (hot tier)";
  setting(app, "redis-url", s.redis_url,
          "redis:// or rediss:// URL; also REDIS_URL, REDIS_PRIVATE_URL, REDIS_PUBLIC_URL, "
          "REDISHOST+REDISPORT+REDISUSER+REDISPASSWORD (tried in that order)",
          group);
  setting(app, "redis-prefix", s.redis_prefix, "prefix of every Redis key", group);
  setting(app, "redis-timeout", s.redis_timeout_ms, "milliseconds before a Redis command fails",
          group)
      ->check(CLI::Range(10, 60'000));
  setting(app, "redis-connect-timeout", s.redis_connect_timeout_ms,
          "milliseconds to connect, TLS and AUTH included", group)
      ->check(CLI::Range(10, 60'000));
  setting(app, "history-cap", s.history_cap, "messages per chat kept in Redis", group)
      ->check(CLI::Range(1, 10'000));
  setting(app, "history-idle", s.history_idle_seconds,
          "seconds after which an idle chat's history leaves Redis", group)
      ->check(CLI::Range(60, 365 * 24 * 3600));
  setting(app, "profile-ttl", s.profile_ttl_seconds, "seconds a user profile stays cached", group)
      ->check(CLI::Range(1, 7 * 24 * 3600));
}

Result<std::chrono::milliseconds> parse_duration(std::string_view text, std::string_view name) {
  const auto bad = [&] {
    return Error::fatal(fmt::format(
        "{} \"{}\" is not a duration: write e.g. 500ms, 1s, 5m or 1h (a plain number is seconds)",
        name, text.substr(0, 32)));
  };
  std::size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  if (digits == 0 || digits > 9) return bad();
  const long long n = std::stoll(std::string(text.substr(0, digits)));
  const std::string_view unit = text.substr(digits);
  long long ms = 0;
  if (unit.empty() || unit == "s") {
    ms = n * 1000;
  } else if (unit == "ms") {
    ms = n;
  } else if (unit == "m" || unit == "min") {
    ms = n * 60'000;
  } else if (unit == "h") {
    ms = n * 3'600'000;
  } else {
    return bad();
  }
  if (ms < 1 || ms > 24LL * 3'600'000) {
    return Error::fatal(
        fmt::format("{} \"{}\" is out of range: from 1ms to 24h", name, text.substr(0, 32)));
  }
  return std::chrono::milliseconds(ms);
}

void add_sync_options(CLI::App& app, Settings& s) {
  const std::string group = "Outbox sync (Redis -> PostgreSQL)";
  setting(app, "sync-interval", s.sync_interval,
          "longest wait before queued records are written to PostgreSQL (500ms, 1s, 5m, ...)",
          group)
      ->check([](const std::string& value) -> std::string {
        auto parsed = parse_duration(value, "--sync-interval");
        return parsed ? std::string() : parsed.error().message;
      });
  setting(app, "sync-batch", s.sync_batch, "records per PostgreSQL transaction", group)
      ->check(CLI::Range(1, 100'000))
      ->default_str(fmt::format("{} in run, {} in sync", Settings::kBotSyncBatch,
                                Settings::kStandaloneSyncBatch));
}

void add_failover_options(CLI::App& app, Settings& s) {
  const std::string group = "Failover (docs/failover.md)";
  setting(app, "ack", s.ack,
          "where a record is durable before Telegram is told: auto (redis when Redis persists, "
          "else local), redis, local (the spool) or postgres",
          group)
      ->check(CLI::IsMember({"auto", "redis", "local", "postgres"}));
  setting(app, "status-addr", s.status_addr,
          "host:port serving /healthz, /readyz and /metrics (e.g. 127.0.0.1:9090); off when empty",
          "Observability");
  setting(app, "spool-max-mb", s.spool_max_mb,
          "size cap of the local spool in MiB (0: the disk's); past it the spool refuses records",
          group)
      ->check(CLI::Range(0, 1'000'000));
}

void add_run_options(CLI::App& app, Settings& s) {
  const std::string tg = "Telegram";
  app.add_option("--token", s.token,
                 "bot token from @BotFather; env TGKEEP_TOKEN, TELEGRAM_BOT_TOKEN or BOT_TOKEN "
                 "(prefer the environment: flags are visible in ps)")
      ->envname("TELEGRAM_BOT_TOKEN")
      ->group(tg);
  setting(app, "api-url", s.api_url, "Bot API server (env also TELEGRAM_API_URL)", tg);
  setting(app, "api-ca-file", s.api_ca_file, "extra CA certificate for a private Bot API server",
          tg);
  setting(app, "api-connections", s.api_connections, "keep-alive connections for sending", tg)
      ->check(CLI::Range(1, 256));
  setting(app, "api-timeout", s.api_timeout_seconds, "seconds before a Bot API call times out", tg)
      ->check(CLI::Range(1, 600));
  app.add_flag("--delete-webhook", s.delete_webhook,
               "delete a webhook set for this bot at start, so polling works")
      ->envname("TGKEEP_DELETE_WEBHOOK")
      ->group(tg);

  const std::string intake = "Intake";
  setting(app, "poll-timeout", s.poll_timeout_seconds, "long polling timeout in seconds", intake)
      ->check(CLI::Range(0, 50));
  setting(app, "poll-limit", s.poll_limit, "updates per getUpdates call", intake)
      ->check(CLI::Range(1, 100));
  setting(app, "allowed-updates", s.allowed_updates,
          "update types to receive, comma separated (default: Telegram's)", intake)
      ->delimiter(',');
  setting(app, "max-in-flight", s.max_in_flight, "updates queued or being handled at most", intake)
      ->check(CLI::Range(1, 1'000'000));

  add_storage_options(app, s);
  add_redis_options(app, s);
  add_sync_options(app, s);
  add_failover_options(app, s);

  const std::string bot = "Bot";
  setting(app, "engine", s.engine, "reply engine: echo (repeat text) or none (commands only)", bot)
      ->check(CLI::IsMember({"echo", "none"}));
  setting(app, "history-default", s.history_default, "messages /history shows by default", bot)
      ->check(CLI::Range(1, 1000));
  setting(app, "history-max", s.history_max, "messages /history shows at most", bot)
      ->check(CLI::Range(1, 1000));
  setting(app, "reset-confirm", s.reset_confirm_seconds, "seconds to confirm /reset", bot)
      ->check(CLI::Range(1, 3600));
  setting(app, "tariffs", s.tariffs,
          "usage quotas NAME=LIMIT/PERIOD (hour, day, week, month), comma separated; the first "
          "is the default",
          bot);

  const std::string rate = "Rate limits";
  setting(app, "rate-limits", s.rate_limits, "on, or off for fake Bot APIs and benchmarks", rate)
      ->check(CLI::IsMember({"on", "off"}));
  setting(app, "rate-global", s.rate_global_per_second, "messages per second overall", rate)
      ->check(CLI::PositiveNumber);
  setting(app, "rate-chat", s.rate_chat_per_second, "messages per second per chat", rate)
      ->check(CLI::PositiveNumber);
  setting(app, "rate-group", s.rate_group_per_minute, "messages per minute per group", rate)
      ->check(CLI::PositiveNumber);

  setting(app, "shutdown-timeout", s.shutdown_timeout_seconds,
          "seconds to finish in-flight work on SIGTERM", "Process")
      ->check(CLI::Range(0, 3600));
}

Status apply_config_file(const std::vector<std::string>& args, Settings& settings,
                         bool storage_only) {
  std::string path;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--config" && i + 1 < args.size()) path = args[i + 1];
    if (args[i].starts_with("--config=")) path = args[i].substr(9);
  }
  if (path.empty()) {
    if (const char* env = env_or_null("TGKEEP_CONFIG")) path = env;
  }
  if (path.empty()) return Status::success();

  std::ifstream in(path);
  if (!in) return Error::fatal(fmt::format("config file {} cannot be read", path));
  std::vector<CLI::ConfigItem> items;
  try {
    items = CLI::ConfigTOML().from_config(in);
  } catch (const std::exception& e) {
    return Error::fatal(fmt::format("config file {} is not valid TOML: {}", path, e.what()));
  }
  // The file's values are parsed by the same option definitions, so they are checked the same.
  std::vector<std::string> argv;
  for (const auto& item : items) {
    std::string key;
    for (const auto& parent : item.parents) key += parent + "-";
    key += item.name;
    std::replace(key.begin(), key.end(), '_', '-');
    if (key == "config") continue;
    argv.push_back("--" + key);
    for (const auto& input : item.inputs) argv.push_back(input);
  }
  CLI::App file_app;
  if (storage_only) {
    file_app.allow_extras();  // the settings of `run` are not this command's business
    add_storage_options(file_app, settings);
  } else {
    add_run_options(file_app, settings);
  }
  for (auto* option : file_app.get_options()) option->envname("");
  std::reverse(argv.begin(), argv.end());
  try {
    file_app.parse(argv);
  } catch (const CLI::ParseError& e) {
    return Error::fatal(fmt::format("config file {}: {}", path, e.what()));
  }
  if (!settings.token.empty()) settings.token_source = "config file " + path;
  return Status::success();
}

void resolve_aliases(Settings& settings, const CLI::App& app, bool token_from_flag) {
  if (app.get_option("--api-url")->count() == 0) {
    if (const char* url = env_or_null("TELEGRAM_API_URL")) settings.api_url = url;
  }
  // The token's candidates, strongest first; the summary line says which one was taken.
  std::vector<std::pair<std::string, std::string>> candidates;
  if (token_from_flag) candidates.emplace_back("--token", settings.token);
  for (const char* name : {"TGKEEP_TOKEN", "TELEGRAM_BOT_TOKEN", "BOT_TOKEN"}) {
    if (const char* value = env_or_null(name)) candidates.emplace_back(name, value);
  }
  if (candidates.empty()) return;  // from the config file, or none
  settings.token = candidates.front().second;
  settings.token_source = candidates.front().first;
  std::string ignored;
  for (std::size_t i = 1; i < candidates.size(); ++i) {
    if (candidates[i].second != settings.token)
      ignored += (ignored.empty() ? "" : ", ") + candidates[i].first;
  }
  if (!ignored.empty())
    settings.token_source += "; a different token in " + ignored + " is ignored";
}

std::string summary(const Settings& s) {
  std::string allowed = "default";
  if (!s.allowed_updates.empty()) {
    allowed.clear();
    for (const auto& type : s.allowed_updates) allowed += (allowed.empty() ? "" : ",") + type;
  }
  const std::string limits =
      s.rate_limits == "off"
          ? std::string("off")
          : fmt::format("{}/s overall, {}/s per chat, {}/min per group", s.rate_global_per_second,
                        s.rate_chat_per_second, s.rate_group_per_minute);
  return fmt::format(
      "config: api={} token={} ({}) data_dir={} engine={} tariffs={} "
      "poll_timeout={}s poll_limit={} allowed_updates={} max_in_flight={} rate_limits=[{}] "
      "redis_prefix={} redis_timeout={}ms history_cap={} log={}/{} config_file={}",
      mask_url(s.api_url), mask_token(s.token), s.token_source.empty() ? "unset" : s.token_source,
      s.data_dir.string(), s.engine, s.tariffs, s.poll_timeout_seconds, s.poll_limit, allowed,
      s.max_in_flight, limits, s.redis_prefix, s.redis_timeout_ms, s.history_cap, s.log_format,
      s.log_level, s.config_file.empty() ? "none" : s.config_file);
}

}  // namespace tgkeep::config
