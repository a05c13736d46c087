# Shared setup for every stage's bats suite.
# shellcheck shell=bash

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

REPO=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
PROBE="$REPO/verify/probe"

# Skip when the host lacks what a test needs, with the reason; under CI=true a
# missing feature is a failure instead, so CI never passes by skipping.
require() {
	local reason=$1
	if [ "${CI:-}" = true ]; then
		fail "required in CI: $reason"
	fi
	skip "$reason"
}

require_root() {
	[ "$(id -u)" -eq 0 ] || require "runs as root (namespaces need CAP_SYS_ADMIN)"
}

# Wait up to $2 seconds (default 10) until file $1 contains a line matching $3.
wait_for_line() {
	local file=$1 timeout=${2:-10} pattern=$3
	local deadline=$((SECONDS + timeout))
	until grep -qE -- "$pattern" "$file" 2>/dev/null; do
		if [ "$SECONDS" -ge "$deadline" ]; then
			echo "timed out after ${timeout}s waiting for '$pattern' in $file:" >&2
			cat "$file" >&2 || true
			return 1
		fi
		sleep 0.05
	done
}

# Wait up to $2 seconds until process $1 is gone (or a zombie that no process reaps).
wait_for_exit() {
	local pid=$1 timeout=${2:-10}
	local deadline=$((SECONDS + timeout))
	while [ -e "/proc/$pid" ] && [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ]; do
		[ "$SECONDS" -lt "$deadline" ] || return 1
		sleep 0.05
	done
}

# Wait up to 10 seconds until process $1 is in state $2 (R, S, T, Z, ...).
wait_for_state() {
	local pid=$1 state=$2
	local deadline=$((SECONDS + 10))
	until [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" = "$state" ]; do
		if [ "$SECONDS" -ge "$deadline" ]; then
			echo "process $pid is in state $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null), not $state" >&2
			return 1
		fi
		sleep 0.05
	done
}
