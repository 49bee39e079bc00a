#!/usr/bin/env bash
# Digest algorithms of the registrar (RFC 8760), with tools/digest_client.py: sipp 3.6.1 and
# baresip 1.0.0 answer MD5 only, so the server's default ["SHA-256","MD5"] is checked here.
#
#   SUT=parley|kamailio|auto  BUILD=DIR  tests/interop/digest_test.sh
#
# parley, "algorithms": ["SHA-256","MD5"]: the 401 offers SHA-256 then MD5 (preference
# order); a SHA-256 answer and an MD5 answer both get 200; a wrong password does not.
# kamailio offers one algorithm per challenge (its auth module's "algorithm"): only the
# SHA-256 answer is checked there.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
lib_init digest
DC="$LIB_DIR/tools/digest_client.py"

sut_start --algorithms "SHA-256,MD5" || die "$SUT did not start (see $WORK/sut.log)"
# dc NAME ARGS...: run the client, keep its line for the report
dc() { local name="$1"; shift; timeout 20 python3 "$DC" "$SUT_UDP" "$@" >"$WORK/$name.out" 2>&1; }

if dc sha alice "${USER_PASS[alice]}" "$DOMAIN" SHA-256; then
  pass "UDP: REGISTER answered with SHA-256 digest gets 200 ($(cat "$WORK/sha.out"))"
else
  fail "UDP: REGISTER answered with SHA-256 digest gets 200" "$(cat "$WORK/sha.out")"
fi
if [ "$SUT" = parley ]; then
  if grep -q '^401 offers: SHA-256,MD5;' "$WORK/sha.out"; then
    pass "UDP: the 401 offers SHA-256 first, then MD5"
  else
    fail "UDP: the 401 offers SHA-256 first, then MD5" "$(cat "$WORK/sha.out")"
  fi
  if dc md5 bob "${USER_PASS[bob]}" "$DOMAIN" MD5; then
    pass "UDP: REGISTER answered with MD5 digest gets 200 ($(cat "$WORK/md5.out"))"
  else
    fail "UDP: REGISTER answered with MD5 digest gets 200" "$(cat "$WORK/md5.out")"
  fi
fi
if dc bad carol wrong-password "$DOMAIN" SHA-256 --expect 0; then
  fail "UDP: a SHA-256 answer with a wrong password is refused" "$(cat "$WORK/bad.out")"
elif grep -qE 'answered SHA-256: (0|2[0-9][0-9])$' "$WORK/bad.out"; then
  fail "UDP: a SHA-256 answer with a wrong password is refused" "$(cat "$WORK/bad.out")"
else
  pass "UDP: a SHA-256 answer with a wrong password is refused ($(cat "$WORK/bad.out"))"
fi
lib_finish
