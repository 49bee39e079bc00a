#pragma once
// spdlog set-up shared by the daemons: one logger per component, to stderr, level from config.

#include <memory>
#include <string>

#include <spdlog/spdlog.h>

namespace parley::daemon {

// Validates and applies a level name ("trace".."critical", "off"); false if unknown.
bool setLogLevel(const std::string& level);
// A named component logger ("sip", "txn", "registrar", ...), created on first use.
std::shared_ptr<spdlog::logger> logger(const std::string& component);

}  // namespace parley::daemon
