/*
 * The POSIX termios transport (transport_termios.c): pseudo-terminals (socat,
 * ser2net, modemsim) and any port libserialport refuses.
 */
#ifndef MODEMCRED_TRANSPORT_TERMIOS_H
#define MODEMCRED_TRANSPORT_TERMIOS_H

#include "modemcred.h"

/* Open port with termios at o's baud rate and fill t with its functions. */
enum mcred_err mcred_transport_open_termios(struct mcred_transport *t, const char *port,
					    const struct mcred_options *o, struct mcred_error *err);

#endif
