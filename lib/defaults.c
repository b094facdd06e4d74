/* Option defaults: what zero options stand for. */
#include "defaults.h"
#include "at_shell.h"

void mcred_options_apply_defaults(struct mcred_options *o)
{
	if (!o->baud)
		o->baud = MCRED_DEFAULT_BAUD;
	if (!o->timeout_ms)
		o->timeout_ms = MCRED_DEFAULT_TIMEOUT_MS;
	if (!o->max_command_len && o->shell != MCRED_SHELL_AUTO)
		o->max_command_len = mcred_shell_is_on(o) ? MCRED_DEFAULT_SHELL_MAX_COMMAND
							  : MCRED_DEFAULT_MAX_COMMAND;
	if (!o->max_response_len)
		o->max_response_len = MCRED_DEFAULT_MAX_RESPONSE;
}
