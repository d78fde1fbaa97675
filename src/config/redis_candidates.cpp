#include "config/redis_candidates.hpp"

#include <cstdlib>

#include <algorithm>
#include <array>
#include <utility>

namespace tgkeep::config {

namespace {

constexpr std::string_view kExplicitVariable = "TGKEEP_REDIS_URL";
constexpr std::string_view kCaVariable = "REDIS_TLS_CA";

struct UrlVariable {
  std::string_view name;
  std::string_view why;
};
constexpr std::array kUrlVariables{
    UrlVariable{kExplicitVariable, "tgkeep's own setting, ahead of the platform's variables"},
    UrlVariable{"REDIS_URL", "the usual Redis URL variable"},
    UrlVariable{"REDIS_PRIVATE_URL", "Railway's private-network URL"},
    UrlVariable{"REDIS_PUBLIC_URL",
                "Railway's public URL through its TCP proxy, reachable from outside the project"},
};
constexpr std::string_view kPartsWhy = "the separate host, port, user and password variables";

// One part of an endpoint, in its two spellings: Railway's first, it wins.
struct PartVariable {
  std::string_view railway;
  std::string_view generic;
  bool show_value;  // values of host and port may be quoted in warnings, user and password not
};
constexpr std::array kParts{
    PartVariable{"REDISHOST", "REDIS_HOST", true},
    PartVariable{"REDISPORT", "REDIS_PORT", true},
    PartVariable{"REDISUSER", "REDIS_USERNAME", false},
    PartVariable{"REDISPASSWORD", "REDIS_PASSWORD", false},
};
enum PartIndex { kHost, kPort, kUser, kPassword };

std::string_view trim(std::string_view s) {
  constexpr std::string_view space = " \t\r\n\v\f";
  const std::size_t begin = s.find_first_not_of(space);
  if (begin == std::string_view::npos) return {};
  return s.substr(begin, s.find_last_not_of(space) + 1 - begin);
}

std::string join(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += separator;
    out += item;
  }
  return out;
}

bool is_private_host(std::string_view host) {
  return host.ends_with(".internal");
}

class Collector {
 public:
  explicit Collector(const EnvLookup& getenv) : getenv_(getenv) {}

  Result<RedisCandidates> collect() {
    for (const UrlVariable& variable : kUrlVariables) {
      const std::optional<std::string> value = get(variable.name);
      if (!value) continue;
      Result<RedisEndpoint> endpoint = parse_redis_url(*value, variable.name);
      if (endpoint.ok()) {
        add(std::move(endpoint).value(), std::string(variable.why));
      } else if (variable.name == kExplicitVariable) {
        return endpoint.error();
      } else {
        failures_.push_back(endpoint.error().message);
      }
    }
    collect_parts();
    if (found_.candidates.empty() && !failures_.empty()) {
      return Error::fatal(join(failures_, "; "));
    }
    for (const std::string& failure : failures_) {
      found_.warnings.push_back(failure + "; skipped, the other candidates remain");
    }
    apply_ca_file();
    merge_duplicates();
    warn_about_credentials();
    return std::move(found_);
  }

 private:
  std::optional<std::string> get(std::string_view name) const {
    std::optional<std::string> value = getenv_(name);
    if (!value) return std::nullopt;
    const std::string_view trimmed = trim(*value);
    if (trimmed.empty()) return std::nullopt;
    return std::string(trimmed);
  }

  void add(RedisEndpoint endpoint, std::string why) {
    RedisCandidate candidate;
    candidate.sources.push_back(endpoint.source);
    candidate.private_network = is_private_host(endpoint.host);
    candidate.endpoint = std::move(endpoint);
    candidate.why = std::move(why);
    found_.candidates.push_back(std::move(candidate));
  }

  // Each part from its Railway or generic variable; a warning when both are set and differ.
  void collect_parts() {
    std::array<std::optional<std::string>, kParts.size()> values;
    std::array<std::string_view, kParts.size()> names;
    std::vector<std::string> used;
    for (std::size_t i = 0; i < kParts.size(); ++i) {
      const PartVariable& part = kParts[i];
      std::optional<std::string> railway = get(part.railway);
      std::optional<std::string> generic = get(part.generic);
      if (railway && generic && *railway != *generic) {
        std::string warning = std::string(part.railway) + " and " + std::string(part.generic) +
                              " differ; using " + std::string(part.railway);
        if (part.show_value) warning += " (\"" + *railway + "\", not \"" + *generic + "\")";
        found_.warnings.push_back(std::move(warning));
      }
      names[i] = railway ? part.railway : part.generic;
      values[i] = railway ? std::move(railway) : std::move(generic);
      if (values[i]) used.emplace_back(names[i]);
    }
    if (used.empty()) return;
    const std::string source = join(used, "+");
    if (!values[kHost]) {
      failures_.push_back(source + (used.size() == 1 ? " is" : " are") +
                          " set, but neither REDISHOST nor REDIS_HOST: there is no host to "
                          "connect to");
      return;
    }
    std::string_view host = *values[kHost];
    if (host.find("://") != std::string_view::npos) {
      failures_.push_back(std::string(names[kHost]) + " holds a URL, not a host name (" +
                          mask_redis_url_input(host) + "); put it in REDIS_URL instead");
      return;
    }
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
      host = host.substr(1, host.size() - 2);
    }
    if (const std::optional<std::string> problem = redis_host_problem(host)) {
      failures_.push_back(std::string(names[kHost]) + " is not a host name: \"" +
                          std::string(host.substr(0, 64)) + "\" " + *problem);
      return;
    }
    RedisEndpoint endpoint;
    if (values[kPort]) {
      const std::optional<std::uint16_t> port = parse_redis_port(*values[kPort]);
      if (!port) {
        failures_.push_back(std::string(names[kPort]) + " is not a port: \"" +
                            values[kPort]->substr(0, 64) + "\" is not a number from 1 to 65535");
        return;
      }
      endpoint.port = *port;
    }
    endpoint.host = std::string(host);
    std::transform(endpoint.host.begin(), endpoint.host.end(), endpoint.host.begin(),
                   [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; });
    endpoint.username = values[kUser].value_or("");
    endpoint.password = values[kPassword].value_or("");
    endpoint.source = source;
    add(std::move(endpoint), std::string(kPartsWhy));
  }

  // REDIS_TLS_CA for every TLS candidate without its own CA file.
  void apply_ca_file() {
    const std::optional<std::string> ca = get(kCaVariable);
    if (!ca) return;
    bool any_tls = false;
    for (RedisCandidate& c : found_.candidates) {
      if (!c.endpoint.tls) continue;
      any_tls = true;
      if (c.endpoint.ca_file.empty()) {
        c.endpoint.ca_file = *ca;
      } else if (c.endpoint.ca_file != *ca) {
        found_.warnings.push_back(c.endpoint.source + " names its own CA file (" +
                                  c.endpoint.ca_file + "); it wins over " +
                                  std::string(kCaVariable) + " (" + *ca + ") for that URL");
      }
    }
    if (!any_tls) {
      found_.warnings.push_back(std::string(kCaVariable) +
                                " is set, but no Redis candidate uses TLS (rediss://); it is "
                                "ignored");
    }
  }

  // The same endpoint from several variables: one candidate, at its first place, naming all.
  void merge_duplicates() {
    std::vector<RedisCandidate> unique;
    for (RedisCandidate& c : found_.candidates) {
      const auto same = std::find_if(unique.begin(), unique.end(), [&](const RedisCandidate& u) {
        return same_endpoint(u.endpoint, c.endpoint);
      });
      if (same == unique.end()) {
        unique.push_back(std::move(c));
      } else {
        same->sources.push_back(c.endpoint.source);
      }
    }
    found_.candidates = std::move(unique);
  }

  void warn_about_credentials() {
    const auto& list = found_.candidates;
    for (const RedisCandidate& c : list) {
      if (!c.endpoint.username.empty() && c.endpoint.password.empty()) {
        found_.warnings.push_back(
            join(c.sources, ", ") + (c.sources.size() == 1 ? " gives" : " give") +
            " a user name but no password (" + c.endpoint.masked() +
            "): that works only for an ACL user with nopass; for a password alone write "
            "redis://:PASSWORD@HOST");
      }
    }
    // The WRONGPASS story: a copied URL kept an old password after the password changed.
    for (std::size_t i = 0; i < list.size(); ++i) {
      for (std::size_t j = i + 1; j < list.size(); ++j) {
        const RedisEndpoint& a = list[i].endpoint;
        const RedisEndpoint& b = list[j].endpoint;
        if (a.host != b.host || a.port != b.port) continue;
        if (a.username == b.username && a.password == b.password) continue;
        found_.warnings.push_back(
            a.source + " and " + b.source + " name the same server (" + a.host + ":" +
            std::to_string(a.port) + ") with different credentials; " + a.source +
            " is tried first, and if Redis answers WRONGPASS one of them is stale (copied "
            "before the password changed?)");
      }
    }
  }

  const EnvLookup& getenv_;
  RedisCandidates found_;
  std::vector<std::string> failures_;
};

}  // namespace

Result<RedisCandidates> redis_candidates(const EnvLookup& getenv) {
  return Collector(getenv).collect();
}

std::vector<std::string> describe_candidates(const RedisCandidates& found) {
  std::vector<std::string> lines;
  const auto& list = found.candidates;
  if (list.empty()) {
    lines.emplace_back(
        "Redis: not configured (none of TGKEEP_REDIS_URL, REDIS_URL, REDIS_PRIVATE_URL, "
        "REDIS_PUBLIC_URL, REDISHOST or REDIS_HOST is set)");
  } else {
    lines.push_back("Redis: " + std::to_string(list.size()) +
                    (list.size() == 1 ? " candidate"
                                      : " candidates, tried in order until one "
                                        "connects") +
                    " (precedence: TGKEEP_REDIS_URL, REDIS_URL, REDIS_PRIVATE_URL, "
                    "REDIS_PUBLIC_URL, then REDISHOST... or REDIS_HOST...)");
  }
  for (std::size_t i = 0; i < list.size(); ++i) {
    const RedisCandidate& c = list[i];
    std::string line = "Redis: " + std::to_string(i + 1) + ". " + c.endpoint.masked() + " from " +
                       join(c.sources, ", ") + (i == 0 ? ": tried first, " : ": fallback, ") +
                       c.why;
    if (c.private_network) {
      line += "; a private-network name, resolves only inside the platform's project";
    }
    lines.push_back(std::move(line));
  }
  for (const std::string& warning : found.warnings) lines.push_back("Redis: warning: " + warning);
  return lines;
}

EnvLookup process_environment() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());
    if (!value) return std::nullopt;
    return std::string(value);
  };
}

}  // namespace tgkeep::config
