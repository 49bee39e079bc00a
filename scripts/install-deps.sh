#!/usr/bin/env bash
# Installs everything Parley needs to build, run and test, from Debian's packages only.
# Run as root on Debian 12. Safe to run again: apt-get skips what is already installed.
set -euo pipefail
if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps.sh: run as root (it calls apt-get)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
build=(
  build-essential cmake ninja-build pkg-config clang libclang-rt-14-dev
  libboost-dev libboost-system-dev libssl-dev libsqlite3-dev libc-ares-dev
  libspdlog-dev libfmt-dev nlohmann-json3-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev
)
runtime=( openssl sqlite3 )
peers=(
  sip-tester stunnel4 socat baresip kamailio kamailio-tls-modules kamailio-sqlite-modules
  sox iproute2 iptables procps psmisc bc python3
)
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${build[@]}" "${runtime[@]}" "${peers[@]}"
