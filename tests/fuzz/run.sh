#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs each for a bounded time:
# probe_sample_fuzzer seeded with the small fixture files, and
# embedding_payload_fuzzer seeded with tests/fuzz/payload_seeds. The budget
# CHARID_FUZZ_SECONDS (default 60) is the total: two thirds for the media
# target (each run decodes), one third for the parser (microseconds a run).
# Prints "fuzz: N passed, N failed" (one count per target) for the test summary.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
seconds="${CHARID_FUZZ_SECONDS:-60}"
payload_seconds=$(( seconds / 3 > 0 ? seconds / 3 : 1 ))
media_seconds=$(( seconds - payload_seconds > 0 ? seconds - payload_seconds : 1 ))
build=build/fuzz
# The parser target links the registry library, so the fuzz tree needs it on
# (an older fuzz tree was configured without it).
if [[ ! -f $build/CMakeCache.txt ]] || ! grep -q '^CHARID_BUILD_REGISTRY:BOOL=ON' "$build/CMakeCache.txt"; then
  CC=clang CXX=clang++ cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCHARID_FUZZ=ON -DCHARID_BUILD_TESTS=OFF -DCHARID_BUILD_REGISTRY=ON >/dev/null || {
    echo "fuzz: 0 passed, 2 failed (configure)"; exit 1; }
fi
cmake --build "$build" -j "${CHARID_BUILD_JOBS:-2}" --target probe_sample_fuzzer embedding_payload_fuzzer >/dev/null || {
  echo "fuzz: 0 passed, 2 failed (build)"; exit 1; }

# Seeds of the media target: the fixture files under 200 kB (many containers
# and codecs, broken ones too).
corpus="$build/corpus"
payload_corpus="$build/payload_corpus"
mkdir -p "$corpus" "$payload_corpus" "$build/artifacts"
find ../shared/fixtures/media -type f -size -200k ! -name '*.md' -exec cp -n {} "$corpus/" \;
cp -n tests/fuzz/payload_seeds/* "$payload_corpus/"

passed=0
failed=0
# run_fuzzer NAME SECONDS CORPUS [libFuzzer flags...]
run_fuzzer() {
  local name=$1 budget=$2 dir=$3
  shift 3
  "$build/tests/fuzz/$name" "$dir" -max_total_time="$budget" -artifact_prefix="$build/artifacts/$name-" \
    -print_final_stats=1 "$@" 2>"$build/$name.log"
  local rc=$?
  grep -E "stat::number_of_executed_units|stat::peak_rss_mb|Done [0-9]+ runs" "$build/$name.log" | sed "s/^/fuzz: $name: /"
  if [[ $rc -eq 0 ]]; then
    passed=$((passed + 1))
  else
    tail -40 "$build/$name.log"
    echo "fuzz: $name failed (crash input in $build/artifacts/$name-*)"
    failed=$((failed + 1))
  fi
}

run_fuzzer probe_sample_fuzzer "$media_seconds" "$corpus" -timeout=20 -rss_limit_mb=2048 -max_len=262144
run_fuzzer embedding_payload_fuzzer "$payload_seconds" "$payload_corpus" -timeout=5 -rss_limit_mb=1024 \
  -max_len=16384 -dict=tests/fuzz/payload.dict

echo "fuzz: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
