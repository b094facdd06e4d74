#!/bin/sh
# The library's header rules, checked from what the compiler sees:
#
#   sh tests/check_headers.sh
#
# 1. lib/x.h is lib/x.c's: every function lib/x.h declares (not static) is
#    defined in lib/x.c, which includes lib/x.h; a header without a .c of
#    its own (handle.h) declares no functions.
# 2. Every function lib/x.c defines (not static) is declared in its own
#    lib/x.h or in include/modemcred.h: nothing is shared through a header
#    of another file, and no function is exported unannounced.
# 3. The layering of lib/handle.h: a file of lib/ includes headers of its
#    own layer and of the layers below only. The layers are read from the
#    numbered list in handle.h's comment (a name belongs to the first layer
#    that names it; x.c to the layer of x.h unless a layer names x.c), and
#    the one upward include it allows from its line "Upward include
#    allowed: a.h includes b.h".
#
# Declarations and definitions come from gcc's -aux-info (each prototype
# with the file and line it comes from), so macros, comments and line
# breaks cannot fool the check. One result per file of lib/ (all its rules
# hold or not); prints every violation and, last, "headers: N passed, N
# failed" (appended to MCRED_RESULTS as "N N" when set).
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
work=$(mktemp -d "${TMPDIR:-/tmp}/mcheaders.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT

CFLAGS_AUX="-std=c11 -Iinclude -Ilib -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L \
	$(pkg-config --cflags libserialport libcbor libcrypto 2>/dev/null)"

passed=0 failed=0
problems="$work/problems"
: >"$problems"

# problem FILE TEXT: one violation of FILE
problem() {
	echo "$1: $2" >>"$problems"
}

# functions WHAT FILE AUX: names of the non-static functions that AUX
# (gcc -aux-info output) shows FILE declaring (WHAT=decl) or defining (def)
functions() {
	awk -v what="$1" -v file="$2" '
		match($0, /^\/\* [^:]*:[0-9]+:[A-Z][A-Z] \*\/ /) {
			split(substr($0, 4, RLENGTH - 7), where, ":")
			if (where[1] != file) next
			is_def = substr(where[3], 2, 1) == "F"
			if ((what == "def") != is_def) next
			rest = substr($0, RLENGTH + 1)
			if (rest ~ /^static /) next
			# the name: the identifier right before the parameter list
			if (match(rest, /[A-Za-z_][A-Za-z0-9_]* \(/))
				print substr(rest, RSTART, RLENGTH - 2)
		}' "$3" | sort -u
}

# ---- the layers of handle.h ---------------------------------------------------

# "name layer" for every lib/ file handle.h's numbered list names
sed -n '/Layers, lowest first/,/^ \*\/$/p' lib/handle.h | awk '
	/^ \* +[0-9]+\. / { match($0, /[0-9]+/); layer = substr($0, RSTART, RLENGTH) }
	/^ \* *$/ { layer = "" }
	layer != "" {
		line = $0
		while (match(line, /[a-z_0-9]+\.[ch]/)) {
			name = substr(line, RSTART, RLENGTH)
			if (!(name in seen)) { seen[name] = 1; print name, layer }
			line = substr(line, RSTART + RLENGTH)
		}
	}' >"$work/layers"
echo "handle.h 0" >>"$work/layers" # "this file", in layer 0
sed -n 's/.*Upward include allowed: \([a-z_0-9]*\.h\) includes \([a-z_0-9]*\.h\).*/\1 \2/p' \
	lib/handle.h >"$work/upward"
[ "$(wc -l <"$work/layers")" -gt 10 ] ||
	problem lib/handle.h "cannot read its numbered list of layers"

# check_layers: every lib/ file's includes of lib/ headers stay at or below
# its layer (x.c in the layer of x.h unless a layer names x.c)
check_layers() {
	awk 'match($0, /^#include "[a-z_0-9]+\.h"/) {
		h = substr($0, RSTART + 10, RLENGTH - 11)
		f = FILENAME; sub(/^lib\//, "", f)
		print f, h
	}' lib/*.c lib/*.h | awk -v layers="$work/layers" -v upward="$work/upward" '
		BEGIN {
			while ((getline line < layers) > 0) { split(line, w, " "); layer[w[1]] = w[2] }
			while ((getline line < upward) > 0) allowed[line] = 1
		}
		function layer_of(n, h) {
			if (n in layer) return layer[n]
			h = n; sub(/\.c$/, ".h", h)
			return (n ~ /\.c$/ && h in layer) ? layer[h] : ""
		}
		!($1 in placed) {
			placed[$1] = 1
			if (layer_of($1) == "")
				print "lib/" $1 ": not placed in a layer: name it in the layer list of lib/handle.h"
		}
		{
			mine = layer_of($1); theirs = layer_of($2)
			if ($2 == "modemcred.h" || mine == "" || theirs == "") next
			if (theirs + 0 > mine + 0 && !(($1 " " $2) in allowed))
				print "lib/" $1 ": includes " $2 " (layer " theirs ") from layer " mine \
					": see the layers in lib/handle.h"
		}' >>"$problems"
}

# ---- each file of lib/ --------------------------------------------------------

# the prototypes each lib/x.c sees, in work/x.aux (x.err: why not), on every core
export CFLAGS_AUX work
ls lib/*.c | xargs -P "$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)" -I {} sh -c '
	x=$(basename "$1" .c)
	# shellcheck disable=SC2086
	gcc $CFLAGS_AUX -fsyntax-only -aux-info "$work/$x.aux" "$1" 2>"$work/$x.err" ||
		rm -f "$work/$x.aux"' sh {}

for c in lib/*.c; do
	x=${c%.c}
	aux="$work/$(basename "$x").aux"
	if [ ! -f "$aux" ]; then
		problem "$c" "does not compile: $(head -n 5 "$work/$(basename "$x").err")"
		continue
	fi
	functions def "$c" "$aux" >"$work/defined"
	functions decl include/modemcred.h "$aux" >"$work/public"
	: >"$work/own"
	if [ -f "$x.h" ]; then
		grep -q "^#include \"$(basename "$x").h\"" "$c" ||
			problem "$c" "does not include its own header $(basename "$x").h"
		functions decl "$x.h" "$aux" >"$work/own"
		for f in $(comm -23 "$work/own" "$work/defined"); do
			problem "$x.h" "declares $f(), which $c does not define"
		done
	fi
	sort -u "$work/own" "$work/public" >"$work/announced"
	for f in $(comm -23 "$work/defined" "$work/announced"); do
		problem "$c" "defines $f(), declared neither in $(basename "$x").h nor in include/modemcred.h"
	done
done

# headers without a .c of their own hold types only
for h in lib/*.h; do
	[ -f "${h%.h}.c" ] && continue
	gcc $CFLAGS_AUX -fsyntax-only -aux-info "$work/h.aux" -x c "$h" 2>"$work/cc.err" ||
		{ problem "$h" "does not compile on its own: $(head -n 5 "$work/cc.err")"; continue; }
	for f in $(functions decl "$h" "$work/h.aux"); do
		problem "$h" "declares $f() but there is no ${h%.h}.c to define it"
	done
done
check_layers

for f in lib/*.c lib/*.h; do
	if grep -q "^$f: " "$problems"; then failed=$((failed + 1)); else passed=$((passed + 1)); fi
done

[ ! -s "$problems" ] || sed 's/^/headers: /' "$problems" >&2
echo "headers: $passed passed, $failed failed"
[ -n "${MCRED_RESULTS:-}" ] && echo "$passed $failed" >>"$MCRED_RESULTS"
[ "$failed" -eq 0 ]
