#include "redis/stream.hpp"

#include <functional>
#include <optional>
#include <string>

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "redis/transport_error.hpp"

namespace tgkeep::redis {
namespace {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// Runs `on_fire` (which cancels the guarded operation) if the deadline passes before disarm().
// The guarded objects outlive the operation, and the operation outlives the armed watchdog.
class Watchdog {
 public:
  Watchdog(asio::any_io_executor ex, std::chrono::steady_clock::time_point deadline,
           std::function<void()> on_fire)
      : state_(std::make_shared<State>(ex)) {
    state_->timer.expires_at(deadline);
    state_->on_fire = std::move(on_fire);
    state_->timer.async_wait([weak = std::weak_ptr<State>(state_)](boost::system::error_code ec) {
      auto state = weak.lock();
      if (ec || !state || state->done) return;
      state->fired = true;
      state->on_fire();
    });
  }
  ~Watchdog() { disarm(); }
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

  void disarm() {
    state_->done = true;
    state_->timer.cancel();
  }
  bool fired() const { return state_->fired; }

 private:
  struct State {
    explicit State(asio::any_io_executor ex) : timer(std::move(ex)) {}
    asio::steady_timer timer;
    std::function<void()> on_fire;
    bool fired = false;
    bool done = false;
  };
  std::shared_ptr<State> state_;
};

std::chrono::milliseconds total_timeout(const Options& options) {
  return options.connect_timeout;
}

bool is_ip_address(const std::string& host) {
  boost::system::error_code ec;
  (void)asio::ip::make_address(host, ec);
  return !ec;
}

// Makes OpenSSL check that the certificate names `host` (a DNS name or an IP address), as part
// of the chain verification, so a mismatch has its own verify result.
bool expect_peer_name(SSL* ssl, const std::string& host) {
  if (is_ip_address(host)) return X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host.c_str());
  SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  return SSL_set1_host(ssl, host.c_str()) == 1;
}

bool is_name_mismatch(SSL* ssl) {
  const long result = SSL_get_verify_result(ssl);
  return result == X509_V_ERR_HOSTNAME_MISMATCH || result == X509_V_ERR_IP_ADDRESS_MISMATCH;
}

// Why OpenSSL rejected the peer's certificate, for the error message.
std::string verification_detail(SSL* ssl) {
  const long result = SSL_get_verify_result(ssl);
  if (result == X509_V_OK) return std::string();
  return X509_verify_cert_error_string(result);
}

}  // namespace

struct Stream::Impl {
  explicit Impl(tcp::socket s) : socket(std::move(s)) {}
  tcp::socket socket;                                // plain TCP
  std::unique_ptr<ssl::stream<tcp::socket>> secure;  // TLS (then `socket` is unused)

  tcp::socket& lowest() { return secure ? secure->next_layer() : socket; }
};

Stream::Stream(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Stream::~Stream() = default;

asio::awaitable<RedisResult<std::unique_ptr<Stream>>> Stream::open(
    asio::any_io_executor ex, Options options, ssl::context* tls,
    std::chrono::steady_clock::time_point deadline) {
  const std::string where = describe_server(options);

  tcp::resolver resolver(ex);
  Watchdog resolve_dog(ex, deadline, [&resolver] { resolver.cancel(); });
  auto [rec, endpoints] =
      co_await resolver.async_resolve(options.host, std::to_string(options.port), use_tuple);
  resolve_dog.disarm();
  if (resolve_dog.fired()) {
    co_return timeout_error(TransportPhase::resolve, total_timeout(options), where);
  }
  if (rec) co_return transport_error(TransportPhase::resolve, rec, where);

  tcp::socket socket(ex);
  Watchdog connect_dog(ex, deadline, [&socket] {
    boost::system::error_code ignored;
    socket.close(ignored);
  });
  auto [cec, endpoint] = co_await asio::async_connect(socket, endpoints, use_tuple);
  connect_dog.disarm();
  if (connect_dog.fired()) {
    co_return timeout_error(TransportPhase::connect, total_timeout(options), where);
  }
  if (cec) co_return transport_error(TransportPhase::connect, cec, where);
  boost::system::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);

  auto impl = std::make_unique<Impl>(std::move(socket));
  if (options.tls) {
    impl->secure = std::make_unique<ssl::stream<tcp::socket>>(std::move(impl->socket), *tls);
    SSL* native = impl->secure->native_handle();
    if (!is_ip_address(options.host)) {
      SSL_set_tlsext_host_name(native, options.host.c_str());
    }
    if (options.tls_insecure) {
      impl->secure->set_verify_mode(ssl::verify_none, ignored);
    } else {
      impl->secure->set_verify_mode(ssl::verify_peer, ignored);
      if (!expect_peer_name(native, options.host)) {
        co_return transport_error(
            TransportPhase::tls_handshake,
            boost::system::error_code(EINVAL, boost::system::generic_category()), where,
            "cannot set the expected host name");
      }
    }
    auto* secure = impl->secure.get();
    Watchdog tls_dog(ex, deadline, [secure] {
      boost::system::error_code ignored_close;
      secure->next_layer().close(ignored_close);
    });
    auto [hec] = co_await secure->async_handshake(ssl::stream_base::client, use_tuple);
    tls_dog.disarm();
    if (tls_dog.fired()) {
      co_return timeout_error(TransportPhase::tls_handshake, total_timeout(options), where);
    }
    if (hec) {
      if (!options.tls_insecure && is_name_mismatch(native)) {
        co_return certificate_name_mismatch(where, options.host);
      }
      std::string detail;
      if (hec.category() == asio::error::get_ssl_category()) detail = verification_detail(native);
      co_return transport_error(TransportPhase::tls_handshake, hec, where, detail);
    }
  }
  co_return std::unique_ptr<Stream>(new Stream(std::move(impl)));
}

asio::awaitable<IoResult> Stream::read_some(asio::mutable_buffer buffer) {
  IoResult result;
  if (impl_->secure) {
    auto [ec, n] = co_await impl_->secure->async_read_some(buffer, use_tuple);
    result.ec = ec;
    result.bytes = n;
  } else {
    auto [ec, n] = co_await impl_->socket.async_read_some(buffer, use_tuple);
    result.ec = ec;
    result.bytes = n;
  }
  co_return result;
}

asio::awaitable<IoResult> Stream::write(asio::const_buffer buffer) {
  IoResult result;
  if (impl_->secure) {
    auto [ec, n] = co_await asio::async_write(*impl_->secure, buffer, use_tuple);
    result.ec = ec;
    result.bytes = n;
  } else {
    auto [ec, n] = co_await asio::async_write(impl_->socket, buffer, use_tuple);
    result.ec = ec;
    result.bytes = n;
  }
  co_return result;
}

void Stream::close() {
  boost::system::error_code ignored;
  impl_->lowest().close(ignored);
}

}  // namespace tgkeep::redis
