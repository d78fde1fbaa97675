#include "redis/transport_error.hpp"

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>

namespace tgkeep::redis {
namespace {

namespace asio = boost::asio;

bool is_certificate_rejected(const boost::system::error_code& ec) {
  if (ec.category() != asio::error::get_ssl_category()) return false;
  return ERR_GET_REASON(static_cast<unsigned long>(ec.value())) == SSL_R_CERTIFICATE_VERIFY_FAILED;
}

bool is_closed_by_peer(const boost::system::error_code& ec) {
  return ec == asio::error::eof || ec == asio::ssl::error::stream_truncated ||
         ec == asio::error::connection_reset || ec == asio::error::broken_pipe;
}

std::string with_detail(const boost::system::error_code& ec, std::string_view detail) {
  if (detail.empty()) return ec.message();
  return fmt::format("{}: {}", ec.message(), detail);
}

}  // namespace

RedisError transport_error(TransportPhase phase, const boost::system::error_code& ec,
                           std::string_view where, std::string_view detail) {
  switch (phase) {
    case TransportPhase::resolve:
      return make_error(ErrorCode::dns,
                        fmt::format("{}: the host name does not resolve ({}); check the host "
                                    "(a private host name resolves only inside its platform's "
                                    "network)",
                                    where, with_detail(ec, detail)));
    case TransportPhase::connect:
      if (ec == asio::error::connection_refused) {
        return make_error(ErrorCode::connection_refused,
                          fmt::format("{} refused the connection: is Redis running, and are the "
                                      "host and port right?",
                                      where));
      }
      return make_error(ErrorCode::connection_refused,
                        fmt::format("cannot connect to {}: {}", where, with_detail(ec, detail)));
    case TransportPhase::tls_handshake:
      if (is_certificate_rejected(ec)) {
        return make_error(
            ErrorCode::tls_verify,
            fmt::format("the TLS certificate of {} is not trusted ({}): for a private CA set "
                        "the CA file; skipping verification (tls_insecure) is a last resort",
                        where, detail.empty() ? ec.message() : std::string(detail)));
      }
      return make_error(ErrorCode::tls,
                        fmt::format("TLS handshake with {} failed ({}): does that port speak TLS? "
                                    "(rediss:// for TLS, redis:// for plaintext)",
                                    where, with_detail(ec, detail)));
    case TransportPhase::handshake:
      if (is_closed_by_peer(ec)) {
        return make_error(ErrorCode::connection_lost,
                          fmt::format("{} closed the connection during the handshake ({}): does "
                                      "that port expect TLS? (rediss://)",
                                      where, with_detail(ec, detail)));
      }
      return make_error(ErrorCode::connection_lost,
                        fmt::format("connection to {} broke during the handshake: {}", where,
                                    with_detail(ec, detail)));
    case TransportPhase::session:
      if (is_closed_by_peer(ec)) {
        return make_error(ErrorCode::connection_lost, fmt::format("{} closed the connection ({})",
                                                                  where, with_detail(ec, detail)));
      }
      return make_error(ErrorCode::connection_lost,
                        fmt::format("connection to {} broke: {}", where, with_detail(ec, detail)));
  }
  return make_error(ErrorCode::connection_lost, fmt::format("{}: {}", where, ec.message()));
}

RedisError certificate_name_mismatch(std::string_view where, std::string_view host) {
  return make_error(ErrorCode::tls_verify,
                    fmt::format("the TLS certificate of {} does not name the host {}: connect with "
                                "a host name the certificate lists",
                                where, host));
}

RedisError timeout_error(TransportPhase phase, std::chrono::milliseconds timeout,
                         std::string_view where) {
  const auto ms = timeout.count();
  switch (phase) {
    case TransportPhase::resolve:
      return make_error(
          ErrorCode::timeout,
          fmt::format("{}: resolving the host name timed out after {} ms", where, ms));
    case TransportPhase::connect:
      return make_error(ErrorCode::timeout,
                        fmt::format("{}: connecting timed out after {} ms (a firewall, or a "
                                    "private host reached from outside its network?)",
                                    where, ms));
    case TransportPhase::tls_handshake:
      return make_error(ErrorCode::timeout,
                        fmt::format("{}: the TLS handshake timed out after {} ms: does that port "
                                    "speak TLS? (redis:// for plaintext)",
                                    where, ms));
    case TransportPhase::handshake:
      return make_error(ErrorCode::timeout,
                        fmt::format("{}: no answer to AUTH/SELECT/PING within {} ms", where, ms));
    case TransportPhase::session:
      break;
  }
  return make_error(ErrorCode::timeout, fmt::format("{}: no reply within {} ms", where, ms));
}

}  // namespace tgkeep::redis
