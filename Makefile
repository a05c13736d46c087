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
# Stages 1 and 2 need only the C library, so they link statically: a start then
# skips the dynamic loader, which is a measurable share of a 2 ms run (see
# docs/bench.md).
STATIC_LDFLAGS := -static
endif

# The stage programs link with musl when musl-gcc is installed (Debian package
# musl-tools): a static glibc program spends about 0.6 ms at each start in glibc's
# CPU feature detection, whose cpuid instructions trap to the hypervisor in a VM,
# and a static musl program does not (see docs/bench.md).  ASan builds, the unit
# tests and the probe keep glibc, and so does stage 3's network helper, because
# Debian builds libmnl and libnftables for glibc only.
MUSL_CC ?= musl-gcc
ifeq ($(SANITIZE),1)
STAGE_CC := $(CC)
STAGE_BUILD := $(BUILD)
STAGE_CFLAGS := $(ALL_CFLAGS)
else ifneq ($(shell command -v $(MUSL_CC) 2>/dev/null),)
STAGE_CC := $(MUSL_CC)
STAGE_BUILD := build/musl
# musl-gcc searches musl's headers only, so it gets the kernel's uapi headers
# (linux/, asm-generic/ and the host's asm/) through a directory of links.
MUSL_KERNEL_HEADERS := build/musl-include
STAGE_CFLAGS := $(ALL_CFLAGS) -isystem $(MUSL_KERNEL_HEADERS)
else
STAGE_CC := $(CC)
STAGE_BUILD := $(BUILD)
STAGE_CFLAGS := $(ALL_CFLAGS)
STAGE_NOTE := note: $(MUSL_CC) not found, so stages 1 and 2 link with glibc, which starts slower; run 'make deps'
endif

COMMON_SRC := common/error.c common/log.c common/parse.c common/env.c \
	common/options.c common/sync.c common/flagnames.c common/clone.c \
	common/init.c common/runtime.c common/main.c common/state.c common/fdpass.c \
	common/fileio.c
STAGE1_SRC := stage1-pid-uts/pid_uts.c stage1-pid-uts/main.c
STAGE1_MODULES := stage1-pid-uts/pid_uts.c
STAGE2_MODULES := stage2-mount/mount.c stage2-mount/mount_step.c stage2-mount/rootfs.c \
	stage2-mount/pseudofs.c stage2-mount/dev.c stage2-mount/pty.c stage2-mount/stdio_relay.c \
	stage2-mount/volume.c
STAGE2_SRC := $(STAGE1_MODULES) $(STAGE2_MODULES) stage2-mount/main.c
STAGE3_MODULES := stage3-net/net.c stage3-net/ipam.c stage3-net/dns.c \
	stage3-net/etc_bind.c stage3-net/helper_run.c
STAGE3_SRC := $(STAGE1_MODULES) $(STAGE2_MODULES) $(STAGE3_MODULES) stage3-net/main.c
# Stage 3's network helper (stage3-net/helper.h) is the one program that speaks
# netlink and nft.  libmnl ships no static library, so it links dynamically with
# glibc; nat.c loads libnftables with dlopen only when it runs an nft command.
HELPER_SRC := common/error.c common/log.c common/parse.c common/state.c \
	common/fdpass.c common/fileio.c stage3-net/helper_main.c stage3-net/net_setup.c \
	stage3-net/ipam.c stage3-net/netlink.c stage3-net/nat.c stage3-net/cleanup.c
NET_LIBS := $(shell pkg-config --libs libmnl)

HEADERS := $(wildcard common/*.h stage*/*.h)
obj = $(patsubst %.c,$(BUILD)/%.o,$(1))
stage_obj = $(patsubst %.c,$(STAGE_BUILD)/%.o,$(1))

.PHONY: all stage1 stage2 stage3 rootfs probe unit unit-net test verify verify-stage1 \
	verify-stage2 verify-stage3 asan bench \
	doctor deps \
	clean help FORCE

all: stage1 stage2 stage3 probe verify/route_dump_gate.so

help:
	@echo "make stage1          build stage1-pid-uts/run (make: every stage and what the tests run)"
	@echo "make stage2          build stage2-mount/run"
	@echo "make stage3          build stage3-net/run and its network helper"
	@echo "make probe           build verify/probe, the static program the suites run"
	@echo "                     (make also builds verify/route_dump_gate.so, a library stage 3's suite preloads)"
	@echo "make rootfs          build rootfs/ from busybox-static"
	@echo "make deps            install the Debian packages to build and test"
	@echo "make test            unit tests and every stage's verify suite"
	@echo "make unit            the cmocka unit tests only"
	@echo "make verify          every stage's verify suite; verify-stage1 for one"
	@echo "make asan            the tests under ASan and UBSan"
	@echo "make bench           benchmarks against peers (hyperfine)"
	@echo "make doctor          what this host supports, stage by stage"
	@echo "make clean           remove build/, the stage programs and the test programs"

# Rebuild objects when the compiler flags change.  Each variant (release, asan,
# musl) keeps its objects apart, but the programs share one path, so they also relink
# whenever the variant changes (build/link-flags).
FLAGS_LINE := $(CC) $(ALL_CFLAGS) $(LDFLAGS) $(STATIC_LDFLAGS)
STAGE_FLAGS_LINE := $(STAGE_CC) $(STAGE_CFLAGS) $(LDFLAGS) $(STATIC_LDFLAGS)
$(BUILD)/flags: FORCE
	@mkdir -p $(@D)
	@echo '$(FLAGS_LINE)' | cmp -s - $@ || echo '$(FLAGS_LINE)' > $@
build/link-flags: FORCE
	@mkdir -p $(@D)
	@echo '$(STAGE_FLAGS_LINE)' | cmp -s - $@ || echo '$(STAGE_FLAGS_LINE)' > $@

# V=1 shows the full compiler command lines.
ifeq ($(V),1)
Q :=
else
Q := @
endif

$(BUILD)/%.o: %.c $(HEADERS) $(BUILD)/flags
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

ifdef MUSL_KERNEL_HEADERS
MUSL_FLAGS_LINE := $(STAGE_CC) $(STAGE_CFLAGS)
build/musl/flags: FORCE
	@mkdir -p $(@D)
	@echo '$(MUSL_FLAGS_LINE)' | cmp -s - $@ || echo '$(MUSL_FLAGS_LINE)' > $@

build/musl/%.o: %.c $(HEADERS) build/musl/flags | $(MUSL_KERNEL_HEADERS)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  MUSLCC  $<")
	$(Q)$(STAGE_CC) $(STAGE_CFLAGS) -c -o $@ $<

$(MUSL_KERNEL_HEADERS):
	@mkdir -p $@.tmp
	ln -sfn /usr/include/linux /usr/include/asm-generic $@.tmp/
	ln -sfn /usr/include/$$(gcc -print-multiarch)/asm $@.tmp/asm
	@mv -T $@.tmp $@
endif

stage1: stage1-pid-uts/run
stage1-pid-uts/run: $(call stage_obj,$(COMMON_SRC) $(STAGE1_SRC)) build/link-flags
	@$(if $(STAGE_NOTE),echo "$(STAGE_NOTE)")
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(STAGE_CC) $(LDFLAGS) $(STATIC_LDFLAGS) -o $@ $(filter %.o,$^)

# Stage 2 and later run in rootfs/ by default, so building them builds it once.
stage2: stage2-mount/run rootfs/bin/busybox
stage2-mount/run: $(call stage_obj,$(COMMON_SRC) $(STAGE2_SRC)) build/link-flags
	@$(if $(STAGE_NOTE),echo "$(STAGE_NOTE)")
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(STAGE_CC) $(LDFLAGS) $(STATIC_LDFLAGS) -o $@ $(filter %.o,$^)

stage3: stage3-net/run stage3-net/ctrlab-net rootfs/bin/busybox
stage3-net/run: $(call stage_obj,$(COMMON_SRC) $(STAGE3_SRC)) build/link-flags
	@$(if $(STAGE_NOTE),echo "$(STAGE_NOTE)")
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(STAGE_CC) $(LDFLAGS) $(STATIC_LDFLAGS) -o $@ $(filter %.o,$^)

stage3-net/ctrlab-net: $(call obj,$(HELPER_SRC)) build/link-flags
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(NET_LIBS) -ldl

# The probe is static, so it runs in any rootfs without a C library.
probe: verify/probe
verify/probe: verify/probe.c
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -O2 -static -o $@ verify/probe.c

# The stage 3 suite preloads this library into the network helper to hold its
# route dump at a point where two runs race.
verify/route_dump_gate.so: verify/route_dump_gate.c
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) -std=gnu11 -Wall -Wextra -O2 -shared -fPIC -o $@ verify/route_dump_gate.c -ldl

rootfs:
	scripts/mkrootfs rootfs

rootfs/bin/busybox:
	scripts/mkrootfs rootfs

# Each verify/unit/test_*.c is one cmocka program, linked with the common layer.
UNIT_TESTS := $(patsubst verify/unit/%.c,$(BUILD)/unit/%,$(wildcard verify/unit/test_*.c))
UNIT_LIB_OBJ := $(call obj,$(filter-out common/main.c,$(COMMON_SRC)))
# Only the unit tests' pattern rule needs these glibc objects, so make would
# delete them after each build as intermediate files and rebuild them next time.
.SECONDARY: $(UNIT_LIB_OBJ)
$(BUILD)/unit/%: verify/unit/%.c $(UNIT_LIB_OBJ) $(HEADERS)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(UNIT_LIB_OBJ) $(UNIT_LIBS) -lcmocka

# The volume spec parser is stage 2's; its test links stage 2's volume code.
$(BUILD)/unit/test_volume: $(call obj,stage2-mount/volume.c)
$(BUILD)/unit/test_volume: UNIT_LIBS += $(call obj,stage2-mount/volume.c)

# Stage 3's test links its modules; it provides its own net_etc_bind(), so
# stage 2 stays out of it.
UNIT_NET_OBJ := $(call obj,stage3-net/ipam.c stage3-net/netlink.c stage3-net/nat.c \
	stage3-net/dns.c)
$(BUILD)/unit/test_net: $(UNIT_NET_OBJ)
$(BUILD)/unit/test_net: UNIT_LIBS += $(UNIT_NET_OBJ) $(NET_LIBS)

unit-net: $(BUILD)/unit/test_net
	$(BUILD)/unit/test_net

unit: $(UNIT_TESTS)
	@failed=0; for t in $(UNIT_TESTS); do $$t || failed=1; done; exit $$failed

# BATS_FORMAT=tap gives CI countable lines; the default suits a terminal.
# BATS_FLAGS adds bats options, such as --timing for each test's duration.
BATS_FORMAT ?= pretty
BATS_FLAGS ?=
BATS := bats --print-output-on-failure --formatter $(BATS_FORMAT) $(BATS_FLAGS)
STAGES := stage1 stage2 stage3
verify-stage1: stage1 probe
	$(BATS) verify/stage1-pid-uts.bats

verify-stage2: stage2 probe
	$(BATS) verify/stage2-mount.bats

verify-stage3: stage3 verify/route_dump_gate.so
	$(BATS) verify/stage3-net.bats

verify: $(addprefix verify-,$(STAGES))

test: all unit verify

asan:
	$(MAKE) SANITIZE=1 test
	$(MAKE) SANITIZE=0 all

bench: all
	scripts/bench
	scripts/bench-stage2
	verify/hostsim scripts/bench-stage3 $(CURDIR)/build/bench

doctor:
	@scripts/doctor

deps:
	scripts/deps

clean:
	rm -rf build stage*/run stage3-net/ctrlab-net verify/probe verify/route_dump_gate.so

FORCE:
