// Fuzzes StreamFramer. The first input octets choose chunk sizes; the rest is the stream.
// Properties: the outputs do not depend on how the stream is chunked, and every frame
// either parses or fails with a status and a reason.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "common/sip/parser.hpp"

namespace {

using namespace parley::sip;

struct Event {
  StreamFramer::Status status;
  std::string frame;
  int code;
};

std::vector<Event> run(std::string_view stream, const std::vector<size_t>& chunks,
                       const ParseLimits& limits) {
  StreamFramer f(limits);
  std::vector<Event> out;
  size_t pos = 0;
  size_t k = 0;
  size_t consumed = 0;
  while (pos < stream.size()) {
    size_t n = chunks.empty() ? stream.size() : chunks[k++ % chunks.size()];
    if (n > stream.size() - pos) n = stream.size() - pos;
    f.feed(stream.substr(pos, n));
    pos += n;
    for (;;) {
      auto o = f.next();
      if (o.status == StreamFramer::Status::NeedMore) break;
      if (o.status == StreamFramer::Status::Error) {
        if (o.error.code < 400 || o.error.message.empty()) std::abort();
        out.push_back(Event{o.status, {}, o.error.code});
        return out;
      }
      if (o.status == StreamFramer::Status::Frame) {
        if (o.frame.empty()) std::abort();
        consumed += o.frame.size();
      } else {
        consumed += 4;
      }
      if (consumed > pos) std::abort();  // produced more octets than were fed
      out.push_back(Event{o.status, std::move(o.frame), 0});
    }
    if (f.buffered() > pos - consumed) std::abort();
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  // Small limits so the fuzzer reaches them; chunk sizes 1-16 from up to 8 leading octets.
  ParseLimits limits;
  limits.maxMessageBytes = 4096;
  limits.maxHeaderBytes = 1024;
  limits.maxHeaders = 32;
  const size_t nChunks = 1 + data[0] % 8;
  if (size < 1 + nChunks) return 0;
  std::vector<size_t> chunks;
  for (size_t i = 0; i < nChunks; ++i) chunks.push_back(1 + data[1 + i] % 16);
  const std::string_view stream(reinterpret_cast<const char*>(data) + 1 + nChunks,
                                size - 1 - nChunks);

  const auto whole = run(stream, {}, limits);
  const auto chunked = run(stream, chunks, limits);
  if (whole.size() != chunked.size()) {
    std::fprintf(stderr, "chunking changed the number of outputs: %zu vs %zu\n", whole.size(),
                 chunked.size());
    std::abort();
  }
  for (size_t i = 0; i < whole.size(); ++i) {
    if (whole[i].status != chunked[i].status || whole[i].frame != chunked[i].frame ||
        whole[i].code != chunked[i].code) {
      std::fprintf(stderr, "chunking changed output %zu\n", i);
      std::abort();
    }
  }
  for (const auto& e : whole) {
    if (e.status != StreamFramer::Status::Frame) continue;
    auto m = parseMessage(e.frame, limits);
    if (!m && (m.error().code < 400 || m.error().message.empty())) std::abort();
  }
  return 0;
}
