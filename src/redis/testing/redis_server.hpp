// RedisServer: a real redis-server for tests, listening on 127.0.0.1 only, on a free port, with
// its own temporary directory and no persistence (--save '' --appendonly no). It is started by
// start(), waited for until it accepts connections, and killed by PID (SIGCONT first, should it
// be frozen) when the object goes away; the directory is removed with it.
//
// Faults: kill_hard() (SIGKILL), restart() (same port and arguments), freeze() / thaw()
// (SIGSTOP / SIGCONT). query() sends one command over a plain blocking socket (plaintext servers
// only), for setting a server up without the client under test.
//
// Thread-safety: none; one test owns it. Test support only.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "redis/reply.hpp"

namespace tgkeep::redis::testing {

struct TestCa;

struct RedisServerOptions {
  std::vector<std::string> args;  // extra redis-server arguments, e.g. {"--requirepass", "pw"}
  const TestCa* tls = nullptr;    // when set: TLS only (--port 0 --tls-port P), certificates of it
};

class RedisServer {
 public:
  // Fails the current test (and returns nullptr) when the server does not come up in 10 s.
  static std::unique_ptr<RedisServer> start(RedisServerOptions options = {});
  ~RedisServer();
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  std::uint16_t port() const { return port_; }
  const std::filesystem::path& dir() const { return dir_; }

  void kill_hard();
  [[nodiscard]] bool restart();
  void freeze();
  void thaw();

  // One command over a fresh blocking connection; plaintext servers only.
  Reply query(const std::vector<std::string_view>& args) const;

 private:
  RedisServer() = default;
  [[nodiscard]] bool spawn();
  [[nodiscard]] bool wait_until_accepting();

  RedisServerOptions options_;
  std::filesystem::path dir_;
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
  bool frozen_ = false;
};

// A TCP port on 127.0.0.1 that nothing listens on (at the time of the call).
std::uint16_t free_port();

}  // namespace tgkeep::redis::testing
