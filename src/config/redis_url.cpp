#include "config/redis_url.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <utility>
#include <vector>

#include "config/redis_url_text.hpp"
#include "util/secret.hpp"

namespace tgkeep::config {

namespace {

using namespace url_text;
constexpr std::size_t kMaxUrlBytes = 4096;
constexpr std::size_t kMaxEchoBytes = 200;

class UrlParser {
 public:
  UrlParser(std::string_view input, std::string_view source)
      : text_(clean_input(input)), source_(source) {}

  Result<RedisEndpoint> parse() {
    e_.source = std::string(source_);
    if (!parse_all()) {
      const std::string echo = several_at_
                                   ? mask_redis_url_input(text_.substr(0, last_at_ + 1)) + "****"
                                   : mask_redis_url_input(text_);
      std::string message =
          std::string(source_) + " is not a Redis URL: " + problem_ + " (" + echo + ")";
      // Last line of defence: whatever was read as a password never appears.
      return Error::fatal(mask_secrets_in(message, secrets_));
    }
    return std::move(e_);
  }

 private:
  // Fragments after the credentials may be quoted, unless several '@' make it unclear where the
  // password ends: then "redis://u:p@ss@word:x" may be a password "p@ss@word:x" without a host.
  bool quotable() const { return !several_at_; }
  std::string named(std::string_view what, std::string_view fragment) const {
    return quotable() ? std::string(what) + " " + quoted(fragment) : std::string(what);
  }

  bool fail(std::string problem) {
    problem_ = std::move(problem);
    return false;
  }

  bool parse_all() {
    if (text_.empty()) return fail("it is empty");
    if (text_.size() > kMaxUrlBytes) {
      return fail("it is " + std::to_string(text_.size()) + " bytes long, more than " +
                  std::to_string(kMaxUrlBytes));
    }
    if (text_.starts_with("${")) {
      return fail(
          "it is an unresolved variable reference; on Railway, check that the service named in "
          "${{Service.REDIS_URL}} exists in this project and environment");
    }
    if (std::any_of(text_.begin(), text_.end(), is_control)) {
      return fail(
          "it contains a control character (a line break or tab pasted with it?); "
          "percent-encode it if it belongs to the password");
    }
    const std::size_t scheme_len = scheme_length(text_);
    if (scheme_len == npos) {
      return fail(text_.find("://") != npos
                      ? "it does not start with redis:// or rediss://"
                      : "it has no scheme: write redis://HOST:PORT, or rediss://HOST:PORT for TLS");
    }
    const std::string scheme = lower(text_.substr(0, scheme_len));
    if (scheme != "redis" && scheme != "rediss") {
      std::string hint;
      if (scheme == "http" || scheme == "https") {
        hint =
            " (an HTTP URL, such as Upstash's REST URL, is not a Redis connection string; copy "
            "the redis:// or rediss:// one)";
      }
      return fail("the scheme " + quoted(scheme + "://") + " is not redis:// or rediss://" + hint);
    }
    e_.tls = scheme == "rediss";

    std::string_view rest = text_.substr(scheme_len + 3);
    const std::size_t at = rest.rfind('@');
    has_at_ = at != npos;
    several_at_ = has_at_ && rest.substr(0, at).find('@') != npos;
    if (several_at_) last_at_ = scheme_len + 3 + at;
    if (has_at_) {
      if (!parse_credentials(rest.substr(0, at))) return false;
      rest = rest.substr(at + 1);
    }
    if (rest.find('#') != npos) {
      return fail("it has a '#' after the host; a Redis URL has no #fragment (write '#' as %23)");
    }
    const std::size_t host_end = std::min(rest.find_first_of("/?"), rest.size());
    if (!parse_host_port(rest.substr(0, host_end))) return false;
    rest = rest.substr(host_end);

    std::optional<int> path_db;
    if (rest.starts_with('/')) {
      const std::size_t path_end = std::min(rest.find('?'), rest.size());
      const std::string_view path = rest.substr(1, path_end - 1);
      if (!path.empty()) {
        path_db = parse_db(path);
        if (!path_db) {
          return fail(named("the database", path) +
                      " is not a number (the path after the host is the database number, "
                      "usually 0 to 15)");
        }
        e_.db = *path_db;
      }
      rest = rest.substr(path_end);
    }
    if (rest.starts_with('?') && !parse_query(rest.substr(1), path_db)) return false;
    return true;
  }

  bool parse_credentials(std::string_view userinfo) {
    const std::size_t colon = userinfo.find(':');
    const std::string_view user = userinfo.substr(0, colon);
    const std::string_view password = colon == npos ? "" : userinfo.substr(colon + 1);
    // A bare NAME@ may be a password too: keep both out of every message.
    secrets_.emplace_back(colon == npos ? user : password);
    std::optional<std::string> decoded_user = percent_decode(user);
    std::optional<std::string> decoded_password = percent_decode(password);
    if (decoded_user && colon == npos) secrets_.push_back(*decoded_user);
    if (decoded_password) secrets_.push_back(*decoded_password);
    constexpr std::string_view escape =
        " has a malformed percent-escape: '%' must be followed by two hex digits (write a "
        "literal '%' as %25)";
    if (!decoded_user) return fail("the user name" + std::string(escape));
    if (!decoded_password) return fail("the password" + std::string(escape));
    e_.username = std::move(*decoded_user);
    e_.password = std::move(*decoded_password);
    return true;
  }

  bool parse_host_port(std::string_view authority) {
    std::string_view host = authority;
    std::optional<std::string_view> port;
    if (authority.starts_with('[')) {
      const std::size_t close = authority.find(']');
      if (close == npos) return fail("the IPv6 address has no closing ']'");
      host = authority.substr(1, close - 1);
      const std::string_view after = authority.substr(close + 1);
      if (!after.empty() && after[0] != ':') {
        return fail("there is something other than ':PORT' after the IPv6 address");
      }
      if (!after.empty()) port = after.substr(1);
      if (host.find(':') == npos) return fail("the address in [ ] is not an IPv6 address");
    } else if (const std::size_t colon = authority.find(':'); colon != npos) {
      host = authority.substr(0, colon);
      port = authority.substr(colon + 1);
      if (port->find(':') != npos) {
        if (!has_at_) secrets_.emplace_back(*port);
        return fail(
            "the host has more than one ':' (write an IPv6 address in brackets: "
            "redis://[::1]:6379)");
      }
    }
    if (port && !port->empty() && !parse_redis_port(*port)) {
      if (!has_at_) {
        // No '@': "redis://user:password" with the host forgotten looks just like this.
        secrets_.emplace_back(*port);
        return fail(
            "what follows the ':' after the host is not a port from 1 to 65535 (if it is a "
            "password, the '@' and the host are missing: redis://USER:PASSWORD@HOST:PORT)");
      }
      return fail(named("the port", *port) +
                  (all_digits(*port) ? " is out of range (1 to 65535)" : " is not a number"));
    }
    if (host.empty()) return fail("the host is empty");
    if (const auto problem = redis_host_problem(host)) {
      return fail(has_at_ ? named("the host", host) + " " + *problem : "the host " + *problem);
    }
    e_.host = lower(host);
    if (port && !port->empty()) e_.port = *parse_redis_port(*port);
    return true;
  }

  bool parse_query(std::string_view query, std::optional<int> path_db) {
    std::vector<std::pair<std::string_view, std::string>> seen;  // setting, option name
    std::vector<std::string> unknown;
    std::optional<milliseconds> timeout;
    std::string first_tls_option;
    while (!query.empty()) {
      const std::size_t amp = std::min(query.find('&'), query.size());
      const std::string_view item = query.substr(0, amp);
      query = query.substr(std::min(amp + 1, query.size()));
      if (item.empty()) continue;
      const std::size_t eq = item.find('=');
      const std::optional<std::string> raw_name = percent_decode(item.substr(0, eq));
      const std::string_view raw_value = eq == npos ? "" : item.substr(eq + 1);
      const std::optional<std::string> decoded = percent_decode(raw_value);
      if (!raw_name) return fail("an option name has a malformed percent-escape");
      const std::string name = lower(*raw_name);
      if (name.empty()) return fail("an option has no name");
      const auto known = std::find_if(kOptions.begin(), kOptions.end(),
                                      [&](const OptionName& o) { return o.name == name; });
      if (known == kOptions.end()) {
        // An unknown option may carry a secret (?p%61ssword=...): keep its value out.
        if (looks_secret(name)) {
          secrets_.emplace_back(raw_value);
          if (decoded) secrets_.push_back(*decoded);
        }
        unknown.push_back(name);
        continue;
      }
      const auto earlier = std::find_if(seen.begin(), seen.end(),
                                        [&](const auto& s) { return s.first == known->setting; });
      if (earlier != seen.end()) {
        return fail(earlier->second == name
                        ? named("the option", name) + " is given twice"
                        : named("the option", name) + " repeats " +
                              named("the option", earlier->second) + "; keep one");
      }
      seen.emplace_back(known->setting, name);
      if (!decoded) {
        return fail("the value of " + named("the option", name) +
                    " has a malformed percent-escape");
      }
      const std::string& value = *decoded;
      const std::string_view setting = known->setting;
      const auto bad = [&](std::string_view expected) {
        return fail(named("the option", name) + " must be " + std::string(expected) +
                    (quotable() ? ", not " + quoted(value) : std::string()));
      };
      if (setting == "db") {
        const std::optional<int> db = parse_db(value);
        if (!db) return bad("a database number");
        if (path_db && *path_db != *db) {
          return fail("the database is given twice, differently: /" + std::to_string(*path_db) +
                      " and ?db=" + value);
        }
        e_.db = *db;
      } else if (name == "ssl_cert_reqs") {
        const std::string v = lower(value);
        if (v == "none" || v == "cert_none") {
          e_.tls_insecure = true;
        } else if (v != "required" && v != "cert_required") {
          return bad("none or required");
        }
      } else if (setting == "insecure") {
        const std::optional<bool> b = parse_bool(value);
        if (!b) return bad("true or false");
        e_.tls_insecure = *b;
      } else if (setting == "ca") {
        if (value.empty()) return bad("the path of a CA certificate file");
        e_.ca_file = value;
      } else if (setting == "client_name") {
        if (value.empty() ||
            !std::all_of(value.begin(), value.end(), [](char c) { return c > ' ' && c < 0x7f; })) {
          return bad("printable characters without spaces");
        }
        e_.client_name = value;
      } else {
        const std::optional<milliseconds> d = parse_duration(value);
        if (!d) return bad("a duration from 1 ms to 1 hour, such as 500 (ms), 500ms or 5s");
        if (setting == "timeout") timeout = d;
        if (setting == "connect_timeout") e_.connect_timeout = d;
        if (setting == "command_timeout") e_.command_timeout = d;
      }
      if ((setting == "insecure" || setting == "ca") && first_tls_option.empty()) {
        first_tls_option = name;
      }
    }
    if (!unknown.empty()) {
      std::string list;
      for (std::size_t i = 0; i < unknown.size() && i < 5; ++i) {
        list += (i ? ", " : " ") + quoted(unknown[i]);
      }
      if (unknown.size() > 5) list += " and " + std::to_string(unknown.size() - 5) + " more";
      std::string known_list;
      for (const OptionName& o : kOptions)
        known_list += (known_list.empty() ? "" : ", ") + std::string(o.name);
      if (!quotable()) list = " (" + std::to_string(unknown.size()) + ")";
      return fail((unknown.size() == 1 ? "unknown option" : "unknown options") + list +
                  " (known: " + known_list + ")" + unknown_option_hint(unknown));
    }
    if (!first_tls_option.empty() && !e_.tls) {
      return fail(named("the option", first_tls_option) +
                  " needs TLS: write rediss:// instead of redis://");
    }
    if (!e_.connect_timeout) e_.connect_timeout = timeout;
    if (!e_.command_timeout) e_.command_timeout = timeout;
    return true;
  }

  std::string_view text_;
  std::string_view source_;
  RedisEndpoint e_;
  bool has_at_ = false;
  bool several_at_ = false;
  std::size_t last_at_ = 0;  // in text_, when several_at_
  std::string problem_;
  std::vector<std::string> secrets_;
};

}  // namespace

std::string RedisEndpoint::masked() const {
  std::string s = tls ? "rediss://" : "redis://";
  if (!password.empty()) {
    s += percent_encode(username) + ":" + std::string(kMask) + "@";
  } else if (!username.empty()) {
    s += std::string(kMask) + "@";
  }
  s += host.find(':') != npos ? "[" + host + "]" : host;
  s += ":" + std::to_string(port) + "/" + std::to_string(db);
  std::vector<std::string> options;
  if (tls_insecure) options.emplace_back("insecure=true");
  if (!ca_file.empty()) options.push_back("ca=" + percent_encode(ca_file, "/:"));
  if (!client_name.empty()) options.push_back("client_name=" + percent_encode(client_name));
  if (connect_timeout) {
    options.push_back("connect_timeout=" + std::to_string(connect_timeout->count()) + "ms");
  }
  if (command_timeout) {
    options.push_back("command_timeout=" + std::to_string(command_timeout->count()) + "ms");
  }
  for (std::size_t i = 0; i < options.size(); ++i) s += (i ? "&" : "?") + options[i];
  return s;
}

bool same_endpoint(const RedisEndpoint& a, const RedisEndpoint& b) {
  return a.tls == b.tls && a.host == b.host && a.port == b.port && a.username == b.username &&
         a.password == b.password && a.db == b.db && a.tls_insecure == b.tls_insecure &&
         a.ca_file == b.ca_file && a.client_name == b.client_name &&
         a.connect_timeout == b.connect_timeout && a.command_timeout == b.command_timeout;
}

Result<RedisEndpoint> parse_redis_url(std::string_view url, std::string_view source_name) {
  return UrlParser(url, source_name).parse();
}

std::optional<std::string> redis_host_problem(std::string_view host) {
  if (host.empty()) return "is empty";
  if (host.size() > 253) return "is longer than 253 characters";
  if (host.find(':') != npos) {
    const bool ipv6 = std::all_of(host.begin(), host.end(),
                                  [](char c) { return is_hex(c) || c == ':' || c == '.'; });
    if (!ipv6) return "is not an IPv6 address";
    return std::nullopt;
  }
  for (const char c : host) {
    if (is_alnum(c) || c == '-' || c == '.' || c == '_') continue;
    if (c == ' ') return "contains a space";
    if (static_cast<unsigned char>(c) >= 0x80) {
      return "contains a non-ASCII character (write an international name in its xn-- form)";
    }
    return "contains '" + std::string(1, c) + "', which no host name has";
  }
  return std::nullopt;
}

std::optional<std::uint16_t> parse_redis_port(std::string_view text) {
  if (!all_digits(text) || text.size() > 5) return std::nullopt;
  int value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  if (value < 1 || value > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(value);
}

std::string mask_redis_url_input(std::string_view url) {
  const std::string_view text = clean_input(url);
  const std::size_t scheme_len = scheme_length(text);
  const std::size_t prefix = scheme_len == npos ? 0 : scheme_len + 3;
  const std::string_view rest = text.substr(prefix);
  std::string s(text.substr(0, prefix));
  if (const std::size_t at = rest.rfind('@'); at != npos) {
    const std::string_view userinfo = rest.substr(0, at);
    const std::size_t colon = userinfo.find(':');
    if (colon == npos) {
      if (!userinfo.empty()) s += kMask;
    } else {
      s += userinfo.substr(0, colon + 1);
      if (colon + 1 < userinfo.size()) s += kMask;
    }
    s += rest.substr(at);
  } else {
    // No '@': in "redis://user:password" (host forgotten) what follows the ':' is the password,
    // so hide from there to the end unless it is a port number.
    const std::string_view authority =
        rest.substr(0, std::min(rest.find_first_of("/?#"), rest.size()));
    std::size_t colon = authority.find(':');
    if (authority.starts_with('[')) {
      const std::size_t close = authority.find(']');
      colon = close != npos && authority.substr(close + 1).starts_with(':') ? close + 1 : npos;
    }
    const std::string_view port = colon == npos ? "" : authority.substr(colon + 1);
    if (!port.empty() && !all_digits(port)) {
      s += rest.substr(0, colon + 1);
      s += kMask;
    } else {
      s += rest;
    }
  }
  s = mask_url(s);
  for (char& c : s) {
    if (is_control(c)) c = '?';
  }
  return cut(s, kMaxEchoBytes);
}

}  // namespace tgkeep::config
