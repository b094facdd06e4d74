/*
 * Transport over libserialport: real serial ports (/dev/ttyACM0, COM3).
 * libserialport does the port setup; this file only adapts its calls to
 * struct mcred_transport and turns its errors into actionable messages.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libserialport.h>

#include "error.h"
#include "port_access.h"
#include "transport_serialport.h"

/* The port and what closing it must undo. */
struct serial_port {
	struct sp_port *p;
	int fd;        /* its descriptor (sp_get_port_handle()) */
	int exclusive; /* TIOCEXCL set (mcred_port_claim()): cleared at close */
};

/* A hint for the errno behind a failed open (into buf), "" when there is none. */
static const char *open_hint(int error_code, const char *port, char *buf, size_t len)
{
	struct stat st;

	if (error_code == EACCES || error_code == EPERM)
		return mcred_port_open_hint(port, error_code, buf, len);
	if (error_code == ENOENT || access(port, F_OK) != 0)
		return mcred_port_open_hint(port, ENOENT, buf, len);
	if (access(port, R_OK | W_OK) != 0 && errno == EACCES)
		return mcred_port_open_hint(port, EACCES, buf, len);
	if (stat(port, &st) == 0 && S_ISCHR(st.st_mode) && error_code != ENOTTY &&
	    error_code != ENXIO && error_code != ENODEV) {
		snprintf(buf, len,
			 " (libserialport handles only ports with a /sys/class/tty entry; for a "
			 "pseudo-terminal use the termios transport)");
		return buf;
	}
	return mcred_port_open_hint(port, error_code, buf, len);
}

/* Describe a failed libserialport call in err; returns MCRED_ERR_PORT (or _BUSY). */
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
	char hint[512];
	enum mcred_err rc =
		error_code == EBUSY
			? mcred_port_busy_at_open(port, err)
			: mcred_error_set(err, MCRED_ERR_PORT, "%s %s: %s%s", what, port, reason,
					  open_hint(error_code, port, hint, sizeof(hint)));

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
	struct sp_port *p = ((struct serial_port *)user)->p;
	/* libserialport treats a timeout of 0 as "wait forever": poll instead. */
	enum sp_return r = timeout_ms ? sp_blocking_read_next(p, buf, len, timeout_ms)
				      : sp_nonblocking_read(p, buf, len);

	return r < 0 ? -1 : (int)r;
}

static int sp_write_cb(void *user, const uint8_t *buf, size_t len, unsigned timeout_ms)
{
	struct sp_port *p = ((struct serial_port *)user)->p;
	enum sp_return r = sp_blocking_write(p, buf, len, timeout_ms ? timeout_ms : 1);

	return r < 0 ? -1 : (int)r;
}

static void sp_close_cb(void *user)
{
	struct serial_port *sp = user;

	mcred_port_release(sp->fd, sp->exclusive);
	sp_close(sp->p);
	sp_free_port(sp->p);
	free(sp);
}

/*
 * Take the port for this handle (see port_access.c). sp_open() has already
 * set raw mode by then, but nothing was sent. The descriptor is
 * libserialport's own (sp_get_port_handle()), so the lock is on the same
 * open file as every read and write.
 */
static enum mcred_err claim(struct sp_port *p, const char *port, const struct mcred_options *o,
			    struct serial_port *sp, struct mcred_error *err)
{
	int fd = -1;

	if (sp_get_port_handle(p, &fd) != SP_OK || fd < 0)
		return mcred_error_set(err, MCRED_ERR_PORT,
				       "cannot take %s: libserialport gives no descriptor for it",
				       port);
	sp->p = p;
	sp->fd = fd;
	return mcred_port_claim(fd, port, o, &sp->exclusive, err);
}

enum mcred_err mcred_transport_open_serialport(struct mcred_transport *t, const char *port,
					       const struct mcred_options *o,
					       struct mcred_error *err)
{
	struct sp_port *p = NULL;
	struct serial_port *sp;
	enum sp_return r = sp_get_port_by_name(port, &p);
	enum mcred_err rc;

	if (r != SP_OK)
		return sp_failure(err, "cannot find serial port", port, r);
	r = sp_open(p, SP_MODE_READ_WRITE);
	if (r != SP_OK) {
		rc = sp_failure(err, "cannot open serial port", port, r);
		sp_free_port(p);
		return rc;
	}
	sp = calloc(1, sizeof(*sp));
	rc = sp ? claim(p, port, o, sp, err)
		: mcred_error_set(err, MCRED_ERR_NOMEM, "out of memory");
	if (rc != MCRED_OK) {
		if (sp)
			mcred_port_release(sp->fd, sp->exclusive);
		free(sp);
		sp_close(p);
		sp_free_port(p);
		return rc;
	}
	r = configure(p, o);
	if (r != SP_OK) {
		rc = sp_failure(err, "cannot configure serial port", port, r);
		sp_close_cb(sp);
		if (r == SP_ERR_ARG)
			return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
					       "%s: baud rate %u not supported", port, o->baud);
		return rc;
	}
	/* no input flush: the engine discards stale input itself (see the termios transport) */
	t->read = sp_read_cb;
	t->write = sp_write_cb;
	t->close = sp_close_cb;
	t->user = sp;
	return MCRED_OK;
}
