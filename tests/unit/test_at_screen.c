/*
 * The small terminal screen (lib/at_screen.c) that a Zephyr shell's output
 * is read through before the echo: what each control sequence the shell
 * sends does to the rows, how rows scroll off, what is bounded.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "at_screen.h"

#define MAX_SCROLLED 16

struct scrolled {
	char rows[MAX_SCROLLED][128];
	size_t count;
};

static void on_scrolled(void *user, const char *row, size_t len)
{
	struct scrolled *s = user;

	assert_true(s->count < MAX_SCROLLED);
	assert_true(len < sizeof(s->rows[0]));
	memcpy(s->rows[s->count], row, len);
	s->rows[s->count++][len] = '\0';
}

/* Feed a string; returns the number of line feeds it made. */
static size_t feed(struct mcred_screen *t, const char *bytes, struct scrolled *s)
{
	size_t lfs = 0;

	for (const char *p = bytes; *p; p++)
		lfs += (size_t)mcred_screen_put(t, (uint8_t)*p, s ? on_scrolled : NULL, s);
	return lfs;
}

/* Row i holds exactly want. */
static void assert_row(const struct mcred_screen *t, size_t i, const char *want)
{
	size_t len;
	const char *row = mcred_screen_row(t, i, &len);

	if (len != strlen(want) || memcmp(row, want, len) != 0)
		fail_msg("row %zu is \"%.*s\", not \"%s\"", i, (int)len, row, want);
}

static void test_lines_and_colours(void **state)
{
	struct mcred_screen *t = mcred_screen_new(8, 256);

	(void)state;
	assert_int_equal(mcred_screen_rows(t), 1);
	assert_int_equal(feed(t, "\x1b[1;32muart:~$ \x1b[mat 'AT'\r\nOK\r\n", NULL), 2);
	assert_int_equal(mcred_screen_rows(t), 3);
	assert_row(t, 0, "uart:~$ at 'AT'");
	assert_row(t, 1, "OK");
	assert_row(t, 2, "");
	assert_int_equal(mcred_screen_cursor_row(t), 2);
	assert_int_equal(mcred_screen_cursor_col(t), 0);
	/* a bare LF starts the next row at column 0 too (Zephyr ends lines with CR LF) */
	feed(t, "ab\ncd", NULL);
	assert_row(t, 2, "ab");
	assert_row(t, 3, "cd");
	mcred_screen_free(t);
}

/* Zephyr's erase-and-redraw for a log line while "at 'AT+C" is typed after the prompt. */
static void test_log_line_redraw(void **state)
{
	struct mcred_screen *t = mcred_screen_new(8, 256);

	(void)state;
	feed(t,
	     "uart:~$ at 'AT+C\x1b[16D\x1b[J[00:00:05.123,456] \x1b[0m<inf> app: hi\x1b[0m\r\n"
	     "\x1b[1;32muart:~$ \x1b[mat 'AT+C"
	     "FUN?'\r\n",
	     NULL);
	assert_row(t, 0, "[00:00:05.123,456] <inf> app: hi");
	assert_row(t, 1, "uart:~$ at 'AT+CFUN?'");
	assert_row(t, 2, "");
	/* an erase that starts on the second row of a broken line goes up first */
	mcred_screen_reset(t);
	feed(t,
	     "uart:~$ 0123456789\n0123\x1b[4D\x1b[1A\x1b[8D\x1b[Jlog\r\nuart:~$ 0123456789\n0123",
	     NULL);
	assert_row(t, 0, "log");
	assert_row(t, 1, "uart:~$ 0123456789");
	assert_row(t, 2, "0123");
	assert_int_equal(mcred_screen_rows(t), 3);
	mcred_screen_free(t);
}

static void test_cursor_moves_and_erasing(void **state)
{
	struct mcred_screen *t = mcred_screen_new(8, 256);

	(void)state;
	feed(t, "abcdef\rxy", NULL); /* CR: write over the row's start */
	assert_row(t, 0, "xycdef");
	feed(t, "\b\bQ", NULL); /* backspace moves, does not erase */
	assert_row(t, 0, "Qycdef");
	feed(t, "\x1b[2C*", NULL);
	assert_row(t, 0, "Qyc*ef");
	feed(t, "\x1b[K", NULL); /* to the end of the row */
	assert_row(t, 0, "Qyc*");
	feed(t, "\x1b[2D\x1b[1K", NULL); /* from its start: blanks */
	assert_row(t, 0, "   *");
	feed(t, "\x1b[2K", NULL);
	assert_row(t, 0, "");
	/* a gap left by a move right reads as spaces */
	feed(t, "\r\x1b[3Cz", NULL);
	assert_row(t, 0, "   z");
	/* save and restore (both forms) */
	feed(t,
	     "\r\x1b"
	     "7ab\x1b"
	     "8X\x1b[s\x1b[5Cq\x1b[uY",
	     NULL);
	assert_row(t, 0, "XY z  q");
	/* G: to a column; E, F: to the start of the next or previous row */
	feed(t, "\x1b[3G#\r\n\r\nzz\x1b[F-\x1b[E+\x1b[9E", NULL);
	assert_row(t, 0, "XY#z  q");
	assert_row(t, 1, "-");
	assert_row(t, 2, "+z");
	assert_int_equal(mcred_screen_rows(t), 3); /* moves make no new rows */
	mcred_screen_free(t);
}

static void test_screen_erase_modes(void **state)
{
	struct mcred_screen *t = mcred_screen_new(8, 256);

	(void)state;
	feed(t, "one\r\ntwo\r\nthree\x1b[1A\x1b[3D\x1b[J", NULL);
	assert_int_equal(mcred_screen_rows(t), 2);
	assert_row(t, 0, "one");
	assert_row(t, 1, "tw");
	feed(t, "\x1b[1J", NULL); /* from the start: rows above empty, this one blank */
	assert_row(t, 0, "");
	assert_row(t, 1, "  ");
	feed(t, "\r\nx\x1b[2J", NULL); /* all: rows stay, empty; the cursor stays */
	assert_int_equal(mcred_screen_rows(t), 3);
	assert_row(t, 2, "");
	assert_int_equal(mcred_screen_cursor_row(t), 2);
	assert_int_equal(mcred_screen_cursor_col(t), 1);
	mcred_screen_free(t);
}

/* Moves stop at the screen's edges: up at row 0, down at the last row, left at column 0. */
static void test_moves_are_bounded(void **state)
{
	struct mcred_screen *t = mcred_screen_new(4, 16);

	(void)state;
	feed(t, "a\r\nb\x1b[99A\x1b[99D>", NULL);
	assert_row(t, 0, ">");
	feed(t, "\x1b[9999B\x1b[99999999C!", NULL); /* a huge count is capped */
	assert_int_equal(mcred_screen_cursor_row(t), 1);
	assert_int_equal(mcred_screen_lost(t), 1); /* beyond 16 columns */
	feed(t, "\x1b[1;1H@", NULL);
	assert_row(t, 0, "@");
	mcred_screen_free(t);
}

/* Other control bytes and sequences print nothing; TAB stays. */
static void test_what_prints_nothing(void **state)
{
	struct mcred_screen *t = mcred_screen_new(4, 64);

	(void)state;
	feed(t,
	     "a\x07"
	     "b\x7f"
	     "c\x01\td\x1b"
	     "c\x1b[?25l\x1b[6n\x1b]e",
	     NULL);
	assert_row(t, 0, "abc\tde"); /* ESC and one byte: "ESC c", "ESC ]" */
	/* an escape sequence cut by another one ends there */
	feed(t, "\r\x1b[1;\x1b[2Kz", NULL);
	assert_row(t, 0, "z");
	mcred_screen_free(t);
}

/* The screen keeps max_rows rows: the top ones scroll off, in order, to the caller. */
static void test_rows_scroll_off(void **state)
{
	struct mcred_screen *t = mcred_screen_new(3, 64);
	struct scrolled s = { .count = 0 };

	(void)state;
	feed(t, "r1\r\nr2\r\nr3\r\nr4\r\nr5", &s);
	assert_int_equal(s.count, 2);
	assert_string_equal(s.rows[0], "r1");
	assert_string_equal(s.rows[1], "r2");
	assert_int_equal(mcred_screen_rows(t), 3);
	assert_row(t, 0, "r3");
	assert_row(t, 2, "r5");
	/* the caller takes rows off the top itself */
	mcred_screen_scroll(t, 2, on_scrolled, &s);
	assert_int_equal(s.count, 4);
	assert_string_equal(s.rows[3], "r4");
	assert_int_equal(mcred_screen_rows(t), 1);
	assert_row(t, 0, "r5");
	assert_int_equal(mcred_screen_cursor_row(t), 0);
	assert_int_equal(mcred_screen_cursor_col(t), 2);
	/* all of them: an empty screen, the cursor home */
	mcred_screen_scroll(t, 9, NULL, NULL);
	assert_int_equal(mcred_screen_rows(t), 1);
	assert_row(t, 0, "");
	assert_int_equal(mcred_screen_cursor_col(t), 0);
	/* a saved cursor moves up with its row ("a" scrolls off) */
	feed(t,
	     "a\r\nb\x1b"
	     "7\r\nc\r\nd",
	     &s);
	feed(t,
	     "\x1b"
	     "8#",
	     &s);
	assert_row(t, 0, "b#");
	mcred_screen_free(t);
}

/* A row holds max_row_len characters; more are counted as lost. Reset empties all. */
static void test_bounds_and_reset(void **state)
{
	struct mcred_screen *t = mcred_screen_new(2, 8);
	size_t len;

	(void)state;
	feed(t, "0123456789", NULL);
	assert_row(t, 0, "01234567");
	assert_int_equal(mcred_screen_lost(t), 2);
	feed(t, "\x1b[", NULL); /* a sequence begun before the reset does not survive it */
	mcred_screen_reset(t);
	assert_int_equal(mcred_screen_lost(t), 0);
	assert_int_equal(mcred_screen_rows(t), 1);
	feed(t, "m", NULL);
	assert_row(t, 0, "m");
	assert_string_equal(mcred_screen_row(t, 5, &len), "");
	assert_int_equal(len, 0);
	mcred_screen_free(t);
	mcred_screen_free(NULL);
	t = mcred_screen_new(0, 8); /* at least one row */
	feed(t, "a\r\nb", NULL);
	assert_int_equal(mcred_screen_rows(t), 1);
	assert_row(t, 0, "b");
	mcred_screen_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines_and_colours),
		cmocka_unit_test(test_log_line_redraw),
		cmocka_unit_test(test_cursor_moves_and_erasing),
		cmocka_unit_test(test_screen_erase_modes),
		cmocka_unit_test(test_moves_are_bounded),
		cmocka_unit_test(test_what_prints_nothing),
		cmocka_unit_test(test_rows_scroll_off),
		cmocka_unit_test(test_bounds_and_reset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
