#include "redis/transport_error.hpp"

#include <gtest/gtest.h>
#include <boost/asio/error.hpp>

namespace tgkeep::redis {
namespace {

namespace asio = boost::asio;
constexpr std::string_view kWhere = "Redis at cache:6379";

TEST(TransportError, ClassifiesByPhaseAndCode) {
  EXPECT_EQ(transport_error(TransportPhase::resolve, asio::error::host_not_found, kWhere).code,
            ErrorCode::dns);
  const auto refused =
      transport_error(TransportPhase::connect, asio::error::connection_refused, kWhere);
  EXPECT_EQ(refused.code, ErrorCode::connection_refused);
  EXPECT_NE(refused.message.find("refused"), std::string::npos);
  EXPECT_EQ(transport_error(TransportPhase::connect, asio::error::host_unreachable, kWhere).code,
            ErrorCode::connection_refused);
  EXPECT_EQ(transport_error(TransportPhase::tls_handshake, asio::error::eof, kWhere).code,
            ErrorCode::tls);
  const auto during_handshake =
      transport_error(TransportPhase::handshake, asio::error::eof, kWhere);
  EXPECT_EQ(during_handshake.code, ErrorCode::connection_lost);
  EXPECT_NE(during_handshake.message.find("TLS"), std::string::npos);
  EXPECT_EQ(transport_error(TransportPhase::session, asio::error::connection_reset, kWhere).code,
            ErrorCode::connection_lost);
}

TEST(TransportError, TimeoutsAreTypedAndNameTheirPhase) {
  const auto tls =
      timeout_error(TransportPhase::tls_handshake, std::chrono::milliseconds(300), kWhere);
  EXPECT_EQ(tls.code, ErrorCode::timeout);
  EXPECT_NE(tls.message.find("TLS handshake timed out after 300 ms"), std::string::npos);
  EXPECT_EQ(timeout_error(TransportPhase::session, std::chrono::milliseconds(5), kWhere).message,
            "Redis at cache:6379: no reply within 5 ms");
}

}  // namespace
}  // namespace tgkeep::redis
