/*
 * The wire: the loop that serves clients, and everything that makes the pty
 * behave like a UART at a given speed.
 *
 * Reception never stops: every wait also reads the pty, and complete commands
 * queue up while the modem is busy with one (answering, --latency-ms). The
 * main loop processes them in order.
 *
 * Pacing (--baud N): one byte takes 10/N seconds (8N1). Output is released in
 * small chunks (a millisecond of line time; after a late wake-up, all the
 * line has carried since, in one write) no earlier than the emulated line
 * could have carried it. Input
 * is read as fast as the client writes it, but a command is not processed
 * before its last byte could have arrived on the emulated line.
 *
 * Fragmentation (--fragment) writes output in random 1-7 byte chunks with
 * tiny pauses, so a client's parser sees every possible split.
 *
 * URCs (--urc-every MS): every MS milliseconds of wall-clock time between
 * commands the online modem changes something (net.c) and the application
 * prints what it makes of it (async.c); at.c also puts one inside every
 * third answer, at a line boundary. Such output goes out whole in one write
 * (never fragmented, never half for one client and half for the next), and
 * not while the output line is open (after an answer the AT host cut
 * mid-line), so it never lands inside an answer line. The emulated-time
 * asynchronous output of --async-ms needs no timer: it comes with the
 * commands (async.c).
 *
 * A device reset (SIGUSR1, --reset-after-cmd) is carried out between
 * commands; sleeps end early when one is requested.
 *
 * All waits go through pselect() with SIGTERM/SIGINT unblocked, so shutdown is
 * prompt whatever the simulator is doing.
 */
#include "sim.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/select.h>
#include <unistd.h>

/* Shell mode: a half-received line older than this is left from a vanished
 * client when inotify is not available to tell us (see pty.c). */
#define STALE_COMMAND_S 2.0
/* Stop reading (the client's writes then block, like RTS/CTS) while this
 * much received input waits to be processed. */
#define MAX_QUEUED_BYTES (256 * 1024)
/* A client that leaves this much output unread is not reading: no URC. */
#define URC_MAX_UNREAD 1024

static void receive(struct sim *sim);

/* ---- time ----------------------------------------------------------------- */

void ts_now(struct timespec *t)
{
	clock_gettime(CLOCK_MONOTONIC, t);
}

void ts_add(struct timespec *t, double seconds)
{
	long long ns = t->tv_nsec + (long long)(seconds * 1e9);
	t->tv_sec += (time_t)(ns / 1000000000LL);
	t->tv_nsec = (long)(ns % 1000000000LL);
}

int ts_before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

static double ts_diff(const struct timespec *later, const struct timespec *earlier)
{
	return (double)(later->tv_sec - earlier->tv_sec) +
	       (double)(later->tv_nsec - earlier->tv_nsec) / 1e9;
}

/*
 * Wait until the master is readable (or writable, if want_write), a client
 * opens or closes, or timeout_s passes (< 0: no limit). Shutdown signals are
 * unblocked for exactly the duration of the wait, so a SIGTERM arriving just
 * before cannot be missed: pselect() is the POSIX way to do that. Whatever
 * arrived is received before returning. Returns 1 if the master is writable.
 */
static int wait_io(struct sim *sim, int want_write, double timeout_s)
{
	fd_set rd, wr;
	FD_ZERO(&rd);
	FD_ZERO(&wr);
	int reading = sim->queue.bytes < MAX_QUEUED_BYTES;
	if (reading)
		FD_SET(sim->master_fd, &rd);
	if (want_write)
		FD_SET(sim->master_fd, &wr);
	if (sim->watch_fd >= 0)
		FD_SET(sim->watch_fd, &rd);
	int maxfd = sim->master_fd > sim->watch_fd ? sim->master_fd : sim->watch_fd;

	sigset_t open_mask;
	sigemptyset(&open_mask);
	struct timespec ts, *tp = NULL;
	if (timeout_s >= 0) {
		ts.tv_sec = (time_t)timeout_s;
		ts.tv_nsec = (long)((timeout_s - (double)ts.tv_sec) * 1e9);
		tp = &ts;
	}
	int ready = pselect(maxfd + 1, &rd, &wr, NULL, tp, &open_mask);
	/*
	 * pselect() told whether a client event is pending: the inotify file
	 * is read only then (paced output waits before every chunk).
	 */
	sim->events_checked = ready >= 0;
	if (ready <= 0)
		return 0;
	/* Session changes first: a new client's open precedes its bytes. */
	if (sim->watch_fd >= 0 && FD_ISSET(sim->watch_fd, &rd))
		pty_client_events(sim);
	if (reading && FD_ISSET(sim->master_fd, &rd))
		receive(sim);
	return want_write && FD_ISSET(sim->master_fd, &wr);
}

int sleep_until(struct sim *sim, const struct timespec *deadline)
{
	struct timespec now;
	for (;;) {
		if (sim_stop || sim_reset_requested)
			return 1;
		ts_now(&now);
		if (!ts_before(&now, deadline))
			return 0;
		wait_io(sim, 0, ts_diff(deadline, &now));
	}
}

int sleep_seconds(struct sim *sim, double seconds)
{
	struct timespec t;
	ts_now(&t);
	ts_add(&t, seconds);
	return sleep_until(sim, &t);
}

/* ---- output --------------------------------------------------------------- */

/* The next pseudo-random number (a fixed LCG: runs are reproducible by seed). */
static unsigned next_rand(struct sim *sim)
{
	sim->rng = sim->rng * 1103515245u + 12345u;
	return (sim->rng >> 16) & 0x7fff;
}

/*
 * Write everything, waiting while the pty buffer is full. Gives up (-1) when
 * the client has gone (its answer is lost, as on a real line) or on shutdown.
 * best_effort: give up at once when the buffer is full (periodic URCs).
 */
static int write_all(struct sim *sim, const char *p, size_t len, int best_effort, unsigned session)
{
	while (len > 0) {
		if (!sim->events_checked)
			pty_client_events(sim);
		sim->events_checked = 0;
		if (sim_stop || sim->clients == 0 || sim->sessions_ended != session)
			return -1; /* nobody listening: the bytes go nowhere */
		if (sim_reset_requested)
			return -1; /* the device restarts: its output stops here */
		ssize_t n = write(sim->master_fd, p, len);
		if (n > 0) {
			sim->line_open = p[n - 1] != '\n';
			sim->tx_bytes += (unsigned long long)n;
			p += n;
			len -= (size_t)n;
			continue;
		}
		if ((n < 0 && errno != EAGAIN && errno != EINTR) || best_effort)
			return -1;
		wait_io(sim, 1, 1.0);
	}
	return 0;
}

/* Bytes per chunk when pacing: about a millisecond of line time. */
static size_t pace_chunk(const struct sim *sim)
{
	size_t n = (size_t)(0.001 / sim->byte_time);
	return n ? n : 1;
}

/*
 * Woken late (the host was busy): the bytes the line has carried since
 * tx_free, at most max, go out with the chunk due, as a USB serial bridge
 * hands over all it holds when the host asks late. None leaves before its
 * time; fewer, larger writes when the machine is loaded.
 */
static size_t carried_meanwhile(struct sim *sim, size_t max)
{
	struct timespec now;
	double late;
	size_t n;

	ts_now(&now);
	late = ts_diff(&now, &sim->tx_free);
	if (late <= 0 || max == 0)
		return 0;
	n = (size_t)(late / sim->byte_time);
	if (n > max)
		n = max;
	ts_add(&sim->tx_free, (double)n * sim->byte_time);
	return n;
}

static void send_chunks(struct sim *sim, const char *data, size_t len, int best_effort,
			unsigned session)
{
	if (!sim->byte_time && !sim->opt.fragment) {
		write_all(sim, data, len, best_effort, session);
		return;
	}
	/* The line may have been idle: transmission starts now at the earliest.
	 * Within one send the chunks follow each other back to back, so a late
	 * wake-up is caught up on instead of adding up. */
	struct timespec now;
	ts_now(&now);
	if (ts_before(&sim->tx_free, &now))
		sim->tx_free = now;
	while (len > 0 && !sim_stop) {
		size_t n = sim->opt.fragment ? 1 + next_rand(sim) % 7 : pace_chunk(sim);
		if (n > len)
			n = len;
		if (sim->byte_time) {
			/* A chunk is on the client's side once the line carried it. */
			ts_add(&sim->tx_free, (double)n * sim->byte_time);
			sleep_until(sim, &sim->tx_free);
			if (!sim->opt.fragment)
				n += carried_meanwhile(sim, len - n);
		}
		if (write_all(sim, data, n, best_effort, session))
			return;
		if (sim->opt.fragment && !sim->byte_time)
			sleep_seconds(sim, (double)(50 + next_rand(sim) % 400) / 1e6);
		data += n;
		len -= n;
	}
}

void io_send(struct sim *sim, const char *data, size_t len)
{
	send_chunks(sim, data, len, 0, sim->answer_session);
}

/* Bytes sent and not yet read by the client. */
static int unread_output(const struct sim *sim)
{
	int n = 0;
	return ioctl(sim->slave_fd, FIONREAD, &n) == 0 ? n : 0;
}

/*
 * A periodic URC (--urc-every), in one write: a client that opens the port
 * meanwhile can never get the rest of a line begun for the one before.
 * Dropped when the client does not read (like a modem whose UART buffer
 * overflows) and while the output line is open, so it never lands inside an
 * answer line.
 */
static void send_periodic_urc(struct sim *sim)
{
	if ((sim->line_open && !sim->opt.shell) || unread_output(sim) > URC_MAX_UNREAD)
		return;
	struct buf b = { 0 };
	async_urc_every_step(sim);
	async_emit(sim, &b, sim->opt.shell ? CTX_SHELL_IDLE : CTX_RAW, "", 0);
	if (b.len == 0) {
		buf_free(&b);
		return;
	}
	if (sim->byte_time) {
		struct timespec now;
		ts_now(&now);
		if (ts_before(&sim->tx_free, &now))
			sim->tx_free = now;
		ts_add(&sim->tx_free, (double)b.len * sim->byte_time);
		sleep_until(sim, &sim->tx_free);
	}
	if (!sim_reset_requested)
		write_all(sim, b.data, b.len, 0, sim->sessions_ended);
	buf_free(&b);
}

/* ---- input --------------------------------------------------------------- */

static void enqueue(struct sim *sim, const struct timespec *arrival)
{
	struct command_queue *q = &sim->queue;
	if (q->count == q->cap) {
		/* Grow and unwrap the ring so that head is 0 again. */
		size_t cap = q->cap ? q->cap * 2 : 8;
		struct command *items = calloc(cap, sizeof(*items));
		if (!items)
			abort();
		for (size_t i = 0; i < q->count; i++)
			items[i] = q->items[(q->head + i) % q->cap];
		free(q->items);
		q->items = items;
		q->cap = cap;
		q->head = 0;
	}
	struct command *c = &q->items[(q->head + q->count++) % q->cap];
	struct line *l = &sim->line;
	memset(c, 0, sizeof(*c));
	buf_add(&c->cmd, l->cmd.data, l->cmd.len);
	buf_add(&c->raw, l->raw.data, l->raw.len);
	c->overflow = l->overflow;
	c->dropped = l->dropped;
	c->cancelled = l->cancelled;
	c->arrival = *arrival;
	c->session = sim->sessions_ended;
	q->bytes += l->raw.len + l->overflow;
	line_reset(l);
}

static void free_command(struct command *c)
{
	buf_free(&c->cmd);
	buf_free(&c->raw);
}

/*
 * Feed received bytes to the line assembler. With pacing, byte i of a batch
 * read at time t "arrives" at max(t, end of previous batch) + (i+1) byte
 * times; a command is due when its last byte has arrived.
 */
static void feed(struct sim *sim, const unsigned char *data, size_t n)
{
	struct timespec start;
	ts_now(&start);
	if (sim->byte_time && ts_before(&start, &sim->rx_free))
		start = sim->rx_free;
	sim->rx_free = start;
	ts_add(&sim->rx_free, (double)n * sim->byte_time);

	for (size_t i = 0; i < n; i++) {
		enum line_event ev = app_feed(sim, data[i]);
		if (ev == LINE_NONE)
			continue;
		struct timespec arrival = start;
		ts_add(&arrival, (double)(i + 1) * sim->byte_time);
		enqueue(sim, &arrival);
	}
}

/* Read whatever the clients have written (the master is non-blocking). */
static void receive(struct sim *sim)
{
	unsigned char data[4096];
	while (sim->queue.bytes < MAX_QUEUED_BYTES) {
		ssize_t n = read(sim->master_fd, data, sizeof(data));
		if (n <= 0)
			return; /* EAGAIN: all read. EIO cannot happen while we hold the slave. */
		sim->rx_bytes += (unsigned long long)n;
		ts_now(&sim->last_rx);
		feed(sim, data, (size_t)n);
	}
}

void io_init(struct sim *sim)
{
	sim->byte_time = sim->opt.baud > 0 ? 10.0 / (double)sim->opt.baud : 0;
	/*
	 * Linux lets a sleep end up to 50 us late by default (timer slack): at
	 * 1 Mbaud that is five byte times per wait, which a UART never adds.
	 */
	if (sim->byte_time)
		(void)prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
	sim->rng = sim->opt.seed;
	ts_now(&sim->tx_free);
	sim->rx_free = sim->tx_free;
	sim->last_rx = sim->tx_free;
	sim->next_urc = sim->tx_free;
	ts_add(&sim->next_urc, (double)sim->opt.urc_every_ms / 1000.0);
	sim->watch_fd = -1;
	sim->clients = -1;
}

/* A half line the shell forgets when its client vanished (the AT host keeps
 * its buffer whatever happens to clients: pty.c). */
static int partial_command(const struct sim *sim)
{
	return sim->opt.shell && (sim->line.raw.len || sim->line.overflow);
}

/* Seconds until the next timed event (URC, stale command), or -1 for none. */
static double next_timeout(const struct sim *sim)
{
	struct timespec now;
	ts_now(&now);
	double t = -1;
	if (sim->opt.urc_every_ms > 0) {
		t = ts_diff(&sim->next_urc, &now);
		if (t < 0)
			t = 0;
	}
	if (sim->clients < 0 && partial_command(sim)) {
		double s = STALE_COMMAND_S - ts_diff(&now, &sim->last_rx);
		if (s < 0)
			s = 0;
		if (t < 0 || s < t)
			t = s;
	}
	return t;
}

static void on_timers(struct sim *sim)
{
	struct timespec now;
	ts_now(&now);
	if (sim->opt.urc_every_ms > 0 && !ts_before(&now, &sim->next_urc)) {
		send_periodic_urc(sim);
		ts_now(&sim->next_urc);
		ts_add(&sim->next_urc, (double)sim->opt.urc_every_ms / 1000.0);
	}
	if (sim->clients < 0 && partial_command(sim) &&
	    ts_diff(&now, &sim->last_rx) >= STALE_COMMAND_S)
		line_reset(&sim->line);
}

/* Process the oldest queued command once its last byte has arrived. */
static void process_next(struct sim *sim)
{
	struct command_queue *q = &sim->queue;
	struct command c = q->items[q->head];
	q->head = (q->head + 1) % q->cap;
	q->count--;
	q->bytes -= c.raw.len + c.overflow;
	if (!sleep_until(sim, &c.arrival))
		at_handle_command(sim, &c);
	free_command(&c);
}

void io_drop_input(struct sim *sim)
{
	struct command_queue *q = &sim->queue;
	while (q->count) {
		free_command(&q->items[q->head]);
		q->head = (q->head + 1) % q->cap;
		q->count--;
	}
	q->bytes = 0;
	line_reset(&sim->line);
}

/* --banner: the boot banner waits for the first client (a terminal opened on
 * a board as it powers up); without inotify it goes out at once. */
static void send_owed_banner(struct sim *sim)
{
	if (!sim->banner_owed || sim->clients == 0)
		return;
	sim->banner_owed = 0;
	sim->answer_session = sim->sessions_ended;
	device_send_banner(sim);
}

int io_serve(struct sim *sim)
{
	while (!sim_stop) {
		if (sim_reset_requested) {
			device_reset(sim);
			continue;
		}
		send_owed_banner(sim);
		if (sim->queue.count) {
			process_next(sim);
			continue;
		}
		on_timers(sim);
		wait_io(sim, 0, next_timeout(sim));
	}
	return 0;
}

void io_free(struct sim *sim)
{
	io_drop_input(sim);
	free(sim->queue.items);
	buf_free(&sim->line.cmd);
	buf_free(&sim->line.raw);
}
