// tgkeep: one binary, several commands (see DESIGN.md). main() only parses the command line and
// hands over to the command.
#include <cstring>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "app/data_commands.hpp"
#include "app/import_command.hpp"
#include "app/redis_commands.hpp"
#include "app/run_command.hpp"
#include "app/sandbox_command.hpp"
#include "app/sync_command.hpp"
#include "config/options.hpp"

int main(int argc, char** argv) {
  using namespace tgkeep;
  CLI::App app{"tgkeep: a Telegram bot server that keeps every message", "tgkeep"};
  app.set_version_flag("--version", "tgkeep " TGKEEP_VERSION);
  app.require_subcommand(1, 1);
  app.footer("Run `tgkeep COMMAND --help` for the settings of a command.");

  config::Settings settings;
  auto* run = app.add_subcommand("run", "run the bot: long polling, handlers, replies");
  config::add_run_options(*run, settings);

  auto* migrate = app.add_subcommand("migrate", "apply schema migrations, print the version");
  config::add_storage_options(*migrate, settings);

  std::string import_path;
  auto* importer = app.add_subcommand(
      "import-sqlite",
      "copy a tgkeep SQLite database (the embedded default) into the PostgreSQL of DATABASE_URL");
  config::add_storage_options(*importer, settings);
  importer->add_option("PATH", import_path, "the SQLite file (DATA_DIR/tgkeep.db) or its data dir")
      ->required();

  std::optional<std::int64_t> export_chat;
  std::optional<std::int64_t> export_user;
  auto* exporter = app.add_subcommand("export", "write stored messages as JSON Lines on stdout");
  config::add_storage_options(*exporter, settings);
  exporter->add_option("--chat", export_chat, "only this chat");
  exporter->add_option("--user", export_user, "only this user's messages");
  std::string export_tier;
  exporter
      ->add_option("--tier", export_tier,
                   "read one store: sqlite or postgres (default: the system of record, PostgreSQL "
                   "when DATABASE_URL is set)")
      ->check(CLI::IsMember({"sqlite", "postgres"}));

  std::int64_t history_chat = 0;
  std::size_t history_limit = 20;
  auto* history = app.add_subcommand("history", "print the latest messages of a chat, newest last");
  config::add_storage_options(*history, settings);
  history->add_option("CHAT_ID", history_chat, "the chat")->required();
  history->add_option("--limit", history_limit, "how many messages")
      ->capture_default_str()
      ->check(CLI::Range(1, 1'000'000));
  std::string history_tier;
  history
      ->add_option("--tier", history_tier,
                   "read one tier: sqlite, postgres, or redis (the hot tier alone); default: "
                   "the system of record")
      ->check(CLI::IsMember({"sqlite", "postgres", "redis"}));
  config::add_redis_options(*history, settings);

  std::int64_t tariff_user = 0;
  std::optional<std::string> tariff_name;
  auto* tariff = app.add_subcommand(
      "tariff", "show a user's tariff and quota, or put the user on a tariff (NAME or default)");
  config::add_storage_options(*tariff, settings);
  config::add_redis_options(*tariff, settings);
  tariff->add_option("USER_ID", tariff_user, "the user")->required();
  tariff->add_option("NAME", tariff_name, "a tariff of --tariffs, or default");
  tariff->add_option("--tariffs", settings.tariffs, "the tariffs, as for run")
      ->envname("TGKEEP_TARIFFS")
      ->capture_default_str();

  std::string lexicon_action;
  std::vector<std::string> lexicon_args;
  auto* lexicon = app.add_subcommand(
      "lexicon", "list the bot's text keys and the operator's texts, or set/unset one");
  config::add_storage_options(*lexicon, settings);
  config::add_redis_options(*lexicon, settings);
  lexicon->add_option("ACTION", lexicon_action, "list, set LANG KEY TEXT, or unset LANG KEY")
      ->required()
      ->check(CLI::IsMember({"list", "set", "unset"}));
  lexicon->add_option("ARGS", lexicon_args, "LANG KEY [TEXT]");

  bool sync_once = false;
  auto* syncer = app.add_subcommand(
      "sync", "drain the outbox (Redis) into PostgreSQL, continuously or --once; `run` does it too");
  config::add_storage_options(*syncer, settings);
  config::add_redis_options(*syncer, settings);
  config::add_sync_options(*syncer, settings);
  syncer->add_flag("--once", sync_once, "stop once the backlog is empty, showing progress");

  app::SandboxSettings sandbox_settings;
  auto* sandbox = app.add_subcommand(
      "sandbox", "a local Bot API server with a web chat page, to try tgkeep without Telegram");
  sandbox->add_option("--port", sandbox_settings.port, "port on 127.0.0.1 (0: a free one)")
      ->envname("TGKEEP_SANDBOX_PORT")
      ->capture_default_str();
  sandbox
      ->add_option("--token", sandbox_settings.token,
                   "accept only this bot token (default: any well-formed token)")
      ->envname("TGKEEP_SANDBOX_TOKEN");
  sandbox->add_flag("--verbose", sandbox_settings.verbose, "log every request (tokens masked)");

  std::vector<std::string> args(argv + 1, argv + argc);
  const bool is_run = !args.empty() && args.front() == "run";
  if (auto applied = config::apply_config_file(args, settings, !is_run); !applied) {
    fmt::print(stderr, "tgkeep: {}\n", applied.error().message);
    return 2;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  bool token_from_flag = false;
  for (const auto& arg : args) token_from_flag |= arg == "--token" || arg.starts_with("--token=");

  if (run->parsed()) {
    config::resolve_aliases(settings, *run, token_from_flag);
    return app::run_bot(settings);
  }
  if (sandbox->parsed()) return app::sandbox_command(sandbox_settings);
  if (migrate->parsed()) return app::migrate_command(settings);
  if (syncer->parsed()) return app::sync_command(settings, sync_once);
  if (importer->parsed()) return app::import_sqlite_command(settings, import_path);
  if (exporter->parsed())
    return app::export_command(settings, export_chat, export_user, export_tier);
  if (history->parsed())
    return app::history_command(settings, history_chat, history_limit, history_tier);
  if (tariff->parsed()) return app::tariff_command(settings, tariff_user, tariff_name);
  if (lexicon->parsed()) return app::lexicon_command(settings, lexicon_action, lexicon_args);
  return 2;
}
