/*
 * Commands about the device and the line: ports, info, at.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "json.h"

const char cli_help_ports[] =
	"Usage: modemcred ports [--json]\n"
	"\n"
	"List the serial ports of this machine with their USB details, and\n"
	"recognise Nordic development kits (the first port of a kit is the modem's).\n"
	"When exactly one kit is attached, the other commands use it without --port.\n"
	"\n"
	"Output columns: NAME, VID:PID, SERIAL, KIT, DESCRIPTION.\n"
	"JSON: an array of {name, description, usb_vid, usb_pid, serial, kit};\n"
	"every absent value is null: usb_vid/usb_pid are numbers or null,\n"
	"description, serial and kit strings or null.\n"
	"\n"
	"Example:\n"
	"  modemcred ports\n";

const char cli_help_info[] =
	"Usage: modemcred [-p PORT] info [--json]\n"
	"\n"
	"Show the modem's IMEI, model, firmware version, firmware UUID and\n"
	"functional mode (AT+CGSN, AT+CGMM, AT+CGMR, AT%XMODEMUUID, AT+CFUN?).\n"
	"The firmware UUID identifies the modem firmware build; it is not the\n"
	"device UUID of keygen and attest. A fact the modem does not give (test\n"
	"firmware answers ERROR to AT+CGSN and AT%XMODEMUUID) or gives in the wrong\n"
	"shape (an IMEI is 15 digits) is shown as unknown, with the reason. Exit 0\n"
	"when at least the firmware version was read.\n"
	"\n"
	"JSON: {imei, model, firmware, firmware_uuid, uuid, cfun, unknown}; an\n"
	"unknown fact is null and unknown maps its name to the reason; uuid is the\n"
	"same as firmware_uuid (kept for compatibility).\n"
	"\n"
	"Example:\n"
	"  modemcred -p /dev/ttyACM0 info\n";

const char cli_help_at[] = "Usage: modemcred [-p PORT] at 'COMMAND' [--json]\n"
			   "\n"
			   "Send one AT command and print the answer lines, then OK. Quote the\n"
			   "command for the shell. An ERROR or +CME ERROR answer exits with 4 and\n"
			   "names the error.\n"
			   "\n"
			   "JSON: {lines: [...]}.\n"
			   "\n"
			   "Examples:\n"
			   "  modemcred at 'AT+CFUN?'\n"
			   "  modemcred at 'AT+CFUN=4'\n";

/* ---- ports --------------------------------------------------------------- */

/* An absent value is null in JSON, never "" (scripts test for null). */
static void json_field_text_or_null(struct json *j, const char *key, const char *value)
{
	if (value && value[0])
		json_field_string(j, key, value);
	else
		json_field_null(j, key);
}

static void json_port(struct json *j, const struct mcred_port *p)
{
	json_object_begin(j);
	json_field_string(j, "name", p->name);
	json_field_text_or_null(j, "description", p->description);
	if (p->usb_vid >= 0) {
		json_field_int(j, "usb_vid", p->usb_vid);
		json_field_int(j, "usb_pid", p->usb_pid);
	} else {
		json_field_null(j, "usb_vid");
		json_field_null(j, "usb_pid");
	}
	json_field_text_or_null(j, "serial", p->serial);
	json_field_text_or_null(j, "kit", p->kit);
	json_object_end(j);
}

static void print_port(const struct mcred_port *p)
{
	char ids[16] = "-";

	if (p->usb_vid >= 0)
		snprintf(ids, sizeof(ids), "%04x:%04x", (unsigned)p->usb_vid & 0xffffu,
			 (unsigned)p->usb_pid & 0xffffu);
	printf("%-20s %-10s %-20s %-14s %s\n", p->name, ids, p->serial[0] ? p->serial : "-",
	       p->kit ? p->kit : "-", p->description[0] ? p->description : "-");
}

int cmd_ports(struct cli_ctx *ctx)
{
	struct mcred_port_list *list = NULL;
	struct mcred_error err;
	size_t i;

	memset(&err, 0, sizeof(err));
	if (mcred_port_list_get(&list, &err) != MCRED_OK)
		return cli_fail(ctx, &err);
	if (ctx->cl->json) {
		struct json j;

		json_init(&j, stdout);
		json_array_begin(&j);
		for (i = 0; i < list->count; i++)
			json_port(&j, list->ports[i]);
		json_array_end(&j);
	} else if (list->count == 0) {
		if (!ctx->cl->quiet)
			fprintf(stderr, "no serial ports found\n");
	} else {
		printf("%-20s %-10s %-20s %-14s %s\n", "NAME", "VID:PID", "SERIAL", "KIT",
		       "DESCRIPTION");
		for (i = 0; i < list->count; i++)
			print_port(list->ports[i]);
	}
	mcred_port_list_free(list);
	return CLI_EXIT_OK;
}

/* ---- info ------------------------------------------------------------------ */

/* One fact of info: its JSON name, text label, value and status. */
struct info_fact {
	const char *json_name;
	const char *label;
	const char *value;
	enum mcred_err status;
	const char *malformed; /* why an answer of the wrong shape was not believed */
};

/* Why a fact is unknown, from its status; NULL when it is known. */
static const char *unknown_reason(const struct info_fact *f)
{
	switch (f->status) {
	case MCRED_OK: return NULL;
	case MCRED_ERR_MODEM:
	case MCRED_ERR_CME:
	case MCRED_ERR_CMS:
		/* a failed fact's value is "", or the library's words for why */
		return f->value && *f->value ? f->value : "the modem answered ERROR";
	case MCRED_ERR_PROTOCOL: return f->malformed;
	default: return mcred_strerror(f->status);
	}
}

/* cfun is the functional mode's fact (its value is cfun_mode, not a string). */
static void info_json(const struct info_fact *facts, size_t n, const struct info_fact *cfun,
		      int cfun_mode)
{
	struct json j;
	size_t i;

	json_init(&j, stdout);
	json_object_begin(&j);
	for (i = 0; i < n; i++)
		json_field_string(&j, facts[i].json_name,
				  facts[i].status == MCRED_OK ? facts[i].value : NULL);
	/* the old name of firmware_uuid, kept for scripts that read it */
	json_field_string(&j, "uuid", facts[n - 1].status == MCRED_OK ? facts[n - 1].value : NULL);
	if (cfun->status == MCRED_OK)
		json_field_int(&j, cfun->json_name, cfun_mode);
	else
		json_field_null(&j, cfun->json_name);
	json_key(&j, "unknown");
	json_object_begin(&j);
	for (i = 0; i < n; i++)
		if (facts[i].status != MCRED_OK)
			json_field_string(&j, facts[i].json_name, unknown_reason(&facts[i]));
	if (cfun->status != MCRED_OK)
		json_field_string(&j, cfun->json_name, unknown_reason(cfun));
	json_object_end(&j);
	json_object_end(&j);
}

static void info_text(const struct info_fact *facts, size_t n, const struct info_fact *cfun,
		      int cfun_mode)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (facts[i].status == MCRED_OK)
			printf("%-17s%s\n", facts[i].label, facts[i].value);
		else
			printf("%-17sunknown (%s)\n", facts[i].label, unknown_reason(&facts[i]));
	}
	if (cfun->status == MCRED_OK)
		printf("%-17s%d, %s\n", cfun->label, cfun_mode, mcred_cfun_name(cfun_mode));
	else
		printf("%-17sunknown (%s)\n", cfun->label, unknown_reason(cfun));
}

int cmd_info(struct cli_ctx *ctx)
{
	struct mcred_device_details *info = NULL;
	enum mcred_err rc, cfun_rc;
	int code, cfun_mode = -1;
	char cfun_why[sizeof(((struct mcred_error *)0)->message)] = "";

	code = cli_open_modem(ctx);
	if (code)
		return code;
	/* MCRED_OK once the firmware was read; other facts may be unknown */
	rc = mcred_device_details_get(ctx->modem, &info);
	if (rc != MCRED_OK) {
		mcred_device_details_free(info);
		return cli_fail_modem(ctx, rc);
	}
	cfun_rc = mcred_cfun_get(ctx->modem, &cfun_mode);
	if (cfun_rc != MCRED_OK && cfun_rc != MCRED_ERR_MODEM && cfun_rc != MCRED_ERR_CME &&
	    cfun_rc != MCRED_ERR_PROTOCOL) {
		mcred_device_details_free(info);
		return cli_fail_modem(ctx, cfun_rc);
	}
	/* the library's words for a refused AT+CFUN? (e.g. a shell that dropped its '?') */
	if (cfun_rc == MCRED_ERR_MODEM || cfun_rc == MCRED_ERR_CME)
		snprintf(cfun_why, sizeof(cfun_why), "%s", mcred_modem_error(ctx->modem)->message);
	const struct info_fact facts[] = {
		{ "imei", "IMEI:", info->imei, info->imei_status,
		  "the modem's answer is not an IMEI (15 digits)" },
		{ "model", "Model:", info->model, info->model_status,
		  "the modem's answer is not a model name" },
		{ "firmware", "Firmware:", info->firmware, info->firmware_status,
		  "the modem's answer is not a firmware version" },
		/* last: info_json also gives it under its old name */
		{ "firmware_uuid", "Firmware UUID:", info->firmware_uuid,
		  info->firmware_uuid_status, "the modem's answer is not a UUID" },
	};
	const struct info_fact cfun = { "cfun", "Functional mode:", cfun_why, cfun_rc,
					"the modem's answer has no +CFUN: <n> line" };
	size_t n = sizeof(facts) / sizeof(facts[0]);

	if (ctx->cl->json)
		info_json(facts, n, &cfun, cfun_mode);
	else
		info_text(facts, n, &cfun, cfun_mode);
	mcred_device_details_free(info);
	return CLI_EXIT_OK;
}

/* ---- at ---------------------------------------------------------------------- */

int cmd_at(struct cli_ctx *ctx)
{
	const char *command = ctx->cl->args[0];
	struct mcred_lines *lines = NULL;
	enum mcred_err rc;
	size_t i;
	int code;

	if (!*command) {
		cli_errorf("the AT command is empty; e.g. modemcred at 'AT+CFUN?'");
		return CLI_EXIT_USAGE;
	}
	code = cli_open_modem(ctx);
	if (code)
		return code;
	rc = mcred_at(ctx->modem, command, &lines);
	if (rc != MCRED_OK) {
		mcred_lines_free(lines);
		return cli_fail_modem(ctx, rc);
	}
	if (ctx->cl->json) {
		struct json j;

		json_init(&j, stdout);
		json_object_begin(&j);
		json_key(&j, "lines");
		json_array_begin(&j);
		for (i = 0; lines && i < lines->count; i++)
			json_string(&j, lines->lines[i]);
		json_array_end(&j);
		json_object_end(&j);
	} else {
		for (i = 0; lines && i < lines->count; i++)
			printf("%s\n", lines->lines[i]);
		printf("OK\n");
	}
	mcred_lines_free(lines);
	return CLI_EXIT_OK;
}
