/*
 * The modem's general commands: AT, ATE0/ATE1, +CMEE, +CFUN and the device
 * information (+CGSN, +CGMR, +CGMM, %XMODEMUUID); what the firmware string
 * and the model imply; the device's reset. The subscription commands
 * (+CEREG, +CSCON, ...) are net.c's.
 */
#include "sim.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Functional modes nRF91 accepts with AT+CFUN=<n>. */
static const int cfun_modes[] = { 0, 1, 2, 4, 20, 21, 30, 31, 40, 41, 44 };

int device_is_active(const struct sim *sim)
{
	/* 1 full, 2 receive only, 21 LTE activated: the radio is in use. */
	return sim->cfun == 1 || sim->cfun == 2 || sim->cfun == 21;
}

/*
 * The firmware string: "mfw_nrf9160_1.3.5", "mfw_nrf91x1_2.0.2", test
 * firmware "mfw-pti_nrf91x1_2.3.3" (DevZone case 112106), NTN builds
 * "mfw_nrf9151-ntn_1.0.0-1.alpha" (numbered on their own, but of the modern
 * line: nRFCloud/utils treats them so, commit 5fd34423 "treat NTN fw versions
 * as modern"). The version is what follows the last '_'; 0 when it does not
 * parse.
 */
static int fw_version(const struct sim *sim, int *major, int *minor, int *patch)
{
	const char *v = strrchr(sim->opt.fw, '_');
	v = v ? v + 1 : sim->opt.fw;
	*patch = 0;
	return sscanf(v, "%d.%d.%d", major, minor, patch) >= 2;
}

static int fw_is_ntn(const struct sim *sim)
{
	return strstr(sim->opt.fw, "-ntn") != NULL;
}

/* Test firmware (pti): no IMEI, no modem UUID (DevZone case 112106: AT+CGSN
 * answers ERROR on mfw-pti_nrf91x1_2.3.3). */
int device_fw_is_test(const struct sim *sim)
{
	return strstr(sim->opt.fw, "-pti") != NULL;
}

/* An unparsable version counts as new (simulator default is 1.3.5). */
int device_fw_at_least_1_3(const struct sim *sim)
{
	int major, minor, patch;
	if (fw_is_ntn(sim) || !fw_version(sim, &major, &minor, &patch))
		return 1;
	return major > 1 || (major == 1 && minor >= 3);
}

int device_fw_checks_certificates(const struct sim *sim)
{
	int major, minor, patch;
	return fw_is_ntn(sim) || (fw_version(sim, &major, &minor, &patch) && major >= 2);
}

int device_fw_refuses_crlf_pem(const struct sim *sim)
{
	int major, minor, patch;
	return fw_version(sim, &major, &minor, &patch) && major == 2 && minor == 0 && patch == 2;
}

/* Device types of the attestation message (nRF91 AT command reference,
 * %ATTESTTOKEN; nRFCloud/utils modem_credentials_parser.py). */
static const struct {
	const char *model;
	int type;
} device_types[] = {
	{ "nRF9160-SIAA", 1 }, { "nRF9160-SIBA", 2 }, { "nRF9160-SICA", 3 },
	{ "nRF9161-LACA", 4 }, { "nRF9131-LACA", 5 }, { "nRF9151-LACA", 6 },
};

int device_type_of_model(const char *model)
{
	for (size_t i = 0; i < sizeof(device_types) / sizeof(device_types[0]); i++) {
		size_t n = strlen(device_types[i].model);
		if (!strncasecmp(model, device_types[i].model, n))
			return device_types[i].type;
	}
	return -1;
}

void device_send_banner(struct sim *sim)
{
	struct buf out = { 0 };

	if (!sim->opt.banner)
		return;
	app_boot_output(sim, &out);
	io_send(sim, out.data, out.len);
	buf_free(&out);
	at_log(sim, "BANNER"); /* tests wait for it, not for a time */
}

void device_reset(struct sim *sim)
{
	sim_reset_requested = 0;
	io_drop_input(sim);
	sim->cfun = 0;
	sim->cmee = 0;
	sim->echo = 0;
	sim->silent = 0;
	sim->banner_owed = 0;
	async_reboot(sim);
	net_boot(sim);
	at_log(sim, "RESET");
	sim->answer_session = sim->sessions_ended;
	device_send_banner(sim);
}

/* "=<n>" with n a small number; -1 when not of that form. */
static int single_int(const char *rest, size_t len)
{
	struct param p[MAX_PARAMS];
	if (len < 1 || rest[0] != '=' || params_split(rest + 1, len - 1, p, MAX_PARAMS) != 1 ||
	    p[0].kind != P_INT || p[0].num > 1000)
		return -1;
	return (int)p[0].num;
}

static int is_query(const char *rest, size_t len)
{
	return len == 1 && rest[0] == '?';
}

static int is_test(const char *rest, size_t len)
{
	return len == 2 && rest[0] == '=' && rest[1] == '?';
}

static int cmd_echo(struct sim *sim, const char *rest, size_t len)
{
	if (len == 0 || (len == 1 && rest[0] == '0'))
		sim->echo = 0;
	else if (len == 1 && rest[0] == '1')
		sim->echo = 1;
	else
		return RES_ERROR;
	return RES_OK;
}

static int cmd_cmee(struct sim *sim, struct reply *r, const char *rest, size_t len)
{
	if (is_query(rest, len)) {
		reply_linef(sim, r, "+CMEE: %d", sim->cmee);
		return RES_OK;
	}
	if (is_test(rest, len)) {
		reply_linef(sim, r, "+CMEE: (0%s1)", at_sep(sim));
		return RES_OK;
	}
	int n = single_int(rest, len);
	if (n != 0 && n != 1)
		return 50;
	sim->cmee = n;
	return RES_OK;
}

static int cmd_cfun(struct sim *sim, struct reply *r, const char *rest, size_t len)
{
	if (is_query(rest, len)) {
		reply_linef(sim, r, "+CFUN: %d", sim->cfun);
		return RES_OK;
	}
	int n = single_int(rest, len);
	for (size_t i = 0; i < sizeof(cfun_modes) / sizeof(cfun_modes[0]); i++) {
		if (n == cfun_modes[i]) {
			int old = sim->cfun;

			sim->cfun = n;
			net_cfun_changed(sim, old, n);
			return RES_OK;
		}
	}
	return RES_ERROR;
}

static int cmd_cgsn(struct sim *sim, struct reply *r, const char *rest, size_t len)
{
	if (device_fw_is_test(sim))
		return RES_ERROR;
	if (len == 0 || (len == 2 && !strncmp(rest, "=0", 2))) {
		reply_line(sim, r, sim->opt.imei, strlen(sim->opt.imei));
		return RES_OK;
	}
	if (single_int(rest, len) == 1) {
		reply_linef(sim, r, "+CGSN: \"%s\"", sim->opt.imei);
		return RES_OK;
	}
	return RES_ERROR;
}

/* Commands without parameters that answer one fixed line. */
static int cmd_info(struct sim *sim, struct reply *r, const char *line, size_t len)
{
	if (len != 0)
		return RES_ERROR;
	reply_line(sim, r, line, strlen(line));
	return RES_OK;
}

int device_command(struct sim *sim, struct reply *r, const char *name, const char *rest,
		   size_t rest_len)
{
	if (!strcasecmp(name, "E"))
		return cmd_echo(sim, rest, rest_len);
	if (!strcasecmp(name, "+CMEE"))
		return cmd_cmee(sim, r, rest, rest_len);
	if (!strcasecmp(name, "+CFUN"))
		return cmd_cfun(sim, r, rest, rest_len);
	if (!strcasecmp(name, "+CGSN"))
		return cmd_cgsn(sim, r, rest, rest_len);
	if (!strcasecmp(name, "+CGMR"))
		return cmd_info(sim, r, sim->opt.fw, rest_len);
	if (!strcasecmp(name, "+CGMM"))
		return cmd_info(sim, r, sim->opt.model, rest_len);
	if (!strcasecmp(name, "%XMODEMUUID")) {
		/* The firmware build's UUID, not the device UUID of %KEYGEN. */
		char line[80];
		if (device_fw_is_test(sim))
			return RES_ERROR;
		snprintf(line, sizeof(line), "%%XMODEMUUID: %s", sim->opt.fw_uuid_text);
		return cmd_info(sim, r, line, rest_len);
	}
	return net_command(sim, r, name, rest, rest_len);
}
