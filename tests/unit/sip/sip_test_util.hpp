#pragma once
// Helpers shared by the SIP unit tests.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "common/sip/message.hpp"
#include "common/sip/parser.hpp"

namespace parley::sip::test {

inline std::string readBinary(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::string out;
  char block[4096];
  while (in.read(block, sizeof block) || in.gcount() > 0) {
    out.append(block, static_cast<size_t>(in.gcount()));
  }
  return out;
}

// CRLF-joins lines so test messages stay readable.
inline std::string crlf(std::initializer_list<std::string_view> lines) {
  std::string out;
  for (auto l : lines) {
    out.append(l);
    out += "\r\n";
  }
  return out;
}

// Headers other than Content-Length, which serialize() rewrites from the body.
inline std::vector<Header> comparableHeaders(const Message& m) {
  std::vector<Header> out;
  for (const auto& h : m.headers()) {
    if (h.id != HeaderId::ContentLength) out.push_back(h);
  }
  return out;
}

inline void expectSameStructure(const Message& a, const Message& b) {
  EXPECT_EQ(a.isRequest(), b.isRequest());
  EXPECT_EQ(a.methodText(), b.methodText());
  EXPECT_EQ(a.method(), b.method());
  EXPECT_EQ(a.requestUri().toString(), b.requestUri().toString());
  EXPECT_EQ(a.status(), b.status());
  EXPECT_EQ(a.reason(), b.reason());
  auto ha = comparableHeaders(a);
  auto hb = comparableHeaders(b);
  ASSERT_EQ(ha.size(), hb.size());
  for (size_t i = 0; i < ha.size(); ++i) {
    EXPECT_EQ(ha[i].id, hb[i].id) << i;
    EXPECT_EQ(ha[i].name, hb[i].name) << i;
    EXPECT_EQ(ha[i].value, hb[i].value) << ha[i].name;
  }
  EXPECT_EQ(a.body, b.body);
}

// parse(serialize(m)) has the structure of m, and serializing again is a fixed point.
inline void expectRoundTrip(const Message& m) {
  const std::string wire = m.serialize();
  auto again = parseMessage(wire);
  ASSERT_TRUE(again) << again.error().message << "\n" << wire;
  expectSameStructure(m, again.value());
  EXPECT_EQ(again->serialize(), wire);
}

}  // namespace parley::sip::test
