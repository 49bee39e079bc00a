// parley-edge: the STUN/TURN media relay and Access Edge role. Not built yet: the target exists so packaging, the build
// and the docs already have their place (see docs/features.md, issue 3).
#include <cstdio>

int main() {
  std::fprintf(stderr, "parley-edge: the STUN/TURN media relay and Access Edge role is not implemented yet\n");
  return 2;
}
