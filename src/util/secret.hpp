// Secret masking: what a log line, an error message or `tgkeep doctor` may show of a bot token,
// a connection URL or any other configured secret. DESIGN.md: secrets never appear in output,
// but enough stays visible to tell which bot, host, user and database a value is about.
//
// - mask_token keeps the bot id (the digits before ':', public anyway) and hides the rest.
// - mask_url hides the password of a URL's userinfo, secret-looking query parameters, libpq
//   `key=value` passwords and a Bot API path token; it is built for hostile input (unencoded
//   '@', '/' or '#' in passwords, no scheme, IPv6 hosts) and errs towards hiding too much.
// - mask_secrets_in is the last line of defence: it hides every occurrence of known secret
//   values (and their percent-encoded forms) in free text, in time linear in the text.
//
// All functions are pure and thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tgkeep {

// What replaces a secret.
inline constexpr std::string_view kMask = "****";

// "123456:AAE...xyz" -> "123456:****". Anything not shaped like a bot token (digits, ':', then
// letters, digits, '_' or '-') -> "****", so a malformed token never leaks either.
std::string mask_token(std::string_view bot_token);

// Masks the secrets of one URL or connection string, leaving the rest readable:
//   redis://default:pw@host:6379/0          -> redis://default:****@host:6379/0
//   rediss://:pw@[::1]:6380                  -> rediss://:****@[::1]:6380
//   postgres://user@host/db                  -> postgres://****@host/db  (a userinfo without
//                                               ':' is hidden whole: some clients read it as a
//                                               password, and https://TOKEN@host is common)
//   postgres://h/db?user=u&password=pw       -> postgres://h/db?user=u&password=****
//   host=h user=u password='p w'            -> host=h user=u password=****
//   https://api.telegram.org/bot123:AA/getMe -> https://api.telegram.org/bot123:****/getMe
// A query or key=value parameter is secret when its lower-cased name contains "pass", "pwd",
// "secret", "token", "apikey", "api_key" or "credential", or is "auth".
std::string mask_url(std::string_view url);

// Replaces every occurrence of each secret in `text` with "****", also where secrets overlap.
// Secrets shorter than 4 bytes are ignored (masking every "ab" would destroy the text, not
// protect anything). The %XX-encoded form of a secret, as it appears inside URLs, is masked too.
std::string mask_secrets_in(std::string_view text, const std::vector<std::string>& secrets);

}  // namespace tgkeep
