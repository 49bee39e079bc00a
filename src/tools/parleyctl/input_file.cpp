#include "tools/parleyctl/input_file.hpp"

#include <filesystem>
#include <fstream>
#include <ostream>

namespace parley::tools {

std::optional<std::string> readInputFile(const std::string& path, std::ostream& err) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    err << "cannot read " << path << ": it is a directory\n";
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    err << "cannot read " << path << "\n";
    return std::nullopt;
  }
  // Read in blocks: istreambuf_iterator trips GCC 12's -Wnull-dereference.
  std::string bytes;
  char block[8192];
  while (in.read(block, sizeof block) || in.gcount() > 0) {
    bytes.append(block, static_cast<size_t>(in.gcount()));
  }
  if (in.bad()) {
    err << "cannot read " << path << "\n";
    return std::nullopt;
  }
  return bytes;
}

}  // namespace parley::tools
