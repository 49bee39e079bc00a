// Authorization header values from the network: parsed into credentials, rejected with a
// 400 error, or recognised as another scheme; then verified against a fixed HA1, which
// must never succeed for input that did not come from the password.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "common/sip/auth/authenticator.hpp"
#include "common/sip/auth/credentials.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view value(reinterpret_cast<const char*>(data), size);
  auto parsed = parley::sip::auth::parseCredentials(value);
  if (!parsed) {
    if (parsed.error().code != 400) std::abort();
    return 0;
  }
  if (!parsed.value()) return 0;
  static parley::sip::auth::DigestAuthenticator authenticator(
      parley::sip::auth::DigestConfig{.secret = std::string(32, 'k')});
  auto outcome = authenticator.verify(*parsed.value(), "parley.test", "REGISTER",
                                      std::optional<std::string>(std::string(32, '0')), 1'800'000'000);
  if (outcome.ok()) std::abort();  // a forged nonce can never verify
  return 0;
}
