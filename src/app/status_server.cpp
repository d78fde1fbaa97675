#include "app/status_server.hpp"

#include <charconv>
#include <chrono>

#include <fmt/format.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace tgkeep::app {

namespace asio = boost::asio;
using asio::ip::tcp;

struct StatusServer::Impl : std::enable_shared_from_this<StatusServer::Impl> {
  Impl(asio::any_io_executor ex, StatusPages p) : acceptor(ex), pages(std::move(p)) {}
  tcp::acceptor acceptor;
  StatusPages pages;
  bool stopped = false;

  std::string respond(std::string_view request_line) const {
    // "GET /metrics HTTP/1.1"
    const auto first_space = request_line.find(' ');
    const auto second_space = request_line.find(' ', first_space + 1);
    const std::string_view method = request_line.substr(0, first_space);
    std::string_view path =
        first_space == std::string_view::npos
            ? std::string_view()
            : request_line.substr(first_space + 1, second_space - first_space - 1);
    path = path.substr(0, path.find('?'));
    int status = 200;
    std::string type = "text/plain; charset=utf-8";
    std::string body;
    if (method != "GET" && method != "HEAD") {
      status = 405;
      body = "only GET\n";
    } else if (path == "/healthz") {
      body = "ok\n";
    } else if (path == "/readyz") {
      const bool ready = !pages.ready || pages.ready();
      status = ready ? 200 : 503;
      body = ready ? "ready\n" : "not ready: no tier takes records\n";
    } else if (path == "/metrics") {
      type = "text/plain; version=0.0.4; charset=utf-8";
      body = pages.metrics ? pages.metrics() : std::string();
    } else {
      status = 404;
      body = "not found: /healthz, /readyz, /metrics\n";
    }
    const char* reason = status == 200   ? "OK"
                         : status == 503 ? "Service Unavailable"
                         : status == 405 ? "Method Not Allowed"
                                         : "Not Found";
    std::string out = fmt::format(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        status, reason, type, body.size());
    if (method != "HEAD") out += body;
    return out;
  }

  asio::awaitable<void> serve(tcp::socket socket) {
    auto self = shared_from_this();
    asio::steady_timer deadline(socket.get_executor(), std::chrono::seconds(5));
    deadline.async_wait([&socket](boost::system::error_code ec) {
      if (!ec) socket.close();
    });
    asio::streambuf request(8192);
    boost::system::error_code ec;
    co_await asio::async_read_until(socket, request, "\r\n\r\n",
                                    asio::redirect_error(asio::use_awaitable, ec));
    if (!ec) {
      std::string head(asio::buffers_begin(request.data()), asio::buffers_end(request.data()));
      const std::string reply = respond(std::string_view(head).substr(0, head.find("\r\n")));
      co_await asio::async_write(socket, asio::buffer(reply),
                                 asio::redirect_error(asio::use_awaitable, ec));
    }
    deadline.cancel();
    socket.close(ec);
  }

  asio::awaitable<void> accept_loop() {
    auto self = shared_from_this();
    while (!stopped) {
      boost::system::error_code ec;
      tcp::socket socket =
          co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        if (stopped || ec == asio::error::operation_aborted) break;
        continue;
      }
      asio::co_spawn(acceptor.get_executor(), serve(std::move(socket)), asio::detached);
    }
  }
};

namespace {

Result<tcp::endpoint> parse_address(const std::string& address) {
  const auto colon = address.rfind(':');
  const auto bad = [&] {
    return Error::fatal(fmt::format(
        "TGKEEP_STATUS_ADDR \"{}\" is not host:port (e.g. 127.0.0.1:9090, [::1]:9090, :9090)",
        address.substr(0, 64)));
  };
  if (colon == std::string::npos) return bad();
  std::string host = address.substr(0, colon);
  const std::string port_text = address.substr(colon + 1);
  unsigned port = 0;
  const auto [end, ec] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port > 65535) return bad();
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  if (host.empty()) host = "0.0.0.0";
  boost::system::error_code parse_error;
  const auto ip = asio::ip::make_address(host, parse_error);
  if (parse_error) return bad();
  return tcp::endpoint(ip, static_cast<std::uint16_t>(port));
}

}  // namespace

Result<std::unique_ptr<StatusServer>> StatusServer::start(asio::any_io_executor ex,
                                                          const std::string& address,
                                                          StatusPages pages) {
  auto endpoint = parse_address(address);
  if (!endpoint) return endpoint.error();
  auto impl = std::make_shared<Impl>(ex, std::move(pages));
  boost::system::error_code ec;
  impl->acceptor.open(endpoint->protocol(), ec);
  if (!ec) impl->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(*endpoint, ec);
  if (!ec) impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Error::fatal(
        fmt::format("TGKEEP_STATUS_ADDR {}: cannot listen: {}", address, ec.message()));
  }
  asio::co_spawn(ex, impl->accept_loop(), asio::detached);
  return std::unique_ptr<StatusServer>(new StatusServer(std::move(impl)));
}

StatusServer::StatusServer(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

StatusServer::~StatusServer() {
  stop();
}

std::uint16_t StatusServer::port() const {
  return impl_->acceptor.local_endpoint().port();
}

void StatusServer::stop() {
  impl_->stopped = true;
  boost::system::error_code ec;
  impl_->acceptor.close(ec);
}

}  // namespace tgkeep::app
