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
# Only the fuzz targets: every target in tests/fuzz/CMakeLists.txt is named fuzz_<corpus>.
fuzz_targets=$(sed -n 's/^parley_fuzzer(NAME \([a-z_]*\) .*/fuzz_\1/p' tests/fuzz/CMakeLists.txt)
BUILD=$here/build-fuzz CC=clang CXX=clang++ TARGETS="$fuzz_targets" scripts/build.sh -DPARLEY_FUZZ=ON -DPARLEY_BUILD_TESTS=OFF
for fuzzer in build-fuzz/tests/fuzz/fuzz_*; do
  name=$(basename "$fuzzer"); name=${name#fuzz_}
  work=$(mktemp -d)
  cp -r "tests/fuzz/corpus/$name/." "$work/"
  log=$(mktemp)
  if ! (cd "$work" && "$here/$fuzzer" -max_total_time="$fuzz_seconds" -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$here/build-fuzz/" . >"$log" 2>&1); then
    echo "-- $name: FAILED (crash input saved under build-fuzz/)"; tail -n 40 "$log"; exit 1
  fi
  echo "-- $name: $(grep -E '^Done' "$log")"
  rm -rf "$work" "$log"
done
echo "== all tests passed"
