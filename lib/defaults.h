/*
 * Option defaults (defaults.c): the documented values zero options stand
 * for, and the fixed waits of the operations. Pure; any layer may use it.
 */
#ifndef MODEMCRED_DEFAULTS_H
#define MODEMCRED_DEFAULTS_H

#include "modemcred.h"

#define MCRED_DEFAULT_BAUD 115200u
#define MCRED_DEFAULT_TIMEOUT_MS 10000u
#define MCRED_DEFAULT_MAX_COMMAND 4096u
/*
 * In shell mode the limit is the shell's line buffer: Nordic's instructions
 * for provisioning over the shell set CONFIG_SHELL_CMD_BUFF_SIZE=2048.
 */
#define MCRED_DEFAULT_SHELL_MAX_COMMAND 2048u
/* at_shell's answer buffer, CONFIG_AT_SHELL_CMD_RESPONSE_MAX_LEN, by default. */
#define MCRED_DEFAULT_SHELL_RESPONSE_MAX 2700u
#define MCRED_DEFAULT_MAX_RESPONSE 65536u
/* Key generation takes seconds on a real modem: it gets at least this. */
#define MCRED_KEYGEN_TIMEOUT_MS 30000u
/* After a cancellation, restoring CFUN/CMEE may take this long, no longer. */
#define MCRED_RESTORE_AFTER_CANCEL_MS 3000u

/* Replace zero values in o by the documented defaults. */
void mcred_options_apply_defaults(struct mcred_options *o);

#endif
