#!/usr/bin/env bash
# Two real softphones (baresip) over TLS to the server under test, plain RTP on 127.0.0.1.
#
#   SUT=parley|kamailio|auto  BUILD=DIR  tests/interop/baresip_test.sh
#
# 1. alice calls bob (bob answers by himself); the call lasts a few seconds; bob's decoded
#    audio (sndfile module) must hold alice's 1000 Hz tone well above the noise, and
#    alice's must hold bob's 600 Hz tone.
# 2. bob signs in on a second device (same account, answers by hand): alice's call must
#    ring both; the first device answers, the second gets a CANCEL.
# baresip 1.0.0 trusts sip_cafile but does not actually verify the server certificate (it
# signs in with an unrelated CA too): sipp_test.sh checks the certificate.
# Each phone has its own config dir, listens on 127.0.0.1 only (net_interface, no ICE
# module loaded) and is driven through ctrl_tcp (tools/bsctl.py); `-t` bounds its life.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
lib_init baresip
BARESIP="${BARESIP:-/usr/bin/baresip}"
TOOLS="$LIB_DIR/tools"
LIFETIME="${BARESIP_LIFETIME:-90}"
CALL_SECONDS="${CALL_SECONDS:-4}"
command -v "$BARESIP" >/dev/null || die "baresip not installed"
command -v sox >/dev/null || die "sox not installed"

# What baresip can answer (a registrar stub in tools/challenge_probe.py, no server of ours):
# baresip 1.0.0 / libre 1.1.0 answers MD5 only, and gives up on a 401 as soon as one of its
# challenges names another algorithm, even when an MD5 one is there too. So the server is
# configured with "algorithms": ["MD5"] here (override with SUT_ALGORITHMS).
probe_baresip() {
  local algs="$1" port sip d
  port=$(free_port) && sip=$(free_port) || return 1
  d="$WORK/probe-$algs"; mkdir -p "$d"
  printf '%s\n' "sip_listen 127.0.0.1:$sip" "net_interface 127.0.0.1" \
    "module_path /usr/lib/baresip/modules" "module_tmp account.so" "module g711.so" \
    "module aubridge.so" "audio_player aubridge,x" "audio_source aubridge,y" >"$d/config"
  printf '<sip:alice@%s;transport=udp>;auth_pass=%s;outbound="sip:127.0.0.1:%s;transport=udp";regint=600\n' \
    "$DOMAIN" "${USER_PASS[alice]}" "$port" >"$d/accounts"
  start_bg "probe-$algs" "$BARESIP" -f "$d" -t 5 -s
  local pid=$LAST_PID
  timeout 10 python3 "$TOOLS/challenge_probe.py" "$port" 3 "$algs" "${USER_PASS[alice]}"
  stop_bg "$pid"
}
for algs in SHA-256 SHA-256,MD5 MD5,SHA-256 MD5; do
  echo "INFO: baresip, challenges $algs: $(probe_baresip "$algs")"
done

sut_start --algorithms "${SUT_ALGORITHMS:-MD5}" || die "$SUT did not start (see $WORK/sut.log)"

# bs_start NAME USER ANSWERMODE TONE_HZ: a baresip phone signed in as USER@parley.test over
# TLS, playing a sine of TONE_HZ, driven through $WORK/NAME/ctrl.fifo (tools/bsctl.py).
bs_start() {
  local name="$1" user="$2" answer="$3" tone="$4"
  local dir="$WORK/$name" sip ctrl rtp
  mkdir -p "$dir/snd"
  sip=$(free_port) && ctrl=$(free_port) && rtp=$(free_ports 10) || return 1
  sox -n -r 8000 -c 1 -b 16 "$dir/tone.wav" synth $((LIFETIME + 10)) sine "$tone" vol 0.5 ||
    return 1
  cat >"$dir/config" <<EOF
poll_method		epoll
sip_listen		127.0.0.1:$sip
sip_cafile		$CERT_DIR/ca.crt
net_interface		127.0.0.1
call_local_timeout	60
call_max_calls		4
audio_player		aubridge,sink-$name
audio_source		aufile,$dir/tone.wav
audio_alert		aubridge,alert-$name
audio_buffer		20-160
rtp_ports		$rtp-$((rtp + 9))
rtcp_mux		no
jitter_buffer_delay	5-10
module_path		/usr/lib/baresip/modules
module			g711.so
module			aufile.so
module			aubridge.so
module			sndfile.so
snd_path		$dir/snd
module_tmp		uuid.so
module_tmp		account.so
module_app		menu.so
module_app		ctrl_tcp.so
ctrl_tcp_listen		127.0.0.1:$ctrl
EOF
  # The account's domain is parley.test; the server is reached through the outbound proxy.
  printf '<sip:%s@%s;transport=tls>;auth_pass=%s;outbound="sip:127.0.0.1:%s;transport=tls";regint=600;answermode=%s;audio_codecs=PCMU/8000/1;ptime=20\n' \
    "$user" "$DOMAIN" "${USER_PASS[$user]}" "$SUT_TLS" "$answer" >"$dir/accounts"
  : >"$dir/contacts"
  start_bg "$name" "$BARESIP" -f "$dir" -t "$LIFETIME" -s
  wait_listen tcp "$ctrl" 15 "$LAST_PID" || { echo "$name: baresip did not start"; tail "$WORK/$name.log"; return 1; }
  mkfifo "$dir/ctrl.fifo"
  start_bg "$name-events" python3 "$TOOLS/bsctl.py" "$ctrl" "$dir/ctrl.fifo" "$LIFETIME"
  # its events are only seen once bsctl holds the connection
  bs_wait "$name" '"connected"' 15 || { echo "$name: bsctl did not connect"; return 1; }
}

# bs_wait NAME REGEX TIMEOUT_S: until NAME's ctrl_tcp events hold a line matching REGEX.
bs_wait() {
  local name="$1" re="$2" t="$3" i
  for i in $(seq 1 $((t * 10))); do
    grep -qE "$re" "$WORK/$name-events.log" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}
bs_count() { grep -cE "$2" "$WORK/$1-events.log" 2>/dev/null; }
# bs_cmd NAME COMMAND [PARAMS]: through the phone's one ctrl_tcp connection (bsctl.py).
bs_cmd() { local name="$1"; shift; echo "$*" | timeout 5 tee "$WORK/$name/ctrl.fifo" >/dev/null; }
# bs_registered NAME TIMEOUT_S: the phone logged a 200 to its REGISTER over TLS.
bs_registered() {
  local i
  for i in $(seq 1 $(($2 * 10))); do
    grep -aqE '\{[0-9]+/TLS/v4\} 200 ' "$WORK/$1.log" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}
bs_why() { # the phone's last SIP status lines and events
  { grep -aE 'REGISTER|CALL_|SIP/2.0 [0-9]{3}' "$WORK/$1-events.log" "$WORK/$1.log" 2>/dev/null |
      sed 's/^[^:]*://' | tail -6; } | tr '\n' ' ' | cut -c1-600
}

# ---------------------------------------------------------------------------------------
bs_start alice alice auto 1000 || die "alice's phone did not start"
bs_start bob1 bob auto 600 || die "bob's phone did not start"
for p in alice bob1; do
  if bs_registered "$p" 20; then pass "TLS: baresip $p signs in (digest over TLS)"; else
    fail "TLS: baresip $p signs in (digest over TLS)" "$(bs_why "$p")"; fi
done

# Case 1: alice calls bob, audio both ways
bs_cmd alice dial "sip:bob@$DOMAIN"
if bs_wait bob1 '"CALL_ESTABLISHED"' 20 && bs_wait alice '"CALL_ESTABLISHED"' 10; then
  pass "TLS: baresip alice -> bob: call established (INVITE, 200, ACK through the proxy)"
  sleep "$CALL_SECONDS"
  bs_cmd alice hangup
  if bs_wait bob1 '"CALL_CLOSED"' 15; then pass "TLS: alice hangs up, bob sees the BYE"; else
    fail "TLS: alice hangs up, bob sees the BYE" "$(bs_why bob1)"; fi
  sleep 1
  dec=$(ls -t "$WORK/bob1/snd/"*dec*.wav 2>/dev/null | head -1)
  if [ -n "$dec" ] && r=$(python3 "$TOOLS/tone_check.py" "$dec" 1000 --min-seconds 1.5 --other 600); then
    pass "TLS: bob's decoded audio holds alice's 1000 Hz tone ($r)"
  else
    fail "TLS: bob's decoded audio holds alice's 1000 Hz tone" "${r:-no *dec*.wav in $WORK/bob1/snd}"
  fi
  dec=$(ls -t "$WORK/alice/snd/"*dec*.wav 2>/dev/null | head -1)
  if [ -n "$dec" ] && r=$(python3 "$TOOLS/tone_check.py" "$dec" 600 --min-seconds 1.5 --other 1000); then
    pass "TLS: alice's decoded audio holds bob's 600 Hz tone ($r)"
  else
    fail "TLS: alice's decoded audio holds bob's 600 Hz tone" "${r:-no *dec*.wav in $WORK/alice/snd}"
  fi
else
  fail "TLS: baresip alice -> bob: call established" "alice: $(bs_why alice) | bob: $(bs_why bob1)"
  bs_cmd alice hangup
fi

# Case 2: bob on two devices; the call rings both, bob1 answers, bob2 is cancelled
bs_start bob2 bob manual 700 || die "bob's second phone did not start"
if bs_registered bob2 20; then pass "TLS: bob signs in on a second device"; else
  fail "TLS: bob signs in on a second device" "$(bs_why bob2)"; fi
sleep 1
# bob1 answers by itself (no CALL_INCOMING event then): count the INVITEs in its SIP trace
invites() { grep -acE '^INVITE sip:' "$WORK/$1.log"; }
n1=$(invites bob1); n2=$(invites bob2)
bs_cmd alice dial "sip:bob@$DOMAIN"
for i in $(seq 1 100); do
  [ "$(invites bob1)" -gt "$n1" ] && [ "$(invites bob2)" -gt "$n2" ] && break
  sleep 0.1
done
if [ "$(invites bob1)" -gt "$n1" ] && [ "$(invites bob2)" -gt "$n2" ] && bs_wait bob2 '"CALL_INCOMING"' 5; then
  pass "TLS: the call to bob rings both of his devices (each gets the INVITE)"
else
  fail "TLS: the call to bob rings both of his devices" \
    "INVITEs received: bob1 $n1 -> $(invites bob1), bob2 $n2 -> $(invites bob2)"
fi
if bs_wait alice '"CALL_ESTABLISHED".*' 20 && [ "$(bs_count alice '"CALL_ESTABLISHED"')" -ge 2 ]; then
  pass "TLS: bob's first device answers the forked call"
else
  fail "TLS: bob's first device answers the forked call" "$(bs_why alice)"
fi
# bob2 must get a CANCEL (its SIP trace, -s) and drop the call
if bs_wait bob2 '"CALL_CLOSED"' 15 && grep -aq '^CANCEL sip:' "$WORK/bob2.log"; then
  pass "TLS: bob's second device gets a CANCEL when the first answers"
else
  fail "TLS: bob's second device gets a CANCEL when the first answers" "$(bs_why bob2)"
fi
if grep -aqE '^SIP/2.0 487' "$WORK/bob2.log"; then
  pass "TLS: bob's second device answers the INVITE with 487"
else
  fail "TLS: bob's second device answers the INVITE with 487" "$(bs_why bob2)"
fi
sleep 1
bs_cmd alice hangup
bs_wait bob1 '"CALL_CLOSED".*' 10

if ! kill -0 "$SUT_PID" 2>/dev/null; then
  fail "$SUT still running at the end" "it exited; see $WORK/sut.log"
fi
lib_finish
