// RedisEndpoint: one Redis server as the configuration names it, and parse_redis_url, which reads
// it from a redis:// or rediss:// URL. Pure code (no DNS, no sockets), no shared state:
// thread-safe. docs/redis-configuration.md lists every form with examples.
//
//   redis://HOST[:PORT][/DB][?OPTIONS]                      no AUTH
//   redis://USER:PASSWORD@HOST...   rediss://... (TLS)       AUTH USER PASSWORD
//   redis://:PASSWORD@HOST...                               AUTH PASSWORD (the "default" user)
//   redis://NAME@HOST...                                    a user name, no password
//   redis://[::1]:6380  ?db=2  ?timeout=2s  ?connect_timeout=500ms  ?command_timeout=1s
//   ?insecure=true | ?ssl_cert_reqs=none  ?ca=/path | ?tls_ca= | ?ssl_ca_certs=  ?client_name=bot
//
// Decisions, for the input found in the wild:
// - A bare `NAME@` is a user name, as RFC 3986, redis-py, node-redis and Jedis read it. Lettuce
//   reads it as a password, so masked() hides it whole (`redis://****@host`) and the candidate
//   list warns about it (config/redis_candidates.hpp).
// - The credentials run to the LAST '@' and the user name to the first ':', so a password with
//   an unencoded '@', ':', '/', '?' or '#' still parses. Hence an '@' after the host (in an
//   option value) must be written %40. User, password and option values are percent-decoded;
//   a '%' not followed by two hex digits is an error (a literal '%' is %25).
// - Surrounding spaces, line breaks and one pair of quotes are removed (copy and paste); a
//   control character inside, a #fragment, an unknown option, an option given twice, a database
//   given twice differently, or a TLS option on redis:// is an error.
//
// Errors are Error::fatal with one line: the variable, what is wrong, and the URL masked, e.g.
//   REDIS_URL is not a Redis URL: the port "63a79" is not a number
//   (redis://default:****@redis.railway.internal:63a79)
// No error and no masked() ever contains the password, whatever the input.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace tgkeep::config {

inline constexpr std::uint16_t kRedisDefaultPort = 6379;

struct RedisEndpoint {
  bool tls = false;  // rediss://
  std::string host;  // lower-cased; an IPv6 address without brackets
  std::uint16_t port = kRedisDefaultPort;
  std::string username;  // empty: none given (AUTH PASSWORD uses the "default" user)
  std::string password;  // secret; empty: none given
  int db = 0;
  bool tls_insecure = false;  // do not verify the server's certificate (rediss:// only)
  std::string ca_file;        // extra CA certificate file (rediss:// only); empty: system CAs
  std::string client_name;    // for CLIENT SETNAME; empty: none
  std::optional<std::chrono::milliseconds> connect_timeout;  // empty: the caller's default
  std::optional<std::chrono::milliseconds> command_timeout;  // empty: the caller's default
  std::string source;  // the variable (or variables) it came from, e.g. "REDIS_URL"

  // The endpoint as a URL without its password, for logs and `tgkeep doctor`:
  // "redis://default:****@host:6379/0", "rediss://:****@[::1]:6380/2?insecure=true". A user name
  // without a password is hidden too ("redis://****@host:6379/0"), as it may be a password.
  std::string masked() const;
};

// Every field but `source` is equal: the same server, reached the same way.
bool same_endpoint(const RedisEndpoint& a, const RedisEndpoint& b);

// Reads a Redis URL given by the variable `source_name` (used in errors and stored in source).
[[nodiscard]] Result<RedisEndpoint> parse_redis_url(std::string_view url,
                                                    std::string_view source_name);

// What is wrong with `host` as a Redis host name, IPv4 or (bracket-less) IPv6 address, in a few
// words ("it contains a space"); nullopt when it is fine. Shared with the REDISHOST variables.
std::optional<std::string> redis_host_problem(std::string_view host);

// "6379" -> 6379; nullopt unless plain decimal digits from 1 to 65535.
std::optional<std::uint16_t> parse_redis_port(std::string_view text);

// The input with its secrets hidden, safe to quote in any message, even when it does not parse:
// split the way parse_redis_url splits it (credentials up to the last '@'), then mask_url;
// control characters become '?', and past 200 bytes it is cut ("...").
std::string mask_redis_url_input(std::string_view url);

}  // namespace tgkeep::config
