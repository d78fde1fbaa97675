// tgkeep-fake-api: a local Telegram Bot API emulator for end-to-end tests and benchmarks.
//
// Prints exactly one line, "listening 127.0.0.1:PORT", to stdout once it accepts connections,
// serves until SIGTERM or SIGINT, then stops gracefully and exits 0. Usage errors exit 2, a
// listen failure exits 1. See docs/bot-api-emulator.md.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "sandbox/bot_api_emulator.hpp"
#include "sandbox/bot_api_state.hpp"
#include "sandbox/http_server.hpp"
#include "sandbox/request_params.hpp"

namespace {

constexpr std::string_view kUsage =
    "usage: tgkeep-fake-api [--port P] [--token T] [--address A] [--first-update-id N]\n"
    "                       [--idle-timeout SECONDS] [--verbose]\n"
    "  --port P             port to listen on; 0 (default) picks a free one\n"
    "  --token T            accept only this bot token (default: any well-formed token,\n"
    "                       each its own bot)\n"
    "  --address A          listen address (default 127.0.0.1)\n"
    "  --first-update-id N  id of the first update (default 1)\n"
    "  --idle-timeout S     close connections idle this long (default 60)\n"
    "  --verbose            log every request to stderr (tokens masked)\n";

int usage_error(std::string_view message) {
  std::fprintf(stderr, "tgkeep-fake-api: %.*s\n%.*s", static_cast<int>(message.size()),
               message.data(), static_cast<int>(kUsage.size()), kUsage.data());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace tgkeep::sandbox;
  EmulatorOptions emulator_options;
  HttpServerOptions server_options;
  bool verbose = false;

  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::fwrite(kUsage.data(), 1, kUsage.size(), stdout);
      return 0;
    }
    if (arg == "--verbose") {
      verbose = true;
      continue;
    }
    if (i + 1 >= argc) return usage_error(std::string("missing value for ") + std::string(arg));
    const std::string_view value = argv[++i];
    const auto number = parse_int64(value);
    if (arg == "--port") {
      if (!number || *number < 0 || *number > 65535) return usage_error("--port must be 0-65535");
      server_options.port = static_cast<std::uint16_t>(*number);
    } else if (arg == "--token") {
      if (!parse_bot_token(value)) {
        return usage_error(
            "--token must look like 123456:ABC... (digits, ':', 30+ of A-Za-z0-9_-)");
      }
      emulator_options.pinned_token = std::string(value);
    } else if (arg == "--address") {
      server_options.address = std::string(value);
    } else if (arg == "--first-update-id") {
      if (!number || *number < 1) return usage_error("--first-update-id must be positive");
      emulator_options.first_update_id = *number;
    } else if (arg == "--idle-timeout") {
      if (!number || *number < 1) return usage_error("--idle-timeout must be positive");
      server_options.idle_timeout = std::chrono::seconds(*number);
    } else {
      return usage_error(std::string("unknown option ") + std::string(arg));
    }
  }
  if (verbose) {
    server_options.log = [](std::string_view line) {
      std::fprintf(stderr, "%.*s\n", static_cast<int>(line.size()), line.data());
    };
  }

  BotApiEmulator emulator(emulator_options);
  HttpServer server(emulator, server_options);
  if (auto status = server.listen(); !status) {
    std::fprintf(stderr, "tgkeep-fake-api: %s\n", status.error().message.c_str());
    return 1;
  }
  std::printf("listening %s:%u\n", server_options.address.c_str(),
              static_cast<unsigned>(server.port()));
  std::fflush(stdout);
  server.run(/*handle_signals=*/true);
  return 0;
}
