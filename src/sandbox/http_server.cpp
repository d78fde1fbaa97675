#include "sandbox/http_server.hpp"

#include <fmt/format.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <exception>
#include <list>
#include <utility>

#include "util/unix_time.hpp"

namespace tgkeep::sandbox {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

constexpr auto nothrow_awaitable = asio::as_tuple(asio::use_awaitable);

Instant current_instant() {
  return {unix_now(), std::chrono::steady_clock::now()};
}

bool is_http_error(const beast::error_code& ec) {
  return &ec.category() == &http::make_error_code(http::error::bad_target).category();
}

// The request target for logs: the token's secret and any query string are left out.
std::string loggable_target(std::string_view target) {
  target = target.substr(0, target.find('?'));
  if (target.rfind("/bot", 0) != 0) return std::string(target);
  const std::size_t colon = target.find(':');
  const std::size_t slash = target.find('/', 4);
  if (colon == std::string_view::npos || slash == std::string_view::npos || colon > slash) {
    return "/bot****";
  }
  return std::string(target.substr(0, colon + 1)) + "****" + std::string(target.substr(slash));
}

Response make_response(ApiReply reply, unsigned version, bool keep_alive) {
  Response res{static_cast<http::status>(reply.status), version};
  res.set(http::field::server, "tgkeep-sandbox");
  res.set(http::field::content_type, reply.content_type);
  res.set(http::field::access_control_allow_origin, "*");
  res.set(http::field::cache_control, "no-cache");  // the page and its data change with a rebuild
  res.keep_alive(keep_alive);
  res.body() = std::move(reply.body);
  res.prepare_payload();
  return res;
}

// Keeps `item` in `list` for the lifetime of the registration.
template <class T>
class Registration {
 public:
  Registration(std::list<T>& list, T item) : list_(list), it_(list.insert(list.end(), item)) {}
  ~Registration() { list_.erase(it_); }
  Registration(const Registration&) = delete;
  Registration& operator=(const Registration&) = delete;

 private:
  std::list<T>& list_;
  typename std::list<T>::iterator it_;
};

}  // namespace

struct HttpServer::Impl {
  // What a waiting timer waits for: a getUpdates, a chat-page events request, a stall.
  enum class Waiting { updates, events, stall };
  struct TimerEntry {
    Waiting waiting;
    std::size_t bot;  // long polls: the bot whose news end the wait
    asio::steady_timer* timer;
  };

  Impl(BotApiEmulator& e, HttpServerOptions o) : emulator(e), options(std::move(o)) {}

  BotApiEmulator& emulator;
  HttpServerOptions options;
  // Declared before the io_context: coroutine frames destroyed with it unregister from these.
  std::list<TimerEntry> timers;           // waiting long polls and stalls
  std::list<beast::tcp_stream*> streams;  // open connections
  bool stopping = false;
  asio::io_context io{1};
  tcp::acceptor acceptor{io};
  asio::signal_set signals{io};

  void log(std::string_view line) const {
    if (options.log) options.log(line);
  }

  void wake(Waiting waiting, const std::vector<std::size_t>& bots) {
    if (bots.empty()) return;
    for (const TimerEntry& entry : timers) {
      if (entry.waiting != waiting) continue;
      for (std::size_t bot : bots) {
        if (entry.bot == bot) entry.timer->cancel();
      }
    }
  }

  // Wakes the long polls that the last call of the emulator concerns.
  void wake_all() {
    wake(Waiting::updates, emulator.take_wakeups());
    wake(Waiting::events, emulator.take_event_wakeups());
  }

  void begin_stop() {
    if (stopping) return;
    stopping = true;
    beast::error_code ignored;
    acceptor.close(ignored);
    signals.cancel(ignored);
    for (const TimerEntry& entry : timers) entry.timer->cancel();
    for (beast::tcp_stream* stream : streams) stream->socket().cancel(ignored);
    asio::co_spawn(io, drain(), asio::detached);
  }

  // Waits for connections to finish, at most shutdown_grace, then stops the loop.
  asio::awaitable<void> drain() {
    const auto deadline = std::chrono::steady_clock::now() + options.shutdown_grace;
    asio::steady_timer timer(io);
    while (!streams.empty() && std::chrono::steady_clock::now() < deadline) {
      timer.expires_after(std::chrono::milliseconds(20));
      co_await timer.async_wait(nothrow_awaitable);
    }
    io.stop();
  }

  // Waits for a getUpdates (PendingPoll) or a chat-page events request (PendingEvents).
  template <class Pending>
  asio::awaitable<ApiReply> wait_poll(Pending poll, Waiting waiting) {
    asio::steady_timer timer(io);
    Registration<TimerEntry> registration(timers, TimerEntry{waiting, poll.bot, &timer});
    for (;;) {
      Instant now = current_instant();
      if (stopping) now.steady = std::max(now.steady, poll.wait.deadline);  // answer what we have
      std::optional<ApiReply> reply = emulator.resume(poll, now);
      wake_all();
      if (reply) co_return std::move(*reply);
      timer.expires_at(poll.wait.deadline);
      co_await timer.async_wait(nothrow_awaitable);  // cancelled = woken
    }
  }

  asio::awaitable<ApiReply> respond(const Request& req) {
    const HttpRequestView view{req.method_string(), req.target(), req[http::field::content_type],
                               req.body()};
    bool apply_faults = true;
    for (;;) {
      Outcome outcome = emulator.handle(view, current_instant(), apply_faults);
      wake_all();
      if (auto* reply = std::get_if<ApiReply>(&outcome)) co_return std::move(*reply);
      if (auto* poll = std::get_if<PendingPoll>(&outcome)) {
        co_return co_await wait_poll(*poll, Waiting::updates);
      }
      if (auto* events = std::get_if<PendingEvents>(&outcome)) {
        co_return co_await wait_poll(*events, Waiting::events);
      }
      auto& stall = std::get<PendingStall>(outcome);
      if (!stopping) {
        asio::steady_timer timer(io);
        Registration<TimerEntry> registration(timers, TimerEntry{Waiting::stall, 0, &timer});
        timer.expires_after(stall.delay);
        co_await timer.async_wait(nothrow_awaitable);
      }
      if (stall.reply_after) co_return std::move(*stall.reply_after);
      apply_faults = false;
    }
  }

  // Reads one request into `parser`, answering "Expect: 100-continue" on the way.
  asio::awaitable<beast::error_code> read_request(beast::tcp_stream& stream,
                                                  beast::flat_buffer& buffer,
                                                  http::request_parser<http::string_body>& parser) {
    stream.expires_after(options.idle_timeout);
    auto [ec, n] = co_await http::async_read_header(stream, buffer, parser, nothrow_awaitable);
    if (ec) co_return ec;
    if (beast::iequals(parser.get()[http::field::expect], "100-continue")) {
      http::response<http::empty_body> interim{http::status::continue_, 11};
      stream.expires_after(options.write_timeout);
      auto [wec, wn] = co_await http::async_write(stream, interim, nothrow_awaitable);
      if (wec) co_return wec;
      stream.expires_after(options.idle_timeout);
    }
    auto [bec, bn] = co_await http::async_read(stream, buffer, parser, nothrow_awaitable);
    co_return bec;
  }

  asio::awaitable<void> session(beast::tcp_stream stream) {
    Registration<beast::tcp_stream*> registration(streams, &stream);
    beast::flat_buffer buffer;
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(options.body_limit);
      parser.header_limit(64 * 1024);
      const beast::error_code ec = co_await read_request(stream, buffer, parser);
      if (ec) {
        const bool quiet = ec == http::error::end_of_stream || ec == http::error::partial_message ||
                           ec == asio::error::operation_aborted || ec == beast::error::timeout ||
                           ec == asio::error::connection_reset || ec == asio::error::eof;
        if (!quiet && is_http_error(ec) && !stopping) {
          const bool too_large = ec == http::error::body_limit;
          ApiReply reply =
              error_reply(too_large ? 413 : 400,
                          too_large ? std::string("Request Entity Too Large")
                                    : "Bad Request: malformed HTTP request: " + ec.message());
          Response res = make_response(std::move(reply), 11, false);
          stream.expires_after(options.write_timeout);
          co_await http::async_write(stream, res, nothrow_awaitable);
          log(fmt::format("closing connection: {}", ec.message()));
        } else if (!quiet) {
          log(fmt::format("connection error: {}", ec.message()));
        }
        break;
      }
      Request req = parser.release();
      stream.expires_never();  // a long poll may take its time; the reply has its own deadline
      ApiReply reply;
      try {
        reply = co_await respond(req);
      } catch (const std::exception& e) {
        reply = error_reply(500, std::string("Internal Server Error: ") + e.what());
      }
      log(fmt::format("{} {} -> {}", std::string_view(req.method_string()),
                      loggable_target(req.target()), reply.status));
      Response res = make_response(std::move(reply), req.version(), req.keep_alive() && !stopping);
      stream.expires_after(options.write_timeout);
      auto [wec, wn] = co_await http::async_write(stream, res, nothrow_awaitable);
      if (wec || !res.keep_alive()) break;
    }
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  asio::awaitable<void> accept_loop() {
    while (!stopping) {
      auto [ec, socket] = co_await acceptor.async_accept(nothrow_awaitable);
      if (stopping) break;
      if (ec) {
        log(fmt::format("accept failed: {}", ec.message()));
        asio::steady_timer pause(io, std::chrono::milliseconds(50));  // e.g. out of descriptors
        co_await pause.async_wait(nothrow_awaitable);
        continue;
      }
      beast::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      asio::co_spawn(io, session(beast::tcp_stream(std::move(socket))),
                     [this](std::exception_ptr error) {
                       if (!error) return;
                       try {
                         std::rethrow_exception(error);
                       } catch (const std::exception& e) {
                         log(fmt::format("connection ended by an error: {}", e.what()));
                       }
                     });
    }
  }
};

HttpServer::HttpServer(BotApiEmulator& emulator, HttpServerOptions options)
    : impl_(std::make_unique<Impl>(emulator, std::move(options))) {}

HttpServer::~HttpServer() = default;

Status HttpServer::listen() {
  beast::error_code ec;
  const auto address = asio::ip::make_address(impl_->options.address, ec);
  if (ec)
    return Error::fatal(
        fmt::format("bad listen address '{}': {}", impl_->options.address, ec.message()));
  const tcp::endpoint endpoint(address, impl_->options.port);
  tcp::acceptor& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Error::fatal(fmt::format("cannot listen on {}:{}: {}", impl_->options.address,
                                    impl_->options.port, ec.message()));
  }
  return Status::success();
}

std::uint16_t HttpServer::port() const {
  beast::error_code ec;
  const auto endpoint = impl_->acceptor.local_endpoint(ec);
  return ec ? 0 : endpoint.port();
}

void HttpServer::run(bool handle_signals) {
  Impl& impl = *impl_;
  if (handle_signals) {
    impl.signals.add(SIGINT);
    impl.signals.add(SIGTERM);
    impl.signals.async_wait([&impl](const beast::error_code& ec, int) {
      if (!ec) impl.begin_stop();
    });
  }
  asio::co_spawn(impl.io, impl.accept_loop(), asio::detached);
  impl.io.run();
}

void HttpServer::stop() {
  asio::post(impl_->io, [impl = impl_.get()] { impl->begin_stop(); });
}

}  // namespace tgkeep::sandbox
