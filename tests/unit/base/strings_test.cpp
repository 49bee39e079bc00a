#include "common/base/strings.hpp"

#include <gtest/gtest.h>

namespace parley {
namespace {

TEST(Strings, CaseInsensitiveEquality) {
  EXPECT_TRUE(iequals("Via", "vIA"));
  EXPECT_FALSE(iequals("Via", "Vias"));
}

TEST(Strings, TrimRemovesLinearWhitespace) { EXPECT_EQ(trim(" \t a b \r\n"), "a b"); }

TEST(Strings, ParseNumberRejectsOverflowAndJunk) {
  EXPECT_EQ(parseNumber<uint32_t>("4294967295"), 4294967295u);
  EXPECT_FALSE(parseNumber<uint32_t>("4294967296"));
  EXPECT_FALSE(parseNumber<uint32_t>("-1"));
  EXPECT_FALSE(parseNumber<uint32_t>("12a"));
  EXPECT_FALSE(parseNumber<uint32_t>(""));
}

TEST(Strings, JsonEscapeControlCharacters) {
  EXPECT_EQ(jsonEscape(std::string_view("a\"\\\n\x01", 5)), "a\\\"\\\\\\n\\u0001");
}

}  // namespace
}  // namespace parley
