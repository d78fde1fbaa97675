#include "redis/testing/redis_server.hpp"
#include "util/testing/free_port.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <span>
#include <thread>

#include <gtest/gtest.h>

#include "redis/command.hpp"
#include "redis/resp_reader.hpp"
#include "redis/testing/test_ca.hpp"

extern char** environ;

namespace tgkeep::redis::testing {
namespace {

sockaddr_in loopback(std::uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return addr;
}

// A connected blocking socket to 127.0.0.1:port, or -1.
int connect_to(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  const sockaddr_in addr = loopback(port);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

}  // namespace

std::uint16_t free_port() {
  const std::uint16_t port = tgkeep::testing::free_loopback_port();
  if (port == 0) ADD_FAILURE() << "cannot find a free port";
  return port;
}

std::unique_ptr<RedisServer> RedisServer::start(RedisServerOptions options) {
  std::unique_ptr<RedisServer> server(new RedisServer());
  server->options_ = std::move(options);
  std::string pattern = (std::filesystem::temp_directory_path() / "tgkeep-redis-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    ADD_FAILURE() << "mkdtemp failed";
    return nullptr;
  }
  server->dir_ = pattern;
  // A port found free may be taken before redis-server binds it: try a few.
  for (int attempt = 0; attempt < 3; ++attempt) {
    server->port_ = free_port();
    if (server->spawn() && server->wait_until_accepting()) return server;
    server->kill_hard();
  }
  ADD_FAILURE() << "redis-server did not start; see " << (server->dir_ / "redis.log");
  return nullptr;
}

RedisServer::~RedisServer() {
  kill_hard();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

bool RedisServer::spawn() {
  const std::string port = std::to_string(port_);
  std::vector<std::string> args = {
      "redis-server", "--bind", "127.0.0.1",   "--save",      "",  "--appendonly",
      "no",           "--dir",  dir_.string(), "--daemonize", "no"};
  if (options_.tls != nullptr) {
    for (const char* arg : {"--port", "0", "--tls-port"}) args.emplace_back(arg);
    args.push_back(port);
    args.emplace_back("--tls-cert-file");
    args.push_back(options_.tls->server_cert.string());
    args.emplace_back("--tls-key-file");
    args.push_back(options_.tls->server_key.string());
    args.emplace_back("--tls-ca-cert-file");
    args.push_back(options_.tls->ca_cert.string());
    args.emplace_back("--tls-auth-clients");
    args.emplace_back("no");
  } else {
    args.emplace_back("--port");
    args.push_back(port);
  }
  args.insert(args.end(), options_.args.begin(), options_.args.end());
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);

  const std::string log = (dir_ / "redis.log").string();
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  const int rc = posix_spawnp(&pid_, "redis-server", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    pid_ = -1;
    ADD_FAILURE() << "cannot run redis-server: " << std::strerror(rc);
    return false;
  }
  return true;
}

bool RedisServer::wait_until_accepting() {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;  // exited: the port was taken, or a bad argument
      return false;
    }
    const int fd = connect_to(port_);
    if (fd >= 0) {
      ::close(fd);
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

void RedisServer::kill_hard() {
  if (pid_ <= 0) return;
  if (frozen_) thaw();
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

bool RedisServer::restart() {
  kill_hard();
  return spawn() && wait_until_accepting();
}

void RedisServer::freeze() {
  if (pid_ > 0 && ::kill(pid_, SIGSTOP) == 0) frozen_ = true;
}

void RedisServer::thaw() {
  if (pid_ > 0) ::kill(pid_, SIGCONT);
  frozen_ = false;
}

Reply RedisServer::query(const std::vector<std::string_view>& args) const {
  const int fd = connect_to(port_);
  if (fd < 0) {
    ADD_FAILURE() << "cannot connect to redis-server on port " << port_;
    return Reply::nil();
  }
  timeval timeout{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  const std::string bytes = format_command(std::span<const std::string_view>(args));
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<std::size_t>(n);
  }
  RespReader reader;
  char buffer[4096];
  for (;;) {
    auto next = reader.next();
    if (!next.ok()) {
      ADD_FAILURE() << next.error().message;
      break;
    }
    if (next->has_value()) {
      ::close(fd);
      return std::move(**next);
    }
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) {
      ADD_FAILURE() << "redis-server closed the connection or timed out";
      break;
    }
    reader.feed(std::string_view(buffer, static_cast<std::size_t>(n)));
  }
  ::close(fd);
  return Reply::nil();
}

}  // namespace tgkeep::redis::testing
