# The artefacts themselves: the shared library's exports, the examples run
# against the simulator, MODEMCRED_PORT, an emulated baud rate.

test_shared_library_exports_only_public_api() {
	so="$BUILD/libmodemcred.so.0"
	[ -f "$so" ] || fail "$so is missing"
	readelf -d "$so" | grep -q 'SONAME.*libmodemcred.so.0' || fail "SONAME is not libmodemcred.so.0"
	nm -D --defined-only "$so" | awk '$2 ~ /^[TDBRVW]$/ { sub(/@.*/, "", $3); print $3 }' | sort >"$T_DIR/exported"
	grep -v '^mcred_' "$T_DIR/exported" >"$T_DIR/extra" || true
	[ ! -s "$T_DIR/extra" ] || fail "non-API symbols exported: $(tr '\n' ' ' <"$T_DIR/extra")"
	# the header declares exactly what the library exports: one name per function
	sed -n 's/^MCRED_API.*[ *]\(mcred_[a-z0-9_]*\)(.*/\1/p' include/modemcred.h | sort -u >"$T_DIR/declared"
	[ "$(wc -l <"$T_DIR/declared")" -gt 40 ] || fail "could not read the declarations from the header"
	comm -23 "$T_DIR/declared" "$T_DIR/exported" >"$T_DIR/missing"
	[ ! -s "$T_DIR/missing" ] || fail "declared but not exported: $(tr '\n' ' ' <"$T_DIR/missing")"
	comm -13 "$T_DIR/declared" "$T_DIR/exported" >"$T_DIR/undeclared"
	[ ! -s "$T_DIR/undeclared" ] ||
		fail "exported but not declared in include/modemcred.h: $(tr '\n' ' ' <"$T_DIR/undeclared")"
}

# A program linked with libmodemcred.a gets every global symbol of the
# library in its own namespace, not only the exported ones: each carries the
# one prefix, so that none can clash with the program's own (a helper named
# ca_secret_get did).
test_static_library_defines_only_prefixed_symbols() {
	a="$BUILD/libmodemcred.a"
	[ -f "$a" ] || fail "$a is missing"
	nm -g --defined-only "$a" | awk 'NF == 3 && $2 ~ /^[TDBRVWC]$/ { print $3 }' | sort -u >"$T_DIR/defined"
	[ "$(wc -l <"$T_DIR/defined")" -gt 40 ] || fail "could not read the symbols of $a"
	grep -v '^mcred_' "$T_DIR/defined" >"$T_DIR/unprefixed" || true
	[ ! -s "$T_DIR/unprefixed" ] ||
		fail "libmodemcred.a defines symbols without the mcred_ prefix: $(tr '\n' ' ' <"$T_DIR/unprefixed")"
}

# Every export carries the version node of the release it appeared in: the
# "Since x.y.z." note of its declaration in the header gives node
# MODEMCRED_x.y of lib/libmodemcred.map. New functions need both; a function
# missing from the map would not be exported at all (the link refuses that).
test_shared_library_symbols_are_versioned() {
	so="$BUILD/libmodemcred.so.0"
	[ -f "$so" ] || fail "$so is missing"
	exported_symbols "$so" >"$T_DIR/exported"
	objdump -T "$so" | awk '$NF ~ /^mcred_/ && $(NF-1) !~ /^MODEMCRED_/ { print $NF }' >"$T_DIR/unversioned"
	[ ! -s "$T_DIR/unversioned" ] ||
		fail "exports without a default version node: $(tr '\n' ' ' <"$T_DIR/unversioned")"
	cut -d ' ' -f 1 "$T_DIR/exported" | uniq -d >"$T_DIR/twice"
	[ ! -s "$T_DIR/twice" ] || fail "names exported in several versions: $(tr '\n' ' ' <"$T_DIR/twice")"
	grep -q '^mcred_version MODEMCRED_0.2$' "$T_DIR/exported" || fail "mcred_version is not in MODEMCRED_0.2"
	# the node each declaration's "Since" note calls for: a note is the last
	# "Since x.y.z." of the comment block before a declaration (a group of
	# declarations under one comment shares it)
	awk '
		/^[ \t]*\/\*/ { since = "" }
		/Since [0-9]+\.[0-9]+\.[0-9]+\./ { match($0, /Since [0-9]+\.[0-9]+/); since = substr($0, RSTART + 6, RLENGTH - 6) }
		/^MCRED_API/ && match($0, /mcred_[a-z0-9_]*\(/) {
			name = substr($0, RSTART, RLENGTH - 1)
			print name, (since == "" ? "NO-SINCE-NOTE" : "MODEMCRED_" since)
		}' include/modemcred.h | LC_ALL=C sort >"$T_DIR/noted"
	grep NO-SINCE-NOTE "$T_DIR/noted" >"$T_DIR/unnoted" || true
	[ ! -s "$T_DIR/unnoted" ] ||
		fail "declared without a 'Since x.y.z.' note: $(cut -d ' ' -f 1 "$T_DIR/unnoted" | tr '\n' ' ')"
	[ "$(wc -l <"$T_DIR/noted")" -gt 40 ] || fail "could not read the declarations from the header"
	diff "$T_DIR/noted" "$T_DIR/exported" >"$T_DIR/diff" ||
		fail "header notes (<) and symbol versions (>) differ:
$(cat "$T_DIR/diff")"
	# the map lists nothing that does not exist (ld ignores such names)
	sed -n 's/^[ \t]*\(mcred_[a-z0-9_]*\);.*/\1/p' lib/libmodemcred.map | LC_ALL=C sort >"$T_DIR/mapped"
	cut -d ' ' -f 1 "$T_DIR/exported" | comm -23 "$T_DIR/mapped" - >"$T_DIR/stale"
	[ ! -s "$T_DIR/stale" ] || fail "lib/libmodemcred.map lists symbols the library lacks: $(tr '\n' ' ' <"$T_DIR/stale")"
	uniq -d "$T_DIR/mapped" >"$T_DIR/twice"
	[ ! -s "$T_DIR/twice" ] || fail "lib/libmodemcred.map lists names twice: $(tr '\n' ' ' <"$T_DIR/twice")"
	# the newest node is the header's version
	major=$(sed -n 's/^#define MCRED_VERSION_MAJOR \([0-9]*\)$/\1/p' include/modemcred.h)
	minor=$(sed -n 's/^#define MCRED_VERSION_MINOR \([0-9]*\)$/\1/p' include/modemcred.h)
	last=$(sed -n 's/^\(MODEMCRED_[0-9.]*\) {$/\1/p' lib/libmodemcred.map | tail -n 1)
	expect_eq "$last" "MODEMCRED_$major.$minor" "newest node of lib/libmodemcred.map"
}

# The ABI changes only on purpose: the exported names and their versions
# are those of the committed list (how to add a function, and to update the
# list after a deliberate change: the top of lib/libmodemcred.map).
test_exported_symbols_match_list() {
	so="$BUILD/libmodemcred.so.0"
	list="tests/fixtures/abi/symbols.txt"
	[ -f "$so" ] || fail "$so is missing"
	exported_symbols "$so" >"$T_DIR/exported"
	[ "$(wc -l <"$T_DIR/exported")" -gt 40 ] || fail "could not read the exports of $so"
	diff "$list" "$T_DIR/exported" >"$T_DIR/diff" ||
		fail "the library's exports (>) differ from $list (<); if the change is
deliberate, see the top of lib/libmodemcred.map:
$(cat "$T_DIR/diff")"
}

test_example_provision() {
	ex="$BUILD/examples/provision"
	[ -x "$ex" ] || fail "$ex is missing"
	start_sim --cfun 1
	RC=0; timeout -k 3 30 "$ex" "$LINK" 42 "$FIX/ca.pem" >"$OUT" 2>"$ERR" || RC=$?
	expect_ok "examples/provision"
	got=$(list_sha 42 0)
	expect_eq "$got" "$(sha_lf "$FIX/ca.pem")" "digest after examples/provision"
	mc at 'AT+CFUN?'
	out_has '+CFUN: 1' "functional mode after examples/provision"
}

test_example_keygen_csr() {
	ex="$BUILD/examples/keygen_csr"
	[ -x "$ex" ] || fail "$ex is missing"
	start_sim
	RC=0; timeout -k 3 30 "$ex" "$LINK" 7 "$IDKEY" >"$T_DIR/ex.csr" 2>"$ERR" || RC=$?
	expect_ok "examples/keygen_csr"
	openssl req -verify -in "$T_DIR/ex.csr" -noout >/dev/null 2>&1 || fail "openssl req -verify on the example's CSR"
}

test_port_from_environment() {
	start_sim
	RC=0
	MODEMCRED_PORT="$LINK" timeout -k 3 30 "$CLI" info >"$OUT" 2>"$ERR" || RC=$?
	expect_ok "info with MODEMCRED_PORT"
	out_has 351358811234567 "info with MODEMCRED_PORT"
}

test_emulated_baud() {
	start_sim --baud 115200
	mc --baud 115200 write --skip-content-check --tag 3 --type 0 --verify "$FIX/big2k.pem"
	expect_ok "write --verify of 2 KB at 115200 baud"
	mc --baud 115200 read --tag 3 --type 0 -o "$T_DIR/back"
	expect_ok "read at 115200 baud"
	files_equal "$T_DIR/back" "$FIX/big2k.pem" "read back at 115200 baud"
	stop_sim
	rx=$(sim_stat rx_bytes); tx=$(sim_stat tx_bytes); n=$(sim_stat commands)
	[ -n "$rx" ] && [ -n "$tx" ] && [ -n "$n" ] || fail "--stats file incomplete: $(cat "$STATS")"
	[ "$rx" -gt 2000 ] && [ "$tx" -gt 2000 ] || fail "stats rx $rx tx $tx: expected > 2000 each"
}

# The man pages: clean under mandoc's lint at every level (tests/deps.sh
# installs mandoc), a real date and the header's version on each .TH line.
test_man_pages_lint_clean() {
	command -v mandoc >/dev/null 2>&1 || fail "mandoc is missing: sh tests/deps.sh test (or apt-get install mandoc)"
	RC=0; mandoc -Tlint -W all man/modemcred.1 man/libmodemcred.3 >"$OUT" 2>&1 || RC=$?
	[ "$RC" -eq 0 ] && [ ! -s "$OUT" ] || fail "mandoc -Tlint -W all (exit $RC): $(cat "$OUT")"
	version=$(header_version)
	for page in man/modemcred.1 man/libmodemcred.3; do
		th=$(grep '^\.TH ' "$page")
		echo "$th" | grep -q '^\.TH [A-Z]* [13] 20[0-9][0-9]-[01][0-9]-[0-3][0-9] "modemcred '"$version"'" ' ||
			fail "$page: expected .TH NAME SECTION YYYY-MM-DD \"modemcred $version\" ..., got: $th"
	done
}

# complete_words WORD...: what the installed (generated) bash completion
# offers for the last word
complete_words() {
	bash -c '. "$1/cli/modemcred.bash-completion"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _modemcred; printf "%s\n" "${COMPREPLY[@]}"' \
		sh "$ROOT" "$@"
}

# The completion make install installs is generated from the option table
# (test_docs.sh checks it is current); here it must agree with the CLI as
# built: every command of --help, every option of each command's --help.
test_bash_completion() {
	command -v bash >/dev/null 2>&1 || fail "bash is missing"
	expect_eq "$(complete_words modemcred wr)" "write" "completion of 'wr'"
	"$CLI" --help | sed -n '/^Commands/,/^$/s/^  \([a-z][a-z-]*\)  .*/\1/p' >"$T_DIR/commands"
	[ "$(wc -l <"$T_DIR/commands")" -gt 10 ] || fail "cannot read the commands of --help"
	complete_words modemcred "" >"$OUT"
	while read -r c; do
		grep -qx "$c" "$OUT" || fail "command $c (of --help) not offered"
		"$CLI" "$c" --help | sed -n 's/^ \{1,\}\(-[a-zA-Z], \)\{0,1\}\(--[a-z][a-z0-9-]*\).*/\2/p' \
			>"$T_DIR/options"
		complete_words modemcred "$c" -- >"$T_DIR/offered"
		while read -r o; do
			grep -qx -e "$o" "$T_DIR/offered" || fail "$c: option $o (of $c --help) not offered"
		done <"$T_DIR/options"
	done <"$T_DIR/commands"
	expect_eq "$(complete_words modemcred --fl)" "--flow" "completion of '--fl'"
	expect_eq "$(complete_words modemcred --flow "" | tr '\n' ' ')" "none rtscts " "values of --flow"
	expect_eq "$(complete_words modemcred --baud 9600 write --veri)" "--verify" "write's --veri"
	expect_eq "$(complete_words modemcred -p /dev/null keygen --format "" | tr '\n' ' ')" "pem der " \
		"values of keygen --format"
	complete_words modemcred write --type "" >"$OUT"
	grep -qx ca "$OUT" && grep -qx psk-id "$OUT" || fail "--type values not offered"
	# a file argument completes file names
	: >"$T_DIR/cert-to-write.pem"
	expect_eq "$(complete_words modemcred write --tag 1 --type ca "$T_DIR/cert-to-")" \
		"$T_DIR/cert-to-write.pem" "file argument of write"
}
