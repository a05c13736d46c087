#!/usr/bin/env bats
# Stage 3: container networking, tested inside verify/hostsim.  Every test builds
# its own simulated host (a network namespace with an upstream namespace behind
# a veth of MTU 1400, and dnsmasq there), runs ctrlab inside it with its own
# state directory, and removes it all afterwards.  Nothing here runs in the
# machine's root network namespace, and no packet leaves the test's namespaces.
#
# Containers run in the busybox rootfs (make rootfs), so the commands inside
# them are busybox applets.

bats_require_minimum_version 1.5.0

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

setup_file() {
	cd "$BATS_TEST_DIRNAME/.."
	[ -x stage3-net/run ] && [ -x rootfs/bin/busybox ] || make stage3
	[ -e verify/route_dump_gate.so ] || make verify/route_dump_gate.so
}

setup() {
	cd "$BATS_TEST_DIRNAME/.."
	export RUN="$PWD/stage3-net/run"
	export HOSTSIM="$PWD/verify/hostsim"
	export WORK="$BATS_TEST_TMPDIR"
}

br_netfilter_loaded() {
	[ -e /proc/sys/net/bridge/bridge-nf-call-iptables ]
}

# Skip without br_netfilter, except under CI, where the test must fail instead.
require_br_netfilter() {
	br_netfilter_loaded && return 0
	[ "${CI:-}" = true ] && fail "br_netfilter is not loaded: run 'modprobe br_netfilter'"
	skip "br_netfilter is not loaded (modprobe br_netfilter)"
}

# Run the bash script $1 inside a fresh simulated host.
sim() {
	run "$HOSTSIM" bash -euo pipefail -c "$1"
}

# Shared helpers for the scripts run inside the simulated host.
export HELPERS='
# The simulated host as a comparable text: links, addresses, routes, ruleset,
# forwarding and the bridge netfilter switch.
snapshot() {
	ip -o link | sed -e "s/^[0-9]*: //" -e "s/ link\/.*//"
	ip -o addr | sed "s/^[0-9]*: //"
	ip route
	nft list ruleset
	cat /proc/sys/net/ipv4/ip_forward
}
# Wait until command "$@" succeeds, at most about 60 s, because CI machines can be
# much slower than a workstation.
wait_for() {
	for _ in $(seq 600); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "timed out waiting for: $*" >&2
	return 1
}
# grep reads all of its input: with pipefail, grep -q could leave ip(8) to die
# of SIGPIPE and fail the pipeline although a link matched.
has_veth() { ip -o link | grep " cv[0-9a-f]*@" >/dev/null; }
no_veth() { ! has_veth; }
leases() { ls "$CTRLAB_STATE_DIR/net/leases"; }
# Print what the container named web holds: leases, DNAT rules, state.
web_state() {
	echo "leases: $(leases | wc -l)"
	echo "rules: $(nft list table inet ctrlab | grep -c "ctrlab:web")"
	if [ -d $CTRLAB_STATE_DIR/web ]; then echo "state of web kept"; fi
}
# Start $RUN with the arguments in the background, its output in $WORK/first,
# with its helper'"'"'s first route dump held until gate_open (see
# verify/route_dump_gate.c), and wait until the helper reaches it.  Under ASan
# the preloaded library comes before ASan'"'"'s runtime, which ASan allows only
# when told.
gated_run() {
	mkdir -p $WORK/gate
	ROUTE_DUMP_GATE_DIR=$WORK/gate LD_PRELOAD=$PWD/verify/route_dump_gate.so \
		ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 \
		$RUN "$@" >$WORK/first 2>&1 &
	gated_pid=$!
	wait_for test -e $WORK/gate/reached
}
# Let the gated run go on, wait for it, and print its status and output.  Print
# "gate timed out" when the gate opened by itself: then the race did not happen
# as the test planned.
gate_open() {
	local status=0
	touch $WORK/gate/open
	wait $gated_pid || status=$?
	echo "first run status $status"
	cat $WORK/first
	if [ -e $WORK/gate/timed-out ]; then echo "gate timed out"; fi
}
'

@test "loopback is up in bridge and none modes" {
	sim "$HELPERS"'
	$RUN -q busybox ip -o link show lo
	$RUN -q busybox ping -c1 -W2 127.0.0.1
	$RUN -q --net none busybox ping -c1 -W2 127.0.0.1'
	assert_success
	assert_line --partial "lo: <LOOPBACK,UP,LOWER_UP>"
	assert_line --partial "1 packets transmitted, 1 packets received"
}

@test "--net none has loopback only" {
	sim '$RUN -q --net none busybox ip -o link'
	assert_success
	assert_line --index 0 --partial "lo:"
	assert [ "${#lines[@]}" -eq 1 ]
}

@test "--net host shares the host namespace and says so" {
	sim '$RUN --net host busybox ip -o link show uplink0'
	assert_success
	assert_line --partial "--net host: the container shares the host's network namespace"
	assert_line --partial "uplink0"
}

@test "eth0 gets address, default route and uplink MTU" {
	sim '$RUN -q busybox ip -o -4 addr show eth0
	$RUN -q busybox ip route
	$RUN -q busybox ip -o link show eth0'
	assert_success
	assert_line --regexp "eth0 +inet 10\.88\.0\.2/16"
	assert_line --regexp "^default via 10\.88\.0\.1 dev eth0"
	assert_line --regexp "eth0@if[0-9]+: .* mtu 1400 "
}

@test "an uplink MTU below IPv6's minimum works" {
	# Below 1280 bytes a link gets no IPv6 state, so the kernel rejects the
	# host end's IPv6 address generation mode: see net_veth_create().
	sim 'ip route change default via $HOSTSIM_UPSTREAM_ADDR mtu 1200
	$RUN -q busybox sh -c "ip -o link show eth0; ping -c1 -W2 $HOSTSIM_UPSTREAM_ADDR"'
	assert_success
	assert_line --regexp "eth0@if[0-9]+: .* mtu 1200 "
	assert_line --partial "1 packets transmitted, 1 packets received"
}

@test "bridge and eth0 have no IPv6" {
	# With IPv6 on, a router advertisement from one container would give the
	# host and the other containers a default route through that container.
	sim '
	$RUN -q busybox sh -c "cat /proc/sys/net/ipv6/conf/eth0/disable_ipv6; busybox ip -6 addr show dev eth0 | wc -l"
	echo "bridge: $(cat /proc/sys/net/ipv6/conf/ctrlab0/disable_ipv6) $(ip -6 addr show dev ctrlab0 | wc -l)"'
	assert_success
	assert_equal "${lines[0]}" 1
	assert_equal "${lines[1]}" 0
	assert_line "bridge: 1 0"
}

@test "veth host end is a bridge port with the same MTU and no IPv6" {
	sim "$HELPERS"'
	$RUN -q sleep 1000 &
	wait_for has_veth
	ip -o link show master ctrlab0
	ip -o -d link show master ctrlab0 | grep -o "numtxqueues [0-9]* numrxqueues [0-9]*"
	veth=$(ip -o link show master ctrlab0 | grep -o "cv[0-9a-f]*")
	# The pair has its carrier once COMMAND runs, when IPv6 would have
	# given the host end its link-local address.
	carrier() { ip -o link show "$veth" | grep LOWER_UP >/dev/null; }
	wait_for carrier
	sleep 0.2
	echo "host end: $(ip -d link show "$veth" | grep -o "addrgenmode [a-z]*"), IPv6 lines $(ip -6 addr show dev "$veth" | wc -l)"
	kill %1; wait %1 || true'
	assert_success
	assert_line --regexp "cv[0-9a-f]+@.* mtu 1400 .*master ctrlab0"
	# One queue each way from the start: see queues_put() in netlink.c.
	assert_line "numtxqueues 1 numrxqueues 1"
	# No link-local address: see net_veth_create() in net_setup.c.
	assert_line "host end: addrgenmode none, IPv6 lines 0"
}

@test "COMMAND and the waiting runtime keep every CPU" {
	# The runtime keeps the helper and then itself off one CPU for a moment
	# (helper_cpus_join() in helper_run.c); neither COMMAND nor the runtime
	# that waits for it may stay restricted.
	sim "$HELPERS"'
	host=$(grep Cpus_allowed_list /proc/self/status)
	echo "host: $host"
	$RUN -q busybox sh -c "grep Cpus_allowed_list /proc/self/status; sleep 1000" &
	runtime=$!
	wait_for has_veth
	sleep 0.3
	echo "runtime: $(grep Cpus_allowed_list /proc/$runtime/status)"
	kill $runtime; wait $runtime || true'
	assert_success
	local host=${lines[0]#host: }
	assert_line --index 1 "$host"
	assert_line "runtime: $host"
}

@test "network setup runs no ip or nft program" {
	# Links, addresses and routes go over netlink and rules through
	# libnftables: with no program found in PATH, setup still works.
	sim 'PATH=/nonexistent $RUN -q --dns 192.168.251.1 -p 8080:80 busybox ip -o -4 addr show eth0
	PATH=/nonexistent $RUN cleanup'
	assert_success
	assert_line --regexp "eth0 +inet 10\.88\.0\.2/16"
}

@test "only the runtime waits; the helper is gone" {
	# The network helper exits once the container runs: the process that
	# waits is the runtime alone, which maps no network library.
	sim "$HELPERS"'
	$RUN -q sleep 1000 &
	pid=$!
	wait_for has_veth
	# The veth comes before the helper'"'"'s reply: give it time to exit, and
	# the runtime time to collect it, which a zombie would never pass.
	helper_gone() { ! ps -o comm= --ppid $pid | grep ctrlab-net >/dev/null; }
	wait_for helper_gone && echo "helper collected"
	echo "network libraries mapped: $(grep -c "libmnl\|libnftables" /proc/$pid/maps || true)"
	kill $pid; wait $pid || true'
	assert_success
	assert_line "helper collected"
	assert_line "network libraries mapped: 0"
}

@test "a missing network helper stops the run with 125" {
	sim "$HELPERS"'
	before=$(snapshot)
	mkdir $WORK/alone
	cp $RUN $WORK/alone/run
	status=0; $WORK/alone/run --rootfs "$PWD/rootfs" true 2>&1 || status=$?
	echo "status $status"
	[ "$before" = "$(snapshot)" ] && echo "host unchanged"
	echo "leases: $(leases | wc -l)"'
	assert_success
	assert_line --partial "Network helper '$WORK/alone/ctrlab-net' not found or not executable (No such file or directory); build it with 'make stage3', or keep ctrlab-net in the same directory as run"
	assert [ "$(printf "%s\n" "${lines[@]}" | grep -c "ctrlab: error")" -eq 1 ]
	assert_line "status 125"
	assert_line "host unchanged"
	assert_line "leases: 0"
}

@test "a helper that ends with the lease unread is named" {
	# A static musl program starts fast enough to exit after the lease is
	# queued and before the netns follows, which resets the connection: the
	# runtime must still name the helper's exit (net_after_clone()).
	command -v musl-gcc >/dev/null || require "musl-gcc builds the stub helper (package musl-tools, make deps)"
	sim "$HELPERS"'
	mkdir $WORK/quick
	cp $RUN $WORK/quick/run
	echo "int main(void) { return 3; }" > $WORK/quick/stub.c
	musl-gcc -static -O2 -o $WORK/quick/ctrlab-net $WORK/quick/stub.c
	for i in $(seq 20); do
		{ $WORK/quick/run -q --rootfs "$PWD/rootfs" true 2>&1 || true; } | grep "ctrlab: error" || true
	done
	echo "leases: $(leases | wc -l)"'
	assert_success
	assert_equal "$(printf "%s\n" "${lines[@]}" | grep -c "The network helper ended with exit status 3 before it replied")" 20
	assert_line "leases: 0"
}

@test "a helper that ends without a reply is named" {
	sim "$HELPERS"'
	before=$(snapshot)
	mkdir $WORK/broken
	cp $RUN $WORK/broken/run
	printf "#!/bin/sh\nexit 3\n" > $WORK/broken/ctrlab-net
	chmod +x $WORK/broken/ctrlab-net
	status=0; $WORK/broken/run --rootfs "$PWD/rootfs" true 2>&1 || status=$?
	echo "status $status"
	[ "$before" = "$(snapshot)" ] && echo "host unchanged"
	echo "leases: $(leases | wc -l)"'
	assert_success
	assert_line --partial "The network helper ended with exit status 3 before it replied"
	assert_line "status 125"
	assert_line "host unchanged"
	assert_line "leases: 0"
}

@test "the helper rejects bad arguments with 125" {
	run "$BATS_TEST_DIRNAME/../stage3-net/ctrlab-net" add --mode bogus
	assert_failure 125
	assert_output --partial "Invalid --mode 'bogus': choose bridge or none; this program is started by stage3-net/run"
	run "$BATS_TEST_DIRNAME/../stage3-net/ctrlab-net" frobnicate
	assert_failure 125
	assert_output --partial "Invalid command 'frobnicate'"
	run "$BATS_TEST_DIRNAME/../stage3-net/ctrlab-net" add --state-dir "$WORK" --name x --mode none 3>&-
	assert_failure 125
	assert_output --partial "add needs the runtime's socket as fd 3"
}

@test "the helper lists its commands with --help" {
	run "$BATS_TEST_DIRNAME/../stage3-net/ctrlab-net" --help
	assert_success
	assert_line 'Usage: ctrlab-net COMMAND [OPTIONS]'
	assert_line --partial 'cleanup --state-dir DIR'
	run -125 bash -c "'$BATS_TEST_DIRNAME/../stage3-net/ctrlab-net' --help > /dev/full"
	assert_output 'ctrlab: error: Failed to write to stdout: No space left on device'
}

@test "cleanup rejects a relative state directory with 125" {
	# Inside the simulated host, so that a cleanup that went ahead could not
	# touch this machine's network.
	sim '
	status=0; CTRLAB_STATE_DIR=relative $RUN cleanup 2>&1 || status=$?
	echo "status $status"
	status=0; CTRLAB_STATE_DIR= $RUN cleanup 2>&1 || status=$?
	echo "status $status"
	status=0; $RUN cleanup --state-dir relative 2>&1 || status=$?
	echo "status $status"'
	assert_success
	assert_line "ctrlab: error: Invalid CTRLAB_STATE_DIR 'relative': give an absolute path, or unset it for /run/ctrlab"
	assert_line "ctrlab: error: Invalid CTRLAB_STATE_DIR '': give an absolute path, or unset it for /run/ctrlab"
	assert_line --partial "Invalid --state-dir 'relative': give an absolute path"
	assert [ "$(printf "%s\n" "${lines[@]}" | grep -c "status 125")" -eq 3 ]
}

@test "container pings the gateway" {
	sim '$RUN -q busybox ping -c1 -W2 10.88.0.1'
	assert_success
	assert_line --partial "1 packets received"
}

@test "upstream is reached through NAT with the host's source" {
	sim '
	# Count, on the upstream host, pings by their source address.
	ip netns exec $HOSTSIM_UPSTREAM nft -f - <<EOF
table inet probe {
	chain input {
		type filter hook input priority 0;
		icmp type echo-request ip saddr $HOSTSIM_HOST_ADDR counter
		icmp type echo-request ip saddr 10.88.0.0/16 counter
	}
}
EOF
	$RUN -q busybox ping -c1 -W2 $HOSTSIM_UPSTREAM_ADDR
	ip netns exec $HOSTSIM_UPSTREAM nft list chain inet probe input'
	assert_success
	assert_line --partial "1 packets received"
	assert_line --partial "ip saddr 192.168.251.2 counter packets 1"
	assert_line --partial "ip saddr 10.88.0.0/16 counter packets 0"
}

@test "nat: masquerade rule is in ctrlab's table" {
	sim '$RUN -q true; nft list table inet ctrlab'
	assert_success
	assert_line --partial "ip saddr @subnets oifname != @bridges masquerade"
	assert_line --partial "elements = { \"ctrlab0\" }"
}

@test "forwarding is turned on and explained" {
	sim 'cat /proc/sys/net/ipv4/ip_forward; $RUN --explain true 2>&1; cat /proc/sys/net/ipv4/ip_forward'
	assert_success
	assert_line --index 0 "0"
	assert_line --partial 'write("/proc/sys/net/ipv4/ip_forward", "1")'
	assert_line --index $((${#lines[@]} - 1)) "1"
}

@test "forwarding turned on routes ctrlab's traffic only" {
	# A second network behind the simulated host, and a route to it on the
	# upstream.  The host forwarded nothing before ctrlab, so it must not
	# start routing between the upstream and that network.
	sim '
	lan2=lan2-$$
	trap "ip netns del $lan2 2>/dev/null || true" EXIT
	ip netns add $lan2
	ip link add lan2 type veth peer name eth0 netns $lan2
	ip addr add 192.168.252.1/24 dev lan2
	ip link set lan2 up
	ip -n $lan2 addr add 192.168.252.2/24 dev eth0
	ip -n $lan2 link set eth0 up
	ip -n $lan2 route add default via 192.168.252.1
	ip -n $HOSTSIM_UPSTREAM route add 192.168.252.0/24 via $HOSTSIM_HOST_ADDR
	reach() { ip netns exec $HOSTSIM_UPSTREAM ping -c1 -W1 192.168.252.2 >/dev/null 2>&1 && echo reached || echo blocked; }
	echo "before: $(cat /proc/sys/net/ipv4/ip_forward) $(reach)"
	$RUN -q busybox ping -c1 -W2 $HOSTSIM_UPSTREAM_ADDR >/dev/null && echo "container reaches upstream"
	echo "after a run: $(cat /proc/sys/net/ipv4/ip_forward) $(reach)"
	$RUN cleanup >/dev/null 2>&1
	echo "after cleanup: $(cat /proc/sys/net/ipv4/ip_forward) $(nft list ruleset | grep -c forward_others || true)"'
	assert_success
	assert_line "before: 0 blocked"
	assert_line "container reaches upstream"
	assert_line "after a run: 1 blocked"
	assert_line "after cleanup: 0 0"
}

@test "name resolves through the upstream DNS server" {
	sim '$RUN -q busybox nslookup $HOSTSIM_NAME'
	assert_success
	assert_line --partial "Address: 192.168.251.1"
}

@test "resolv.conf replaces a 127.0.0.53 stub with upstream servers" {
	sim '
	# A host like one with systemd-resolved, in this mount namespace only.
	mount -t tmpfs tmpfs /run
	mkdir -p /run/systemd/resolve
	printf "nameserver 192.168.251.1\n" > /run/systemd/resolve/resolv.conf
	printf "nameserver 127.0.0.53\noptions edns0 trust-ad\nsearch lab.test\n" > $WORK/stub.conf
	mount --bind $WORK/stub.conf /etc/resolv.conf
	$RUN -q cat /etc/resolv.conf
	$RUN -q busybox nslookup $HOSTSIM_NAME'
	assert_success
	assert_line "nameserver 192.168.251.1"
	refute_line --partial "127.0.0.53"
	assert_line "search lab.test"
	assert_line "options edns0 trust-ad"
	assert_line --partial "Address: 192.168.251.1"
}

@test "resolv.conf falls back with a warning" {
	sim '
	mount -t tmpfs tmpfs /run
	printf "nameserver 127.0.0.53\n" > $WORK/stub.conf
	mount --bind $WORK/stub.conf /etc/resolv.conf
	$RUN cat /etc/resolv.conf 2>&1'
	assert_success
	assert_line --partial "warning: The host's /etc/resolv.conf names no nameserver that a container can reach"
	assert_line "nameserver 1.1.1.1"
	refute_line "nameserver 127.0.0.53"
}

@test "--dns overrides the host's servers" {
	sim '$RUN -q --dns 192.168.251.1 --dns 192.168.251.9 cat /etc/resolv.conf'
	assert_success
	assert_line "nameserver 192.168.251.1"
	assert_line "nameserver 192.168.251.9"
	assert [ "$(printf "%s\n" "${lines[@]}" | grep -c nameserver)" -eq 2 ]
}

@test "/etc files are generated, read-only, host file untouched" {
	sim '
	rootfs_etc() { ls -la --time-style=full-iso rootfs/etc; cat rootfs/etc/resolv.conf rootfs/etc/hosts 2>/dev/null || true; }
	rootfs_before=$(rootfs_etc)
	before=$(cat /etc/resolv.conf)
	$RUN -q --hostname web1 sh -c "cat /etc/hosts /etc/hostname; echo x > /etc/resolv.conf && echo WRITABLE || echo read-only"
	[ "$(cat /etc/resolv.conf)" = "$before" ] && echo host-unchanged
	[ "$(rootfs_etc)" = "$rootfs_before" ] && echo rootfs-unchanged'
	assert_success
	assert_line --regexp "^10\.88\.0\.2[[:space:]]+web1$"
	assert_line "web1"
	assert_line "read-only"
	refute_line "WRITABLE"
	assert_line "host-unchanged"
	assert_line "rootfs-unchanged"
}

@test "/etc mount points are made in the overlay" {
	# A rootfs without /etc/hosts, /etc/hostname and /etc/resolv.conf gets
	# them in the overlay's writable layer, never in the rootfs directory.
	cp -a rootfs "$WORK/bare"
	rm "$WORK/bare/etc/hosts" "$WORK/bare/etc/hostname" "$WORK/bare/etc/resolv.conf"
	sim '$RUN -q --hostname web1 --rootfs "$WORK/bare" cat /etc/hostname /etc/resolv.conf
	ls "$WORK/bare/etc"'
	assert_success
	assert_line "web1"
	assert_line "nameserver 192.168.251.1"
	assert_line "group"
	refute_line "hostname"
	refute_line "resolv.conf"
}

@test "hostname defaults to the container name" {
	sim '$RUN -q --name web sh -c "hostname; cat /etc/hosts /etc/hostname"
	$RUN -q sh -c "echo unnamed \$(hostname)"
	$RUN -q --name my_box sh -c "echo underscore \$(hostname)"
	$RUN -q --name web2 --hostname front sh -c "echo given \$(hostname)"
	$RUN -q --net none --name quiet hostname'
	assert_success
	assert_line --index 0 "web"
	assert_line --regexp "^10\.88\.0\.2[[:space:]]+web$"
	assert_line --regexp "^unnamed ctrlab-[0-9a-f]{12}$"
	assert_line "underscore ctrlab"
	assert_line "given front"
	assert_line "quiet"
}

@test "two containers reach each other" {
	sim "$HELPERS"'
	$RUN -q busybox sh -c "busybox nc -l -p 7000 -e echo from-first" 3>&- &
	first=$!
	wait_for leases
	wait_for has_veth
	addr=10.88.0.2
	$RUN -q busybox sh -c "busybox ping -c1 -W2 $addr && for i in \$(seq 50); do busybox nc -w1 $addr 7000 </dev/null && break; sleep 0.1; done"
	# A listener that got no connection would wait forever.
	kill $first 2>/dev/null || true
	wait $first || true'
	assert_success
	assert_line --partial "1 packets received"
	assert_line "from-first"
}

@test "published port is reached from upstream and from the host" {
	sim "$HELPERS"'
	$RUN -q -p 8080:80 -p 192.168.251.2:8081:81/tcp busybox sh -c "busybox nc -ll -p 80 -e echo published & busybox nc -ll -p 81 -e echo second & exec sleep 1000" &
	wait_for has_veth
	wait_for busybox nc -w1 $HOSTSIM_HOST_ADDR 8080
	echo "upstream: $(ip netns exec $HOSTSIM_UPSTREAM busybox nc -w2 $HOSTSIM_HOST_ADDR 8080 </dev/null)"
	echo "host: $(busybox nc -w2 $HOSTSIM_HOST_ADDR 8080 </dev/null)"
	echo "second: $(ip netns exec $HOSTSIM_UPSTREAM busybox nc -w2 $HOSTSIM_HOST_ADDR 8081 </dev/null)"
	echo "prerouting rules: $(nft list chain inet ctrlab prerouting | grep -c "dnat ip to")"
	echo "output rules: $(nft list chain inet ctrlab output | grep -c "dnat ip to")"
	kill -TERM %1; wait %1 || true
	echo "rules after exit: $(nft list table inet ctrlab | grep -c "dnat ip to" || true)"'
	assert_success
	assert_line "upstream: published"
	assert_line "host: published"
	assert_line "second: second"
	assert_line "prerouting rules: 2"
	assert_line "output rules: 2"
	assert_line "rules after exit: 0"
}

@test "udp port is published" {
	sim "$HELPERS"'
	$RUN -q -p 5353:53/udp true
	# The kernel removes the first run'"'"'s veth some ms after its exit: only
	# once it is gone does has_veth mean the second container.
	wait_for no_veth
	$RUN -q -p 5353:53/udp sleep 1000 &
	wait_for has_veth
	nft list chain inet ctrlab prerouting
	kill -TERM %1; wait %1 || true'
	assert_success
	assert_line --partial "udp dport 5353 dnat ip to 10.88.0.2:53"
}

@test "host address not on the host is rejected" {
	sim "$HELPERS"'
	before=$(snapshot)
	for spec in 1.2.3.4:8080:80 8080:80:90; do
		status=0; $RUN -p $spec true 2>&1 || status=$?
		echo "status $status"
	done
	[ "$before" = "$(snapshot)" ] && echo "host unchanged"
	$RUN -q -p $HOSTSIM_HOST_ADDR:8080:80 true && echo "own address works"'
	assert_success
	assert_line --partial "Invalid host address of the published port 1.2.3.4:8080/tcp: 1.2.3.4 is not an address of this host"
	assert_line --partial "Invalid port spec '8080:80:90': it has too many parts; write [HOSTIP:]HOSTPORT:CONTAINERPORT[/tcp|/udp]"
	assert [ "$(printf "%s\n" "${lines[@]}" | grep -c "status 125")" -eq 2 ]
	assert_line "host unchanged"
	assert_line "own address works"
}

@test "duplicate host port in one run is rejected" {
	sim "$HELPERS"'
	before=$(snapshot)
	for args in "-p 8080:80 -p 8080:81" "-p 8080:80 -p 192.168.251.2:8080:81" "-p 5353:53/udp -p 5353:54/udp"; do
		status=0; $RUN $args true 2>&1 || status=$?
		echo "status $status"
	done
	[ "$before" = "$(snapshot)" ] && echo "host unchanged"
	$RUN -q -p 8080:80 -p 8080:80/udp true && echo "tcp and udp side by side"'
	assert_success
	assert_line --partial "Invalid port spec '8080:81': host port 8080/tcp is already published by -p 8080:80"
	assert_line --partial "Invalid port spec '192.168.251.2:8080:81': host port 192.168.251.2:8080/tcp is already published by -p 8080:80"
	assert_line --partial "Invalid port spec '5353:54/udp': host port 5353/udp is already published by -p 5353:53/udp"
	assert [ "$(printf "%s\n" "${lines[@]}" | grep -c "status 125")" -eq 3 ]
	assert_line "host unchanged"
	assert_line "tcp and udp side by side"
}

@test "host port of a running container is rejected" {
	sim "$HELPERS"'
	$RUN -q --name web -p 8080:80 sleep 1000 &
	wait_for has_veth
	# The bridge'"'"'s state turns from UNKNOWN to UP once its port is up.
	bridge_up() { ip -o link show ctrlab0 | grep " state UP " >/dev/null; }
	wait_for bridge_up
	before=$(snapshot)
	status=0; $RUN --name second -p 192.168.251.2:8080:90 true 2>&1 || status=$?
	echo "status $status"
	[ "$before" = "$(snapshot)" ] && echo "host unchanged"
	[ -e $CTRLAB_STATE_DIR/second ] && echo "state left" || echo "no state"
	echo "leases: $(leases | wc -l)"
	$RUN -q --name third -p 8081:80 true && echo "other port works"
	kill %1; wait %1 || true
	$RUN -q --name fourth -p 8080:80 true && echo "free again after exit"'
	assert_success
	assert_line --partial "Host port 192.168.251.2:8080/tcp is already published by container 'web' (runtime PID"
	assert_line --partial "choose another host port or stop 'web' first"
	assert_line "status 125"
	assert_line "host unchanged"
	assert_line "no state"
	assert_line "leases: 1"
	assert_line "other port works"
	assert_line "free again after exit"
}

@test "FORWARD DROP firewall stops ctrlab with the fix" {
	sim '
	# A first run records the ruleset generation it checked; the firewall
	# added after it changes the generation, so the next run checks again.
	$RUN -q true
	# The table and chain iptables-nft makes for "iptables -P FORWARD DROP".
	nft add table ip filter
	nft add chain ip filter FORWARD "{ type filter hook forward priority 0; policy drop; }"
	before=$(nft list table ip filter)
	status=0
	$RUN true 2>&1 || status=$?
	echo "status $status"
	[ "$(nft list table ip filter)" = "$before" ] && echo "filter table unchanged"
	ip -o link | grep -c " cv" || true'
	assert_success
	assert_line "status 125"
	assert_line --partial "would be dropped by chain FORWARD of table ip filter (policy drop)"
	assert_line --partial 'nft insert rule ip filter FORWARD iifname "ctrlab0" accept; nft insert rule ip filter FORWARD oifname "ctrlab0" accept'
	if br_netfilter_loaded; then
		assert_line --partial "(br_netfilter is on: traffic between containers on 'ctrlab0' passes this chain too)"
	fi
	assert_line "filter table unchanged"
}

@test "FORWARD DROP firewall with the fix applied lets traffic through" {
	require_br_netfilter
	sim "$HELPERS"'
	cat /proc/sys/net/bridge/bridge-nf-call-iptables
	nft add table ip filter
	nft add chain ip filter FORWARD "{ type filter hook forward priority 0; policy drop; }"
	nft insert rule ip filter FORWARD iifname "ctrlab0" accept
	nft insert rule ip filter FORWARD oifname "ctrlab0" accept
	# Counts what br_netfilter hands from the bridge to this chain: traffic
	# between two containers, which never leaves the bridge.
	nft insert rule ip filter FORWARD iifname "ctrlab0" oifname "ctrlab0" counter accept
	before=$(nft list table ip filter | grep -v "counter packets")
	$RUN -q busybox ping -c1 -W2 $HOSTSIM_UPSTREAM_ADDR
	# Until the ping container'"'"'s veth is gone, has_veth would not wait for
	# the listener, and the client could take its address 10.88.0.2.
	wait_for no_veth
	$RUN -q busybox sh -c "busybox nc -l -p 7000 -e echo neighbour" &
	wait_for has_veth
	$RUN -q busybox sh -c "for i in \$(seq 50); do busybox nc -w1 10.88.0.2 7000 </dev/null && break; sleep 0.1; done"
	# A listener that got no connection would wait forever.
	kill %1 2>/dev/null || true
	wait || true
	nft list chain ip filter FORWARD | grep "counter packets"
	[ "$(nft list table ip filter | grep -v "counter packets")" = "$before" ] && echo "filter table unchanged"'
	assert_success
	# br_netfilter passes bridged traffic through the FORWARD chain too.
	assert_line --index 0 "1"
	assert_line --partial "1 packets received"
	assert_line "neighbour"
	assert_line --regexp "iifname \"ctrlab0\" oifname \"ctrlab0\" counter packets [1-9]"
	assert_line "filter table unchanged"
}

@test "cleanup after the container exits" {
	sim "$HELPERS"'
	$RUN -q --name web -p 8080:80 true
	# The kernel removes the veth with the container'"'"'s network namespace.
	wait_for no_veth
	echo "links: $(ip -o link | grep -c " cv" || true)"
	echo "leases: $(ls $CTRLAB_STATE_DIR/net/leases | wc -l)"
	echo "rules: $(nft list table inet ctrlab | grep -c "dnat ip to" || true)"
	[ -e $CTRLAB_STATE_DIR/web ] && echo "state dir left" || echo "state dir gone"'
	assert_success
	assert_line "links: 0"
	assert_line "leases: 0"
	assert_line "rules: 0"
	assert_line "state dir gone"
}

@test "cleanup after SIGINT and SIGTERM of the runtime" {
	for signal in INT TERM; do
		sim "$HELPERS"'
		$RUN -q --name web -p 8080:80 sleep 1000 &
		pid=$!
		wait_for has_veth
		kill -'"$signal"' $pid
		status=0; wait $pid || status=$?
		echo "status $status"
		wait_for no_veth
		echo "links: $(ip -o link | grep -c " cv" || true)"
		echo "leases: $(ls $CTRLAB_STATE_DIR/net/leases | wc -l)"
		echo "rules: $(nft list table inet ctrlab | grep -c "dnat ip to" || true)"
		[ -e $CTRLAB_STATE_DIR/web ] && echo "state dir left" || echo "state dir gone"'
		assert_success
		refute_line "status 0"
		assert_line "links: 0"
		assert_line "leases: 0"
		assert_line "rules: 0"
		assert_line "state dir gone"
	done
}

@test "kill -9 leftovers are reclaimed by the next start" {
	sim "$HELPERS"'
	$RUN -q --name victim -p 8080:80 sleep 1000 &
	pid=$!
	wait_for has_veth
	kill -9 $pid
	wait $pid || true
	echo "leases after kill: $(leases | wc -l)"
	echo "rules after kill: $(nft list table inet ctrlab | grep -c "dnat ip to")"
	[ -d $CTRLAB_STATE_DIR/victim ] && echo "state left after kill"
	# The same name and port again: the reclaim clears the way for both.
	$RUN --name victim -p 8080:80 busybox ip -o -4 addr show eth0 2>&1
	echo "leases: $(leases | wc -l)"
	echo "rules: $(nft list table inet ctrlab | grep -c "dnat ip to" || true)"
	wait_for no_veth
	echo "links: $(ip -o link | grep -c " cv" || true)"
	[ -d $CTRLAB_STATE_DIR/victim ] && echo "state dir left" || echo "state dir gone"'
	assert_success
	assert_line "leases after kill: 1"
	assert_line "rules after kill: 2"
	assert_line "state left after kill"
	assert_line --partial "Reclaiming 10.88.0.2 from container 'victim'"
	assert_line --regexp "eth0 +inet 10\.88\.0\.2/16"
	assert_line "leases: 0"
	assert_line "rules: 0"
	assert_line "links: 0"
	assert_line "state dir gone"
}

@test "name of a running container is rejected" {
	# Leases, rules and state are found by name: a second lease with the name
	# of a running container would let a reclaim remove what that one uses.
	sim "$HELPERS"'
	$RUN -q --name web -p 8080:80 sleep 1000 &
	wait_for has_veth
	status=0; $RUN --name web true 2>&1 || status=$?
	echo "status $status"
	web_state
	kill %1; wait %1 || true'
	assert_success
	assert_line --regexp "^ctrlab: error: A container named 'web' already exists \(it holds a lease in '.*/run/ctrlab/net/leases'\); choose another --name$"
	assert_line "status 125"
	assert_line "leases: 1"
	assert_line "rules: 2"
	assert_line "state of web kept"
}

@test "reclaim spares a running container's name" {
	# A dead lease that names a running container, as an older ctrlab could
	# leave: the reclaim frees its address and nothing of the running one.
	sim "$HELPERS"'
	$RUN -q --name web -p 8080:80 sleep 1000 &
	wait_for has_veth
	# PID 4194304 is above the kernel'"'"'s largest PID, so this owner is dead.
	echo "4194304 1 web" >$CTRLAB_STATE_DIR/net/leases/10.88.0.99
	$RUN --name other true 2>&1
	web_state
	kill %1; wait %1 || true'
	assert_success
	assert_line --partial "Reclaiming 10.88.0.99 from container 'web'"
	assert_line --partial "Container 'web' runs under a newer lease: its ports, files and state stay"
	assert_line "leases: 1"
	assert_line "rules: 2"
	assert_line "state of web kept"
}

@test "kill -9 of 40 runtimes leaves no rule" {
	# The reclaim passes dead containers to the helper in batches: none may
	# keep a published port once its address is free again.
	sim "$HELPERS"'
	for i in $(seq 40); do
		$RUN -q --name m$i -p $((9000 + i)):80 sleep 1000 &
	done
	rules() { nft list table inet ctrlab 2>/dev/null | grep -c "dnat ip to" || true; }
	all_published() { [ "$(rules)" -eq 80 ]; }
	wait_for all_published
	kill -9 $(jobs -p)
	wait || true
	echo "rules after kill: $(rules)"
	$RUN true 2>&1 | grep -c Reclaiming
	echo "rules: $(rules)"
	echo "leases: $(leases | wc -l)"'
	assert_success
	assert_line "rules after kill: 80"
	assert_line "40"
	assert_line "rules: 0"
	assert_line "leases: 0"
}

@test "cleanup command removes bridge, table and state" {
	sim "$HELPERS"'
	before=$(snapshot)
	$RUN -q -p 8080:80 true
	$RUN -q --net none true
	wait_for no_veth
	$RUN cleanup 2>&1
	after=$(snapshot)
	[ "$before" = "$after" ] && echo "host as before" || diff <(echo "$before") <(echo "$after")
	[ -e $CTRLAB_STATE_DIR ] && echo "state left" || echo "state gone"'
	assert_success
	assert_line "ctrlab: Removed the bridge 'ctrlab0'"
	assert_line "host as before"
	assert_line "state gone"
}

@test "cleanup refuses while a container runs" {
	sim "$HELPERS"'
	$RUN -q --name busy sleep 1000 &
	wait_for has_veth
	status=0; $RUN cleanup 2>&1 || status=$?
	echo "status $status"
	ip -o link show ctrlab0 >/dev/null && echo "bridge kept"
	kill %1; wait %1 || true'
	assert_success
	assert_line --partial "Container 'busy'"
	assert_line --partial "still runs"
	assert_line "status 125"
	assert_line "bridge kept"
}

@test "cleanup after kill -9 removes everything" {
	sim "$HELPERS"'
	before=$(snapshot)
	$RUN -q -p 8080:80 sleep 1000 &
	pid=$!
	wait_for has_veth
	kill -9 $pid; wait $pid || true
	wait_for no_veth
	$RUN cleanup
	[ "$before" = "$(snapshot)" ] && echo "host as before"
	[ -e $CTRLAB_STATE_DIR ] && echo "state left" || echo "state gone"'
	assert_success
	assert_line "host as before"
	assert_line "state gone"
}

@test "cleanup keeps state of containers without a lease" {
	sim "$HELPERS"'
	$RUN -q true
	$RUN -q --net none --name quiet sleep 1000 &
	wait_for test -d $CTRLAB_STATE_DIR/quiet
	$RUN cleanup 2>&1
	[ -d $CTRLAB_STATE_DIR/quiet ] && echo "running state kept"
	[ -e $CTRLAB_STATE_DIR/net ] && echo "net left" || echo "net gone"
	kill %1; wait %1 || true'
	assert_success
	assert_line --partial "still contains the state of containers without a network lease"
	assert_line "running state kept"
	assert_line "net gone"
}

@test "cleanup keeps a state dir that is a mount point" {
	sim '
	mkdir $WORK/state
	mount -t tmpfs -o mode=0711 scratch $WORK/state
	$RUN -q --state-dir $WORK/state true
	status=0; $RUN cleanup --state-dir $WORK/state 2>&1 || status=$?
	echo "status $status"
	ls -A $WORK/state | wc -l
	umount $WORK/state'
	assert_success
	assert_line --partial "Kept '$BATS_TEST_TMPDIR/state': it is a mount point"
	assert_line "status 0"
	assert_line "0"
}

@test "100 concurrent containers get unique addresses" {
	sim "$HELPERS"'
	mkfifo $WORK/go
	exec 3<>$WORK/go
	for i in $(seq 100); do
		$RUN -q busybox sh -c "busybox ip -o -4 addr show eth0; read x || true" <$WORK/go >$WORK/out.$i 2>&1 3>&- &
	done
	all_up() { [ "$(cat $WORK/out.* | grep -c "inet 10\.88\.")" -eq 100 ]; }
	if ! wait_for all_up; then
		# Show what the containers without an address printed.
		for out in $(grep -L "inet 10\.88\." $WORK/out.*); do
			echo "${out##*/}: $(cat $out)"
		done
		exit 1
	fi
	echo "distinct: $(cat $WORK/out.* | busybox awk "{print \$4}" | sort -u | wc -l)"
	echo "leases: $(leases | wc -l)"
	exec 3>&-
	failed=0
	for job in $(jobs -p); do wait $job || failed=$((failed + 1)); done
	echo "failed: $failed"
	echo "leases after: $(leases | wc -l)"
	wait_for no_veth
	echo "links after: $(ip -o link | grep -c " cv" || true)"'
	assert_success
	assert_line "distinct: 100"
	assert_line "leases: 100"
	assert_line "failed: 0"
	assert_line "leases after: 0"
	assert_line "links after: 0"
}

@test "simulated host is left as it was" {
	sim "$HELPERS"'
	before=$(snapshot)
	$RUN -q busybox ping -c1 -W2 $HOSTSIM_UPSTREAM_ADDR >/dev/null
	$RUN -q -p 8080:80 true
	$RUN -q --net none true
	$RUN -q --net host true
	wait_for no_veth
	$RUN cleanup 2>/dev/null
	after=$(snapshot)
	[ "$before" = "$after" ] && echo "host as before" || diff <(echo "$before") <(echo "$after")'
	assert_success
	assert_line "host as before"
}

@test "subnet overlapping a host route is rejected" {
	sim '
	before=$(ip -o link; nft list ruleset)
	status=0; $RUN --subnet 192.168.251.0/24 true 2>&1 || status=$?
	echo "status $status"
	[ "$before" = "$(ip -o link; nft list ruleset)" ] && echo "host unchanged"
	echo "etc files: $(ls $CTRLAB_STATE_DIR/net/etc 2>/dev/null | wc -l)"
	echo "leases: $(ls $CTRLAB_STATE_DIR/net/leases 2>/dev/null | wc -l)"
	ip route add 10.88.4.0/24 dev uplink0
	status=0; $RUN true 2>&1 || status=$?
	echo "status $status"
	$RUN -q --subnet 10.201.0.0/16 busybox ip -o -4 addr show eth0'
	assert_success
	assert_line --partial "The subnet 192.168.251.0/24 overlaps the host's route 192.168.251.0/24 on uplink0; choose a free one with --subnet"
	assert_line "etc files: 0"
	assert_line "leases: 0"
	assert_line --partial "The subnet 10.88.0.0/16 overlaps the host's route 10.88.4.0/24 on uplink0"
	assert [ "$(printf "%s\n" "${lines[@]}" | grep -c "status 125")" -eq 2 ]
	assert_line "host unchanged"
	assert_line --regexp "eth0 +inet 10\.201\.0\.2/16"
}

@test "bridge made by a concurrent run is no overlap" {
	# The first run's helper finds no bridge, then waits before its route dump
	# while a second run creates the bridge.  The bridge's route is ctrlab's
	# own, not a host route that overlaps the subnet.
	sim "$HELPERS"'
	gated_run -q busybox ip -o -4 addr show eth0
	ip link show ctrlab0 >/dev/null 2>&1 || echo "no bridge before the second run"
	$RUN -q true
	ip link show ctrlab0 >/dev/null && echo "bridge made by the second run"
	gate_open'
	assert_success
	assert_line "no bridge before the second run"
	assert_line "bridge made by the second run"
	refute_line "gate timed out"
	assert_line "first run status 0"
	assert_line --regexp "eth0 +inet 10\.88\.0\.2/16"
	refute_line --partial "overlaps"
}

@test "bridge of a concurrent run keeps its subnet" {
	# The same race with another subnet: the first run's dump shows no
	# overlap, and the bridge that the second run made meanwhile serves
	# 10.88.0.0/16.  The first run must find that out under the lock and give
	# up, not add a second subnet to the bridge.
	sim "$HELPERS"'
	gated_run -q --subnet 10.89.0.0/16 true
	$RUN -q true
	gate_open
	ip -o -4 addr show ctrlab0 | busybox awk "{print \"bridge address \" \$4}"'
	assert_success
	refute_line "gate timed out"
	assert_line "first run status 125"
	assert_line --partial "The bridge 'ctrlab0' already serves 10.88.0.0/16, not 10.89.0.0/16"
	assert_line "bridge address 10.88.0.1/16"
	refute_line "bridge address 10.89.0.1/16"
}

@test "bad network options exit 125 and change nothing" {
	sim '
	before=$(ip -o link; nft list ruleset)
	for args in "--net bogus" "--subnet 10.88.0.1/16" "--subnet 10.88.0.0/33" "-p 80" "-p 0:80" "-p 8080:80/sctp" "--dns nameserver" "--bridge this-name-is-too-long" "--bridge br\"x" "--bridge .." "--net none -p 8080:80"; do
		status=0; $RUN $args true 2>&1 || status=$?
		echo "status $status"
	done
	[ "$before" = "$(ip -o link; nft list ruleset)" ] && echo "host unchanged"'
	assert_success
	assert_line --partial "Invalid network mode 'bogus': choose bridge, none or host"
	assert_line --partial "Invalid subnet '10.88.0.1/16': host bits are set; did you mean 10.88.0.0/16?"
	assert_line --partial "Invalid subnet '10.88.0.0/33': the prefix length must be 8 to 30"
	assert_line --partial "Invalid port spec '80'"
	assert_line --partial "Invalid port spec '0:80': ports must be 1 to 65535"
	assert_line --partial "the protocol must be tcp or udp"
	assert_line --partial "Invalid DNS server 'nameserver'"
	assert_line --partial "Invalid bridge name 'this-name-is-too-long'"
	# A quote would end the name in the nft commands that carry it.
	assert_line "ctrlab: error: Invalid bridge name 'br\"x': use 1 to 15 letters, digits, '.', '_' or '-', other than '.' and '..'"
	assert_line --partial "Invalid bridge name '..'"
	assert_line --partial "Option -p/--publish needs --net bridge"
	assert [ "$(printf "%s\n" "${lines[@]}" | grep -c "status 125")" -eq 11 ]
	assert_line "host unchanged"
}

@test "options that host and none ignore are rejected" {
	sim "$HELPERS"'
	before=$(snapshot)
	for args in "--net host --subnet 10.201.0.0/16" "--net host --dns 192.168.251.1" "--net host --bridge ctrlab1" "--net host -p 8080:80" "--net none --bridge ctrlab1" "--net none --subnet 10.201.0.0/16" "--subnet 10.201.0.0/16 --net none"; do
		status=0; $RUN $args true 2>&1 || status=$?
		echo "status $status"
	done
	[ "$before" = "$(snapshot)" ] && echo "host unchanged"
	$RUN -q --net none --dns 127.0.0.1 cat /etc/resolv.conf'
	assert_success
	assert_line --partial "Option --subnet needs --net bridge: with --net host the container uses the host's links, addresses and resolv.conf as they are, so it would be ignored; remove --subnet or use --net bridge"
	assert_line --partial "Option --dns needs --net bridge: with --net host"
	assert_line --partial "Option --bridge needs --net bridge: with --net host"
	assert_line --partial "Option -p/--publish needs --net bridge: with --net host"
	assert_line --partial "Option --bridge needs --net bridge: with --net none the container has a loopback link only, with no bridge or address, so it would be ignored"
	assert_line --partial "Option --subnet needs --net bridge: with --net none"
	assert [ "$(printf "%s\n" "${lines[@]}" | grep -c "status 125")" -eq 7 ]
	assert_line "host unchanged"
	# --dns still sets resolv.conf with --net none, for a server on its loopback.
	assert_line "nameserver 127.0.0.1"
}

@test "reserved subnets exit 125 and change nothing" {
	sim "$HELPERS"'
	before=$(snapshot)
	for subnet in 127.0.0.0/8 169.254.0.0/16 224.0.0.0/8 240.0.0.0/8 255.255.255.0/24 0.0.0.0/8 10.88.0.0/31; do
		status=0; $RUN --subnet $subnet true 2>&1 || status=$?
		echo "status $status"
	done
	[ "$before" = "$(snapshot)" ] && echo "host unchanged"
	[ -z "$(ls -A $CTRLAB_STATE_DIR)" ] && echo "state dir empty"'
	assert_success
	assert_line --partial "Invalid subnet '127.0.0.0/8': it overlaps the loopback (127.0.0.0/8) range"
	assert_line --partial "Invalid subnet '169.254.0.0/16': it overlaps the link-local (169.254.0.0/16) range"
	assert_line --partial "Invalid subnet '224.0.0.0/8': it overlaps the multicast (224.0.0.0/4) range"
	assert_line --partial "Invalid subnet '240.0.0.0/8': it overlaps the reserved (240.0.0.0/4"
	assert_line --partial "Invalid subnet '255.255.255.0/24': it overlaps the reserved (240.0.0.0/4"
	assert_line --partial "Invalid subnet '0.0.0.0/8': it overlaps the \"this network\" (0.0.0.0/8) range"
	assert_line --partial "Invalid subnet '10.88.0.0/31': the prefix length must be 8 to 30"
	assert [ "$(printf "%s\n" "${lines[@]}" | grep -c "status 125")" -eq 7 ]
	assert_line "host unchanged"
	assert_line "state dir empty"
}

@test "failed first run removes bridge, table and forwarding" {
	sim "$HELPERS"'
	before=$(snapshot)
	# /etc/passwd exists but is not executable: execve fails after setup.
	status=0; $RUN /etc/passwd 2>&1 || status=$?
	echo "status $status"
	[ "$before" = "$(snapshot)" ] && echo "host as before" || diff <(echo "$before") <(snapshot)
	echo "leases: $(leases | wc -l)"
	# A later run that succeeds keeps them for the next runs.
	$RUN -q true
	ip -o link show ctrlab0 >/dev/null && echo "bridge kept"
	cat /proc/sys/net/ipv4/ip_forward'
	assert_success
	assert_line "status 126"
	assert_line "host as before"
	assert_line "leases: 0"
	assert_line "bridge kept"
	assert_line "1"
}

@test "failed run keeps what a running container uses" {
	sim "$HELPERS"'
	$RUN -q sleep 1000 &
	wait_for has_veth
	status=0; $RUN /etc/passwd 2>&1 || status=$?
	echo "status $status"
	ip -o link show ctrlab0 >/dev/null && echo "bridge kept"
	nft list table inet ctrlab >/dev/null && echo "table kept"
	kill %1; wait %1 || true'
	assert_success
	assert_line "status 126"
	assert_line "bridge kept"
	assert_line "table kept"
}

@test "--explain draws the topology and narrates each step" {
	sim '$RUN --explain true 2>&1'
	assert_success
	assert_line --partial "topology of container"
	assert_line --partial "[container netns] eth0 10.88.0.2/16, MTU 1400, default via 10.88.0.1"
	assert_line --regexp "cv[0-9a-f]{11}, a port of bridge ctrlab0"
	assert_line --partial "bridge ctrlab0 10.88.0.1/16 (the gateway)"
	assert_line --partial "masquerade 10.88.0.0/16"
	assert_line --partial "uplink uplink0 192.168.251.2/24, MTU 1400"
	assert_line --partial "netlink: RTM_NEWLINK ctrlab0 type bridge = 0"
	assert_line --regexp "netlink: RTM_NEWLINK cv[0-9a-f]{11} up type veth peer eth0 \(in the container's netns\) mtu 1400 master ctrlab0 = 0"
	assert_line --partial "helper in the container's netns: netlink: RTM_NEWADDR 10.88.0.2/16 dev eth0 = 0"
	assert_line --partial "helper in the container's netns: netlink: RTM_NEWROUTE default via 10.88.0.1 dev eth0 = 0"
	assert_line --regexp "^ctrlab: explain: helper: netlink: RTM_NEWLINK cv[0-9a-f]{11} up type veth"
	assert_line --partial "nft: table inet ctrlab"
	assert_line --regexp "veth cv[0-9a-f]{11}: removed by the kernel with the container's network namespace"
}

@test "a second bridge and subnet work side by side" {
	sim '$RUN -q busybox ip -o -4 addr show eth0
	$RUN -q --bridge ctrlab1 --subnet 10.201.0.0/24 busybox ip -o -4 addr show eth0
	$RUN -q --bridge ctrlab1 --subnet 10.201.0.0/24 busybox ping -c1 -W2 $HOSTSIM_UPSTREAM_ADDR
	$RUN cleanup 2>/dev/null && ip -o link | grep -c ": ctrlab[0-9]*:" || true'
	assert_success
	assert_line --regexp "eth0 +inet 10\.88\.0\.2/16"
	assert_line --regexp "eth0 +inet 10\.201\.0\.2/24"
	assert_line --partial "1 packets received"
	assert_line "0"
}

@test "containers on two bridges are kept apart" {
	# Only a published port, which the whole network may reach, connects them.
	sim "$HELPERS"'
	$RUN -q -p 8080:7001 busybox sh -c "busybox nc -ll -p 7000 -e echo on-ctrlab0 & exec busybox nc -ll -p 7001 -e echo published" &
	first=$!
	wait_for has_veth
	$RUN -q --bridge ctrlab1 --subnet 10.201.0.0/24 busybox sh -c \
		"busybox nc -w2 10.88.0.2 7000 </dev/null || echo no-connection; for i in \$(seq 20); do busybox nc -w1 $HOSTSIM_HOST_ADDR 8080 </dev/null && break; sleep 0.1; done; busybox ping -c1 -W2 $HOSTSIM_UPSTREAM_ADDR"
	kill $first 2>/dev/null || true
	wait $first || true'
	assert_success
	assert_line "no-connection"
	refute_line "on-ctrlab0"
	assert_line "published"
	assert_line --partial "1 packets received"
}

@test "a bridge of the user's keeps its IPv6" {
	sim '
	ip link add br0 type bridge
	echo 0 >/proc/sys/net/ipv6/conf/br0/disable_ipv6
	$RUN -q --bridge br0 --subnet 10.202.0.0/24 true
	echo "br0 disable_ipv6: $(cat /proc/sys/net/ipv6/conf/br0/disable_ipv6)"
	$RUN cleanup >/dev/null 2>&1
	ip link del br0'
	assert_success
	assert_line "br0 disable_ipv6: 0"
}

@test "a bridge keeps the subnet it serves" {
	sim '$RUN -q true
	status=0; $RUN --subnet 10.201.0.0/16 true 2>&1 || status=$?
	echo "status $status"
	ip -o -4 addr show ctrlab0'
	assert_success
	assert_line --partial "The bridge 'ctrlab0' already serves 10.88.0.0/16, not 10.201.0.0/16; give this subnet a bridge of its own with --bridge NAME"
	assert_line "status 125"
	refute_line --regexp "inet 10\.201\."
}

@test "a link of another kind is not taken for the bridge" {
	sim 'ip link add ctrlab0 type veth peer name ctrlab0-peer
	status=0; $RUN true 2>&1 || status=$?
	echo "status $status"
	status=0; $RUN --bridge lo true 2>&1 || status=$?
	echo "status $status"
	ip -o -4 addr show lo'
	assert_success
	assert_line --partial "The link 'ctrlab0' exists and is not a bridge (it is a veth device); choose another name with --bridge, such as --bridge ctrlab1"
	assert_line --partial "The link 'lo' exists and is not a bridge (it is a loopback device); choose another name with --bridge"
	refute_line --partial "kind ''"
	assert [ "$(printf "%s\n" "${lines[@]}" | grep -c "status 125")" -eq 2 ]
	assert_line --regexp "lo +inet 127\.0\.0\.1/8"
	refute_line --partial "10.88.0.1"
}

@test "an address's /etc files are reused, never tampered" {
	# The same name gives the same hostname, so every file's content repeats.
	sim '$RUN -q --name web true
	$RUN -q --name web --explain true 2>&1 | grep -o "reuse \"[^\"]*\"" | sed "s|\"[^\"]*/10\.88\.0\.2-||; s|\"||g"
	# A container with CAP_SYS_ADMIN can make its bind writable and change
	# the file behind it; the next container with that address must not see it.
	$RUN -q --name web busybox sh -c "mount -o remount,rw,bind /etc/hosts && echo tampered > /etc/hosts"
	$RUN -q --name web cat /etc/hosts'
	assert_success
	assert_line "reuse resolv.conf"
	assert_line "reuse hosts"
	assert_line "reuse hostname"
	refute_line "tampered"
	assert_line --regexp "^10\.88\.0\.2	web$"
}
