// parleyctl: administers a Parley deployment's topology store (users, pools, certificates)
// and inspects captured messages. See docs/admin-guide.md.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>
#include <stdexcept>
#include <iostream>
#include <string>

#include "common/base/clock.hpp"
#include "common/store/store.hpp"
#include "tools/parleyctl/cert_dev.hpp"
#include "tools/parleyctl/inspect.hpp"

namespace {

using parley::store::Store;

std::string canonicalUserUri(std::string uri) {
  if (uri.rfind("sip:", 0) != 0 && uri.rfind("sips:", 0) != 0) uri = "sip:" + uri;
  return uri;
}

std::string isoTime(int64_t unix) {
  std::time_t t = static_cast<std::time_t>(unix);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

// An existing store only: a mistyped --store must not quietly create an empty one.
Store openExisting(const std::string& path) {
  if (!std::filesystem::exists(path)) {
    throw std::runtime_error("no topology store at " + path +
                             " (create one with `parleyctl --store " + path + " topology init`)");
  }
  return Store::open(path, {.durability = parley::store::Durability::Full});
}

int fail(const std::string& message) {
  std::fprintf(stderr, "parleyctl: %s\n", message.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"parleyctl: administer a Parley deployment"};
  app.failure_message([](const CLI::App*, const CLI::Error& e) {
    return std::string("parleyctl: ") + e.what() + " (see --help)\n";
  });
  const char* envStore = std::getenv("PARLEY_STORE");
  std::string storePath = envStore != nullptr ? envStore : "/var/lib/parley/topology.db";
  app.add_option("--store", storePath, "topology store (SQLite file; env PARLEY_STORE)");
  app.fallthrough();  // --store may also follow the command

  // topology
  auto* topology = app.add_subcommand("topology", "sites, pools, servers and SIP domains");
  std::string domain, site = "Default", pool, server, address;
  auto* topoInit = topology->add_subcommand("init", "create a new store with a SIP domain, a site and a Front End pool");
  topoInit->add_option("--domain", domain, "the SIP domain users sign in to")->required();
  topoInit->add_option("--site", site, "site name");
  topoInit->add_option("--pool", pool, "Front End pool FQDN (the name on its certificate)")->required();
  topoInit->add_option("--server", server, "a first server of the pool (FQDN)");
  topoInit->add_option("--address", address, "that server's IP address");
  auto* topoShow = topology->add_subcommand("show", "print domains, sites, pools and servers");

  // user
  auto* user = app.add_subcommand("user", "users who may sign in");
  std::string uri, displayName, line, password, policy = "default";
  auto* userAdd = user->add_subcommand("add", "add a user");
  userAdd->add_option("uri", uri, "SIP URI, e.g. alice@example.com")->required();
  userAdd->add_option("--name", displayName, "display name");
  userAdd->add_option("--line", line, "line URI, tel:+E.164");
  userAdd->add_option("--password", password, "password for digest authentication");
  userAdd->add_option("--policy", policy, "client policy");
  std::string importFile;
  auto* userImport = user->add_subcommand("import", "add many users from a CSV file, in one transaction");
  userImport->add_option("file", importFile, "lines of: uri,display name,line URI,password (# comments)")->required();
  auto* userList = user->add_subcommand("list", "list users");
  auto* userShow = user->add_subcommand("show", "show one user");
  userShow->add_option("uri", uri)->required();
  auto* userPw = user->add_subcommand("set-password", "set a user's password");
  userPw->add_option("uri", uri)->required();
  userPw->add_option("--password", password)->required();
  auto* userDisable = user->add_subcommand("disable", "stop a user signing in (registrations are removed)");
  userDisable->add_option("uri", uri)->required();
  auto* userEnable = user->add_subcommand("enable", "let a disabled user sign in again");
  userEnable->add_option("uri", uri)->required();
  auto* userRemove = user->add_subcommand("remove", "remove a user with credentials and registrations");
  userRemove->add_option("uri", uri)->required();

  // registrations
  auto* regs = app.add_subcommand("registrations", "who is signed in, on which contacts, until when");
  std::string regAor;
  regs->add_option("--user", regAor, "only this user's registrations");

  // edge
  auto* edge = app.add_subcommand("edge", "Edge pools: relay secrets");
  auto* edgeSecret = edge->add_subcommand("secret", "the secret Front Ends sign relay credentials with");
  int64_t overlapHours = 8;
  auto* edgeSecretRotate = edgeSecret->add_subcommand("rotate", "add a new relay secret; earlier ones retire after the overlap");
  edgeSecretRotate->add_option("--overlap-hours", overlapHours, "hours the old secrets still verify (default 8, the credential lifetime; 0: at once)")
      ->check(CLI::Range(int64_t{0}, int64_t{24 * 366}));
  auto* edgeSecretList = edgeSecret->add_subcommand("list", "relay secrets: ids, dates, state (never the secret)");

  // cert
  auto* cert = app.add_subcommand("cert", "certificates");
  std::string certDir;
  auto* certDev = cert->add_subcommand("dev", "write a lab CA and a pool certificate (development only)");
  certDev->add_option("--dir", certDir, "output folder")->required();
  certDev->add_option("--pool", pool, "pool FQDN; default: the store's Front End pool");

  // inspect
  auto* inspect = app.add_subcommand("inspect", "check captured messages as the servers would");
  std::string file;
  auto* inspectSip = inspect->add_subcommand("sip", "parse a SIP message; exit 0 if the Front End would accept it");
  inspectSip->add_option("file", file)->required();
  auto* inspectSdp = inspect->add_subcommand("sdp", "parse an SDP description; exit 0 if valid");
  inspectSdp->add_option("file", file)->required();
  parley::tools::StunCredentials stunCredentials;
  auto* inspectStun = inspect->add_subcommand(
      "stun", "decode a STUN/TURN message (hex or binary); exit 0 if it decodes and its checks pass");
  inspectStun->add_option("file", file)->required();
  inspectStun->add_option("--username", stunCredentials.username, "long-term username (default: the message's USERNAME)");
  inspectStun->add_option("--realm", stunCredentials.realm, "realm: long-term credentials; without it, short-term");
  inspectStun->add_option("--password", stunCredentials.password, "password to verify MESSAGE-INTEGRITY(-SHA256)");

  CLI11_PARSE(app, argc, argv);
  // An unknown word is reported by CLI11 by name ("not expected: frobnicate"); a missing
  // command is reported here, naming what could follow.
  for (auto* group : {&app, topology, user, cert, inspect, edge, edgeSecret}) {
    if ((group == &app || group->parsed()) && group->get_subcommands().empty() && group != regs) {
      std::string names;
      for (const auto* sub : group->get_subcommands({})) names += (names.empty() ? "" : ", ") + sub->get_name();
      std::fprintf(stderr, "parleyctl: %s%sa command is required: %s\n", group == &app ? "" : group->get_name().c_str(),
                   group == &app ? "" : ": ", names.c_str());
      return 106;
    }
  }

  try {
    if (inspectSip->parsed()) return parley::tools::inspectSipFile(file, std::cout, std::cerr);
    if (inspectSdp->parsed()) return parley::tools::inspectSdpFile(file, std::cout, std::cerr);
    if (inspectStun->parsed()) {
      return parley::tools::inspectStunFile(file, stunCredentials, std::cout, std::cerr);
    }

    if (certDev->parsed() && !pool.empty()) {
      parley::tools::writeDevCertificates({.dir = certDir, .poolFqdn = pool});
      std::printf("wrote %s/ca.crt, ca.key, pool.crt, pool.key for %s\n", certDir.c_str(), pool.c_str());
      return 0;
    }

    if (topoInit->parsed()) {
      if (std::filesystem::exists(storePath)) return fail(storePath + " exists already");
      auto store = Store::open(storePath, {.durability = parley::store::Durability::Full});
      store.transaction([&] {
        store.topology().init(domain);
        store.topology().addSite(site);
        store.topology().addPool(pool, parley::store::PoolRole::Frontend, site);
        if (!server.empty()) store.topology().addServer(server, pool, address);
      });
      std::printf("initialised %s: domain %s, site %s, Front End pool %s\n", storePath.c_str(),
                  domain.c_str(), site.c_str(), pool.c_str());
      return 0;
    }

    auto store = openExisting(storePath);
    if (certDev->parsed()) {
      auto pools = store.topology().pools(parley::store::PoolRole::Frontend);
      if (pools.empty()) return fail("no Front End pool in " + storePath + "; give --pool");
      parley::tools::writeDevCertificates({.dir = certDir, .poolFqdn = pools.front().fqdn});
      std::printf("wrote %s/ca.crt, ca.key, pool.crt, pool.key for %s\n", certDir.c_str(),
                  pools.front().fqdn.c_str());
      return 0;
    }
    if (topoShow->parsed()) {
      for (const auto& d : store.topology().domains()) {
        std::printf("domain  %s%s\n", d.name.c_str(), d.isDefault ? " (default)" : "");
      }
      for (const auto& s : store.topology().sites()) std::printf("site    %s\n", s.name.c_str());
      for (const auto& p : store.topology().pools()) {
        std::printf("pool    %s  role %s  site %s\n", p.fqdn.c_str(),
                    std::string(parley::store::poolRoleName(p.role)).c_str(), p.site.c_str());
      }
      for (const auto& s : store.topology().servers()) {
        std::printf("server  %s  pool %s  address %s\n", s.fqdn.c_str(), s.pool.c_str(), s.address.c_str());
      }
      return 0;
    }
    auto& users = store.users();
    if (userAdd->parsed()) {
      parley::store::NewUser nu;
      nu.sipUri = canonicalUserUri(uri);
      nu.displayName = displayName;
      if (!line.empty()) nu.lineUri = line;
      nu.clientPolicy = policy;
      auto added = users.add(nu);
      if (!password.empty()) users.setPassword(added.sipUri, password);
      std::printf("added %s%s\n", added.sipUri.c_str(), password.empty() ? " (no password yet: use set-password)" : "");
      return 0;
    }
    if (userImport->parsed()) {
      std::ifstream in(importFile);
      if (!in) return fail("cannot read " + importFile);
      size_t added = 0;
      size_t lineNo = 0;
      std::string text;
      // All or nothing: a bad line names itself and nothing is added.
      store.transaction([&] {
        while (std::getline(in, text)) {
          ++lineNo;
          if (!text.empty() && text.back() == '\r') text.pop_back();
          if (text.empty() || text[0] == '#') continue;
          std::vector<std::string> f;
          std::stringstream ss(text);
          for (std::string field; std::getline(ss, field, ',');) f.push_back(field);
          if (f.empty() || f.size() > 4) {
            throw std::runtime_error(importFile + ":" + std::to_string(lineNo) + ": expected uri,name,line,password");
          }
          f.resize(4);
          try {
            parley::store::NewUser nu;
            nu.sipUri = canonicalUserUri(f[0]);
            nu.displayName = f[1];
            if (!f[2].empty()) nu.lineUri = f[2];
            auto u = users.add(nu);
            if (!f[3].empty()) users.setPassword(u.sipUri, f[3]);
          } catch (const std::exception& e) {
            throw std::runtime_error(importFile + ":" + std::to_string(lineNo) + ": " + e.what());
          }
          ++added;
        }
      });
      std::printf("added %zu users\n", added);
      return 0;
    }
    if (userList->parsed()) {
      for (const auto& u : users.list()) {
        std::printf("%-40s %-24s %-18s %s\n", u.sipUri.c_str(), u.displayName.c_str(),
                    u.lineUri.value_or("-").c_str(), u.enabled ? "enabled" : "disabled");
      }
      return 0;
    }
    if (userShow->parsed()) {
      auto u = users.find(canonicalUserUri(uri));
      if (!u) return fail("no user " + canonicalUserUri(uri));
      std::printf("uri:      %s\nname:     %s\nline:     %s\nenabled:  %s\npolicy:   %s\n", u->sipUri.c_str(),
                  u->displayName.c_str(), u->lineUri.value_or("-").c_str(), u->enabled ? "yes" : "no",
                  u->clientPolicy.c_str());
      for (const auto& c : users.credentials(u->sipUri)) {
        std::printf("digest:   %s username %s realm %s\n",
                    std::string(parley::store::digestAlgorithmName(c.algorithm)).c_str(), c.username.c_str(),
                    c.realm.c_str());
      }
      return 0;
    }
    if (userPw->parsed()) {
      if (!users.setPassword(canonicalUserUri(uri), password)) return fail("no user " + canonicalUserUri(uri));
      std::printf("password set for %s\n", canonicalUserUri(uri).c_str());
      return 0;
    }
    if (userDisable->parsed() || userEnable->parsed()) {
      auto u = users.find(canonicalUserUri(uri));
      if (!u) return fail("no user " + canonicalUserUri(uri));
      u->enabled = userEnable->parsed();
      users.update(*u);
      if (!u->enabled) store.registrations().removeAll(u->sipUri);
      std::printf("%s %s\n", u->sipUri.c_str(), u->enabled ? "enabled" : "disabled");
      return 0;
    }
    if (userRemove->parsed()) {
      if (!users.remove(canonicalUserUri(uri))) return fail("no user " + canonicalUserUri(uri));
      std::printf("removed %s\n", canonicalUserUri(uri).c_str());
      return 0;
    }
    if (regs->parsed()) {
      int64_t now = parley::unixNow();
      auto list = regAor.empty() ? store.registrations().listAll(now)
                                 : store.registrations().list(canonicalUserUri(regAor), now);
      std::printf("%-32s %-48s %-5s %-22s %s\n", "USER", "CONTACT", "VIA", "FROM", "EXPIRES");
      for (const auto& r : list) {
        std::printf("%-32s %-48s %-5s %-22s %s (%llds)\n", r.aor.c_str(), r.contact.c_str(),
                    std::string(parley::store::transportName(r.transport)).c_str(), (r.sourceAddress + ":" + std::to_string(r.sourcePort)).c_str(),
                    isoTime(r.expiresAt).c_str(), static_cast<long long>(r.expiresAt - now));
      }
      std::printf("%zu registration(s)\n", list.size());
      return 0;
    }
    if (edgeSecretRotate->parsed()) {
      int64_t now = parley::unixNow();
      auto& secrets = store.relaySecrets();
      parley::store::RelaySecretRotation r;
      size_t purged = 0;
      store.transaction([&] {
        purged = secrets.purgeRetired(now);
        r = secrets.rotate(now, std::chrono::hours(overlapHours));
      });
      std::printf("relay secret %lld added: Front Ends sign relay credentials with it from %s\n",
                  static_cast<long long>(r.added.id), isoTime(r.added.notBefore).c_str());
      if (!r.retiring.empty()) {
        std::string ids;
        for (int64_t id : r.retiring) ids += (ids.empty() ? "" : ", ") + std::to_string(id);
        if (overlapHours == 0) {
          std::printf("relay secret(s) %s retired now\n", ids.c_str());
        } else {
          std::printf("relay secret(s) %s verify until %s, then retire\n", ids.c_str(), isoTime(*r.retireAt).c_str());
        }
        if (overlapHours < 8) {
          std::fprintf(stderr, "parleyctl: note: relay credentials are valid 8 hours; those signed before now stop "
                               "working at %s and clients must fetch new ones\n", isoTime(*r.retireAt).c_str());
        }
      }
      if (purged > 0) std::printf("removed %zu retired relay secret(s)\n", purged);
      return 0;
    }
    if (edgeSecretList->parsed()) {
      int64_t now = parley::unixNow();
      auto all = store.relaySecrets().listAll();
      if (all.empty()) return fail("no relay secret in " + storePath + " (create one with `parleyctl edge secret rotate`)");
      // The signing secret: the newest one that has started and is not retired (listAll is newest first).
      int64_t signing = 0;
      for (const auto& s : all) {
        if (s.notBefore <= now && !s.retiredAt(now)) {
          signing = s.id;
          break;
        }
      }
      std::printf("%-6s %-22s %-22s %-22s %s\n", "ID", "CREATED", "SIGNS FROM", "RETIRES", "STATE");
      for (const auto& s : all) {
        const char* state = s.retiredAt(now)      ? "retired (verifies nothing)"
                            : s.id == signing     ? "active (signs and verifies)"
                            : s.notBefore > now   ? "pending (verifies; signs later)"
                            : s.notAfter          ? "retiring (verifies only)"
                                                  : "active (verifies only)";
        std::printf("%-6lld %-22s %-22s %-22s %s\n", static_cast<long long>(s.id), isoTime(s.createdAt).c_str(),
                    isoTime(s.notBefore).c_str(), s.notAfter ? isoTime(*s.notAfter).c_str() : "-", state);
      }
      return 0;
    }
  } catch (const std::exception& e) {
    return fail(e.what());
  }
  return fail("nothing to do (see --help)");
}
