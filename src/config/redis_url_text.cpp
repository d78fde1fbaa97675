#include "config/redis_url_text.hpp"

#include <algorithm>
#include <charconv>

namespace tgkeep::config::url_text {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_alnum(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_hex(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool is_control(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u < 0x20 || u == 0x7f;
}
bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), is_digit);
}
std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}
int hex_value(char c) {
  if (is_digit(c)) return c - '0';
  return (c | 0x20) - 'a' + 10;
}

std::string_view trim(std::string_view s) {
  constexpr std::string_view space = " \t\r\n\v\f";
  const std::size_t begin = s.find_first_not_of(space);
  if (begin == npos) return {};
  return s.substr(begin, s.find_last_not_of(space) + 1 - begin);
}

// Surrounding whitespace and one pair of matching quotes, as pasted into a PaaS dashboard.
std::string_view clean_input(std::string_view s) {
  s = trim(s);
  if (s.size() >= 2 && (s.front() == '"' || s.front() == '\'') && s.back() == s.front()) {
    s = trim(s.substr(1, s.size() - 2));
  }
  return s;
}

// nullopt when a '%' is not followed by two hex digits.
std::optional<std::string> percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size() || !is_hex(s[i + 1]) || !is_hex(s[i + 2])) return std::nullopt;
    out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
    i += 2;
  }
  return out;
}

// Keeps RFC 3986 unreserved characters and `keep`; %XX for the rest.
std::string percent_encode(std::string_view s, std::string_view keep) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : s) {
    if (is_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || keep.find(c) != npos) {
      out += c;
    } else {
      const auto b = static_cast<unsigned char>(c);
      out += '%';
      out += kHex[b >> 4];
      out += kHex[b & 15];
    }
  }
  return out;
}

// Cuts at most `max` bytes, backing off to a UTF-8 character boundary.
std::string cut(std::string_view s, std::size_t max) {
  if (s.size() <= max) return std::string(s);
  std::size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
  return std::string(s.substr(0, end)) + "...";
}

std::string quoted(std::string_view s) {
  return "\"" + cut(s, kMaxQuotedBytes) + "\"";
}

// The length of a valid URI scheme ("redis") followed by "://", or npos.
std::size_t scheme_length(std::string_view s) {
  if (s.empty() || !is_alnum(s[0]) || is_digit(s[0])) return npos;
  std::size_t i = 1;
  while (i < s.size() && (is_alnum(s[i]) || s[i] == '+' || s[i] == '-' || s[i] == '.')) ++i;
  return s.substr(i).starts_with("://") ? i : npos;
}

std::optional<int> parse_db(std::string_view s) {
  if (!all_digits(s) || s.size() > 9) return std::nullopt;
  int value = 0;
  std::from_chars(s.data(), s.data() + s.size(), value);
  return value;
}

// "500" and "500ms" are milliseconds, "5s" seconds; 1 ms to 1 hour.
std::optional<milliseconds> parse_duration(std::string_view s) {
  long long unit = 1;
  if (s.ends_with("ms")) {
    s.remove_suffix(2);
  } else if (s.ends_with('s')) {
    s.remove_suffix(1);
    unit = 1000;
  }
  if (!all_digits(s) || s.size() > 9) return std::nullopt;
  long long value = 0;
  std::from_chars(s.data(), s.data() + s.size(), value);
  const milliseconds d{value * unit};
  if (d.count() < 1 || d > kMaxTimeout) return std::nullopt;
  return d;
}

std::optional<bool> parse_bool(std::string_view s) {
  const std::string v = lower(s);
  if (v.empty() || v == "true" || v == "1" || v == "yes" || v == "on") return true;
  if (v == "false" || v == "0" || v == "no" || v == "off") return false;
  return std::nullopt;
}

bool looks_secret(std::string_view name) {
  for (std::string_view part : {"pass", "pwd", "secret", "token", "auth", "key", "cred"}) {
    if (name.find(part) != npos) return true;
  }
  return false;
}

std::string unknown_option_hint(const std::vector<std::string>& names) {
  for (const std::string& n : names) {
    if (n.find("pass") != npos || n.starts_with("user")) {
      return "; credentials go before the host: redis://USER:PASSWORD@HOST";
    }
    if (n == "ssl" || n == "tls") return "; for TLS write rediss:// instead of redis://";
    if (n.starts_with("socket_")) return "; write timeout=5s or connect_timeout=500ms";
    if (n == "database") return "; write db=N or /N";
  }
  return {};
}

}  // namespace tgkeep::config::url_text
