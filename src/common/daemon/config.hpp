#pragma once
// Typed reading of a daemon's JSON config file. Every error names the file, the line and the
// key at fault ("frontend.json:7: listen[0].port: expected an integer from 0 to 65535"), and
// unknown keys are errors too: a typo in a key must not silently fall back to a default.

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace parley::daemon {

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class ConfigNode;

// The parsed file: keeps the text so errors can point at a line.
class ConfigFile {
 public:
  // Throws ConfigError naming the file (and line and column for syntax errors).
  static std::shared_ptr<const ConfigFile> load(const std::string& path);
  static std::shared_ptr<const ConfigFile> fromText(std::string path, std::string text);

  const std::string& path() const noexcept { return path_; }
  const std::string& text() const noexcept { return text_; }
  ConfigNode root() const;
  // The 1-based line where `jsonPath` (e.g. "listen[0].port") is written, best effort.
  int lineOf(std::string_view jsonPath) const;

 private:
  std::string path_;
  std::string text_;
  nlohmann::json json_;
};

// One object (or value) inside the file, with its JSON path for error messages.
class ConfigNode {
 public:
  ConfigNode(const ConfigFile* file, const nlohmann::json* value, std::string path);

  std::string requireString(std::string_view key) const;
  std::string optString(std::string_view key, std::string fallback) const;
  int64_t optInt(std::string_view key, int64_t fallback, int64_t min, int64_t max) const;
  int64_t requireInt(std::string_view key, int64_t min, int64_t max) const;
  bool optBool(std::string_view key, bool fallback) const;
  std::vector<std::string> optStringList(std::string_view key, std::vector<std::string> fallback) const;
  // One of `allowed`, e.g. transport "udp"|"tcp"|"tls".
  std::string optEnum(std::string_view key, std::string fallback,
                      const std::vector<std::string>& allowed) const;
  bool has(std::string_view key) const;
  std::vector<std::string> keys() const;  // of an object, in file order
  std::optional<ConfigNode> child(std::string_view key) const;  // an object, or nullopt
  std::vector<ConfigNode> objectList(std::string_view key) const;
  // Fails on any key not in `known` (typos).
  void rejectUnknownKeys(const std::vector<std::string>& known) const;

  [[noreturn]] void fail(std::string_view key, std::string_view what) const;
  const std::string& path() const noexcept { return path_; }

 private:
  const nlohmann::json* member(std::string_view key) const;
  std::string keyPath(std::string_view key) const;

  const ConfigFile* file_;
  const nlohmann::json* value_;
  std::string path_;
};

}  // namespace parley::daemon
