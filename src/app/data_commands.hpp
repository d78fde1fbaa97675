// The commands that work on stored data without running the bot: migrate, export, history.
// They write results on stdout and one-line errors on stderr, and return an exit code.
#pragma once

#include <cstdint>
#include <optional>

#include "config/settings.hpp"

namespace tgkeep::app {

int migrate_command(const config::Settings& settings);

int export_command(const config::Settings& settings, std::optional<std::int64_t> chat_id,
                   std::optional<std::int64_t> user_id);

int history_command(const config::Settings& settings, std::int64_t chat_id, std::size_t limit);

}  // namespace tgkeep::app
