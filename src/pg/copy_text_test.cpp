// COPY text rows: NULLs, numbers, flags, the escapes COPY reads specially, and bytes PostgreSQL
// cannot take replaced rather than refused.
#include <gtest/gtest.h>

#include "pg/copy_text.hpp"

namespace tgkeep::pg {
namespace {

TEST(CopyText, FieldsRowsAndNulls) {
  CopyText copy;
  copy.number(42);
  copy.field(std::nullopt);
  copy.flag(true);
  copy.number(std::nullopt);
  copy.end_row();
  copy.field("x");
  copy.nulls(2);
  copy.end_row();
  EXPECT_EQ(copy.take(), "42\t\\N\tt\t\\N\nx\t\\N\t\\N\n");
  EXPECT_EQ(copy.size(), 0u);
}

TEST(CopyText, EscapesAndReplacements) {
  CopyText copy;
  copy.field(std::string_view("a\\b\tc\nd\re\0f Привет 👋", 29));
  copy.field("bad \xC3\x28 and \xFF end");
  copy.end_row();
  EXPECT_EQ(copy.data(),
            "a\\\\b\\tc\\nd\\re\xEF\xBF\xBD" "f Привет 👋\tbad \xEF\xBF\xBD( and \xEF\xBF\xBD end\n");
}

}  // namespace
}  // namespace tgkeep::pg
