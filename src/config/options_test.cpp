#include "config/options.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <CLI/CLI.hpp>

namespace tgkeep::config {
namespace {

// Parses `args` (without the program name) the way main() does for `run`.
Settings parse(std::vector<std::string> args) {
  Settings settings;
  EXPECT_TRUE(apply_config_file(args, settings, false).ok());
  CLI::App app;
  add_run_options(app, settings);
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  app.parse(reversed);
  bool token_flag = false;
  for (const auto& a : args) token_flag |= a.starts_with("--token");
  resolve_aliases(settings, app, token_flag);
  return settings;
}

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : {"TGKEEP_ENGINE", "TGKEEP_POLL_TIMEOUT", "TELEGRAM_BOT_TOKEN",
                             "BOT_TOKEN", "TGKEEP_TOKEN", "TELEGRAM_API_URL", "TGKEEP_API_URL",
                             "TGKEEP_CONFIG", "TGKEEP_DATA_DIR", "TGKEEP_ALLOWED_UPDATES"}) {
      unsetenv(name);
    }
    dir_ = std::filesystem::temp_directory_path() / ("tgkeep-config-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string write_toml(const std::string& text) {
    auto path = dir_ / "tgkeep.toml";
    std::ofstream(path) << text;
    return path.string();
  }

  std::filesystem::path dir_;
};

TEST_F(ConfigTest, Defaults) {
  auto s = parse({});
  EXPECT_EQ(s.engine, "echo");
  EXPECT_EQ(s.poll_timeout_seconds, 25);
  EXPECT_EQ(s.poll_limit, 100);
  EXPECT_EQ(s.api_url, "https://api.telegram.org");
  EXPECT_EQ(s.data_dir, "./data");
}

TEST_F(ConfigTest, FlagsBeatEnvironmentBeatsFileBeatsDefaults) {
  auto file = write_toml("engine = \"none\"\npoll_timeout = 7\npoll-limit = 50\n");
  auto from_file = parse({"--config", file});
  EXPECT_EQ(from_file.engine, "none");
  EXPECT_EQ(from_file.poll_timeout_seconds, 7);
  EXPECT_EQ(from_file.poll_limit, 50);

  setenv("TGKEEP_POLL_TIMEOUT", "9", 1);
  auto from_env = parse({"--config", file});
  EXPECT_EQ(from_env.poll_timeout_seconds, 9);
  EXPECT_EQ(from_env.engine, "none");

  auto from_flag = parse({"--config", file, "--poll-timeout", "11"});
  EXPECT_EQ(from_flag.poll_timeout_seconds, 11);
}

TEST_F(ConfigTest, ConfigFileFromEnvironment) {
  setenv("TGKEEP_CONFIG", write_toml("engine = \"none\"\n").c_str(), 1);
  EXPECT_EQ(parse({}).engine, "none");
}

TEST_F(ConfigTest, UnknownKeyInFileIsAClearError) {
  auto file = write_toml("engnie = \"none\"\n");
  Settings settings;
  auto status = apply_config_file({"--config", file}, settings, false);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message.find(file), std::string::npos);
  EXPECT_NE(status.error().message.find("engnie"), std::string::npos);
}

TEST_F(ConfigTest, BadValueInFileIsAClearError) {
  auto file = write_toml("engine = \"gpt\"\n");
  Settings settings;
  auto status = apply_config_file({"--config", file}, settings, false);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message.find("gpt"), std::string::npos);
}

TEST_F(ConfigTest, MissingFileIsAClearError) {
  Settings settings;
  auto status = apply_config_file({"--config", (dir_ / "nope.toml").string()}, settings, false);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message.find("nope.toml"), std::string::npos);
}

TEST_F(ConfigTest, TokenAliasesAndSource) {
  setenv("BOT_TOKEN", "123:alias-token-value", 1);
  auto alias = parse({});
  EXPECT_EQ(alias.token, "123:alias-token-value");
  EXPECT_EQ(alias.token_source, "BOT_TOKEN");

  setenv("TELEGRAM_BOT_TOKEN", "123:primary-token-value", 1);
  auto primary = parse({});
  EXPECT_EQ(primary.token, "123:primary-token-value");
  EXPECT_EQ(primary.token_source.rfind("TELEGRAM_BOT_TOKEN; a different token in BOT_TOKEN", 0),
            0u);

  setenv("TGKEEP_TOKEN", "123:tgkeep-token-value", 1);
  EXPECT_EQ(parse({}).token, "123:tgkeep-token-value");
  auto flag = parse({"--token", "123:flag-token-value"});
  EXPECT_EQ(flag.token, "123:flag-token-value");
  EXPECT_EQ(flag.token_source.rfind("--token", 0), 0u);
  // The summary names the ignored candidates, never their values.
  EXPECT_EQ(summary(flag).find("tgkeep-token-value"), std::string::npos);
}

TEST_F(ConfigTest, ApiUrlAlias) {
  setenv("TELEGRAM_API_URL", "http://127.0.0.1:9", 1);
  EXPECT_EQ(parse({}).api_url, "http://127.0.0.1:9");
  EXPECT_EQ(parse({"--api-url", "http://127.0.0.1:10"}).api_url, "http://127.0.0.1:10");
}

TEST_F(ConfigTest, AllowedUpdatesCommaSeparated) {
  setenv("TGKEEP_ALLOWED_UPDATES", "message,callback_query", 1);
  auto s = parse({});
  EXPECT_EQ(s.allowed_updates, (std::vector<std::string>{"message", "callback_query"}));
}

TEST_F(ConfigTest, SummaryMasksTheToken) {
  Settings s;
  s.token = "123456:AAHsecretsecretsecretsecret";
  s.token_source = "TELEGRAM_BOT_TOKEN";
  auto line = summary(s);
  EXPECT_EQ(line.find("AAHsecret"), std::string::npos);
  EXPECT_NE(line.find("123456:"), std::string::npos);
  EXPECT_NE(line.find("TELEGRAM_BOT_TOKEN"), std::string::npos);
}

TEST(Durations, UnitsAndPlainSeconds) {
  using std::chrono::milliseconds;
  EXPECT_EQ(*parse_duration("250ms", "X"), milliseconds(250));
  EXPECT_EQ(*parse_duration("1s", "X"), milliseconds(1000));
  EXPECT_EQ(*parse_duration("5m", "X"), milliseconds(300'000));
  EXPECT_EQ(*parse_duration("2h", "X"), milliseconds(7'200'000));
  EXPECT_EQ(*parse_duration("300", "X"), milliseconds(300'000));
  for (const char* bad : {"", "s", "1.5s", "-1s", "1 s", "1d", "0ms", "25h", "9999999999"}) {
    auto parsed = parse_duration(bad, "TGKEEP_SYNC_INTERVAL");
    ASSERT_FALSE(parsed) << bad;
    EXPECT_NE(parsed.error().message.find("TGKEEP_SYNC_INTERVAL"), std::string::npos);
  }
}

}  // namespace
}  // namespace tgkeep::config
