#include "redis/tls_context.hpp"

#include <fmt/format.h>
#include <boost/asio/ssl/context.hpp>

namespace tgkeep::redis {

namespace ssl = boost::asio::ssl;

RedisResult<std::shared_ptr<ssl::context>> make_tls_context(const Options& options) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
  boost::system::error_code ec;
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                           ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                           ssl::context::no_tlsv1_1,
                       ec);
  if (options.tls_insecure) {
    context->set_verify_mode(ssl::verify_none, ec);
    return context;
  }
  context->set_verify_mode(ssl::verify_peer, ec);
  if (options.ca_file.empty()) {
    context->set_default_verify_paths(ec);
    if (ec) {
      RedisError error;
      error.code = ErrorCode::config;
      error.message = fmt::format("cannot load the system CA certificates: {}", ec.message());
      return error;
    }
  } else {
    context->load_verify_file(options.ca_file, ec);
    if (ec) {
      RedisError error;
      error.code = ErrorCode::config;
      error.message =
          fmt::format("cannot load the Redis CA file {}: {}", options.ca_file, ec.message());
      return error;
    }
  }
  return context;
}

}  // namespace tgkeep::redis
