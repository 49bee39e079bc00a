#include "common/daemon/config.hpp"

#include <fstream>
#include <sstream>

namespace parley::daemon {
namespace {

int lineAtOffset(const std::string& text, size_t offset) {
  int line = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') ++line;
  }
  return line;
}

}  // namespace

std::shared_ptr<const ConfigFile> ConfigFile::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path + ": cannot open config file");
  std::ostringstream ss;
  ss << in.rdbuf();
  return fromText(path, ss.str());
}

std::shared_ptr<const ConfigFile> ConfigFile::fromText(std::string path, std::string text) {
  auto file = std::make_shared<ConfigFile>();
  file->path_ = std::move(path);
  file->text_ = std::move(text);
  try {
    file->json_ = nlohmann::json::parse(file->text_);
  } catch (const nlohmann::json::parse_error& e) {
    // nlohmann reports a byte offset: turn it into the line an administrator can open.
    size_t offset = e.byte > 0 ? e.byte - 1 : 0;
    std::string what = e.what();
    auto pos = what.find("syntax error");
    throw ConfigError(file->path_ + ":" + std::to_string(lineAtOffset(file->text_, offset)) +
                      ": " + (pos == std::string::npos ? what : what.substr(pos)));
  } catch (const nlohmann::json::exception& e) {
    // Not a syntax error but a value JSON cannot hold (a number too large): no position.
    std::string what = e.what();
    auto pos = what.find("] ");
    throw ConfigError(file->path_ + ": " + (pos == std::string::npos ? what : what.substr(pos + 2)));
  }
  if (!file->json_.is_object()) {
    throw ConfigError(file->path_ + ":1: the config must be a JSON object");
  }
  return file;
}

ConfigNode ConfigFile::root() const { return ConfigNode(this, &json_, ""); }

int ConfigFile::lineOf(std::string_view jsonPath) const {
  // Walk the path's object keys through the text, each search starting where the previous
  // key was found: good enough to point at the right line in a hand-written file.
  size_t offset = 0;
  size_t start = 0;
  while (start < jsonPath.size()) {
    size_t end = jsonPath.find_first_of(".[", start);
    std::string_view part = jsonPath.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    if (!part.empty() && part.back() != ']') {
      std::string needle = "\"" + std::string(part) + "\"";
      size_t found = text_.find(needle, offset);
      if (found != std::string::npos) offset = found;
    }
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return lineAtOffset(text_, offset);
}

ConfigNode::ConfigNode(const ConfigFile* file, const nlohmann::json* value, std::string path)
    : file_(file), value_(value), path_(std::move(path)) {}

std::string ConfigNode::keyPath(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

void ConfigNode::fail(std::string_view key, std::string_view what) const {
  std::string kp = key.empty() ? path_ : keyPath(key);
  throw ConfigError(file_->path() + ":" + std::to_string(file_->lineOf(kp)) + ": " +
                    (kp.empty() ? std::string() : kp + ": ") + std::string(what));
}

const nlohmann::json* ConfigNode::member(std::string_view key) const {
  if (!value_->is_object()) return nullptr;
  auto it = value_->find(std::string(key));
  return it == value_->end() ? nullptr : &*it;
}

bool ConfigNode::has(std::string_view key) const { return member(key) != nullptr; }

std::vector<std::string> ConfigNode::keys() const {
  std::vector<std::string> out;
  if (value_->is_object()) {
    for (const auto& [key, value] : value_->items()) out.push_back(key);
  }
  return out;
}

std::string ConfigNode::requireString(std::string_view key) const {
  const auto* v = member(key);
  if (v == nullptr) fail(key, "required key is missing");
  if (!v->is_string()) fail(key, "expected a string");
  return v->get<std::string>();
}

std::string ConfigNode::optString(std::string_view key, std::string fallback) const {
  return has(key) ? requireString(key) : fallback;
}

int64_t ConfigNode::requireInt(std::string_view key, int64_t min, int64_t max) const {
  const auto* v = member(key);
  if (v == nullptr) fail(key, "required key is missing");
  if (!v->is_number_integer() || v->get<int64_t>() < min || v->get<int64_t>() > max) {
    fail(key, "expected an integer from " + std::to_string(min) + " to " + std::to_string(max));
  }
  return v->get<int64_t>();
}

int64_t ConfigNode::optInt(std::string_view key, int64_t fallback, int64_t min, int64_t max) const {
  return has(key) ? requireInt(key, min, max) : fallback;
}

bool ConfigNode::optBool(std::string_view key, bool fallback) const {
  const auto* v = member(key);
  if (v == nullptr) return fallback;
  if (!v->is_boolean()) fail(key, "expected true or false");
  return v->get<bool>();
}

std::vector<std::string> ConfigNode::optStringList(std::string_view key,
                                                   std::vector<std::string> fallback) const {
  const auto* v = member(key);
  if (v == nullptr) return fallback;
  if (!v->is_array()) fail(key, "expected a list of strings");
  std::vector<std::string> out;
  for (const auto& item : *v) {
    if (!item.is_string()) fail(key, "expected a list of strings");
    out.push_back(item.get<std::string>());
  }
  return out;
}

std::string ConfigNode::optEnum(std::string_view key, std::string fallback,
                                const std::vector<std::string>& allowed) const {
  std::string value = optString(key, fallback);
  for (const auto& a : allowed) {
    if (a == value) return value;
  }
  std::string list;
  for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
  fail(key, "\"" + value + "\" is not one of: " + list);
}

std::optional<ConfigNode> ConfigNode::child(std::string_view key) const {
  const auto* v = member(key);
  if (v == nullptr) return std::nullopt;
  if (!v->is_object()) fail(key, "expected an object");
  return ConfigNode(file_, v, keyPath(key));
}

std::vector<ConfigNode> ConfigNode::objectList(std::string_view key) const {
  const auto* v = member(key);
  std::vector<ConfigNode> out;
  if (v == nullptr) return out;
  if (!v->is_array()) fail(key, "expected a list of objects");
  for (size_t i = 0; i < v->size(); ++i) {
    std::string p = keyPath(key) + "[" + std::to_string(i) + "]";
    if (!(*v)[i].is_object()) {
      ConfigNode(file_, &(*v)[i], p).fail("", "expected an object");
    }
    out.emplace_back(file_, &(*v)[i], p);
  }
  return out;
}

void ConfigNode::rejectUnknownKeys(const std::vector<std::string>& known) const {
  if (!value_->is_object()) return;
  for (const auto& [key, value] : value_->items()) {
    bool ok = false;
    for (const auto& k : known) ok = ok || k == key;
    if (!ok) fail(key, "unknown key (a typo?)");
  }
}

}  // namespace parley::daemon
