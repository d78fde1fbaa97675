// Splits an outgoing text into parts that fit Telegram's message length limit, which counts
// UTF-16 code units (4096 for sendMessage): a character outside the BMP, such as most emoji,
// counts 2.
//
// A part never ends inside a UTF-8 sequence (so never inside a surrogate pair). Within the limit,
// a part ends after the last newline, else after the last space, else where the limit falls. No
// text is dropped or added: the parts concatenate to the input, and none is empty. Bytes that are
// not valid UTF-8 are kept as they are and count as one unit each. Note that Telegram refuses a
// part made only of whitespace; callers sending such text should trim it first.
//
// Thread-safety: stateless function.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace tgkeep::telegram {

// An empty input gives no parts; an input within the limit gives one. A limit below 2 is taken as
// 2, the size of the widest character.
std::vector<std::string> split_message_text(std::string_view utf8,
                                            std::size_t max_utf16_units = 4096);

// The length of `utf8` in UTF-16 code units, counted as above.
std::size_t utf16_length(std::string_view utf8);

}  // namespace tgkeep::telegram
