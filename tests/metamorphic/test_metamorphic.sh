# The metamorphic stage (make metamorphic, a stage of make test): the same
# verdict with lines that a device prints on its own put into its output.
#
# A device's own lines (URCs, Zephyr log lines, modem_shell events) may come
# at any line boundary of an answer, and before the echo of a typed line;
# none of them may change what the CLI concludes. This stage takes inputs
# whose verdict is known without them and runs them again with them:
#
#  - every real transcript of tests/fixtures/transcripts/, replayed by
#    tests/tools/ptymodem.py --inject-seed N, which puts a line at every
#    line boundary outside quoted content (and, for a shell, before every
#    echo, as Zephyr does it: erase the prompt's row, print, prompt again),
#    for the seeds in $SEEDS;
#  - the CLI's whole workflow (tests/integration/zoo.sh: info, write, list,
#    read, compare, exists, keygen, attest, delete, provision) against each
#    application modemsim plays, once quiet and then with its asynchronous
#    output on (--async-ms, at random places: before an echo, inside a line
#    being typed, between answer lines), for the seeds in $ZOO_SEEDS; what
#    differs on every run whatever happens (a generated key, a token's
#    nonce) is left out of the verdict;
#
# and requires exit code and stdout to be identical, byte for byte, to the
# run without the lines. One test function per input, so that run.sh prints
# one line each; test_metamorphic_all_transcripts fails when a transcript
# has no function here.

. "$ROOT/tests/integration/transcripts.sh"
. "$ROOT/tests/integration/zoo.sh"

SEEDS="${MCRED_METAMORPHIC_SEEDS:-1 2 3}"
ZOO_SEEDS="${MCRED_METAMORPHIC_ZOO_SEEDS:-1 2}"

# run_replayed FILE [ptymodem options]: the transcript's "run:" command
# against the replay modem; RC, $OUT as mc leaves them
run_replayed() {
	TRANSCRIPT=$1
	shift
	_args=$(header "$TRANSCRIPT" run)
	[ -n "$_args" ] || fail "$TRANSCRIPT: no '# run:' line"
	start_replay "$TRANSCRIPT" "$@"
	eval "set -- $_args"
	mc "$@"
	stop_sim "$SIMPID"
}

# same_verdict WHAT: RC and $OUT equal the reference kept in $T_DIR/ref.*
same_verdict() {
	_ref_rc=$(cat "$T_DIR/ref.rc")
	if [ "$RC" != "$_ref_rc" ] || ! cmp -s "$OUT" "$T_DIR/ref.out"; then
		echo "  without the injected lines: exit $_ref_rc, stdout:" >&2
		sed 's/^/  | /' "$T_DIR/ref.out" >&2
		diff "$T_DIR/ref.out" "$OUT" | sed 's/^/  diff: /' >&2
		fail "$1: exit $RC and stdout above, not those without the lines"
	fi
}

# metamorphic_transcript NAME: the verdict of transcript NAME, then again for
# each seed with a device's own lines put in
metamorphic_transcript() {
	_file="$TRANSCRIPTS/$1.txt"
	[ -f "$_file" ] || fail "no transcript $_file"
	run_replayed "$_file"
	echo "$RC" >"$T_DIR/ref.rc"
	cp "$OUT" "$T_DIR/ref.out"
	for _seed in $SEEDS; do
		run_replayed "$_file" --inject-seed "$_seed"
		grep -q . "$LOG" || fail "seed $_seed: the replay modem received nothing"
		same_verdict "$1 with lines put in (seed $_seed)"
	done
}

# metamorphic_zoo APP: the workflow's verdicts against APP, quiet, then with
# its asynchronous output for each seed; every step's the same
metamorphic_zoo() {
	zoo_workflow "$1" quiet
	_quiet=$ZOO_VERDICTS
	for _seed in $ZOO_SEEDS; do
		zoo_workflow "$1" "seed$_seed" --async-ms 20 --seed "$_seed"
		for _rc in "$_quiet"/*.rc; do
			_step=$(basename "$_rc" .rc)
			ZOO_VERDICTS=$_quiet zoo_verdict "$_step" >"$T_DIR/ref.txt"
			zoo_verdict "$_step" >"$T_DIR/got.txt"
			cmp -s "$T_DIR/ref.txt" "$T_DIR/got.txt" || {
				diff "$T_DIR/ref.txt" "$T_DIR/got.txt" | sed 's/^/  diff: /' >&2
				fail "$1, step $_step, seed $_seed: a verdict other than without the output"
			}
		done
	done
}

test_zoo_at_client() { metamorphic_zoo at_client; }
test_zoo_slm() { metamorphic_zoo slm; }
test_zoo_modem_shell() { metamorphic_zoo modem_shell; }
test_zoo_shell() { metamorphic_zoo shell; }

test_metamorphic_all_transcripts() {
	for f in "$TRANSCRIPTS"/*.txt; do
		n=$(basename "$f" .txt)
		grep -q "^test_transcript_$n() *{" "$ROOT/tests/metamorphic/test_metamorphic.sh" ||
			fail "transcript $n.txt has no test_transcript_$n function here"
	done
}

test_transcript_at_devzone_124937_slm_blank_lines() { metamorphic_transcript at_devzone_124937_slm_blank_lines; }
test_transcript_at_devzone_127428_cmng_527() { metamorphic_transcript at_devzone_127428_cmng_527; }
test_transcript_at_devzone_48688_xpmng_519() { metamorphic_transcript at_devzone_48688_xpmng_519; }
test_transcript_at_tinygsm_486_nrf9160_sica() { metamorphic_transcript at_tinygsm_486_nrf9160_sica; }
test_transcript_attest_nrfcloud_utils_token() { metamorphic_transcript attest_nrfcloud_utils_token; }
test_transcript_banner_devzone_48688_boot_before_answer() { metamorphic_transcript banner_devzone_48688_boot_before_answer; }
test_transcript_info_banner_devzone_48688_before_imei() { metamorphic_transcript info_banner_devzone_48688_before_imei; }
test_transcript_info_devzone_112106_mfw_pti() { metamorphic_transcript info_devzone_112106_mfw_pti; }
test_transcript_info_nrfcloud_utils_nrf9151() { metamorphic_transcript info_nrfcloud_utils_nrf9151; }
test_transcript_keygen_nrfcloud_utils_installer_imei_tag52() { metamorphic_transcript keygen_nrfcloud_utils_installer_imei_tag52; }
test_transcript_keygen_nrfcloud_utils_installer_uuid_tag52() { metamorphic_transcript keygen_nrfcloud_utils_installer_uuid_tag52; }
test_transcript_keygen_nrfcloud_utils_normalized_tag1235_mismatch() { metamorphic_transcript keygen_nrfcloud_utils_normalized_tag1235_mismatch; }
test_transcript_keygen_nrfcloud_utils_parser_tag17() { metamorphic_transcript keygen_nrfcloud_utils_parser_tag17; }
test_transcript_keygen_spec_example_tag11_wrapped() { metamorphic_transcript keygen_spec_example_tag11_wrapped; }
test_transcript_list_devzone_48688_alpha_firmware() { metamorphic_transcript list_devzone_48688_alpha_firmware; }
test_transcript_list_modem_key_mgmt_empty() { metamorphic_transcript list_modem_key_mgmt_empty; }
test_transcript_list_modem_key_mgmt_fixture() { metamorphic_transcript list_modem_key_mgmt_fixture; }
test_transcript_list_modem_key_mgmt_one_entry() { metamorphic_transcript list_modem_key_mgmt_one_entry; }
test_transcript_list_modem_key_mgmt_short_digest() { metamorphic_transcript list_modem_key_mgmt_short_digest; }
test_transcript_list_slm_testing_doc_dtls_tag() { metamorphic_transcript list_slm_testing_doc_dtls_tag; }
test_transcript_list_slm_testing_doc_tls_tag() { metamorphic_transcript list_slm_testing_doc_tls_tag; }
test_transcript_read_reference_not_found_513() { metamorphic_transcript read_reference_not_found_513; }
test_transcript_shell_devzone_112106_mosh_prompt() { metamorphic_transcript shell_devzone_112106_mosh_prompt; }
test_transcript_shell_modem_shell_readme_events_before_echo() { metamorphic_transcript shell_modem_shell_readme_events_before_echo; }
test_transcript_shell_makerdiary_mosh_registration_block() { metamorphic_transcript shell_makerdiary_mosh_registration_block; }
