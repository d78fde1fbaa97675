// libFuzzer target for the Redis protocol code (src/redis): arbitrary bytes go to RespReader, as
// a server's reply stream. Besides crashes, leaks and undefined behaviour (ASan, UBSan), it checks:
// - split invariance: the bytes fed whole and fed in pieces (sizes drawn from the input) give the
//   same replies and the same error state; a failed reader stays failed;
// - round trip: every reply, encoded again (encode_reply), parses back to itself;
// - differential: a strict RESP2 parser written here (the reference) decides what the bytes are;
//   wherever it accepts a reply, RespReader returns exactly that reply, and where the reference
//   needs more bytes, RespReader returns nothing more and no error. (hiredis may accept more than
//   the reference, e.g. a bulk string without its trailing CRLF; that is not compared.)
// - the command formatter: the input cut into arguments, formatted with format_command, reads back
//   as an array of exactly those bulk strings.
// hiredis itself comes from Debian's library and is not instrumented; the reference parser and the
// object functions of RespReader are, so the fuzzer still sees the structure of its inputs.
#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "redis/command.hpp"
#include "redis/reply.hpp"
#include "redis/resp_reader.hpp"

namespace {

using tgkeep::redis::Reply;
using tgkeep::redis::RespReader;

void check(bool condition, const char* what) {
  if (!condition) {
    std::fprintf(stderr, "invariant violated: %s\n", what);
    std::abort();
  }
}

struct Parsed {
  std::vector<Reply> replies;
  bool failed = false;
};

// Drains every complete reply; stops at the first error.
void drain(RespReader& reader, Parsed& out) {
  while (!out.failed) {
    auto next = reader.next();
    if (!next.ok()) {
      out.failed = true;
      check(reader.failed(), "an error leaves the reader failed");
      check(!reader.next().ok(), "a failed reader stays failed");
      return;
    }
    if (!next->has_value()) return;
    out.replies.push_back(std::move(**next));
  }
}

Parsed parse_whole(std::string_view bytes) {
  RespReader reader;
  Parsed out;
  reader.feed(bytes);
  drain(reader, out);
  return out;
}

Parsed parse_in_pieces(std::string_view bytes, std::uint32_t seed) {
  RespReader reader;
  Parsed out;
  std::size_t at = 0;
  while (at < bytes.size()) {
    seed = seed * 1103515245u + 12345u;
    const std::size_t piece = 1 + (seed >> 16) % 17;
    reader.feed(bytes.substr(at, piece));
    at += piece;
    drain(reader, out);
  }
  drain(reader, out);
  return out;
}

// The reference: strict RESP2, the subset every server sends. Depth limits follow hiredis 0.14
// (arrays nest at most 8 levels) so that valid-but-too-deep input counts as invalid here too.
class Reference {
 public:
  enum class Outcome { reply, incomplete, invalid };

  explicit Reference(std::string_view bytes) : bytes_(bytes) {}

  Outcome next(Reply& out) {
    std::size_t at = pos_;
    const Outcome outcome = item(at, 0, out);
    if (outcome == Outcome::reply) pos_ = at;
    return outcome;
  }

 private:
  static constexpr int kMaxArrayDepth = 8;

  // The line at `at` (without CRLF), or nullopt when no CRLF follows yet.
  std::optional<std::string_view> line(std::size_t& at) const {
    const std::size_t end = bytes_.find("\r\n", at);
    if (end == std::string_view::npos) return std::nullopt;
    const std::string_view text = bytes_.substr(at, end - at);
    at = end + 2;
    return text;
  }

  // A strict decimal: optional '-', no leading zeros, no "-0", within int64.
  static bool number(std::string_view text, std::int64_t& value) {
    bool negative = false;
    if (!text.empty() && text[0] == '-') {
      negative = true;
      text.remove_prefix(1);
    }
    if (text.empty() || text.size() > 19) return false;
    if (text[0] == '0' && (text.size() > 1 || negative)) return false;
    unsigned long long v = 0;
    for (char c : text) {
      if (c < '0' || c > '9') return false;
      v = v * 10 + static_cast<unsigned long long>(c - '0');
    }
    const unsigned long long limit =
        negative ? static_cast<unsigned long long>(INT64_MAX) + 1 : INT64_MAX;
    if (v > limit) return false;
    value = negative ? static_cast<std::int64_t>(0 - v) : static_cast<std::int64_t>(v);
    return true;
  }

  Outcome item(std::size_t& at, int depth, Reply& out) const {
    if (at >= bytes_.size()) return Outcome::incomplete;
    const char type = bytes_[at++];
    if (type == '*' && depth >= kMaxArrayDepth) return Outcome::invalid;
    if (type != '+' && type != '-' && type != ':' && type != '$' && type != '*') {
      return Outcome::invalid;
    }
    const auto text = line(at);
    if (!text) return Outcome::incomplete;
    std::int64_t n = 0;
    switch (type) {
      case '+':
      case '-':
        if (text->find_first_of("\r\n") != std::string_view::npos) return Outcome::invalid;
        out = type == '+' ? Reply::of_status(std::string(*text))
                          : Reply::of_error(std::string(*text));
        return Outcome::reply;
      case ':':
        if (!number(*text, n)) return Outcome::invalid;
        out = Reply::of_integer(n);
        return Outcome::reply;
      case '$': {
        if (!number(*text, n) || n < -1) return Outcome::invalid;
        if (n == -1) {
          out = Reply::nil();
          return Outcome::reply;
        }
        const auto size = static_cast<std::uint64_t>(n);
        if (bytes_.size() - at < size + 2 || size > bytes_.size()) return Outcome::incomplete;
        if (bytes_.substr(at + size, 2) != "\r\n") return Outcome::invalid;
        out = Reply::of_string(std::string(bytes_.substr(at, size)));
        at += size + 2;
        return Outcome::reply;
      }
      default: {
        if (!number(*text, n) || n < -1 || n > INT_MAX) return Outcome::invalid;
        if (n == -1) {
          out = Reply::nil();
          return Outcome::reply;
        }
        std::vector<Reply> elements;
        for (std::int64_t i = 0; i < n; ++i) {
          Reply element;
          const Outcome outcome = item(at, depth + 1, element);
          if (outcome != Outcome::reply) return outcome;
          elements.push_back(std::move(element));
        }
        out = Reply::of_array(std::move(elements));
        return Outcome::reply;
      }
    }
  }

  std::string_view bytes_;
  std::size_t pos_ = 0;
};

void check_against_reference(std::string_view input, const Parsed& whole) {
  Reference reference(input);
  std::size_t index = 0;
  for (;;) {
    Reply expected;
    const auto outcome = reference.next(expected);
    if (outcome == Reference::Outcome::invalid) return;  // not compared beyond this point
    if (outcome == Reference::Outcome::incomplete) {
      check(whole.replies.size() == index, "no reply where the reference needs more bytes");
      check(!whole.failed, "no error where the reference needs more bytes");
      return;
    }
    check(index < whole.replies.size(), "every reply the reference accepts is returned");
    check(whole.replies[index] == expected, "the reply equals the reference's");
    ++index;
  }
}

void check_round_trip(const Reply& reply) {
  const std::string encoded = tgkeep::redis::encode_reply(reply);
  const Parsed again = parse_whole(encoded);
  check(!again.failed, "an encoded reply parses");
  check(again.replies.size() == 1, "an encoded reply is one reply");
  check(again.replies[0] == reply, "an encoded reply parses back to itself");
}

void check_command_format(std::string_view input) {
  std::vector<std::string_view> args;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= input.size(); ++i) {
    if (i == input.size() || input[i] == ' ') {
      args.push_back(input.substr(start, i - start));
      start = i + 1;
    }
  }
  const std::string bytes = tgkeep::redis::format_command(args);
  const Parsed parsed = parse_whole(bytes);
  check(!parsed.failed && parsed.replies.size() == 1, "a formatted command is one RESP array");
  const Reply& array = parsed.replies[0];
  check(array.is_array() && array.elements.size() == args.size(), "one element per argument");
  for (std::size_t i = 0; i < args.size(); ++i) {
    check(array.elements[i] == Reply::of_string(std::string(args[i])), "arguments round-trip");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  const Parsed whole = parse_whole(input);
  const std::uint32_t seed =
      size > 0 ? data[0] * 2654435761u + static_cast<std::uint32_t>(size) : 1;
  const Parsed pieces = parse_in_pieces(input, seed);
  check(whole.failed == pieces.failed, "the same error state however the bytes are split");
  check(whole.replies == pieces.replies, "the same replies however the bytes are split");

  for (const Reply& reply : whole.replies) check_round_trip(reply);
  check_against_reference(input, whole);

  // The limit on buffered bytes: a small one must fail cleanly, never crash.
  RespReader bounded(64);
  Parsed limited;
  bounded.feed(input);
  drain(bounded, limited);

  if (size <= 1024) check_command_format(input);
  return 0;
}
