// make_tls_context: the TLS client settings shared by a client's connections: TLS 1.2 or newer,
// peer verification on, trust anchors from the system store or from Options::ca_file.
// Host name checks are set per connection (Stream), and both are skipped only with
// Options::tls_insecure.
//
// Thread-safety: build once, then read-only. Ownership: the caller owns the context and keeps it
// alive as long as any connection made with it.
#pragma once

#include <memory>

#include "redis/options.hpp"
#include "redis/redis_result.hpp"

namespace boost::asio::ssl {
class context;
}

namespace tgkeep::redis {

// ErrorCode::config when the CA file cannot be loaded.
[[nodiscard]] RedisResult<std::shared_ptr<boost::asio::ssl::context>> make_tls_context(
    const Options& options);

}  // namespace tgkeep::redis
