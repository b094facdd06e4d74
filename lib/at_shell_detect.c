/*
 * Settling MCRED_SHELL_AUTO: probing the device through the AT engine, once,
 * when a handle opens.
 */
#include <stdio.h>
#include <string.h>

#include "at.h"
#include "at_parser.h"
#include "defaults.h"
#include "error.h"
#include "handle.h"
#include "at_shell.h"
#include "at_shell_detect.h"

/*
 * Two probes, typed as they are. "at AT": a shell's at_shell passes "AT" to
 * the modem, which answers OK; the raw AT host passes the whole line, which
 * the modem refuses. Should a modem ever accept "at AT", the second probe
 * decides: "AT" alone is no shell command ("AT: command not found"), while
 * the raw AT host answers OK. The first probe empties a shell's line buffer
 * first (MCRED_SHELL_KILL_LINE): a half line left there would turn it into
 * another command, which the modem refuses, and the shell would be taken for
 * a raw AT host. A raw AT host keeps that key as part of the command, which
 * the modem refuses all the same.
 */
static const char probe_shell[] = MCRED_SHELL_KILL_LINE "at AT";
static const char probe_shell_shown[] = "at AT";
static const char probe_raw[] = "AT";

/* The final result of a probe, or MCRED_LINE_INFO when none came (rc says why). */
static enum mcred_line_kind run_probe(struct mcred_modem *m, const char *probe, enum mcred_err *rc)
{
	struct mcred_reply reply;
	enum mcred_line_kind final;

	*rc = mcred_at_exec(m, probe, strlen(probe), NULL, 0, &reply);
	final = *rc == MCRED_OK ? MCRED_LINE_OK : reply.final;
	mcred_reply_free(&reply);
	return final;
}

static enum mcred_err settle(struct mcred_modem *m, int shell)
{
	m->opts.shell = shell;
	if (!m->max_command_given)
		m->opts.max_command_len = shell ? MCRED_DEFAULT_SHELL_MAX_COMMAND
						: MCRED_DEFAULT_MAX_COMMAND;
	return mcred_succeed(m);
}

static enum mcred_err probe_failed(struct mcred_modem *m, enum mcred_err rc, const char *probe)
{
	char message[sizeof(m->err.message)];

	snprintf(message, sizeof(message), "%s", m->err.message);
	return mcred_fail(m, rc, "detecting a shell with the probe \"%s\": %s", probe, message);
}

enum mcred_err mcred_shell_detect(struct mcred_modem *m)
{
	enum mcred_err rc;

	m->opts.shell = MCRED_SHELL_NONE; /* the probes go out as typed */
	if (!m->max_command_given)
		m->opts.max_command_len = MCRED_DEFAULT_MAX_COMMAND;
	switch (run_probe(m, probe_shell, &rc)) {
	case MCRED_LINE_OK: break;
	case MCRED_LINE_SHELL_FAILED: /* a shell whose modem is not reachable */
		return settle(m, MCRED_SHELL_ON);
	case MCRED_LINE_ERROR:
	case MCRED_LINE_CME_ERROR:
	case MCRED_LINE_CMS_ERROR: return settle(m, MCRED_SHELL_NONE);
	case MCRED_LINE_SHELL_UNKNOWN:
		return mcred_fail(m, MCRED_ERR_MODEM,
				  "detecting a shell: the device runs a Zephyr shell without the "
				  "`at` command (\"at: command not found\"); build it with "
				  "CONFIG_AT_SHELL=y");
	default: return probe_failed(m, rc, probe_shell_shown);
	}
	switch (run_probe(m, probe_raw, &rc)) {
	case MCRED_LINE_SHELL_UNKNOWN: return settle(m, MCRED_SHELL_ON);
	case MCRED_LINE_OK: return settle(m, MCRED_SHELL_NONE);
	default: return probe_failed(m, rc, probe_raw);
	}
}
