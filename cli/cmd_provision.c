/*
 * `modemcred provision`: the factory station command. Parses its options
 * (its own parser: they are too many for the shared option table), checks
 * every input before any modem is touched (exit 2), then hands over to the
 * station (station.c), which runs mcred_provision() on each port.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "args.h"
#include "cli.h"
#include "files.h"
#include "station.h"

const char cli_help_provision[] =
	"Usage: modemcred provision [options] [PORT...]\n"
	"\n"
	"Factory station: for each modem (one thread per port, in parallel) take it\n"
	"offline, read IMEI, model and firmware, generate a key on the modem with a\n"
	"CSR for CN=<device id>, verify it, sign it with the factory CA, write the\n"
	"root CA (type 0) and the device certificate (type 1), verify both by digest,\n"
	"restore the modem's mode, and record it all. A second run finishes what\n"
	"was interrupted and leaves modems already provisioned as asked unchanged.\n"
	"\n"
	"Ports: PORT arguments, -p PORT (repeatable), --all-kits (every attached\n"
	"Nordic kit), --serial-number N (a kit by its USB serial, repeatable).\n"
	"\n"
	"Options:\n"
	"  --tag N               security tag (default 16842753, nRF Cloud's)\n"
	"  --id uuid|imei|nrf-imei\n"
	"                        device id: the device UUID (default), the IMEI, or\n"
	"                        nrf-<IMEI>\n"
	"  --id-prefix S         put S before the id (the id stays <= 64 characters)\n"
	"  --subject-extra S     more CSR subject attributes, e.g. 'O=Acme,OU=Line 2'\n"
	"  --identity-key FILE   device identity public key (PEM): checks the COSE\n"
	"                        signatures of %KEYGEN and %ATTESTTOKEN\n"
	"  --force               replace a key in the tag that no saved artifact of\n"
	"                        this device identifies\n"
	"  --ca FILE             factory CA certificate (PEM)\n"
	"  --ca-key FILE         its private key (PEM, unencrypted)\n"
	"  --days N              certificate validity (default 3650)\n"
	"  --cert-dir DIR        certificates issued elsewhere, <device id>_crt.pem\n"
	"                        (without --ca: the run stops after saving the CSR)\n"
	"  --root-ca FILE        server root CA certificate(s) for type 0\n"
	"  --attest              also collect an attestation token (<id>_attest.txt)\n"
	"  --out DIR             artifacts <id>_csr.pem, _pub.pem, _crt.pem,\n"
	"                        _key.sha256 (default: the current directory)\n"
	"  --ledger FILE         append one JSON line per modem and run\n"
	"  --onboard-csv FILE    nRF Cloud onboarding CSV (one row per device)\n"
	"  --subtype S, --tags S, --fw-types S\n"
	"                        its columns (defaults: empty, empty, APP|MODEM)\n"
	"  --replace             replace a device's existing CSV row\n"
	"  --split               continue a full CSV (1000 rows) in FILE-2.csv, ...\n"
	"  --json                JSON events on stdout (the default when stdout is\n"
	"                        not a terminal)\n"
	"Global options (--baud, --timeout, --flow, ...) apply to every port.\n"
	"\n"
	"Exit status: 0 when every modem ended provisioned or unchanged; 8 when,\n"
	"without --ca, some stopped after saving their CSR; else the highest code of\n"
	"`modemcred --help` among the modems; 2 before any modem is touched for\n"
	"bad input (CA key, CA certificate, expired CA, files); 130 after Ctrl-C:\n"
	"the command in flight on each port finishes, modes are restored, the\n"
	"ledger stays valid. A second Ctrl-C cancels the commands in flight (the\n"
	"modes then get a few seconds to be restored), a third exits at once.\n"
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
	struct station_config cfg;
	/* Loaded files, freed at the end. */
	char *identity_pem, *root_pem;
	mcred_ca *ca_loaded;
	char *port_names[MAX_PORTS]; /* found by --all-kits / --serial-number */
};

/* ---- options --------------------------------------------------------------------- */

/* Where an option goes: a string, a flag, or a list (ports, serial numbers). */
enum popt_kind { P_STRING, P_FLAG, P_PORT, P_SERIAL, P_HELP };

struct popt {
	const char *name;
	enum popt_kind kind;
	size_t offset;    /* of the const char * or int in struct provision_args */
};

#define ARG(member) offsetof(struct provision_args, member)

static const struct popt popts[] = {
	{ "port", P_PORT, 0 },
	{ "all-kits", P_FLAG, ARG(all_kits) },
	{ "serial-number", P_SERIAL, 0 },
	{ "tag", P_STRING, ARG(tag) },
	{ "id", P_STRING, ARG(id) },
	{ "id-prefix", P_STRING, ARG(cfg.req.id_prefix) },
	{ "subject-extra", P_STRING, ARG(cfg.req.subject_extra) },
	{ "identity-key", P_STRING, ARG(identity_key) },
	{ "force", P_FLAG, ARG(cfg.req.force) },
	{ "ca", P_STRING, ARG(ca) },
	{ "ca-key", P_STRING, ARG(ca_key) },
	{ "days", P_STRING, ARG(days) },
	{ "cert-dir", P_STRING, ARG(cfg.cert_dir) },
	{ "root-ca", P_STRING, ARG(root_ca) },
	{ "attest", P_FLAG, ARG(cfg.req.attest) },
	{ "out", P_STRING, ARG(cfg.out_dir) },
	{ "ledger", P_STRING, ARG(cfg.ledger) },
	{ "onboard-csv", P_STRING, ARG(cfg.csv.path) },
	{ "subtype", P_STRING, ARG(cfg.csv.subtype) },
	{ "tags", P_STRING, ARG(cfg.csv.tags) },
	{ "fw-types", P_STRING, ARG(cfg.csv.fw_types) },
	{ "replace", P_FLAG, ARG(cfg.csv.replace) },
	{ "split", P_FLAG, ARG(cfg.csv.split) },
	{ "help", P_HELP, 0 },
};

static int add_to(const char **list, size_t *n, const char *value)
{
	if (*n >= MAX_PORTS) {
		cli_errorf("more than %d ports", MAX_PORTS);
		return -1;
	}
	list[(*n)++] = value;
	return 0;
}

/* Store one provision option; -1 on a usage error (printed). */
static int store(struct provision_args *a, const struct popt *o, const char *value)
{
	char *field = (char *)a + o->offset;

	switch (o->kind) {
	case P_PORT:
		return add_to(a->ports, &a->nports, value);
	case P_SERIAL:
		return add_to(a->serials, &a->nserials, value);
	case P_FLAG:
		*(int *)(void *)field = 1;
		return 0;
	case P_STRING:
		*(const char **)(void *)field = value;
		return 0;
	case P_HELP:
	default:
		return 0;
	}
}

static const struct popt *find_popt(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(popts) / sizeof(popts[0]); i++)
		if (strlen(popts[i].name) == len && !strncmp(popts[i].name, name, len))
			return &popts[i];
	return NULL;
}

/* One argument: a provision option, a global option, or a port. 0, 1 (help) or -1. */
static int parse_one(struct cli_ctx *ctx, struct provision_args *a, int argc, char *const argv[],
		     int *i)
{
	const char *arg = argv[*i], *eq, *value = NULL;
	const struct popt *o = NULL;
	struct mcred_error err;
	int rc;

	if (!strcmp(arg, "-h"))
		return 1;
	if (!strcmp(arg, "-p"))
		arg = "--port";
	if (arg[0] == '-' && arg[1] == '-') {
		eq = strchr(arg, '=');
		o = find_popt(arg + 2, eq ? (size_t)(eq - arg - 2) : strlen(arg + 2));
		value = eq ? eq + 1 : NULL;
	}
	if (o) {
		if (o->kind == P_HELP)
			return 1;
		if (o->kind != P_FLAG && !value) {
			if (*i + 1 >= argc) {
				cli_errorf("--%s needs a value", o->name);
				return -1;
			}
			value = argv[++*i];
		} else if (o->kind == P_FLAG && value) {
			cli_errorf("--%s takes no value", o->name);
			return -1;
		}
		return store(a, o, value);
	}
	if (arg[0] != '-' || arg[1] == '\0')
		return add_to(a->ports, &a->nports, arg);
	memset(&err, 0, sizeof(err));
	/*
	 * ctx->cl points at app.c's own cli_cmdline (const only for the
	 * commands): a global option after "provision" lands there as it would
	 * before it.
	 */
	rc = cli_cmdline_global_option(argc, argv, i, (struct cli_cmdline *)ctx->cl, &err);
	if (rc == 1)
		cli_errorf("provision does not take %.60s; run `modemcred provision --help`", arg);
	else if (rc < 0)
		cli_errorf("%s", err.message);
	return rc == 0 ? 0 : -1;
}

static int parse_args(struct cli_ctx *ctx, struct provision_args *a)
{
	const struct cli_cmdline *cl = ctx->cl;
	int i;

	for (i = 0; i < cl->rest_argc; i++) {
		int rc = parse_one(ctx, a, cl->rest_argc, cl->rest_argv, &i);

		if (rc == 1) {
			fputs(cli_help_provision, stdout);
			return -2;
		}
		if (rc < 0)
			return CLI_EXIT_USAGE;
	}
	/* -p and --serial-number given before the command name count as well. */
	if ((cl->port && add_to(a->ports, &a->nports, cl->port) != 0) ||
	    (cl->serial_number && add_to(a->serials, &a->nserials, cl->serial_number) != 0))
		return CLI_EXIT_USAGE;
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
	uint64_t days = 3650;

	memset(&err, 0, sizeof(err));
	q->tag = DEFAULT_TAG;
	if (a->tag && cli_parse_tag(a->tag, &q->tag, &err) != 0)
		return usage_error(&err);
	if (a->days && cli_parse_uint(a->days, 1, 36500, "--days", &days, &err) != 0)
		return usage_error(&err);
	q->days = (unsigned)days;
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

/* The CA: it must be the key's, valid now and a CA (exit 2 otherwise). */
static int load_ca(struct provision_args *a)
{
	char *cert = NULL, *key = NULL;
	size_t cert_len = 0, key_len = 0;
	struct mcred_error err;
	int code;

	if (!a->ca && !a->ca_key)
		return 0;
	if (!a->ca || !a->ca_key) {
		cli_errorf("--ca and --ca-key go together: give the CA certificate and its key");
		return CLI_EXIT_USAGE;
	}
	code = load_text(a->ca, "CA certificate", &cert, &cert_len);
	if (!code)
		code = load_text(a->ca_key, "CA key", &key, &key_len);
	memset(&err, 0, sizeof(err));
	if (!code && mcred_ca_load(&a->ca_loaded, cert, cert_len, key, key_len, &err) != MCRED_OK) {
		cli_errorf("--ca %s, --ca-key %s: %s", a->ca, a->ca_key, err.message);
		code = CLI_EXIT_USAGE;
	}
	free(cert);
	mcred_secret_free(key, key_len);
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
		if (!strstr(a->root_pem, "-----BEGIN CERTIFICATE-----") ||
		    mcred_cmng_check_write(1, MCRED_TYPE_CA_CERT, a->root_pem, len, NULL,
					   &a->cfg.opts, &err) != MCRED_OK) {
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
		if (c->subtype || c->tags || c->fw_types || c->replace || c->split) {
			cli_errorf("--subtype, --tags, --fw-types, --replace and --split are for "
				   "--onboard-csv FILE");
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
			   "FILE-2.csv", c->path, rows, a->cfg.nports, CSV_MAX_ROWS);
		return CLI_EXIT_USAGE;
	}
	return 0;
}

static int check_outputs(struct provision_args *a)
{
	struct mcred_error err;
	int code;

	if (!a->cfg.out_dir)
		a->cfg.out_dir = ".";
	if ((code = check_dir(a->cfg.out_dir, "--out")) != 0)
		return code;
	if (a->cfg.cert_dir && access(a->cfg.cert_dir, R_OK | X_OK) != 0) {
		cli_errorf("--cert-dir %s: %s", a->cfg.cert_dir, strerror(errno));
		return CLI_EXIT_USAGE;
	}
	memset(&err, 0, sizeof(err));
	if (a->cfg.ledger && cli_check_output(a->cfg.ledger, &err) != 0) {
		cli_errorf("--ledger: %s", err.message);
		return CLI_EXIT_USAGE;
	}
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
			   "lists the ports and kits", missing);
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

	if (a->nports == 0) {
		cli_errorf("provision needs ports: PORT arguments, -p PORT, --all-kits or "
			   "--serial-number N; `modemcred ports` lists them");
		return CLI_EXIT_USAGE;
	}
	for (i = 0; i < a->nports; i++)
		for (j = 0; j < i; j++)
			if (!strcmp(a->ports[i], a->ports[j])) {
				cli_errorf("port %s is named twice", a->ports[i]);
				return CLI_EXIT_USAGE;
			}
	return 0;
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

int cmd_provision(struct cli_ctx *ctx)
{
	struct provision_args *a = calloc(1, sizeof(*a));
	int code;

	if (!a) {
		cli_errorf("out of memory");
		return CLI_EXIT_FAILURE;
	}
	mcred_provision_request_init(&a->cfg.req);
	code = parse_args(ctx, a);
	if (code == -2) {
		free(a);
		return CLI_EXIT_OK;
	}
	a->cfg.opts = ctx->cl->opts;
	a->cfg.json = ctx->cl->json;
	a->cfg.quiet = ctx->cl->quiet;
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
