/*
 * The modem's general commands: AT, ATE0/ATE1, +CMEE, +CFUN and the device
 * information (+CGSN, +CGMR, +CGMM, %XMODEMUUID).
 */
#include "sim.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Functional modes nRF91 accepts with AT+CFUN=<n>. */
static const int cfun_modes[] = {0, 1, 2, 4, 20, 21, 30, 31, 40, 41, 44};

int device_is_active(const struct sim *sim)
{
	/* 1 full, 2 receive only, 21 LTE activated: the radio is in use. */
	return sim->cfun == 1 || sim->cfun == 2 || sim->cfun == 21;
}

/* "mfw_nrf9160_1.3.5" -> compare the trailing x.y.z with 1.3.0. An
 * unparsable version counts as new (simulator default is 1.3.5). */
int device_fw_at_least_1_3(const struct sim *sim)
{
	const char *v = strrchr(sim->opt.fw, '_');
	v = v ? v + 1 : sim->opt.fw;
	int major, minor;
	if (sscanf(v, "%d.%d", &major, &minor) != 2)
		return 1;
	return major > 1 || (major == 1 && minor >= 3);
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
			sim->cfun = n;
			return RES_OK;
		}
	}
	return RES_ERROR;
}

static int cmd_cgsn(struct sim *sim, struct reply *r, const char *rest, size_t len)
{
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
		char line[64];
		snprintf(line, sizeof(line), "%%XMODEMUUID: %s", sim->opt.uuid_text);
		return cmd_info(sim, r, line, rest_len);
	}
	return RES_UNKNOWN;
}
