// parley-frontend: SIP registrar and proxy for a Parley pool. See docs/admin-guide.md.
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>

#include "common/daemon/config.hpp"
#include "common/daemon/logging.hpp"
#include "frontend/config.hpp"
#include "frontend/server.hpp"

int main(int argc, char** argv) {
  CLI::App app{"parley-frontend: the Parley Front End (SIP registrar and proxy)"};
  std::string configPath = "/etc/parley/frontend.json";
  app.add_option("-c,--config", configPath, "config file (JSON)");
  CLI11_PARSE(app, argc, argv);

  parley::frontend::FrontendConfig cfg;
  try {
    cfg = parley::frontend::loadFrontendConfig(configPath);
  } catch (const parley::daemon::ConfigError& e) {
    std::fprintf(stderr, "parley-frontend: %s\n", e.what());
    return 2;
  }
  parley::daemon::setLogLevel(cfg.logLevel);
  auto log = parley::daemon::logger("frontend");
  try {
    boost::asio::io_context io(1);
    parley::frontend::FrontendServer server(io, cfg);
    server.start();
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code&, int sig) {
      log->info("signal {}: stopping", sig);
      server.stop();
      io.stop();
    });
    log->info("parley-frontend ready");
    io.run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "parley-frontend: %s\n", e.what());
    return 1;
  }
  return 0;
}
