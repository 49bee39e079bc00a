#include "common/daemon/config.hpp"

#include <gtest/gtest.h>

namespace parley::daemon {
namespace {

std::string errorOf(const std::string& text, void (*use)(const ConfigNode&)) {
  try {
    auto file = ConfigFile::fromText("fe.json", text);
    use(file->root());
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(Config, SyntaxErrorNamesFileAndLine) {
  auto msg = errorOf("{\n  \"store\": \"x\",\n  \"pool\" \"y\"\n}\n", [](const ConfigNode&) {});
  EXPECT_EQ(msg.rfind("fe.json:3: syntax error", 0), 0u) << msg;
}

// Found by fuzzing: a number too large for JSON's types is an error naming the file, not
// an exception of the JSON library escaping to main.
TEST(Config, OverflowingNumberIsAConfigError) {
  auto msg = errorOf("{\"port\": 6e510}", [](const ConfigNode&) {});
  EXPECT_EQ(msg.rfind("fe.json: number overflow", 0), 0u) << msg;
}

TEST(Config, WrongTypeNamesKeyAndLine) {
  auto msg = errorOf("{\n \"listen\": [\n  {\"port\": \"x\"}\n ]\n}",
                     [](const ConfigNode& root) {
                       for (const auto& l : root.objectList("listen")) (void)l.requireInt("port", 0, 65535);
                     });
  EXPECT_EQ(msg, "fe.json:3: listen[0].port: expected an integer from 0 to 65535");
}

TEST(Config, UnknownKeyIsAnError) {
  auto msg = errorOf("{\"stroe\": 1}", [](const ConfigNode& root) {
    root.rejectUnknownKeys({"store"});
  });
  EXPECT_EQ(msg, "fe.json:1: stroe: unknown key (a typo?)");
}

TEST(Config, DefaultsAndEnums) {
  auto file = ConfigFile::fromText("fe.json", R"({"mode": "digest"})");
  auto root = file->root();
  EXPECT_EQ(root.optInt("port", 5061, 0, 65535), 5061);
  EXPECT_EQ(root.optEnum("mode", "digest", {"digest", "none"}), "digest");
  EXPECT_THROW((void)root.optEnum("mode", "x", {"none"}), ConfigError);
}

TEST(Config, MissingFileIsNamed) {
  try {
    (void)ConfigFile::load("/nonexistent/parley.json");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(), "/nonexistent/parley.json: cannot open config file");
  }
}

}  // namespace
}  // namespace parley::daemon
