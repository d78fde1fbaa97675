#include "app/sandbox_command.hpp"

#include <cstdio>

#include <fmt/format.h>

#include "sandbox/bot_api_emulator.hpp"
#include "sandbox/http_server.hpp"
#include "sandbox/request_params.hpp"

namespace tgkeep::app {

int sandbox_command(const SandboxSettings& settings) {
  sandbox::EmulatorOptions emulator_options;
  sandbox::HttpServerOptions server_options;
  server_options.address = "127.0.0.1";  // a test server: loopback only
  server_options.port = settings.port;
  if (!settings.token.empty()) {
    if (!sandbox::parse_bot_token(settings.token)) {
      fmt::print(stderr,
                 "tgkeep sandbox: --token must look like 123456:ABC... (digits, ':', 30 "
                 "or more of A-Za-z0-9_-)\n");
      return 2;
    }
    emulator_options.pinned_token = settings.token;
  }
  if (settings.verbose) {
    server_options.log = [](std::string_view line) { fmt::print(stderr, "{}\n", line); };
  }
  sandbox::BotApiEmulator emulator(emulator_options);
  sandbox::HttpServer server(emulator, server_options);
  if (auto status = server.listen(); !status) {
    fmt::print(stderr, "tgkeep sandbox: {}\n", status.error().message);
    return 1;
  }
  const auto address = fmt::format("127.0.0.1:{}", server.port());
  // The first line is a contract: scripts and tests read the port from it.
  fmt::print("listening {}\n", address);
  fmt::print("chat page: http://{}/  (Bot API: TELEGRAM_API_URL=http://{})\n", address, address);
  std::fflush(stdout);
  server.run(/*handle_signals=*/true);
  return 0;
}

}  // namespace tgkeep::app
