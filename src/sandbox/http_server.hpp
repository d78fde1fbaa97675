// HttpServer: serves a BotApiEmulator over HTTP/1.1 (keep-alive, pipelining) on a local
// address, with Boost.Beast and C++20 coroutines on one io_context thread.
//
// Beast-examples style: one coroutine per connection; a timeout before every read (the idle
// timeout) and every write; end of stream and cancellation handled as values; the request
// handler (BotApiEmulator) is a pure function of the request, and this class only adds the
// waiting it asks for (long polls, injected stalls). Malformed HTTP gets a 400 (413 past the
// body limit) and the connection is closed; an exception while handling one request becomes a
// 500 for that request only.
//
// Graceful stop (stop(), SIGINT, SIGTERM): stop accepting, cut idle connections, answer waiting
// long polls with what they have, finish in-flight replies, and after `shutdown_grace` stop
// regardless. run() then returns.
//
// Thread-safety: everything runs on the thread that calls run(); only stop() may be called from
// another thread. The emulator must outlive the server and is used only from run()'s thread.
// Boost headers stay out of this header (pimpl) so users do not pay Beast's compile time.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "sandbox/bot_api_emulator.hpp"
#include "util/result.hpp"

namespace tgkeep::sandbox {

struct HttpServerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;                 // 0: pick a free port
  std::chrono::seconds idle_timeout{60};  // to receive a whole request on an open connection
  std::chrono::seconds write_timeout{30};
  std::size_t body_limit = 10 * 1024 * 1024;
  std::chrono::milliseconds shutdown_grace{2000};
  // Optional: one line per request and per connection error.
  std::function<void(std::string_view)> log;
};

class HttpServer {
 public:
  HttpServer(BotApiEmulator& emulator, HttpServerOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens; afterwards port() is the real port.
  Status listen();
  std::uint16_t port() const;
  // Serves until stop() or, with `handle_signals`, SIGINT/SIGTERM; returns after the graceful
  // stop.
  void run(bool handle_signals);
  // Asks a running server to stop; safe from any thread and from signal-free contexts.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tgkeep::sandbox
