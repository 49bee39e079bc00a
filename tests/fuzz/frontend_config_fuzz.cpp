// The Front End's config parser on arbitrary bytes: it either yields a config or throws
// ConfigError (whose message names the file); nothing else may escape, nothing may crash.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "common/daemon/config.hpp"
#include "frontend/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  try {
    auto cfg = parley::frontend::parseFrontendConfig("fuzz.json", std::move(text));
    if (cfg.listen.empty()) std::abort();  // a config always has at least one listener
  } catch (const parley::daemon::ConfigError& e) {
    if (std::string(e.what()).rfind("fuzz.json:", 0) != 0) std::abort();  // must name the file
  }
  return 0;
}
