/* Settling MCRED_SHELL_AUTO by probing the device (shell_detect.c). */
#ifndef MODEMCRED_AT_SHELL_DETECT_H
#define MODEMCRED_AT_SHELL_DETECT_H

#include "modemcred.h"

/*
 * Settle MCRED_SHELL_AUTO on an open handle with the probes "at AT" and, after
 * an OK, "AT", sent as typed (see shell_detect.c). Sets m->opts.shell and, unless
 * given, the command length default of the mode found.
 */
enum mcred_err mcred_shell_detect(struct mcred_modem *m);

#endif
