/* The libserialport transport (transport_serialport.c): a real serial port. */
#ifndef MODEMCRED_TRANSPORT_SERIALPORT_H
#define MODEMCRED_TRANSPORT_SERIALPORT_H

#include "modemcred.h"

/*
 * Open port with libserialport at o's baud rate and flow control and fill t
 * with its read, write and close functions.
 */
enum mcred_err mcred_transport_open_serialport(struct mcred_transport *t, const char *port,
					       const struct mcred_options *o,
					       struct mcred_error *err);

#endif
