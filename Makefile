# ctrlab: one Makefile for every stage, the probe, the tests and the benchmarks.
# `make help` lists the targets.

CC ?= cc
CFLAGS ?= -O2 -g
WARNINGS := -Wall -Wextra -Wshadow -Wformat=2 -Wmissing-prototypes -Wstrict-prototypes \
	-Werror=implicit-function-declaration -Werror=missing-prototypes \
	-Werror=strict-prototypes -Werror=shadow -Werror=format=2
ALL_CFLAGS := -std=gnu11 -D_GNU_SOURCE -I. $(WARNINGS) $(CFLAGS)

# `make SANITIZE=1` builds with ASan and UBSan into build/asan.
ifeq ($(SANITIZE),1)
ALL_CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
BUILD := build/asan
else
BUILD := build/release
endif

COMMON_SRC := common/error.c common/log.c common/parse.c common/env.c \
	common/options.c common/sync.c common/flagnames.c common/clone.c \
	common/init.c common/runtime.c common/main.c common/state.c
STAGE1_SRC := stage1-pid-uts/pid_uts.c stage1-pid-uts/main.c
STAGE1_MOD := stage1-pid-uts/pid_uts.c
# TEMPORARY: mount_stub.c stands in for stage 2's module until it is merged.
STAGE3_MOD := stage3-net/net.c stage3-net/net_setup.c stage3-net/ipam.c \
	stage3-net/netlink.c stage3-net/nat.c stage3-net/dns.c stage3-net/etc_bind.c \
	stage3-net/cleanup.c stage3-net/mount_stub.c
STAGE3_SRC := $(STAGE3_MOD) stage3-net/main.c
NET_LIBS := $(shell pkg-config --libs libmnl libnftables)

HEADERS := $(wildcard common/*.h stage*/*.h)
obj = $(patsubst %.c,$(BUILD)/%.o,$(1))

.PHONY: all stage1 stage3 unit-net verify-stage3 rootfs probe unit test verify verify-stage1 asan bench doctor deps \
	clean help FORCE

all: stage1 stage3 probe

help:
	@echo "make stage1          build stage1-pid-uts/run"
	@echo "make stage3          build stage3-net/run"
	@echo "make rootfs          build rootfs/ from busybox-static"
	@echo "make deps            install the Debian packages to build and test"
	@echo "make test            unit tests and every stage's verify suite"
	@echo "make verify          every stage's verify suite; verify-stage1 for one"
	@echo "make asan            the tests under ASan and UBSan"
	@echo "make bench           benchmarks against peers (hyperfine)"
	@echo "make doctor          what this host supports, stage by stage"

# Rebuild everything when the compiler flags change.
$(BUILD)/flags: FORCE
	@mkdir -p $(@D)
	@echo '$(CC) $(ALL_CFLAGS) $(LDFLAGS)' | cmp -s - $@ || echo '$(CC) $(ALL_CFLAGS) $(LDFLAGS)' > $@

$(BUILD)/%.o: %.c $(HEADERS) $(BUILD)/flags
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

stage1: stage1-pid-uts/run
stage1-pid-uts/run: $(call obj,$(COMMON_SRC) $(STAGE1_SRC))
	$(CC) $(LDFLAGS) -o $@ $^

stage3: stage3-net/run
stage3-net/run: $(call obj,$(COMMON_SRC) $(STAGE1_MOD) $(STAGE3_SRC))
	$(CC) $(LDFLAGS) -o $@ $^ $(NET_LIBS)

# The probe is static, so it runs in any rootfs without a C library.
probe: verify/probe
verify/probe: verify/probe.c $(BUILD)/flags
	$(CC) -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -O2 -static -o $@ verify/probe.c

rootfs:
	scripts/mkrootfs rootfs

UNIT_SRC := $(filter-out verify/unit/test_net.c,$(wildcard verify/unit/test_*.c))
UNIT_LIB_SRC := common/error.c common/log.c common/parse.c common/env.c \
	common/options.c common/flagnames.c
verify/unit/run-unit: $(UNIT_SRC) verify/unit/main.c $(call obj,$(UNIT_LIB_SRC))
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(filter %.c,$^) $(filter %.o,$^) -lcmocka

unit: verify/unit/run-unit
	verify/unit/run-unit

BATS := bats --print-output-on-failure
STAGES := stage1 stage3
verify-stage1: stage1 probe
	$(BATS) verify/stage1-pid-uts.bats

# Stage 3's unit tests have their own main until they are folded into run-unit.
UNIT_NET_SRC := stage3-net/ipam.c stage3-net/netlink.c stage3-net/nat.c \
	stage3-net/dns.c stage3-net/etc_bind.c stage3-net/mount_stub.c
verify/unit/run-unit-net: verify/unit/test_net.c $(call obj,$(UNIT_LIB_SRC) common/state.c $(UNIT_NET_SRC))
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(filter %.c,$^) $(filter %.o,$^) -lcmocka $(NET_LIBS)

unit-net: verify/unit/run-unit-net
	verify/unit/run-unit-net

verify-stage3: stage3 unit-net
	$(BATS) verify/stage3-net.bats

verify: $(addprefix verify-,$(STAGES))

test: unit verify

asan:
	$(MAKE) SANITIZE=1 test
	$(MAKE) SANITIZE=0 all

bench: all
	scripts/bench

doctor:
	@scripts/doctor

deps:
	scripts/deps

clean:
	rm -rf build stage*/run verify/probe verify/unit/run-unit verify/unit/run-unit-net

FORCE:
