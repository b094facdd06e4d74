/*
 * Command-line parsing (see cmdline.h). A small hand-written parser instead
 * of getopt_long(): getopt keeps global state, prints its own messages and
 * cannot tell which options belong to which command.
 */
#include "cmdline.h"

#include <stdio.h>
#include <string.h>

#include "args.h"

#define TAG_TYPE (OPTBIT(OPT_TAG) | OPTBIT(OPT_TYPE))
#define KEY_CHECK (OPTBIT(OPT_IDENTITY_KEY) | OPTBIT(OPT_TAG))

const struct cli_command_def cli_commands[CMD_COUNT] = {
	[CMD_NONE] = { NULL, 0, 0, 0, 0, NULL },
	[CMD_HELP] = { "help", 0, 0, 0, 1, "COMMAND" },
	[CMD_PORTS] = { "ports", 0, 0, 0, 0, NULL },
	[CMD_INFO] = { "info", 0, 0, 0, 0, NULL },
	[CMD_LIST] = { "list", TAG_TYPE, 0, 0, 0, NULL },
	[CMD_WRITE] = { "write",
			TAG_TYPE | OPTBIT(OPT_VERIFY) | OPTBIT(OPT_PASSWORD_FILE) |
				OPTBIT(OPT_SKIP_CONTENT_CHECK),
			TAG_TYPE, 1, 1, "FILE|-" },
	[CMD_READ] = { "read", TAG_TYPE | OPTBIT(OPT_OUTPUT), TAG_TYPE, 0, 0, NULL },
	[CMD_DELETE] = { "delete", TAG_TYPE, TAG_TYPE, 0, 0, NULL },
	/* --tag or --all: check_command() asks for exactly one of them */
	[CMD_CLEAR] = { "clear",
			OPTBIT(OPT_TAG) | OPTBIT(OPT_ALL) | OPTBIT(OPT_YES) | OPTBIT(OPT_DRY_RUN),
			0, 0, 0, NULL },
	[CMD_EXISTS] = { "exists", TAG_TYPE, TAG_TYPE, 0, 0, NULL },
	[CMD_COMPARE] = { "compare", TAG_TYPE, TAG_TYPE, 1, 1, "FILE|-" },
	[CMD_AT] = { "at", 0, 0, 1, 1, "'COMMAND'" },
	[CMD_KEYGEN] = { "keygen",
			 OPTBIT(OPT_TAG) | OPTBIT(OPT_KIND) | OPTBIT(OPT_ATTRIBUTES) |
				 OPTBIT(OPT_KEY_USAGE) | OPTBIT(OPT_OUTPUT) | OPTBIT(OPT_FORMAT) |
				 OPTBIT(OPT_IDENTITY_KEY) | OPTBIT(OPT_FORCE),
			 OPTBIT(OPT_TAG), 0, 0, NULL },
	[CMD_ATTEST] = { "attest", OPTBIT(OPT_CHALLENGE) | OPTBIT(OPT_IDENTITY_KEY), 0, 0, 0,
			 NULL },
	[CMD_VERIFY] = { "verify",
			 KEY_CHECK | OPTBIT(OPT_KEYGEN_STRING) | OPTBIT(OPT_ATTEST_STRING) |
				 OPTBIT(OPT_ATTRIBUTES),
			 0, 0, 1, "FILE|-" },
	/* Ports as PORT arguments, -p or --serial-number (repeatable), or --all-kits. */
	[CMD_PROVISION] = { "provision",
			    OPTBIT(OPT_TAG) | OPTBIT(OPT_ALL_KITS) | OPTBIT(OPT_ID) |
				    OPTBIT(OPT_ID_PREFIX) | OPTBIT(OPT_SUBJECT_EXTRA) |
				    OPTBIT(OPT_IDENTITY_KEY) | OPTBIT(OPT_FORCE) | OPTBIT(OPT_CA) |
				    OPTBIT(OPT_CA_KEY) | OPTBIT(OPT_DAYS) | OPTBIT(OPT_CERT_DIR) |
				    OPTBIT(OPT_ROOT_CA) | OPTBIT(OPT_ATTEST) | OPTBIT(OPT_OUT) |
				    OPTBIT(OPT_LEDGER) | OPTBIT(OPT_ONBOARD_CSV) |
				    OPTBIT(OPT_SUBTYPE) | OPTBIT(OPT_TAGS) | OPTBIT(OPT_FW_TYPES) |
				    OPTBIT(OPT_REPLACE) | OPTBIT(OPT_SPLIT) |
				    OPTBIT(OPT_PKCS11_MODULE) | OPTBIT(OPT_CA_KEY_PASSWORD_FILE) |
				    OPTBIT(OPT_ATTEST_CSV) | OPTBIT(OPT_SUMMARY) |
				    OPTBIT(OPT_RENEW_WITHIN),
			    0, 0, CLI_MAX_ARGS, "PORT..." },
};

/* Global options; their ids follow the command options so one table holds both. */
enum {
	G_PORT = OPT_COUNT,
	G_SERIAL_NUMBER,
	G_BAUD,
	G_FLOW,
	G_TIMEOUT,
	G_TERMINATOR,
	G_MAX_COMMAND,
	G_TRANSPORT,
	G_IGNORE_BUSY,
	G_OFFLINE,
	G_SHELL,
	G_SHELL_NO_UNESCAPE_LF,
	G_KEEP_LINE_ENDINGS,
	G_JSON,
	G_VERBOSE,
	G_QUIET,
	G_VERSION,
	G_HELP,
	G_COUNT
};

/* cli_cmdline.given and .repeated have one bit per option id, .allowed per command option. */
_Static_assert(G_COUNT <= CLI_OPTSET_BITS, "too many options for a cli_optset");
/* cli_opt_def.repeatable has one bit per command. */
_Static_assert(CMD_COUNT <= 32, "too many commands for cli_opt_def.repeatable");

/* takes_value: 0 a flag, 1 a value, OPTIONAL_VALUE "--name=value" or one of
 * the option's own words as the next argument (--shell auto). */
#define OPTIONAL_VALUE 2

/*
 * Every option, with its documentation (see struct cli_opt_def). In this
 * order they appear in --help and modemcred(1). "help" is one line in the
 * tone of --help; "details" adds what the man page needs.
 */
static const struct cli_opt_def opt_defs[] = {
	{ "tag", 0, 1, OPT_TAG, "N", "security tag", NULL, CLI_COMPLETE_NONE, 0 },
	{ "all", 0, 0, OPT_ALL, NULL, "every user credential of every tag",
	  "Tags above 2147483647 belong to the modem and are left alone.", CLI_COMPLETE_NONE, 0 },
	{ "yes", 'y', 0, OPT_YES, NULL, "delete without asking",
	  "Without it clear lists what it will delete and asks on the terminal; with no "
	  "terminal to ask on (a script, a pipe) it refuses with exit 2 unless --yes is given.",
	  CLI_COMPLETE_NONE, 0 },
	{ "dry-run", 'n', 0, OPT_DRY_RUN, NULL, "list what would be deleted, and delete nothing",
	  NULL, CLI_COMPLETE_NONE, 0 },
	{ "type", 0, 1, OPT_TYPE, "T", "credential type, by number or name",
	  "Names as listed in DESCRIPTION.", CLI_COMPLETE_TYPE, 0 },
	{ "output", 'o', 1, OPT_OUTPUT, "FILE", "write the result to FILE",
	  "That FILE can be written is checked before anything is sent (exit 2).",
	  CLI_COMPLETE_FILE, 0 },
	{ "verify", 0, 0, OPT_VERIFY, NULL,
	  "compare the modem's digest with the bytes sent (exit 5 on mismatch)",
	  "Exit 7, written but not checked, when the firmware lists no digests or a "
	  "differing one on firmware older than mfw 1.3.2.",
	  CLI_COMPLETE_NONE, 0 },
	{ "password-file", 0, 1, OPT_PASSWORD_FILE, "FILE",
	  "PKCS#8 password of an encrypted key (type 2): the first line of FILE",
	  "At most 32 characters. Secrets are never taken on the command line. With - at a "
	  "terminal the password is asked for there, not shown.",
	  CLI_COMPLETE_FILE, 0 },
	{ "skip-content-check", 0, 0, OPT_SKIP_CONTENT_CHECK, NULL,
	  "write what the content checks of --type refuse (risky: the modem may store what it "
	  "cannot use)",
	  "Before anything is sent, the file is checked with OpenSSL against --type: ca and "
	  "cert one or more PEM X.509 certificates and no private key, key one PEM private key "
	  "(PKCS#8, SEC1 or PKCS#1; an encrypted one with the password that decrypts it). This "
	  "option writes what they refuse, for content a firmware accepts that they do not "
	  "know. The risk: the modem stores what it may not be able to use (a TLS handshake "
	  "then fails, far from here), and a private key written as a certificate type can be "
	  "read back by anyone with the port (types 0 and 4 are readable). Content that holds "
	  "a private key stays a secret in traces and messages either way.",
	  CLI_COMPLETE_NONE, 0 },
	{ "kind", 0, 1, OPT_KIND, "csr|pubkey|endorsement",
	  "what to generate: csr (default), a client key (type 2) and a CSR; pubkey, a client "
	  "key and its public key; endorsement, an endorsement key (type 8) and its public key",
	  NULL, CLI_COMPLETE_WORDS, 0 },
	{ "attributes", 0, 1, OPT_ATTRIBUTES, "A",
	  "CSR subject, e.g. 'CN=device-42,O=Example' (csr only)",
	  "The names %KEYGEN takes: CN, L, ST, O, OU, C, DC, SN, GN, R (emailAddress), "
	  "serialNumber, postalAddress, postalCode, dnQualifier, title, initials, pseudonym, "
	  "generationQualifier; values are printable ASCII without '\"' or ','. keygen checks "
	  "that the CSR's subject is exactly this, attribute by attribute in this order (without "
	  "--attributes: CN=<device UUID>), and fails with exit 5 when the modem added, dropped "
	  "or changed one. verify: the attributes %KEYGEN was asked for, checked the same way "
	  "(not checked without it).",
	  CLI_COMPLETE_NONE, 0 },
	{ "key-usage", 0, 1, OPT_KEY_USAGE, "BITS",
	  "9 characters of 0/1, decipherOnly last (csr only)", "decipherOnly must be 0.",
	  CLI_COMPLETE_NONE, 0 },
	{ "format", 0, 1, OPT_FORMAT, "pem|der", "output format (default pem)", NULL,
	  CLI_COMPLETE_WORDS, 0 },
	{ "identity-key", 0, 1, OPT_IDENTITY_KEY, "FILE",
	  "device identity public key (PEM, or a raw 65-byte point) to check the COSE signature",
	  "A P-256 PEM public key or a raw 65-byte uncompressed point, parsed before "
	  "anything is sent: a certificate, a private key, another curve or a corrupt "
	  "file is exit 2. Without it the signature is reported as not checked, never "
	  "as valid.",
	  CLI_COMPLETE_FILE, 0 },
	{ "force", 0, 0, OPT_FORCE, NULL,
	  "generate even when the tag already holds a key of that type",
	  "A client key is replaced. Without it, modemcred refuses with exit 1.", CLI_COMPLETE_NONE,
	  0 },
	{ "challenge", 0, 1, OPT_CHALLENGE, "HEX",
	  "32 hex digits (16 bytes) to include, e.g. from `openssl rand -hex 16`", NULL,
	  CLI_COMPLETE_NONE, 0 },
	{ "keygen", 0, 1, OPT_KEYGEN_STRING, "STRING", "a KEYGEN blob \"<base64url>.<base64url>\"",
	  NULL, CLI_COMPLETE_NONE, 0 },
	{ "attest", 0, 1, OPT_ATTEST_STRING, "STRING", "an ATTESTTOKEN blob", NULL,
	  CLI_COMPLETE_NONE, 0 },
	/* provision (--tag, --identity-key and --force as above, with its own wording) */
	{ "all-kits", 0, 0, OPT_ALL_KITS, NULL,
	  "provision every attached Nordic kit (its first port, the modem's)", NULL,
	  CLI_COMPLETE_NONE, 0 },
	{ "id", 0, 1, OPT_ID, "uuid|imei|nrf-imei",
	  "device id: the device UUID (default), the IMEI, or nrf-<IMEI>",
	  "The id is the CSR's common name and names the artifacts. The device UUID is the one "
	  "the `%KEYGEN` and `%ATTESTTOKEN` payloads carry, not `%XMODEMUUID`, which names "
	  "the firmware build.",
	  CLI_COMPLETE_WORDS, 0 },
	{ "id-prefix", 0, 1, OPT_ID_PREFIX, "S",
	  "put S before the id (the id stays at most 64 characters)",
	  "Letters, digits, -, _, . and :; a prefix that would make the id longer than 64 "
	  "characters is refused before any modem is touched (exit 2).",
	  CLI_COMPLETE_NONE, 0 },
	{ "subject-extra", 0, 1, OPT_SUBJECT_EXTRA, "S",
	  "more CSR subject attributes after CN=<id>, e.g. 'O=Acme,OU=Line 2'", NULL,
	  CLI_COMPLETE_NONE, 0 },
	{ "ca", 0, 1, OPT_CA, "FILE", "factory CA certificate (PEM) that signs the CSRs",
	  "It goes with --ca-key and is checked before any modem is touched: the certificate "
	  "must be the key's, valid now and a CA; otherwise exit 2. Device certificates get a "
	  "positive 128-bit random serial number, the CSR's subject, basicConstraints CA:FALSE, "
	  "keyUsage digitalSignature, extendedKeyUsage clientAuth, subject and authority key "
	  "identifiers, SHA-256.",
	  CLI_COMPLETE_FILE, 0 },
	{ "ca-key", 0, 1, OPT_CA_KEY, "FILE|URI",
	  "the factory CA's private key: a PEM file, or a PKCS#11 URI (pkcs11:...) of a key in a "
	  "token",
	  "A PEM key may be encrypted (PKCS#8 or traditional PEM; the passphrase as below). A "
	  "URI as RFC 7512 writes it, e.g. 'pkcs11:token=factory;object=line-ca' (quote it for "
	  "the shell), names a key in an HSM, smart card or SoftHSM2 token: every signature is "
	  "made by the token, through OpenSSL's pkcs11 engine (Debian package "
	  "libengine-pkcs11-openssl) and p11-kit's proxy module. A URI holding pin-value is "
	  "refused (exit 2): the PIN never goes on the command line.",
	  CLI_COMPLETE_FILE, 0 },
	{ "pkcs11-module", 0, 1, OPT_PKCS11_MODULE, "FILE",
	  "the PKCS#11 module (.so) that reaches the token (default: p11-kit's proxy)",
	  "p11-kit's proxy loads every module registered with p11-kit (SoftHSM2, OpenSC, most "
	  "HSM vendors'); name another module here, e.g. "
	  "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so.",
	  CLI_COMPLETE_FILE, 0 },
	{ "ca-key-password-file", 0, 1, OPT_CA_KEY_PASSWORD_FILE, "FILE",
	  "the token's PIN or the PEM key's passphrase: the first line of FILE",
	  "Without it, modemcred asks on the terminal (without echo) when the key needs one; with "
	  "neither file nor terminal, exit 2 before any modem is touched. A wrong PIN or "
	  "passphrase is exit 2 too. The secret never appears in traces, messages or the ledger, "
	  "and is wiped after use.",
	  CLI_COMPLETE_FILE, 0 },
	{ "days", 0, 1, OPT_DAYS, "N", "validity of device certificates in days (default 3650)",
	  "A certificate never outlives the factory CA that signs it: with a CA that expires "
	  "sooner, it ends when the CA does (no chain verifies past its CA).",
	  CLI_COMPLETE_NONE, 0 },
	{ "cert-dir", 0, 1, OPT_CERT_DIR, "DIR",
	  "certificates issued elsewhere, as DIR/<device id>_crt.pem",
	  "A certificate found there (or saved by an earlier run) is used when its public key "
	  "is the modem's key and, with --ca, the CA issued it. Without --ca and without such a "
	  "certificate, the run stops after saving the CSR: the result is csr-saved and the exit "
	  "status 8.",
	  CLI_COMPLETE_DIR, 0 },
	{ "root-ca", 0, 1, OPT_ROOT_CA, "FILE", "server root CA certificate(s) to write as type 0",
	  "Written unless the tag already holds exactly that content, and verified by digest.",
	  CLI_COMPLETE_FILE, 0 },
	{ "attest", 0, 0, OPT_ATTEST, NULL,
	  "also collect an attestation token, saved as <id>_attest.txt", NULL, CLI_COMPLETE_NONE,
	  0 },
	{ "attest-csv", 0, 1, OPT_ATTEST_CSV, "FILE",
	  "with --attest: append each device's claim row to FILE, as nrfcloud-utils' "
	  "gather_attestation_tokens writes it",
	  "Rows imei,uuid,token,time (the time in ISO 8601 UTC with its offset, no header), the "
	  "input of nrfcloud-utils' claim_devices, which claims devices in nRF Cloud by their "
	  "attestation tokens (nRF91x1 with mfw 2.0.0 or later). One row per device UUID: a "
	  "device that has one keeps it (its token still claims it) unless --replace, which "
	  "puts the new token in its place; a row naming the same UUID with another IMEI is "
	  "refused without --replace. Each row is written whole and fsync'd before the next.",
	  CLI_COMPLETE_FILE, 0 },
	{ "renew-within", 0, 1, OPT_RENEW_WITHIN, "DAYS",
	  "renew certificates (from --out) that expire within DAYS days, keeping the key",
	  "A device found provisioned whose certificate expires within DAYS days gets a new one "
	  "for the same on-device key: signed from the saved CSR once the key the tag holds is "
	  "checked to be the one the CSR was made for (its digest, saved with the CSR), then "
	  "written and verified as usual. No %KEYGEN; the result is renewed. Needs --ca.",
	  CLI_COMPLETE_NONE, 0 },
	{ "summary", 0, 1, OPT_SUMMARY, "LEDGER",
	  "print per-step timings and devices per hour from a ledger, touching no modem",
	  "For each step (offline, facts, keygen, key listed, signing, token wait, root CA "
	  "write, certificate write, verification, restore) the median and 95th percentile "
	  "over the ledger's records, the results counted, and per port the devices "
	  "provisioned and devices per hour at its median time per device. With --json, one "
	  "JSON document.",
	  CLI_COMPLETE_FILE, 0 },
	{ "out", 0, 1, OPT_OUT, "DIR",
	  "directory of the artifacts <id>_csr.pem, _pub.pem, _crt.pem, _key.sha256 (default: "
	  "the current directory)",
	  "The first three are the names nrfcloud-utils uses; <id>_key.sha256 holds the digest "
	  "the modem listed for the key right after `%KEYGEN`. A later run that finds that "
	  "digest in the tag reuses the key instead of making a second one.",
	  CLI_COMPLETE_DIR, 0 },
	{ "ledger", 0, 1, OPT_LEDGER, "FILE", "append one JSON line per modem and run to FILE",
	  "The record is described under Records above.", CLI_COMPLETE_FILE, 0 },
	{ "onboard-csv", 0, 1, OPT_ONBOARD_CSV, "FILE",
	  "append each device's nRF Cloud onboarding row to FILE",
	  "The rows are described under Records above.", CLI_COMPLETE_FILE, 0 },
	{ "subtype", 0, 1, OPT_SUBTYPE, "S", "the CSV's device subtype (default empty)", NULL,
	  CLI_COMPLETE_NONE, 0 },
	{ "tags", 0, 1, OPT_TAGS, "S", "the CSV's tags, separated by | (default empty)", NULL,
	  CLI_COMPLETE_NONE, 0 },
	{ "fw-types", 0, 1, OPT_FW_TYPES, "S", "the CSV's firmware types (default APP|MODEM)", NULL,
	  CLI_COMPLETE_NONE, 0 },
	{ "replace", 0, 0, OPT_REPLACE, NULL, "replace a device's existing CSV row", NULL,
	  CLI_COMPLETE_NONE, 0 },
	{ "split", 0, 0, OPT_SPLIT, NULL,
	  "continue a full CSV (1000 rows) in FILE-2.csv, FILE-3.csv, ...", NULL, CLI_COMPLETE_NONE,
	  0 },
	{ "port", 'p', 1, G_PORT, "PORT",
	  "serial port (default: $MODEMCRED_PORT, else the one attached Nordic kit)",
	  "For example /dev/ttyACM0 or COM3. `modemcred ports` lists the ports.", CLI_COMPLETE_FILE,
	  CMDBIT(CMD_PROVISION) },
	{ "serial-number", 0, 1, G_SERIAL_NUMBER, "SERIAL",
	  "use the Nordic kit with this USB serial number (when several are attached)",
	  "The serial must match exactly, as `modemcred ports` shows it; the kit's first "
	  "port is used. Only provision takes it with --port.",
	  CLI_COMPLETE_NONE, CMDBIT(CMD_PROVISION) },
	{ "baud", 0, 1, G_BAUD, "N", "baud rate (default 115200)", NULL, CLI_COMPLETE_NONE, 0 },
	{ "flow", 0, 1, G_FLOW, "none|rtscts", "flow control (default none)",
	  "Nordic kits use RTS/CTS.", CLI_COMPLETE_WORDS, 0 },
	{ "timeout", 0, 1, G_TIMEOUT, "SECONDS",
	  "per-command timeout, decimals allowed (default 10)",
	  "The time the modem has to finish answering one command, for example 2.5; key "
	  "generation always gets at least 30. The time the command and its answer take "
	  "on the line at --baud comes on top (a 4 KB certificate takes 17 s at 2400 baud).",
	  CLI_COMPLETE_NONE, 0 },
	{ "terminator", 0, 1, G_TERMINATOR, "crlf|cr|lf|nul",
	  "what ends a command on the device (default crlf)",
	  "CRLF, which Nordic's own tools send, suits devices whose AT host ends commands at "
	  "CR (its default), LF or CRLF; a device set to NUL termination needs nul.",
	  CLI_COMPLETE_WORDS, 0 },
	{ "max-command", 0, 1, G_MAX_COMMAND, "BYTES",
	  "size of the device's AT command buffer (default 4096)",
	  "CONFIG_AT_HOST_CMD_MAX_LEN on the device, which keeps one byte of it for the "
	  "string's end: a command may take at most BYTES - 1 bytes on the wire, terminator "
	  "included. Longer commands would be cut on the device and are refused before "
	  "anything is sent (exit 2).",
	  CLI_COMPLETE_NONE, 0 },
	{ "transport", 0, 1, G_TRANSPORT, "auto|serialport|termios",
	  "how to open the port (default auto)",
	  "libserialport, plain POSIX termios (for pseudo-terminals made by socat, ser2net or "
	  "a simulator), or auto: libserialport, else termios for devices it refuses.",
	  CLI_COMPLETE_WORDS, 0 },
	{ "ignore-busy", 0, 0, G_IGNORE_BUSY, NULL,
	  "use a port another program holds (risky: both read the modem's answers)",
	  "modemcred takes its port for itself before it sends anything: an advisory lock "
	  "(flock) that every modemcred honours, a look for other programs that hold the "
	  "device open (ModemManager, a terminal program, another modemcred), and TIOCEXCL on "
	  "real serial ports. A held port is refused with exit 3, naming the program and its "
	  "pid. With this option modemcred goes on anyway; both programs then read the "
	  "modem's answers and each may take the other's: a list can come back short, a "
	  "write be reported failed though stored, a key be generated with its CSR lost.",
	  CLI_COMPLETE_NONE, 0 },
	{ "offline", 0, 0, G_OFFLINE, NULL,
	  "take the modem offline (CFUN=4) for writes, deletes and keygen, and restore its "
	  "mode afterwards",
	  "The mode found is restored also when the operation fails or is interrupted.",
	  CLI_COMPLETE_NONE, 0 },
	{ "shell", 0, OPTIONAL_VALUE, G_SHELL, "on|off|auto",
	  "device runs a Zephyr shell (at_shell): send at '<command>' (default off)",
	  "--shell alone means on; the value may follow as --shell=auto or --shell auto. Line "
	  "breaks inside content go as \\n; content, passwords and attributes holding ' "
	  "cannot be sent (exit 2). The command limit (--max-command) then defaults to 2048, "
	  "the shell's line buffer (CONFIG_SHELL_CMD_BUFF_SIZE), and limits the typed line. "
	  "The answer is what the shell prints after its echo of the typed line (a shell "
	  "with its echo off times out). auto probes with `at AT` and `AT` at open, and "
	  "tells the at_client sample and the Serial LTE Modem (raw AT) from modem_shell "
	  "and at_shell.",
	  CLI_COMPLETE_WORDS, 0 },
	{ "shell-no-unescape-lf", 0, 0, G_SHELL_NO_UNESCAPE_LF, NULL,
	  "the device's at_shell lacks CONFIG_AT_SHELL_UNESCAPE_LF",
	  "Then \\n reaches the modem as two characters: multi-line content cannot go "
	  "through the shell and is refused before anything is sent.",
	  CLI_COMPLETE_NONE, 0 },
	{ "keep-line-endings", 0, 0, G_KEEP_LINE_ENDINGS, NULL,
	  "write content as given (default: CRLF becomes LF)",
	  "Converting Windows line endings is what modems accept and what makes the modem's "
	  "digest equal the file's.",
	  CLI_COMPLETE_NONE, 0 },
	{ "json", 0, 0, G_JSON, NULL, "machine-readable output on stdout, errors included",
	  "One document on one line. A failure prints {\"error\": {\"exit_code\": N, \"kind\": "
	  "\"timeout\", \"message\": \"...\", \"cme\": N or null, \"hints\": [...]}} unless "
	  "the command's own result already says what failed (compare, exists, a verification "
	  "report); the human message still goes to standard error. The kind is the library's error name in "
	  "lower case (invalid_arg, port, timeout, cme, not_found, verify, cancelled, ...), "
	  "or failure when none applies; cme is the modem's CME or CMS code; hints is a list "
	  "of what standard error adds after the message (advice, the likely cause). An "
	  "interrupted write, delete or keygen adds \"completed\": true, false or null, what "
	  "the modem did (see SIGNALS).",
	  CLI_COMPLETE_NONE, 0 },
	{ "verbose", 'v', 0, G_VERBOSE, NULL, "trace AT traffic on stderr (secrets redacted)",
	  "Sent lines show as \"> AT%CMNG=1\", received ones as \"< %CMNG: ...\"; secret "
	  "content (keys, PSKs, passwords) is replaced by a placeholder such as "
	  "\"<secret: 241 bytes>\".",
	  CLI_COMPLETE_NONE, 0 },
	{ "quiet", 'q', 0, G_QUIET, NULL, "print only results and errors", NULL, CLI_COMPLETE_NONE,
	  0 },
	{ "version", 0, 0, G_VERSION, NULL, "print the version", NULL, CLI_COMPLETE_NONE, 0 },
	{ "help", 'h', 0, G_HELP, NULL, "print help (with a command: that command's help)", NULL,
	  CLI_COMPLETE_NONE, 0 },
};

/* Where a command gives an option a narrower meaning than the generic line. */
static const struct {
	enum cli_command command;
	int opt; /* enum cli_opt, or a global option */
	const char *help;
	const char *details; /* for the man page, or NULL */
} opt_notes[] = {
	{ CMD_LIST, OPT_TAG, "only this security tag, 0-4294967295", NULL },
	{ CMD_LIST, OPT_TYPE, "only this type, by number or name", NULL },
	{ CMD_WRITE, OPT_TAG, "security tag, 0-2147483647", NULL },
	{ CMD_READ, OPT_TAG, "security tag, 0-4294967295", NULL },
	{ CMD_READ, OPT_OUTPUT, "write the content to FILE instead of standard output", NULL },
	{ CMD_DELETE, OPT_TAG, "security tag, 0-2147483647", NULL },
	{ CMD_CLEAR, OPT_TAG, "the security tag to clear, 0-2147483647", NULL },
	{ CMD_EXISTS, OPT_TAG, "security tag, 0-4294967295", NULL },
	{ CMD_COMPARE, OPT_TAG, "security tag, 0-4294967295", NULL },
	{ CMD_KEYGEN, OPT_TAG, "security tag, 1-2147483647", NULL },
	{ CMD_KEYGEN, OPT_OUTPUT,
	  "write the CSR or public key to FILE (default: standard output, the report on "
	  "standard error)",
	  NULL },
	{ CMD_VERIFY, OPT_TAG,
	  "the sec_tag the KEYGEN answer must carry (an attestation token has none: reported "
	  "not checked)",
	  NULL },
	{ CMD_PROVISION, OPT_TAG,
	  "security tag, 1-2147483647 (default 16842753, the one nRF Cloud uses)", NULL },
	{ CMD_PROVISION, OPT_IDENTITY_KEY,
	  "device identity public key (PEM) to check the COSE signatures of %KEYGEN and "
	  "%ATTESTTOKEN",
	  NULL },
	{ CMD_PROVISION, OPT_FORCE,
	  "replace a key in the tag that no saved artifact of this device identifies",
	  "Without it such a modem fails with exit 5 and keeps its key." },
	{ CMD_PROVISION, G_PORT, "a port to provision (PORT arguments add more)", NULL },
	{ CMD_PROVISION, G_SERIAL_NUMBER, "provision the Nordic kit with this USB serial number",
	  "The kit's first port, the modem's, is provisioned along with the other ports." },
	{ CMD_PROVISION, G_JSON,
	  "one JSON event per step and port on stdout (the default when stdout is not a "
	  "terminal)",
	  NULL },
};

#define N_OPT_DEFS (sizeof(opt_defs) / sizeof(opt_defs[0]))

const struct cli_opt_def *cli_opt_defs(size_t *count)
{
	*count = N_OPT_DEFS;
	return opt_defs;
}

int cli_opt_is_global(const struct cli_opt_def *def)
{
	return def->id >= OPT_COUNT;
}

/* Index of cmd's note on def in opt_notes, or -1. */
static int find_note(enum cli_command cmd, const struct cli_opt_def *def)
{
	size_t i;

	for (i = 0; i < sizeof(opt_notes) / sizeof(opt_notes[0]); i++)
		if (opt_notes[i].command == cmd && opt_notes[i].opt == def->id)
			return (int)i;
	return -1;
}

int cli_opt_has_note(enum cli_command cmd, const struct cli_opt_def *def)
{
	return find_note(cmd, def) >= 0;
}

const char *cli_opt_help(enum cli_command cmd, const struct cli_opt_def *def)
{
	int n = find_note(cmd, def);

	return n >= 0 ? opt_notes[n].help : def->help;
}

const char *cli_opt_details(enum cli_command cmd, const struct cli_opt_def *def)
{
	int n = find_note(cmd, def);

	return n >= 0 ? opt_notes[n].details : def->details;
}

int cli_opt_repeatable(enum cli_command cmd, const struct cli_opt_def *def)
{
	return cmd != CMD_NONE && (def->repeatable & CMDBIT(cmd)) != 0;
}

enum cli_complete cli_command_args_complete(enum cli_command cmd)
{
	const char *args = cli_commands[cmd].args_name;

	if (cmd == CMD_HELP)
		return CLI_COMPLETE_COMMAND;
	/* files, and ports, which are device files */
	return args && (strstr(args, "FILE") || strstr(args, "PORT")) ? CLI_COMPLETE_FILE
								      : CLI_COMPLETE_NONE;
}

const char *cli_opt_name(enum cli_opt opt)
{
	size_t i;

	for (i = 0; i < N_OPT_DEFS; i++)
		if (opt_defs[i].id == (int)opt)
			return opt_defs[i].name;
	return "?";
}

/* Non-zero when def is a command option that cmd takes. */
static int command_takes(enum cli_command cmd, const struct cli_opt_def *def)
{
	return !cli_opt_is_global(def) && (cli_commands[cmd].allowed & OPTBIT(def->id)) != 0;
}

/*
 * The option called name for command cmd. Two commands may use one name
 * differently (verify's --attest STRING, provision's --attest flag): the
 * entry cmd takes wins, then a global one, then the first of that name
 * (which check_command() then refuses for cmd, naming it).
 */
static const struct cli_opt_def *find_long(const char *name, size_t len, enum cli_command cmd)
{
	const struct cli_opt_def *first = NULL;
	size_t i;

	for (i = 0; i < N_OPT_DEFS; i++) {
		const struct cli_opt_def *def = &opt_defs[i];

		if (strlen(def->name) != len || strncmp(def->name, name, len) != 0)
			continue;
		if (command_takes(cmd, def) || cli_opt_is_global(def))
			return def;
		if (!first)
			first = def;
	}
	return first;
}

static const struct cli_opt_def *find_short(char c)
{
	size_t i;

	for (i = 0; i < N_OPT_DEFS; i++)
		if (opt_defs[i].short_name == c)
			return &opt_defs[i];
	return NULL;
}

static enum cli_command find_command(const char *name)
{
	int c;

	for (c = CMD_NONE + 1; c < CMD_COUNT; c++)
		if (strcmp(cli_commands[c].name, name) == 0)
			return (enum cli_command)c;
	return CMD_NONE;
}

/* Append one more value of a repeatable option (provision's ports). */
static int add_value(const char **list, size_t *n, const char *value, const char *option,
		     struct mcred_error *err)
{
	if (*n >= CLI_MAX_VALUES) {
		cli_error_set(err, "--%s is given more than %d times", option, CLI_MAX_VALUES);
		return -1;
	}
	list[(*n)++] = value;
	return 0;
}

/*
 * --port or --serial-number, any text but the empty one: the first value
 * (what every command but provision uses), and every value in order.
 */
static int add_port_choice(const char **first, const char **list, size_t *n, const char *value,
			   const char *option, const char *what, struct mcred_error *err)
{
	if (!*value) {
		cli_error_set(err, "--%s is empty: give %s (run `modemcred ports` to list them)",
			      option, what);
		return -1;
	}
	if (!*first)
		*first = value;
	return add_value(list, n, value, option, err);
}

/* Store a global option's value (checked here: it applies to every command). */
static int apply_global(struct cli_cmdline *cl, int id, const char *value, struct mcred_error *err)
{
	struct mcred_options *o = &cl->opts;

	switch (id) {
	case G_PORT:
		return add_port_choice(&cl->port, cl->ports, &cl->nports, value, "port",
				       "a port such as /dev/ttyACM0", err);
	case G_SERIAL_NUMBER:
		return add_port_choice(&cl->serial_number, cl->serial_numbers, &cl->nserial_numbers,
				       value, "serial-number", "a kit's USB serial number", err);
	case G_BAUD: return cli_parse_baud(value, &o->baud, err);
	case G_FLOW: return cli_parse_flow(value, &o->flow, err);
	case G_TIMEOUT: return cli_parse_timeout(value, &o->timeout_ms, err);
	case G_TERMINATOR: return cli_parse_terminator(value, &o->terminator, err);
	case G_MAX_COMMAND: return cli_parse_max_command(value, &o->max_command_len, err);
	case G_TRANSPORT: return cli_parse_transport(value, &o->transport, err);
	case G_IGNORE_BUSY: o->ignore_busy = 1; return 0;
	case G_OFFLINE: o->auto_offline = 1; return 0;
	case G_SHELL: return cli_parse_shell(*value ? value : "on", &o->shell, err);
	case G_SHELL_NO_UNESCAPE_LF: o->shell_no_unescape_lf = 1; return 0;
	case G_KEEP_LINE_ENDINGS: o->keep_line_endings = 1; return 0;
	case G_JSON: cl->json = 1; return 0;
	case G_VERBOSE: cl->verbose = 1; return 0;
	case G_QUIET: cl->quiet = 1; return 0;
	case G_VERSION: cl->version = 1; return 0;
	case G_HELP: cl->help = 1; return 0;
	default: return 0;
	}
}

/* "--name" or, when it has one, "-x/--name", for messages. */
static void option_label(const struct cli_opt_def *def, char *buf, size_t size)
{
	if (def->short_name)
		snprintf(buf, size, "-%c/--%s", def->short_name, def->name);
	else
		snprintf(buf, size, "--%s", def->name);
}

/* A repeat cmd does not take: named, with the command that would take it. */
static int refuse_repeat(const struct cli_opt_def *def, struct mcred_error *err)
{
	char label[48];
	int c;

	option_label(def, label, sizeof(label));
	for (c = CMD_NONE + 1; c < CMD_COUNT; c++)
		if (def->repeatable & CMDBIT(c))
			break;
	if (c < CMD_COUNT)
		cli_error_set(err, "%s is given twice; give it once (only %s takes several)", label,
			      cli_commands[c].name);
	else
		cli_error_set(err, "%s is given twice; give it once", label);
	return -1;
}

/*
 * Record an option and its value (NULL for a flag). Only the options a
 * command documents as repeatable may come again (provision's -p): a
 * second value would otherwise silently replace the first (a typo in a
 * provisioning script writing to the wrong tag), so it is refused. Before
 * the command name is known, a repeat of such an option waits for
 * check_repeats().
 */
static int store_option(struct cli_cmdline *cl, const struct cli_opt_def *def, const char *value,
			struct mcred_error *err)
{
	if (cl->given & OPTBIT(def->id)) {
		if (!def->repeatable ||
		    (cl->command != CMD_NONE && !cli_opt_repeatable(cl->command, def)))
			return refuse_repeat(def, err);
		cl->repeated |= OPTBIT(def->id);
	}
	cl->given |= OPTBIT(def->id);
	if (def->id < OPT_COUNT) {
		cl->opt[def->id] = def->takes_value ? value : "";
		return 0;
	}
	return apply_global(cl, def->id, value ? value : "", err);
}

/*
 * Handle the option in argv[*i] ("--name", "--name=value", "-x", "-xVALUE",
 * bundled flags "-vq"), taking its value from the next argument when needed.
 */
static int parse_option(int argc, char *const argv[], int *i, struct cli_cmdline *cl,
			struct mcred_error *err)
{
	const char *arg = argv[*i];
	const struct cli_opt_def *def;
	const char *value = NULL;

	if (arg[1] == '-') {
		const char *name = arg + 2, *eq = strchr(name, '=');

		def = find_long(name, eq ? (size_t)(eq - name) : strlen(name), cl->command);
		if (eq)
			value = eq + 1;
	} else {
		/* Short flags may be bundled ("-vq"); one that takes a value ends
		 * the bundle and takes the rest ("-vpCOM3") or the next argument. */
		const char *p = arg + 1;

		while ((def = find_short(*p)) != NULL && !def->takes_value && p[1] != '\0') {
			if (store_option(cl, def, NULL, err) != 0)
				return -1;
			p++;
		}
		if (!def && p != arg + 1) {
			cli_error_set(err,
				      "unknown option '-%c' in '%.60s'; run `modemcred --help`", *p,
				      arg);
			return -1;
		}
		if (def && p[1] != '\0')
			value = p + 1;
	}
	if (!def) {
		cli_error_set(err, "unknown option '%.60s'; run `modemcred --help`", arg);
		return -1;
	}
	if (!def->takes_value && value) {
		cli_error_set(err, "--%s takes no value", def->name);
		return -1;
	}
	/* --shell auto: the next argument is its value only when it is one of its words */
	if (def->takes_value == OPTIONAL_VALUE && !value && *i + 1 < argc &&
	    (strcmp(argv[*i + 1], "auto") == 0 || strcmp(argv[*i + 1], "on") == 0 ||
	     strcmp(argv[*i + 1], "off") == 0))
		value = argv[++*i];
	if (def->takes_value == 1 && !value) {
		if (*i + 1 >= argc) {
			cli_error_set(err, "--%s needs a value", def->name);
			return -1;
		}
		value = argv[++*i];
	}
	return store_option(cl, def, value, err);
}

static int add_positional(struct cli_cmdline *cl, const char *arg, struct mcred_error *err)
{
	if (cl->command == CMD_NONE) {
		cl->command = find_command(arg);
		if (cl->command == CMD_NONE) {
			cli_error_set(err,
				      "unknown command '%.60s'; run `modemcred --help` for the "
				      "list of commands",
				      arg);
			return -1;
		}
		return 0;
	}
	if (cl->nargs >= CLI_MAX_ARGS) {
		cli_error_set(err, "too many arguments; run `modemcred %s --help`",
			      cli_commands[cl->command].name);
		return -1;
	}
	cl->args[cl->nargs++] = arg;
	return 0;
}

/* A repeated option that waited for the command name: fine only if it takes it so. */
static int check_repeats(const struct cli_cmdline *cl, struct mcred_error *err)
{
	size_t i;

	for (i = 0; i < N_OPT_DEFS; i++)
		if ((cl->repeated & OPTBIT(opt_defs[i].id)) &&
		    !cli_opt_repeatable(cl->command, &opt_defs[i]))
			return refuse_repeat(&opt_defs[i], err);
	return 0;
}

/* Check that the command got the options and arguments it takes and needs. */
static int check_command(const struct cli_cmdline *cl, struct mcred_error *err)
{
	const struct cli_command_def *def = &cli_commands[cl->command];
	int o;

	for (o = 0; o < OPT_COUNT; o++) {
		if (cl->opt[o] && !(def->allowed & OPTBIT(o))) {
			cli_error_set(err, "%s does not take --%s; run `modemcred %s --help`",
				      def->name, cli_opt_name((enum cli_opt)o), def->name);
			return -1;
		}
		if (!cl->opt[o] && (def->required & OPTBIT(o))) {
			cli_error_set(err, "%s needs --%s; run `modemcred %s --help`", def->name,
				      cli_opt_name((enum cli_opt)o), def->name);
			return -1;
		}
	}
	if (cl->command == CMD_CLEAR && !cl->opt[OPT_TAG] == !cl->opt[OPT_ALL]) {
		cli_error_set(err,
			      "clear needs either --tag N (one tag) or --all (every user "
			      "credential), not %s; run `modemcred clear --help`",
			      cl->opt[OPT_TAG] ? "both" : "neither");
		return -1;
	}
	if (cl->nargs < def->min_args) {
		cli_error_set(err, "%s needs %s; run `modemcred %s --help`", def->name,
			      def->args_name, def->name);
		return -1;
	}
	if (cl->nargs > def->max_args) {
		if (def->max_args == 0)
			cli_error_set(err,
				      "%s takes no argument (got '%.60s'); run `modemcred %s "
				      "--help`",
				      def->name, cl->args[0], def->name);
		else
			cli_error_set(err, "%s takes one %s (got also '%.60s')", def->name,
				      def->args_name, cl->args[def->max_args]);
		return -1;
	}
	return 0;
}

int cli_cmdline_parse(int argc, char *const argv[], struct cli_cmdline *out,
		      struct mcred_error *err)
{
	int i, only_positional = 0;

	memset(out, 0, sizeof(*out));
	mcred_options_init(&out->opts);
	for (i = 1; i < argc; i++) {
		const char *arg = argv[i];
		int rc;

		if (!only_positional && strcmp(arg, "--") == 0) {
			only_positional = 1;
			continue;
		}
		if (!only_positional && arg[0] == '-' && arg[1] != '\0')
			rc = parse_option(argc, argv, &i, out, err);
		else
			rc = add_positional(out, arg, err);
		if (rc != 0)
			return -1;
	}
	if (out->help || out->version)
		return 0;
	if (check_repeats(out, err) != 0)
		return -1;
	/* provision takes both, for ports and kits */
	if (out->port && out->serial_number && out->command != CMD_PROVISION) {
		cli_error_set(err, "--port and --serial-number both choose the port; give one of "
				   "them");
		return -1;
	}
	if (out->command == CMD_NONE) {
		cli_error_set(err, "no command given; run `modemcred --help` for the list of "
				   "commands");
		return -1;
	}
	return check_command(out, err);
}
