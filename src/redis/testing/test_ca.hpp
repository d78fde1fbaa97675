// TestCa: a throwaway certificate authority made with the openssl command line for TLS tests: a
// CA, a server certificate for `localhost` (SAN DNS:localhost only, so connecting to 127.0.0.1
// exercises the host name check), and an unrelated CA that trusts nothing here.
//
// Thread-safety: none. Test support only; files live in a temporary directory removed with it.
#pragma once

#include <filesystem>
#include <memory>

namespace tgkeep::redis::testing {

struct TestCa {
  std::filesystem::path dir;
  std::filesystem::path ca_cert;
  std::filesystem::path server_cert;
  std::filesystem::path server_key;
  std::filesystem::path other_ca_cert;

  // Fails the current test (and returns nullptr) when openssl fails.
  static std::unique_ptr<TestCa> create();
  ~TestCa();
};

}  // namespace tgkeep::redis::testing
