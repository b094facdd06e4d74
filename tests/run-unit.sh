#!/bin/sh
# Run every cmocka unit test binary given, count their test cases, and print
# one summary line. With MCRED_RESULTS set, also append "passed failed" there
# for the total that `make test` prints at the end.
passed=0 failed=0 log=$(mktemp)
for t in "$@"; do
	"$t" >"$log" 2>&1
	status=$?
	cat "$log"
	ok=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
	bad=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
	passed=$((passed + ${ok:-0}))
	failed=$((failed + ${bad:-0}))
	# A binary that crashed or failed without a cmocka summary still fails.
	if [ "$status" -ne 0 ] && [ -z "$bad" ]; then
		failed=$((failed + 1))
	fi
	[ "$status" -eq 0 ] || echo "FAILED: $t" >&2
done
rm -f "$log"
echo "unit: $passed passed, $failed failed"
[ -n "${MCRED_RESULTS:-}" ] && echo "$passed $failed" >>"$MCRED_RESULTS"
[ "$failed" -eq 0 ]
