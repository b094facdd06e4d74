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
	"Show the modem's IMEI, model, firmware version, modem UUID and functional\n"
	"mode (AT+CGSN, AT+CGMM, AT+CGMR, AT%XMODEMUUID, AT+CFUN?).\n"
	"\n"
	"JSON: {imei, model, firmware, uuid, cfun}; uuid is null when the firmware\n"
	"does not report one.\n"
	"\n"
	"Example:\n"
	"  modemcred -p /dev/ttyACM0 info\n";

const char cli_help_at[] =
	"Usage: modemcred [-p PORT] at 'COMMAND' [--json]\n"
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
	if (mcred_ports_list(&list, &err) != MCRED_OK)
		return cli_fail(ctx, &err);
	if (ctx->cl->json) {
		struct json j;

		json_init(&j, stdout);
		json_array_begin(&j);
		for (i = 0; i < list->count; i++)
			json_port(&j, &list->ports[i]);
		json_array_end(&j);
	} else if (list->count == 0) {
		if (!ctx->cl->quiet)
			fprintf(stderr, "no serial ports found\n");
	} else {
		printf("%-20s %-10s %-20s %-14s %s\n", "NAME", "VID:PID", "SERIAL", "KIT",
		       "DESCRIPTION");
		for (i = 0; i < list->count; i++)
			print_port(&list->ports[i]);
	}
	mcred_port_list_free(list);
	return CLI_EXIT_OK;
}

/* ---- info ------------------------------------------------------------------ */

static const char *cfun_name(int mode)
{
	switch (mode) {
	case 0: return "off (minimum functionality)";
	case 1: return "on (normal)";
	case 2: return "receive only";
	case 4: return "offline (flight mode)";
	case 20: return "LTE off";
	case 21: return "LTE on";
	case 30: return "GNSS off";
	case 31: return "GNSS on";
	case 40: return "SIM off";
	case 41: return "SIM on";
	default: return "other";
	}
}

int cmd_info(struct cli_ctx *ctx)
{
	struct mcred_device_info info;
	enum mcred_err rc;
	int code, cfun = -1;

	code = cli_open_modem(ctx);
	if (code)
		return code;
	memset(&info, 0, sizeof(info));
	rc = mcred_device_info(ctx->modem, &info);
	if (rc == MCRED_OK)
		rc = mcred_cfun_get(ctx->modem, &cfun);
	if (rc != MCRED_OK)
		return cli_fail_modem(ctx, rc);
	if (ctx->cl->json) {
		struct json j;

		json_init(&j, stdout);
		json_object_begin(&j);
		json_field_string(&j, "imei", info.imei);
		json_field_string(&j, "model", info.model);
		json_field_string(&j, "firmware", info.firmware);
		json_field_string(&j, "uuid", info.uuid[0] ? info.uuid : NULL);
		json_field_int(&j, "cfun", cfun);
		json_object_end(&j);
		return CLI_EXIT_OK;
	}
	printf("IMEI:            %s\n", info.imei);
	printf("Model:           %s\n", info.model);
	printf("Firmware:        %s\n", info.firmware);
	printf("Modem UUID:      %s\n", info.uuid[0] ? info.uuid : "(not reported)");
	printf("Functional mode: %d, %s\n", cfun, cfun_name(cfun));
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
