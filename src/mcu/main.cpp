// parley-mcu: the conferencing MCU role. Not built yet: the target exists so packaging, the build
// and the docs already have their place (see docs/features.md, issue 4).
#include <cstdio>

int main() {
  std::fprintf(stderr, "parley-mcu: the conferencing MCU role is not implemented yet\n");
  return 2;
}
