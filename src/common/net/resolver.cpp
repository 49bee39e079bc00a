#include "common/net/resolver.hpp"

// c-ares is driven by its socket-state callback (ARES_OPT_SOCK_STATE_CB): c-ares tells us
// which descriptors it wants watched for reading or writing, we wait on each with an Asio
// posix::stream_descriptor and call ares_process_fd() when one is ready, and one
// steady_timer follows ares_timeout() for retransmissions and timeouts. That is
// event-driven (no polling interval to tune, no latency added to answers, nothing to do
// while idle) and needs no thread of its own.
//
// The descriptors belong to c-ares: we release() them, never close them, before c-ares
// closes the socket (it reports (fd, 0, 0) first).

#include <ares.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <array>
#include <mutex>
#include <random>
#include <stdexcept>
#include <unordered_map>
#include <utility>

#include "common/base/strings.hpp"
#include "common/net/asio.hpp"

namespace parley::net {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {

constexpr int kClassIn = 1;     // RFC 1035 §3.2.4
constexpr int kTypeSrv = 33;    // RFC 2782
constexpr int kTypeNaptr = 35;  // RFC 3403

std::string normalizeName(std::string_view name) {
  std::string out = toLower(name);
  while (!out.empty() && out.back() == '.') out.pop_back();
  return out;
}

void initAresOnce() {
  // Process-wide library initialisation, done once and never undone (as OpenSSL does);
  // ares_library_init is not thread-safe, call_once makes it so.
  static std::once_flag once;
  std::call_once(once, [] { ares_library_init(ARES_LIB_INIT_ALL); });
}

// A lookup that produced no records: NXDOMAIN and NODATA are answers; the rest are failures.
bool isEmptyAnswer(int status) { return status == ARES_ENODATA || status == ARES_ENOTFOUND; }

}  // namespace

struct SipResolver::Impl : std::enable_shared_from_this<SipResolver::Impl> {
  using AnswerHandler = std::function<void(DnsAnswer)>;

  struct Watch {
    int fd = -1;
    std::unique_ptr<asio::posix::stream_descriptor> descriptor;
    bool wantRead = false;
    bool wantWrite = false;
    bool readArmed = false;
    bool writeArmed = false;
    bool closed = false;
  };

  struct QueryContext {
    std::weak_ptr<Impl> impl;
    AnswerHandler done;
  };

  struct Job {
    Job(Rfc3263Resolution r, TargetsHandler h) : resolution(std::move(r)), done(std::move(h)) {}
    Rfc3263Resolution resolution;
    TargetsHandler done;
    bool reported = false;
  };

  Impl(asio::io_context& ioContext, ResolverConfig cfg)
      : io(ioContext), config(std::move(cfg)), timer(ioContext), rng(std::random_device{}()) {}

  ~Impl() { shutdown(); }

  asio::io_context& io;
  ResolverConfig config;
  ares_channel channel = nullptr;
  asio::steady_timer timer;
  std::mt19937 rng;
  bool down = false;
  std::unordered_map<int, std::shared_ptr<Watch>> watches;

  void init() {
    initAresOnce();
    ares_options options{};
    int mask = ARES_OPT_SOCK_STATE_CB | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_LOOKUPS;
    options.sock_state_cb = &Impl::sockStateCallback;
    options.sock_state_cb_data = this;
    options.timeout = static_cast<int>(config.timeout.count());
    options.tries = config.tries;
    std::string lookups = config.useHostsFile ? "fb" : "b";
    options.lookups = lookups.data();
    if (int rc = ares_init_options(&channel, &options, mask); rc != ARES_SUCCESS) {
      channel = nullptr;
      throw std::runtime_error(std::string("cannot initialise DNS resolver: ") + ares_strerror(rc));
    }
    if (!config.nameservers.empty()) {
      std::string csv;
      for (const auto& s : config.nameservers) {
        if (!csv.empty()) csv += ',';
        csv += s;
      }
      if (int rc = ares_set_servers_ports_csv(channel, csv.c_str()); rc != ARES_SUCCESS) {
        throw std::runtime_error("bad DNS nameserver list '" + csv + "': " + ares_strerror(rc));
      }
    }
  }

  void shutdown() {
    if (down) return;
    down = true;
    timer.cancel();
    if (channel != nullptr) {
      // Outstanding queries complete with ARES_EDESTRUCTION (handlers dropped) and every
      // socket is reported closed through sockStateCallback, releasing its descriptor.
      ares_destroy(channel);
      channel = nullptr;
    }
    for (auto& [fd, w] : watches) releaseWatch(*w);
    watches.clear();
  }

  // ---- event-loop integration ---------------------------------------------------------

  static void sockStateCallback(void* data, ares_socket_t fd, int readable, int writable) {
    static_cast<Impl*>(data)->onSockState(fd, readable != 0, writable != 0);
  }

  void releaseWatch(Watch& w) {
    w.closed = true;
    if (w.descriptor) {
      error_code ec;
      w.descriptor->cancel(ec);
      w.descriptor->release();  // c-ares owns and closes the socket
    }
  }

  void onSockState(int fd, bool readable, bool writable) {
    if (!readable && !writable) {
      auto it = watches.find(fd);
      if (it != watches.end()) {
        releaseWatch(*it->second);
        watches.erase(it);
      }
      return;
    }
    auto& w = watches[fd];
    if (!w) {
      w = std::make_shared<Watch>();
      w->fd = fd;
      w->descriptor = std::make_unique<asio::posix::stream_descriptor>(io);
      error_code ec;
      w->descriptor->assign(fd, ec);
      if (ec) {
        // Cannot watch it: the query on it will time out through the timer instead.
        w->descriptor.reset();
        return;
      }
    }
    w->wantRead = readable;
    w->wantWrite = writable;
    arm(w);
  }

  void arm(const std::shared_ptr<Watch>& w) {
    if (w->closed || !w->descriptor) return;
    // The loop is single-threaded, so readiness that arrives while a handler below runs is
    // seen by the reactor only after the wait has been re-armed: no wakeup is lost.
    if (w->wantRead && !w->readArmed) {
      w->readArmed = true;
      w->descriptor->async_wait(
          asio::posix::stream_descriptor::wait_read,
          [self = shared_from_this(), w](const error_code& ec) {
            w->readArmed = false;
            if (ec || w->closed || self->down) return;
            ares_process_fd(self->channel, w->fd, ARES_SOCKET_BAD);
            self->arm(w);
            self->armTimer();
          });
    }
    if (w->wantWrite && !w->writeArmed) {
      w->writeArmed = true;
      w->descriptor->async_wait(
          asio::posix::stream_descriptor::wait_write,
          [self = shared_from_this(), w](const error_code& ec) {
            w->writeArmed = false;
            if (ec || w->closed || self->down) return;
            ares_process_fd(self->channel, ARES_SOCKET_BAD, w->fd);
            self->arm(w);
            self->armTimer();
          });
    }
  }

  void armTimer() {
    if (down || channel == nullptr) return;
    timeval tv{};
    timeval* next = ares_timeout(channel, nullptr, &tv);
    if (next == nullptr) {
      timer.cancel();
      return;
    }
    timer.expires_after(std::chrono::seconds(next->tv_sec) +
                        std::chrono::microseconds(next->tv_usec));
    timer.async_wait([weak = weak_from_this()](const error_code& ec) {
      auto self = weak.lock();
      if (ec || !self || self->down) return;
      ares_process_fd(self->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);  // timeouts only
      self->armTimer();
    });
  }

  // ---- one query ----------------------------------------------------------------------

  void deliver(AnswerHandler done, DnsAnswer answer) {
    asio::post(io, [self = shared_from_this(), done = std::move(done),
                    answer = std::move(answer)]() mutable {
      if (!self->down) done(std::move(answer));
    });
  }

  static void onRecordAnswer(void* arg, int status, int /*timeouts*/, unsigned char* abuf,
                             int alen, bool naptr) {
    std::unique_ptr<QueryContext> ctx(static_cast<QueryContext*>(arg));
    if (status == ARES_EDESTRUCTION || status == ARES_ECANCELLED) return;
    auto self = ctx->impl.lock();
    if (!self || self->down) return;
    DnsAnswer answer;
    if (status == ARES_SUCCESS) {
      if (naptr) {
        ares_naptr_reply* reply = nullptr;
        const int rc = ares_parse_naptr_reply(abuf, alen, &reply);
        if (rc == ARES_SUCCESS) {
          for (auto* r = reply; r != nullptr; r = r->next) {
            answer.naptr.push_back(NaptrRecord{
                r->order, r->preference, reinterpret_cast<const char*>(r->flags),
                reinterpret_cast<const char*>(r->service),
                reinterpret_cast<const char*>(r->regexp), r->replacement});
          }
          ares_free_data(reply);
        } else if (!isEmptyAnswer(rc)) {
          answer.failure = std::string("bad NAPTR answer: ") + ares_strerror(rc);
        }
      } else {
        ares_srv_reply* reply = nullptr;
        const int rc = ares_parse_srv_reply(abuf, alen, &reply);
        if (rc == ARES_SUCCESS) {
          for (auto* r = reply; r != nullptr; r = r->next) {
            answer.srv.push_back(SrvRecord{r->priority, r->weight, r->port, r->host});
          }
          ares_free_data(reply);
        } else if (!isEmptyAnswer(rc)) {
          answer.failure = std::string("bad SRV answer: ") + ares_strerror(rc);
        }
      }
    } else if (!isEmptyAnswer(status)) {
      answer.failure = ares_strerror(status);
    }
    self->deliver(std::move(ctx->done), std::move(answer));
  }

  static void onNaptr(void* arg, int status, int timeouts, unsigned char* abuf, int alen) {
    onRecordAnswer(arg, status, timeouts, abuf, alen, true);
  }
  static void onSrv(void* arg, int status, int timeouts, unsigned char* abuf, int alen) {
    onRecordAnswer(arg, status, timeouts, abuf, alen, false);
  }

  static void onAddrInfo(void* arg, int status, int /*timeouts*/, ares_addrinfo* result) {
    std::unique_ptr<QueryContext> ctx(static_cast<QueryContext*>(arg));
    if (status == ARES_EDESTRUCTION || status == ARES_ECANCELLED) {
      if (result != nullptr) ares_freeaddrinfo(result);
      return;
    }
    DnsAnswer answer;
    if (status == ARES_SUCCESS && result != nullptr) {
      for (auto* n = result->nodes; n != nullptr; n = n->ai_next) {
        std::array<char, INET6_ADDRSTRLEN> text{};
        const void* src = nullptr;
        if (n->ai_family == AF_INET) {
          src = &reinterpret_cast<const sockaddr_in*>(n->ai_addr)->sin_addr;
        } else if (n->ai_family == AF_INET6) {
          src = &reinterpret_cast<const sockaddr_in6*>(n->ai_addr)->sin6_addr;
        }
        if (src != nullptr && inet_ntop(n->ai_family, src, text.data(), text.size()) != nullptr) {
          answer.addresses.emplace_back(text.data());
        }
      }
    } else if (!isEmptyAnswer(status)) {
      answer.failure = ares_strerror(status);
    }
    if (result != nullptr) ares_freeaddrinfo(result);
    auto self = ctx->impl.lock();
    if (!self || self->down) return;
    self->deliver(std::move(ctx->done), std::move(answer));
  }

  void query(const DnsQuery& q, AnswerHandler done) {
    const std::string name = normalizeName(q.name);
    DnsAnswer answer;
    switch (q.type) {
      case DnsType::Naptr:
        if (auto it = config.overrides.naptr.find(name); it != config.overrides.naptr.end()) {
          answer.naptr = it->second;
          return deliver(std::move(done), std::move(answer));
        }
        break;
      case DnsType::Srv:
        if (auto it = config.overrides.srv.find(name); it != config.overrides.srv.end()) {
          answer.srv = it->second;
          return deliver(std::move(done), std::move(answer));
        }
        break;
      case DnsType::Address:
        if (auto n = numericHost(name)) {
          answer.addresses.push_back(*n);
          return deliver(std::move(done), std::move(answer));
        }
        if (auto it = config.overrides.hosts.find(name); it != config.overrides.hosts.end()) {
          answer.addresses = it->second;
          return deliver(std::move(done), std::move(answer));
        }
        break;
    }
    if (down || channel == nullptr) {
      answer.failure = "resolver stopped";
      return deliver(std::move(done), std::move(answer));
    }
    auto* ctx = new QueryContext{weak_from_this(), std::move(done)};
    switch (q.type) {
      case DnsType::Naptr:
        ares_query(channel, name.c_str(), kClassIn, kTypeNaptr, &Impl::onNaptr, ctx);
        break;
      case DnsType::Srv:
        ares_query(channel, name.c_str(), kClassIn, kTypeSrv, &Impl::onSrv, ctx);
        break;
      case DnsType::Address: {
        ares_addrinfo_hints hints{};
        hints.ai_family = AF_UNSPEC;
        hints.ai_flags = ARES_AI_NOSORT;  // our order is policy's, not RFC 6724 probing
        ares_getaddrinfo(channel, name.c_str(), nullptr, &hints, &Impl::onAddrInfo, ctx);
        break;
      }
    }
    armTimer();
  }

  // ---- RFC 3263 driver ----------------------------------------------------------------

  RandomSource random() {
    return [this](uint32_t bound) {
      return std::uniform_int_distribution<uint32_t>(0, bound)(rng);
    };
  }

  void run(const std::shared_ptr<Job>& job) {
    if (job->reported) return;
    if (job->resolution.finished()) {
      job->reported = true;
      auto result = job->resolution.result();
      asio::post(io, [self = shared_from_this(), job, result = std::move(result)]() mutable {
        if (!self->down) job->done(std::move(result));
      });
      return;
    }
    for (auto& q : job->resolution.takeQueries()) {
      query(q, [self = shared_from_this(), job, q](DnsAnswer answer) {
        job->resolution.provide(q, std::move(answer));
        self->run(job);
      });
    }
  }
};

SipResolver::SipResolver(boost::asio::io_context& io, ResolverConfig config)
    : impl_(std::make_shared<Impl>(io, std::move(config))) {
  impl_->init();
}

SipResolver::~SipResolver() { impl_->shutdown(); }

void SipResolver::resolve(const sip::Uri& uri, TargetsHandler done) {
  auto job = std::make_shared<Impl::Job>(
      Rfc3263Resolution(uri, impl_->config.policy, impl_->random()), std::move(done));
  impl_->run(job);
}

void SipResolver::resolveService(std::string serviceName, sip::Transport transport,
                                 TargetsHandler done) {
  auto job = std::make_shared<Impl::Job>(
      Rfc3263Resolution::forService(std::move(serviceName), transport, impl_->config.policy,
                                    impl_->random()),
      std::move(done));
  impl_->run(job);
}

void SipResolver::lookupSrv(std::string name, SrvHandler done) {
  DnsQuery q{DnsType::Srv, normalizeName(name)};
  impl_->query(q, [self = impl_, done = std::move(done), name](DnsAnswer answer) {
    if (answer.srv.empty() && answer.failure) {
      done(makeError(503, "SRV lookup for " + name + " failed: " + *answer.failure));
      return;
    }
    done(orderSrvRecords(std::move(answer.srv), self->random()));
  });
}

void SipResolver::lookupAddresses(std::string host, AddressHandler done) {
  DnsQuery q{DnsType::Address, normalizeName(host)};
  impl_->query(q, [self = impl_, done = std::move(done), host](DnsAnswer answer) {
    if (answer.addresses.empty() && answer.failure) {
      done(makeError(503, "address lookup for " + host + " failed: " + *answer.failure));
      return;
    }
    done(orderAddresses(answer.addresses, self->config.policy.preferIpv6));
  });
}

}  // namespace parley::net
