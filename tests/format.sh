#!/bin/sh
# The house style (.clang-format) over every C source and header in git,
# except the fuzz corpora.
#
#   sh tests/format.sh          rewrite the files in place (make format)
#   sh tests/format.sh --check  list the files that differ and fail (make test)
#
# Runs from a git checkout; with MCRED_RESULTS set, --check counts as one
# test in make test's total ("1 0" or "0 1").
set -u
cd "$(dirname "$0")/.." || exit 1
CLANG_FORMAT=${CLANG_FORMAT:-clang-format}

files=$(git ls-files '*.c' '*.h' | grep -v '^tests/fuzz/corpus/')
if [ "${1:-}" != --check ]; then
	# shellcheck disable=SC2086
	exec $CLANG_FORMAT -i $files
fi

bad=0
for f in $files; do
	if ! $CLANG_FORMAT "$f" | cmp -s - "$f"; then
		echo "format: $f differs from .clang-format; run make format" >&2
		bad=$((bad + 1))
	fi
done
total=$(echo "$files" | wc -l)
echo "format: $((total - bad)) of $total files in the house style"
if [ -n "${MCRED_RESULTS:-}" ]; then
	if [ "$bad" -eq 0 ]; then echo "1 0"; else echo "0 1"; fi >>"$MCRED_RESULTS"
fi
[ "$bad" -eq 0 ]
