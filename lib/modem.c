/*
 * The modem handle: options, opening over a port or a caller's transport,
 * the last error, closing.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "at.h"
#include "at_parser.h"
#include "defaults.h"
#include "error.h"
#include "handle.h"
#include "at_shell_detect.h"
#include "port_access.h"
#include "struct_size.h"
#include "transport_serialport.h"
#include "transport_termios.h"

/*
 * Copy what the caller gave (or the defaults; mcred_options_take() checks
 * the enums); *max_command_given says whether the caller set max_command_len.
 */
static enum mcred_err resolve_options(struct mcred_options *o, const struct mcred_options *given,
				      int *max_command_given, struct mcred_error *err)
{
	enum mcred_err rc = mcred_options_take(o, given, err);

	if (rc != MCRED_OK)
		return rc;
	*max_command_given = o->max_command_len != 0;
	mcred_options_apply_defaults(o);
	return MCRED_OK;
}

/* A handle with options and splitter, but no transport yet. */
static enum mcred_err new_modem(mcred_modem **out, const struct mcred_options *given,
				struct mcred_error *err)
{
	mcred_modem *m = calloc(1, sizeof(*m));
	enum mcred_err rc;

	if (!m)
		return mcred_error_set(err, MCRED_ERR_NOMEM, "out of memory");
	rc = resolve_options(&m->opts, given, &m->max_command_given, err);
	if (rc != MCRED_OK) {
		free(m);
		return rc;
	}
	if (mcred_at_state_init(&m->at, m->opts.max_response_len) != MCRED_OK) {
		free(m);
		return mcred_error_set(err, MCRED_ERR_NOMEM, "out of memory");
	}
	m->unrestored_mode = -1;
	mcred_succeed(m);
	*out = m;
	return MCRED_OK;
}

/* A character device libserialport may have refused (pty, socat, ser2net). */
static int is_character_device(const char *port)
{
	struct stat st;

	return stat(port, &st) == 0 && S_ISCHR(st.st_mode);
}

/*
 * Whether libserialport is certain to refuse the port. On Linux it takes only
 * "/dev/<name>" with a /sys/class/tty/<name> entry (its get_port_details());
 * a pseudo-terminal (the simulator, socat, ser2net) or a symlink outside /dev
 * it refuses, but only after its own lookups and ours (the hint for an error
 * nobody would see). The same lstat() decides here, so such a port goes to
 * termios directly. Elsewhere libserialport decides, as before.
 */
static int serialport_refuses(const char *port)
{
#ifdef __linux__
	char sys[PATH_MAX];
	struct stat st;

	if (strncmp(port, "/dev/", 5) != 0)
		return 1;
	if (snprintf(sys, sizeof(sys), "/sys/class/tty/%s", port + 5) >= (int)sizeof(sys))
		return 0;
	return lstat(sys, &st) != 0;
#else
	(void)port;
	return 0;
#endif
}

/*
 * Open the port with the transport the options ask for; either transport
 * takes the port for this handle before anything is sent (port_access.c),
 * so a port another program holds fails with MCRED_ERR_BUSY.
 */
static enum mcred_err open_port(mcred_modem *m, const char *port, struct mcred_error *err)
{
	enum mcred_err rc = mcred_port_check_kind(port, err);

	if (rc != MCRED_OK)
		return rc;
	switch (m->opts.transport) {
	case MCRED_TRANSPORT_SERIALPORT:
		m->transport_name = "libserialport";
		return mcred_transport_open_serialport(&m->io, port, &m->opts, err);
	case MCRED_TRANSPORT_TERMIOS:
		m->transport_name = "termios";
		return mcred_transport_open_termios(&m->io, port, &m->opts, err);
	case MCRED_TRANSPORT_AUTO:
	default: break;
	}
	if (!is_character_device(port) || !serialport_refuses(port)) {
		m->transport_name = "libserialport";
		rc = mcred_transport_open_serialport(&m->io, port, &m->opts, err);
		if (rc != MCRED_ERR_PORT || !is_character_device(port))
			return rc;
	}
	m->transport_name = "termios";
	return mcred_transport_open_termios(&m->io, port, &m->opts, err);
}

/*
 * Hand out an opened handle once MCRED_SHELL_AUTO is settled; free it if that
 * fails (a caller's transport stays the caller's: it is not closed).
 */
static enum mcred_err settle_shell_mode(mcred_modem **out, mcred_modem *m, int own_transport,
					struct mcred_error *err)
{
	enum mcred_err rc = MCRED_OK;

	if (m->opts.shell == MCRED_SHELL_AUTO)
		rc = mcred_shell_detect(m);
	if (rc != MCRED_OK) {
		if (err)
			*err = m->err;
		if (!own_transport)
			m->io.close = NULL;
		mcred_modem_free(m);
		return rc;
	}
	mcred_error_clear(err);
	*out = m;
	return MCRED_OK;
}

enum mcred_err mcred_modem_open(mcred_modem **out, const char *port,
				const struct mcred_options *opts, struct mcred_error *err)
{
	mcred_modem *m = NULL;
	enum mcred_err rc;

	if (!out)
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "no place for the handle given (out is NULL)");
	*out = NULL;
	if (!port || !*port)
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "no serial port given (e.g. /dev/ttyACM0)");
	rc = new_modem(&m, opts, err);
	if (rc != MCRED_OK)
		return rc;
	rc = open_port(m, port, err);
	m->opts.port_survey = NULL; /* the caller's, and used up: see mcred_modem_options() */
	if (rc != MCRED_OK) {
		mcred_at_state_free(&m->at);
		free(m);
		return rc;
	}
	mcred_at_discard_stale_input(m);
	return settle_shell_mode(out, m, 1, err);
}

enum mcred_err mcred_modem_open_transport(mcred_modem **out,
					  const struct mcred_transport *transport,
					  const struct mcred_options *opts, struct mcred_error *err)
{
	mcred_modem *m = NULL;
	struct mcred_transport t;
	enum mcred_err rc;

	if (!out)
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "no place for the handle given (out is NULL)");
	*out = NULL;
	if (!transport)
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "no transport given: a transport needs read and write "
				       "callbacks");
	rc = mcred_transport_take(&t, transport, err);
	if (rc != MCRED_OK)
		return rc;
	if (!t.read || !t.write)
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "a transport needs read and write callbacks");
	rc = new_modem(&m, opts, err);
	if (rc != MCRED_OK)
		return rc;
	m->io = t;
	m->transport_name = "custom";
	return settle_shell_mode(out, m, 0, err);
}

void mcred_modem_free(mcred_modem *modem)
{
	if (!modem)
		return;
	if (modem->io.close)
		modem->io.close(modem->io.user);
	mcred_at_state_free(&modem->at);
	free(modem);
}

const struct mcred_error *mcred_modem_error(const mcred_modem *modem)
{
	static const struct mcred_error no_handle = {
		MCRED_ERR_INVALID_ARG, -1, "no modem handle (was the open successful?)"
	};

	return modem ? &modem->err : &no_handle;
}

int mcred_modem_cme(const mcred_modem *modem)
{
	return modem ? modem->err.cme : -1;
}

const struct mcred_options *mcred_modem_options(const mcred_modem *modem)
{
	return modem ? &modem->opts : NULL;
}

const char *mcred_modem_transport_name(const mcred_modem *modem)
{
	return modem && modem->transport_name ? modem->transport_name : "";
}

unsigned mcred_modem_restarts(const mcred_modem *modem)
{
	return modem ? modem->at.restarts : 0;
}

int mcred_modem_unrestored_mode(const mcred_modem *modem)
{
	return modem ? modem->unrestored_mode : -1;
}

enum mcred_change mcred_modem_last_change(const mcred_modem *modem)
{
	return modem ? modem->last_change : MCRED_CHANGE_NONE;
}
