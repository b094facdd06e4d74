# The documents made from the CLI's option table (cli/cmdline.c) by
# cli/gendoc.c: the committed files must be what the table gives today, and
# the completion script must complete what the parser accepts.

GENDOC="$BUILD/gendoc"

test_docs_generated_files_current() {
	[ -x "$GENDOC" ] || fail "$GENDOC is missing (run make)"
	"$GENDOC" bash >"$T_DIR/modemcred.bash" || fail "gendoc bash failed"
	"$GENDOC" man "$ROOT/man/modemcred.1" >"$T_DIR/modemcred.1" || fail "gendoc man failed"
	diff -u "$ROOT/cli/modemcred.bash-completion" "$T_DIR/modemcred.bash" >&2 ||
		fail "cli/modemcred.bash-completion is out of date: run make docs"
	diff -u "$ROOT/man/modemcred.1" "$T_DIR/modemcred.1" >&2 ||
		fail "the options sections of man/modemcred.1 are out of date: run make docs"
}

# The check above must notice a stale file: an option missing from the page.
test_docs_drift_detected() {
	grep -v 'max\\-command' "$ROOT/man/modemcred.1" >"$T_DIR/stale.1"
	"$GENDOC" man "$T_DIR/stale.1" >"$T_DIR/fresh.1" || fail "gendoc man failed"
	! cmp -s "$T_DIR/stale.1" "$T_DIR/fresh.1" || fail "a stale man page went unnoticed"
	grep -q 'max\\-command' "$T_DIR/fresh.1" || fail "the regenerated page lacks --max-command"
	printf '.TH X 1\n.SH OPTIONS\n' >"$T_DIR/nomarks.1"
	if "$GENDOC" man "$T_DIR/nomarks.1" >/dev/null 2>"$ERR"; then
		fail "a page without the generated regions was accepted"
	fi
	grep -q 'global-options' "$ERR" || fail "gendoc should name the missing regions"
}

# provision's section lists its options, generated; COMMAND OPTIONS leaves them out.
test_docs_provision_section() {
	sed -n '/^\.SS provision/,/^\.SS /p' "$ROOT/man/modemcred.1" >"$T_DIR/prov.1"
	grep -q 'generated: provision-options begin' "$T_DIR/prov.1" || fail "no generated region"
	for o in 'ca' 'ca\-key' 'onboard\-csv' 'all\-kits' 'port' 'serial\-number' 'tag'; do
		grep -qF "\\fB\\-\\-$o\\fR" "$T_DIR/prov.1" || fail "provision section lacks --$o"
	done
	grep -q '^May be given more than once\.$' "$T_DIR/prov.1" || fail "repeatable not said"
	sed -n '/generated: command-options begin/,/generated: command-options end/p' \
		"$ROOT/man/modemcred.1" >"$T_DIR/cmdopts.1"
	! grep -qF 'onboard\-csv' "$T_DIR/cmdopts.1" || fail "provision's options twice in the page"
	! grep -q 'provision' "$T_DIR/cmdopts.1" || fail "COMMAND OPTIONS names provision"
}

# complete WORDS...: what the completion script offers for the last word.
complete_words() {
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _modemcred
		[ ${#COMPREPLY[@]} -eq 0 ] || printf "%s\n" "${COMPREPLY[@]}"' sh "$ROOT/cli/modemcred.bash-completion" "$@" \
		>"$OUT" 2>"$ERR" || fail "completion of '$*' failed"
}

test_completion_commands_options_values() {
	complete_words modemcred ""
	out_has '^clear$' "commands"
	out_has '^keygen$' "commands"
	complete_words modemcred --offline cl
	expect_eq "$(cat "$OUT")" "clear" "command after a global flag"
	complete_words modemcred -p /dev/ttyACM0 clear --
	out_has '^--all$' "clear options"
	out_has '^--tag$' "clear options"
	out_has '^--json$' "global options after a command"
	out_has '^--serial-number$' "global options after a command"
	out_lacks '^--type$' "clear does not take --type"
	complete_words modemcred write --type c
	expect_eq "$(tr '\n' ' ' <"$OUT")" "ca cert " "--type values"
	complete_words modemcred --flow ""
	expect_eq "$(tr '\n' ' ' <"$OUT")" "none rtscts " "--flow values"
	complete_words modemcred --terminator = c
	expect_eq "$(tr '\n' ' ' <"$OUT")" "crlf cr " "--terminator=value"
	complete_words modemcred keygen --kind ""
	expect_eq "$(tr '\n' ' ' <"$OUT")" "csr pubkey endorsement " "--kind values"
	complete_words modemcred keygen --format ""
	expect_eq "$(tr '\n' ' ' <"$OUT")" "pem der " "--format values"
	complete_words modemcred --transport t
	expect_eq "$(cat "$OUT")" "termios" "--transport values"
	complete_words modemcred help ke
	expect_eq "$(cat "$OUT")" "keygen" "help COMMAND"
	complete_words modemcred --timeout ""
	[ ! -s "$OUT" ] || fail "a number should get no completion"
}

# provision's options complete like every other command's.
test_completion_provision() {
	mkdir -p "$T_DIR/files/arts" && cd "$T_DIR/files"
	: >ca.pem
	complete_words modemcred provision --
	out_has '^--ca$' "provision options"
	out_has '^--onboard-csv$' "provision options"
	out_has '^--all-kits$' "provision options"
	out_has '^--port$' "-p after provision"
	out_lacks '^--kind$' "provision does not take --kind"
	complete_words modemcred provision --id ""
	expect_eq "$(tr '\n' ' ' <"$OUT")" "uuid imei nrf-imei " "--id values"
	complete_words modemcred provision --ca-key c
	expect_eq "$(cat "$OUT")" "ca.pem" "--ca-key FILE"
	complete_words modemcred provision --out ""
	expect_eq "$(cat "$OUT")" "arts" "--out DIR"
	complete_words modemcred provision --days ""
	[ ! -s "$OUT" ] || fail "--days N should get no completion"
	# provision's --attest is a flag: a port follows; verify's takes a value
	complete_words modemcred provision --attest c
	expect_eq "$(cat "$OUT")" "ca.pem" "PORT after provision --attest"
	complete_words modemcred verify --attest c
	[ ! -s "$OUT" ] || fail "verify --attest STRING should get no completion"
}

test_completion_files() {
	mkdir "$T_DIR/files" && cd "$T_DIR/files"
	: >ca.pem && : >cert.pem
	complete_words modemcred write --tag 1 --type ca c
	expect_eq "$(sort "$OUT" | tr '\n' ' ')" "ca.pem cert.pem " "FILE argument of write"
	complete_words modemcred keygen -o ce
	expect_eq "$(cat "$OUT")" "cert.pem" "-o FILE"
	complete_words modemcred --port = ca # bash splits --port=ca at the =
	expect_eq "$(cat "$OUT")" "ca.pem" "--port=PORT"
}

# Every option a command takes is in its --help, from the table.
test_help_lists_table_options() {
	mcx clear --help
	expect_ok "clear --help"
	out_has '^      --all  *every user credential of every tag' "clear --help"
	out_has '^      --tag N  *the security tag to clear' "clear --help"
	out_lacks '^ *--type' "clear --help"
	out_lacks '@options' "clear --help"
	mcx --help
	out_has '^      --serial-number SERIAL$' "--help"
	out_has '^  -p, --port PORT ' "--help"
	out_lacks '^ *--tag' "global options"
	out_lacks '^ *--all' "global options"
	out_lacks '^ *--ca' "global options"
	mcx provision --help
	out_has '^      --ca FILE  *factory CA' "provision --help"
	out_has '^      --tag N  *security tag, 1-2147483647 (default 16842753' "provision --help"
	out_has 'given more than once' "provision --help"
	out_lacks '^ *--kind' "provision --help"
	out_lacks '^ *--baud' "provision --help"
	for c in list write read delete clear exists compare keygen attest verify provision; do
		mcx "$c" --help
		expect_ok "$c --help"
		out_lacks '@options' "$c --help"
		out_has '^Options:$' "$c --help"
	done
}

# README's layout table matches the tree: it names every file of lib/ (x.h
# through its x.c, which owns it), every directory of tests/ and every
# script there, and names nothing that does not exist.
test_readme_layout_matches_tree() {
	sed -n '/^## Layout$/,/^## /p' "$ROOT/README.md" >"$T_DIR/layout"
	[ "$(grep -c '^| `' "$T_DIR/layout")" -gt 10 ] || fail "no layout table in README.md"
	for f in "$ROOT"/lib/* "$ROOT"/tests/*; do
		dir=$(basename "$(dirname "$f")") name=$(basename "$f")
		case "$name" in *.h) [ -f "${f%.h}.c" ] && continue ;; esac
		if [ -d "$f" ]; then
			grep -qF "\`$dir/$name/\`" "$T_DIR/layout" || fail "README's layout table does not name $dir/$name/"
		else
			grep -qF -e "\`$name\`" -e "\`$dir/$name\`" "$T_DIR/layout" ||
				fail "README's layout table does not name $dir/$name"
		fi
	done
	# every path it names exists (a bare file name in a row of lib/ or tests/)
	grep -o '`[^` ]*`' "$T_DIR/layout" | tr -d '`' | grep '/\|\.[a-z0-9]*$' | sort -u >"$T_DIR/named"
	while read -r p; do
		case "$p" in *'*'*|'$'*|x.*|*.md) continue ;; esac
		[ -e "$ROOT/$p" ] || [ -e "$ROOT/lib/$p" ] || [ -e "$ROOT/cli/$p" ] || [ -e "$ROOT/tests/$p" ] ||
			[ -e "$ROOT/tests/fixtures/$p" ] || fail "README's layout table names $p, which does not exist"
	done <"$T_DIR/named"
}
