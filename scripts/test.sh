#!/usr/bin/env bash
# Installs dependencies (as root), builds once, and runs every test: unit, fuzz-corpus
# replay, integration (real daemons on loopback), interop (sipp, baresip), then a bounded
# libFuzzer run of every parser and the unit tests under ASan+UBSan.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
if [ "$(id -u)" -eq 0 ]; then
  scripts/install-deps.sh
else
  echo "test: not root, skipping dependency installation"
fi
jobs=$(nproc)
fuzz_seconds=${PARLEY_FUZZ_SECONDS:-30}

echo "== build (warnings are errors)"
BUILD=$here/build scripts/build.sh -DPARLEY_WERROR=ON -DPARLEY_BUILD_TESTS=ON

echo "== tests: unit, fuzz-replay, integration, interop"
ctest --test-dir build --output-on-failure -j"$jobs" --timeout 600

echo "== sanitizers: unit tests under ASan+UBSan"
BUILD=$here/build-asan CC=clang CXX=clang++ scripts/build.sh -DPARLEY_WERROR=ON \
  -DPARLEY_SANITIZE="address;undefined" -DPARLEY_BUILD_TESTS=ON
ctest --test-dir build-asan --output-on-failure -j"$jobs" -L 'unit|fuzz-replay' --timeout 600

echo "== fuzz: ${fuzz_seconds}s per parser (libFuzzer)"
BUILD=$here/build-fuzz CC=clang CXX=clang++ scripts/build.sh -DPARLEY_FUZZ=ON -DPARLEY_BUILD_TESTS=OFF
for fuzzer in build-fuzz/tests/fuzz/fuzz_*; do
  name=$(basename "$fuzzer"); name=${name#fuzz_}
  work=$(mktemp -d)
  cp -r "tests/fuzz/corpus/$name/." "$work/"
  echo "-- $name"
  "$fuzzer" -max_total_time="$fuzz_seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 "$work" 2>&1 | tail -n 3
  rm -rf "$work"
done
echo "== all tests passed"
