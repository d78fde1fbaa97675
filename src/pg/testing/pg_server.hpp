// PgServer: a real PostgreSQL 15 for tests, made by initdb in its own temporary directory and
// listening on 127.0.0.1 only, on a free port (and on a Unix socket in that directory). It is
// started by start(), waited for until it accepts connections, and shut down by PID when the
// object goes away (SIGINT, a fast shutdown; SIGKILL if that hangs); the directory is removed
// with it. Durability is off for speed (fsync, synchronous_commit, full_page_writes), unless
// the options set those settings again.
//
// initdb and postgres refuse to run as root: when the tests run as root, the directory belongs
// to `nobody` and both run through `setpriv --reuid --regid --clear-groups` as that user (setpriv
// execs, so the PID we hold is the postmaster's). setpriv also sets the parent death signal
// (SIGQUIT, an immediate shutdown), so a test binary that dies (a crash, a ctest timeout) does
// not leave servers behind; it fires when the *thread* that called start() or restart() exits:
// call them from the test's thread. Binaries: $TGKEEP_PG_BINDIR, else `pg_config --bindir`, else
// /usr/lib/postgresql/15/bin.
//
// Faults: kill_hard() (SIGKILL to the postmaster and its children, by PID: a crash; the next
// start does crash recovery; the test process becomes a child subreaper so that it can reap the
// orphaned children), restart() (same port and data directory), stop() (fast shutdown),
// freeze() / thaw() (SIGSTOP / SIGCONT to the postmaster and its children: existing connections
// hang too). psql() runs SQL through the psql binary as the superuser over the Unix socket (always
// trusted), for setting a server up without the code under test.
//
// Thread-safety: none; one test owns it. Test support only.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tgkeep::pg::testing {

// The superuser ("postgres") password of every PgServer; required over TCP with with_password.
inline constexpr std::string_view kSuperuserPassword = "tgkeep-test-superuser";

struct PgServerOptions {
  // Extra `postgres -c NAME=VALUE` settings, after the fixture's own (listen_addresses,
  // unix_socket_directories, fsync=off, ...), so they override them: {{"max_connections", "5"}}.
  std::vector<std::pair<std::string, std::string>> settings;
  // true: TCP connections authenticate with scram-sha-256 (superuser password
  // kSuperuserPassword); false: trust. The Unix socket always trusts (psql() uses it).
  bool with_password = false;
};

class PgServer {
 public:
  // Fails the current test (and returns nullptr) when the server does not come up in 20 s.
  static std::unique_ptr<PgServer> start(PgServerOptions options = {});
  ~PgServer();
  PgServer(const PgServer&) = delete;
  PgServer& operator=(const PgServer&) = delete;

  std::uint16_t port() const { return port_; }
  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path data_dir() const { return dir_ / "data"; }
  std::filesystem::path log_file() const { return dir_ / "postgres.log"; }
  // The postmaster's PID, or -1 when it is not running.
  pid_t pid() const { return pid_; }

  // A libpq URL: postgresql://USER[:PASSWORD]@127.0.0.1:PORT/DB (parts percent-encoded).
  std::string conninfo(std::string user = "postgres", std::string db = "postgres",
                       std::string password = {}) const;

  void kill_hard();
  // Starts the server again on the same port and data directory (after kill_hard(), stop() or
  // while running: then it is killed first) and waits until it accepts connections; false (and
  // a test failure) when it does not in 20 s.
  [[nodiscard]] bool restart();
  // Fast shutdown (SIGINT), waited for by PID; false when it took SIGKILL after 15 s.
  bool stop();
  void freeze();
  void thaw();

  // Runs `sql` (any number of statements, each in its own transaction unless it says BEGIN) with
  // psql as the superuser on database `db`, stopping at the first error; returns psql's stdout
  // (unaligned, tuples only: "1\n" for SELECT 1). An error fails the current test.
  std::string psql(const std::string& sql, const std::string& db = "postgres") const;

 private:
  PgServer() = default;
  [[nodiscard]] bool initdb();
  [[nodiscard]] bool spawn();
  [[nodiscard]] bool wait_until_ready();
  std::string log_tail() const;

  PgServerOptions options_;
  std::filesystem::path dir_;
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
  bool frozen_ = false;
};

}  // namespace tgkeep::pg::testing
