#include "app/data_commands.hpp"

#include <cstdio>
#include <cstdlib>
#include <future>
#include <string>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include "app/pg_commands.hpp"
#include "app/redis_commands.hpp"
#include "app/system_of_record.hpp"
#include "config/database_url.hpp"
#include "sqlite/sqlite_store.hpp"
#include "util/json_writer.hpp"

namespace tgkeep::app {
namespace {

// Runs one asynchronous store operation to completion on this thread.
template <class T, class Start>
Result<T> wait_for(Start start) {
  std::promise<Result<T>> promise;
  auto future = promise.get_future();
  start([&promise](Result<T> result) { promise.set_value(std::move(result)); });
  return future.get();
}

Status wait_status(auto start) {
  std::promise<Status> promise;
  auto future = promise.get_future();
  start([&promise](Status status) { promise.set_value(std::move(status)); });
  return future.get();
}

Result<std::unique_ptr<sqlite::SqliteStore>> open_sqlite(const config::Settings& settings) {
  sqlite::SqliteStore::Options options;
  options.data_dir = settings.data_dir;
  return sqlite::SqliteStore::open(options);
}

int fail(const Error& error) {
  fmt::print(stderr, "tgkeep: {}\n", error.message);
  return 1;
}

void write_json_line(std::FILE* out, const storage::MessageRecord& m) {
  JsonWriter json;
  json.begin_object();
  json.key("chat_id");
  json.value(m.chat_id);
  json.key("message_id");
  m.message_id ? json.value(*m.message_id) : json.null();
  json.key("user_id");
  m.user_id ? json.value(*m.user_id) : json.null();
  json.key("role");
  json.value(storage::role_name(m.role));
  json.key("text");
  json.value(m.text);
  json.key("date");
  json.value(m.date);
  json.key("update_id");
  m.update_id ? json.value(*m.update_id) : json.null();
  json.key("edited");
  json.value(m.edited);
  if (m.edit_date) {
    json.key("edit_date");
    json.value(*m.edit_date);
  }
  if (m.role == storage::Role::assistant) {
    json.key("status");
    json.value(storage::reply_status_name(m.status));
  }
  json.end_object();
  std::fwrite(json.str().data(), 1, json.str().size(), out);
  std::fputc('\n', out);
}

}  // namespace

int migrate_command(const config::Settings& settings) {
  auto store = open_sqlite(settings);
  if (!store) return fail(store.error());
  fmt::print("tgkeep: {} is at schema version {}\n", (settings.data_dir / "tgkeep.db").string(),
             (*store)->schema_version());
  (*store)->close();
  auto database = config::database_config(config::process_environment());
  if (!database) return fail(database.error());
  if (!*database) return 0;
  return migrate_postgres(**database);
}

int export_command(const config::Settings& settings, std::optional<std::int64_t> chat_id,
                   std::optional<std::int64_t> user_id, const std::string& tier) {
  auto store = open_records(settings, tier, true, false);
  if (!store) return fail(store.error());
  std::size_t rows = 0;
  auto status = wait_status([&](auto done) {
    (*store)->export_messages(
        storage::ExportFilter{chat_id, user_id},
        [&rows](const storage::MessageRecord& m) {
          write_json_line(stdout, m);
          ++rows;
        },
        std::move(done));
  });
  std::fflush(stdout);
  (*store)->close();
  if (!status) return fail(status.error());
  fmt::print(stderr, "tgkeep: exported {} messages\n", rows);
  return 0;
}

int history_command(const config::Settings& settings, std::int64_t chat_id, std::size_t limit,
                    const std::string& tier) {
  if (tier == "redis") return hot_history_command(settings, chat_id, limit);
  auto store = open_records(settings, tier, true, false);
  if (!store) return fail(store.error());
  auto messages = wait_for<std::vector<storage::MessageRecord>>(
      [&](auto done) { (*store)->recent_messages(chat_id, limit, std::move(done)); });
  (*store)->close();
  if (!messages) return fail(messages.error());
  if (messages->empty()) fmt::print(stderr, "tgkeep: no stored messages in chat {}\n", chat_id);
  print_history(*messages);
  return 0;
}

void print_history(const std::vector<storage::MessageRecord>& messages) {
  for (const auto& m : messages) {
    const auto when = fmt::gmtime(static_cast<std::time_t>(m.date));
    const std::string who = m.role == storage::Role::user
                                ? fmt::format("user {}", m.user_id ? *m.user_id : 0)
                                : std::string("bot");
    std::string text = m.text;
    for (auto& c : text) {
      if (c == '\n') c = ' ';
    }
    fmt::print("{:%Y-%m-%d %H:%M:%S} #{} {}: {}{}\n", when,
               m.message_id ? std::to_string(*m.message_id) : std::string("-"), who, text,
               m.edited ? " (edited)" : "");
  }
}

}  // namespace tgkeep::app
