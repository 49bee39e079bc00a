#pragma once
// The pieces of RFC 3261 §17 that are pure functions of messages: transaction keys, the
// RFC 2543 comparisons, where a response goes (§18.2.2 with RFC 3581 rport), and the two
// requests a transaction builds from another one (the ACK for a non-2xx final, §17.1.1.3,
// and CANCEL, §9.1). The TransactionLayer is built from them; a proxy may use them too
// (for example to CANCEL, or to compute a stateless response's destination).

#include <string>
#include <string_view>

#include "common/base/result.hpp"
#include "common/sip/headers.hpp"
#include "common/sip/message.hpp"
#include "common/sip/peer.hpp"

namespace parley::sip {

// RFC 3261 §8.1.1.7: a branch starting with this was built by an RFC 3261 element and is
// unique across space and time, so it alone (with sent-by and method) names a transaction.
inline constexpr std::string_view kMagicCookie = "z9hG4bK";

// True when `branch` starts with the magic cookie (compared case-insensitively, as parameter
// values are by §7.3.1) and has something after it.
bool hasMagicCookie(std::string_view branch) noexcept;

// "host:port" of a Via's sent-by, host lower-cased; the port only as written (no default is
// filled in, so "a.com" and "a.com:5060" differ, as the texts do).
std::string sentByKey(const Via& via);

// The server-transaction key of §17.2.3 for a request whose top Via has the magic cookie:
// branch (lower-cased), sent-by and method, with ACK keyed as INVITE (so that the ACK for a
// non-2xx final finds its INVITE transaction). `method` is the CSeq method.
std::string serverKey(const Via& topVia, std::string_view method);

// The client-transaction key of §17.1.3: the branch of the top Via and the CSeq method (a
// CANCEL shares its INVITE's branch but not its method).
std::string clientKey(std::string_view branch, std::string_view cseqMethod);

// RFC 3261 §20.42 equality of two Via values, for RFC 2543 matching: same protocol,
// transport, sent-by and the same set of parameters with equal values.
bool viaEquivalent(const Via& a, const Via& b);

// Where the response to a request that arrived from `source` with top Via `topVia` goes
// (§18.2.2): over a reliable transport, back on the same connection; over UDP, to the source
// address (the `received` address) and the sent-by port (5060 when none is written), or to
// the source port when the Via carries `rport` (RFC 3581). maddr (multicast) is not
// supported: such responses also go to the source address.
Peer responseDestination(const Peer& source, const Via& topVia);

// §17.1.1.3: the ACK an INVITE client transaction sends for a 300-699 final response:
// Request-URI, Call-ID and From of the INVITE, To of the response, a single Via equal to
// the INVITE's top Via, CSeq number of the INVITE with method ACK, the INVITE's Route
// headers, Max-Forwards 70 and no body.
[[nodiscard]] Result<Message> makeNon2xxAck(const Message& invite, const Message& response);

// §9.1: the CANCEL for `request`: Request-URI, Call-ID, To, From and CSeq number of the
// request, its top Via only, its Route headers, Max-Forwards 70, method CANCEL. `reason`, when
// non-empty, becomes a Reason header (RFC 3326), e.g. `SIP;cause=200;text="Call completed
// elsewhere"` when a forking proxy cancels the branches it no longer needs.
[[nodiscard]] Result<Message> makeCancel(const Message& request, std::string_view reason = {});

}  // namespace parley::sip
