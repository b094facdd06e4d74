/*
 * The modem's network side, as far as it shows on the AT UART: registration
 * (+CEREG), RRC connection (+CSCON), signal quality (%CESQ), modem sleep
 * (%XMODEMSLEEP), modem domain events (%MDMEV) and packet domain events
 * (+CGEV), each sent only when subscribed, as the nRF91 AT command reference
 * describes the set commands (AT+CEREG=<n>, AT+CSCON=<n>, AT%CESQ=1,
 * AT%XMODEMSLEEP=1,..., AT%MDMEV=1, AT+CGEREP=1).
 *
 * The functional mode decides what happens: with LTE on (CFUN 1 or 21) the
 * modem searches ("+CEREG: 2,..."), then registers ("+CEREG: 1,...", RRC
 * connected, default PDN up) and from then on changes RRC state, cell and
 * signal now and then (net_step). Taking LTE down (AT+CFUN=4, 0 or 20) sends
 * "+CEREG: 0" and "+CSCON: 0" and then nothing more of the kind: the
 * sequence an nRF9160 DK shows inside its answer to AT+CFUN=4 (nRFCloud/utils
 * README history). Test firmware (mfw-pti_...) has no IMEI and never
 * registers: "%MDMEV: NO IMEI" (modem_shell prints "Modem domain event: No
 * IMEI", DevZone case 112106).
 *
 * Who subscribes: the client, with the commands above; and the application at
 * boot when it runs LTE link control (sdk-nrf lib/lte_link_control: +CEREG=5,
 * +CSCON=1, %MDMEV=1 for its modem events module) and the PDN library
 * (+CGEREP=1): modem_shell and the shell application always, at_client and
 * slm with --lte-lc. --urc-every stands for an application that subscribed to
 * +CEREG (2), +CSCON, %CESQ and %XMODEMSLEEP.
 *
 * What the application makes of a notification is async.c's business.
 */
#include "sim.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Cells the modem camps on: tracking area and E-UTRAN cell id as +CEREG gives
 * them. The second is the cell of the modem_shell capture on DevZone (case
 * 112106: "LTE cell changed: ID: 17031947, Tracking area: 33902"). */
static const struct {
	const char *tac;
	const char *ci;
} cells[] = {
	{ "76C1", "0102DA04" },
	{ "846E", "0103E30B" },
	{ "76C1", "0102DA05" },
};
#define CELL_COUNT (sizeof(cells) / sizeof(cells[0]))

/* The E-UTRAN access technology of +CEREG: 7 LTE-M. */
#define ACT_LTE_M 7

int net_lte_on(const struct sim *sim)
{
	return sim->cfun == 1 || sim->cfun == 21;
}

void net_boot(struct sim *sim)
{
	struct net *n = &sim->net;
	int lte_lc = sim->opt.shell || sim->opt.lte_lc;

	memset(n, 0, sizeof(*n));
	if (lte_lc) {
		n->cereg_n = 5;
		n->cscon_n = 1;
		n->mdmev = 1;
		n->cgerep = 1;
	}
	if (sim->opt.urc_every_ms > 0) {
		if (n->cereg_n == 0)
			n->cereg_n = 2;
		n->cscon_n = 1;
		n->cesq = 1;
		n->xmodemsleep = 1;
	}
	/* A modem started online (--cfun 1) registered before anyone listened,
	 * and the application saw it: modem_shell printed it then. */
	if (net_lte_on(sim) && !device_fw_is_test(sim)) {
		n->lte = 2;
		n->pdn = 1;
		sim->async.mosh_stat = 1;
		sim->async.mosh_act = ACT_LTE_M;
		sim->async.mosh_cell = (int)(strtoul(cells[0].ci, NULL, 16) & 0x7fffffff);
	}
}

/* ---- notifications ------------------------------------------------------------ */

/* +CEREG in the form subscribed: n 1 the status only, 2 and up with the cell
 * while there is one, 4 and 5 also the PSM timers (here not granted). */
static void send_cereg(struct sim *sim, int stat)
{
	const struct net *n = &sim->net;
	char text[128];

	if (n->cereg_n == 0)
		return;
	if (n->cereg_n == 1 || stat == 0) {
		snprintf(text, sizeof(text), "+CEREG: %d", stat);
	} else {
		snprintf(text, sizeof(text), "+CEREG: %d,\"%s\",\"%s\",%d%s", stat,
			 cells[n->cell].tac, cells[n->cell].ci, ACT_LTE_M,
			 n->cereg_n >= 4 && stat == 1 ? ",,,\"11100000\",\"11100000\"" : "");
	}
	async_notify(sim, text);
}

static void send_cscon(struct sim *sim, int mode)
{
	char text[32];

	if (sim->net.cscon_n == 0)
		return;
	snprintf(text, sizeof(text), "+CSCON: %d", mode);
	async_notify(sim, text);
}

static void send_if(struct sim *sim, int subscribed, const char *text)
{
	if (subscribed)
		async_notify(sim, text);
}

/* ---- state changes ----------------------------------------------------------- */

static void go_offline(struct sim *sim)
{
	struct net *n = &sim->net;

	n->reg_due = 0;
	if (n->lte == 0)
		return;
	n->lte = 0;
	send_cereg(sim, 0);
	if (n->rrc) {
		n->rrc = 0;
		send_cscon(sim, 0);
	}
	if (n->pdn) {
		n->pdn = 0;
		send_if(sim, n->cgerep, "+CGEV: ME DETACH");
	}
}

static void start_search(struct sim *sim)
{
	struct net *n = &sim->net;

	if (n->lte != 0)
		return;
	n->lte = 1;
	send_cereg(sim, 2);
	if (device_fw_is_test(sim)) {
		/* no IMEI: the modem cannot attach */
		send_if(sim, n->mdmev, "%MDMEV: NO IMEI");
		return;
	}
	n->reg_due = 1;
	async_schedule_register(sim);
}

void net_cfun_changed(struct sim *sim, int old_mode, int new_mode)
{
	int was_on = old_mode == 1 || old_mode == 21;
	int is_on = new_mode == 1 || new_mode == 21;

	if (was_on && !is_on)
		go_offline(sim);
	else if (!was_on && is_on)
		start_search(sim);
}

void net_register(struct sim *sim)
{
	struct net *n = &sim->net;

	if (n->lte != 1 || !n->reg_due)
		return; /* taken offline meanwhile */
	n->reg_due = 0;
	n->lte = 2;
	n->rrc = 1;
	send_cscon(sim, 1);
	send_cereg(sim, 1);
	n->pdn = 1;
	send_if(sim, n->cgerep, "+CGEV: ME PDN ACT 0");
	send_if(sim, n->mdmev, "%MDMEV: SEARCH STATUS 2");
}

/* Pseudo-random number for the network's choices: the async stream, so a
 * --seed repeats them. */
static unsigned net_rand(struct sim *sim)
{
	unsigned x = sim->async.rng;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	sim->async.rng = x;
	return x;
}

void net_step(struct sim *sim)
{
	struct net *n = &sim->net;
	char text[64];

	if (n->lte != 2)
		return; /* offline or still searching: nothing spontaneous */
	switch (net_rand(sim) % 4) {
	case 0: /* RRC connection set up or released */
		n->rrc = !n->rrc;
		send_cscon(sim, n->rrc);
		break;
	case 1: /* signal quality: RSRP and RSRQ indexes and their threshold indexes */
		if (n->cesq) {
			unsigned r = net_rand(sim);
			snprintf(text, sizeof(text), "%%CESQ: %u,%u,%u,%u", 40 + r % 25,
				 1 + (r >> 8) % 3, 10 + (r >> 12) % 12, 1 + (r >> 20) % 3);
			async_notify(sim, text);
		}
		break;
	case 2: /* cell reselection */
		n->cell = (n->cell + 1) % (int)CELL_COUNT;
		send_cereg(sim, 1);
		break;
	default: /* the modem wakes from PSM */
		send_if(sim, n->xmodemsleep, "%XMODEMSLEEP: 1,0");
		break;
	}
}

/* ---- the subscription commands ------------------------------------------------- */

/* "=<n>" with n in 0..max (more parameters allowed: %XMODEMSLEEP's timers);
 * -1 when not of that form. */
static int first_int(const char *rest, size_t len, int max)
{
	struct param p[MAX_PARAMS];
	int count;

	if (len < 2 || rest[0] != '=')
		return -1;
	count = params_split(rest + 1, len - 1, p, MAX_PARAMS);
	if (count < 1 || p[0].kind != P_INT || p[0].num > (uint64_t)max)
		return -1;
	return (int)p[0].num;
}

static int is_query(const char *rest, size_t len)
{
	return len == 1 && rest[0] == '?';
}

static int cereg_command(struct sim *sim, struct reply *r, const char *rest, size_t len)
{
	struct net *n = &sim->net;
	int stat = n->lte == 2 ? 1 : n->lte == 1 ? 2 : 0;

	if (is_query(rest, len)) {
		if (n->cereg_n >= 2 && stat != 0)
			reply_linef(sim, r, "+CEREG: %d%s%d%s\"%s\"%s\"%s\"%s%d", n->cereg_n,
				    at_sep(sim), stat, at_sep(sim), cells[n->cell].tac, at_sep(sim),
				    cells[n->cell].ci, at_sep(sim), ACT_LTE_M);
		else
			reply_linef(sim, r, "+CEREG: %d%s%d", n->cereg_n, at_sep(sim), stat);
		return RES_OK;
	}
	if (len == 2 && rest[0] == '=' && rest[1] == '?') {
		reply_line(sim, r, "+CEREG: (0-5)", 13);
		return RES_OK;
	}
	int v = first_int(rest, len, 5);
	if (v < 0)
		return RES_ERROR;
	n->cereg_n = v;
	return RES_OK;
}

static int cscon_command(struct sim *sim, struct reply *r, const char *rest, size_t len)
{
	struct net *n = &sim->net;

	if (is_query(rest, len)) {
		reply_linef(sim, r, "+CSCON: %d%s%d", n->cscon_n, at_sep(sim), n->rrc);
		return RES_OK;
	}
	int v = first_int(rest, len, 3);
	if (v < 0)
		return RES_ERROR;
	n->cscon_n = v;
	return RES_OK;
}

static int cgerep_command(struct sim *sim, struct reply *r, const char *rest, size_t len)
{
	struct net *n = &sim->net;

	if (is_query(rest, len)) {
		reply_linef(sim, r, "+CGEREP: %d%s0", n->cgerep, at_sep(sim));
		return RES_OK;
	}
	int v = first_int(rest, len, 1);
	if (v < 0)
		return RES_ERROR;
	n->cgerep = v;
	return RES_OK;
}

/* %CESQ, %XMODEMSLEEP, %MDMEV: subscribe (1) or not (0). */
static int flag_command(int *flag, const char *rest, size_t len, int max)
{
	int v = first_int(rest, len, max);

	if (v < 0)
		return RES_ERROR;
	*flag = v != 0;
	return RES_OK;
}

int net_command(struct sim *sim, struct reply *r, const char *name, const char *rest,
		size_t rest_len)
{
	if (!strcasecmp(name, "+CEREG"))
		return cereg_command(sim, r, rest, rest_len);
	if (!strcasecmp(name, "+CSCON"))
		return cscon_command(sim, r, rest, rest_len);
	if (!strcasecmp(name, "+CGEREP"))
		return cgerep_command(sim, r, rest, rest_len);
	if (!strcasecmp(name, "%CESQ"))
		return flag_command(&sim->net.cesq, rest, rest_len, 1);
	if (!strcasecmp(name, "%XMODEMSLEEP"))
		return flag_command(&sim->net.xmodemsleep, rest, rest_len, 1);
	if (!strcasecmp(name, "%MDMEV"))
		return flag_command(&sim->net.mdmev, rest, rest_len, 2);
	return RES_UNKNOWN;
}
