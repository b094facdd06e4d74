/*
 * One program per port (port_access.c): a port a transport opened is taken
 * for its handle alone before anything is sent, and refused when another
 * program holds it; messages for a port that cannot be used (busy, no
 * permission, not a serial port). No handle: the transports call it with
 * their descriptor.
 */
#ifndef MODEMCRED_PORT_ACCESS_H
#define MODEMCRED_PORT_ACCESS_H

#include "modemcred.h"

/*
 * Take the port open on fd for this handle, before anything is sent:
 * flock(2) LOCK_EX|LOCK_NB, then a look for other processes holding the
 * device open (what o->port_survey found of it, when it covers the device),
 * then TIOCEXCL (not on a pseudo-terminal). MCRED_ERR_BUSY, err naming the
 * holders and the fix, when another handle or program has it; with
 * o->ignore_busy the port is used anyway (the lock is taken if free).
 * *exclusive says whether TIOCEXCL was set (the pid of the process that
 * set it, else 0): give it to mcred_port_release(). port names the port in
 * messages.
 */
enum mcred_err mcred_port_claim(int fd, const char *port, const struct mcred_options *o,
				int *exclusive, struct mcred_error *err);

/*
 * Undo what mcred_port_claim() set that outlives a close (TIOCEXCL); before
 * close(fd). Only in the process that set it: a child of the embedder's
 * fork() that frees its copy of the handle must not lift the parent's.
 */
void mcred_port_release(int fd, int exclusive);

/*
 * open() of port failed with EBUSY: another program made it exclusive
 * (TIOCEXCL). MCRED_ERR_BUSY with the holders named, as mcred_port_claim().
 */
enum mcred_err mcred_port_busy_at_open(const char *port, struct mcred_error *err);

/*
 * A port that is no serial port at all (a regular file, a directory):
 * MCRED_ERR_INVALID_ARG saying so, before anything is opened. MCRED_OK for
 * anything else (a missing port is the transport's to report).
 */
enum mcred_err mcred_port_check_kind(const char *port, struct mcred_error *err);

/*
 * Why open() of port failed with errno e, and what to do: for EACCES/EPERM
 * the group that owns the device and whether this user is in it (the
 * dialout group on Debian and Fedora). Written to buf (len bytes), "" when
 * there is nothing to add; returns buf.
 */
const char *mcred_port_open_hint(const char *port, int e, char *buf, size_t len);

/*
 * strerror(e) into buf, thread-safe (strerror() shares one buffer between
 * threads, and handles may run in parallel); returns buf.
 */
const char *mcred_errno_text(int e, char *buf, size_t len);

#endif
