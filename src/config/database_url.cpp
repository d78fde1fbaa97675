#include "config/database_url.hpp"

#include <libpq-fe.h>

#include <array>
#include <memory>

#include <fmt/format.h>

namespace tgkeep::config {
namespace {

constexpr std::array kUrlVariables = {"TGKEEP_DATABASE_URL", "DATABASE_URL", "DATABASE_PRIVATE_URL",
                                      "DATABASE_PUBLIC_URL"};
constexpr std::array kLibpqVariables = {"PGHOST", "PGHOSTADDR", "PGPORT",
                                        "PGUSER", "PGDATABASE", "PGSERVICE"};

std::string trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r\n");
  std::string out(s.substr(first, last - first + 1));
  if (out.size() >= 2 && (out.front() == '"' || out.front() == '\'') && out.back() == out.front())
    out = out.substr(1, out.size() - 2);
  return out;
}

bool is_url(std::string_view s) {
  return s.starts_with("postgres://") || s.starts_with("postgresql://");
}

// The password's text as written in a URL or key=value conninfo, to hide it anywhere.
std::string_view password_text(std::string_view conninfo) {
  if (conninfo.find("://") != std::string_view::npos) {  // any URL, even of the wrong scheme
    const auto start = conninfo.find("://") + 3;
    const auto end_of_authority = conninfo.find_first_of("/?", start);
    const auto authority = conninfo.substr(start, end_of_authority == std::string_view::npos
                                                      ? std::string_view::npos
                                                      : end_of_authority - start);
    const auto at = authority.rfind('@');
    if (at == std::string_view::npos) return {};
    const auto colon = authority.substr(0, at).find(':');
    if (colon == std::string_view::npos) return {};
    return authority.substr(colon + 1, at - colon - 1);
  }
  const auto key = conninfo.find("password");
  if (key == std::string_view::npos) return {};
  auto rest = conninfo.substr(key + 8);
  const auto eq = rest.find('=');
  if (eq == std::string_view::npos) return {};
  rest = rest.substr(eq + 1);
  rest.remove_prefix(std::min(rest.find_first_not_of(' '), rest.size()));
  if (!rest.empty() && rest.front() == '\'') {
    const auto close = rest.find('\'', 1);
    return rest.substr(1, close == std::string_view::npos ? std::string_view::npos : close - 1);
  }
  return rest.substr(0, rest.find(' '));
}

std::string hide(std::string text, std::string_view secret) {
  if (secret.empty()) return text;
  for (auto at = text.find(secret); at != std::string::npos; at = text.find(secret, at + 4))
    text.replace(at, secret.size(), "****");
  return text;
}

std::string one_line(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  for (auto& c : s) {
    if (c == '\n') c = ' ';
  }
  return s;
}

struct OptionsDeleter {
  void operator()(PQconninfoOption* options) const { PQconninfoFree(options); }
};

std::string describe(const DatabaseConfig& c) {
  std::string out = "postgresql://";
  if (!c.user.empty()) out += c.user + (c.has_password ? ":****@" : "@");
  out += c.host.empty() ? std::string("(local socket)")
                        : (c.host.find(':') != std::string::npos ? "[" + c.host + "]" : c.host);
  if (!c.port.empty()) out += ":" + c.port;
  out += "/" + c.dbname;
  if (!c.sslmode.empty()) out += "?sslmode=" + c.sslmode;
  return out;
}

}  // namespace

std::string mask_conninfo(std::string_view conninfo) {
  return hide(std::string(conninfo), password_text(conninfo));
}

Result<DatabaseConfig> parse_database_url(std::string_view raw, std::string_view source) {
  const std::string value = trim(raw);
  const std::string_view secret = password_text(value);
  const auto wrong = [&](std::string_view why) {
    return Error::fatal(fmt::format("{} is not a PostgreSQL connection string: {} ({})", source,
                                    hide(std::string(why), secret), mask_conninfo(value)));
  };
  if (value.find("://") != std::string::npos && !is_url(value)) {
    return wrong(fmt::format("the scheme must be postgres:// or postgresql://, not {}",
                             value.substr(0, value.find("://") + 3)));
  }
  char* error = nullptr;
  std::unique_ptr<PQconninfoOption, OptionsDeleter> options(PQconninfoParse(value.c_str(), &error));
  if (!options) {
    std::string why = error ? one_line(error) : std::string("out of memory");
    PQfreemem(error);
    return wrong(why);
  }
  DatabaseConfig config;
  config.conninfo = value;
  config.source = std::string(source);
  for (auto* o = options.get(); o->keyword; ++o) {
    if (!o->val) continue;
    const std::string_view key = o->keyword;
    if (key == "host" || (key == "hostaddr" && config.host.empty())) config.host = o->val;
    if (key == "port") config.port = o->val;
    if (key == "user") config.user = o->val;
    if (key == "dbname") config.dbname = o->val;
    if (key == "sslmode") config.sslmode = o->val;
    if (key == "password") config.has_password = true;
  }
  if (!config.port.empty() && config.port.find_first_not_of("0123456789,") != std::string::npos)
    return wrong(fmt::format("the port \"{}\" is not a number", config.port));
  config.masked = describe(config);
  return config;
}

Result<std::optional<DatabaseConfig>> database_config(const EnvLookup& getenv) {
  for (const char* name : kUrlVariables) {
    auto value = getenv(name);
    if (!value || trim(*value).empty()) continue;
    auto parsed = parse_database_url(*value, name);
    if (!parsed) return parsed.error();
    return std::optional<DatabaseConfig>(std::move(parsed).value());
  }
  std::string named;
  DatabaseConfig config;
  for (const char* name : kLibpqVariables) {
    auto value = getenv(name);
    if (!value || trim(*value).empty()) continue;
    named += (named.empty() ? "" : ", ") + std::string(name);
    const std::string_view n = name;
    if (n == "PGHOST" || (n == "PGHOSTADDR" && config.host.empty())) config.host = trim(*value);
    if (n == "PGPORT") config.port = trim(*value);
    if (n == "PGUSER") config.user = trim(*value);
    if (n == "PGDATABASE") config.dbname = trim(*value);
  }
  if (named.empty()) return std::optional<DatabaseConfig>();
  if (auto mode = getenv("PGSSLMODE")) config.sslmode = trim(*mode);
  if (auto password = getenv("PGPASSWORD")) config.has_password = !password->empty();
  if (!config.port.empty() && config.port.find_first_not_of("0123456789,") != std::string::npos) {
    return Error::fatal(fmt::format("PGPORT \"{}\" is not a port number", config.port));
  }
  config.source = "PG* variables (" + named + ")";
  config.masked = describe(config);
  return std::optional<DatabaseConfig>(std::move(config));
}

}  // namespace tgkeep::config
