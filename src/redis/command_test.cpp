#include "redis/command.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <vector>

namespace tgkeep::redis {
namespace {

TEST(FormatCommand, WritesAnArrayOfBulkStrings) {
  EXPECT_EQ(format_command({"SET", "key", "value"}),
            "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n");
  EXPECT_EQ(format_command({"PING"}), "*1\r\n$4\r\nPING\r\n");
}

TEST(FormatCommand, IsBinarySafe) {
  const std::string value("a\r\n\0b", 5);
  const std::vector<std::string_view> args = {"SET", "", value};
  const std::string expected("*3\r\n$3\r\nSET\r\n$0\r\n\r\n$5\r\na\r\n\0b\r\n", 30);
  EXPECT_EQ(format_command(args), expected);
}

TEST(FormatCommand, TakesManyArguments) {
  std::vector<std::string> owned;
  for (int i = 0; i < 100; ++i) owned.push_back(std::to_string(i));
  std::vector<std::string_view> args = {"RPUSH", "list"};
  for (const auto& s : owned) args.push_back(s);
  const std::string bytes = format_command(args);
  EXPECT_TRUE(bytes.starts_with("*102\r\n$5\r\nRPUSH\r\n$4\r\nlist\r\n$1\r\n0\r\n"));
  EXPECT_TRUE(bytes.ends_with("$2\r\n99\r\n"));
}

TEST(FormatCommand, RejectsNoArguments) {
  const std::vector<std::string_view> none;
  EXPECT_THROW((void)format_command(none), std::invalid_argument);
}

TEST(CommandBytes, FormatsIntegersInDecimal) {
  const std::string key = "k";
  EXPECT_EQ(command_bytes("EXPIRE", key, 60), "*3\r\n$6\r\nEXPIRE\r\n$1\r\nk\r\n$2\r\n60\r\n");
  EXPECT_EQ(command_bytes("INCRBY", std::string_view("k"), std::int64_t{-9223372036854775807 - 1}),
            "*3\r\n$6\r\nINCRBY\r\n$1\r\nk\r\n$20\r\n-9223372036854775808\r\n");
  EXPECT_EQ(command_bytes("SELECT", 0u), "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n");
}

TEST(CommandBatch, ConcatenatesCommandsAndCountsThem) {
  CommandBatch batch;
  EXPECT_TRUE(batch.empty());
  batch.add("INCR", "n").add("GET", "n");
  const std::vector<std::string_view> argv = {"DEL", "n"};
  batch.add_argv(argv);
  EXPECT_EQ(batch.size(), 3u);
  EXPECT_EQ(batch.bytes(),
            command_bytes("INCR", "n") + command_bytes("GET", "n") + format_command({"DEL", "n"}));
}

}  // namespace
}  // namespace tgkeep::redis
