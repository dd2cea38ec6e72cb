# alertd — the two commands a newcomer needs are `make run` and `make test`.
SWIFT ?= swift
PREFIX ?= /usr/local
DEBIAN_PACKAGES := libsystemd-dev pkg-config util-linux curl python3

.PHONY: run test build release deps clean

build:
	$(SWIFT) build

# Builds and starts alertd in the foreground on its embedded default config
# (UDP/TCP 127.0.0.1:5140, state and sockets under ./.alertd/).
run: build
	$(SWIFT) run alertd

# Installs what the tests need (when missing), builds everything and runs every test.
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --parallel

release:
	$(SWIFT) build -c release

# Debian packages the tests use as real peers; installed only when missing.
deps:
	@missing=""; for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

clean:
	rm -rf .build .alertd
