// Commands as RESP bytes: format_command() turns arguments into the RESP array of bulk strings a
// server expects (hiredis's redisFormatCommandArgv, binary-safe); CommandBatch collects many for
// one pipelined write.
//
// Arguments are text (std::string, std::string_view, const char*) or integers, written in
// decimal. Formatting happens at once, so the arguments only need to live during the call; a
// command with no argument is a bug and throws std::invalid_argument.
//
// Thread-safety: pure functions; a CommandBatch is a value.
#pragma once

#include <array>
#include <charconv>
#include <concepts>
#include <cstddef>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

namespace tgkeep::redis {

std::string format_command(std::span<const std::string_view> args);
std::string format_command(std::initializer_list<std::string_view> args);
void append_command(std::string& out, std::span<const std::string_view> args);

// One argument of a variadic command: a view of text, or an integer formatted in place.
class CommandArg {
 public:
  CommandArg(std::string_view text) : text_(text) {}
  CommandArg(const std::string& text) : text_(text) {}
  CommandArg(const char* text) : text_(text) {}
  template <std::integral I>
  requires(!std::same_as<I, bool> && !std::same_as<I, char>) CommandArg(I value) {
    const auto end = std::to_chars(digits_.data(), digits_.data() + digits_.size(), value).ptr;
    length_ = static_cast<std::size_t>(end - digits_.data());
    integer_ = true;
  }

  std::string_view view() const {
    return integer_ ? std::string_view(digits_.data(), length_) : text_;
  }

 private:
  std::string_view text_;
  std::array<char, 24> digits_{};
  std::size_t length_ = 0;
  bool integer_ = false;
};

// format_command("SET", key, value), format_command("EXPIRE", key, 60).
template <class... Args>
requires(sizeof...(Args) > 0) std::string command_bytes(const Args&... args) {
  const std::array<CommandArg, sizeof...(Args)> holders = {CommandArg(args)...};
  std::array<std::string_view, sizeof...(Args)> views;
  for (std::size_t i = 0; i < holders.size(); ++i) views[i] = holders[i].view();
  return format_command(std::span<const std::string_view>(views));
}

// Commands formatted back to back, sent in one write; their replies come back in this order.
class CommandBatch {
 public:
  template <class... Args>
  requires(sizeof...(Args) > 0) CommandBatch& add(const Args&... args) {
    bytes_ += command_bytes(args...);
    ++count_;
    return *this;
  }
  CommandBatch& add_argv(std::span<const std::string_view> args);

  std::size_t size() const { return count_; }
  bool empty() const { return count_ == 0; }
  const std::string& bytes() const { return bytes_; }
  std::string take_bytes() && { return std::move(bytes_); }
  void reserve(std::size_t bytes) { bytes_.reserve(bytes); }

 private:
  std::string bytes_;
  std::size_t count_ = 0;
};

}  // namespace tgkeep::redis
