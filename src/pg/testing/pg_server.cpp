#include "pg/testing/pg_server.hpp"
#include "util/testing/free_port.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>

extern char** environ;

namespace tgkeep::pg::testing {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr auto kStartTimeout = std::chrono::seconds(20);
constexpr auto kStopTimeout = std::chrono::seconds(15);
constexpr auto kPsqlTimeout = std::chrono::seconds(30);

// The unprivileged user initdb and postgres run as when we are root.
struct RunAs {
  uid_t uid;
  gid_t gid;
};

std::optional<RunAs> run_as() {
  if (::geteuid() != 0) return std::nullopt;
  // `nobody` exists everywhere and needs no setup; its primary group (nogroup on Debian).
  const passwd* pw = ::getpwnam("nobody");
  if (pw == nullptr) {
    ADD_FAILURE() << "running as root and there is no user `nobody` to run PostgreSQL as";
    return std::nullopt;
  }
  return RunAs{pw->pw_uid, pw->pw_gid};
}

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

fs::path find_bindir() {
  if (const char* env = std::getenv("TGKEEP_PG_BINDIR"); env != nullptr && *env != '\0') {
    return env;
  }
  std::string out;
  if (FILE* pipe = ::popen("pg_config --bindir 2>/dev/null", "r"); pipe != nullptr) {
    char buffer[512];
    while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) out += buffer;
    ::pclose(pipe);
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  if (!out.empty() && fs::exists(fs::path(out) / "initdb")) return out;
  return "/usr/lib/postgresql/15/bin";
}

const fs::path& bindir() {
  static const fs::path dir = find_bindir();
  return dir;
}

// Where to make the temporary directory: $TMPDIR (temp_directory_path) unless, as root, `nobody`
// could not reach into it; then /tmp.
fs::path temp_base(const std::optional<RunAs>& as) {
  std::error_code error;
  fs::path base = fs::temp_directory_path(error);
  if (error) return "/tmp";
  if (!as) return base;
  for (fs::path p = fs::absolute(base, error); !p.empty(); p = p.parent_path()) {
    struct stat st {};
    if (::stat(p.c_str(), &st) != 0 || (st.st_mode & S_IXOTH) == 0) return "/tmp";
    if (p == p.root_path()) break;
  }
  return base;
}

// The environment without PG* variables (PGDATA, PGHOST, PGOPTIONS, ... would change what
// initdb, postgres and psql do).
std::vector<std::string> clean_environment() {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    if (std::strncmp(*e, "PG", 2) != 0) env.emplace_back(*e);
  }
  return env;
}

struct SpawnSpec {
  std::vector<std::string> args;  // args[0] is an absolute path
  fs::path cwd;
  fs::path out;       // stdout (appended)
  fs::path err;       // stderr (appended); empty: same as out
  bool drop = false;  // run as the unprivileged user when root
  // Sent to the process by the kernel when the thread that started it exits, so that a test
  // binary that dies (a crash, a ctest timeout) takes its servers with it.
  const char* parent_death_signal = "SIGKILL";
};

// The PID of the started process, or -1 (and a test failure).
pid_t spawn_process(const SpawnSpec& spec) {
  // setpriv (util-linux) changes the user, then sets the parent death signal (a change of user
  // would clear it), then execs: the PID stays the one we hold.
  std::vector<std::string> args = {"setpriv", "--pdeathsig", spec.parent_death_signal};
  if (spec.drop) {
    if (const auto as = run_as()) {
      for (std::string arg : {fmt::format("--reuid={}", as->uid),
                              fmt::format("--regid={}", as->gid), std::string("--clear-groups")}) {
        args.push_back(std::move(arg));
      }
    }
  }
  args.emplace_back("--");
  args.insert(args.end(), spec.args.begin(), spec.args.end());
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  std::vector<std::string> env = clean_environment();
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, spec.out.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (spec.err.empty()) {
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  } else {
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, spec.err.c_str(),
                                     O_WRONLY | O_CREAT | O_APPEND, 0644);
  }
  posix_spawn_file_actions_addchdir_np(&actions, spec.cwd.c_str());
  // Default signal handling and no blocked signal: postgres is driven by signals, and a test
  // runner may have ignored some (SIGINT, SIGQUIT) or blocked some.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t signals;
  sigemptyset(&signals);
  for (const int sig : {SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGPIPE, SIGUSR1, SIGUSR2, SIGCHLD}) {
    sigaddset(&signals, sig);
  }
  posix_spawnattr_setsigdefault(&attr, &signals);
  sigemptyset(&signals);
  posix_spawnattr_setsigmask(&attr, &signals);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  pid_t pid = -1;
  const int rc = ::posix_spawnp(&pid, argv[0], &actions, &attr, argv.data(), envp.data());
  posix_spawnattr_destroy(&attr);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    ADD_FAILURE() << "cannot run " << args[0] << ": " << std::strerror(rc);
    return -1;
  }
  return pid;
}

// Waits for our child `pid` to exit; its wait status, or nullopt after `timeout` (it is then
// still running).
std::optional<int> wait_exit(pid_t pid, Clock::duration timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    int status = 0;
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return status;
    if (r < 0 && errno != EINTR) return -1;
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

// The state letter and parent PID of a process from /proc/PID/stat, or nullopt if it is gone.
std::optional<std::pair<char, pid_t>> proc_state(pid_t pid) {
  std::ifstream in(fmt::format("/proc/{}/stat", pid));
  std::string line;
  if (!std::getline(in, line)) return std::nullopt;
  const auto paren = line.rfind(')');  // the command name may contain anything
  if (paren == std::string::npos) return std::nullopt;
  std::istringstream rest(line.substr(paren + 1));
  char state = '?';
  pid_t ppid = 0;
  rest >> state >> ppid;
  return std::pair{state, ppid};
}

// The PIDs whose parent is `parent` (zombies included).
std::vector<pid_t> children_of(pid_t parent) {
  std::vector<pid_t> children;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator("/proc", error)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    const pid_t pid = static_cast<pid_t>(std::stol(name));
    if (const auto st = proc_state(pid); st && st->second == parent) children.push_back(pid);
  }
  return children;
}

// Reaps a former child of the postmaster: ours, as a subreaper, once the postmaster is dead.
// Should it not be ours, waits (5 s at most) until it is gone or a zombie of someone else.
void reap(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno == EINTR) continue;
    const auto deadline = Clock::now() + std::chrono::seconds(5);
    while (Clock::now() < deadline) {
      const auto st = proc_state(pid);
      if (!st || st->first == 'Z') return;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return;
  }
}

std::uint16_t free_port() {
  const std::uint16_t port = tgkeep::testing::free_loopback_port();
  if (port == 0) ADD_FAILURE() << "cannot find a free port";
  return port;
}

std::string percent_encode(std::string_view text) {
  std::string out;
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += c;
    } else {
      out += fmt::format("%{:02X}", u);
    }
  }
  return out;
}

void chown_to(const fs::path& path, const RunAs& as) {
  if (::chown(path.c_str(), as.uid, as.gid) != 0) {
    ADD_FAILURE() << "chown " << path << ": " << std::strerror(errno);
  }
}

}  // namespace

std::unique_ptr<PgServer> PgServer::start(PgServerOptions options) {
  std::unique_ptr<PgServer> server(new PgServer());
  server->options_ = std::move(options);
  const auto as = run_as();
  std::string pattern = (temp_base(as) / "tgkeep-pg-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    ADD_FAILURE() << "mkdtemp failed: " << std::strerror(errno);
    return nullptr;
  }
  server->dir_ = pattern;
  if (as) chown_to(server->dir_, *as);
  if (!server->initdb()) return nullptr;
  // A port found free may be taken before postgres binds it: try a few.
  const auto deadline = Clock::now() + kStartTimeout;
  for (int attempt = 0; attempt < 3 && Clock::now() < deadline; ++attempt) {
    server->port_ = free_port();
    if (server->spawn() && server->wait_until_ready()) return server;
    server->kill_hard();
  }
  ADD_FAILURE() << "PostgreSQL did not start in " << server->dir_ << "; its log ends with:\n"
                << server->log_tail();
  return nullptr;
}

PgServer::~PgServer() {
  if (pid_ > 0) stop();
  std::error_code ignored;
  fs::remove_all(dir_, ignored);
}

bool PgServer::initdb() {
  const auto as = run_as();
  const fs::path pwfile = dir_ / "pwfile";
  {
    std::ofstream out(pwfile);
    out << kSuperuserPassword << '\n';
  }
  if (as) chown_to(pwfile, *as);
  const fs::path log = dir_ / "initdb.log";
  SpawnSpec spec;
  spec.args = {(bindir() / "initdb").string(),
               "-D",
               data_dir().string(),
               "-U",
               "postgres",
               "--pwfile=" + pwfile.string(),
               "--auth-local=trust",
               std::string("--auth-host=") + (options_.with_password ? "scram-sha-256" : "trust"),
               "-E",
               "UTF8",
               "--locale=C",
               "--no-sync",
               "--no-instructions"};
  spec.cwd = dir_;
  spec.out = log;
  spec.drop = true;
  const pid_t pid = spawn_process(spec);
  if (pid < 0) return false;
  const auto status = wait_exit(pid, kStartTimeout);
  std::error_code ignored;
  fs::remove(pwfile, ignored);
  if (!status) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    ADD_FAILURE() << "initdb did not finish in 20 s";
    return false;
  }
  if (!WIFEXITED(*status) || WEXITSTATUS(*status) != 0) {
    ADD_FAILURE() << "initdb failed (" << bindir() << "):\n" << slurp(log);
    return false;
  }
  return true;
}

bool PgServer::spawn() {
  SpawnSpec spec;
  spec.args = {(bindir() / "postgres").string(), "-D", data_dir().string(), "-p",
               std::to_string(port_)};
  std::vector<std::pair<std::string, std::string>> settings = {
      {"listen_addresses", "127.0.0.1"},
      {"unix_socket_directories", dir_.string()},
      {"fsync", "off"},
      {"synchronous_commit", "off"},
      {"full_page_writes", "off"},
      // Dynamic shared memory in the data directory, not /dev/shm: nothing outlives the dir.
      {"dynamic_shared_memory_type", "mmap"},
      {"shared_buffers", "16MB"},
      {"max_wal_senders", "0"},
      {"wal_level", "minimal"},
  };
  settings.insert(settings.end(), options_.settings.begin(), options_.settings.end());
  for (const auto& [name, value] : settings) {
    spec.args.emplace_back("-c");
    spec.args.push_back(name + "=" + value);
  }
  spec.cwd = dir_;
  spec.out = log_file();
  spec.drop = true;
  // Immediate shutdown: the postmaster stops its children, then exits.
  spec.parent_death_signal = "SIGQUIT";
  pid_ = spawn_process(spec);
  return pid_ > 0;
}

bool PgServer::wait_until_ready() {
  const std::string ping =
      fmt::format("host=127.0.0.1 port={} user=postgres dbname=postgres connect_timeout=2", port_);
  const auto deadline = Clock::now() + kStartTimeout;
  while (Clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;  // exited: the port was taken, or a bad setting
      return false;
    }
    // PQPING_OK: accepting connections (even if authentication would fail); PQPING_REJECT while
    // starting up or recovering from a crash.
    if (PQping(ping.c_str()) == PQPING_OK) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

std::string PgServer::conninfo(std::string user, std::string db, std::string password) const {
  std::string auth = percent_encode(user);
  if (!password.empty()) auth += ":" + percent_encode(password);
  return fmt::format("postgresql://{}@127.0.0.1:{}/{}", auth, port_, percent_encode(db));
}

void PgServer::kill_hard() {
  if (pid_ <= 0) return;
  // The postmaster's children become ours when it dies, so that we can reap them by PID.
  ::prctl(PR_SET_CHILD_SUBREAPER, 1);
  // Stopped, the postmaster forks no new child while we list them.
  ::kill(pid_, SIGSTOP);
  const std::vector<pid_t> children = children_of(pid_);
  ::kill(pid_, SIGKILL);
  for (const pid_t child : children) ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  for (const pid_t child : children) reap(child);
  pid_ = -1;
  frozen_ = false;

  // Everything is dead: what the crash left behind cannot stop the next start. Remove the
  // postmaster's SysV shared memory header (its ID is on line 7 of postmaster.pid: "KEY ID"),
  // then postmaster.pid itself, whose PID could by now belong to another process of `nobody`.
  const fs::path lock = data_dir() / "postmaster.pid";
  std::ifstream in(lock);
  std::string line;
  for (int i = 0; i < 7 && std::getline(in, line); ++i) {
    if (i != 6) continue;
    std::istringstream fields(line);
    unsigned long key = 0;
    long id = -1;
    if (fields >> key >> id && id >= 0) ::shmctl(static_cast<int>(id), IPC_RMID, nullptr);
  }
  std::error_code ignored;
  fs::remove(lock, ignored);
}

bool PgServer::restart() {
  kill_hard();
  if (spawn() && wait_until_ready()) return true;
  ADD_FAILURE() << "PostgreSQL did not restart on port " << port_ << "; its log ends with:\n"
                << log_tail();
  return false;
}

bool PgServer::stop() {
  if (pid_ <= 0) return true;
  if (frozen_) thaw();
  ::kill(pid_, SIGINT);  // fast shutdown: disconnect clients, checkpoint, exit
  if (wait_exit(pid_, kStopTimeout)) {
    pid_ = -1;
    return true;
  }
  ADD_FAILURE() << "PostgreSQL did not shut down in 15 s; killing it";
  kill_hard();
  return false;
}

void PgServer::freeze() {
  if (pid_ <= 0 || ::kill(pid_, SIGSTOP) != 0) return;
  for (const pid_t child : children_of(pid_)) ::kill(child, SIGSTOP);
  frozen_ = true;
}

void PgServer::thaw() {
  if (pid_ > 0) {
    for (const pid_t child : children_of(pid_)) ::kill(child, SIGCONT);
    ::kill(pid_, SIGCONT);
  }
  frozen_ = false;
}

std::string PgServer::psql(const std::string& sql, const std::string& db) const {
  static int counter = 0;
  const std::string stem = fmt::format("psql-{}", ++counter);
  const fs::path script = dir_ / (stem + ".sql");
  const fs::path out = dir_ / (stem + ".out");
  const fs::path err = dir_ / (stem + ".err");
  {
    std::ofstream file(script);
    file << sql << '\n';
  }
  SpawnSpec spec;
  spec.args = {(bindir() / "psql").string(),
               "-X",
               "-q",
               "-A",
               "-t",
               "-v",
               "ON_ERROR_STOP=1",
               "-h",
               dir_.string(),
               "-p",
               std::to_string(port_),
               "-U",
               "postgres",
               "-d",
               db,
               "-f",
               script.string()};
  spec.cwd = dir_;
  spec.out = out;
  spec.err = err;
  std::string result;
  if (const pid_t pid = spawn_process(spec); pid > 0) {
    const auto status = wait_exit(pid, kPsqlTimeout);
    if (!status) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
      ADD_FAILURE() << "psql did not finish in 30 s: " << sql;
    } else if (!WIFEXITED(*status) || WEXITSTATUS(*status) != 0) {
      ADD_FAILURE() << "psql failed: " << sql << "\n" << slurp(err);
    }
    result = slurp(out);
  }
  std::error_code ignored;
  for (const auto& p : {script, out, err}) fs::remove(p, ignored);
  return result;
}

std::string PgServer::log_tail() const {
  const std::string log = slurp(log_file());
  constexpr std::size_t kTail = 4000;
  return log.size() > kTail ? log.substr(log.size() - kTail) : log;
}

}  // namespace tgkeep::pg::testing
