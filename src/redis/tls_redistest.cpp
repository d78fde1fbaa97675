// TLS against a real redis-server with a CA made by the test: verification (CA file, host name,
// SNI), an untrusted CA, tls_insecure, AUTH over TLS, and mixing up TLS and plaintext ports —
// which must fail cleanly within the connect timeout, never hang.
#include <chrono>

#include <gtest/gtest.h>

#include "redis/testing/redis_test.hpp"

namespace tgkeep::redis {
namespace {

using testing::RedisServer;
using testing::RedisServerOptions;
using testing::TestCa;
using namespace std::chrono_literals;

class TlsTest : public testing::RedisTest {
 protected:
  static void SetUpTestSuite() {
    ca_ = TestCa::create().release();
    if (ca_ == nullptr) return;
    RedisServerOptions options;
    options.tls = ca_;
    options.args = {"--requirepass", "tls-secret"};
    server_ = RedisServer::start(options).release();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
    delete ca_;
    ca_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(ca_ && server_) << "no TLS server"; }

  static Options tls_options() {
    Options options = options_for(*server_);
    options.host = "localhost";  // the certificate's only name
    options.tls = true;
    options.ca_file = ca_->ca_cert.string();
    options.password = "tls-secret";
    options.connect_timeout = 1000ms;
    return options;
  }

  static TestCa* ca_;
  static RedisServer* server_;
};

TestCa* TlsTest::ca_ = nullptr;
RedisServer* TlsTest::server_ = nullptr;

TEST_F(TlsTest, ConnectsWithTheCaFileAndAuthenticates) {
  auto& client = make_client(tls_options());
  auto status = run(client.connect());
  ASSERT_TRUE(status.ok()) << status.error().message;
  EXPECT_TRUE(run(client.command("SET", "tls", "yes")).ok());
  EXPECT_EQ(run(client.command("GET", "tls")).value(), Reply::of_string("yes"));
  CommandBatch batch;
  for (int i = 0; i < 1000; ++i) batch.add("INCR", "tls:n");
  auto replies = run(client.pipeline(std::move(batch)));
  ASSERT_TRUE(replies.ok()) << replies.error().message;
  ASSERT_EQ(replies->size(), 1000u);
  EXPECT_EQ(replies->back(), Reply::of_integer(replies->front().integer + 999));
}

TEST_F(TlsTest, AnUntrustedCertificateIsTlsVerify) {
  auto options = tls_options();
  options.ca_file = ca_->other_ca_cert.string();
  auto& client = make_client(options);
  auto status = run(client.connect());
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::tls_verify) << status.error().message;
  EXPECT_EQ(status.error().kind(), ErrorKind::fatal);
  EXPECT_NE(status.error().message.find("not trusted"), std::string::npos);
}

TEST_F(TlsTest, TheHostNameMustMatchTheCertificate) {
  auto options = tls_options();
  options.host = "127.0.0.1";  // the certificate names only localhost
  auto& client = make_client(options);
  auto status = run(client.connect());
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::tls_verify) << status.error().message;
  EXPECT_NE(status.error().message.find("does not name the host 127.0.0.1"), std::string::npos)
      << status.error().message;
}

TEST_F(TlsTest, InsecureSkipsVerificationOnlyWhenAsked) {
  auto options = tls_options();
  options.host = "127.0.0.1";
  options.ca_file.clear();
  options.tls_insecure = true;
  auto& client = make_client(options);
  auto status = run(client.connect());
  ASSERT_TRUE(status.ok()) << status.error().message;
  EXPECT_TRUE(run(client.command("PING")).value().is_status("PONG"));

  options.tls_insecure = false;  // system CAs do not know the test CA
  auto& strict = make_client(options);
  auto strict_status = run(strict.connect());
  ASSERT_FALSE(strict_status.ok());
  EXPECT_EQ(strict_status.error().code, ErrorCode::tls_verify);
}

TEST_F(TlsTest, AWrongPasswordOverTlsIsWrongpass) {
  auto options = tls_options();
  options.password = "nope-nope";
  auto& client = make_client(options);
  auto status = run(client.connect());
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::wrongpass);
}

TEST_F(TlsTest, ATlsClientOnAPlaintextPortFailsWithinTheConnectTimeout) {
  auto plain = RedisServer::start();
  ASSERT_TRUE(plain);
  auto options = tls_options();
  options.port = plain->port();
  options.password.clear();
  options.connect_timeout = 700ms;
  auto& client = make_client(options);
  const auto start = std::chrono::steady_clock::now();
  auto status = run(client.connect());
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(status.ok());
  EXPECT_TRUE(status.error().code == ErrorCode::timeout || status.error().code == ErrorCode::tls)
      << status.error().message;
  EXPECT_NE(status.error().message.find("TLS"), std::string::npos) << status.error().message;
  EXPECT_LT(elapsed, 700ms + 500ms);
}

TEST_F(TlsTest, APlaintextClientOnATlsPortFailsWithinTheConnectTimeout) {
  auto options = tls_options();
  options.tls = false;
  options.ca_file.clear();
  options.connect_timeout = 700ms;
  auto& client = make_client(options);
  const auto start = std::chrono::steady_clock::now();
  auto status = run(client.connect());
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(status.ok());
  EXPECT_TRUE(status.error().code == ErrorCode::connection_lost ||
              status.error().code == ErrorCode::timeout)
      << status.error().message;
  EXPECT_LT(elapsed, 700ms + 500ms);
  EXPECT_EQ(status.error().message.find("tls-secret"), std::string::npos);
}

}  // namespace
}  // namespace tgkeep::redis
