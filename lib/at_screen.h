/*
 * A small terminal (at_screen.c): what a Zephyr shell's output looks like on
 * the screen of the VT100 terminal it was written for, row by row. Pure: no
 * I/O, no handle; the shell mode of the AT engine (at_shell.c) feeds it the
 * bytes received before the echo of a typed line is complete.
 *
 * A Zephyr shell is a terminal program, not a line printer: it echoes what
 * is typed, breaks the echo at the terminal width, and when a log message or
 * another thread's print comes while a line is being typed, it moves the
 * cursor back to the prompt, erases to the end of the screen, prints the
 * message and draws prompt and typed text again (Zephyr subsys/shell,
 * shell_ops.c z_shell_cmd_line_erase() and z_shell_print_prompt_and_cmd(),
 * shell.c shell_log_process() and shell_vfprintf()). Read byte by byte, the
 * typed text is then cut by the message and present twice; on the screen it
 * is whole, on one row after the message.
 *
 * What the model does: printable bytes are written at the cursor (over what
 * was there; a row grows as needed, there is no automatic wrap); CR goes to
 * column 0, LF to column 0 of the next row (Zephyr ends lines with CR LF);
 * BS moves one column left; CSI sequences move the cursor (A B C D E F G H),
 * erase (J: to the end of the screen, K: to the end of the row, also their
 * other forms), save and restore the cursor (s u, and ESC 7, ESC 8); colours
 * (m) and every other sequence are dropped. NUL, DEL and the other control
 * bytes print nothing; TAB is kept as a character.
 *
 * The screen keeps at most max_rows rows: a row that scrolls off the top is
 * final (the cursor can no longer reach it) and handed to the caller.
 */
#ifndef MODEMCRED_AT_SCREEN_H
#define MODEMCRED_AT_SCREEN_H

#include <stddef.h>
#include <stdint.h>

struct mcred_screen;

/* A row's text (no line ending, no escape sequences) handed to the caller. */
typedef void (*mcred_screen_row_cb)(void *user, const char *row, size_t len);

/*
 * An empty screen, the cursor at row 0, column 0. max_rows (>= 1): rows kept
 * on the screen; max_row_len: characters kept of one row (more are dropped
 * and counted by mcred_screen_lost()). NULL when out of memory.
 */
struct mcred_screen *mcred_screen_new(size_t max_rows, size_t max_row_len);
/* Wipe (an echo may hold a key) and free. NULL is allowed. */
void mcred_screen_free(struct mcred_screen *t);
/* Wipe and start again with an empty screen. */
void mcred_screen_reset(struct mcred_screen *t);

/*
 * One received byte. Returns 1 when it was a line feed (the cursor left its
 * row for the start of the next one), else 0. A row that scrolls off the top
 * goes to scrolled (which may be NULL).
 */
int mcred_screen_put(struct mcred_screen *t, uint8_t byte, mcred_screen_row_cb scrolled,
		     void *user);

/* Rows on the screen (at least 1: the cursor's) and the cursor's row and column. */
size_t mcred_screen_rows(const struct mcred_screen *t);
size_t mcred_screen_cursor_row(const struct mcred_screen *t);
size_t mcred_screen_cursor_col(const struct mcred_screen *t);
/* Row i (0: the top row on the screen): its text, *len bytes, not NUL-terminated. */
const char *mcred_screen_row(const struct mcred_screen *t, size_t i, size_t *len);

/*
 * Hand the top n rows to on_row (which may be NULL), in order, and take them
 * off the screen; the cursor and the rows below move up with them.
 */
void mcred_screen_scroll(struct mcred_screen *t, size_t n, mcred_screen_row_cb on_row, void *user);

/* Characters dropped so far: beyond max_row_len, or when memory ran out. */
size_t mcred_screen_lost(const struct mcred_screen *t);

#endif
