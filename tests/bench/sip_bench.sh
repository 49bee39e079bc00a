#!/usr/bin/env bash
# SIP signalling benchmark: parley-frontend against kamailio, same run, same machine.
#
#   tests/bench/sip_bench.sh [--quick] [--rows "reg-noauth-udp call-tls ..."]
#                            [--servers "parley kamailio"] [--mem-users N] [--no-mem]
#                            [--out FILE]
#
# Rows (each server in turn; server on core 0, sipp + stunnel on core 1):
#   reg-noauth-{udp,tcp,tls}  registrations/s, server in no-auth mode (1 REGISTER each)
#   reg-digest-{udp,tcp,tls}  registrations/s with digest (MD5: all sipp 3.6.1 can answer),
#                             2 REGISTER transactions each (401, then 200)
#   call-{udp,tcp,tls}        call set-ups/s through the proxy to a sipp UAS registered as
#                             the callee, no auth: INVITE/180/200/ACK + BYE/200
#   mem                       resident memory per registration at --mem-users distinct
#                             users (no-auth mode, UDP), PSS delta of the server's processes
# Each row has two phases of DURATION seconds (15, --quick 3): "top" (as fast as one sipp
# goes, bounded by -l outstanding calls) and "equal load" (half the lower top rate of the
# two servers, the same offered rate for both), where the server's CPU time per
# transaction is read from /proc/PID/stat (utime+stime of every process in its group).
# TLS goes through the same stunnel (client mode, core 1) for both servers.
#
# Everything is bounded: sipp -m/-timeout, `timeout` around every process, and all
# processes are stopped on exit. Nothing leaves 127.0.0.1.
set -uo pipefail
BENCH_DIR="$(cd "$(dirname "$0")" && pwd)"
source "$BENCH_DIR/../interop/lib.sh"

QUICK=0
ROWS="reg-noauth-udp reg-noauth-tcp reg-noauth-tls reg-digest-udp reg-digest-tcp reg-digest-tls call-udp call-tcp call-tls mem"
SERVERS=""
MEM_USERS=""
OUT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1; shift ;;
    --rows) ROWS="$2"; shift 2 ;;
    --servers) SERVERS="$2"; shift 2 ;;
    --mem-users) MEM_USERS="$2"; shift 2 ;;
    --no-mem) ROWS="${ROWS//mem/}"; shift ;;
    --out) OUT="$2"; shift 2 ;;
    -h|--help) sed -n '2,26p' "$0"; exit 0 ;;
    *) echo "sip_bench.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
if [ "$QUICK" = 1 ]; then DUR="${BENCH_DURATION:-3}"; else DUR="${BENCH_DURATION:-15}"; fi
[ -n "$MEM_USERS" ] || { [ "$QUICK" = 1 ] && MEM_USERS=10000 || MEM_USERS=100000; }
if [ -z "$SERVERS" ]; then
  SERVERS="kamailio"
  [ -x "$PARLEY_FRONTEND" ] && [ -x "$PARLEYCTL" ] && SERVERS="parley kamailio"
fi
AUTH_USERS="${BENCH_AUTH_USERS:-200}"   # distinct users in the digest rows (parleyctl user import)
REG_LIMIT="${BENCH_REG_LIMIT:-100}"     # outstanding registrations in the top phase
CALL_LIMIT="${BENCH_CALL_LIMIT:-50}"    # outstanding calls in the top phase (UDP drops above)
TOP_RATE="${BENCH_TOP_RATE:-100000}"
CLK_TCK=$(getconf CLK_TCK)
export LIB_MAX_LIFETIME=$(( 3600 ))
SUT=kamailio lib_init bench
SIPP_BENCH="$BENCH_DIR/sipp"

for c in "$SIPP" "$STUNNEL" taskset sqlite3 openssl; do
  command -v "$c" >/dev/null || die "$c is not installed (scripts/install-deps.sh)"
done
[ "$(nproc)" -ge 2 ] || log "only $(nproc) core(s): server and sipp will share a core"

# ---------------------------------------------------------------------------------------
# CSV files for sipp (-inf): users (field 0) and their credentials (field 1).
{ echo SEQUENTIAL; for i in $(seq 1 "$AUTH_USERS"); do echo "d$i;[authentication username=d$i password=pw-d$i]"; done; } >"$WORK/auth_users.csv"
for i in $(seq 1 "$AUTH_USERS"); do echo "d$i pw-d$i"; done >"$WORK/auth_users.txt"
awk -v n="$MEM_USERS" 'BEGIN { print "SEQUENTIAL"; for (i = 1; i <= n; i++) printf "m%06d\n", i }' >"$WORK/mem_users.csv"

# ---------------------------------------------------------------------------------------
# Servers: for each kind, one instance in no-auth mode and one with digest, all on core 0.
declare -A SV_UDP SV_TLS SV_PID SV_ST SV_KIND
server_up() { # server_up NAME KIND AUTH [USERS_FILE]
  local name="$1" kind="$2" auth="$3" users_file="${4:-}"
  SUT="$kind" SUT_CPU=0 KAMAILIO_CFG="$BENCH_DIR/kamailio/bench.cfg" KAMAILIO_DEBUG=1 \
    KAMAILIO_USRLOC_HASH=14 PARLEY_LOG_LEVEL="${BENCH_PARLEY_LOG_LEVEL:-warn}" \
    sut_start --name "$name" --auth "$auth" --algorithms MD5 --children "${BENCH_KAMAILIO_CHILDREN:-4}" \
      --users "alice bob callee_udp callee_tcp callee_tls" ${users_file:+--users-file "$users_file"} ||
    return 1
  SV_UDP[$name]=$SUT_UDP; SV_TLS[$name]=$SUT_TLS; SV_PID[$name]=$SUT_PID; SV_KIND[$name]=$kind
  stunnel_start "stunnel-$name" "$POOL" "$SUT_TLS" 1 || return 1
  SV_ST[$name]=$STUNNEL_PORT
}
server_down() { stop_bg "${SV_PID[$1]}"; }

# ---------------------------------------------------------------------------------------
# load NAME SERVER TRANSPORT SCENARIO RATE LIMIT SECONDS [sipp args]: one bounded sipp run
# on core 1 against SERVER; prints "successful failed elapsed_s server_cpu_ticks".
sipp_remote() { # sipp_remote SERVER TRANSPORT -> sets R_ADDR R_T R_KEYS
  case "$2" in
    udp) R_ADDR="127.0.0.1:${SV_UDP[$1]}"; R_T=(-t u1); R_KEYS=(-key tp UDP -key tpl udp) ;;
    tcp) R_ADDR="127.0.0.1:${SV_UDP[$1]}"; R_T=(-t t1); R_KEYS=(-key tp TCP -key tpl tcp) ;;
    tls) R_ADDR="127.0.0.1:${SV_ST[$1]}"; R_T=(-t t1); R_KEYS=(-key tp TLS -key tpl tls) ;;
  esac
}
load() {
  local name="$1" sv="$2" tr="$3" scen="$4" rate="$5" limit="$6" secs="$7"; shift 7
  local port t0 t1 max
  port=$(free_port) || return 1
  sipp_remote "$sv" "$tr"
  max=$(( rate * secs + limit ))
  t0=$(proc_cpu_ticks "${SV_PID[$sv]}")
  # the server's CPU ticks over exactly the measured window, for its CPU use in %
  ( sleep "$secs"; echo $(( $(proc_cpu_ticks "${SV_PID[$sv]}") - t0 )) >"$WORK/$name.wticks" ) &
  local sampler=$!
  # sipp's -timeout lets calls in progress finish (UDP ones can wait 32 s for Timer B):
  # the outer timeout ends it 4 s later; the rate is read from the 1 s statistics dumps.
  taskset -c 1 timeout -k 2 $(( secs + 4 )) "$SIPP" "$R_ADDR" "${R_T[@]}" -i 127.0.0.1 -p "$port" \
    -sf "$SIPP_BENCH/$scen" -r "$rate" -l "$limit" -m "$max" -timeout "${secs}s" -nostdin \
    -max_recv_loops 10000 -max_sched_loops 10000 -trace_stat -stf "$WORK/$name.csv" -fd 1 \
    -trace_err -error_file "$WORK/$name.err" -max_log_size 1000000 \
    "${R_KEYS[@]}" -key domain "$DOMAIN" -auth_uri "$DOMAIN" "$@" >"$WORK/$name.log" 2>&1
  t1=$(proc_cpu_ticks "${SV_PID[$sv]}")
  wait "$sampler" 2>/dev/null
  python3 - "$WORK/$name.csv" "$secs" "$((t1 - t0))" "$(cat "$WORK/$name.wticks" 2>/dev/null || echo 0)" <<'EOF'
import csv, sys
# prints: successful failed elapsed (within the first SECS s), server ticks over the whole
# run, server ticks over the first SECS s, successful over the whole run
secs, ticks, wall = float(sys.argv[2]), sys.argv[3], sys.argv[4]
try:
    rows = list(csv.DictReader(open(sys.argv[1]), delimiter=";"))
except OSError:
    rows = []
if not rows:
    print("0 0 0 %s %s 0" % (ticks, wall)); sys.exit()
epoch = lambda v: float(v.split("\t")[-1])  # "date<TAB>time<TAB>epoch"
start = epoch(rows[0]["StartTime"])
inwin = [r for r in rows if epoch(r["CurrentTime"]) - start <= secs + 0.6] or rows[:1]
w = inwin[-1]
print("%s %s %.3f %s %s %s" % (w["SuccessfulCall(C)"], w["FailedCall(C)"],
      epoch(w["CurrentTime"]) - start, ticks, wall, rows[-1]["SuccessfulCall(C)"]))
EOF
}

# callee_up SERVER TRANSPORT: a sipp UAS (core 1) registered as callee_TRANSPORT, answering
# the proxied calls; sets CALLEE_PID. Its registration is seen in its <log> file.
callee_up() {
  local sv="$1" tr="$2" port i
  port=$(free_port) || return 1
  sipp_remote "$sv" "$tr"
  start_bg "callee-$sv-$tr" taskset -c 1 "$SIPP" "$R_ADDR" "${R_T[@]}" -i 127.0.0.1 -p "$port" \
    -sf "$SIPP_BENCH/uas_hold.xml" -oocsf "$SIPP_BENCH/call_uas.xml" -m 1 -d 3600000 \
    -timeout 3000s -nostdin -max_recv_loops 10000 -max_sched_loops 10000 \
    -trace_screen -screen_file "$WORK/callee-$sv-$tr.screen" \
    "${R_KEYS[@]}" -key domain "$DOMAIN" -key user "callee_$tr"
  CALLEE_PID=$LAST_PID
  # registered once the server shows the binding to an OPTIONS-free probe: a call to it
  for i in $(seq 1 30); do
    if out=$(load "probe-$sv-$tr-$i" "$sv" "$tr" call_uac.xml 10 1 1 -key user alice \
               -key callee "callee_$tr" -m 1) && [ "${out%% *}" -ge 1 ]; then
      return 0
    fi
    kill -0 "$CALLEE_PID" 2>/dev/null || break
  done
  return 1
}

# ---------------------------------------------------------------------------------------
declare -A TOP EQ_RATE EQ_US TOP_CPU NOTE STOPME
row_args() { # row_args ROW -> sets R_SCEN R_LIMIT R_SRVSUFFIX R_TR R_EXTRA
  R_TR="${1##*-}"
  case "$1" in
    reg-noauth-*) R_SCEN=reg_noauth.xml; R_LIMIT=$REG_LIMIT; R_SRV=none
                  R_EXTRA=(-inf "$WORK/auth_users.csv") ;;
    reg-digest-*) R_SCEN=reg_auth.xml; R_LIMIT=$REG_LIMIT; R_SRV=digest
                  R_EXTRA=(-inf "$WORK/auth_users.csv") ;;
    call-*)       R_SCEN=call_uac.xml; R_LIMIT=$CALL_LIMIT; R_SRV=none
                  R_EXTRA=(-key user alice -key callee "callee_$R_TR") ;;
  esac
}

for kind in $SERVERS; do
  # parley answers 404 to a REGISTER from a user not in its store, even in no-auth mode:
  # both kinds get the same users in both modes
  server_up "$kind-none" "$kind" none "$WORK/auth_users.txt" || die "$kind (no-auth) did not start: see $WORK/$kind-none.log"
  server_up "$kind-digest" "$kind" digest "$WORK/auth_users.txt" ||
    die "$kind (digest) did not start: see $WORK/$kind-digest.log"
done

udp_rcvbuf_errors() { awk '/^Udp:/ { if (h) { print $6; exit } h = 1 }' /proc/net/snmp; }

for row in $ROWS; do
  [ "$row" = mem ] && continue
  row_args "$row"
  for kind in $SERVERS; do
    sv="$kind-$R_SRV"
    if [ "${R_SCEN}" = call_uac.xml ]; then
      callee_up "$sv" "$R_TR" || { NOTE[$row.$kind]="callee did not register"; fail "$row $kind: callee registers" "see $WORK/callee-$sv-$R_TR.log"; continue; }
    fi
    e0=$(udp_rcvbuf_errors)
    read -r ok bad el ticks wticks okall < <(load "$row-$kind-top" "$sv" "$R_TR" "$R_SCEN" "$TOP_RATE" "$R_LIMIT" "$DUR" "${R_EXTRA[@]}")
    e1=$(udp_rcvbuf_errors)
    if [ "${ok:-0}" -gt 0 ] && [ "$(echo "$el > 0" | bc)" = 1 ]; then
      TOP[$row.$kind]=$(echo "scale=0; $ok / $el" | bc)
      TOP_CPU[$row.$kind]=$(echo "scale=0; 100 * $wticks / $CLK_TCK / $DUR" | bc)
    else
      TOP[$row.$kind]=0; TOP_CPU[$row.$kind]=0
    fi
    [ "${bad:-0}" -gt 0 ] && NOTE[$row.$kind]+="top: $bad failed; "
    [ "$((e1 - e0))" -gt 0 ] && NOTE[$row.$kind]+="UDP rcvbuf errors +$((e1 - e0)); "
    log "$row $kind top: $ok ok, $bad failed in ${el}s = ${TOP[$row.$kind]}/s, server CPU ${TOP_CPU[$row.$kind]}%"
    [ "${R_SCEN}" = call_uac.xml ] && { STOPME[$row.$kind]=$CALLEE_PID; }
  done
  # equal offered load: half the lower top rate
  min=""
  for kind in $SERVERS; do
    t=${TOP[$row.$kind]:-0}
    [ "$t" -gt 0 ] && { [ -z "$min" ] || [ "$t" -lt "$min" ]; } && min=$t
  done
  eq=$(( ${min:-0} / 2 ))
  for kind in $SERVERS; do
    sv="$kind-$R_SRV"
    EQ_RATE[$row]=$eq
    if [ "$eq" -gt 0 ] && [ "${TOP[$row.$kind]:-0}" -gt 0 ]; then
      read -r ok bad el ticks wticks okall < <(load "$row-$kind-eq" "$sv" "$R_TR" "$R_SCEN" "$eq" $(( eq + 100 )) "$DUR" "${R_EXTRA[@]}")
      if [ "${okall:-0}" -gt 0 ]; then
        EQ_US[$row.$kind]=$(echo "scale=1; $ticks * 1000000 / $CLK_TCK / $okall" | bc)
      fi
      [ "${bad:-0}" -gt 0 ] && NOTE[$row.$kind]+="equal load: $bad failed; "
      log "$row $kind at $eq/s: $okall ok, $bad failed, server CPU $ticks ticks = ${EQ_US[$row.$kind]:-?} us/transaction"
    fi
    [ -n "${STOPME[$row.$kind]:-}" ] && stop_bg "${STOPME[$row.$kind]}"
  done
done

# ---------------------------------------------------------------------------------------
# Memory per registration: a fresh no-auth server per kind, MEM_USERS distinct users.
pss_kb() { # PSS of every process in the group (shared memory counted once)
  local total=0 p v
  for p in $(pgrep -g "$1" 2>/dev/null); do
    v=$(awk '/^Pss:/ {print $2}' "/proc/$p/smaps_rollup" 2>/dev/null)
    [ -n "$v" ] && total=$((total + v))
  done
  echo "$total"
}
declare -A MEM_B MEM_OK MEM_N
if [[ " $ROWS " == *" mem "* ]]; then
  for kind in $SERVERS; do server_down "$kind-none"; server_down "$kind-digest"; done
  for kind in $SERVERS; do
    n=$MEM_USERS; csv="$WORK/mem_users.csv"
    server_up "$kind-mem" "$kind" none || { fail "mem $kind: server starts"; continue; }
    # Does the no-auth mode take users it does not know? (parley: 404, as of this writing)
    printf 'SEQUENTIAL\nzz-unknown-probe\n' >"$WORK/mem_probe.csv"
    read -r ok _ < <(load "mem-probe-$kind" "$kind-mem" udp reg_noauth.xml 1 1 2 -inf "$WORK/mem_probe.csv" -m 1)
    if [ "${ok:-0}" -lt 1 ]; then
      # No-auth mode still answers 404 for users not in the store: import them all first.
      NOTE[mem.$kind]="users not in the store are refused even without auth: $n users imported with parleyctl user import; "
      log "mem $kind: unknown users refused in no-auth mode; importing $n users with parleyctl"
      server_down "$kind-mem"
      head -n $((n + 1)) "$WORK/mem_users.csv" >"$WORK/mem_users_$kind.csv"; csv="$WORK/mem_users_$kind.csv"
      tail -n +2 "$csv" | awk '{print $1, "pw-" $1}' >"$WORK/mem_users_$kind.txt"
      server_up "$kind-mem" "$kind" none "$WORK/mem_users_$kind.txt" || { fail "mem $kind: server starts"; continue; }
    else
      server_down "$kind-mem"
      server_up "$kind-mem" "$kind" none || { fail "mem $kind: server starts"; continue; }
    fi
    MEM_N[$kind]=$n
    sleep 1
    m0=$(pss_kb "${SV_PID[$kind-mem]}"); r0=$(proc_rss_kb "${SV_PID[$kind-mem]}")
    rate="${BENCH_MEM_RATE:-3000}"
    read -r ok bad el ticks wticks okall < <(load "mem-$kind" "$kind-mem" udp reg_noauth.xml "$rate" 300 \
      $(( n / rate + 20 )) -inf "$csv" -m "$n")
    sleep 2
    m1=$(pss_kb "${SV_PID[$kind-mem]}"); r1=$(proc_rss_kb "${SV_PID[$kind-mem]}")
    MEM_OK[$kind]=$okall
    [ "${okall:-0}" -gt 0 ] && MEM_B[$kind]=$(( (m1 - m0) * 1024 / okall ))
    [ "${okall:-0}" -lt "$n" ] && NOTE[mem.$kind]+="only $okall of $n registrations succeeded; "
    log "mem $kind: $okall registrations ($bad failed); PSS ${m0} -> ${m1} kB, RSS ${r0} -> ${r1} kB"
    server_down "$kind-mem"
  done
fi

# ---------------------------------------------------------------------------------------
{
  echo
  echo "SIP benchmark, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, ${DUR}s per phase$([ "$QUICK" = 1 ] && echo ' (quick)')"
  echo "server on core 0, sipp and stunnel on core 1; rates are completed sipp 'calls' per second"
  first=${SERVERS%% *}; second=${SERVERS#* }; [ "$second" = "$SERVERS" ] && second=""
  printf '%-16s %12s %12s %7s %10s %14s %14s\n' row "$first/s" "${second:-}${second:+/s}" ratio "eq load/s" \
    "$first us/tx" "${second:-}${second:+ us/tx}"
  for row in $ROWS; do
    [ "$row" = mem ] && continue
    a=${TOP[$row.$first]:-0}; b=${TOP[$row.${second:-none}]:-0}
    ratio="-"; [ -n "$second" ] && [ "$b" -gt 0 ] && ratio=$(echo "scale=2; $a / $b" | bc)
    printf '%-16s %12s %12s %7s %10s %14s %14s\n' "$row" "$a (${TOP_CPU[$row.$first]:-0}%)" \
      "${second:+$b (${TOP_CPU[$row.$second]:-0}%)}" "$ratio" "${EQ_RATE[$row]:-0}" \
      "${EQ_US[$row.$first]:--}" "${second:+${EQ_US[$row.$second]:--}}"
  done
  if [[ " $ROWS " == *" mem "* ]]; then
    printf '%-16s %12s %12s   (bytes of PSS per registration at %s / %s users, UDP, no auth)\n' \
      "mem/registration" "${MEM_B[$first]:--}" "${second:+${MEM_B[$second]:--}}" \
      "${MEM_OK[$first]:-0}" "${second:+${MEM_OK[$second]:-0}}"
  fi
  echo "(N%) after a top rate: the server's CPU use in that phase; near 100% means the server was"
  echo "the limit, lower means one sipp on core 1 was. us/tx: server CPU time per completed"
  echo "registration or call at the equal offered load (a digest registration is 2 REGISTERs)."
  for k in "${!NOTE[@]}"; do echo "note $k: ${NOTE[$k]}"; done | sort
} | tee -a "${OUT:-/dev/null}"
lib_finish
