/*
 * Transport over libserialport: real serial ports (/dev/ttyACM0, COM3).
 * libserialport does the port setup; this file only adapts its calls to
 * struct mcred_transport and turns its errors into actionable messages.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libserialport.h>

#include "error.h"
#include "transport_serialport.h"

/* A hint for the errno behind a failed open, "" when there is none. */
static const char *open_hint(int error_code, const char *port)
{
	static const char dialout[] =
		" (permission denied: add yourself to the dialout group and log in again)";
	struct stat st;

	if (error_code == EACCES || error_code == EPERM)
		return dialout;
	if (error_code == ENOENT || access(port, F_OK) != 0)
		return " (is the kit connected?)";
	if (access(port, R_OK | W_OK) != 0 && errno == EACCES)
		return dialout;
	if (error_code == EBUSY)
		return " (another program is using the port)";
	if (stat(port, &st) == 0 && S_ISCHR(st.st_mode))
		return " (libserialport handles only ports with a /sys/class/tty entry; "
		       "for a pseudo-terminal use the termios transport)";
	return "";
}

/* Describe a failed libserialport call in err; returns MCRED_ERR_PORT. */
static enum mcred_err sp_failure(struct mcred_error *err, const char *what, const char *port,
				 enum sp_return result)
{
	int error_code = result == SP_ERR_FAIL ? sp_last_error_code() : 0;
	char *detail = result == SP_ERR_FAIL ? sp_last_error_message() : NULL;
	const char *reason = detail                  ? detail
			     : result == SP_ERR_ARG  ? "no such serial port"
			     : result == SP_ERR_SUPP ? "not supported"
			     : result == SP_ERR_MEM  ? "out of memory"
						     : "failed";
	enum mcred_err rc = mcred_error_set(err, MCRED_ERR_PORT, "%s %s: %s%s", what, port, reason,
					    open_hint(error_code, port));

	if (detail)
		sp_free_error_message(detail);
	return rc;
}

/* 8N1 at the requested speed, no XON/XOFF, optional RTS/CTS. */
static enum sp_return configure(struct sp_port *p, const struct mcred_options *o)
{
	enum sp_return r;

	if ((r = sp_set_baudrate(p, (int)o->baud)) != SP_OK)
		return r;
	if ((r = sp_set_bits(p, 8)) != SP_OK)
		return r;
	if ((r = sp_set_parity(p, SP_PARITY_NONE)) != SP_OK)
		return r;
	if ((r = sp_set_stopbits(p, 1)) != SP_OK)
		return r;
	return sp_set_flowcontrol(p, o->flow == MCRED_FLOW_RTSCTS ? SP_FLOWCONTROL_RTSCTS
								  : SP_FLOWCONTROL_NONE);
}

static int sp_read_cb(void *user, uint8_t *buf, size_t len, unsigned timeout_ms)
{
	struct sp_port *p = user;
	/* libserialport treats a timeout of 0 as "wait forever": poll instead. */
	enum sp_return r = timeout_ms ? sp_blocking_read_next(p, buf, len, timeout_ms)
				      : sp_nonblocking_read(p, buf, len);

	return r < 0 ? -1 : (int)r;
}

static int sp_write_cb(void *user, const uint8_t *buf, size_t len, unsigned timeout_ms)
{
	enum sp_return r = sp_blocking_write(user, buf, len, timeout_ms ? timeout_ms : 1);

	return r < 0 ? -1 : (int)r;
}

static void sp_close_cb(void *user)
{
	sp_close(user);
	sp_free_port(user);
}

enum mcred_err mcred_transport_open_serialport(struct mcred_transport *t, const char *port,
					       const struct mcred_options *o,
					       struct mcred_error *err)
{
	struct sp_port *p = NULL;
	enum sp_return r = sp_get_port_by_name(port, &p);

	if (r != SP_OK)
		return sp_failure(err, "cannot find serial port", port, r);
	r = sp_open(p, SP_MODE_READ_WRITE);
	if (r != SP_OK) {
		enum mcred_err rc = sp_failure(err, "cannot open serial port", port, r);

		sp_free_port(p);
		return rc;
	}
	r = configure(p, o);
	if (r != SP_OK) {
		enum mcred_err rc = sp_failure(err, "cannot configure serial port", port, r);

		sp_close(p);
		sp_free_port(p);
		if (r == SP_ERR_ARG)
			return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
					       "%s: baud rate %u not supported", port, o->baud);
		return rc;
	}
	/* no input flush: the engine discards stale input itself (see the termios transport) */
	t->read = sp_read_cb;
	t->write = sp_write_cb;
	t->close = sp_close_cb;
	t->user = p;
	return MCRED_OK;
}
