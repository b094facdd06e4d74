/*
 * The line being received: each application collects bytes into commands
 * its own way (athost.c, slm.c, shell.c); this forgets a half-received one.
 */
#include "sim.h"

void line_reset(struct line *l)
{
	buf_clear(&l->cmd);
	buf_clear(&l->raw);
	l->overflow = 0;
	l->dropped = 0;
	l->in_quotes = 0;
	l->cancelled = 0;
	l->prev = 0;
	/* shell_last_nl survives: the LF of a CR LF may come after the CR's line. */
}
