#include "redis/testing/test_ca.hpp"

#include <cstdlib>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

namespace tgkeep::redis::testing {
namespace {

bool sh(const std::string& command) {
  const int rc = std::system((command + " >/dev/null 2>&1").c_str());
  if (rc != 0) ADD_FAILURE() << "failed: " << command;
  return rc == 0;
}

std::string quoted(const std::filesystem::path& path) {
  return "'" + path.string() + "'";
}

// A self-signed EC CA (EC keys are generated in milliseconds, RSA keys are not).
bool make_ca(const std::filesystem::path& key, const std::filesystem::path& cert,
             const std::string& name) {
  return sh(
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 "
      "-subj '/CN=" +
      name + "' -keyout " + quoted(key) + " -out " + quoted(cert));
}

}  // namespace

std::unique_ptr<TestCa> TestCa::create() {
  auto ca = std::make_unique<TestCa>();
  std::string pattern = (std::filesystem::temp_directory_path() / "tgkeep-ca-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    ADD_FAILURE() << "mkdtemp failed";
    return nullptr;
  }
  ca->dir = pattern;
  ca->ca_cert = ca->dir / "ca.crt";
  ca->server_cert = ca->dir / "server.crt";
  ca->server_key = ca->dir / "server.key";
  ca->other_ca_cert = ca->dir / "other-ca.crt";
  const auto ca_key = ca->dir / "ca.key";
  const auto csr = ca->dir / "server.csr";
  const auto ext = ca->dir / "server.ext";
  std::ofstream(ext) << "subjectAltName=DNS:localhost\n"
                        "extendedKeyUsage=serverAuth\n";
  const bool ok =
      make_ca(ca_key, ca->ca_cert, "tgkeep test CA") &&
      make_ca(ca->dir / "other-ca.key", ca->other_ca_cert, "unrelated CA") &&
      sh("openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "
         "'/CN=localhost' -keyout " +
         quoted(ca->server_key) + " -out " + quoted(csr)) &&
      sh("openssl x509 -req -days 2 -in " + quoted(csr) + " -CA " + quoted(ca->ca_cert) +
         " -CAkey " + quoted(ca_key) + " -CAcreateserial -extfile " + quoted(ext) + " -out " +
         quoted(ca->server_cert));
  if (!ok) return nullptr;
  return ca;
}

TestCa::~TestCa() {
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
}

}  // namespace tgkeep::redis::testing
