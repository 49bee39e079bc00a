#pragma once
// Internal to parley_sip: header-name resolution shared by Message and the parser.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/sip/message.hpp"

namespace parley::sip::detail {

// Sets id and the stored name: the canonical long name for known headers and for compact
// forms (including those without a HeaderId, e.g. "x" -> "Session-Expires"), else `name`.
void resolveHeaderName(std::string_view name, HeaderId& id, std::string& out);
// The same for a name already known to be a token (the parser's case): skips the check.
void resolveTokenHeaderName(std::string_view name, HeaderId& id, std::string& out);
HeaderId headerIdFromToken(std::string_view name) noexcept;

// "malformed <Name> header: <inner reason without its generic prefix>", code 400.
Error headerError(HeaderId id, const Error& inner);

// Calls fn for every element of a (possibly comma-separated) list header value; false and
// `err` set on an empty or unsplittable element, or when fn returns false (fn sets err).
bool forEachElement(std::string_view value, std::vector<std::string_view>& scratch,
                    const std::function<bool(std::string_view)>& fn, Error& err, HeaderId id);

inline constexpr size_t kHeaderIdCount = static_cast<size_t>(HeaderId::Path) + 1;

// Whether the parser splits this header's comma-separated value into one Header per
// element (RFC 3261 §7.3.1). Never true for headers whose grammar allows bare commas.
bool isListHeader(HeaderId id, std::string_view name) noexcept;

// parseUri into an existing Uri (which must be default-constructed), avoiding the moves of
// a Result<Uri> on the hot path. On failure `err` is set and `uri` is unspecified.
bool parseUriInto(std::string_view text, Uri& uri, Error& err);

}  // namespace parley::sip::detail
