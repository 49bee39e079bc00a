#include "frontend/config.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "common/daemon/config.hpp"
#include "common/daemon/logging.hpp"

namespace parley::frontend {

FrontendConfig loadFrontendConfig(const std::string& path) {
  auto file = daemon::ConfigFile::load(path);
  return parseFrontendConfig(path, file->text());
}

FrontendConfig parseFrontendConfig(const std::string& path, std::string text) {
  using daemon::ConfigNode;
  auto file = daemon::ConfigFile::fromText(path, std::move(text));
  ConfigNode root = file->root();
  root.rejectUnknownKeys({"store", "pool", "listen", "tls", "log_level", "auth", "registrar",
                          "limits", "dns"});
  FrontendConfig cfg;
  cfg.path = path;
  cfg.store = root.requireString("store");
  cfg.pool = root.requireString("pool");
  cfg.logLevel = root.optEnum("log_level", "info",
                              {"trace", "debug", "info", "warn", "error", "critical", "off"});

  for (const ConfigNode& l : root.objectList("listen")) {
    l.rejectUnknownKeys({"transport", "address", "port", "advertise"});
    ListenConfig lc;
    std::string t = l.optEnum("transport", "tls", {"tls", "tcp", "udp"});
    lc.transport = t == "tls" ? sip::Transport::Tls : t == "tcp" ? sip::Transport::Tcp : sip::Transport::Udp;
    lc.address = l.optString("address", "0.0.0.0");
    lc.port = static_cast<uint16_t>(l.optInt("port", lc.transport == sip::Transport::Tls ? 5061 : 5060, 0, 65535));
    lc.advertise = l.optString("advertise", "");
    if (lc.advertise.empty()) {
      lc.advertise = (lc.address == "0.0.0.0" || lc.address == "::") ? cfg.pool : lc.address;
    }
    cfg.listen.push_back(lc);
  }
  if (cfg.listen.empty()) {
    // Secure by default: TLS only, on the standard port.
    cfg.listen.push_back(ListenConfig{sip::Transport::Tls, "0.0.0.0", 5061, cfg.pool});
  }

  bool needsTls = false;
  for (const auto& l : cfg.listen) needsTls = needsTls || l.transport == sip::Transport::Tls;
  if (auto tls = root.child("tls")) {
    tls->rejectUnknownKeys({"certificate", "private_key", "ca_file"});
    cfg.tlsCertificate = tls->requireString("certificate");
    cfg.tlsPrivateKey = tls->requireString("private_key");
    cfg.tlsCaFile = tls->optString("ca_file", "");
    // Name the key and file now: a TLS library error later would say neither.
    for (const auto& [key, pem] : {std::pair{"certificate", cfg.tlsCertificate},
                                   std::pair{"private_key", cfg.tlsPrivateKey},
                                   std::pair{"ca_file", cfg.tlsCaFile}}) {
      if (!pem.empty() && ::access(pem.c_str(), R_OK) != 0) {
        tls->fail(key, "cannot read " + pem + ": " + std::strerror(errno));
      }
    }
  } else if (needsTls) {
    root.fail("tls", "a TLS listener needs \"tls\": {\"certificate\": ..., \"private_key\": ...}");
  }

  if (auto auth = root.child("auth")) {
    auth->rejectUnknownKeys({"mode", "algorithms", "nonce_lifetime_s"});
    cfg.authRequired = auth->optEnum("mode", "digest", {"digest", "none"}) == "digest";
    cfg.authAlgorithms = auth->optStringList("algorithms", cfg.authAlgorithms);
    if (cfg.authAlgorithms.empty()) auth->fail("algorithms", "list at least one of SHA-256, MD5");
    for (const auto& a : cfg.authAlgorithms) {
      if (a != "SHA-256" && a != "MD5") auth->fail("algorithms", "\"" + a + "\" is not SHA-256 or MD5");
    }
    cfg.nonceLifetimeSeconds = static_cast<int>(auth->optInt("nonce_lifetime_s", 300, 10, 86400));
  }
  if (auto reg = root.child("registrar")) {
    reg->rejectUnknownKeys({"min_expires", "max_expires", "default_expires", "group_commit_ms"});
    cfg.groupCommitMs = static_cast<int>(reg->optInt("group_commit_ms", 1, 0, 1000));
    cfg.minExpires = static_cast<int>(reg->optInt("min_expires", 60, 1, 86400));
    cfg.maxExpires = static_cast<int>(reg->optInt("max_expires", 7200, cfg.minExpires, 604800));
    cfg.defaultExpires = static_cast<int>(reg->optInt("default_expires", 3600, cfg.minExpires, cfg.maxExpires));
  }
  if (auto dns = root.child("dns")) {
    dns->rejectUnknownKeys({"nameservers", "hosts"});
    cfg.dnsNameservers = dns->optStringList("nameservers", {});
    if (auto hosts = dns->child("hosts")) {
      for (const auto& name : hosts->keys()) cfg.dnsHosts[name] = hosts->optStringList(name, {});
    }
  }
  if (auto lim = root.child("limits")) {
    lim->rejectUnknownKeys({"max_message_bytes", "idle_connection_s"});
    cfg.maxMessageBytes = static_cast<size_t>(lim->optInt("max_message_bytes", 65535, 1024, 1 << 20));
    cfg.idleConnectionSeconds = static_cast<int>(lim->optInt("idle_connection_s", 600, 0, 86400));
  }
  return cfg;
}

}  // namespace parley::frontend
