// parley-mediation: the PSTN gateway mediation role. Not built yet: the target exists so packaging, the build
// and the docs already have their place (see docs/features.md, issue (not filed yet)).
#include <cstdio>

int main() {
  std::fprintf(stderr, "parley-mediation: the PSTN gateway mediation role is not implemented yet\n");
  return 2;
}
