#include "redis/command.hpp"

#include <climits>
#include <cstdlib>
#include <new>
#include <stdexcept>
#include <vector>

#include <hiredis/hiredis.h>

namespace tgkeep::redis {
namespace {

// Arguments up to this count are passed to hiredis from the stack.
constexpr std::size_t kStackArgs = 16;

void format_into(std::string& out, std::span<const std::string_view> args) {
  if (args.empty()) throw std::invalid_argument("a Redis command needs at least one argument");
  if (args.size() > static_cast<std::size_t>(INT_MAX)) {
    throw std::length_error("too many Redis command arguments");
  }
  std::array<const char*, kStackArgs> stack_argv;
  std::array<std::size_t, kStackArgs> stack_lengths;
  std::vector<const char*> heap_argv;
  std::vector<std::size_t> heap_lengths;
  const char** argv = stack_argv.data();
  std::size_t* lengths = stack_lengths.data();
  if (args.size() > kStackArgs) {
    heap_argv.resize(args.size());
    heap_lengths.resize(args.size());
    argv = heap_argv.data();
    lengths = heap_lengths.data();
  }
  std::size_t total = 0;
  for (std::size_t i = 0; i < args.size(); ++i) {
    argv[i] = args[i].data() != nullptr ? args[i].data() : "";
    lengths[i] = args[i].size();
    total += args[i].size();
  }
  // hiredis returns the length as an int.
  if (total > static_cast<std::size_t>(INT_MAX / 2)) {
    throw std::length_error("a Redis command larger than 1 GiB");
  }
  char* formatted = nullptr;
  const int length =
      redisFormatCommandArgv(&formatted, static_cast<int>(args.size()), argv, lengths);
  if (length < 0 || formatted == nullptr) throw std::bad_alloc();
  try {
    out.append(formatted, static_cast<std::size_t>(length));
  } catch (...) {
    redisFreeCommand(formatted);
    throw;
  }
  redisFreeCommand(formatted);
}

}  // namespace

std::string format_command(std::span<const std::string_view> args) {
  std::string out;
  format_into(out, args);
  return out;
}

std::string format_command(std::initializer_list<std::string_view> args) {
  return format_command(std::span<const std::string_view>(args.begin(), args.size()));
}

void append_command(std::string& out, std::span<const std::string_view> args) {
  format_into(out, args);
}

CommandBatch& CommandBatch::add_argv(std::span<const std::string_view> args) {
  format_into(bytes_, args);
  ++count_;
  return *this;
}

}  // namespace tgkeep::redis
