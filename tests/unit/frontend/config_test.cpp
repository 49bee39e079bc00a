#include "frontend/config.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "common/daemon/config.hpp"

namespace parley::frontend {
namespace {

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The example shipped in config/ uses every key, all known: the only complaint is that the
// certificate it names is not on this machine.
TEST(FrontendConfig, ShippedExampleUsesOnlyKnownKeys) {
  const std::string path = std::string(PARLEY_SOURCE_DIR) + "/config/frontend.example.json";
  try {
    (void)parseFrontendConfig(path, readFile(path));
    FAIL() << "the example's certificate should not exist on a test machine";
  } catch (const daemon::ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("tls.certificate: cannot read /etc/parley/pool.crt"), std::string::npos)
        << e.what();
  }
}

TEST(FrontendConfig, DefaultsAreSecure) {
  auto cfg = parseFrontendConfig("fe.json", R"({"store": "s.db", "pool": "fe.example.com",
                                               "listen": [{"transport": "udp", "address": "127.0.0.1"}]})");
  EXPECT_TRUE(cfg.authRequired);
  EXPECT_EQ(cfg.authAlgorithms.front(), "SHA-256");
  ASSERT_EQ(cfg.listen.size(), 1u);
  EXPECT_EQ(cfg.listen[0].port, 5060);
  EXPECT_EQ(cfg.listen[0].advertise, "127.0.0.1");
}

TEST(FrontendConfig, TlsListenerNeedsACertificate) {
  EXPECT_THROW((void)parseFrontendConfig("fe.json", R"({"store": "s.db", "pool": "p", "listen": [{"transport": "tls"}]})"),
               daemon::ConfigError);
}

}  // namespace
}  // namespace parley::frontend
