#pragma once
// `parleyctl inspect sip|sdp FILE`: print the parsed message as JSON and say whether the
// Front End would accept it. Exit status: 0 accepted, 1 rejected, 2 the file cannot be read.
// `parleyctl inspect stun FILE`: the same for a STUN/TURN message, with its integrity checks.

#include <iosfwd>
#include <string>

namespace parley::tools {

// On acceptance prints the JSON to `out` and returns 0. On rejection prints the JSON of
// what parsed (if anything) plus a line "rejected: <status> <reason>" to `out`, and returns 1.
int inspectSipFile(const std::string& path, std::ostream& out, std::ostream& err);
int inspectSdpFile(const std::string& path, std::ostream& out, std::ostream& err);

// Credentials for `inspect stun`: with a password, MESSAGE-INTEGRITY(-SHA256) is checked with
// the short-term key when realm is empty, else the long-term key of username, realm and
// password (MD5, or the message's PASSWORD-ALGORITHM). Without a password it is not checked.
struct StunCredentials {
  std::string username;
  std::string realm;
  std::string password;
};

// FILE holds one STUN message as hex (whitespace ignored) or binary. Prints JSON of the
// header, the attributes and the checks to `out`; returns 0 if it decodes and every check
// that could run passed, 1 otherwise (with "failed: ..." lines), 2 if the file can't be read.
int inspectStunFile(const std::string& path, const StunCredentials& credentials,
                    std::ostream& out, std::ostream& err);

}  // namespace parley::tools
