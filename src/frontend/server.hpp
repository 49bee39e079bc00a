#pragma once
// The Front End daemon's shell: connects FrontendCore to the transports, the clock and the
// topology store. Everything runs on one io_context thread.

#include <memory>
#include <string>

#include "frontend/config.hpp"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace parley::frontend {

class FrontendServer {
 public:
  // Opens the store and reads the domain; throws (std::runtime_error) naming what failed.
  FrontendServer(boost::asio::io_context& io, FrontendConfig cfg);
  ~FrontendServer();
  FrontendServer(const FrontendServer&) = delete;
  FrontendServer& operator=(const FrontendServer&) = delete;

  // Binds every listener; throws naming the listener or file at fault.
  void start();
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace parley::frontend
