#!/bin/sh
# Short libFuzzer run of every BUILD/fuzz/fuzz_* target.
#
#   sh tests/fuzz/run.sh BUILD SECONDS [--grow]
#
# Each target runs for SECONDS (-max_total_time) on a temporary copy of its
# seed corpus tests/fuzz/corpus/<name>/. With --grow (make fuzz-long) the
# inputs that found new coverage are merged back into that corpus (libFuzzer
# -merge=1, so only inputs adding coverage are kept); without it (make test)
# the tree is never changed. A crash, leak, sanitizer report or timeout fails
# the run; the reproducer is kept and its path printed. Per target it prints
# the executions and executions per second. Last line:
# "fuzz: N passed, N failed".
set -u

BUILD="${1:-build}"
SECONDS_PER="${2:-20}"
GROW="${3:-}"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac

TMP=$(mktemp -d "${TMPDIR:-/tmp}/mcfuzz.XXXXXX") || exit 1
KEEP=0
cleanup() { [ "$KEEP" = 1 ] || rm -rf "$TMP"; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

passed=0 failed=0 found=0
for target in "$BUILD"/fuzz/fuzz_*; do
	[ -f "$target" ] && [ -x "$target" ] || continue
	found=$((found + 1))
	name=$(basename "$target")
	corpus="$TMP/corpus.$name"
	art="$TMP/artifacts.$name"
	mkdir -p "$corpus" "$art"
	if [ -d "tests/fuzz/corpus/$name" ]; then
		cp -R "tests/fuzz/corpus/$name/." "$corpus/" 2>/dev/null || true
	fi
	seeds=$(find "$corpus" -type f | wc -l)
	rc=0
	# hard bound: the fuzz time plus a margin for startup and the last run
	timeout -k 10 $((SECONDS_PER + 60)) "$target" -max_total_time="$SECONDS_PER" \
		-timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$art/" "$corpus" >"$TMP/$name.log" 2>&1 || rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$TMP/$name.log" | tail -n 1)
	speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$TMP/$name.log" | tail -n 1)
	crashes=$(find "$art" -type f | wc -l)
	if [ "$rc" -eq 0 ] && [ "$crashes" -eq 0 ]; then
		passed=$((passed + 1))
		grown=""
		if [ "$GROW" = "--grow" ]; then
			mkdir -p "tests/fuzz/corpus/$name"
			timeout -k 10 300 "$target" -merge=1 -rss_limit_mb=2048 \
				"tests/fuzz/corpus/$name" "$corpus" >"$TMP/$name.merge" 2>&1 || true
			grown=", corpus $seeds -> $(find "tests/fuzz/corpus/$name" -type f | wc -l) files"
		fi
		echo "PASS  $name: ${runs:-?} executions in ${SECONDS_PER}s (${speed:-?}/s) from $seeds seeds$grown"
	else
		failed=$((failed + 1))
		KEEP=1
		echo "FAIL  $name: exit $rc, $crashes artifact(s) kept in $art"
		grep -E 'ERROR|SUMMARY|Test unit written|==[0-9]+==' "$TMP/$name.log" | head -n 20 | sed 's/^/    /'
		[ "$rc" -eq 124 ] && echo "    (killed: did not stop after ${SECONDS_PER}s)"
	fi
done

if [ "$found" -eq 0 ]; then
	echo "fuzz: no targets in $BUILD/fuzz (run make fuzz first)" >&2
	echo "fuzz: 0 passed, 1 failed"
	exit 1
fi
echo "fuzz: $passed passed, $failed failed"
[ -n "${MCRED_RESULTS:-}" ] && echo "$passed $failed" >>"$MCRED_RESULTS"
[ "$failed" -eq 0 ]
