// The commands that work on stored data without running the bot: migrate, export, history.
// They write results on stdout and one-line errors on stderr, and return an exit code.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/settings.hpp"
#include "storage/records.hpp"

namespace tgkeep::app {

int migrate_command(const config::Settings& settings);

// `tier`: "" reads the system of record; "sqlite" or "postgres" forces one.
int export_command(const config::Settings& settings, std::optional<std::int64_t> chat_id,
                   std::optional<std::int64_t> user_id, const std::string& tier);

// `tier`: "" reads the system of record; "sqlite" or "postgres" forces one; "redis" reads the
// hot tier alone.
int history_command(const config::Settings& settings, std::int64_t chat_id, std::size_t limit,
                    const std::string& tier);

// Prints messages one per line, oldest first: date, message_id, who, text.
void print_history(const std::vector<storage::MessageRecord>& messages);

}  // namespace tgkeep::app
