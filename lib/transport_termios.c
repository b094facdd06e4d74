/*
 * Transport over plain POSIX termios, for character devices libserialport
 * refuses: pseudo-terminals from socat, ser2net or the simulated modem
 * (libserialport wants a /sys/class/tty entry and modem-control lines).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "error.h"
#include "port_access.h"
#include "transport_termios.h"

struct speed_entry {
	unsigned baud;
	speed_t code;
};

static const struct speed_entry speeds[] = {
	{ 1200, B1200 },       { 2400, B2400 },       { 4800, B4800 },       { 9600, B9600 },
	{ 19200, B19200 },     { 38400, B38400 },     { 57600, B57600 },     { 115200, B115200 },
	{ 230400, B230400 },   { 460800, B460800 },   { 500000, B500000 },   { 576000, B576000 },
	{ 921600, B921600 },   { 1000000, B1000000 }, { 1152000, B1152000 }, { 1500000, B1500000 },
	{ 2000000, B2000000 }, { 3000000, B3000000 }, { 4000000, B4000000 },
};

static int speed_code(unsigned baud, speed_t *code)
{
	for (size_t i = 0; i < sizeof(speeds) / sizeof(speeds[0]); i++) {
		if (speeds[i].baud == baud) {
			*code = speeds[i].code;
			return 0;
		}
	}
	return -1;
}

/* The rates of the table, "1200, 2400, ... or 4000000", into buf (size bytes). */
static const char *speed_list(char *buf, size_t size)
{
	size_t n = sizeof(speeds) / sizeof(speeds[0]), used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && used < size; i++)
		used += (size_t)snprintf(buf + used, size - used, "%s%u",
					 i == 0       ? ""
					 : i + 1 == n ? " or "
						      : ", ",
					 speeds[i].baud);
	return buf;
}

/* Heap-held so the transport's user pointer owns the descriptor. */
struct termios_port {
	int fd;
	int exclusive; /* TIOCEXCL set (mcred_port_claim()): cleared at close */
};

/* Raw 8N1, receiver on, modem lines ignored, optional RTS/CTS. */
static int configure(int fd, speed_t speed, enum mcred_flow flow)
{
	struct termios tio;

	if (tcgetattr(fd, &tio) != 0)
		return -1;
	cfmakeraw(&tio);
	tio.c_cflag &= ~(tcflag_t)(CSIZE | PARENB | CSTOPB | CRTSCTS);
	tio.c_cflag |= CS8 | CLOCAL | CREAD;
	if (flow == MCRED_FLOW_RTSCTS)
		tio.c_cflag |= CRTSCTS;
	tio.c_iflag &= ~(tcflag_t)(IXON | IXOFF | IXANY);
	tio.c_cc[VMIN] = 0;
	tio.c_cc[VTIME] = 0;
	if (cfsetispeed(&tio, speed) != 0 || cfsetospeed(&tio, speed) != 0)
		return -1;
	if (tcsetattr(fd, TCSANOW, &tio) != 0)
		return -1;
	/*
	 * No flush: whatever arrived before we opened belongs to nobody, but the
	 * engine reads it away itself, so that it knows whether a line had
	 * begun (a flush would leave its tail to look like a line of its own).
	 */
	return 0;
}

/* Wait for events on fd; 1 ready, 0 timeout, -1 error. */
static int wait_for(int fd, short events, unsigned timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	int n;

	do {
		n = poll(&pfd, 1, (int)timeout_ms);
	} while (n < 0 && errno == EINTR);
	if (n <= 0)
		return n;
	if (pfd.revents & events)
		return 1;
	return -1; /* POLLERR/POLLHUP/POLLNVAL without data: the line is gone */
}

static int termios_read(void *user, uint8_t *buf, size_t len, unsigned timeout_ms)
{
	struct termios_port *tp = user;
	ssize_t n;
	int ready = wait_for(tp->fd, POLLIN, timeout_ms);

	if (ready <= 0)
		return ready;
	do {
		n = read(tp->fd, buf, len > INT32_MAX ? INT32_MAX : len);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
	/* 0 after POLLIN means end of file: the other side hung up. */
	return n == 0 ? -1 : (int)n;
}

/* One write(); 0 when the output buffer is full (the descriptor does not block). */
static int write_some(int fd, const uint8_t *buf, size_t len)
{
	ssize_t n;

	do {
		n = write(fd, buf, len > INT32_MAX ? INT32_MAX : len);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
	return (int)n;
}

/* The output buffer usually has room: write first, wait only when it is full. */
static int termios_write(void *user, const uint8_t *buf, size_t len, unsigned timeout_ms)
{
	struct termios_port *tp = user;
	int n = write_some(tp->fd, buf, len);
	int ready;

	if (n != 0)
		return n;
	ready = wait_for(tp->fd, POLLOUT, timeout_ms);
	return ready <= 0 ? ready : write_some(tp->fd, buf, len);
}

static void termios_close(void *user)
{
	struct termios_port *tp = user;

	mcred_port_release(tp->fd, tp->exclusive);
	close(tp->fd);
	free(tp);
}

/* open() failed with errno e: why, and what to do. */
static enum mcred_err open_failure(const char *port, int e, struct mcred_error *err)
{
	char text[128], hint[512];

	if (e == EBUSY)
		return mcred_port_busy_at_open(port, err);
	return mcred_error_set(err, MCRED_ERR_PORT, "cannot open %s: %s%s", port,
			       mcred_errno_text(e, text, sizeof(text)),
			       mcred_port_open_hint(port, e, hint, sizeof(hint)));
}

enum mcred_err mcred_transport_open_termios(struct mcred_transport *t, const char *port,
					    const struct mcred_options *o, struct mcred_error *err)
{
	struct termios_port *tp;
	speed_t speed;
	int fd, saved, exclusive;
	char text[128], hint[512];
	enum mcred_err rc;

	if (speed_code(o->baud, &speed) != 0)
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "baud rate %u cannot be set on %s: use the device's rate, "
				       "one of %s (Nordic kits: 115200)",
				       o->baud, port, speed_list(hint, sizeof(hint)));
	fd = open(port, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return open_failure(port, errno, err);
	if (!isatty(fd)) { /* /dev/null and the like: no port, whoever holds it */
		saved = errno;
		close(fd);
		return mcred_error_set(err, MCRED_ERR_PORT, "cannot use %s: %s%s", port,
				       mcred_errno_text(saved, text, sizeof(text)),
				       mcred_port_open_hint(port, saved, hint, sizeof(hint)));
	}
	/* the port is ours before it is even configured: nothing was sent yet */
	rc = mcred_port_claim(fd, port, o, &exclusive, err);
	if (rc != MCRED_OK) {
		close(fd);
		return rc;
	}
	if (configure(fd, speed, o->flow) != 0) {
		saved = errno;
		mcred_port_release(fd, exclusive);
		close(fd);
		return mcred_error_set(err, MCRED_ERR_PORT, "cannot configure %s: %s%s", port,
				       mcred_errno_text(saved, text, sizeof(text)),
				       mcred_port_open_hint(port, saved, hint, sizeof(hint)));
	}
	tp = malloc(sizeof(*tp));
	if (!tp) {
		mcred_port_release(fd, exclusive);
		close(fd);
		return mcred_error_set(err, MCRED_ERR_NOMEM, "out of memory");
	}
	tp->fd = fd;
	tp->exclusive = exclusive;
	t->read = termios_read;
	t->write = termios_write;
	t->close = termios_close;
	t->user = tp;
	return MCRED_OK;
}
