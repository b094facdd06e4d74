/* The serial transports (transport_serialport.c, transport_termios.c). */
#ifndef MODEMCRED_TRANSPORT_H
#define MODEMCRED_TRANSPORT_H

#include "modemcred.h"

enum mcred_err mcred_transport_open_serialport(struct mcred_transport *t, const char *port,
					       const struct mcred_options *o,
					       struct mcred_error *err);
enum mcred_err mcred_transport_open_termios(struct mcred_transport *t, const char *port,
					    const struct mcred_options *o, struct mcred_error *err);

#endif
