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

  // Bot
  std::string engine = "echo";
  int history_default = 10;
  int history_max = 100;
  int reset_confirm_seconds = 60;

  // Outgoing rate limits
  std::string rate_limits = "on";  // on | off
  double rate_global_per_second = 30;
  double rate_chat_per_second = 1;
  double rate_group_per_minute = 20;

  // Process
  int shutdown_timeout_seconds = 10;
  std::string log_format = "text";  // text | json
  std::string log_level = "info";
  std::string config_file;

  RateLimits rate_limit_settings() const;
};

}  // namespace tgkeep::config
