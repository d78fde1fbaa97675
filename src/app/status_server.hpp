// StatusServer: tgkeep's own HTTP endpoints for operators and orchestrators (DESIGN.md,
// "Observability"), on TGKEEP_STATUS_ADDR (host:port; off when empty):
//   GET /healthz  200 "ok" while the process runs
//   GET /readyz   200 when a durable write path exists, else 503 (nothing takes records)
//   GET /metrics  Prometheus text format
// HTTP/1.1 with one request per connection (Connection: close), requests up to 8 KiB, 5 s to send
// one: enough for a scraper and a probe, with nothing to keep alive.
// Thread-safety: the executor it was started on.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>

#include "util/result.hpp"

namespace tgkeep::app {

struct StatusPages {
  std::function<bool()> ready;
  std::function<std::string()> metrics;
};

class StatusServer {
 public:
  // Binds `address` ("127.0.0.1:9090", "[::1]:9090", ":9090" for every interface) and serves
  // until stop(). A bad address or a port in use is one fatal line.
  static Result<std::unique_ptr<StatusServer>> start(boost::asio::any_io_executor ex,
                                                     const std::string& address, StatusPages pages);
  ~StatusServer();
  std::uint16_t port() const;
  void stop();

 private:
  struct Impl;
  explicit StatusServer(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

}  // namespace tgkeep::app
