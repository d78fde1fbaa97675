// HttpClient: HTTP/1.1 requests to one origin over a small pool of keep-alive connections,
// plain or TLS (certificate and host name verified against the system CAs or a CA file).
//
// Every connect, TLS handshake, write and read has a deadline. A request that finds its reused
// keep-alive connection closed by the server before any reply byte is retried once on a fresh
// connection; every other failure is returned to the caller, classified.
//
// Thread-safety: use from the strand/executor it was created with (one event loop thread).
// Ownership: owns its connections; shutdown() closes them and fails requests in flight.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "net/http_url.hpp"
#include "util/result.hpp"

namespace tgkeep::net {

struct HttpClientOptions {
  HttpUrl url;
  std::string ca_file;  // extra trust anchor for TLS (a private Bot API server); "" = system CAs
  std::size_t max_connections = 8;
  std::chrono::milliseconds connect_timeout{10'000};
};

struct HttpResponse {
  unsigned status = 0;
  std::string body;
};

class HttpClient {
 public:
  // Fails (fatal) when the CA file cannot be loaded.
  [[nodiscard]] static Result<std::unique_ptr<HttpClient>> create(boost::asio::any_io_executor ex,
                                                                  HttpClientOptions options);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // POSTs `body` to path_prefix + `target`. `timeout` bounds the whole request after a connection
  // is available (waiting for a free connection is bounded by it too). Network failures and
  // timeouts are Error::transient; TLS verification failures are Error::fatal.
  boost::asio::awaitable<Result<HttpResponse>> post(std::string target, std::string body,
                                                    std::string content_type,
                                                    std::chrono::milliseconds timeout);

  // Closes every connection; requests in flight fail, new ones fail at once.
  void shutdown();

  const HttpUrl& url() const;

 private:
  struct Impl;
  explicit HttpClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tgkeep::net
