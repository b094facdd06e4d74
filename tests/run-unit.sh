#!/bin/sh
# Run every cmocka unit test binary given, count their test cases, and print
# one summary line. With MCRED_RESULTS set, also append "passed failed" there
# for the total that `make test` prints at the end.
#
# The binaries run UNIT_JOBS at a time (default: the number of cores); each
# one's output is printed whole when it ends. They share nothing: each test
# talks to fake modems of its own, in memory.
set -u

logs=$(mktemp -d "${TMPDIR:-/tmp}/mcunit.XXXXXX") || exit 1
trap 'rm -rf "$logs"' EXIT
export logs

# each binary's output in logs/N.log, its exit status in logs/N.status
i=0
for t in "$@"; do
	i=$((i + 1))
	printf '%s %s\0' "$i" "$t"
done | xargs -0 -r -n 1 -P "${UNIT_JOBS:-$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)}" sh -c '
	n=${1%% *} t=${1#* }
	"$t" >"$logs/$n.log" 2>&1
	echo $? >"$logs/$n.status"
	cat "$logs/$n.log"' sh

passed=0 failed=0 i=0
for t in "$@"; do
	i=$((i + 1))
	status=$(cat "$logs/$i.status" 2>/dev/null || echo 1)
	ok=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$logs/$i.log" 2>/dev/null | tail -n 1)
	bad=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$logs/$i.log" 2>/dev/null | tail -n 1)
	passed=$((passed + ${ok:-0}))
	failed=$((failed + ${bad:-0}))
	# A binary that crashed or failed without a cmocka summary still fails.
	if [ "$status" -ne 0 ] && [ -z "$bad" ]; then
		failed=$((failed + 1))
	fi
	[ "$status" -eq 0 ] || echo "FAILED: $t" >&2
done
echo "unit: $passed passed, $failed failed"
[ -n "${MCRED_RESULTS:-}" ] && echo "$passed $failed" >>"$MCRED_RESULTS"
[ "$failed" -eq 0 ]
