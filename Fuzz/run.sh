#!/usr/bin/env bash
# Builds the libFuzzer harnesses (debug, -sanitize=fuzzer,address) and runs each for SECONDS
# (default 60) over its committed seed corpus, one after another. A crash leaves its input as
# Fuzz/findings/<harness>/crash-* and stops the script with status 1: add that input as a
# regression test (Tests/*/Hostile*Tests.swift) and its file to Fuzz/Corpus/<harness>/.
# Usage: Fuzz/run.sh [seconds] [harness…]   e.g. Fuzz/run.sh 600 FuzzCSV
# New inputs that reach new code go to Fuzz/.build/corpus/<harness> (not committed); copy the
# few worth keeping into Fuzz/Corpus.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-60}
shift || true
harnesses=("$@")
[ ${#harnesses[@]} -gt 0 ] || harnesses=(FuzzCSV FuzzIDX FuzzIDXGzip FuzzNPY FuzzSafeTensors FuzzCheckpoint FuzzJSON FuzzSpec)
swift build -c debug -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
bin=$(swift build -c debug -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library --show-bin-path)
# Leaks are not findings here: Swift's runtime keeps metadata caches alive (LeakSanitizer reports them).
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}
# A Swift trap is SIGILL: let libFuzzer catch it and save the input, without the Swift backtracer
# first (under ASan the backtracer's memory reads raise a second, misleading report).
export SWIFT_BACKTRACE=${SWIFT_BACKTRACE:-enable=no}
status=0
for harness in "${harnesses[@]}"; do
    work=.build/corpus/$harness findings=findings/$harness
    mkdir -p "$work" "$findings"
    echo "== $harness: $seconds s"
    # -rss_limit_mb: a harness that allocates what a header claims is a finding, not a machine out of memory.
    if ! "$bin/$harness" "$work" "Corpus/$harness" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
        -artifact_prefix="$findings/" -print_final_stats=1 2>&1 | tee ".build/$harness.log" | grep -E "^#[0-9]+ +(DONE|INITED)|stat::number_of_executed_units|ERROR|SUMMARY|crash-|timeout-|oom-"; then
        :
    fi
    if [ -n "$(find "$findings" -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*')" ]; then
        echo "!! $harness: a finding in $findings"; status=1
    fi
done
exit $status
