// Settings: everything `tgkeep run` can be told, with its defaults.
// Precedence: flags > environment (TGKEEP_<NAME>, plus platform names such as
// TELEGRAM_BOT_TOKEN) > the optional TOML file given by --config > these defaults.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "util/rate_limiter.hpp"

namespace tgkeep::config {

struct Settings {
  // Telegram
  std::string token;         // secret
  std::string token_source;  // which variable or flag gave it, for the start-up summary
  std::string api_url = "https://api.telegram.org";
  std::string api_ca_file;
  int api_connections = 8;
  int api_timeout_seconds = 10;
  bool delete_webhook = false;

  // Intake
  int poll_timeout_seconds = 25;
  int poll_limit = 100;
  std::vector<std::string> allowed_updates;
  int max_in_flight = 1000;

  // Storage
  std::filesystem::path data_dir = "./data";

  // Redis, the hot tier. Where it is comes from the environment as platforms set it
  // (TGKEEP_REDIS_URL, REDIS_URL, REDIS_PRIVATE_URL, REDIS_PUBLIC_URL, REDISHOST...; see
  // config/redis_candidates.hpp); --redis-url counts as TGKEEP_REDIS_URL.
  std::string redis_url;  // secret (may hold a password)
  std::string redis_prefix = "tgkeep";
  int redis_timeout_ms = 500;
  int redis_connect_timeout_ms = 3000;
  int history_cap = 200;
  int history_idle_seconds = 7 * 24 * 3600;
  int profile_ttl_seconds = 300;

  // Outbox sync (docs/outbox.md): Redis -> PostgreSQL
  std::string sync_interval = "1s";  // a duration: 500ms, 1s, 5m (parse_duration)
  // Entries per PostgreSQL transaction; 0: the command's own. Inside the bot a batch's entries
  // cost the bot's memory; a standalone `tgkeep sync` drains a backlog faster with fewer, larger
  // transactions (one commit and one upsert per user per batch).
  int sync_batch = 0;
  static constexpr int kBotSyncBatch = 1000;
  static constexpr int kStandaloneSyncBatch = 10000;

  // Failover (docs/failover.md)
  std::string ack = "auto";  // auto | redis | local | postgres (TGKEEP_ACK)
  int spool_max_mb = 0;      // 0: as large as the disk allows

  // Bot
  std::string engine = "echo";
  std::string tariffs = "free=30/day";  // NAME=LIMIT/PERIOD,...; the first is the default
  int history_default = 10;
  int history_max = 100;
  int reset_confirm_seconds = 60;

  // Outgoing rate limits
  std::string rate_limits = "on";  // on | off
  double rate_global_per_second = 30;
  double rate_chat_per_second = 1;
  double rate_group_per_minute = 20;

  // Process
  std::string status_addr;  // host:port of /healthz, /readyz, /metrics; empty: off
  int shutdown_timeout_seconds = 10;
  std::string log_format = "text";  // text | json
  std::string log_level = "info";
  std::string config_file;

  RateLimits rate_limit_settings() const;
};

}  // namespace tgkeep::config
