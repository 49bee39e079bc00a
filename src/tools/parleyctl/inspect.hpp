#pragma once
// `parleyctl inspect sip|sdp FILE`: print the parsed message as JSON and say whether the
// Front End would accept it. Exit status: 0 accepted, 1 rejected, 2 the file cannot be read.

#include <iosfwd>
#include <string>

namespace parley::tools {

// On acceptance prints the JSON to `out` and returns 0. On rejection prints the JSON of
// what parsed (if anything) plus a line "rejected: <status> <reason>" to `out`, and returns 1.
int inspectSipFile(const std::string& path, std::ostream& out, std::ostream& err);
int inspectSdpFile(const std::string& path, std::ostream& out, std::ostream& err);

}  // namespace parley::tools
