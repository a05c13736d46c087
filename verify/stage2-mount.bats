#!/usr/bin/env bats
# Stage 2 through the real binary: the mount namespace, pivot_root, the pseudo
# filesystems, the overlay, volumes, the pty and the error paths.
#
# Every test works on its own copy of rootfs/ (built by `make rootfs`) and its own
# state directory, and unmounts whatever it mounted on the host in teardown.

bats_require_minimum_version 1.5.0

load helpers

setup() {
	require_root
	ROOT="$REPO"
	RUN="$ROOT/stage2-mount/run"
	[ -x "$ROOT/rootfs/bin/busybox" ] || fail "rootfs/ is missing: run 'make rootfs' first"
	[ -x "$PROBE" ] || fail "build it first: make probe"
	TMP="$(mktemp -d /tmp/ctrlab-stage2.XXXXXX)"
	export CTRLAB_STATE_DIR="$TMP/state"
	mkdir "$CTRLAB_STATE_DIR"
	ROOTFS="$TMP/rootfs"
	cp -a "$ROOT/rootfs" "$ROOTFS"
	mkdir -p "$ROOTFS/mnt"
	# The static probe reports facts a shell cannot: statfs flags, read and
	# write errors by name, the terminal's session.
	cp "$PROBE" "$ROOTFS/bin/probe"
}

# Unmount everything under $TMP, deepest first, then remove it.
teardown() {
	local point
	[ -n "${TMP:-}" ] || return 0
	awk -v tmp="$TMP" 'index($5, tmp) == 1 { print $5 }' /proc/self/mountinfo |
		sort -r | while read -r point; do umount -l "$point"; done
	rm -rf "$TMP"
}

# The host's mount table without the parts that other programs on this machine
# change while the suite runs (network namespaces, cgroups, other temp dirs).
host_mounts() {
	awk -v tmp="$TMP" '$5 !~ "^/run/netns" && $5 !~ "^/sys/fs/cgroup" &&
		($5 !~ "^/tmp/" || index($5, tmp) == 1)' /proc/self/mountinfo
}

# Run the stage in the test's rootfs copy.  The pty tests run it under
# script(1) inside timeout(1), so a container that never ends fails the test
# instead of hanging the suite.
ctr() {
	"$RUN" --rootfs "$ROOTFS" "$@"
}

# Wait until path exists, polling; fail after about 10 seconds.
wait_for() {
	local i
	for i in $(seq 100); do
		[ -e "$1" ] && return 0
		sleep 0.1
	done
	fail "timed out waiting for $1"
}

assert_state_empty() {
	run ls -A "$CTRLAB_STATE_DIR"
	assert_output ''
}

# --- the rootfs and the pivot ---------------------------------------------

@test "ls / lists the busybox rootfs" {
	touch "$ROOTFS/only-in-this-rootfs"
	run ctr ls /
	assert_success
	assert_output "$(ls "$ROOTFS")"
	assert_line 'bin'
	assert_line 'only-in-this-rootfs'
	refute_line 'work'
	refute_line 'run'
}

@test "default rootfs is found next to the binary" {
	cd /
	run "$RUN" /bin/busybox true
	assert_success
	run "$RUN" --explain true
	assert_output --partial "= \"$ROOT/rootfs\": the rootfs"
}

@test "/proc/1/status shows the container's init" {
	run ctr cat /proc/1/status
	assert_success
	assert_line --regexp '^Name:[[:space:]]+run$'
	assert_line --regexp '^NSpid:[[:space:]]+1$'
	# Only the init and ls itself: no host process is listed.
	run ctr ls /proc
	assert_equal "$(printf '%s\n' "$output" | grep -c '^[0-9][0-9]*$')" 2
}

@test "mount namespace differs from the host's" {
	run ctr readlink /proc/self/ns/mnt
	assert_success
	refute_output "$(readlink /proc/self/ns/mnt)"
}

@test "host path unreachable by any path" {
	local marker="marker-$RANDOM$RANDOM"
	echo secret > "$TMP/$marker"
	run ctr sh -c "
		cat '$TMP/$marker' /proc/1/root'$TMP/$marker' /proc/self/root'$TMP/$marker'
		cd / && cd ../../../.. && cat .'$TMP/$marker'
		cat /../../..'$TMP/$marker'
		find / -name '$marker' 2>/dev/null
		echo walked"
	assert_line 'walked'
	refute_output --partial 'secret'
	refute_line --regexp "^/.*$marker\$"
}

@test "mountinfo lists no host mount" {
	local root_dev
	root_dev="$(awk '$5 == "/" { print $3 }' /proc/self/mountinfo | tail -n 1)"
	run ctr cat /proc/self/mountinfo
	assert_success
	refute_output --partial '/mnt/sandboxing'
	refute_output --partial '/sys/fs/cgroup'
	refute_output --regexp "^[0-9]+ [0-9]+ $root_dev "
	run ctr sh -c "awk '{ print \$5 }' /proc/self/mountinfo"
	refute_output --regexp '(^|[[:space:]])/(work|tmp|run|mnt|usr|home)'
}

@test "no directory is left for the old root" {
	run ctr ls -a /
	assert_success
	refute_output --partial 'old-root'
}

@test "rootfs reached through a symlink works" {
	ln -s "$ROOTFS" "$TMP/link"
	run "$RUN" --rootfs "$TMP/link" --explain ls /bin/busybox
	assert_success
	assert_line '/bin/busybox'
	assert_output --partial "realpath(\"$TMP/link\") = \"$ROOTFS\""
}

# --- propagation ----------------------------------------------------------

# A shared throwaway mount holding the rootfs: without MS_REC|MS_PRIVATE, the
# container's mounts would propagate to the host through it, and back.
make_shared_rootfs() {
	mkdir "$TMP/shared"
	mount -t tmpfs ctrlab-test "$TMP/shared"
	mount --make-shared "$TMP/shared"
	cp -a "$ROOTFS" "$TMP/shared/rootfs"
	ROOTFS="$TMP/shared/rootfs"
}

@test "mount inside is invisible outside" {
	make_shared_rootfs
	host_mounts > "$TMP/before"
	run ctr sh -c 'mount -t tmpfs inner /mnt && grep -c " /mnt " /proc/self/mountinfo'
	assert_success
	assert_output '1'
	host_mounts > "$TMP/after"
	run diff "$TMP/before" "$TMP/after"
	assert_success
}

@test "host mount after start is invisible inside" {
	make_shared_rootfs
	mkdir "$TMP/sync"
	ctr -v "$TMP/sync:/sync" sh -c '
		touch /sync/ready
		i=0; while [ ! -e /sync/go ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
		grep " /mnt " /proc/self/mountinfo > /sync/seen
		ls /mnt > /sync/listing
		touch /sync/done' &
	wait_for "$TMP/sync/ready"
	mount -t tmpfs late-host-mount "$ROOTFS/mnt"
	touch "$ROOTFS/mnt/from-host"
	touch "$TMP/sync/go"
	wait
	umount "$ROOTFS/mnt"
	[ -e "$TMP/sync/done" ] || fail "the container did not finish"
	run cat "$TMP/sync/seen"
	assert_output ''
	run cat "$TMP/sync/listing"
	refute_output --partial 'from-host'
}

# --- pseudo filesystems ---------------------------------------------------

# Print the mount options (5th field after the ID columns) of mount point $1.
mount_options_of() {
	echo "awk '\$5 == \"$1\" { print \$6 \" \" \$(NF-2) \" \" \$NF }' /proc/self/mountinfo"
}

@test "/proc is a fresh procfs, nosuid nodev noexec" {
	run ctr sh -c "$(mount_options_of /proc)"
	assert_success
	assert_output --regexp '^rw,nosuid,nodev,noexec'
	assert_output --partial ' proc '
	run ctr probe statfs /proc
	assert_output --regexp '^proc rw( .*)? nosuid nodev noexec'
	run ctr cat /proc/self/status
	assert_line --regexp '^NSpid:[[:space:]]+2$'
}

@test "/sys is read-only, nosuid nodev noexec" {
	run ctr sh -c "$(mount_options_of /sys)"
	assert_output --regexp '^ro,nosuid,nodev,noexec'
	assert_output --partial ' sysfs '
	run ctr probe statfs /sys
	assert_output --regexp '^sysfs ro( .*)? nosuid nodev noexec'
	run ctr probe write /sys/kernel/uevent_helper
	assert_output 'error EROFS'
}

@test "/dev is a small tmpfs with six nodes" {
	run ctr sh -c "$(mount_options_of /dev)"
	assert_output --regexp '^rw,nosuid,noexec'
	assert_output --partial ' tmpfs '
	assert_output --partial 'size=65536k'
	run ctr probe statfs /dev
	assert_output --regexp '^tmpfs rw( .*)? nosuid noexec'
	refute_output --partial 'nodev'
	run ctr sh -c 'for n in null zero full random urandom tty; do
		stat -c "%n %F %t:%T %a" /dev/$n; done'
	assert_line '/dev/null character special file 1:3 666'
	assert_line '/dev/zero character special file 1:5 666'
	assert_line '/dev/full character special file 1:7 666'
	assert_line '/dev/random character special file 1:8 666'
	assert_line '/dev/urandom character special file 1:9 666'
	assert_line '/dev/tty character special file 5:0 666'
	run ctr ls /dev
	refute_line 'vda'
	refute_line 'kmsg'
	refute_line 'mem'
}

@test "/dev/pts is a new devpts instance" {
	run ctr sh -c "$(mount_options_of /dev/pts)"
	assert_output --regexp '^rw,nosuid,noexec'
	assert_output --partial 'devpts'
	assert_output --partial 'mode=620'
	assert_output --partial 'ptmxmode=666'
	# A new instance holds none of the host's ptys.
	run ctr ls /dev/pts
	assert_output 'ptmx'
	run ctr readlink /dev/ptmx
	assert_output 'pts/ptmx'
}

@test "/dev/shm, /dev/mqueue and fd links" {
	run ctr sh -c "$(mount_options_of /dev/shm)"
	assert_output --regexp '^rw,nosuid,nodev,noexec.* tmpfs '
	run ctr sh -c "$(mount_options_of /dev/mqueue)"
	assert_output --regexp '^rw,nosuid,nodev,noexec.* mqueue '
	run ctr sh -c 'for l in fd stdin stdout stderr; do echo "$l $(readlink /dev/$l)"; done'
	assert_line 'fd /proc/self/fd'
	assert_line 'stdin /proc/self/fd/0'
	assert_line 'stdout /proc/self/fd/1'
	assert_line 'stderr /proc/self/fd/2'
}

@test "masked files read nothing" {
	local path
	# A path that this kernel lacks is only checked to stay absent.
	for path in /proc/keys /proc/timer_list /proc/kcore /proc/sched_debug \
		/proc/latency_stats /proc/timer_stats; do
		if [ -e "$path" ]; then
			run ctr probe read "$path"
			assert_output 'bytes 0'
			run ctr stat -c '%t:%T' "$path"
			assert_output '1:3'
			# A write lands in /dev/null and changes nothing.
			run ctr sh -c "echo x > $path; wc -c < $path"
			assert_line '0'
		else
			run ctr test -e "$path"
			assert_failure
		fi
	done
}

@test "masked directories are empty and refuse writes" {
	local path
	for path in /proc/acpi /proc/scsi /proc/asound /sys/firmware \
		/sys/devices/virtual/powercap; do
		if [ -e "$path" ]; then
			run ctr sh -c "ls -A $path | wc -l"
			assert_output '0'
			run ctr probe write "$path/x"
			assert_output 'error EROFS'
		else
			run ctr test -e "$path"
			assert_failure
		fi
	done
}

@test "read-only proc paths refuse writes" {
	local path
	run ctr probe write /proc/sys/kernel/hostname
	assert_output 'error EROFS'
	for path in /proc/sys /proc/sysrq-trigger /proc/irq /proc/bus /proc/fs; do
		if [ -e "$path" ]; then
			run ctr sh -c "$(mount_options_of "$path")"
			assert_output --regexp '^ro,nosuid,nodev,noexec'
		fi
	done
	for path in /proc/sysrq-trigger /proc/irq/default_smp_affinity; do
		if [ -e "$path" ]; then
			run ctr probe write "$path"
			assert_output 'error EROFS'
		fi
	done
}

# --- the overlay, read-only and write-through roots -------------------------

tree_digest() {
	(cd "$1" && find . -printf '%p %y %m %s %l\n' | sort | md5sum)
}

@test "rm -rf / inside leaves the rootfs whole" {
	local before
	before="$(tree_digest "$ROOTFS")"
	run ctr sh -c 'rm -rf / 2>/dev/null; ls /bin 2>/dev/null | wc -l'
	assert_output '0'
	# Only mount points survive, as the lesson shows.
	run ctr sh -c 'rm -rf / 2>/dev/null; ls /'
	assert_output "$(printf 'dev\nproc\nsys')"
	assert_equal "$(tree_digest "$ROOTFS")" "$before"
	assert_state_empty
}

@test "writes land in the overlay and vanish at exit" {
	run ctr sh -c 'echo hi > /etc/new-file && cat /etc/new-file && ls -d /'
	assert_success
	assert_line 'hi'
	[ ! -e "$ROOTFS/etc/new-file" ] || fail "the write reached the rootfs directory"
	assert_state_empty
}

@test "--read-only makes the root read-only" {
	run ctr --read-only touch /new-file
	assert_failure
	assert_output --partial 'Read-only file system'
	run ctr --read-only sh -c 'touch /dev/shm/x && echo shm-writable'
	assert_output 'shm-writable'
	[ ! -e "$ROOTFS/new-file" ]
}

@test "--no-overlay writes into the rootfs" {
	run ctr --no-overlay sh -c 'echo direct > /written-through'
	assert_success
	run cat "$ROOTFS/written-through"
	assert_output 'direct'
	[ ! -e "$ROOTFS/.ctrlab-old-root" ] || fail "the old root directory was left"
}

# --- volumes and workdir ----------------------------------------------------

@test "volume is read-write by default" {
	mkdir "$TMP/vol"
	echo from-host > "$TMP/vol/in"
	run ctr -v "$TMP/vol:/data" sh -c 'cat /data/in && echo from-container > /data/out'
	assert_success
	assert_output 'from-host'
	run cat "$TMP/vol/out"
	assert_output 'from-container'
}

@test "volume :ro is read-only, submounts too" {
	mkdir -p "$TMP/vol/sub"
	mount -t tmpfs ctrlab-sub "$TMP/vol/sub"
	echo inside-sub > "$TMP/vol/sub/file"
	run ctr -v "$TMP/vol:/data:ro" sh -c 'cat /data/sub/file; touch /data/x; touch /data/sub/x'
	assert_line 'inside-sub'
	assert_line 'touch: /data/x: Read-only file system'
	assert_line 'touch: /data/sub/x: Read-only file system'
	[ ! -e "$TMP/vol/x" ] && [ ! -e "$TMP/vol/sub/x" ]
}

@test "volume of a single file" {
	echo one-file > "$TMP/file"
	run ctr -v "$TMP/file:/etc/single:ro" cat /etc/single
	assert_success
	assert_output 'one-file'
	[ ! -e "$ROOTFS/etc/single" ] || fail "the mount point was created in the rootfs directory"
}

@test "volume target is created in the overlay" {
	mkdir "$TMP/vol"
	run ctr -v "$TMP/vol:/new/deep/dir" sh -c 'touch /new/deep/dir/x && echo ok'
	assert_output 'ok'
	[ -e "$TMP/vol/x" ]
	[ ! -e "$ROOTFS/new" ] || fail "the mount point was created in the rootfs directory"
}

@test "volume with --read-only gets its mount point" {
	mkdir "$TMP/vol"
	run ctr --read-only -v "$TMP/vol:/made/for/volume" sh -c 'touch /made/for/volume/x; touch /y'
	assert_output 'touch: /y: Read-only file system'
	[ -e "$TMP/vol/x" ]
	[ ! -e "$ROOTFS/made" ]
}

@test "symlink in the rootfs cannot redirect a volume" {
	mkdir "$TMP/vol" "$TMP/host-side"
	echo volume-content > "$TMP/vol/file"
	# Both symlinks point at the host's $TMP/host-side if resolved on the host.
	mkdir -p "$ROOTFS$TMP/host-side"
	ln -s "$TMP/host-side" "$ROOTFS/evil"
	ln -s ../../../../.. "$ROOTFS/up"
	host_mounts > "$TMP/before"
	run ctr -v "$TMP/vol:/evil" -v "$TMP/vol:/up$TMP/host-side/y" sh -c "
		cat /evil/file '$TMP/host-side/file' '$TMP/host-side/y/file'; echo ran"
	assert_success
	assert_equal "$(printf '%s\n' "$output" | grep -c '^volume-content$')" 3
	assert_line 'ran'
	run ls -A "$TMP/host-side"
	assert_output ''
	host_mounts > "$TMP/after"
	run diff "$TMP/before" "$TMP/after"
	assert_success
}

@test "dangling symlink target fails safely" {
	mkdir "$TMP/vol" "$TMP/host-side"
	ln -s "$TMP/host-side" "$ROOTFS/evil"
	run ctr -v "$TMP/vol:/evil" true
	assert_failure 125
	assert_output --partial "'/evil'"
	run ls -A "$TMP/host-side"
	assert_output ''
	assert_state_empty
}

@test "volume over /proc, /sys or /dev is rejected" {
	mkdir "$TMP/vol"
	host_mounts > "$TMP/before"
	run ctr -v "$TMP/vol:/proc" true
	assert_failure 125
	assert_output "ctrlab: error: Invalid volume '$TMP/vol:/proc': the container path '/proc' is in /proc, which the runtime mounts itself; choose a path outside /proc, /sys and /dev"
	run ctr -v "$TMP/vol:/sys/fs" true
	assert_failure 125
	assert_output --partial "is in /sys"
	run ctr -v "$TMP/vol:/dev/shm" true
	assert_failure 125
	assert_output --partial "is in /dev"
	# A symlink in the rootfs leads there too; it is caught after resolution.
	ln -s /proc "$ROOTFS/to-proc"
	run ctr -v "$TMP/vol:/to-proc/sys" true
	assert_failure 125
	assert_output --partial "Invalid volume target '/to-proc/sys': it leads to '/proc/sys' in /proc"
	host_mounts > "$TMP/after"
	run diff "$TMP/before" "$TMP/after"
	assert_success
	assert_state_empty
}

@test "volume host path must exist" {
	run ctr -v "$TMP/missing:/data" true
	assert_failure 125
	assert_output --partial "host path '$TMP/missing' must exist"
	assert_output --partial 'create it or correct the path'
}

@test "volume spec errors exit 125" {
	mkdir "$TMP/vol"
	run ctr -v "$TMP/vol:/data:rx" true
	assert_failure 125
	assert_output --partial "unknown mode 'rx'"
	run ctr -v "$TMP/vol:data" true
	assert_failure 125
	assert_output --partial 'must be absolute'
	run ctr -v "$TMP/vol" true
	assert_failure 125
	assert_output --partial 'HOST:CONTAINER'
}

@test "-w sets the working directory" {
	run ctr -w /etc pwd
	assert_success
	assert_output '/etc'
	run ctr --workdir /tmp pwd
	assert_output '/tmp'
	run ctr -w relative pwd
	assert_failure 125
	assert_output --partial 'absolute path'
}

@test "state dir that others may write is rejected" {
	# ctrlab creates, chowns and removes paths in its state directory, so no
	# other user may be able to swap them for symlinks.
	mkdir -m 1777 "$TMP/open"
	run ctr --state-dir "$TMP/open" true
	assert_failure 125
	assert_output "ctrlab: error: Invalid state directory '$TMP/open': other users may write to it (mode 1777), and could replace what ctrlab keeps there; run 'chmod go-w $TMP/open' or pass another --state-dir DIR"
	run ls -A "$TMP/open"
	assert_output ''
	mkdir -m 0711 "$TMP/theirs"
	chown 65534 "$TMP/theirs"
	run ctr --state-dir "$TMP/theirs" true
	assert_failure 125
	assert_output "ctrlab: error: Invalid state directory '$TMP/theirs': it belongs to user 65534, who could replace what ctrlab keeps there; pass a directory of your own with --state-dir DIR"
	run ls -A "$TMP/theirs"
	assert_output ''
	mkdir -m 0711 "$TMP/mine"
	ln -s "$TMP/mine" "$TMP/their-link"
	chown -h 65534 "$TMP/their-link"
	run ctr --state-dir "$TMP/their-link" true
	assert_failure 125
	assert_output "ctrlab: error: Invalid state directory '$TMP/their-link': it is a symlink of user 65534, who could point it elsewhere; pass a directory of your own with --state-dir DIR"
	run ls -A "$TMP/mine"
	assert_output ''
}

@test "missing workdir fails with nothing left" {
	run ctr -w /does/not/exist true
	assert_failure 125
	assert_output "ctrlab: error: Invalid working directory '/does/not/exist': it does not exist in the container; create it there or choose another -w DIR"
	assert_state_empty
	run ctr -w /bin/busybox true
	assert_failure 125
	assert_output "ctrlab: error: Invalid working directory '/bin/busybox': it is not a directory in the container; choose another -w DIR"
	assert_state_empty
}

@test "workdir through an fd link stays inside" {
	# A symlink in the rootfs to /proc/self/fd/N would make the working
	# directory whatever directory fd N is, in the host's tree
	# (CVE-2024-21626 reached the host through a leaked fd that way).
	mkdir "$TMP/hostdir"
	echo host-secret >"$TMP/hostdir/secret"
	ln -s /proc/self/fd/0 "$ROOTFS/stdin-dir"
	ln -s /proc/self/fd/3 "$ROOTFS/fd3-dir"
	run ctr -w /stdin-dir cat secret <"$TMP/hostdir"
	assert_failure 125
	assert_output "ctrlab: error: Invalid working directory '/stdin-dir': it leads through a symlink loop or a /proc magic link such as /proc/self/fd/N, which could point out of the container; choose a plain path in the container"
	run ctr -w /fd3-dir cat secret 3<"$TMP/hostdir"
	assert_failure 125
	refute_output --partial host-secret
	assert_state_empty
}

# --- the terminal -----------------------------------------------------------

@test "pty: own terminal and /dev/console" {
	run timeout 60 script -qec "$RUN --rootfs $ROOTFS sh -c 'tty; stat -c %t:%T /dev/console \$(tty); cut -d\" \" -f7 /proc/self/stat'" /dev/null
	assert_success
	assert_line --partial '/dev/pts/0'
	assert_line --regexp '^88:0'
	# tty_nr of /proc/self/stat: major 136 (0x88), minor 0, the controlling tty.
	assert_line --regexp '^34816'
}

@test "pty: probe sees a controlling terminal" {
	run timeout 60 script -qec "$RUN --rootfs $ROOTFS probe tty" /dev/null
	# script(1) meets the end of its own stdin at once and passes it on; when that
	# happens before the probe prints, the pty echoes it as ^D or ^@ in front of
	# the first line.  Only the probe's facts matter here.
	output=$(printf '%s\n' "$output" | sed -E 's/^(\^[@D])+//')
	mapfile -t lines <<<"$output"
	assert_line --regexp $'^isatty 1\r?$'
	assert_line --regexp $'^name /dev/pts/0\r?$'
	assert_line --regexp $'^ctty 1\r?$'
	# COMMAND leads its session and is the foreground job: sid = pgrp = tpgid.
	local sid pgrp tpgid
	sid=$(printf '%s\n' "$output" | tr -d '\r' | awk '$1 == "sid" { print $2 }')
	pgrp=$(printf '%s\n' "$output" | tr -d '\r' | awk '$1 == "pgrp" { print $2 }')
	tpgid=$(printf '%s\n' "$output" | tr -d '\r' | awk '$1 == "tpgid" { print $2 }')
	assert_equal "$sid" 2
	assert_equal "$pgrp" 2
	assert_equal "$tpgid" 2
}

@test "pty: initial and changed window size" {
	run timeout 60 script -qec "stty rows 33 cols 77; $RUN --rootfs $ROOTFS probe winsize" /dev/null
	assert_line --partial '33 77'
	mkdir "$TMP/sync"
	run timeout 60 script -qec "
		$RUN --rootfs $ROOTFS -v $TMP/sync:/sync sh -c '
			trap \"stty size > /sync/size; touch /sync/done\" WINCH
			touch /sync/ready
			i=0; while [ ! -e /sync/done ] && [ \$i -lt 100 ]; do sleep 0.1; i=\$((i + 1)); done' < /dev/tty &
		for i in \$(seq 100); do [ -e $TMP/sync/ready ] && break; sleep 0.1; done
		stty rows 50 cols 120
		wait" /dev/null
	run cat "$TMP/sync/size"
	assert_output '50 120'
}

@test "pty: Ctrl-C stops only the foreground job" {
	mkdir "$TMP/sync"
	# The byte 0x03 is sent only once the foreground job runs: sooner, the
	# container's line discipline would interrupt the shell instead.
	run timeout 60 script -qec "$RUN --rootfs $ROOTFS -v $TMP/sync:/sync sh -i" /dev/null < <(
		printf 'touch /sync/started; sleep 30\n'
		for i in $(seq 100); do [ -e "$TMP/sync/started" ] && break; sleep 0.1; done
		sleep 0.5
		printf '\003'
		sleep 0.5
		printf 'echo status=$?\n'
		sleep 0.5
		printf 'exit\n'
		sleep 1)
	assert_output --partial 'status=130'
}

@test "pty: job control works" {
	run timeout 60 script -qec "$RUN --rootfs $ROOTFS sh -i" /dev/null < <(
		sleep 1
		printf 'sleep 30 &\n'
		sleep 0.5
		printf 'jobs\n'
		sleep 0.5
		printf 'kill %%1; wait; echo killed\n'
		sleep 0.5
		printf 'exit\n'
		sleep 1)
	assert_output --regexp '\[1\]\+? +Running +sleep 30'
	assert_output --partial 'killed'
}

# The next two start the runtime as a background job of a shell with job
# control (set -m) on a real pty: the shell's group is the foreground one.
@test "background run leaves the terminal alone" {
	run timeout 60 script -qec "bash -c '
		set -m
		$RUN --rootfs $ROOTFS sh -c \"read line; echo read-status=\\\$?; tty || true\" &
		wait \$!; echo exit=\$?'" /dev/null
	assert_success
	# Empty input, no pty, and it ran to completion instead of stopping.
	assert_line --regexp $'^read-status=1\r?$'
	assert_line --regexp $'^not a tty\r?$'
	assert_line --regexp $'^exit=0\r?$'
	assert_state_empty
}

@test "background run ends on kill %1" {
	mkdir "$TMP/sync"
	run timeout 60 script -qec "bash -c '
		set -m
		$RUN --rootfs $ROOTFS -v $TMP/sync:/sync sh -c \"touch /sync/ready; exec sleep 30\" &
		for i in \$(seq 100); do [ -e $TMP/sync/ready ] && break; sleep 0.1; done
		sleep 0.5
		echo state=\$(cut -d\" \" -f3 /proc/\$!/stat)
		kill %1; wait %1; echo exit=\$?'" /dev/null
	assert_success
	# Not stopped (T) by SIGTTOU, and SIGTERM reached sleep: 128 + 15.
	assert_line --regexp $'^state=S\r?$'
	assert_line --regexp $'^exit=143\r?$'
	assert_state_empty
}

@test "-T: no pty, no controlling terminal" {
	run timeout 60 script -qec "$RUN --rootfs $ROOTFS -T sh -c 'ls /dev/pts; cut -d\" \" -f7 /proc/self/stat; cat /dev/tty'" /dev/null
	# script(1) ends lines with CR LF.
	assert_line --regexp $'^ptmx\r?$'
	assert_line --regexp $'^0\r?$'
	assert_output --partial "can't open '/dev/tty'"
	refute_output --partial '/dev/console'
}

@test "-T: no terminal fd reaches the container" {
	# Without a terminal fd, ioctl(TIOCSTI) has no terminal to push input into.
	run timeout 60 script -qec "$RUN --rootfs $ROOTFS -T sh -c '
		for fd in 0 1 2; do test -t \$fd && echo fd\$fd-is-a-terminal; done
		read line; echo got=\$line; echo to-stderr >&2'" /dev/null <<< 'typed-input'
	assert_success
	refute_output --partial 'is-a-terminal'
	assert_output --partial 'got=typed-input'
	assert_output --partial 'to-stderr'
}

@test "-T keeps non-terminal stdio as is" {
	run ctr -T sh -c 'readlink /proc/self/fd/1'
	assert_output --partial 'pipe:'
}

@test "-T: new session, not the host's" {
	run timeout 60 script -qec "echo host-sid=\$(cut -d' ' -f6 /proc/self/stat); $RUN --rootfs $ROOTFS -T --no-init sh -c 'echo sid=\$(cut -d\" \" -f6 /proc/self/stat)'" /dev/null
	assert_line --partial 'sid=1'
}

@test "no pty when stdin is not a terminal" {
	run ctr sh -c 'ls /dev/pts; test -e /dev/console || echo no-console'
	assert_line 'ptmx'
	assert_line 'no-console'
}

@test "-t gives a pty without a terminal" {
	run ctr -t sh -c 'tty' < /dev/null
	assert_output --partial '/dev/pts/0'
}

# --- errors -----------------------------------------------------------------

@test "missing rootfs exits 125" {
	host_mounts > "$TMP/before"
	run "$RUN" --rootfs "$TMP/nowhere" true
	assert_failure 125
	assert_output "ctrlab: error: Invalid rootfs '$TMP/nowhere': No such file or directory; pass an existing directory with --rootfs DIR"
	host_mounts > "$TMP/after"
	run diff "$TMP/before" "$TMP/after"
	assert_success
	assert_state_empty
}

@test "rootfs that is a file exits 125" {
	touch "$TMP/file"
	run "$RUN" --rootfs "$TMP/file" true
	assert_failure 125
	assert_output --partial 'not a directory'
}

@test "host root as rootfs exits 125" {
	host_mounts > "$TMP/before"
	run "$RUN" --rootfs / true
	assert_failure 125
	assert_output "ctrlab: error: Invalid rootfs '/': the host's / cannot be the container's root; pass a directory with --rootfs DIR"
	ln -s / "$TMP/root-link"
	run "$RUN" --rootfs "$TMP/root-link" true
	assert_failure 125
	assert_output --partial "the host's / cannot be the container's root"
	host_mounts > "$TMP/after"
	run diff "$TMP/before" "$TMP/after"
	assert_success
	assert_state_empty
}

@test "state dir that is a file exits 125" {
	echo keep > "$TMP/state-file"
	run ctr --state-dir "$TMP/state-file" true
	assert_failure 125
	assert_output "ctrlab: error: Invalid state directory '$TMP/state-file': not a directory; remove it or pass a directory with --state-dir DIR"
	run cat "$TMP/state-file"
	assert_output 'keep'
	run ctr --state-dir "$TMP/missing/state" true
	assert_failure 125
	assert_output "ctrlab: error: Failed to create the state directory '$TMP/missing/state': No such file or directory; pass another --state-dir DIR"
	[ ! -e "$TMP/missing" ] || fail "a state directory was created"
}

@test "missing command exits 127 as in stage 1" {
	run -127 ctr /bin/not-there
	assert_failure 127
	assert_output "ctrlab: error: Failed to execute '/bin/not-there': No such file or directory"
	run -127 ctr not-there-either
	assert_failure 127
	assert_output --partial "Failed to execute 'not-there-either': command not found in PATH"
	assert_state_empty
}

@test "unrunnable command exits 126 as in stage 1" {
	run ctr /etc
	assert_failure 126
	assert_output "ctrlab: error: Failed to execute '/etc': it is a directory"
	printf 'echo hi\n' > "$ROOTFS/bin/no-x-bit"
	chmod 644 "$ROOTFS/bin/no-x-bit"
	run ctr /bin/no-x-bit
	assert_failure 126
	assert_output --partial "Failed to execute '/bin/no-x-bit': it has no execute permission"
	printf '#!/bin/missing-shell\n' > "$ROOTFS/bin/bad-interpreter"
	chmod 755 "$ROOTFS/bin/bad-interpreter"
	run ctr /bin/bad-interpreter
	assert_failure 126
	assert_output --partial 'its interpreter'
	assert_state_empty
}

@test "command from a volume runs" {
	mkdir "$TMP/tools"
	printf '#!/bin/sh\necho from-volume\n' > "$TMP/tools/tool"
	chmod 755 "$TMP/tools/tool"
	run ctr -v "$TMP/tools:/opt/tools:ro" /opt/tools/tool
	assert_success
	assert_output 'from-volume'
	run ctr -v "$TMP/tools:/opt/tools:ro" -e PATH=/opt/tools:/bin tool
	assert_success
	assert_output 'from-volume'
}

@test "pty relay takes large piped input" {
	# The runtime writes the input to the pty master without blocking, so a
	# container that does not read its input never stops the wait loop.
	run bash -c "seq 1 200000 | timeout -k 2 15 '$RUN' --rootfs '$ROOTFS' -t sleep 0.5 >/dev/null"
	assert_success
	seq 1 200000 | timeout -k 2 60 "$RUN" --rootfs "$ROOTFS" -t wc -l > "$TMP/out"
	run tail -n 1 "$TMP/out"
	assert_output --regexp '^200000'
	assert_state_empty
}

@test "pty input without a final newline ends" {
	# One end-of-file character only ends the open line; the second ends the
	# input.
	printf abc | timeout -k 2 20 "$RUN" --rootfs "$ROOTFS" -t wc -c > "$TMP/out"
	run tail -n 1 "$TMP/out"
	assert_output --regexp '3'
}

@test "pty hangs up when output cannot be written" {
	run bash -c "timeout -k 2 20 '$RUN' --rootfs '$ROOTFS' -t sh -c 'seq 1 200000' > /dev/full"
	assert_failure 129
	assert_output --partial "Failed to write the container's output: No space left on device"
	run bash -c "timeout -k 2 20 '$RUN' --rootfs '$ROOTFS' --name piped -t yes | head -n 1; echo \"status \${PIPESTATUS[0]}\""
	assert_line 'status 129'
	assert_state_empty
}

@test "a reader that goes away kills no runtime" {
	# SIGPIPE would end the runtime before its cleanup, and COMMAND's process
	# would die of the SIGPIPE that a narration line raised.
	run bash -c "'$RUN' --rootfs '$ROOTFS' --explain sleep 0.3 2>&1 >/dev/null | head -n 1 >/dev/null; echo \"status \${PIPESTATUS[0]}\""
	assert_output 'status 0'
	assert_state_empty
}

@test "closed stdout gets no runtime fd" {
	# With fd 1 closed, the runtime's next fd would take number 1 and the
	# container's output would go into it.
	run bash -c "'$RUN' --rootfs '$ROOTFS' -t sh -c 'seq 1 20000' >&-; echo \"status \$?\""
	assert_output 'status 0'
}

@test "name net and relative state dir are rejected" {
	run -125 ctr --name net true
	assert_output "ctrlab: error: Invalid container name 'net': the state directory keeps the network's leases under that name; choose another name"
	CTRLAB_STATE_DIR=relative run -125 ctr true
	assert_output "ctrlab: error: Invalid CTRLAB_STATE_DIR 'relative': give an absolute path, or unset it for /run/ctrlab"
	CTRLAB_STATE_DIR= run -125 ctr true
	assert_output --partial "Invalid CTRLAB_STATE_DIR ''"
	[ ! -e relative ] || fail "a relative state directory was created"
}

@test "-t and -T together are rejected" {
	run -125 ctr -t -T true
	assert_output "ctrlab: error: Invalid options -t and -T together: -t asks for a pty and -T for none; keep one"
	run -125 ctr --no-tty --tty true
	assert_output --partial "Invalid options -t and -T together"
	assert_state_empty
}

@test "help to a full device fails" {
	run -125 bash -c "'$RUN' --help > /dev/full"
	assert_output 'ctrlab: error: Failed to write to stdout: No space left on device'
}

@test "PATH search skips a file that is not executable" {
	# execvp(3) goes on past a match it may not execute, and so must the
	# search that COMMAND's process starts from the first match.
	mkdir -p "$TMP/first" "$TMP/second"
	printf '#!/bin/sh\necho first\n' > "$TMP/first/tool"
	chmod 644 "$TMP/first/tool"
	printf '#!/bin/sh\necho second\n' > "$TMP/second/tool"
	chmod 755 "$TMP/second/tool"
	run ctr -v "$TMP/first:/opt/first:ro" -v "$TMP/second:/opt/second:ro" \
		-e PATH=/opt/first:/opt/second:/bin tool
	assert_success
	assert_output 'second'
	run ctr -v "$TMP/first:/opt/first:ro" -e PATH=/opt/first:/bin tool
	assert_failure 126
	assert_output --partial "Failed to execute '/opt/first/tool': it has no execute permission"
}

@test "root that is not a mount point is named" {
	local jail="$TMP/jail"
	mkdir -p "$jail"/{usr,proc,tmp,work}
	ln -s usr/lib "$jail/lib"
	ln -s usr/lib64 "$jail/lib64"
	ln -s usr/bin "$jail/bin"
	mkdir -p "$jail$ROOT" "$jail$ROOTFS" "$jail$CTRLAB_STATE_DIR"
	host_mounts > "$TMP/before"
	# A private mount namespace of the test's own, so the binds vanish with it.
	run unshare --mount --propagation private sh -c "
		mount --rbind /usr '$jail/usr' &&
		mount --rbind '$ROOT' '$jail$ROOT' &&
		mount --rbind '$ROOTFS' '$jail$ROOTFS' &&
		mount -t proc proc '$jail/proc' &&
		chroot '$jail' '$RUN' --rootfs '$ROOTFS' true"
	assert_failure 125
	assert_output --partial 'not a mount point'
	assert_output --partial 'chroot'
	host_mounts > "$TMP/after"
	run diff "$TMP/before" "$TMP/after"
	assert_success
}

# --- the host stays unchanged ---------------------------------------------

@test "host mountinfo identical after a run" {
	host_mounts > "$TMP/before"
	mkdir "$TMP/vol"
	run ctr -v "$TMP/vol:/data" sh -c '
		mount -t tmpfs a /mnt && mount -t proc p /tmp && mount --bind /bin /root &&
		umount /proc/sys; echo mounted'
	assert_output --partial 'mounted'
	host_mounts > "$TMP/after"
	run diff "$TMP/before" "$TMP/after"
	assert_success
	run cat /proc/self/status
	assert_line --regexp '^Name:'
	run ls /proc/1
	assert_success
	assert_state_empty
}

@test "--explain names every mount step" {
	mkdir "$TMP/vol"
	run ctr --explain -v "$TMP/vol:/data:ro" true
	assert_success
	assert_output --partial 'mount(NULL, "/", NULL, MS_REC|MS_PRIVATE, NULL) = 0'
	assert_output --partial "mount(\"overlay\", \"$ROOTFS\", \"overlay\""
	assert_output --partial "pivot_root(\".\", \".\") = 0 in \"$ROOTFS\""
	assert_output --partial 'umount2(".", MNT_DETACH) = 0'
	assert_output --partial 'mount("proc", "/proc", "proc", MS_NOSUID|MS_NODEV|MS_NOEXEC, NULL) = 0'
	assert_output --partial 'mount("sysfs", "/sys", "sysfs", MS_RDONLY|MS_NOSUID|MS_NODEV|MS_NOEXEC, NULL) = 0'
	assert_output --partial 'mount("devpts", "/dev/pts", "devpts", MS_NOSUID|MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620") = 0'
	assert_output --partial 'mount("/dev/null", "/proc/keys", NULL, MS_BIND, NULL) = 0'
	assert_output --partial 'mount_setattr("/proc/sys", AT_RECURSIVE, attr_set=MOUNT_ATTR_RDONLY'
	assert_output --partial 'AT_EMPTY_PATH|AT_RECURSIVE, attr_set=MOUNT_ATTR_RDONLY'
	assert_output --partial "move_mount(tree of \"$TMP/vol\", \"/data\""
	assert_output --partial 'clone3(flags=CLONE_NEWPID|CLONE_NEWUTS|CLONE_NEWIPC|CLONE_NEWNS'
	# A read-only path that this kernel lacks is named as such after its
	# failed bind, so that the failure does not read as an error.
	for path in /proc/sys /proc/sysrq-trigger /proc/irq /proc/bus /proc/fs; do
		if [ -e "$path" ]; then
			refute_output --partial "$path is not on this kernel"
		else
			assert_output --partial "$path is not on this kernel, so there is nothing to make read-only"
		fi
	done
}

@test "the init holds no caller fd while COMMAND starts" {
	# COMMAND's process searches a PATH of 15000 missing directories, which
	# takes tens of ms.  Meanwhile the init waits for its execve, and the
	# caller's fd 7 must be closed in it already: close-on-exec alone would
	# keep it there until then.  The relative entry first keeps the init from
	# searching the PATH before the go, which would make the second search fast.
	local path rpid init fds samples=0 held=0
	path=.:$(seq -s: -f "/m%g" 1 15000)
	"$RUN" --rootfs "$ROOTFS" -e "PATH=$path" missing-command 7<"$ROOTFS/etc/hostname" 2>/dev/null &
	rpid=$!
	init=""
	while [ -z "$init" ] && kill -0 "$rpid" 2>/dev/null; do
		init=$(cat "/proc/$rpid/task/$rpid/children" 2>/dev/null || true)
		init=${init%% *}
	done
	while kill -0 "$rpid" 2>/dev/null; do
		# Only once COMMAND's process exists, after the init's setup.
		[ -n "$(cat "/proc/$init/task/$init/children" 2>/dev/null)" ] || continue
		fds=" $(ls "/proc/$init/fd" 2>/dev/null | tr '\n' ' ')"
		[ "$fds" != " " ] || continue
		samples=$((samples + 1))
		case "$fds" in *" 7 "*) held=$((held + 1)) ;; esac
	done
	# 127: missing-command is in none of those directories.
	run -127 wait "$rpid"
	assert [ "$samples" -gt 0 ]
	assert_equal "$held" 0
}

@test "the init shows no host argument or variable" {
	# PID 1 is a copy of the runtime that never calls execve: without the
	# wipe, /proc/1/cmdline and /proc/1/environ would show the runtime's
	# command line and the caller's whole environment.
	CTRLAB_HOST_SECRET=leak run "$RUN" --rootfs "$ROOTFS" -e A=1 sh -c '
		echo "cmdline: $(tr "\0" " " </proc/1/cmdline | tr -s " ")"
		echo "environ bytes: $(tr -d "\0" </proc/1/environ | wc -c)"
		echo "COMMAND: $(env | grep -c "^A=1$")"'
	assert_success
	assert_line "cmdline: init "
	assert_line "environ bytes: 0"
	assert_line "COMMAND: 1"
	refute_output --partial leak
	refute_output --partial "$ROOTFS"
}

@test "the init holds no fd of the host" {
	# PID 1 never calls execve, so close-on-exec never closes what it got from
	# the runtime: it closes everything but stdio itself, once COMMAND runs.
	run "$RUN" -T sh -c 'sleep 0.2; ls /proc/1/fd'
	assert_success
	assert_output "$(printf "0\n1\n2")"
}
