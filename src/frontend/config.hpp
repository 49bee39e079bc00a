#pragma once
// parley-frontend's own config file (JSON). Everything users and pools share lives in the
// topology store; this file says which store, which pool this server belongs to, where to
// listen and with which certificate.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/sip/peer.hpp"

namespace parley::frontend {

struct ListenConfig {
  sip::Transport transport = sip::Transport::Tls;
  std::string address = "127.0.0.1";
  uint16_t port = 5061;
  // The host written into Via and Record-Route; defaults to the bind address, or to the
  // pool FQDN when bound to a wildcard address.
  std::string advertise;
};

struct FrontendConfig {
  std::string path;  // the file it came from
  std::string store;
  std::string pool;
  std::vector<ListenConfig> listen;
  std::string tlsCertificate;
  std::string tlsPrivateKey;
  std::string tlsCaFile;  // verifies server-to-server peers
  std::string logLevel = "info";

  // "digest" (always, in production) or "none" (lab benchmarks only).
  bool authRequired = true;
  std::vector<std::string> authAlgorithms{"SHA-256", "MD5"};
  int nonceLifetimeSeconds = 300;

  int minExpires = 60;
  int maxExpires = 7200;
  int defaultExpires = 3600;
  // Answers to REGISTERs wait up to this long so that the registrations of several commit
  // in one store transaction (0: commit before every answer).
  int groupCommitMs = 1;

  // RFC 3263 resolution of other domains' servers: DNS servers ("addr[:port]"; empty: the
  // system's), and static names for labs and for partners without DNS.
  std::vector<std::string> dnsNameservers;
  std::map<std::string, std::vector<std::string>> dnsHosts;

  size_t maxMessageBytes = 65535;
  int idleConnectionSeconds = 600;
};

// Throws daemon::ConfigError naming the file, line and key at fault.
FrontendConfig loadFrontendConfig(const std::string& path);
// The same from text already read (`path` names it in errors); files it names are checked.
FrontendConfig parseFrontendConfig(const std::string& path, std::string text);

}  // namespace parley::frontend
