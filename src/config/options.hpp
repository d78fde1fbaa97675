// Binds Settings to command-line options and environment variables (CLI11), and applies the
// optional TOML config file beneath them. Every setting has a flag `--name` and a variable
// `TGKEEP_NAME`; `tgkeep run --help` lists them all.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/App.hpp>

#include "config/settings.hpp"
#include "util/result.hpp"

namespace tgkeep::config {

// Adds every `run` setting to `app`, bound to `settings`.
void add_run_options(CLI::App& app, Settings& settings);

// Adds the Redis settings (also part of add_run_options).
void add_redis_options(CLI::App& app, Settings& settings);

// Adds the outbox sync settings (also part of add_run_options): --sync-interval, --sync-batch.
void add_sync_options(CLI::App& app, Settings& settings);
// TGKEEP_ACK and the local spool (docs/failover.md).
void add_failover_options(CLI::App& app, Settings& s);

// A duration as operators write it: "250ms", "1s", "5m", "1h", or a plain number of seconds.
[[nodiscard]] Result<std::chrono::milliseconds> parse_duration(std::string_view text,
                                                               std::string_view name);

// Adds the settings that commands reading stored data share (--data-dir, logging).
void add_storage_options(CLI::App& app, Settings& settings);

// Reads the TOML file named by --config / TGKEEP_CONFIG in `args` or the environment, if any, and
// stores its values into `settings` (before flags and environment are parsed over them). Unknown
// keys and bad values are errors naming the file and the key.
[[nodiscard]] Status apply_config_file(const std::vector<std::string>& args, Settings& settings,
                                       bool storage_only);

// Fills what CLI11 cannot express after `app` parsed: the aliases TELEGRAM_API_URL (below
// --api-url and TGKEEP_API_URL) and BOT_TOKEN (below TELEGRAM_BOT_TOKEN), and the token's source.
void resolve_aliases(Settings& settings, const CLI::App& app, bool token_from_flag);

// One line that sums up the effective configuration, every secret masked.
std::string summary(const Settings& settings);

}  // namespace tgkeep::config
