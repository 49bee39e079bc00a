# shellcheck shell=bash
# Shared helpers for Parley's interop tests and benchmarks. Source it, then call lib_init.
#
#   SUT=parley|kamailio|auto   server under test (auto: parley when its binaries are built)
#   BUILD=DIR                  Parley build dir (default: <repo>/build)
#   KEEP_WORK=1                keep the throwaway work dir even when every check passed
#
# Every process started here runs in its own process group under `timeout`, is recorded by
# PID and stopped (by that PID's group) when the script exits. All traffic stays on 127.0.0.1.

LIB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$LIB_DIR/../.." && pwd)"
BUILD="${BUILD:-$REPO_DIR/build}"
PARLEY_FRONTEND="${PARLEY_FRONTEND:-$BUILD/src/frontend/parley-frontend}"
PARLEYCTL="${PARLEYCTL:-$BUILD/src/tools/parleyctl/parleyctl}"
KAMAILIO="${KAMAILIO:-/usr/sbin/kamailio}"
SIPP="${SIPP:-/usr/bin/sipp}"
STUNNEL="${STUNNEL:-$(command -v stunnel4 || command -v stunnel || echo stunnel4)}"
SIPP_DIR="$LIB_DIR/sipp"

DOMAIN="parley.test"
POOL="fe.parley.test"
# Demo users: name -> password. carol is the one who signs out; zed does not exist.
declare -gA USER_PASS=([alice]=secret1 [bob]=secret2 [carol]=secret3 [dave]=secret4)
declare -gA USER_NAME=([alice]=Alice [bob]=Bob [carol]=Carol [dave]=Dave)
declare -gA USER_LINE=([alice]=tel:+15550100 [bob]=tel:+15550101)

# A process may live at most this long (seconds), whatever happens to the script.
LIB_MAX_LIFETIME="${LIB_MAX_LIFETIME:-900}"

declare -ga LIB_PIDS=()
declare -gA LIB_PORTS_USED=()
LIB_PASS=0
LIB_FAIL=0
LIB_SKIP=0
WORK=""

# ---------------------------------------------------------------------------------------
# Reporting
log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
pass() { LIB_PASS=$((LIB_PASS + 1)); printf 'PASS: %s\n' "$1"; }
fail() {
  LIB_FAIL=$((LIB_FAIL + 1))
  printf 'FAIL: %s%s\n' "$1" "${2:+ -- $2}"
}
skip() { LIB_SKIP=$((LIB_SKIP + 1)); printf 'SKIP: %s%s\n' "$1" "${2:+ -- $2}"; }
# check NAME CMD...: PASS if CMD exits 0, else FAIL.
check() {
  local name="$1"; shift
  if "$@"; then pass "$name"; else fail "$name" "command failed: $*"; fi
}
die() { printf 'FAIL: %s\n' "$*"; LIB_FAIL=$((LIB_FAIL + 1)); exit 1; }

# Prints the summary; exit status 1 if any check failed, 0 otherwise.
lib_finish() {
  printf 'SUMMARY: %d passed, %d failed, %d skipped (SUT=%s, work dir %s)\n' \
    "$LIB_PASS" "$LIB_FAIL" "$LIB_SKIP" "${SUT:-?}" "${WORK:-none}"
  if [ "$LIB_FAIL" -gt 0 ]; then exit 1; fi
  exit 0
}

# ---------------------------------------------------------------------------------------
# Set-up and clean-up
# lib_init NAME: chooses the SUT, makes the work dir and installs the EXIT trap.
lib_init() {
  local name="$1"
  case "${SUT:-auto}" in
    parley|kamailio) ;;
    auto)
      if [ -x "$PARLEY_FRONTEND" ] && [ -x "$PARLEYCTL" ]; then SUT=parley; else SUT=kamailio; fi ;;
    *) echo "lib.sh: SUT must be parley, kamailio or auto, not '$SUT'" >&2; exit 2 ;;
  esac
  export SUT
  WORK="$(mktemp -d "${TMPDIR:-/tmp}/parley-${name}.XXXXXX")"
  trap lib_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  log "$name: SUT=$SUT, work dir $WORK"
}

lib_cleanup() {
  local rc=$?
  local pid
  for pid in "${LIB_PIDS[@]}"; do lib_stop_pid "$pid"; done
  LIB_PIDS=()
  if [ -n "$WORK" ] && [ -d "$WORK" ]; then
    if [ "$LIB_FAIL" -eq 0 ] && [ "$rc" -eq 0 ] && [ "${KEEP_WORK:-0}" != 1 ]; then
      rm -rf "$WORK"
    else
      echo "lib.sh: logs kept in $WORK" >&2
    fi
  fi
  return "$rc"
}

# ---------------------------------------------------------------------------------------
# Ports and processes
# free_port: a port on 127.0.0.1 that is free for both TCP and UDP right now and that this
# script has not handed out before. Below the ephemeral range so clients don't grab it.
free_port() { free_ports 1; }

# free_ports N: the first of N consecutive such ports (RTP ranges), all marked as used.
free_ports() {
  local n="${1:-1}" p i j ok
  for i in $(seq 1 200); do
    p=$(( 20000 + (RANDOM * 32768 + RANDOM) % 12000 ))
    ok=1
    for j in $(seq "$p" $((p + n - 1))); do [ -n "${LIB_PORTS_USED[$j]:-}" ] && ok=0; done
    [ "$ok" = 1 ] || continue
    if python3 - "$p" "$n" <<'EOF' 2>/dev/null
import socket, sys
p, n = int(sys.argv[1]), int(sys.argv[2])
for port in range(p, p + n):
    for t in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
        s = socket.socket(socket.AF_INET, t)
        try:
            s.bind(("127.0.0.1", port))
        finally:
            s.close()
EOF
    then
      for j in $(seq "$p" $((p + n - 1))); do LIB_PORTS_USED[$j]=1; done
      echo "$p"
      return 0
    fi
  done
  echo "lib.sh: no free port found" >&2
  return 1
}

# start_bg NAME CMD...: runs CMD in the background in its own process group, bounded by
# LIB_MAX_LIFETIME, output in $WORK/NAME.log; sets LAST_PID.
start_bg() {
  local name="$1"; shift
  setsid timeout -k 5 "$LIB_MAX_LIFETIME" "$@" >"$WORK/$name.log" 2>&1 </dev/null &
  LAST_PID=$!
  LIB_PIDS+=("$LAST_PID")
}

# lib_stop_pid PID: TERM to the process group we created for it, KILL after 5 s.
lib_stop_pid() {
  local pid="$1" i
  kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null
  for i in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null
  fi
  wait "$pid" 2>/dev/null
  return 0
}

# stop_bg PID: stop one process started with start_bg and forget it.
stop_bg() {
  local pid="$1" p keep=()
  lib_stop_pid "$pid"
  for p in "${LIB_PIDS[@]}"; do [ "$p" != "$pid" ] && keep+=("$p"); done
  LIB_PIDS=("${keep[@]}")
}

# wait_bg PID TIMEOUT: wait for a background process to end by itself; its exit status,
# or 124 (and it is stopped) if it is still running after TIMEOUT seconds.
wait_bg() {
  local pid="$1" t="$2" i rc
  for i in $(seq 1 $((t * 10))); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    stop_bg "$pid"
    return 124
  fi
  wait "$pid"; rc=$?
  local p keep=()
  for p in "${LIB_PIDS[@]}"; do [ "$p" != "$pid" ] && keep+=("$p"); done
  LIB_PIDS=("${keep[@]}")
  return "$rc"
}

# wait_listen tcp|udp PORT [TIMEOUT_S] [PID]: until something listens on 127.0.0.1:PORT.
wait_listen() {
  local proto="$1" port="$2" t="${3:-15}" pid="${4:-}" i flag
  [ "$proto" = udp ] && flag=-Hlnu || flag=-Hlnt
  for i in $(seq 1 $((t * 10))); do
    if [ -n "$(ss $flag "sport = :$port" 2>/dev/null)" ]; then return 0; fi
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then return 1; fi
    sleep 0.1
  done
  return 1
}

# proc_cpu_ticks PID: utime+stime of the process and its reaped children (clock ticks),
# summed over the whole process group (kamailio forks workers).
proc_cpu_ticks() {
  local pgid="$1" total=0 p f
  for p in $(pgrep -g "$pgid" 2>/dev/null); do
    f=$(cut -d' ' -f14,15 "/proc/$p/stat" 2>/dev/null) || continue
    set -- $f
    [ $# -eq 2 ] && total=$((total + $1 + $2))
  done
  echo "$total"
}

# proc_rss_kb PGID: resident memory of every process in the group, kB (Pss would be fairer
# for kamailio's shared memory, but RSS is what the brief compares).
proc_rss_kb() {
  local pgid="$1" total=0 p v
  for p in $(pgrep -g "$pgid" 2>/dev/null); do
    v=$(awk '/^VmRSS:/ {print $2}' "/proc/$p/status" 2>/dev/null)
    [ -n "$v" ] && total=$((total + v))
  done
  echo "$total"
}

# main_pid_of PGID: the server process itself (the child of our `timeout` wrapper).
main_pid_of() { pgrep -P "$1" | head -1; }

# ---------------------------------------------------------------------------------------
# Certificates
# make_dev_certs DIR: a CA and a pool certificate like `parleyctl cert dev` writes
# (name fe.parley.test, SAN DNS:fe.parley.test, IP:127.0.0.1, DNS:localhost).
make_dev_certs() {
  local dir="$1"
  mkdir -p "$dir"
  (
    cd "$dir" || exit 1
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 30 \
      -subj "/O=Parley interop/CN=Parley interop CA" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
      >/dev/null 2>&1 || exit 1
    openssl req -newkey rsa:2048 -nodes -keyout pool.key -out pool.csr \
      -subj "/O=Parley interop/CN=$POOL" >/dev/null 2>&1 || exit 1
    printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" \
      "extendedKeyUsage=serverAuth,clientAuth" \
      "subjectAltName=DNS:$POOL,IP:127.0.0.1,DNS:localhost" >pool.ext
    openssl x509 -req -in pool.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out pool.crt \
      -days 30 -extfile pool.ext >/dev/null 2>&1 || exit 1
    rm -f pool.csr pool.ext ca.srl
  )
}

# ---------------------------------------------------------------------------------------
# The server under test
# sut_start [--auth digest|none] [--algorithms "SHA-256,MD5"] [--users "alice bob ..."]
#           [--children N] [--name NAME] [--cpu CORE] [--no-tls]
# Sets SUT_UDP SUT_TCP SUT_TLS (ports on 127.0.0.1), CERT_DIR, SUT_PID (process group),
# SUT_STORE (parley) / SUT_DB (kamailio).
sut_start() {
  local auth=digest algos="${SUT_ALGORITHMS:-SHA-256,MD5}" users="alice bob carol dave"
  local children=2 name=sut extra_users_file=""
  while [ $# -gt 0 ]; do
    case "$1" in
      --auth) auth="$2"; shift 2 ;;
      --algorithms) algos="$2"; shift 2 ;;
      --users) users="$2"; shift 2 ;;
      --users-file) extra_users_file="$2"; shift 2 ;;   # lines "user password"
      --children) children="$2"; shift 2 ;;
      --name) name="$2"; shift 2 ;;
      --cpu) SUT_CPU="$2"; shift 2 ;;
      *) echo "sut_start: unknown option $1" >&2; return 2 ;;
    esac
  done
  SUT_UDP=$(free_port) || return 1
  SUT_TCP=$SUT_UDP
  SUT_TLS=$(free_port) || return 1
  local dir="$WORK/$name"
  rm -rf "$dir"   # a fresh store, database and certificates each time
  mkdir -p "$dir"
  CERT_DIR="$dir/certs"
  case "$SUT" in
    parley) _sut_start_parley "$dir" "$auth" "$algos" "$users" "$extra_users_file" "$name" ;;
    kamailio) _sut_start_kamailio "$dir" "$auth" "$algos" "$users" "$extra_users_file" "$name" "$children" ;;
  esac || return 1
  if ! wait_listen udp "$SUT_UDP" 20 "$SUT_PID" || ! wait_listen tcp "$SUT_TCP" 20 "$SUT_PID" ||
     ! wait_listen tcp "$SUT_TLS" 20 "$SUT_PID"; then
    echo "sut_start: $SUT did not listen on udp/tcp $SUT_UDP and tls $SUT_TLS; log:" >&2
    tail -n 30 "$WORK/$name.log" >&2
    return 1
  fi
  log "$SUT listening: udp+tcp 127.0.0.1:$SUT_UDP, tls 127.0.0.1:$SUT_TLS (auth $auth${auth:+, $algos})"
}

_sut_start_parley() {
  local dir="$1" auth="$2" algos="$3" users="$4" users_file="$5" name="$6" u
  [ -x "$PARLEY_FRONTEND" ] || { echo "sut_start: $PARLEY_FRONTEND is not built" >&2; return 1; }
  [ -x "$PARLEYCTL" ] || { echo "sut_start: $PARLEYCTL is not built" >&2; return 1; }
  SUT_STORE="$dir/store.db"
  local ctl=("$PARLEYCTL" --store "$SUT_STORE")
  timeout 30 "${ctl[@]}" topology init --domain "$DOMAIN" --site HQ --pool "$POOL" \
    >>"$dir/parleyctl.log" 2>&1 || { echo "parleyctl topology init failed:" >&2; cat "$dir/parleyctl.log" >&2; return 1; }
  for u in $users; do
    local args=(user add "$u@$DOMAIN" --name "${USER_NAME[$u]:-$u}" --password "${USER_PASS[$u]:-pw-$u}")
    [ -n "${USER_LINE[$u]:-}" ] && args+=(--line "${USER_LINE[$u]}")
    timeout 30 "${ctl[@]}" "${args[@]}" >>"$dir/parleyctl.log" 2>&1 ||
      { echo "parleyctl user add $u failed:" >&2; tail -5 "$dir/parleyctl.log" >&2; return 1; }
  done
  if [ -n "$users_file" ]; then
    # Many users at once: one `parleyctl user import` (one transaction), not a process each.
    awk -v d="$DOMAIN" '{printf "%s@%s,%s,,%s\n", $1, d, $1, $2}' "$users_file" >"$dir/users.csv"
    timeout 300 "${ctl[@]}" user import "$dir/users.csv" >>"$dir/parleyctl.log" 2>&1 ||
      { echo "parleyctl user import failed:" >&2; tail -5 "$dir/parleyctl.log" >&2; return 1; }
  fi
  timeout 60 "${ctl[@]}" cert dev --dir "$CERT_DIR" --pool "$POOL" >>"$dir/parleyctl.log" 2>&1 ||
    { echo "parleyctl cert dev failed:" >&2; tail -5 "$dir/parleyctl.log" >&2; return 1; }
  local algos_json
  algos_json=$(printf '%s' "$algos" | awk -F, '{for(i=1;i<=NF;i++){printf "%s\"%s\"", (i>1?",":""), $i}}')
  SUT_CONFIG="$dir/frontend.json"
  cat >"$SUT_CONFIG" <<EOF
{
  "store": "$SUT_STORE",
  "pool": "$POOL",
  "listen": [
    {"transport": "tls", "address": "127.0.0.1", "port": $SUT_TLS},
    {"transport": "udp", "address": "127.0.0.1", "port": $SUT_UDP},
    {"transport": "tcp", "address": "127.0.0.1", "port": $SUT_TCP}
  ],
  "tls": {"certificate": "$CERT_DIR/pool.crt", "private_key": "$CERT_DIR/pool.key"},
  "log_level": "${PARLEY_LOG_LEVEL:-info}",
  "auth": {"mode": "$auth", "algorithms": [$algos_json]}
}
EOF
  start_bg "$name" ${SUT_CPU:+taskset -c "$SUT_CPU"} "$PARLEY_FRONTEND" --config "$SUT_CONFIG"
  SUT_PID=$LAST_PID
}

# The kamailio stand-in: same users in a SQLite subscriber table, same certificates.
_sut_start_kamailio() {
  local dir="$1" auth="$2" algos="$3" users="$4" users_file="$5" name="$6" children="$7" u
  make_dev_certs "$CERT_DIR" || { echo "sut_start: openssl failed" >&2; return 1; }
  SUT_DB="$dir/kamailio.sqlite"
  {
    echo "CREATE TABLE version (id INTEGER PRIMARY KEY, table_name VARCHAR(32) NOT NULL, table_version INTEGER DEFAULT 0 NOT NULL);"
    echo "INSERT INTO version (table_name, table_version) VALUES ('subscriber', 7);"
    echo "CREATE TABLE subscriber (id INTEGER PRIMARY KEY, username VARCHAR(64) DEFAULT '' NOT NULL, domain VARCHAR(64) DEFAULT '' NOT NULL, password VARCHAR(64) DEFAULT '' NOT NULL, ha1 VARCHAR(128) DEFAULT '' NOT NULL, ha1b VARCHAR(128) DEFAULT '' NOT NULL);"
    echo "CREATE UNIQUE INDEX account_idx ON subscriber (username, domain);"
    # the user directory as an htable (bench.cfg caches it in memory at start-up)
    echo "CREATE VIEW htusers AS SELECT username AS key_name, 0 AS key_type, 0 AS value_type, '1' AS key_value, 0 AS expires FROM subscriber;"
    echo "INSERT INTO version (table_name, table_version) VALUES ('htusers', 2);"
    echo "BEGIN;"
    for u in $users; do
      echo "INSERT INTO subscriber (username, domain, password) VALUES ('$u', '$DOMAIN', '${USER_PASS[$u]:-pw-$u}');"
    done
    if [ -n "$users_file" ]; then
      awk -v d="$DOMAIN" '{printf "INSERT INTO subscriber (username, domain, password) VALUES (\x27%s\x27, \x27%s\x27, \x27%s\x27);\n", $1, d, $2}' "$users_file"
    fi
    echo "COMMIT;"
  } | sqlite3 "$SUT_DB" || { echo "sut_start: sqlite3 failed" >&2; return 1; }
  # kamailio offers one algorithm per challenge: the first of the list.
  local algo="${algos%%,*}"
  [ "$algo" = MD5 ] && algo=""
  cat >"$dir/kamailio-tls.cfg" <<EOF
[server:default]
method = TLSv1.2+
verify_certificate = no
require_certificate = no
private_key = $CERT_DIR/pool.key
certificate = $CERT_DIR/pool.crt

[client:default]
method = TLSv1.2+
verify_certificate = no
require_certificate = no
EOF
  local cfg="${KAMAILIO_CFG:-$LIB_DIR/kamailio/sut.cfg}"
  sed -e "s#@WORK@#$dir#g" -e "s#@DB@#$SUT_DB#g" -e "s#@CHILDREN@#$children#g" \
      -e "s#@ALGO@#$algo#g" -e "s#@DEBUG@#${KAMAILIO_DEBUG:-2}#g" \
      -e "s#@USRLOC_HASH@#${KAMAILIO_USRLOC_HASH:-12}#g" "$cfg" >"$dir/kamailio.cfg"
  local defs=()
  [ "$auth" = digest ] && defs+=(-A WITH_AUTH)
  "$KAMAILIO" -c -f "$dir/kamailio.cfg" "${defs[@]}" >"$dir/kamailio-check.log" 2>&1 ||
    { echo "sut_start: kamailio -c rejected the config:" >&2; tail -20 "$dir/kamailio-check.log" >&2; return 1; }
  mkdir -p "$dir/kamailio-run"
  start_bg "$name" ${SUT_CPU:+taskset -c "$SUT_CPU"} "$KAMAILIO" -f "$dir/kamailio.cfg" -DD -E \
    -m "${KAMAILIO_SHM:-1024}" -M "${KAMAILIO_PKG:-32}" "${defs[@]}" \
    -l "udp:127.0.0.1:$SUT_UDP" -l "tcp:127.0.0.1:$SUT_TCP" -l "tls:127.0.0.1:$SUT_TLS" \
    -Y "$dir/kamailio-run"
  SUT_PID=$LAST_PID
}

# sut_registrations: what the server says about who is signed in (diagnostics only).
sut_registrations() {
  case "$SUT" in
    parley) timeout 10 "$PARLEYCTL" --store "$SUT_STORE" registrations 2>&1 ;;
    kamailio) echo "(kamailio: see the sipp traces)";;
  esac
}

# ---------------------------------------------------------------------------------------
# TLS for sipp: stunnel in client mode. stunnel_start NAME -> sets STUNNEL_PORT, a local
# TCP port whose connections stunnel carries over TLS to the server's TLS port, verifying
# the server's certificate against CERT_DIR/ca.crt for the name CHECK_HOST.
stunnel_start() {
  local name="${1:-stunnel}" host="${2:-$POOL}" target="${3:-$SUT_TLS}" cpu="${4:-}"
  STUNNEL_PORT=$(free_port) || return 1
  local conf="$WORK/$name.conf"
  local check="checkHost = $host"
  case "$host" in *[0-9].[0-9]*) check="checkIP = $host" ;; esac
  cat >"$conf" <<EOF
foreground = yes
pid =
debug = ${STUNNEL_DEBUG:-notice}
syslog = no
[sip]
client = yes
accept = 127.0.0.1:$STUNNEL_PORT
connect = 127.0.0.1:$target
verifyChain = yes
CAfile = $CERT_DIR/ca.crt
$check
sni = $POOL
delay = no
TIMEOUTidle = 3600
EOF
  start_bg "$name" ${cpu:+taskset -c "$cpu"} "$STUNNEL" "$conf"
  STUNNEL_PID=$LAST_PID
  wait_listen tcp "$STUNNEL_PORT" 10 "$STUNNEL_PID" ||
    { echo "stunnel did not start:" >&2; cat "$WORK/$name.log" >&2; return 1; }
}

# ---------------------------------------------------------------------------------------
# sipp
# sipp_args TRANSPORT: the remote address and transport flags for sipp. TRANSPORT is udp,
# tcp or tls (tls: sipp speaks TCP to stunnel). Sets SIPP_REMOTE, SIPP_T, SIPP_KEYS.
sipp_transport() {
  case "$1" in
    udp) SIPP_REMOTE="127.0.0.1:$SUT_UDP"; SIPP_T=(-t u1); SIPP_KEYS=(-key tp UDP -key tpl udp) ;;
    tcp) SIPP_REMOTE="127.0.0.1:$SUT_TCP"; SIPP_T=(-t t1); SIPP_KEYS=(-key tp TCP -key tpl tcp) ;;
    tls) SIPP_REMOTE="127.0.0.1:$STUNNEL_PORT"; SIPP_T=(-t t1); SIPP_KEYS=(-key tp TLS -key tpl tls) ;;
    *) echo "sipp_transport: $1?" >&2; return 2 ;;
  esac
}

# sipp_cmd NAME TRANSPORT USER SCENARIO [sipp args...]: prints nothing; fills SIPP_CMD with
# a bounded sipp command line (-nostdin, -timeout, traces in $WORK/NAME.*).
# The digest uri is SIPP_AUTH_URI (default the domain, the REGISTER Request-URI): left to
# itself sipp 3.6.1 puts "sip:REMOTE_IP:REMOTE_PORT" there, not the Request-URI.
sipp_cmd() {
  local name="$1" tr="$2" user="$3" scen="$4"; shift 4
  sipp_transport "$tr" || return 2
  local port
  port=$(free_port) || return 1
  SIPP_CMD=("$SIPP" "$SIPP_REMOTE" "${SIPP_T[@]}" -i 127.0.0.1 -p "$port" -sf "$SIPP_DIR/$scen"
    -nostdin -timeout "${SIPP_TIMEOUT:-30}s" -timeout_error -max_recv_loops 1000
    -trace_msg -message_file "$WORK/$name.msg" -trace_err -error_file "$WORK/$name.err"
    -trace_screen -screen_file "$WORK/$name.screen"
    "${SIPP_KEYS[@]}" -key domain "$DOMAIN" -key user "$user" -s "$user"
    -au "$user" -ap "${USER_PASS[$user]:-pw-$user}" -auth_uri "${SIPP_AUTH_URI:-$DOMAIN}" "$@")
}

# sipp_run NAME TRANSPORT USER SCENARIO [args]: run sipp in the foreground; its status.
sipp_run() {
  local name="$1"
  sipp_cmd "$@" || return 2
  timeout -k 5 $(( ${SIPP_TIMEOUT:-30} + 15 )) "${SIPP_CMD[@]}" >"$WORK/$name.log" 2>&1
}

# sipp_bg NAME TRANSPORT USER SCENARIO [args]: the same in the background; sets LAST_PID.
sipp_bg() {
  local name="$1"
  sipp_cmd "$@" || return 2
  start_bg "$name" "${SIPP_CMD[@]}"
}

# sipp_why NAME: the lines of a sipp run's traces that say what went wrong.
sipp_why() {
  local name="$1"
  {
    grep -haE "Aborting call|createAuthHeader|Unable|Error|ERROR|Timeout" "$WORK/$name.err" \
      2>/dev/null | sed 's/^[0-9-]*\t[0-9:.]*\t[0-9.]*: //' | sort -u | head -3
    echo "trace:"
    tr -d '\r' 2>/dev/null <"$WORK/$name.msg" | grep -aE '^(SIP/2.0 [0-9]{3}|[A-Z]+ sip:)' |
      tail -12 | tr '\n' '|'
  } | tr '\n' ' ' | cut -c1-700
}

# msg_has NAME REGEX: the sipp message trace of NAME has a line matching REGEX.
msg_has() { tr -d '\r' 2>/dev/null <"$WORK/$1.msg" | grep -qaE "$2"; }
