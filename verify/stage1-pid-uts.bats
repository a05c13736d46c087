#!/usr/bin/env bats
# Stage 1 through the real binary: PID, UTS and IPC namespaces and the init.

bats_require_minimum_version 1.5.0

load helpers

RUN="$REPO/stage1-pid-uts/run"

setup() {
	require_root
	[ -x "$RUN" ] || fail "build it first: make stage1"
	[ -x "$PROBE" ] || fail "build it first: make probe"
	WORK=$(mktemp -d)
}

teardown() {
	if [ -n "${BG_PID:-}" ] && kill -0 "$BG_PID" 2>/dev/null; then
		kill -KILL "$BG_PID" 2>/dev/null || true
		wait "$BG_PID" 2>/dev/null || true
	fi
	# A failed IPC test may have left a segment on the host: remove it.
	for key in ${SHM_KEYS:-}; do
		"$PROBE" shm-remove "$key" >/dev/null 2>&1 || true
	done
	rm -rf "$WORK"
}

@test "init is PID 1 and COMMAND is PID 2" {
	run "$RUN" sh -c 'echo $$'
	assert_success
	assert_output 2
}

@test "no-init makes COMMAND PID 1" {
	run "$RUN" --no-init sh -c 'echo $$'
	assert_success
	assert_output 1
}

@test "NSpid inside shows PID 2 under a host PID" {
	run "$RUN" "$PROBE" nspid
	assert_success
	assert_output --regexp '^[0-9]+ 2$'
	refute_output --regexp '^2 2$'
}

@test "explain reports the init's real host PID" {
	"$RUN" --explain sleep 30 2>"$WORK/err" &
	BG_PID=$!
	wait_for_line "$WORK/err" 10 'execve\("sleep"\)'
	init_pid=$(sed -nE 's/.*container init: PID ([0-9]+) on the host, PID 1 inside.*/\1/p' "$WORK/err")
	[ -n "$init_pid" ]

	# The host's /proc agrees: that PID is PID 1 inside, a child of the runtime,
	# and its only child is COMMAND, PID 2 inside.
	run awk '/^NSpid:/ {print $2, $3}' "/proc/$init_pid/status"
	assert_output "$init_pid 1"
	run awk '/^PPid:/ {print $2}' "/proc/$init_pid/status"
	assert_output "$BG_PID"
	command_pid=$(cat "/proc/$init_pid/task/$init_pid/children")
	run awk '/^NSpid:/ {print $2, $3}' "/proc/${command_pid% }/status"
	assert_output "${command_pid% } 2"
}

@test "orphan storm leaves no zombies" {
	run "$RUN" "$PROBE" orphans 200
	assert_success
	assert_output "zombies 0"
}

@test "background processes end before run returns" {
	# When the init exits, the kernel kills every other process of its PID
	# namespace and waits for them, and the runtime returns only after that
	# exit.  So a lock that a background process holds is free the moment the
	# runtime returns.  The holder, dd, first fills a buffer of 256 MiB: a
	# killed process frees its memory before it closes its files, so its lock
	# would outlive a runtime that returned any earlier.
	run "$RUN" sh -c "( flock 9; exec dd if=/dev/zero bs=256M count=1 2>/dev/null ) 9>$WORK/lock | sleep 100 & sleep 1; exit 3"
	assert_failure 3
	run flock -n "$WORK/lock" echo "lock free"
	assert_success
	assert_output "lock free"
}

@test "a caller that ignores SIGCHLD still gets COMMAND's status" {
	# An ignored SIGCHLD survives execve, and with it the kernel reaps a
	# child without telling its parent.  perl-base is essential in Debian.
	run timeout -k 1 10 perl -e '$SIG{CHLD} = "IGNORE"; exec @ARGV or die' \
		"$RUN" sh -c 'exit 3'
	assert_failure 3
	run timeout -k 1 10 perl -e '$SIG{CHLD} = "IGNORE"; exec @ARGV or die' \
		"$RUN" --no-init true
	assert_success
}

@test "without init orphans stay zombies" {
	run "$RUN" --no-init "$PROBE" orphans 20
	assert_output "zombies 20"
}

@test "every forwarded signal reaches COMMAND" {
	"$RUN" "$PROBE" signals TERM INT HUP QUIT USR1 USR2 WINCH > "$WORK/out" &
	BG_PID=$!
	wait_for_line "$WORK/out" 10 '^ready$'
	for sig in TERM INT HUP QUIT USR1 USR2 WINCH; do
		kill -s "$sig" "$BG_PID"
		wait_for_line "$WORK/out" 10 "^got SIG$sig\$"
	done
	# Plain wait: run executes in a subshell, which cannot wait for this shell's job.
	exit_status=0
	wait "$BG_PID" || exit_status=$?
	BG_PID=
	assert_equal "$exit_status" 0
}

@test "forwarded signals reach COMMAND without init" {
	"$RUN" --no-init "$PROBE" signals TERM USR1 > "$WORK/out" &
	BG_PID=$!
	wait_for_line "$WORK/out" 10 '^ready$'
	kill -s USR1 "$BG_PID"
	wait_for_line "$WORK/out" 10 '^got SIGUSR1$'
	kill -s TERM "$BG_PID"
	wait_for_line "$WORK/out" 10 '^got SIGTERM$'
	# Plain wait: run executes in a subshell, which cannot wait for this shell's job.
	exit_status=0
	wait "$BG_PID" || exit_status=$?
	BG_PID=
	assert_equal "$exit_status" 0
}

@test "container dies with a killed runtime" {
	"$RUN" --explain sleep 300 2>"$WORK/err" &
	BG_PID=$!
	wait_for_line "$WORK/err" 10 'execve\("sleep"\)'
	init_pid=$(sed -nE 's/.*container init: PID ([0-9]+) on the host.*/\1/p' "$WORK/err")
	[ -n "$init_pid" ]
	[ -e "/proc/$init_pid" ]
	kill -KILL "$BG_PID"
	wait "$BG_PID" || true
	BG_PID=
	wait_for_exit "$init_pid" 10
}

@test "Ctrl-Z stops the container and fg resumes it" {
	"$RUN" --explain sleep 30 2>"$WORK/err" &
	BG_PID=$!
	wait_for_line "$WORK/err" 10 'execve\("sleep"\)'
	init_pid=$(sed -nE 's/.*container init: PID ([0-9]+) on the host.*/\1/p' "$WORK/err")
	command_pid=$(cat "/proc/$init_pid/task/$init_pid/children")
	command_pid=${command_pid% }

	kill -TSTP "$BG_PID"
	wait_for_state "$command_pid" T
	wait_for_state "$BG_PID" T
	kill -CONT "$BG_PID"
	wait_for_state "$command_pid" S
	wait_for_state "$BG_PID" S
}

@test "exit status of a normal exit" {
	run "$RUN" sh -c 'exit 3'
	assert_equal "$status" 3
	run "$RUN" true
	assert_success
}

@test "exit status 143 for SIGTERM" {
	run "$RUN" sh -c 'kill -TERM $$'
	assert_equal "$status" 143
}

@test "exit status 137 for SIGKILL" {
	run "$RUN" sh -c 'kill -KILL $$'
	assert_equal "$status" 137
}

@test "exit status 139 for SIGSEGV" {
	run "$RUN" sh -c 'kill -SEGV $$'
	assert_equal "$status" 139
}

@test "exit status 125 names the bad option" {
	run "$RUN" --bogus true
	assert_equal "$status" 125
	assert_output "ctrlab: error: Unknown option '--bogus'; run '$RUN --help' to list the options"
	run "$RUN" --hostname
	assert_equal "$status" 125
	assert_output --partial "'--hostname' needs a value (NAME)"
	# A short option last on the line, without its value.
	run "$RUN" -e
	assert_equal "$status" 125
	assert_output "ctrlab: error: Option '-e' needs a value (KEY=VALUE); run '$RUN --help' for usage"
	run "$RUN" --name 'bad/name' true
	assert_equal "$status" 125
	assert_output --partial "Invalid container name 'bad/name'"
}

@test "exit status 126 for a file that is not executable" {
	printf 'echo hi\n' > "$WORK/script"
	chmod 644 "$WORK/script"
	run "$RUN" "$WORK/script"
	assert_equal "$status" 126
	assert_output --partial "Failed to execute '$WORK/script': it has no execute permission; if it is a program or a script, run 'chmod +x $WORK/script'"
	run "$RUN" "$WORK"
	assert_equal "$status" 126
	assert_output --partial "Failed to execute '$WORK': it is a directory"
	printf '#!/no/such/interpreter\n' > "$WORK/script"
	chmod 755 "$WORK/script"
	run "$RUN" "$WORK/script"
	assert_equal "$status" 126
	assert_output --partial "Failed to execute '$WORK/script': its interpreter"
}

@test "exit status 127 for a missing command" {
	run -127 "$RUN" no-such-command-ctrlab
	assert_equal "$status" 127
	assert_output --partial "Failed to execute 'no-such-command-ctrlab': command not found"
	run -127 "$RUN" --no-init /no/such/path
	assert_equal "$status" 127
	assert_output --partial "Failed to execute '/no/such/path': No such file or directory"
}

@test "hostname is isolated from the host" {
	before=$(hostname)
	run "$RUN" --hostname inside-box sh -c 'hostname; echo "$HOSTNAME"'
	assert_success
	assert_output $'inside-box\ninside-box'
	assert_equal "$(hostname)" "$before"
	run "$RUN" hostname
	assert_output ctrlab
}

@test "hostname of 64 bytes works and 65 is rejected" {
	name64=$(printf 'a%.0s' $(seq 64))
	run "$RUN" --hostname "$name64" hostname
	assert_success
	assert_output "$name64"
	run "$RUN" --hostname "${name64}a" hostname
	assert_equal "$status" 125
	assert_output --partial "65 bytes, the limit is 64"
}

@test "IPC objects stay inside the container" {
	# Keys derived from this shell's PID, so concurrent runs of the suite differ.
	key=$(printf '0x7c%06x' $(( ($$ * 2) & 0xffffff )))
	host_key=$(printf '0x7c%06x' $(( ($$ * 2 + 1) & 0xffffff )))
	SHM_KEYS="$key $host_key"
	run "$PROBE" shm-find "$key"
	assert_output absent
	run "$RUN" sh -c "'$PROBE' shm-create $key && '$PROBE' shm-find $key"
	assert_success
	assert_line present
	# The container's IPC namespace died with it; the host never had the segment.
	run "$PROBE" shm-find "$key"
	assert_output absent

	"$PROBE" shm-create "$host_key"
	run "$RUN" "$PROBE" shm-find "$host_key"
	assert_output absent
}

@test "environment is clean" {
	export CTRLAB_HOST_SECRET=leak
	run env -u TERM "$RUN" -e A=1 -e 'B=two words' env
	assert_success
	run sort <<< "$output"
	assert_output "$(printf '%s\n' 'A=1' 'B=two words' 'HOME=/root' 'HOSTNAME=ctrlab' \
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" 'TERM=xterm')"
}

@test "only fds 0 to 2 reach COMMAND" {
	exec 7</dev/null 8>"$WORK/leak"
	run "$RUN" "$PROBE" fds
	exec 7<&- 8>&-
	assert_success
	assert_output "0 1 2"
	run "$RUN" --no-init "$PROBE" fds
	assert_output "0 1 2"
}

@test "clone fallback runs the same container" {
	run env CTRLAB_NO_CLONE3=1 "$RUN" --explain sh -c 'echo $$; hostname'
	assert_success
	assert_line --partial "clone(flags=CLONE_NEWPID|CLONE_NEWUTS|CLONE_NEWIPC|CLONE_PIDFD|SIGCHLD"
	assert_line 2
	assert_line ctrlab
}

@test "explain narrates each kernel step" {
	run "$RUN" --explain --hostname box true
	assert_success
	assert_line "ctrlab: explain: host: clone3(flags=CLONE_NEWPID|CLONE_NEWUTS|CLONE_NEWIPC|CLONE_PIDFD, exit_signal=SIGCHLD) = ${lines[0]##*= }"
	assert_line --regexp '^ctrlab: explain: host: container init: PID [0-9]+ on the host, PID 1 inside \(NSpid\)$'
	assert_line 'ctrlab: explain: container: sethostname("box") = 0 in the new UTS namespace'
	assert_line --regexp '^ctrlab: explain: container: clone\(CLONE_VM\|CLONE_VFORK\) = 2: init is PID 1, COMMAND is PID 2 \(returns after COMMAND.s execve\)$'
	assert_line --partial 'ctrlab: explain: container: execve("true") in PID 2'
}

@test "debug adds detail to the narration" {
	run "$RUN" --debug --name dbg1 "$PROBE" orphans 3
	assert_success
	assert_line "ctrlab: debug: container name 'dbg1'"
	assert_line --regexp '^ctrlab: debug: init reaped orphan PID [0-9]+$'
	assert_line --partial 'ctrlab: explain: host: clone3('
	run "$RUN" --explain "$PROBE" orphans 3
	refute_line --partial 'debug:'
}

@test "quiet run prints nothing of its own" {
	run "$RUN" -q true
	assert_success
	assert_output ""
}

@test "help and version exit 0" {
	run "$RUN" --help
	assert_success
	assert_line --partial "Usage: $RUN [OPTIONS] [--] [COMMAND [ARG...]]"
	assert_line --partial -- "--no-init"
	run "$RUN" --version
	assert_success
	assert_output --regexp '^ctrlab [0-9.]+ \(stage1-pid-uts\)$'
}
