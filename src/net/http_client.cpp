#include "net/http_client.hpp"

#include <deque>
#include <set>

#include <fmt/format.h>
#include <openssl/err.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace tgkeep::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// One keep-alive connection: a plain or a TLS stream, and its read buffer.
struct Connection {
  std::unique_ptr<beast::tcp_stream> plain;
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> secure;
  beast::flat_buffer buffer;
  bool reused = false;

  beast::tcp_stream& tcp() { return secure ? secure->next_layer() : *plain; }
};

std::string describe(const boost::system::error_code& ec, const HttpUrl& url) {
  if (ec == beast::error::timeout) return fmt::format("{} timed out", url.origin());
  if (ec == asio::error::connection_refused) {
    return fmt::format("connection refused by {}", url.origin());
  }
  if (ec == asio::error::host_not_found || ec == asio::error::host_not_found_try_again) {
    return fmt::format("host {} not found (DNS)", url.host);
  }
  return fmt::format("{}: {}", url.origin(), ec.message());
}

bool is_tls_verification_error(const boost::system::error_code& ec) {
  if (ec.category() != asio::error::get_ssl_category()) return false;
  return ERR_GET_REASON(static_cast<unsigned long>(ec.value())) == SSL_R_CERTIFICATE_VERIFY_FAILED;
}

}  // namespace

struct HttpClient::Impl {
  asio::any_io_executor ex;
  HttpClientOptions options;
  ssl::context tls{ssl::context::tls_client};
  std::vector<std::unique_ptr<Connection>> idle;
  std::set<Connection*> busy;
  std::size_t open = 0;
  std::deque<asio::steady_timer*> waiters;
  tcp::resolver::results_type endpoints;
  bool closed = false;

  asio::awaitable<Result<tcp::resolver::results_type>> resolve() {
    if (!endpoints.empty()) co_return endpoints;
    auto resolver = std::make_shared<tcp::resolver>(ex);
    auto timer = std::make_shared<asio::steady_timer>(ex, options.connect_timeout);
    timer->async_wait([resolver](boost::system::error_code ec) {
      if (!ec) resolver->cancel();
    });
    auto [ec, results] = co_await resolver->async_resolve(
        options.url.host, std::to_string(options.url.port), use_tuple);
    timer->cancel();
    if (ec == asio::error::operation_aborted) {
      co_return Error::transient(fmt::format("resolving {} timed out", options.url.host));
    }
    if (ec) co_return Error::transient(describe(ec, options.url));
    endpoints = results;
    co_return endpoints;
  }

  asio::awaitable<Result<std::unique_ptr<Connection>>> connect() {
    auto endpoints_result = co_await resolve();
    if (!endpoints_result) co_return endpoints_result.error();
    auto conn = std::make_unique<Connection>();
    if (options.url.tls) {
      conn->secure = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(ex, tls);
    } else {
      conn->plain = std::make_unique<beast::tcp_stream>(ex);
    }
    conn->tcp().expires_after(options.connect_timeout);
    auto [ec, endpoint] = co_await conn->tcp().async_connect(*endpoints_result, use_tuple);
    if (ec) {
      endpoints = {};  // resolve again next time: the address may have moved
      co_return Error::transient(describe(ec, options.url));
    }
    conn->tcp().socket().set_option(tcp::no_delay(true));
    if (conn->secure) {
      if (!SSL_set_tlsext_host_name(conn->secure->native_handle(), options.url.host.c_str())) {
        co_return Error::fatal("TLS: cannot set the server name " + options.url.host);
      }
      conn->secure->set_verify_callback(ssl::host_name_verification(options.url.host));
      conn->tcp().expires_after(options.connect_timeout);
      auto [hec] = co_await conn->secure->async_handshake(ssl::stream_base::client, use_tuple);
      if (hec) {
        if (is_tls_verification_error(hec)) {
          co_return Error::fatal(fmt::format(
              "the TLS certificate of {} could not be verified; if this server uses a private "
              "CA, point TGKEEP_API_CA_FILE at it",
              options.url.origin()));
        }
        co_return Error::transient(
            fmt::format("TLS handshake with {} failed: {}", options.url.origin(), hec.message()));
      }
    }
    co_return conn;
  }

  // Waits for a free slot or an idle connection, until the deadline.
  asio::awaitable<Result<std::unique_ptr<Connection>>> acquire(
      asio::steady_timer::time_point deadline) {
    for (;;) {
      if (closed) co_return Error::transient("the HTTP client is shut down");
      if (!idle.empty()) {
        auto conn = std::move(idle.back());
        idle.pop_back();
        conn->reused = true;
        co_return conn;
      }
      if (open < options.max_connections) {
        ++open;
        auto conn = co_await connect();
        if (!conn) {
          --open;
          wake_one();
        }
        co_return conn;
      }
      asio::steady_timer wait(ex, deadline);
      waiters.push_back(&wait);
      auto [ec] = co_await wait.async_wait(use_tuple);
      std::erase(waiters, &wait);
      if (!ec)
        co_return Error::transient(
            fmt::format("no free connection to {} in time", options.url.origin()));
    }
  }

  void release(std::unique_ptr<Connection> conn, bool reusable) {
    busy.erase(conn.get());
    if (reusable && !closed) {
      idle.push_back(std::move(conn));
    } else {
      --open;
      boost::system::error_code ignored;
      conn->tcp().socket().close(ignored);
    }
    wake_one();
  }

  void wake_one() {
    if (!waiters.empty()) waiters.front()->cancel();
  }

  template <class Stream>
  asio::awaitable<boost::system::error_code> exchange(
      Stream& stream, Connection& conn, http::request<http::string_body>& req,
      http::response_parser<http::string_body>& parser, std::chrono::milliseconds timeout) {
    conn.tcp().expires_after(timeout);
    auto [wec, written] = co_await http::async_write(stream, req, use_tuple);
    if (wec) co_return wec;
    auto [rec, read] = co_await http::async_read(stream, conn.buffer, parser, use_tuple);
    co_return rec;
  }

  asio::awaitable<Result<HttpResponse>> post(std::string target, std::string body,
                                             std::string content_type,
                                             std::chrono::milliseconds timeout) {
    const auto deadline = asio::steady_timer::clock_type::now() + timeout;
    http::request<http::string_body> req{http::verb::post, options.url.path_prefix + target, 11};
    req.set(http::field::host, options.url.host);
    req.set(http::field::user_agent, "tgkeep/" TGKEEP_VERSION);
    req.set(http::field::content_type, content_type);
    req.keep_alive(true);
    req.body() = std::move(body);
    req.prepare_payload();

    for (int attempt = 0;; ++attempt) {
      auto acquired = co_await acquire(deadline);
      if (!acquired) co_return acquired.error();
      auto conn = std::move(acquired.value());
      busy.insert(conn.get());
      http::response_parser<http::string_body> parser;
      parser.body_limit(64 * 1024 * 1024);
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - asio::steady_timer::clock_type::now());
      const auto budget = std::max(left, std::chrono::milliseconds(1));
      auto ec = conn->secure ? co_await exchange(*conn->secure, *conn, req, parser, budget)
                             : co_await exchange(*conn->plain, *conn, req, parser, budget);
      if (!ec) {
        auto res = parser.release();
        const bool keep = res.keep_alive();
        release(std::move(conn), keep);
        co_return HttpResponse{res.result_int(), std::move(res.body())};
      }
      const bool stale = conn->reused && !parser.got_some() && ec != beast::error::timeout;
      release(std::move(conn), false);
      if (closed) co_return Error::transient("the HTTP client is shut down");
      if (stale && attempt == 0) continue;  // the server closed an idle keep-alive connection
      co_return Error::transient(describe(ec, options.url));
    }
  }

  void shutdown() {
    closed = true;
    for (auto& conn : idle) {
      boost::system::error_code ignored;
      conn->tcp().socket().close(ignored);
    }
    open -= idle.size();
    idle.clear();
    for (auto* conn : busy) conn->tcp().cancel();
    for (auto* waiter : waiters) waiter->cancel();
  }
};

Result<std::unique_ptr<HttpClient>> HttpClient::create(asio::any_io_executor ex,
                                                       HttpClientOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->ex = std::move(ex);
  impl->options = std::move(options);
  if (impl->options.max_connections == 0) impl->options.max_connections = 1;
  if (impl->options.url.tls) {
    boost::system::error_code ec;
    impl->tls.set_verify_mode(ssl::verify_peer, ec);
    if (impl->options.ca_file.empty()) {
      impl->tls.set_default_verify_paths(ec);
    } else {
      impl->tls.load_verify_file(impl->options.ca_file, ec);
      if (ec) {
        return Error::fatal(
            fmt::format("cannot load the CA file {}: {}", impl->options.ca_file, ec.message()));
      }
    }
  }
  return std::unique_ptr<HttpClient>(new HttpClient(std::move(impl)));
}

HttpClient::HttpClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpClient::~HttpClient() = default;

asio::awaitable<Result<HttpResponse>> HttpClient::post(std::string target, std::string body,
                                                       std::string content_type,
                                                       std::chrono::milliseconds timeout) {
  return impl_->post(std::move(target), std::move(body), std::move(content_type), timeout);
}

void HttpClient::shutdown() {
  impl_->shutdown();
}
const HttpUrl& HttpClient::url() const {
  return impl_->options.url;
}

}  // namespace tgkeep::net
