#!/bin/sh
# Integration suite: the CLI and the library against the simulated modem.
#
#   sh tests/integration/run.sh BUILD [PATTERN]
#
# Runs every test function of tests/integration/test_*.sh (functions named
# test_*, each in its own shell process and temporary directory, bounded by
# `timeout`) and every program BUILD/tests/integ/* (given a fresh simulator's
# link and identity key as argv[1] and argv[2]; a second run against a
# simulator with URCs and fragmented output adds argv[3] --expect-urc). PATTERN (a grep regex on
# "file:test") selects a subset. Prints PASS/FAIL per test and, last, exactly
# one line "integration: N passed, N failed"; exits 1 if any failed.
#
# TEST_FILES (a glob, default tests/integration/test_*.sh) runs the test
# functions of other files instead, without the programs of BUILD/tests/integ,
# and SUITE (default "integration") names the summary line: make metamorphic
# runs tests/metamorphic/test_*.sh so.
set -u

BUILD="${1:-build}"
PATTERN="${2:-}"
SUITE="${SUITE:-integration}"
TEST_TIMEOUT="${TEST_TIMEOUT:-120}"

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
export BUILD ROOT

TMPROOT=$(mktemp -d "${TMPDIR:-/tmp}/mcinteg.XXXXXX") || exit 1
export T_DIR="$TMPROOT"
. "$ROOT/tests/integration/lib.sh"

cleanup() {
	for f in "$TMPROOT"/*/*.simpid; do
		[ -f "$f" ] || continue
		kill -KILL "$(cat "$f")" 2>/dev/null || true
	done
	[ -n "${KEEP_TMP:-}" ] || rm -rf "$TMPROOT"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

for x in "$CLI" "$SIM"; do
	[ -x "$x" ] || { echo "integration: $x is missing (run make first)" >&2
		echo "integration: 0 passed, 1 failed"; exit 1; }
done

FIX="$TMPROOT/fixtures"
export FIX
if ! make_fixtures "$FIX"; then
	echo "integration: could not make the fixtures with openssl" >&2
	echo "integration: 0 passed, 1 failed"; exit 1
fi

passed=0 failed=0 failed_names=""
start_all=$(now)

# run_one NAME SCRIPT: run SCRIPT (sh code) in a fresh process and directory
run_one() {
	name="$1" code="$2"
	d="$TMPROOT/$(echo "$name" | tr -c 'A-Za-z0-9_.\n' '_')"
	mkdir -p "$d"
	t0=$(now)
	T_DIR="$d" timeout -k 5 "$TEST_TIMEOUT" sh -c "
		. '$ROOT/tests/integration/lib.sh'
		trap stop_all_sims EXIT
		trap 'exit 143' TERM
		trap 'exit 130' INT
		set -e
		$code" >"$d/log" 2>&1
	rc=$?
	# leftovers of a killed test
	for f in "$d"/*.simpid; do
		[ -f "$f" ] || continue
		kill -KILL "$(cat "$f")" 2>/dev/null || true
		rm -f "$f"
	done
	t=$(elapsed "$t0" "$(now)")
	# a sanitizer report anywhere (simulator output, any CLI stderr) fails the test
	if cat "$d"/*.out "$d/stderr.all" "$d/log" 2>/dev/null |
		grep -q 'ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error:'; then
		echo "  sanitizer report:" >>"$d/log"
		cat "$d"/*.out "$d/stderr.all" 2>/dev/null |
			grep -A 12 'ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error:' | head -n 40 >>"$d/log"
		[ "$rc" -ne 0 ] || rc=86
	fi
	if [ "$rc" -eq 0 ]; then
		passed=$((passed + 1))
		printf 'PASS  %-50s %6ss\n' "$name" "$t"
	else
		failed=$((failed + 1))
		failed_names="$failed_names $name"
		[ "$rc" -eq 124 ] && echo "  (killed after ${TEST_TIMEOUT}s)" >>"$d/log"
		printf 'FAIL  %-50s %6ss (exit %s)\n' "$name" "$t" "$rc"
		sed 's/^/    /' "$d/log" | head -n 80
	fi
}

for file in ${TEST_FILES:-tests/integration/test_*.sh}; do
	[ -f "$file" ] || continue
	base=$(basename "$file" .sh)
	for t in $(tests_in "$file"); do
		if [ -n "$PATTERN" ] && ! echo "$base:$t" | grep -q -e "$PATTERN"; then continue; fi
		run_one "$base:$t" ". '$ROOT/$file'; $t"
	done
done

# the library's own test programs, with the integration files only
if [ -z "${TEST_FILES:-}" ]; then
	for prog in "$BUILD"/tests/integ/*; do
		[ -f "$prog" ] && [ -x "$prog" ] || continue
		name="integ:$(basename "$prog")"
		if [ -n "$PATTERN" ] && ! echo "$name" | grep -q -e "$PATTERN"; then continue; fi
		# a plain simulator, then one that fragments its output and sends URCs
		run_one "$name" "start_sim
			RC=0; timeout -k 3 90 '$prog' \"\$LINK\" \"\$IDKEY\" || RC=\$?
			[ \"\$RC\" -eq 0 ] || fail '$prog exited with '\$RC"
		run_one "$name+urc+fragment" "start_sim --urc-every 50 --fragment --seed 5
			RC=0; timeout -k 3 90 '$prog' \"\$LINK\" \"\$IDKEY\" --expect-urc || RC=\$?
			[ \"\$RC\" -eq 0 ] || fail '$prog exited with '\$RC"
	done
fi

echo "$SUITE: total $(elapsed "$start_all" "$(now)")s" >&2
[ "$failed" -eq 0 ] || echo "failed:$failed_names" >&2
echo "$SUITE: $passed passed, $failed failed"
[ -n "${MCRED_RESULTS:-}" ] && echo "$passed $failed" >>"$MCRED_RESULTS"
[ "$failed" -eq 0 ]
