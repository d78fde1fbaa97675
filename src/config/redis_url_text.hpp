// Text helpers of the Redis URL parser (redis_url.cpp): character classes, percent coding,
// trimming, and the values of query options. Pure.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tgkeep::config::url_text {

using std::chrono::milliseconds;
inline constexpr auto npos = std::string_view::npos;
inline constexpr milliseconds kMaxTimeout{3'600'000};
inline constexpr std::size_t kMaxQuotedBytes = 64;  // quoted() shows at most this much

bool is_digit(char c);
bool is_alnum(char c);
bool is_hex(char c);
bool is_control(char c);
bool all_digits(std::string_view s);
std::string lower(std::string_view s);
int hex_value(char c);
std::string_view trim(std::string_view s);
// Surrounding whitespace and one pair of matching quotes, as pasted into a PaaS dashboard.
std::string_view clean_input(std::string_view s);
// nullopt when a '%' is not followed by two hex digits.
std::optional<std::string> percent_decode(std::string_view s);
// Keeps RFC 3986 unreserved characters and `keep`; %XX for the rest.
std::string percent_encode(std::string_view s, std::string_view keep = {});
// Cuts at most `max` bytes, backing off to a UTF-8 character boundary.
std::string cut(std::string_view s, std::size_t max);
std::string quoted(std::string_view s);
// The length of a valid URI scheme ("redis") followed by "://", or npos.
std::size_t scheme_length(std::string_view s);
std::optional<int> parse_db(std::string_view s);
// "500" and "500ms" are milliseconds, "5s" seconds; 1 ms to 1 hour.
std::optional<milliseconds> parse_duration(std::string_view s);
std::optional<bool> parse_bool(std::string_view s);
bool looks_secret(std::string_view name);
std::string unknown_option_hint(const std::vector<std::string>& names);

// A query option: its name, and the name of the setting it writes (aliases share one).
struct OptionName {
  std::string_view name;
  std::string_view setting;
};
inline constexpr std::array kOptions{
    OptionName{"ca", "ca"},
    OptionName{"client_name", "client_name"},
    OptionName{"command_timeout", "command_timeout"},
    OptionName{"connect_timeout", "connect_timeout"},
    OptionName{"db", "db"},
    OptionName{"insecure", "insecure"},
    OptionName{"ssl_ca_certs", "ca"},
    OptionName{"ssl_cert_reqs", "insecure"},
    OptionName{"timeout", "timeout"},
    OptionName{"tls_ca", "ca"},
};

}  // namespace tgkeep::config::url_text
