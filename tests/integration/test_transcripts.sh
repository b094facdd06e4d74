# The CLI against real modem answers, replayed byte for byte.
#
# Each tests/fixtures/transcripts/*.txt holds answers published by Nordic (SDK
# test fixtures, nrfcloud-utils tests, the AT command reference) or by people
# with real hardware (DevZone), and in "# key: value" header lines what to
# run and what must come out (tests/fixtures/transcripts/README). The replay
# modem, tests/tools/ptymodem.py, answers the CLI with exactly those bytes.
#
# One test function per transcript, so that run.sh prints one PASS/FAIL line
# for each; test_transcripts_all_have_tests fails when a transcript has no
# function (or a function no transcript).

. "$ROOT/tests/integration/transcripts.sh"

test_transcripts_all_have_tests() {
	for f in "$TRANSCRIPTS"/*.txt; do
		n=$(basename "$f" .txt)
		grep -q "^test_$n() *{" "$ROOT/tests/integration/test_transcripts.sh" ||
			fail "transcript $n.txt has no test_$n function"
		[ -n "$(header "$f" source)" ] || fail "$n.txt names no source"
	done
	for t in $(tests_in "$ROOT/tests/integration/test_transcripts.sh"); do
		case "$t" in test_transcripts_*) continue ;; esac
		[ -f "$TRANSCRIPTS/${t#test_}.txt" ] || fail "$t has no transcript ${t#test_}.txt"
	done
}

test_at_devzone_124937_slm_blank_lines() { run_transcript at_devzone_124937_slm_blank_lines; }
test_at_devzone_127428_cmng_527() { run_transcript at_devzone_127428_cmng_527; }
test_at_devzone_48688_xpmng_519() { run_transcript at_devzone_48688_xpmng_519; }
test_at_tinygsm_486_nrf9160_sica() { run_transcript at_tinygsm_486_nrf9160_sica; }
test_attest_nrfcloud_utils_token() { run_transcript attest_nrfcloud_utils_token; }
test_banner_devzone_48688_boot_before_answer() { run_transcript banner_devzone_48688_boot_before_answer; }
test_info_banner_devzone_48688_before_imei() { run_transcript info_banner_devzone_48688_before_imei; }
test_info_devzone_112106_mfw_pti() { run_transcript info_devzone_112106_mfw_pti; }
test_info_nrfcloud_utils_nrf9151() { run_transcript info_nrfcloud_utils_nrf9151; }
test_keygen_nrfcloud_utils_installer_imei_tag52() { run_transcript keygen_nrfcloud_utils_installer_imei_tag52; }
test_keygen_nrfcloud_utils_installer_uuid_tag52() { run_transcript keygen_nrfcloud_utils_installer_uuid_tag52; }
test_keygen_nrfcloud_utils_normalized_tag1235_mismatch() { run_transcript keygen_nrfcloud_utils_normalized_tag1235_mismatch; }
test_keygen_nrfcloud_utils_parser_tag17() { run_transcript keygen_nrfcloud_utils_parser_tag17; }
test_keygen_spec_example_tag11_wrapped() { run_transcript keygen_spec_example_tag11_wrapped; }
test_list_devzone_48688_alpha_firmware() { run_transcript list_devzone_48688_alpha_firmware; }
test_list_modem_key_mgmt_empty() { run_transcript list_modem_key_mgmt_empty; }
test_list_modem_key_mgmt_fixture() { run_transcript list_modem_key_mgmt_fixture; }
test_list_modem_key_mgmt_one_entry() { run_transcript list_modem_key_mgmt_one_entry; }
test_list_modem_key_mgmt_short_digest() { run_transcript list_modem_key_mgmt_short_digest; }
test_list_slm_testing_doc_dtls_tag() { run_transcript list_slm_testing_doc_dtls_tag; }
test_list_slm_testing_doc_tls_tag() { run_transcript list_slm_testing_doc_tls_tag; }
test_read_reference_not_found_513() { run_transcript read_reference_not_found_513; }
test_shell_devzone_112106_mosh_prompt() { run_transcript shell_devzone_112106_mosh_prompt; }
test_shell_modem_shell_readme_events_before_echo() { run_transcript shell_modem_shell_readme_events_before_echo; }
test_shell_makerdiary_mosh_registration_block() { run_transcript shell_makerdiary_mosh_registration_block; }
