// Stream: a connected byte stream to a Redis server, TCP or TLS over TCP. open() resolves,
// connects and runs the TLS handshake (SNI, certificate and host name verified unless
// tls_insecure) under one deadline; reads and writes have none of their own: Connection bounds
// them with its command deadlines.
//
// Thread-safety: use from one executor thread; one read and one write may be outstanding at once.
// Ownership: owns its socket; close() cancels outstanding operations.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/system/error_code.hpp>

#include "redis/options.hpp"
#include "redis/redis_result.hpp"

namespace boost::asio::ssl {
class context;
}

namespace tgkeep::redis {

struct IoResult {
  boost::system::error_code ec;
  std::size_t bytes = 0;
};

class Stream {
 public:
  // `tls` is required when options.tls and must outlive the stream. Fails with dns,
  // connection_refused, tls, tls_verify or timeout.
  static boost::asio::awaitable<RedisResult<std::unique_ptr<Stream>>> open(
      boost::asio::any_io_executor ex, Options options, boost::asio::ssl::context* tls,
      std::chrono::steady_clock::time_point deadline);

  ~Stream();
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;

  boost::asio::awaitable<IoResult> read_some(boost::asio::mutable_buffer buffer);
  // Writes the whole buffer.
  boost::asio::awaitable<IoResult> write(boost::asio::const_buffer buffer);
  void close();

 private:
  struct Impl;
  explicit Stream(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tgkeep::redis
