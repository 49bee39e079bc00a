#pragma once
// Reading the file an `inspect` command names, with the one-line errors parleyctl prints.

#include <iosfwd>
#include <optional>
#include <string>

namespace parley::tools {

// The file's bytes, or nullopt after printing "cannot read PATH[: why]" to `err`.
std::optional<std::string> readInputFile(const std::string& path, std::ostream& err);

}  // namespace parley::tools
