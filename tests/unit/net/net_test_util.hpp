#pragma once
// Helpers for the net tests: an io_context on a background thread, a thread-safe inbox,
// blocking-with-deadline clients, throwaway certificates and a tiny DNS server. Everything
// waits on conditions with a bounded deadline; nothing sleeps to synchronise.

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common/net/asio.hpp"

namespace parley::net::test {

namespace asio = boost::asio;
using namespace std::chrono_literals;

constexpr auto kDeadline = 10s;  // upper bound for any wait; never reached when all is well

// An io_context run by a background thread; call() runs a function on it and waits.
class LoopThread {
 public:
  LoopThread() : guard_(asio::make_work_guard(io)), thread_([this] { io.run(); }) {}
  ~LoopThread() {
    guard_.reset();
    io.stop();
    thread_.join();
  }
  LoopThread(const LoopThread&) = delete;
  LoopThread& operator=(const LoopThread&) = delete;

  template <class F>
  auto call(F f) -> decltype(f()) {
    using R = decltype(f());
    std::packaged_task<R()> task(std::move(f));
    auto future = task.get_future();
    asio::post(io, [&task] { task(); });
    if (future.wait_for(kDeadline) != std::future_status::ready) {
      ADD_FAILURE() << "event loop did not run the call in time";
      std::abort();  // the task refers to this frame; cannot continue safely
    }
    return future.get();
  }

  asio::io_context io;

 private:
  asio::executor_work_guard<asio::io_context::executor_type> guard_;
  std::thread thread_;
};

// Values pushed from the loop thread, awaited from the test thread.
template <class T>
class Inbox {
 public:
  void push(T v) {
    {
      std::lock_guard lock(m_);
      items_.push_back(std::move(v));
    }
    cv_.notify_all();
  }
  // Waits until at least n items arrived; false at the deadline.
  bool waitCount(size_t n, std::chrono::milliseconds timeout = kDeadline) {
    std::unique_lock lock(m_);
    return cv_.wait_for(lock, timeout, [&] { return items_.size() >= n; });
  }
  std::vector<T> items() {
    std::lock_guard lock(m_);
    return items_;
  }
  size_t size() {
    std::lock_guard lock(m_);
    return items_.size();
  }

 private:
  std::mutex m_;
  std::condition_variable cv_;
  std::vector<T> items_;
};

// Polls `pred` until true or the deadline; for conditions that live on the loop thread.
inline bool eventually(const std::function<bool()>& pred,
                       std::chrono::milliseconds timeout = kDeadline) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(5ms);  // poll interval, not synchronisation
  }
  return pred();
}

// Runs the client io_context until `done` or the deadline.
inline void runUntil(asio::io_context& io, const bool& done,
                     std::chrono::milliseconds timeout = kDeadline) {
  io.restart();
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (!done && std::chrono::steady_clock::now() < end) {
    io.run_one_for(std::chrono::duration_cast<std::chrono::milliseconds>(
        end - std::chrono::steady_clock::now()));
  }
}

// A stream client (TCP or TLS) driven from the test thread with deadlines.
template <class Stream>
class StreamClient {
 public:
  template <class... Args>
  explicit StreamClient(Args&&... args) : stream(io, std::forward<Args>(args)...) {}

  asio::ip::tcp::socket& socket() {
    if constexpr (std::is_same_v<Stream, asio::ip::tcp::socket>) {
      return stream;
    } else {
      return stream.next_layer();
    }
  }

  bool connect(uint16_t port) {
    boost::system::error_code ec;
    socket().connect({asio::ip::make_address("127.0.0.1"), port}, ec);
    return !ec;
  }

  // TLS only.
  boost::system::error_code handshake() {
    bool done = false;
    boost::system::error_code result = asio::error::timed_out;
    stream.async_handshake(asio::ssl::stream_base::client,
                           [&](const boost::system::error_code& ec) {
                             result = ec;
                             done = true;
                           });
    runUntil(io, done);
    if (!done) cancel();
    return result;
  }

  bool write(std::string_view bytes) {
    bool done = false;
    boost::system::error_code result = asio::error::timed_out;
    asio::async_write(stream, asio::buffer(bytes.data(), bytes.size()),
                      [&](const boost::system::error_code& ec, size_t) {
                        result = ec;
                        done = true;
                      });
    runUntil(io, done);
    if (!done) cancel();
    return !result;
  }

  // Reads until `received` satisfies `enough`, the stream ends, or the deadline passes.
  std::string readUntil(const std::function<bool(const std::string&)>& enough) {
    while (!enough(received) && !ended) {
      if (!readOnce()) break;
    }
    return received;
  }
  std::string readBytes(size_t n) {
    return readUntil([n](const std::string& s) { return s.size() >= n; });
  }
  // True when the peer closes (EOF or reset) before the deadline.
  bool waitClosed() {
    while (!ended) {
      if (!readOnce()) return false;
    }
    return true;
  }

  asio::io_context io;
  Stream stream;
  std::string received;
  bool ended = false;

 private:
  // One read; false on the deadline.
  bool readOnce() {
    bool done = false;
    std::array<char, 4096> buf{};
    stream.async_read_some(asio::buffer(buf), [&](const boost::system::error_code& ec, size_t n) {
      received.append(buf.data(), n);
      if (ec) ended = true;
      done = true;
    });
    runUntil(io, done);
    if (!done) {
      cancel();
      return false;
    }
    return true;
  }
  void cancel() {
    boost::system::error_code ec;
    socket().cancel(ec);
    io.restart();
    io.poll();  // lets the aborted handler run while its frame is still alive
  }
};

using TcpClient = StreamClient<asio::ip::tcp::socket>;
using TlsClient = StreamClient<asio::ssl::stream<asio::ip::tcp::socket>>;

// A throwaway PKI made with the openssl command line in a temporary directory.
struct TestPki {
  std::filesystem::path dir;
  std::string caCert, caKey;
  std::string serverCert, serverKey;      // SAN: DNS:sip.test.example, IP:127.0.0.1
  std::string wildcardCert, wildcardKey;  // SAN: DNS:*.test.example
  bool ok = false;
  std::string error;

  static std::string quote(const std::filesystem::path& p) { return "'" + p.string() + "'"; }

  bool run(const std::string& cmd) {
    const std::string full = cmd + " >" + quote(dir / "openssl.log") + " 2>&1";
    if (std::system(full.c_str()) != 0) {
      std::ifstream log(dir / "openssl.log");
      error = "command failed: " + cmd;
      for (std::string line; std::getline(log, line);) error += "\n" + line;
      return false;
    }
    return true;
  }

  bool leaf(const std::string& name, const std::string& cn, const std::string& san) {
    const auto key = dir / (name + ".key");
    const auto csr = dir / (name + ".csr");
    const auto crt = dir / (name + ".crt");
    const auto ext = dir / (name + ".ext");
    std::ofstream(ext) << "subjectAltName=" << san << "\n"
                       << "basicConstraints=CA:FALSE\n"
                       << "keyUsage=digitalSignature,keyEncipherment\n"
                       << "extendedKeyUsage=serverAuth,clientAuth\n";
    return run("openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout " +
               quote(key) + " -out " + quote(csr) + " -subj '/CN=" + cn + "'") &&
           run("openssl x509 -req -in " + quote(csr) + " -CA " + quote(dir / "ca.crt") +
               " -CAkey " + quote(dir / "ca.key") + " -CAcreateserial -days 2 -out " +
               quote(crt) + " -extfile " + quote(ext));
  }

  TestPki() {
    char tmpl[] = "/tmp/parley-net-pki-XXXXXX";
    if (mkdtemp(tmpl) == nullptr) {
      error = "mkdtemp failed";
      return;
    }
    dir = tmpl;
    ok = run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout " +
             quote(dir / "ca.key") + " -out " + quote(dir / "ca.crt") +
             " -days 2 -subj '/CN=Parley Test CA'"
             " -addext basicConstraints=critical,CA:TRUE"
             " -addext keyUsage=critical,keyCertSign,cRLSign") &&
         leaf("server", "sip.test.example", "DNS:sip.test.example,IP:127.0.0.1") &&
         leaf("wildcard", "*.test.example", "DNS:*.test.example");
    caCert = (dir / "ca.crt").string();
    caKey = (dir / "ca.key").string();
    serverCert = (dir / "server.crt").string();
    serverKey = (dir / "server.key").string();
    wildcardCert = (dir / "wildcard.crt").string();
    wildcardKey = (dir / "wildcard.key").string();
  }
  ~TestPki() {
    std::error_code ec;
    if (!dir.empty()) std::filesystem::remove_all(dir, ec);
  }
};

}  // namespace parley::net::test
