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
# "file:test") selects a subset. Prints PASS/FAIL per test as each ends and,
# last, exactly one line "integration: N passed, N failed"; exits 1 if any
# failed.
#
# Tests run INTEG_JOBS at a time (default: twice the number of cores, since
# most of a test's time is spent waiting for a modem, a pseudo-terminal or a
# process; INTEG_JOBS=1 runs them one by one). Each test has its own
# directory, simulators, links and files, so parallel tests cannot
# interfere. The longest tests of the previous run (BUILD/SUITE-times) start
# first, so that none of them is left to run alone at the end.
#
# TEST_FILES (a glob, default tests/integration/test_*.sh) runs the test
# functions of other files instead, without the programs of BUILD/tests/integ,
# and SUITE (default "integration") names the summary line and the times file.
set -u

# run.sh --one ID runs one test for the job pool below, with BUILD, FIX and
# TMPROOT from the environment the whole run exported.
ONE=""
if [ "${1:-}" = "--one" ]; then
	ONE="$2"
else
	BUILD="${1:-build}"
	PATTERN="${2:-}"
fi
TEST_TIMEOUT="${TEST_TIMEOUT:-300}"
TEST_FILES="${TEST_FILES:-tests/integration/test_*.sh}"
SUITE="${SUITE:-integration}"

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
export BUILD ROOT TEST_TIMEOUT TEST_FILES SUITE

# ---- one test ------------------------------------------------------------------

# test_dir ID: the directory of test ID under TMPROOT
test_dir() {
	echo "$TMPROOT/$(echo "$1" | tr -c 'A-Za-z0-9_.\n' '_')"
}

# test_code ID: the sh code that runs test ID ("file:test_x", "integ:prog",
# "integ:prog+urc+fragment")
test_code() {
	case "$1" in
	integ:*+urc+fragment)
		prog="$BUILD/tests/integ/${1#integ:}"
		prog="${prog%+urc+fragment}"
		# a simulator that fragments its output and sends URCs
		echo "start_sim --urc-every 50 --fragment --seed 5
			RC=0; timeout -k 3 90 '$prog' \"\$LINK\" \"\$IDKEY\" --expect-urc || RC=\$?
			[ \"\$RC\" -eq 0 ] || fail '$prog exited with '\$RC" ;;
	integ:*)
		prog="$BUILD/tests/integ/${1#integ:}"
		echo "start_sim
			RC=0; timeout -k 3 90 '$prog' \"\$LINK\" \"\$IDKEY\" || RC=\$?
			[ \"\$RC\" -eq 0 ] || fail '$prog exited with '\$RC" ;;
	*)
		for file in $TEST_FILES; do
			[ "$(basename "$file" .sh)" = "${1%%:*}" ] && echo ". '$ROOT/$file'; ${1#*:}"
		done ;;
	esac
}

# run_one ID: run test ID in a fresh process and directory; leaves "PASS" or
# "FAIL" in its directory's result file, its time in seconds in time, and
# prints its report (a PASS line, or a FAIL line with the log) in one write.
run_one() {
	name="$1"
	d=$(test_dir "$name")
	mkdir -p "$d"
	t0=$(now)
	T_DIR="$d" timeout -k 5 "$TEST_TIMEOUT" sh -c "
		. '$ROOT/tests/integration/lib.sh'
		trap stop_all_sims EXIT
		trap 'exit 143' TERM
		trap 'exit 130' INT
		set -e
		$(test_code "$name")" >"$d/log" 2>&1
	rc=$?
	# leftovers of a killed test
	for f in "$d"/*.simpid; do
		[ -f "$f" ] || continue
		kill -KILL "$(cat "$f")" 2>/dev/null || true
		rm -f "$f"
	done
	t=$(elapsed "$t0" "$(now)")
	echo "$t" >"$d/time"
	# a sanitizer report anywhere (simulator output, any CLI stderr) fails the test
	if cat "$d"/*.out "$d/stderr.all" "$d/log" 2>/dev/null |
		grep -q 'ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error:'; then
		echo "  sanitizer report:" >>"$d/log"
		cat "$d"/*.out "$d/stderr.all" 2>/dev/null |
			grep -A 12 'ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error:' | head -n 40 >>"$d/log"
		[ "$rc" -ne 0 ] || rc=86
	fi
	if [ "$rc" -eq 0 ]; then
		echo PASS >"$d/result"
		printf 'PASS  %-50s %6ss\n' "$name" "$t" >"$d/report"
	else
		echo FAIL >"$d/result"
		[ "$rc" -eq 124 ] && echo "  (killed after ${TEST_TIMEOUT}s)" >>"$d/log"
		{
			printf 'FAIL  %-50s %6ss (exit %s)\n' "$name" "$t" "$rc"
			sed 's/^/    /' "$d/log" | head -n 80
		} >"$d/report"
	fi
	cat "$d/report"
}

if [ -n "$ONE" ]; then
	. "$ROOT/tests/integration/lib.sh"
	run_one "$ONE"
	exit 0
fi

# ---- the whole run ------------------------------------------------------------

TMPROOT=$(mktemp -d "${TMPDIR:-/tmp}/mcinteg.XXXXXX") || exit 1
export TMPROOT
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
	[ -x "$x" ] || { echo "$SUITE: $x is missing (run make first)" >&2
		echo "$SUITE: 0 passed, 1 failed"; exit 1; }
done

FIX="$TMPROOT/fixtures"
export FIX
if ! make_fixtures "$FIX"; then
	echo "$SUITE: could not make the fixtures with openssl" >&2
	echo "$SUITE: 0 passed, 1 failed"; exit 1
fi

# Every test's ID, in file order; PATTERN selects.
ids="$TMPROOT/ids"
for file in $TEST_FILES; do
	[ -f "$file" ] || continue
	base=$(basename "$file" .sh)
	for t in $(tests_in "$file"); do echo "$base:$t"; done
done >"$ids"
# the library's own test programs, with the integration files only
if [ "$TEST_FILES" = "tests/integration/test_*.sh" ]; then
	for prog in "$BUILD"/tests/integ/*; do
		[ -f "$prog" ] && [ -x "$prog" ] || continue
		# a plain simulator, then one that fragments its output and sends URCs
		echo "integ:$(basename "$prog")"
		echo "integ:$(basename "$prog")+urc+fragment"
	done >>"$ids"
fi
if [ -n "$PATTERN" ]; then
	grep -e "$PATTERN" "$ids" >"$ids.sel" || true
	mv "$ids.sel" "$ids"
fi

# The order they start in: longest (in the previous run) first; tests it
# did not time keep their place ahead of those it did. A fresh build has no
# times yet: the slowest tests named in tests/SUITE/slow-tests start first,
# so that none of them is left to run alone at the end.
TIMES="$BUILD/$SUITE-times"
KNOWN="$TIMES" untimed=1e9
if [ ! -f "$TIMES" ]; then
	: >"$TIMES"
	[ -f "$ROOT/tests/$SUITE/slow-tests" ] && KNOWN="$ROOT/tests/$SUITE/slow-tests" untimed=1
fi
awk -v untimed="$untimed" 'FILENAME == ARGV[1] { if ($1 !~ /^#/) t[$1] = $2; next }
	{ print ($1 in t ? t[$1] : untimed), FNR, $1 }' \
	"$KNOWN" "$ids" | sort -k1,1gr -k2,2n | cut -d ' ' -f 3 >"$ids.order"

JOBS="${INTEG_JOBS:-$(($(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1) * 2))}"
start_all=$(now)
tr '\n' '\0' <"$ids.order" | xargs -0 -r -n 1 -P "$JOBS" sh "$ROOT/tests/integration/run.sh" --one

# Count in file order; keep each test's time for the next run's order.
passed=0 failed=0 failed_names=""
: >"$TIMES.new"
while read -r name; do
	d=$(test_dir "$name")
	if [ "$(cat "$d/result" 2>/dev/null)" = PASS ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		failed_names="$failed_names $name"
	fi
	[ -f "$d/time" ] && echo "$name $(cat "$d/time")" >>"$TIMES.new"
done <"$ids"
# a subset's times update those of the tests it ran
awk 'FILENAME == ARGV[1] { seen[$1] = 1; next } !($1 in seen)' "$TIMES.new" "$TIMES" >>"$TIMES.new"
mv -f "$TIMES.new" "$TIMES"

echo "$SUITE: total $(elapsed "$start_all" "$(now)")s, $JOBS at a time" >&2
[ "$failed" -eq 0 ] || echo "failed:$failed_names" >&2
echo "$SUITE: $passed passed, $failed failed"
[ -n "${MCRED_RESULTS:-}" ] && echo "$passed $failed" >>"$MCRED_RESULTS"
[ "$failed" -eq 0 ]
