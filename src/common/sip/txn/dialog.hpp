#pragma once
// SIP dialogs (RFC 3261 §12): identification, creation on either side of an INVITE, route
// set and remote target, CSeq bookkeeping, and building requests inside the dialog with
// loose or strict routing (§12.2.1.1). Pure data over Message: no transactions, no I/O.

#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/base/result.hpp"
#include "common/sip/message.hpp"
#include "common/sip/uri.hpp"

namespace parley::sip {

// "z9hG4bK" + 32 random hex digits: a branch unique across space and time (§8.1.1.7).
std::string makeBranch();
// A From/To tag with 64 bits of randomness (§19.3 asks for at least 32).
std::string makeTag();

// §12: Call-ID plus the local and remote tags, as seen from this element. Compared exactly
// (Call-ID is case-sensitive, §20.8; tags are opaque tokens).
struct DialogId {
  std::string callId;
  std::string localTag;
  std::string remoteTag;

  bool operator==(const DialogId&) const = default;
  std::string toString() const;  // "callId;local=..;remote=.." for logs

  // The dialog a received request belongs to (we are its UAS side: To tag is ours).
  static DialogId fromIncomingRequest(const Message& request);
  // The dialog a received response belongs to (we sent the request: From tag is ours).
  static DialogId fromIncomingResponse(const Message& response);
};

struct DialogIdHash {
  size_t operator()(const DialogId& id) const noexcept;
};

class Dialog {
 public:
  enum class State : uint8_t { Early, Confirmed, Terminated };

  // UAC side (§12.1.2): `request` is the INVITE (or other dialog-creating request) as we
  // sent it, `response` a 101-199 or 2xx to it with a To tag (a 2xx without one, from an
  // RFC 2543 UAS, makes a dialog with an empty remote tag). Route set: the response's
  // Record-Route in reverse order; remote target: its Contact.
  [[nodiscard]] static Result<Dialog> createUac(const Message& request, const Message& response);
  // UAS side (§12.1.1): `request` as received, `response` the 101-199 or 2xx we send, with
  // our To tag and our Contact. Route set: the request's Record-Route in order; remote
  // target: the request's Contact.
  [[nodiscard]] static Result<Dialog> createUas(const Message& request, const Message& response);

  const DialogId& id() const noexcept { return id_; }
  State state() const noexcept { return state_; }
  bool isEarly() const noexcept { return state_ == State::Early; }
  bool secure() const noexcept { return secure_; }
  const std::vector<Uri>& routeSet() const noexcept { return routeSet_; }
  const Uri& remoteTarget() const noexcept { return remoteTarget_; }
  const Uri& localTarget() const noexcept { return localTarget_; }
  // From and To of requests we send: local/remote URI with the tags (and display names).
  const NameAddr& localParty() const noexcept { return local_; }
  const NameAddr& remoteParty() const noexcept { return remote_; }
  std::optional<uint32_t> localSeq() const noexcept { return localSeq_; }
  std::optional<uint32_t> remoteSeq() const noexcept { return remoteSeq_; }

  // UAC: a further response to the dialog-creating INVITE, or to a target refresh inside
  // the dialog. A 2xx confirms an early dialog and recomputes its route set (§13.2.2.4);
  // a 2xx to a target refresh (INVITE, UPDATE) replaces the remote target with its Contact
  // (§12.2.1.2). A non-2xx final to the initial INVITE terminates an early dialog.
  void onResponse(const Message& response, bool toInitialInvite);
  // UAS: we sent a 2xx to the dialog-creating INVITE: the early dialog is confirmed.
  void confirm() noexcept;
  void terminate() noexcept { state_ = State::Terminated; }

  // UAS side of §12.2.2 for a request received in the dialog: a CSeq lower than the last
  // one is out of order (Error with code 500, the response to send); otherwise the remote
  // sequence number advances. ACK and CANCEL carry the CSeq of their INVITE and are not
  // checked. A target refresh (INVITE, UPDATE) with a Contact updates the remote target;
  // call it once the request is accepted.
  [[nodiscard]] Result<void> onRequest(const Message& request);
  void refreshTarget(const Message& withContact);

  // §12.2.1.1: a request in the dialog: From (local URI and tag), To (remote URI and tag),
  // Call-ID, CSeq (the local sequence number plus one; it is advanced), Max-Forwards 70, our
  // Contact, and Request-URI + Route from the remote target and route set, with loose
  // routing when the first route has `lr` and strict routing otherwise. The caller adds the
  // top Via (with makeBranch()) and any body. Not for ACK (makeAck) or CANCEL (makeCancel,
  // matching.hpp).
  Message makeRequest(std::string method);
  // §13.2.2.4: the ACK for a 2xx to `invite` (the INVITE or re-INVITE of this dialog): built
  // like any in-dialog request, with the INVITE's CSeq number and its credentials
  // (Authorization, Proxy-Authorization). It is sent without a transaction: caller adds a
  // Via with a new branch and uses TransactionLayer::sendStateless.
  Message makeAck(const Message& invite) const;

  // Where an in-dialog request goes next (§8.1.2): the first Route's URI, or the
  // Request-URI when there is no Route. For strict routing that is the Request-URI too.
  static Uri nextHop(const Message& request);

 private:
  Dialog() = default;
  Message makeRequestWithSeq(std::string method, uint32_t seq) const;

  DialogId id_;
  State state_ = State::Early;
  bool secure_ = false;
  std::vector<Uri> routeSet_;
  Uri remoteTarget_;
  Uri localTarget_;
  NameAddr local_;
  NameAddr remote_;
  std::optional<uint32_t> localSeq_;
  std::optional<uint32_t> remoteSeq_;
};

// The dialogs of one element, by id. Early dialogs of a forked INVITE are separate entries
// (one per remote tag).
class DialogSet {
 public:
  // Inserts, or replaces a dialog with the same id; returns the stored dialog.
  Dialog& insert(Dialog dialog);
  Dialog* find(const DialogId& id);
  const Dialog* find(const DialogId& id) const;
  Dialog* findForRequest(const Message& request) { return find(DialogId::fromIncomingRequest(request)); }
  Dialog* findForResponse(const Message& response) { return find(DialogId::fromIncomingResponse(response)); }
  bool erase(const DialogId& id);
  size_t size() const noexcept { return dialogs_.size(); }
  bool empty() const noexcept { return dialogs_.empty(); }

  // Every dialog of a Call-ID with the given local tag (the early dialogs of a forked
  // INVITE we sent), e.g. to terminate them when one of them is confirmed. Linear in size().
  std::vector<DialogId> idsFor(std::string_view callId, std::string_view localTag) const;

 private:
  std::unordered_map<DialogId, Dialog, DialogIdHash> dialogs_;
};

}  // namespace parley::sip
