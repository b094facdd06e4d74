/*
 * A small VT100 screen for the output of a Zephyr shell (see at_screen.h):
 * rows of characters, a cursor, the few control sequences the shell sends.
 * Pure state machine, no I/O; every row is wiped when it is cut, scrolled
 * off or freed, because the echo of a typed line may hold a key.
 */
#include <stdlib.h>
#include <string.h>

#include "at_screen.h"
#include "modemcred.h"

#define ESC 0x1b
/* Parameters kept of one CSI sequence, and the largest value of one. */
#define CSI_MAX_PARAMS 4
#define CSI_MAX_VALUE 9999u
/* The first allocation of a row; it doubles up to max_row_len. */
#define ROW_INITIAL_CAPACITY 64u

enum escape_state {
	ESCAPE_NONE = 0,
	ESCAPE_START, /* after ESC */
	ESCAPE_CSI    /* after ESC [ : parameters, then a final byte */
};

struct row {
	char *cells;
	size_t len; /* characters on the row */
	size_t cap;
};

struct mcred_screen {
	struct row *rows; /* max_rows entries; rows[0 .. nrows) are on the screen */
	size_t nrows;
	size_t max_rows;
	size_t max_row_len;
	size_t row, col;             /* the cursor */
	size_t saved_row, saved_col; /* ESC 7 / CSI s */
	enum escape_state escape;
	unsigned params[CSI_MAX_PARAMS];
	size_t nparams; /* parameters begun, at most CSI_MAX_PARAMS */
	size_t lost;
};

struct mcred_screen *mcred_screen_new(size_t max_rows, size_t max_row_len)
{
	struct mcred_screen *t;

	if (max_rows == 0)
		max_rows = 1;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->rows = calloc(max_rows, sizeof(*t->rows));
	if (!t->rows) {
		free(t);
		return NULL;
	}
	t->max_rows = max_rows;
	t->max_row_len = max_row_len;
	t->nrows = 1;
	return t;
}

static void wipe_row(struct row *r)
{
	if (r->cells)
		memset(r->cells, 0, r->len);
	r->len = 0;
}

void mcred_screen_free(struct mcred_screen *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->max_rows; i++)
		mcred_secret_free(t->rows[i].cells, t->rows[i].cap);
	free(t->rows);
	free(t);
}

void mcred_screen_reset(struct mcred_screen *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nrows; i++)
		wipe_row(&t->rows[i]);
	t->nrows = 1;
	t->row = t->col = t->saved_row = t->saved_col = 0;
	t->escape = ESCAPE_NONE;
	t->nparams = 0;
	t->lost = 0;
}

size_t mcred_screen_rows(const struct mcred_screen *t)
{
	return t->nrows;
}

size_t mcred_screen_cursor_row(const struct mcred_screen *t)
{
	return t->row;
}

size_t mcred_screen_cursor_col(const struct mcred_screen *t)
{
	return t->col;
}

const char *mcred_screen_row(const struct mcred_screen *t, size_t i, size_t *len)
{
	if (i >= t->nrows || !t->rows[i].cells) {
		*len = 0;
		return "";
	}
	*len = t->rows[i].len;
	return t->rows[i].cells;
}

size_t mcred_screen_lost(const struct mcred_screen *t)
{
	return t->lost;
}

/* ---- rows ------------------------------------------------------------------ */

/* Room for want characters in r; not realloc, so that the old block is wiped. */
static int make_room(struct mcred_screen *t, struct row *r, size_t want)
{
	size_t cap = r->cap ? r->cap : ROW_INITIAL_CAPACITY;
	char *grown;

	if (want <= r->cap)
		return 0;
	while (cap < want)
		cap *= 2;
	if (cap > t->max_row_len)
		cap = t->max_row_len;
	grown = malloc(cap);
	if (!grown)
		return -1;
	if (r->cells) {
		memcpy(grown, r->cells, r->len);
		mcred_secret_free(r->cells, r->cap);
	}
	r->cells = grown;
	r->cap = cap;
	return 0;
}

/* Write c at the cursor (spaces fill a gap up to it) and move right. */
static void write_char(struct mcred_screen *t, char c)
{
	struct row *r = &t->rows[t->row];

	if (t->col >= t->max_row_len || make_room(t, r, t->col + 1) != 0) {
		t->lost++;
		return;
	}
	while (r->len < t->col)
		r->cells[r->len++] = ' ';
	r->cells[t->col++] = c;
	if (r->len < t->col)
		r->len = t->col;
}

/* Cut row r from column col on. */
static void cut_row(struct row *r, size_t col)
{
	if (col >= r->len)
		return;
	memset(r->cells + col, 0, r->len - col);
	r->len = col;
}

/* Blank row r's columns 0 .. col (a terminal shows spaces there). */
static void blank_row_start(struct row *r, size_t col)
{
	size_t end = col + 1 < r->len ? col + 1 : r->len;

	if (end > 0)
		memset(r->cells, ' ', end);
}

void mcred_screen_scroll(struct mcred_screen *t, size_t n, mcred_screen_row_cb on_row, void *user)
{
	if (n > t->nrows)
		n = t->nrows;
	for (size_t i = 0; i < n; i++) {
		struct row *r = &t->rows[i];

		if (on_row)
			on_row(user, r->cells ? r->cells : "", r->len);
		wipe_row(r);
	}
	/* the scrolled rows' buffers go to the bottom, to be used again */
	for (size_t i = 0; i < n; i++) {
		struct row first = t->rows[0];

		memmove(t->rows, t->rows + 1, (t->max_rows - 1) * sizeof(*t->rows));
		t->rows[t->max_rows - 1] = first;
	}
	t->nrows -= n;
	if (t->row >= n) {
		t->row -= n;
	} else {
		t->row = 0;
		t->col = 0;
	}
	t->saved_row = t->saved_row >= n ? t->saved_row - n : 0;
	if (t->nrows == 0)
		t->nrows = 1;
}

/* LF: the start of the next row, a new one at the bottom (the top one scrolls off when full). */
static void line_feed(struct mcred_screen *t, mcred_screen_row_cb scrolled, void *user)
{
	if (t->row + 1 < t->nrows) {
		t->row++;
	} else if (t->nrows < t->max_rows) {
		t->nrows++;
		t->row++;
	} else {
		mcred_screen_scroll(t, 1, scrolled, user);
		if (t->max_rows > 1) { /* else the cursor's row itself left: row 0 is new */
			t->nrows++;
			t->row++;
		}
	}
	t->col = 0;
}

/* ---- control sequences -------------------------------------------------------------------- */

/* Parameter i, or dflt when absent or 0 (a count of 0 means 1 in VT100). */
static size_t count_param(const struct mcred_screen *t, size_t i, size_t dflt)
{
	return i < t->nparams && t->params[i] ? t->params[i] : dflt;
}

static size_t mode_param(const struct mcred_screen *t)
{
	return t->nparams ? t->params[0] : 0;
}

static void cursor_up(struct mcred_screen *t, size_t n)
{
	t->row = t->row >= n ? t->row - n : 0;
}

static void cursor_down(struct mcred_screen *t, size_t n)
{
	t->row = n < t->nrows - t->row ? t->row + n : t->nrows - 1;
}

static void set_col(struct mcred_screen *t, size_t col)
{
	t->col = col < t->max_row_len ? col : t->max_row_len;
}

/* J: 0 from the cursor to the end of the screen, 1 from its start, 2 and 3 all. */
static void erase_screen(struct mcred_screen *t, size_t mode)
{
	if (mode == 0) {
		cut_row(&t->rows[t->row], t->col);
		for (size_t i = t->row + 1; i < t->nrows; i++)
			wipe_row(&t->rows[i]);
		t->nrows = t->row + 1;
		return;
	}
	for (size_t i = 0; i < t->row; i++)
		wipe_row(&t->rows[i]);
	if (mode == 1)
		blank_row_start(&t->rows[t->row], t->col);
	else
		for (size_t i = t->row; i < t->nrows; i++)
			wipe_row(&t->rows[i]);
}

/* K: 0 from the cursor to the end of the row, 1 from its start, 2 the whole row. */
static void erase_row(struct mcred_screen *t, size_t mode)
{
	struct row *r = &t->rows[t->row];

	if (mode == 0)
		cut_row(r, t->col);
	else if (mode == 1)
		blank_row_start(r, t->col);
	else
		wipe_row(r);
}

static void save_cursor(struct mcred_screen *t)
{
	t->saved_row = t->row;
	t->saved_col = t->col;
}

static void restore_cursor(struct mcred_screen *t)
{
	t->row = t->saved_row < t->nrows ? t->saved_row : t->nrows - 1;
	t->col = t->saved_col;
}

static void run_csi(struct mcred_screen *t, uint8_t final)
{
	switch (final) {
	case 'A': cursor_up(t, count_param(t, 0, 1)); break;
	case 'B': cursor_down(t, count_param(t, 0, 1)); break;
	case 'C': set_col(t, t->col + count_param(t, 0, 1)); break;
	case 'D': {
		size_t n = count_param(t, 0, 1);

		t->col = t->col >= n ? t->col - n : 0;
		break;
	}
	case 'E':
		cursor_down(t, count_param(t, 0, 1));
		t->col = 0;
		break;
	case 'F':
		cursor_up(t, count_param(t, 0, 1));
		t->col = 0;
		break;
	case 'G': set_col(t, count_param(t, 0, 1) - 1); break;
	case 'H':
	case 'f':
		/* rows count from the top of what is on this screen */
		t->row = 0;
		cursor_down(t, count_param(t, 0, 1) - 1);
		set_col(t, count_param(t, 1, 1) - 1);
		break;
	case 'J': erase_screen(t, mode_param(t)); break;
	case 'K': erase_row(t, mode_param(t)); break;
	case 's': save_cursor(t); break;
	case 'u': restore_cursor(t); break;
	default: break; /* colours (m) and the rest change nothing on the rows */
	}
}

/* A byte inside ESC [ ...: a digit, ';', a private or intermediate byte, or the final byte. */
static void csi_byte(struct mcred_screen *t, uint8_t b)
{
	if (b >= '0' && b <= '9') {
		unsigned *p;

		if (t->nparams == 0)
			t->nparams = 1;
		p = &t->params[t->nparams - 1];
		*p = *p * 10 + (b - '0');
		if (*p > CSI_MAX_VALUE)
			*p = CSI_MAX_VALUE;
		return;
	}
	if (b == ';') {
		if (t->nparams == 0)
			t->nparams = 1;
		if (t->nparams < CSI_MAX_PARAMS)
			t->params[t->nparams++] = 0;
		return;
	}
	if (b >= 0x40 && b <= 0x7e) {
		run_csi(t, b);
		t->escape = ESCAPE_NONE;
	}
	/* '?', '>', intermediate bytes: part of the sequence, no meaning here */
}

static void escape_byte(struct mcred_screen *t, uint8_t b)
{
	t->escape = ESCAPE_NONE;
	switch (b) {
	case '[':
		t->escape = ESCAPE_CSI;
		t->nparams = 0;
		memset(t->params, 0, sizeof(t->params));
		break;
	case '7': save_cursor(t); break;
	case '8': restore_cursor(t); break;
	default: break; /* ESC and one byte: nothing on the rows */
	}
}

int mcred_screen_put(struct mcred_screen *t, uint8_t b, mcred_screen_row_cb scrolled, void *user)
{
	if (t->escape == ESCAPE_START) {
		escape_byte(t, b);
		return 0;
	}
	if (t->escape == ESCAPE_CSI) {
		if (b == ESC)
			t->escape = ESCAPE_START; /* a new sequence cuts an unfinished one */
		else
			csi_byte(t, b);
		return 0;
	}
	switch (b) {
	case ESC: t->escape = ESCAPE_START; return 0;
	case '\n': line_feed(t, scrolled, user); return 1;
	case '\r': t->col = 0; return 0;
	case '\b':
		if (t->col > 0)
			t->col--;
		return 0;
	case '\t': write_char(t, '\t'); return 0;
	default:
		/* NUL, DEL and other control bytes print nothing */
		if (b >= 0x20 && b != 0x7f)
			write_char(t, (char)b);
		return 0;
	}
}
