#include "common/sip/auth/digest.hpp"

#include "common/base/crypto.hpp"
#include "common/base/strings.hpp"

namespace parley::sip::auth {

std::string_view algorithmName(Algorithm algorithm) noexcept {
  return algorithm == Algorithm::Md5 ? "MD5" : "SHA-256";
}

std::optional<Algorithm> parseAlgorithm(std::string_view name) noexcept {
  if (iequals(name, "MD5")) return Algorithm::Md5;
  if (iequals(name, "SHA-256")) return Algorithm::Sha256;
  return std::nullopt;
}

std::size_t hexDigestLength(Algorithm algorithm) noexcept {
  return algorithm == Algorithm::Md5 ? 32 : 64;
}

std::string hashHex(Algorithm algorithm, std::string_view data) {
  return algorithm == Algorithm::Md5 ? crypto::md5Hex(data) : crypto::sha256Hex(data);
}

namespace {

std::string join(std::initializer_list<std::string_view> parts) {
  std::string out;
  std::size_t size = parts.size();
  for (std::string_view p : parts) size += p.size();
  out.reserve(size);
  bool first = true;
  for (std::string_view p : parts) {
    if (!first) out.push_back(':');
    out.append(p);
    first = false;
  }
  return out;
}

}  // namespace

std::string computeHa1(Algorithm algorithm, std::string_view username, std::string_view realm,
                       std::string_view password) {
  return hashHex(algorithm, join({username, realm, password}));
}

std::string computeResponse(Algorithm algorithm, std::string_view ha1, std::string_view nonce,
                            std::string_view nc, std::string_view cnonce, std::string_view qop,
                            std::string_view method, std::string_view uri) {
  std::string ha2 = hashHex(algorithm, join({method, uri}));
  return hashHex(algorithm, join({ha1, nonce, nc, cnonce, qop, ha2}));
}

}  // namespace parley::sip::auth
