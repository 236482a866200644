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
#
# The PostgreSQL figures come from a throw-away server started here from Debian's postgresql
# package (initdb and pg_ctl, as the postgres user when run as root, since PostgreSQL refuses
# root) on a free loopback port, at its default settings, and stopped and deleted on exit.
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

pgdir=""
pg_stop() {
    [ -n "$pgdir" ] || return 0
    "${as_postgres[@]}" "$pgbin/pg_ctl" -D "$pgdir/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$pgdir"
}
pg_start() {
    pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    if [ ! -x "$pgbin/initdb" ]; then
        echo "no PostgreSQL server programs under /usr/lib/postgresql: run make deps" >&2
        exit 1
    fi
    pgdir=$(mktemp -d /tmp/vigil-bench-pg.XXXXXX)
    as_postgres=()
    if [ "$(id -u)" = 0 ]; then
        chown postgres: "$pgdir"
        as_postgres=(runuser -u postgres --)
    fi
    trap pg_stop EXIT
    "${as_postgres[@]}" "$pgbin/initdb" -D "$pgdir/data" -U vigil -A trust --locale=C.UTF-8 -E UTF8 >"$pgdir/initdb.log" 2>&1
    pgport=$("${PYTHON:-python3}" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    "${as_postgres[@]}" "$pgbin/pg_ctl" -D "$pgdir/data" -l "$pgdir/server.log" -w \
        -o "-h 127.0.0.1 -p $pgport -k $pgdir" start >/dev/null
    postgres_url="postgres://vigil@127.0.0.1:$pgport"
    echo "== PostgreSQL $("$pgbin/postgres" --version | awk '{ print $3 }') on $postgres_url" >&2
}
pg_start

run() {
    local name=$1
    shift
    echo "== $name: $*" >&2
    "$@" --summary "$work/$name.summary" > "$work/$name.md"
}
run micro "$bin/vigil-bench" micro
run load "$bin/vigil-load" --vigil "$bin/vigil" --peer "$venv/bin/gunicorn" --postgres "$postgres_url"
run scheduler "$bin/vigil-bench" scheduler
run scheduler-postgres "$bin/vigil-bench" scheduler --postgres "$postgres_url"
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
    echo "- PostgreSQL: $("$pgbin/postgres" --version | awk '{ print $3 }') (default settings)"
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
    cat "$work/load.summary" "$work/scheduler.summary" "$work/scheduler-postgres.summary" "$work/report.summary" \
        "$work/micro.summary" | grep '^|'
    echo
    cat "$work/load.md"
    echo
    cat "$work/scheduler.md"
    echo
    cat "$work/scheduler-postgres.md"
    echo
    cat "$work/report.md"
    echo
    cat "$work/micro.md"
    echo
    cat Benchmarks/history.md
} > BENCHMARKS.md
echo "wrote BENCHMARKS.md ($((finished - started)) s)" >&2
