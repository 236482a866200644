#!/usr/bin/env bash
# make fuzz: builds every libFuzzer harness with AddressSanitizer into .build-fuzz, runs each for
# its share of the time against its corpus, folds what it found into Tests/Fuzz/Corpus (minimised,
# capped), and prints a table. Exits non-zero when any harness crashed, timed out, ran out of
# memory or broke one of its oracles.
#
# Environment (all optional):
#   FUZZ_SECONDS        seconds per harness (default: FUZZ_TOTAL_SECONDS split evenly)
#   FUZZ_TOTAL_SECONDS  seconds for all harnesses together (default 600)
#   FUZZ_HARNESSES      a subset, e.g. "FuzzJSON FuzzConfig" (default: all)
#   FUZZ_KEEP_GOING=1   exploration: fuzz on past crashes (-fork=1 -ignore_crashes=1); the run still
#                       fails if there were any, and every reproducer is kept
#   FUZZ_CORPUS_CAP_KB  total size of the committed corpus (default 384)
#   SWIFT               the swift driver (default: swift)
set -uo pipefail
cd "$(dirname "$0")/../.."

ALL_HARNESSES=(FuzzCommand FuzzPeriod FuzzFormBody FuzzJSON FuzzSlackRequest FuzzMattermostRequest FuzzTeamsRequest FuzzDiscordRequest FuzzConfig FuzzWebhookBodies)
read -r -a HARNESSES <<<"${FUZZ_HARNESSES:-${ALL_HARNESSES[*]}}"
SWIFT=${SWIFT:-swift}
TOTAL=${FUZZ_TOTAL_SECONDS:-600}
PER=${FUZZ_SECONDS:-$((TOTAL / ${#HARNESSES[@]}))}
KEEP_GOING=${FUZZ_KEEP_GOING:-0}
CAP_KB=${FUZZ_CORPUS_CAP_KB:-384}
SCRATCH=.build-fuzz
FUZZ=Tests/Fuzz
CORPUS=$FUZZ/Corpus
CRASHES=$FUZZ/Crashes
WORK=$SCRATCH/fuzz-work

# Inputs longer than a real one add time, not coverage: a slash command body is a few hundred
# bytes (the server refuses more than 64 KiB), a period a dozen; vigil.example.yaml is ~5 KB.
max_len() {
    case $1 in
        FuzzPeriod) echo 64 ;;
        FuzzCommand) echo 1024 ;;
        FuzzConfig) echo 16384 ;;
        *) echo 4096 ;;
    esac
}

# ASan's report is what libFuzzer prints on a crash; the Swift runtime's own backtracer would
# otherwise hold the terminal for up to 30 s per crash and keep a pipe open.
export SWIFT_BACKTRACE=enable=no
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:allocator_may_return_null=1:handle_abort=1}
SYMBOLIZER=$(command -v llvm-symbolizer || echo "$(dirname "$(command -v "$SWIFT")")/llvm-symbolizer")
[ -x "$SYMBOLIZER" ] && export ASAN_SYMBOLIZER_PATH=$SYMBOLIZER

# `--sanitize fuzzer` tells SwiftPM to leave `main` to libFuzzer (it otherwise links an executable
# with `--defsym main=<Module>_main`); the one `-sanitize=fuzzer,address` after it fixes the
# instrumentation. (Two `--sanitize` switches reach swiftc in a varying order, and the last one
# wins: a build could silently lose its coverage.) C code (libyaml in Yams, BoringSSL) is not
# instrumented, and json-c is the system library.
BUILD=(env VIGIL_FUZZ=1 "$SWIFT" build -c release --scratch-path "$SCRATCH" --sanitize fuzzer -Xswiftc -sanitize=fuzzer,address)

# The bytes of the files in a directory.
size_of() { find "$1" -type f -printf '%s\n' | awk '{s += $1} END {print s + 0}'; }

# MARK: - Build

echo "fuzz: building ${#HARNESSES[@]} harnesses (libFuzzer + AddressSanitizer, release) into $SCRATCH"
mkdir -p "$SCRATCH"
build_start=$(date +%s)
for harness in "${HARNESSES[@]}"; do
    if ! "${BUILD[@]}" --product "$harness" >"$SCRATCH/build-$harness.log" 2>&1; then
        grep -E "error:" "$SCRATCH/build-$harness.log" | head -20
        echo "fuzz: building $harness failed (log: $SCRATCH/build-$harness.log)"
        echo "fuzz: 0 passed, ${#HARNESSES[@]} failed"
        exit 1
    fi
    rm -f "$SCRATCH/build-$harness.log"
done
BIN=$("${BUILD[@]}" --show-bin-path)
echo "fuzz: build took $(($(date +%s) - build_start)) s; running each harness for $PER s"

# MARK: - Run

mkdir -p "$CRASHES" "$WORK"
passed=0
failed=0
rows=()
summaries=()
per_cap=$((CAP_KB * 1024 / ${#ALL_HARNESSES[@]}))

for harness in "${HARNESSES[@]}"; do
    mkdir -p "$CORPUS/$harness"
    found=$WORK/$harness
    log=$WORK/$harness.log
    rm -rf "$found" && mkdir -p "$found"
    marker=$WORK/$harness.start
    touch "$marker"
    args=(
        "$found" "$CORPUS/$harness"
        -max_total_time="$PER" -max_len="$(max_len "$harness")" -timeout=10 -rss_limit_mb=2048
        -artifact_prefix="$CRASHES/$harness-" -print_final_stats=1
    )
    [ -f "$FUZZ/Dictionaries/$harness.dict" ] && args+=(-dict="$FUZZ/Dictionaries/$harness.dict")
    [ "$KEEP_GOING" = 1 ] && args+=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
    echo "fuzz: $harness for $PER s …"
    "$BIN/$harness" "${args[@]}" >"$log" 2>&1
    status=$?

    # Executions: the final stats, or in fork mode (and after a crash) the last status line.
    runs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*$')
    [ -z "$runs" ] && runs=$(grep -o '^#[0-9]*' "$log" | tail -1 | tr -d '#')
    mapfile -t artifacts < <(find "$CRASHES" -maxdepth 1 -name "$harness-*" -newer "$marker" -type f | sort)

    # Fold the new finds into the committed corpus: the seeds, plus only the inputs that add
    # coverage over them (libFuzzer's merge picks a minimal set), within this harness's cap.
    minimal=$WORK/$harness.min
    rm -rf "$minimal" && mkdir -p "$minimal"
    find "$CORPUS/$harness" -maxdepth 1 -type f -name 'seed-*' -exec cp {} "$minimal/" \;
    if "$BIN/$harness" -merge=1 -max_len="$(max_len "$harness")" -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$WORK/$harness-merge-" "$minimal" "$CORPUS/$harness" "$found" >"$WORK/$harness.merge.log" 2>&1 \
        && grep -q 'MERGE-OUTER: .* new files' "$WORK/$harness.merge.log"; then
        while [ "$(size_of "$minimal")" -gt "$per_cap" ]; do
            largest=$(find "$minimal" -type f ! -name 'seed-*' -printf '%s %p\n' | sort -n | tail -1 | cut -d' ' -f2-)
            [ -z "$largest" ] && break
            rm -f "$largest"
        done
        find "$CORPUS/$harness" -maxdepth 1 -type f ! -name 'seed-*' -delete
        find "$minimal" -maxdepth 1 -type f ! -name 'seed-*' -exec cp {} "$CORPUS/$harness/" \;
    else
        echo "fuzz: $harness: merging the corpus failed (log: $WORK/$harness.merge.log); kept the old one"
    fi
    files=$(find "$CORPUS/$harness" -type f | wc -l)
    bytes=$(size_of "$CORPUS/$harness")

    crashes=${#artifacts[@]}
    if [ "$status" -eq 0 ] && [ "$crashes" -eq 0 ]; then
        passed=$((passed + 1))
        result=ok
    else
        failed=$((failed + 1))
        result=FAILED
        [ "$crashes" -eq 0 ] && crashes=1
        # What the owner needs: the reproducer, the error, the input, and the top Vigil frames.
        summary="--- $harness (exit $status, log $log)"
        for artifact in "${artifacts[@]}"; do summary+=$'\n'"reproducer: $artifact ($(wc -c <"$artifact") bytes)"; done
        error=$(grep -E -m1 'Fatal error|runtime failure|fuzz oracle failed|ERROR: (AddressSanitizer|libFuzzer)' "$log")
        summary+=$'\n'"error: $error"
        input=$(grep -A2 -m1 -E '^(0x[0-9a-f]{2},)+0x[0-9a-f]{2},?$|^0x[0-9a-f]{2},?$' "$log" | sed -n 2p)
        [ -n "$input" ] && summary+=$'\n'"input (C-escaped): $input"
        frames=$(grep -E '^ +#[0-9]+ .* in ' "$log" | grep -E '/(Sources|Tests/Fuzz)/' | head -6 \
            | sed -E 's/^ +#[0-9]+ 0x[0-9a-f]+ in //' | "$SWIFT" demangle --simplified 2>/dev/null \
            | sed 's/^/  at /')
        summary+=$'\n'"frames:"$'\n'"$frames"
        summaries+=("$summary")
    fi
    rows+=("$(printf '%-22s %12s %8s %10s %8s  %s' "$harness" "$runs" "$files" "$bytes" "$crashes" "$result")")
done

# MARK: - Report

for summary in "${summaries[@]}"; do echo "$summary"; done
echo
printf '%-22s %12s %8s %10s %8s  %s\n' harness executions "corpus" "bytes" crashes result
for row in "${rows[@]}"; do echo "$row"; done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
