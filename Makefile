# Vigil — every target installs what it needs first, so a fresh Debian machine needs only these.
SWIFT        ?= swift
APT_PACKAGES := libcurl4-openssl-dev libjson-c-dev libsqlite3-dev pkg-config
SUDO         := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
ARGS         ?=

.PHONY: all deps build release run test check format lint clean bench

all: build

## deps: install the missing Debian -dev packages (libcurl, json-c, SQLite)
deps:
	@missing=""; \
	for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "Installing:$$missing"; \
		$(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

## build: debug build of everything
build: deps
	$(SWIFT) build

## release: optimised build of the vigil executable
release: deps
	$(SWIFT) build -c release --product vigil

## run: build and start Vigil (local mode unless ./vigil.yaml exists); ARGS="--listen …" passes flags
run: build
	"$$($(SWIFT) build --show-bin-path)/vigil" serve $(ARGS)

## test: build and run every test
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

## check: validate ./vigil.yaml (or local mode), commands/ and playbooks/
check: build
	"$$($(SWIFT) build --show-bin-path)/vigil" check $(ARGS)

## format / lint: swift-format with .swift-format
format:
	$(SWIFT) format --in-place --recursive Sources Tests Package.swift

lint:
	$(SWIFT) format lint --recursive Sources Tests Package.swift

## bench: release-build vigil-bench, run the benchmarks and write BENCHMARKS.md (takes a few minutes)
bench: deps
	$(SWIFT) build -c release --product vigil-bench
	@mkdir -p .build
	@# tee would hide the benchmark's exit status (no pipefail in sh): carry it through a file
	{ "$$($(SWIFT) build -c release --show-bin-path)/vigil-bench" scheduler; echo $$? > .build/bench-scheduler.rc; } \
		| tee .build/bench-scheduler.md; exit "$$(cat .build/bench-scheduler.rc)"
	@{ \
		echo "# Vigil benchmarks"; \
		echo; \
		echo "Written by \`make bench\`; re-run it to refresh. Figures are from one run on the machine below."; \
		echo; \
		echo "## Machine"; \
		echo; \
		echo "- CPUs: $$(nproc)"; \
		echo "- Memory: $$(awk '/^MemTotal:/ { printf "%.1f GiB", $$2 / 1048576 }' /proc/meminfo)"; \
		echo "- Kernel: $$(uname -srm)"; \
		echo "- Swift: $$($(SWIFT) --version 2>&1 | head -n 1)"; \
		echo "- Date: $$(date -u '+%Y-%m-%d %H:%M UTC')"; \
		echo; \
		echo "## Scheduler"; \
		echo; \
		echo "100,000 open incidents with 3 running clocks each (ack, resolve, and a legal or playbook-step"; \
		echo "clock) in a fresh SQLite database (WAL, \`synchronous=NORMAL\`), seeded through the store's"; \
		echo "\`commit\` (one transaction per incident). 2,000 of them have ack clocks due over ~8 s after seeding;"; \
		echo "every other clock is due 7–37 days out. The store is closed and reopened (time to re-arm), then a"; \
		echo "\`ClockScheduler\` (real \`ContinuousClock\` and \`Date()\`) runs until all 2,000 have fired."; \
		echo "Lateness = the \`clock_breached\` event's time minus its \`due_at\`. Outbox delivery does not run."; \
		echo "Target: alert lateness p99 ≤ 250 ms with 100,000 open incidents."; \
		echo; \
		echo "Command: \`make bench\`, which runs"; \
		echo "\`\"\$$(swift build -c release --show-bin-path)/vigil-bench\" scheduler\`"; \
		echo; \
		cat .build/bench-scheduler.md; \
		cat Benchmarks/history.md; \
	} > BENCHMARKS.md
	@echo "wrote BENCHMARKS.md"

clean:
	rm -rf .build
