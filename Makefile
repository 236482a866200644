# Vigil — every target installs what it needs first, so a fresh Debian machine needs only these.
SWIFT        ?= swift
# postgresql: the tests start a throw-away server of their own from its binaries
# (Tests/VigilTestSupport/PostgresTestServer.swift); the system cluster the package may start is never used.
APT_PACKAGES := libcurl4-openssl-dev libjson-c-dev libsqlite3-dev pkg-config postgresql
SUDO         := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
ARGS         ?=

.PHONY: all deps build release run test check format lint clean bench fuzz

all: build

## deps: install the missing Debian packages (libcurl, json-c, SQLite -dev; PostgreSQL for the tests' own server)
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

## test: build and run every test. Tests that hold real time to a bound (an alert within a second,
##   a dead replica's alerts within its lease) run on their own afterwards, so the rest of the
##   suite, run in parallel, cannot starve them of the CPU.
REALTIME_TESTS := SLAEndToEndTests|ReplicaEndToEndTests
# chromium: the dashboard's browser test drives Debian's headless Chromium (only the tests need it).
test: APT_PACKAGES += chromium
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --skip '$(REALTIME_TESTS)'
	$(SWIFT) test --skip-build --filter '$(REALTIME_TESTS)'

## check: validate ./vigil.yaml (or local mode), commands/ and playbooks/
check: build
	"$$($(SWIFT) build --show-bin-path)/vigil" check $(ARGS)

## format / lint: swift-format with .swift-format
format:
	$(SWIFT) format --in-place --recursive Sources Tests Package.swift

lint:
	$(SWIFT) format lint --recursive Sources Tests Package.swift

## bench: release-build, run every benchmark and write BENCHMARKS.md (about 11 minutes on 2 idle cores).
##   The slack-bolt peer it measures Vigil against runs from a venv: python3 with venv and pip.
bench: deps
	@python3 -c 'import venv, ensurepip' 2>/dev/null || { \
		echo "Installing: python3 python3-venv"; \
		$(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv; \
	}
	SWIFT="$(SWIFT)" bash Benchmarks/run.sh

## fuzz: build the libFuzzer harnesses (AddressSanitizer) into .build-fuzz and run each in turn for
##   10 minutes in all; FUZZ_SECONDS=N runs each for N s. Fails on any crash. See Tests/Fuzz/run.sh.
##   The libFuzzer runtime ships with the Swift toolchain (lib/clang/*/lib/linux), so no package is needed.
fuzz: deps
	SWIFT="$(SWIFT)" FUZZ_SECONDS="$(FUZZ_SECONDS)" bash Tests/Fuzz/run.sh

clean:
	rm -rf .build .build-fuzz
