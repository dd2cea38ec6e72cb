# alertd — the two commands a newcomer needs are `make run` and `make test`.
SWIFT ?= swift
PREFIX ?= /usr/local
# What building needs (libsystemd for sd_notify and the journal; jemalloc,
# which alertd links as its malloc: docs/architecture.md), then what the
# tests and the benchmark use as real peers.
BUILD_PACKAGES := libsystemd-dev pkg-config libjemalloc-dev
DEBIAN_PACKAGES := $(BUILD_PACKAGES) systemd strace util-linux curl python3 prometheus-alertmanager prometheus

# `make install` / `make uninstall` (DESTDIR for staging, e.g. a package build).
DESTDIR ?=
BINDIR ?= $(PREFIX)/bin
DOCDIR ?= $(PREFIX)/share/doc/alertd
SYSCONFDIR ?= /etc
SYSTEMDUNITDIR ?= /lib/systemd/system
CATALOGDIR ?= /usr/lib/systemd/catalog
SWIFT_BUILD_FLAGS ?= -c release
# Directory holding already-built alertd and alertctl to install as they are
# (e.g. .build/debug); empty: build with $(SWIFT_BUILD_FLAGS) and use its bin path.
PRODUCTS_DIR ?=
UNITS := alertd.service alertd.socket alertd-udp.socket alertd-unix.socket
# The units and catalog name the default paths; rewritten when BINDIR/DOCDIR differ.
INSTALL_PATHS_SED := -e 's|/usr/local/bin/alertd|$(BINDIR)/alertd|g' -e 's|/usr/local/share/doc/alertd|$(DOCDIR)|g'

.PHONY: run test bench build release deps build-deps clean install uninstall

build: build-deps
	$(SWIFT) build

# Builds and starts alertd in the foreground on its embedded default config
# (UDP/TCP 127.0.0.1:5140, state and sockets under ./.alertd/).
run: build
	$(SWIFT) run alertd

# Installs what the tests need (when missing), builds everything and runs every test.
# Two runs: the end-to-end tests wait on real processes (alertd, curl,
# systemd-analyze, the benchmark harness) with blocking calls, which hold
# threads of Swift's cooperative pool (one per core: two here). In the same
# process as the module tests they stalled those tests' timers for 20 s and
# more, so the module tests run first, on their own.
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --parallel --skip EndToEndTests
	$(SWIFT) test --skip-build --parallel --filter EndToEndTests

release: build-deps
	$(SWIFT) build -c release

# Release build, then the benchmark (bench/bench.py): prints one table and
# writes the figures as JSON under bench/results/. BENCH_ARGS passes options,
# e.g. BENCH_ARGS="--cases udp-repeated,page-latency --repeat 5".
BENCH_ARGS ?=
bench: deps
	$(SWIFT) build -c release --product alertd
	$(SWIFT) build -c release --product alertd-microbench
	python3 bench/bench.py --bin "$$($(SWIFT) build -c release --show-bin-path)" $(BENCH_ARGS)

# Debian packages, installed only when missing: `deps` all of them,
# `build-deps` what building needs.
install_missing = @missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

deps:
	$(call install_missing,$(DEBIAN_PACKAGES))

build-deps:
	$(call install_missing,$(BUILD_PACKAGES))

clean:
	rm -rf .build .alertd

# Builds (release) and installs the programs, the units, the journal catalog,
# the docs and -- only where no file of that name exists yet -- the example
# configuration. Then, when installing into the live system, reloads systemd
# and rebuilds the catalog database so `journalctl -x` explains alertd events.
install: build-deps
	@set -e; products="$(PRODUCTS_DIR)"; \
	if [ -z "$$products" ]; then \
		$(SWIFT) build $(SWIFT_BUILD_FLAGS) --product alertd; \
		$(SWIFT) build $(SWIFT_BUILD_FLAGS) --product alertctl; \
		products="$$($(SWIFT) build $(SWIFT_BUILD_FLAGS) --show-bin-path)"; \
	fi; \
	echo "installing alertd, alertctl from $$products"; \
	install -d "$(DESTDIR)$(BINDIR)"; \
	install -m 0755 "$$products/alertd" "$$products/alertctl" "$(DESTDIR)$(BINDIR)/"
	install -d "$(DESTDIR)$(SYSTEMDUNITDIR)" "$(DESTDIR)$(CATALOGDIR)" "$(DESTDIR)$(DOCDIR)"
	@set -e; for unit in $(UNITS); do \
		sed $(INSTALL_PATHS_SED) "systemd/$$unit" > "$(DESTDIR)$(SYSTEMDUNITDIR)/$$unit"; \
		chmod 0644 "$(DESTDIR)$(SYSTEMDUNITDIR)/$$unit"; \
		echo "installed $(DESTDIR)$(SYSTEMDUNITDIR)/$$unit"; \
	done
	sed $(INSTALL_PATHS_SED) systemd/alertd.catalog > "$(DESTDIR)$(CATALOGDIR)/alertd.catalog"
	chmod 0644 "$(DESTDIR)$(CATALOGDIR)/alertd.catalog"
	install -m 0644 README.md docs/*.md "$(DESTDIR)$(DOCDIR)/"
	install -d "$(DESTDIR)$(SYSCONFDIR)/alertd/rules.d"
	@set -e; for file in alertd.yaml $$(cd etc/alertd && ls rules.d/*.yaml); do \
		target="$(DESTDIR)$(SYSCONFDIR)/alertd/$$file"; \
		if [ -e "$$target" ]; then echo "kept existing $$target"; \
		else install -m 0644 "etc/alertd/$$file" "$$target"; echo "installed $$target"; fi; \
	done
	@if [ -z "$(DESTDIR)" ]; then \
		journalctl --update-catalog || true; \
		if [ -d /run/systemd/system ]; then systemctl daemon-reload; fi; \
		echo "enable with: systemctl enable --now alertd.socket alertd-udp.socket alertd-unix.socket alertd.service"; \
	fi

# Removes what `make install` put in place, except the configuration in
# $(SYSCONFDIR)/alertd and the state in /var/lib/alertd (the operator's data).
uninstall:
	rm -f "$(DESTDIR)$(BINDIR)/alertd" "$(DESTDIR)$(BINDIR)/alertctl"
	rm -f $(addprefix "$(DESTDIR)$(SYSTEMDUNITDIR)/,$(addsuffix ",$(UNITS)))
	rm -f "$(DESTDIR)$(CATALOGDIR)/alertd.catalog"
	rm -rf "$(DESTDIR)$(DOCDIR)"
	@if [ -z "$(DESTDIR)" ]; then \
		journalctl --update-catalog || true; \
		if [ -d /run/systemd/system ]; then systemctl daemon-reload; fi; \
	fi
	@echo "left in place: $(DESTDIR)$(SYSCONFDIR)/alertd (configuration), /var/lib/alertd (state)"
