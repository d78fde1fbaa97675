#include "util/secret.hpp"

#include <algorithm>
#include <cstddef>
#include <utility>

namespace tgkeep {

namespace {

constexpr auto npos = std::string_view::npos;

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}
char lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), is_digit);
}

bool is_token_secret_char(char c) {
  return is_digit(c) || is_alpha(c) || c == '_' || c == '-';
}

// Replaces s[begin, end) with the mask unless it is empty.
void mask_range(std::string& s, std::size_t begin, std::size_t end) {
  if (begin < end) s.replace(begin, end - begin, kMask);
}

// userinfo = s[begin, end): keeps the user name, masks the password; no ':' masks it whole.
void mask_userinfo(std::string& s, std::size_t begin, std::size_t end) {
  const std::size_t colon = std::string_view(s).substr(begin, end - begin).find(':');
  if (colon == npos) {
    mask_range(s, begin, end);
  } else {
    mask_range(s, begin + colon + 1, end);
  }
}

void mask_authority(std::string& s) {
  const std::size_t scheme = s.find("://");
  const std::size_t begin = scheme == npos ? 0 : scheme + 3;
  std::size_t end = s.find_first_of("/?#", begin);
  if (end == npos) end = s.size();

  const std::string_view authority = std::string_view(s).substr(begin, end - begin);
  const std::size_t at = authority.rfind('@');
  if (at != npos) {
    mask_userinfo(s, begin, begin + at);
    return;
  }
  // No '@' before the first '/', '?' or '#'. If the authority has a ':' (not an IPv6 literal's)
  // and an '@' comes later, this is most likely a password with an unencoded '/', '?' or '#'
  // ("redis://u:pa/ss@host"), though it may be a host:port with an '@' in its path: hide up to
  // the last '@' either way. Without a later '@', hide what follows a ':' unless it is a port.
  // An IPv6 literal ("[::1]:6379") starts the authority only when there is no userinfo.
  if (!authority.empty() && authority.front() == '[') return;
  const std::size_t colon = authority.find(':');
  if (colon == npos) return;
  const std::size_t late_at = s.rfind('@');
  if (late_at != npos && late_at > end) {
    mask_userinfo(s, begin, late_at);
    return;
  }
  const std::string_view port = authority.substr(colon + 1);
  if (!port.empty() && !all_digits(port)) mask_range(s, begin + colon + 1, end);
}

// libpq "key=value ..." rather than a URL: no "://" and it starts with a key and '='.
bool looks_like_conninfo(std::string_view s) {
  if (s.find("://") != npos) return false;
  std::size_t i = 0;
  while (i < s.size() && is_space(s[i])) ++i;
  const std::size_t key = i;
  while (i < s.size() && (is_digit(s[i]) || is_alpha(s[i]) || s[i] == '_')) ++i;
  if (i == key) return false;
  while (i < s.size() && is_space(s[i])) ++i;
  return i < s.size() && s[i] == '=';
}

// "/bot<digits>:<secret>" -> "/bot<digits>:****", the secret ending at '/', '?', '#' or space.
// Builds a new string rather than replacing in place, so many matches stay linear.
void mask_bot_paths(std::string& s) {
  std::string out;
  std::size_t copied = 0;
  std::size_t pos = 0;
  while ((pos = s.find("/bot", pos)) != npos) {
    std::size_t i = pos + 4;
    while (i < s.size() && is_digit(s[i])) ++i;
    if (i == pos + 4 || i >= s.size() || s[i] != ':') {
      pos += 4;
      continue;
    }
    std::size_t end = i + 1;
    while (end < s.size() && s[end] != '/' && s[end] != '?' && s[end] != '#' && !is_space(s[end])) {
      ++end;
    }
    if (end > i + 1) {
      out.append(s, copied, i + 1 - copied);
      out += kMask;
      copied = end;
    }
    pos = end;
  }
  if (copied == 0) return;
  out.append(s, copied);
  s = std::move(out);
}

bool is_secret_key(std::string_view key) {
  std::string k(key.size(), '\0');
  std::transform(key.begin(), key.end(), k.begin(), lower);
  if (k == "auth") return true;
  for (std::string_view part :
       {"pass", "pwd", "secret", "token", "apikey", "api_key", "credential"}) {
    if (k.find(part) != npos) return true;
  }
  return false;
}

bool is_key_char(char c) {
  return is_digit(c) || is_alpha(c) || c == '_' || c == '-' || c == '.';
}

// Query parameters (after '?' or '&': the value ends at '&', '#' or a space) and libpq
// key=value pairs (after a space or at the start: spaces around '=', the value ends at a space
// or is '-quoted with backslash escapes).
void mask_parameters(std::string& s) {
  std::string out;  // built rather than replaced in place, so many matches stay linear
  std::size_t copied = 0;
  std::size_t i = 0;
  while (i < s.size()) {
    const bool query = i > 0 && (s[i - 1] == '?' || s[i - 1] == '&');
    const bool conninfo = i == 0 || is_space(s[i - 1]);
    if ((!query && !conninfo) || !is_key_char(s[i])) {
      ++i;
      continue;
    }
    std::size_t key_end = i;
    while (key_end < s.size() && is_key_char(s[key_end])) ++key_end;
    std::size_t eq = key_end;
    if (conninfo) {
      while (eq < s.size() && is_space(s[eq])) ++eq;
    }
    if (eq >= s.size() || s[eq] != '=') {
      i = key_end;
      continue;
    }
    std::size_t value = eq + 1;
    if (conninfo) {
      while (value < s.size() && is_space(s[value])) ++value;
    }
    std::size_t end = value;
    if (query) {
      while (end < s.size() && s[end] != '&' && s[end] != '#' && !is_space(s[end])) ++end;
    } else if (value < s.size() && s[value] == '\'') {
      end = value + 1;
      while (end < s.size() && s[end] != '\'') end += s[end] == '\\' ? 2 : 1;
      end = std::min(end + 1, s.size());
    } else {
      while (end < s.size() && !is_space(s[end])) ++end;
    }
    if (is_secret_key(std::string_view(s).substr(i, key_end - i)) && value < end) {
      out.append(s, copied, value - copied);
      out += kMask;
      copied = end;
    }
    i = end;
  }
  if (copied == 0) return;
  out.append(s, copied);
  s = std::move(out);
}

// Every start of `pattern` in `text`, overlapping ones included (Knuth-Morris-Pratt: linear time
// whatever the input, unlike a naive search on "aaaa...").
std::vector<std::size_t> find_all(std::string_view text, std::string_view pattern) {
  std::vector<std::size_t> found;
  std::vector<std::size_t> fail(pattern.size(), 0);
  for (std::size_t i = 1, k = 0; i < pattern.size(); ++i) {
    while (k > 0 && pattern[i] != pattern[k]) k = fail[k - 1];
    if (pattern[i] == pattern[k]) ++k;
    fail[i] = k;
  }
  for (std::size_t i = 0, k = 0; i < text.size(); ++i) {
    while (k > 0 && text[i] != pattern[k]) k = fail[k - 1];
    if (text[i] == pattern[k]) ++k;
    if (k == pattern.size()) {
      found.push_back(i + 1 - k);
      k = fail[k - 1];
    }
  }
  return found;
}

std::string percent_encoded(std::string_view s, const char* hex) {
  std::string out;
  for (const char c : s) {
    if (is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += c;
    } else {
      const auto b = static_cast<unsigned char>(c);
      out += '%';
      out += hex[b >> 4];
      out += hex[b & 15];
    }
  }
  return out;
}

}  // namespace

std::string mask_token(std::string_view bot_token) {
  const std::size_t colon = bot_token.find(':');
  if (colon == npos || colon == 0 || colon + 1 == bot_token.size()) return std::string(kMask);
  const std::string_view id = bot_token.substr(0, colon);
  const std::string_view secret = bot_token.substr(colon + 1);
  if (!all_digits(id) || !std::all_of(secret.begin(), secret.end(), is_token_secret_char)) {
    return std::string(kMask);
  }
  std::string out(id);
  out += ':';
  out += kMask;
  return out;
}

std::string mask_url(std::string_view url) {
  std::string s(url);
  mask_parameters(s);
  if (!looks_like_conninfo(s)) mask_authority(s);
  mask_bot_paths(s);
  return s;
}

std::string mask_secrets_in(std::string_view text, const std::vector<std::string>& secrets) {
  // covered_until[i]: the end of the furthest-reaching occurrence that starts at i.
  // Allocated on the first match only: most text holds no secret.
  std::vector<std::size_t> covered_until;
  for (const std::string& secret : secrets) {
    if (secret.size() < 4) continue;
    std::vector<std::string> forms{secret, percent_encoded(secret, "0123456789ABCDEF"),
                                   percent_encoded(secret, "0123456789abcdef")};
    std::sort(forms.begin(), forms.end());
    forms.erase(std::unique(forms.begin(), forms.end()), forms.end());
    for (const std::string& form : forms) {
      for (const std::size_t at : find_all(text, form)) {
        if (covered_until.empty()) covered_until.assign(text.size(), 0);
        covered_until[at] = std::max(covered_until[at], at + form.size());
      }
    }
  }
  if (covered_until.empty()) return std::string(text);

  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    if (covered_until[i] == 0) {
      out += text[i++];
      continue;
    }
    // One mask for a whole run of overlapping occurrences.
    std::size_t end = covered_until[i];
    for (std::size_t j = i; j < end && j < text.size(); ++j) end = std::max(end, covered_until[j]);
    out += kMask;
    i = end;
  }
  return out;
}

}  // namespace tgkeep
