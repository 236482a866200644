#!/usr/bin/env bash
# Runs every benchmark from one release build and writes BENCHMARKS.md: how it was made, the
# machine, one summary table of the headline figures against their targets, each benchmark's
# own section, and the history of fixes (Benchmarks/history.md). Called by `make bench`.
#
# Each benchmark prints its section on stdout and writes its summary rows to --summary FILE; a
# benchmark that fails stops the run (and leaves BENCHMARKS.md as it was).
#
# The end-to-end benchmark also measures the slack-bolt peer (Benchmarks/peer): it runs from a
# venv in .build/bench/venv with the pinned packages of Benchmarks/peer/requirements.txt, made
# here with python3 -m venv and pip, and started and stopped by vigil-load itself.
set -euo pipefail

SWIFT=${SWIFT:-swift}
cd "$(dirname "$0")/.."
work=.build/bench
mkdir -p "$work"
started=$(date +%s)
# Read before anything is written: BENCHMARKS.md itself is about to change.
commit="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- . ':!BENCHMARKS.md' 2>/dev/null || echo ' (with local changes)')"

echo "== release build" >&2
"$SWIFT" build -c release --product vigil
"$SWIFT" build -c release --product vigil-bench
"$SWIFT" build -c release --product vigil-load
bin=$("$SWIFT" build -c release --show-bin-path)
built=$(date +%s)

# Installed once, and again only when the pins change: the copy of the requirements beside the
# venv says what it holds.
venv=$work/venv
requirements=Benchmarks/peer/requirements.txt
if ! cmp -s "$requirements" "$venv/requirements.txt"; then
    echo "== peer: venv in $venv, $(grep -c '==' "$requirements") pinned packages" >&2
    "${PYTHON:-python3}" -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
    cp "$requirements" "$venv/requirements.txt"
fi

run() {
    local name=$1
    shift
    echo "== $name: $*" >&2
    "$@" --summary "$work/$name.summary" > "$work/$name.md"
}
run micro "$bin/vigil-bench" micro
run load "$bin/vigil-load" --vigil "$bin/vigil" --peer "$venv/bin/gunicorn"
run scheduler "$bin/vigil-bench" scheduler
run report "$bin/vigil-bench" report
finished=$(date +%s)

{
    echo "# Vigil benchmarks"
    echo
    echo "Written by \`make bench\` (which runs \`Benchmarks/run.sh\`): a release build, then each benchmark"
    echo "below, on the machine below. Re-run it to refresh this file. Targets are goals for the figures,"
    echo "not tests; a missed one is marked **missed**."
    echo
    echo "## Machine"
    echo
    echo "- CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//') ($(nproc) cores)"
    echo "- Memory: $(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
    echo "- Kernel: $(uname -srm)"
    echo "- OS: $(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME")"
    echo "- Swift: $("$SWIFT" --version 2>&1 | head -n 1)"
    echo "- SQLite: $(pkg-config --modversion sqlite3), json-c: $(pkg-config --modversion json-c), libcurl: $(pkg-config --modversion libcurl)"
    echo "- Peer: $("$venv/bin/python" -c "import sqlite3, sys; from importlib.metadata import version as v; print(f'Python {sys.version.split()[0]} (SQLite {sqlite3.sqlite_version}), slack-bolt {v(\"slack-bolt\")}, gunicorn {v(\"gunicorn\")}')")"
    echo "- Commit: $commit"
    echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "- Run time: $((finished - started)) s, of which release build $((built - started)) s"
    echo
    echo "## Summary"
    echo
    echo "| area | measure | value | target |"
    echo "|---|---|---|---|"
    cat "$work/load.summary" "$work/scheduler.summary" "$work/report.summary" "$work/micro.summary" | grep '^|'
    echo
    cat "$work/load.md"
    echo
    cat "$work/scheduler.md"
    echo
    cat "$work/report.md"
    echo
    cat "$work/micro.md"
    echo
    cat Benchmarks/history.md
} > BENCHMARKS.md
echo "wrote BENCHMARKS.md ($((finished - started)) s)" >&2
