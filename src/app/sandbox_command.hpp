// `tgkeep sandbox`: the local Bot API server with its web chat page (src/sandbox), so tgkeep can
// be tried with no Telegram account and no network, and the tests have a Telegram to talk to.
#pragma once

#include <cstdint>
#include <string>

namespace tgkeep::app {

struct SandboxSettings {
  std::uint16_t port = 8081;  // 0: a free port
  std::string token;          // "": any well-formed token, each its own bot
  bool verbose = false;       // one log line per request, tokens masked
};

// Serves until SIGTERM/SIGINT; prints `listening 127.0.0.1:PORT` as its first line on stdout,
// then the chat page's URL. Returns the exit code (1: cannot listen, 2: bad settings).
int sandbox_command(const SandboxSettings& settings);

}  // namespace tgkeep::app
