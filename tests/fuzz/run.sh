#!/usr/bin/env bash
# Builds the libFuzzer target with clang and runs it for a bounded time,
# seeded with the small fixture files. CHARID_FUZZ_SECONDS sets the budget.
# Prints "fuzz: N passed, N failed" for the test summary.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
seconds="${CHARID_FUZZ_SECONDS:-60}"
build=build/fuzz
if [[ ! -f $build/CMakeCache.txt ]]; then
  CC=clang CXX=clang++ cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCHARID_FUZZ=ON -DCHARID_BUILD_TESTS=OFF -DCHARID_BUILD_REGISTRY=OFF >/dev/null || {
    echo "fuzz: 0 passed, 1 failed (configure)"; exit 1; }
fi
cmake --build "$build" -j "${CHARID_BUILD_JOBS:-2}" --target probe_sample_fuzzer >/dev/null || {
  echo "fuzz: 0 passed, 1 failed (build)"; exit 1; }

# Seeds: the fixture files under 200 kB (many containers and codecs, broken ones too).
corpus="$build/corpus"
mkdir -p "$corpus" "$build/artifacts"
find ../shared/fixtures/media -type f -size -200k ! -name '*.md' -exec cp -n {} "$corpus/" \;

"$build/tests/fuzz/probe_sample_fuzzer" "$corpus" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 \
  -max_len=262144 -artifact_prefix="$build/artifacts/" -print_final_stats=1 2>"$build/fuzz.log"
rc=$?
grep -E "stat::number_of_executed_units|stat::peak_rss_mb|Done [0-9]+ runs" "$build/fuzz.log" | sed 's/^/fuzz: /'
if [[ $rc -eq 0 ]]; then
  echo "fuzz: 1 passed, 0 failed"
else
  tail -40 "$build/fuzz.log"
  echo "fuzz: 0 passed, 1 failed (crash input in $build/artifacts)"
  exit 1
fi
