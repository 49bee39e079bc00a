#pragma once
// `parleyctl cert dev`: a lab certificate authority and a pool certificate signed by it.
// For development and tests only: production pools use certificates from the
// organisation's own CA, whose subject name is the pool FQDN (every server of a pool
// carries the same certificate, as clients verify the pool's name, not the machine's).

#include <string>
#include <vector>

namespace parley::tools {

struct DevCertRequest {
  std::string dir;                 // writes ca.crt ca.key pool.crt pool.key
  std::string poolFqdn;            // subject CN and first DNS SAN
  std::vector<std::string> extraDnsNames{"localhost"};
  std::vector<std::string> ipAddresses{"127.0.0.1", "::1"};
  int validDays = 825;
};

// Throws std::runtime_error naming what failed. Reuses an existing ca.crt/ca.key in `dir`
// so that several pool certificates (Front End, Edge) share one lab CA.
void writeDevCertificates(const DevCertRequest& request);

}  // namespace parley::tools
