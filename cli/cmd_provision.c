/*
 * `modemcred provision`: the factory station command. Takes its options as
 * the shared parser read them (cmdline.c, where they are documented),
 * checks every input before any modem is touched (exit 2), then hands over
 * to the station (station.c), which runs mcred_provision() on each port.
 */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "args.h"
#include "cli.h"
#include "files.h"
#include "ledger_summary.h"
#include "prompt.h"
#include "station.h"

const char cli_help_provision[] =
	"Usage: modemcred provision [options] [PORT...]\n"
	"\n"
	"Factory station: for each modem (one thread per port, in parallel) read\n"
	"IMEI, model and firmware, generate a key on the modem with a CSR for\n"
	"CN=<device id>, verify it, sign it with the factory CA, write the root CA\n"
	"(type 0) and the device certificate (type 1), verify both by digest, and\n"
	"record it all. The modem goes offline (CFUN=4) only just before the first\n"
	"key generation or write, and gets its mode back at the end. A second run\n"
	"finishes what was interrupted (also after a crash: a journal per modem in\n"
	"--out) and leaves modems already provisioned as asked unchanged, online.\n"
	"\n"
	"The CA key may be a PKCS#11 URI ('pkcs11:token=factory;object=line-ca'):\n"
	"the token makes every signature. --summary LEDGER prints the per-step\n"
	"timings and devices per hour of a ledger instead, touching no modem.\n"
	"\n"
	"Ports: PORT arguments, -p PORT, --all-kits (every attached Nordic kit),\n"
	"--serial-number N (a kit by its USB serial); -p and --serial-number may be\n"
	"given more than once.\n"
	"\n"
	"Options:\n" CLI_HELP_OPTIONS "\n"
	"Global options (--baud, --timeout, --flow, ...) apply to every port.\n"
	"\n"
	"Exit status: 0 when every modem ended provisioned, renewed or unchanged;\n"
	"8 when, without --ca, some stopped after saving their CSR; else the highest\n"
	"code of `modemcred --help` among the modems; 2 before any modem is touched\n"
	"for bad input (CA key, PIN, CA certificate, expired CA, files); 130 after\n"
	"Ctrl-C: the command in flight on each port finishes, modes are restored,\n"
	"the ledger stays valid. A second Ctrl-C cancels the commands in flight (the\n"
	"modes then get a few seconds to be restored), a third exits at once. A full\n"
	"disk stops the station the same way (exit 1).\n"
	"\n"
	"Example:\n"
	"  modemcred provision --ca ca.pem --ca-key ca.key --root-ca aws-root.pem \\\n"
	"      --out certs --ledger ledger.jsonl --onboard-csv onboard.csv \\\n"
	"      /dev/ttyACM0 /dev/ttyACM4\n";

#define MAX_PORTS 256
#define DEFAULT_TAG 16842753u

struct provision_args {
	const char *ports[MAX_PORTS];
	size_t nports;
	const char *serials[MAX_PORTS];
	size_t nserials;
	int all_kits;
	const char *tag, *id, *ca, *ca_key, *days, *root_ca, *identity_key;
	const char *pkcs11_module, *ca_key_password_file;
	const char *renew_within, *summary;
	struct station_config cfg;
	/* Loaded files, freed at the end. */
	char *identity_pem, *root_pem;
	mcred_ca *ca_loaded;
	char *port_names[MAX_PORTS]; /* found by --all-kits / --serial-number */
};

/* ---- options --------------------------------------------------------------------- */

static int add_port(struct provision_args *a, const char *port)
{
	if (a->nports >= MAX_PORTS) {
		cli_errorf("more than %d ports", MAX_PORTS);
		return -1;
	}
	a->ports[a->nports++] = port;
	return 0;
}

/* The options as the command line gave them (cmdline.c documents and parsed them). */
static int take_options(const struct cli_cmdline *cl, struct provision_args *a)
{
	struct mcred_provision_request *q = &a->cfg.req;
	struct csv_options *csv = &a->cfg.csv;
	size_t i;

	for (i = 0; i < cl->nargs; i++)
		if (add_port(a, cl->args[i]) != 0)
			return CLI_EXIT_USAGE;
	for (i = 0; i < cl->nports; i++)
		if (add_port(a, cl->ports[i]) != 0)
			return CLI_EXIT_USAGE;
	for (i = 0; i < cl->nserial_numbers && i < MAX_PORTS; i++)
		a->serials[a->nserials++] = cl->serial_numbers[i];
	a->all_kits = cl->opt[OPT_ALL_KITS] != NULL;
	/* no port named: $MODEMCRED_PORT, as for every command */
	if (a->nports == 0 && a->nserials == 0 && !a->all_kits && !cl->opt[OPT_SUMMARY] &&
	    getenv("MODEMCRED_PORT") && *getenv("MODEMCRED_PORT") &&
	    add_port(a, getenv("MODEMCRED_PORT")) != 0)
		return CLI_EXIT_USAGE;
	a->tag = cl->opt[OPT_TAG];
	a->id = cl->opt[OPT_ID];
	a->ca = cl->opt[OPT_CA];
	a->ca_key = cl->opt[OPT_CA_KEY];
	a->pkcs11_module = cl->opt[OPT_PKCS11_MODULE];
	a->ca_key_password_file = cl->opt[OPT_CA_KEY_PASSWORD_FILE];
	a->days = cl->opt[OPT_DAYS];
	a->root_ca = cl->opt[OPT_ROOT_CA];
	a->identity_key = cl->opt[OPT_IDENTITY_KEY];
	q->id_prefix = cl->opt[OPT_ID_PREFIX];
	q->subject_extra = cl->opt[OPT_SUBJECT_EXTRA];
	q->force = cl->opt[OPT_FORCE] != NULL;
	q->attest = cl->opt[OPT_ATTEST] != NULL;
	a->renew_within = cl->opt[OPT_RENEW_WITHIN];
	a->summary = cl->opt[OPT_SUMMARY];
	a->cfg.attest_csv.path = cl->opt[OPT_ATTEST_CSV];
	a->cfg.attest_csv.replace = cl->opt[OPT_REPLACE] != NULL;
	a->cfg.cert_dir = cl->opt[OPT_CERT_DIR];
	a->cfg.out_dir = cl->opt[OPT_OUT];
	a->cfg.ledger = cl->opt[OPT_LEDGER];
	csv->path = cl->opt[OPT_ONBOARD_CSV];
	csv->subtype = cl->opt[OPT_SUBTYPE];
	csv->tags = cl->opt[OPT_TAGS];
	csv->fw_types = cl->opt[OPT_FW_TYPES];
	csv->replace = cl->opt[OPT_REPLACE] != NULL;
	csv->split = cl->opt[OPT_SPLIT] != NULL;
	return 0;
}

/* ---- checks before any modem is touched ---------------------------------------------- */

static int usage_error(const struct mcred_error *err)
{
	cli_errorf("%s", err->message);
	return CLI_EXIT_USAGE;
}

static int parse_request(struct provision_args *a)
{
	struct mcred_provision_request *q = &a->cfg.req;
	struct mcred_error err;
	uint64_t days = 3650, renew = 0;

	memset(&err, 0, sizeof(err));
	q->tag = DEFAULT_TAG;
	if (a->tag && cli_parse_tag(a->tag, &q->tag, &err) != 0)
		return usage_error(&err);
	if (a->days && cli_parse_uint(a->days, 1, 36500, "--days", &days, &err) != 0)
		return usage_error(&err);
	q->days = (unsigned)days;
	if (a->renew_within) {
		if (cli_parse_uint(a->renew_within, 1, 36500, "--renew-within", &renew, &err) != 0)
			return usage_error(&err);
		if (!a->ca) {
			cli_errorf(
				"--renew-within renews with the factory CA: give --ca and --ca-key");
			return CLI_EXIT_USAGE;
		}
		q->renew_within_days = (unsigned)renew;
	}
	if (a->cfg.attest_csv.path && !q->attest) {
		cli_errorf("--attest-csv collects attestation tokens: give --attest too");
		return CLI_EXIT_USAGE;
	}
	if (!a->id || !strcmp(a->id, "uuid"))
		q->id_kind = MCRED_ID_UUID;
	else if (!strcmp(a->id, "imei"))
		q->id_kind = MCRED_ID_IMEI;
	else if (!strcmp(a->id, "nrf-imei"))
		q->id_kind = MCRED_ID_NRF_IMEI;
	else {
		cli_errorf("--id '%.40s' is not one of uuid, imei, nrf-imei", a->id);
		return CLI_EXIT_USAGE;
	}
	if (mcred_provision_check(q, &err) != MCRED_OK)
		return usage_error(&err);
	return 0;
}

static int load_text(const char *path, const char *what, char **data, size_t *len)
{
	struct mcred_error err;

	memset(&err, 0, sizeof(err));
	if (cli_read_file(path, what, data, len, &err) != 0)
		return usage_error(&err);
	return 0;
}

/* Where the CA key's PIN or passphrase comes from, and why there was none. */
struct ca_password {
	const char *file; /* --ca-key-password-file */
	int no_terminal;  /* needed, but neither file nor terminal */
	int file_failed;  /* the file could not be read: file_err says why */
	struct mcred_error file_err;
};

/* The library's password_cb: the file's first line, else the terminal (no echo). */
static int ca_password_cb(char *buf, size_t size, int is_pin, void *user)
{
	struct ca_password *p = user;
	char *secret = NULL;
	size_t n;

	if (!p->file) {
		if (!cli_can_prompt()) {
			p->no_terminal = 1;
			return -1;
		}
		return cli_prompt_secret(is_pin ? "PIN of the token holding the CA key"
						: "passphrase of the CA key",
					 buf, size);
	}
	if (cli_read_password(p->file, &secret, &p->file_err) != 0) {
		p->file_failed = 1;
		return -1;
	}
	n = strlen(secret);
	if (n > size) {
		mcred_secret_free(secret, n);
		cli_error_set(&p->file_err, "the first line of %s is longer than %zu bytes",
			      p->file, size);
		p->file_failed = 1;
		return -1;
	}
	memcpy(buf, secret, n);
	mcred_secret_free(secret, n);
	return (int)n;
}

/* The password file can be read and holds a first line (its copy wiped); 0 or exit 2. */
static int check_password_file(const char *path)
{
	struct mcred_error err;
	char *secret = NULL;

	memset(&err, 0, sizeof(err));
	if (cli_read_password(path, &secret, &err) != 0) {
		cli_errorf("--ca-key-password-file: %s", err.message);
		return CLI_EXIT_USAGE;
	}
	mcred_secret_free(secret, strlen(secret));
	return 0;
}

/* A PKCS#11 URI names a key in a token; anything else is a PEM file. */
static int is_pkcs11_uri(const char *key)
{
	return strncasecmp(key, "pkcs11:", 7) == 0;
}

/*
 * --ca-key as messages show it: a URI's pin-value (which the library
 * refuses) is not repeated, "<secret>" stands in its place.
 */
static void shown_key(const char *key, char *out, size_t len)
{
	const char *pin = NULL, *p;
	size_t n;

	for (p = key; *p && !pin; p++)
		if (strncasecmp(p, "pin-value=", 10) == 0)
			pin = p + 10;
	if (!pin) {
		snprintf(out, len, "%s", key);
		return;
	}
	n = strcspn(pin, ";?&");
	snprintf(out, len, "%.*s<secret>%s", (int)(pin - key), key, pin + n);
}

/* Why the CA could not be opened, with what to do when the secret was missing. */
static int ca_open_failed(const struct provision_args *a, const struct ca_password *pw,
			  const struct mcred_error *err)
{
	char key[1024];

	shown_key(a->ca_key, key, sizeof(key));
	if (pw->file_failed)
		cli_errorf("--ca-key-password-file: %s", pw->file_err.message);
	else if (pw->no_terminal)
		cli_errorf("--ca-key %s: %s: give it with --ca-key-password-file FILE (there is no "
			   "terminal to ask on)",
			   key, err->message);
	else
		cli_errorf("--ca %s, --ca-key %s: %s", a->ca, key, err->message);
	return CLI_EXIT_USAGE;
}

/* The CA: it must be the key's, valid now and a CA (exit 2 otherwise). */
static int load_ca(struct provision_args *a)
{
	char *cert = NULL, *key_pem = NULL;
	size_t cert_len = 0, key_len = 0;
	struct mcred_ca_key key;
	struct ca_password pw;
	struct mcred_error err;
	int code;

	if (!a->ca && !a->ca_key) {
		if (a->pkcs11_module || a->ca_key_password_file) {
			cli_errorf("--pkcs11-module and --ca-key-password-file are for --ca-key");
			return CLI_EXIT_USAGE;
		}
		return 0;
	}
	if (!a->ca || !a->ca_key) {
		cli_errorf("--ca and --ca-key go together: give the CA certificate and its key");
		return CLI_EXIT_USAGE;
	}
	if (a->pkcs11_module && !is_pkcs11_uri(a->ca_key)) {
		cli_errorf("--pkcs11-module is for a --ca-key that is a PKCS#11 URI (pkcs11:...)");
		return CLI_EXIT_USAGE;
	}
	mcred_ca_key_init(&key);
	memset(&pw, 0, sizeof(pw));
	pw.file = a->ca_key_password_file;
	/* a file given is read even when the key turns out to need none: a wrong path is a mistake */
	if (pw.file && (code = check_password_file(pw.file)) != 0)
		return code;
	key.password_cb = ca_password_cb;
	key.user = &pw;
	key.pkcs11_module = a->pkcs11_module;
	code = load_text(a->ca, "CA certificate", &cert, &cert_len);
	if (!code && is_pkcs11_uri(a->ca_key))
		key.uri = a->ca_key;
	else if (!code && !(code = load_text(a->ca_key, "CA key", &key_pem, &key_len))) {
		key.pem = key_pem;
		key.pem_len = key_len;
	}
	memset(&err, 0, sizeof(err));
	if (!code && mcred_ca_open(&a->ca_loaded, cert, cert_len, &key, &err) != MCRED_OK)
		code = ca_open_failed(a, &pw, &err);
	free(cert);
	mcred_secret_free(key_pem, key_len);
	a->cfg.req.ca = a->ca_loaded;
	return code;
}

static int load_inputs(struct provision_args *a)
{
	struct mcred_error err;
	size_t len;
	int code;

	if ((code = load_ca(a)) != 0)
		return code;
	if (a->identity_key) {
		if ((code = load_text(a->identity_key, "identity key", &a->identity_pem, &len)))
			return code;
		a->cfg.req.identity_key_pem = a->identity_pem;
	}
	if (a->root_ca) {
		if ((code = load_text(a->root_ca, "root CA file", &a->root_pem, &len)))
			return code;
		memset(&err, 0, sizeof(err));
		/* the same checks as write --type ca: a key in this file would be
		 * stored where anyone can read it back */
		if (mcred_cmng_check_write(1, MCRED_TYPE_CA_CERT, a->root_pem, len, NULL,
					   &a->cfg.opts, &err) != MCRED_OK ||
		    mcred_cmng_check_content(MCRED_TYPE_CA_CERT, a->root_pem, len, NULL, &err) !=
			    MCRED_OK) {
			cli_errorf("--root-ca %s: %s", a->root_ca,
				   err.message[0] ? err.message : "not a PEM certificate");
			return CLI_EXIT_USAGE;
		}
		a->cfg.req.root_ca_pem = a->root_pem;
	}
	return 0;
}

static int check_dir(const char *dir, const char *option)
{
	struct stat st;

	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		cli_errorf("%s %s: not a directory; create it first", option, dir);
		return CLI_EXIT_USAGE;
	}
	if (access(dir, W_OK | X_OK) != 0) {
		cli_errorf("%s %s: %s", option, dir, strerror(errno));
		return CLI_EXIT_USAGE;
	}
	return 0;
}

/* Room for every port's row, unless --split (a full file is an error up front). */
static int check_csv(struct provision_args *a)
{
	const struct csv_options *c = &a->cfg.csv;
	struct mcred_error err;
	size_t parts;
	long rows;

	if (!c->path) {
		if (c->subtype || c->tags || c->fw_types || c->split ||
		    (c->replace && !a->cfg.attest_csv.path)) {
			cli_errorf("--subtype, --tags, --fw-types, --replace and --split are for "
				   "--onboard-csv FILE (and --replace for --attest-csv FILE)");
			return CLI_EXIT_USAGE;
		}
		return 0;
	}
	if (!c->fw_types)
		a->cfg.csv.fw_types = "APP|MODEM";
	memset(&err, 0, sizeof(err));
	rows = csv_count_rows(c->path, c->split, &parts, &err);
	if (rows < 0)
		return usage_error(&err);
	if (!c->split && rows + (long)a->cfg.nports > CSV_MAX_ROWS) {
		cli_errorf("--onboard-csv %s has %ld rows; %zu more would pass nRF Cloud's limit "
			   "of %d per file: give another file, or --split to continue in "
			   "FILE-2.csv",
			   c->path, rows, a->cfg.nports, CSV_MAX_ROWS);
		return CLI_EXIT_USAGE;
	}
	return 0;
}

/*
 * Where path leads: its real path when it exists, else its directory's real
 * path and its name (the file comes later), following a symbolic link to a
 * file not yet made (depth: links left to follow). "" when even that is unknown.
 */
static void output_place(const char *path, char *out, size_t len, int depth)
{
	char dir[PATH_MAX], real[PATH_MAX], target[PATH_MAX], joined[2 * PATH_MAX + 2];
	const char *slash = strrchr(path, '/');
	ssize_t n;

	out[0] = '\0';
	if (realpath(path, real)) {
		snprintf(out, len, "%s", real);
		return;
	}
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash == path ? 1 : slash - path), path);
	n = depth > 0 ? readlink(path, target, sizeof(target) - 1) : -1;
	if (n > 0) {
		target[n] = '\0';
		snprintf(joined, sizeof(joined), "%s%s%s", target[0] == '/' ? "" : dir,
			 target[0] == '/' ? "" : "/", target);
		output_place(joined, out, len, depth - 1);
		return;
	}
	if (realpath(dir, real))
		snprintf(out, len, "%s/%s", real, slash ? slash + 1 : path);
}

/* Whether two paths lead to one file: one inode (a hard link too), or one place. */
static int same_file(const char *a, const char *b)
{
	char pa[PATH_MAX + 256], pb[PATH_MAX + 256];
	struct stat sa, sb;

	if (stat(a, &sa) == 0 && stat(b, &sb) == 0)
		return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
	output_place(a, pa, sizeof(pa), 8);
	output_place(b, pb, sizeof(pb), 8);
	return pa[0] && !strcmp(pa, pb);
}

/*
 * The ledger and the two CSVs are three files, none of them a file the run
 * reads: one given twice would mix their lines, an input named as an
 * output would get lines appended to a certificate or key.
 */
static int check_distinct_outputs(const struct provision_args *a)
{
	const char *names[8] = {
		"--ledger", "--onboard-csv", "--attest-csv",           "--ca",
		"--ca-key", "--root-ca",     "--ca-key-password-file", "--identity-key"
	};
	const char *paths[8] = { a->cfg.ledger,
				 a->cfg.csv.path,
				 a->cfg.attest_csv.path,
				 a->ca,
				 a->ca_key && is_pkcs11_uri(a->ca_key) ? NULL : a->ca_key,
				 a->root_ca,
				 a->ca_key_password_file,
				 a->identity_key };
	size_t i, j;

	for (i = 0; i < 3; i++) /* the outputs, each against every file after it */
		for (j = i + 1; j < 8; j++)
			if (paths[i] && paths[j] && same_file(paths[i], paths[j])) {
				cli_errorf("%s and %s name the same file (%s): each needs its own",
					   names[i], names[j], paths[j]);
				return CLI_EXIT_USAGE;
			}
	return 0;
}

/*
 * A record file (the ledger, a CSV) given as option: one the station can
 * append to and sync. "-" is no such file (standard output carries the
 * station's events; the ledger is read back by a rerun).
 */
static int check_record_file(const char *path, const char *option)
{
	struct mcred_error err;

	if (!path)
		return 0;
	if (strcmp(path, "-") == 0) {
		cli_errorf("%s -: the records go to a file, appended and synced line by line "
			   "and read by the next run; standard output carries the station's "
			   "events (--json). Name a file, e.g. %s records%s",
			   option, option, strcmp(option, "--ledger") == 0 ? ".jsonl" : ".csv");
		return CLI_EXIT_USAGE;
	}
	memset(&err, 0, sizeof(err));
	if (cli_check_output(path, &err) != 0) {
		cli_errorf("%s: %s", option, err.message);
		return CLI_EXIT_USAGE;
	}
	return 0;
}

static int check_outputs(struct provision_args *a)
{
	int code;

	if (!a->cfg.out_dir)
		a->cfg.out_dir = ".";
	if ((code = check_dir(a->cfg.out_dir, "--out")) != 0)
		return code;
	if (a->cfg.cert_dir && access(a->cfg.cert_dir, R_OK | X_OK) != 0) {
		cli_errorf("--cert-dir %s: %s", a->cfg.cert_dir, strerror(errno));
		return CLI_EXIT_USAGE;
	}
	if ((code = check_record_file(a->cfg.ledger, "--ledger")) != 0 ||
	    (code = check_record_file(a->cfg.csv.path, "--onboard-csv")) != 0 ||
	    (code = check_record_file(a->cfg.attest_csv.path, "--attest-csv")) != 0 ||
	    (code = check_distinct_outputs(a)) != 0)
		return code;
	return check_csv(a);
}

/* ---- ports ---------------------------------------------------------------------------- */

/* --all-kits, --serial-number: the modem port of each kit asked for. */
static int find_kits(struct provision_args *a)
{
	struct mcred_port_list *list = NULL;
	struct mcred_error err;
	const char *found[MAX_PORTS], *missing = NULL;
	long n, i;

	if (!a->all_kits && !a->nserials)
		return 0;
	memset(&err, 0, sizeof(err));
	if (mcred_port_list_get(&list, &err) != MCRED_OK) {
		cli_errorf("%s", err.message);
		return CLI_EXIT_PORT;
	}
	n = station_kit_ports(list, a->all_kits, a->serials, a->nserials, found,
			      MAX_PORTS - a->nports, &missing);
	for (i = 0; i < n; i++) {
		a->port_names[i] = strdup(found[i]);
		if (a->port_names[i])
			a->ports[a->nports++] = a->port_names[i];
	}
	mcred_port_list_free(list);
	if (missing) {
		cli_errorf("no Nordic kit with serial number %.40s is attached; `modemcred ports` "
			   "lists the ports and kits",
			   missing);
		return CLI_EXIT_PORT;
	}
	if (n == 0) {
		cli_errorf("no Nordic kit is attached; `modemcred ports` lists the ports");
		return CLI_EXIT_PORT;
	}
	return 0;
}

/* The same port twice would run two threads on one modem. */
static int check_ports(const struct provision_args *a)
{
	size_t i, j;
	int twice;

	if (a->nports == 0) {
		cli_errorf("provision needs ports: PORT arguments, -p PORT, --all-kits, "
			   "--serial-number N or MODEMCRED_PORT; `modemcred ports` lists them");
		return CLI_EXIT_USAGE;
	}
	twice = station_duplicate_port(a->ports, a->nports, &j, &i);
	if (twice < 0) {
		cli_errorf("out of memory");
		return CLI_EXIT_FAILURE;
	}
	if (twice == 0)
		return 0;
	if (!strcmp(a->ports[i], a->ports[j]))
		cli_errorf("port %s is named twice", a->ports[i]);
	else
		cli_errorf("ports %s and %s are one device, named twice: give it once", a->ports[j],
			   a->ports[i]);
	return CLI_EXIT_USAGE;
}

static void free_args(struct provision_args *a)
{
	size_t i;

	for (i = 0; i < MAX_PORTS; i++)
		free(a->port_names[i]);
	free(a->identity_pem);
	free(a->root_pem);
	mcred_ca_free(a->ca_loaded);
}

/* --summary LEDGER reads a ledger: no port, no modem, no other option of provision. */
static int summary_only(const struct cli_cmdline *cl, const struct provision_args *a)
{
	int o;

	if (a->nports || a->nserials || a->all_kits) {
		cli_errorf("--summary reads a ledger and touches no modem: give no ports");
		return CLI_EXIT_USAGE;
	}
	for (o = 0; o < OPT_COUNT; o++)
		if (o != OPT_SUMMARY && cl->opt[o]) {
			cli_errorf("--summary LEDGER takes no other option of provision (--%s)",
				   cli_opt_name((enum cli_opt)o));
			return CLI_EXIT_USAGE;
		}
	return ledger_summary_command(a->summary, a->cfg.json);
}

int cmd_provision(struct cli_ctx *ctx)
{
	struct provision_args *a = calloc(1, sizeof(*a));
	int code;

	if (!a) {
		cli_errorf("out of memory");
		return CLI_EXIT_FAILURE;
	}
	mcred_provision_request_init(&a->cfg.req);
	code = take_options(ctx->cl, a);
	a->cfg.opts = ctx->cl->opts;
	a->cfg.verbose = ctx->cl->verbose;
	a->cfg.json = ctx->cl->json;
	a->cfg.quiet = ctx->cl->quiet;
	/* off a terminal its events are JSON Lines: so is a failure before any port ran */
	ctx->json_output = !a->summary && !ctx->cl->quiet && !isatty(STDOUT_FILENO);
	if (!code && a->summary) {
		code = summary_only(ctx->cl, a);
		free_args(a);
		free(a);
		return code;
	}
	if (!code)
		code = parse_request(a);
	if (!code)
		code = find_kits(a);
	if (!code)
		code = check_ports(a);
	a->cfg.ports = a->ports;
	a->cfg.nports = a->nports;
	if (!code)
		code = load_inputs(a);
	if (!code)
		code = check_outputs(a);
	if (!code)
		code = station_run(&a->cfg);
	free_args(a);
	free(a);
	return code;
}
