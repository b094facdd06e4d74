/*
 * The pseudo-terminal that plays the modem's UART.
 *
 * The simulator reads and writes the master side; clients open the slave
 * through the symlink given with --link. The simulator keeps its own slave fd
 * open for its whole life: otherwise the master would see EIO/hangup every
 * time the last client closes, and the next client would find a dead line.
 *
 * --stale TEXT: bytes already waiting in the line when a client opens it (a
 * prompt the device printed after its last command, half a line, an old
 * answer, which sat in the USB or tty buffer). They are put into the line
 * before the link appears and again each time the last client has closed
 * (after what that client left unread is discarded), so every session
 * starts with them.
 */
#include "sim.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pty.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <termios.h>
#include <unistd.h>

/* Raw 8-bit line: no echo, no CR/LF translation, no signals from ^C. */
static int make_raw(int fd)
{
	struct termios t;
	if (tcgetattr(fd, &t))
		return -1;
	cfmakeraw(&t);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	return tcsetattr(fd, TCSANOW, &t);
}

/* Publish the slave as `link` atomically (symlink to a temp name + rename), so
 * a reader never sees a half-made link and a stale link is replaced. */
static int publish_link(const char *link, const char *target)
{
	char tmp[PATH_MAX];
	if (snprintf(tmp, sizeof(tmp), "%s.tmp%ld", link, (long)getpid()) >= (int)sizeof(tmp))
		return -1;
	unlink(tmp);
	if (symlink(target, tmp))
		return -1;
	if (rename(tmp, link)) {
		int e = errno;
		unlink(tmp);
		errno = e;
		return -1;
	}
	return 0;
}

/* --stale: the bytes wait on the slave side for the next client. */
static void queue_stale(struct sim *sim)
{
	const char *p = sim->opt.stale.data;
	size_t len = sim->opt.stale.len;

	while (len > 0) {
		ssize_t n = write(sim->master_fd, p, len);
		if (n <= 0)
			return; /* a full buffer: what did not fit is not stale */
		p += n;
		len -= (size_t)n;
	}
}

int pty_open(struct sim *sim)
{
	char name[PATH_MAX];
	if (openpty(&sim->master_fd, &sim->slave_fd, NULL, NULL, NULL)) {
		fprintf(stderr, "modemsim: openpty: %s\n", strerror(errno));
		return -1;
	}
	if (ttyname_r(sim->slave_fd, name, sizeof(name)) || make_raw(sim->slave_fd)) {
		fprintf(stderr, "modemsim: pty setup: %s\n", strerror(errno));
		return -1;
	}
	/* Non-blocking master: every wait goes through pselect so that SIGTERM
	 * always gets through, and a URC can be dropped when nobody reads. */
	int fl = fcntl(sim->master_fd, F_GETFL);
	fcntl(sim->master_fd, F_SETFL, fl | O_NONBLOCK);
	fcntl(sim->master_fd, F_SETFD, FD_CLOEXEC);
	fcntl(sim->slave_fd, F_SETFD, FD_CLOEXEC);

	/* Watch before publishing the link, so no client open is missed. */
	sim->clients = -1;
	sim->watch_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (sim->watch_fd >= 0 && inotify_add_watch(sim->watch_fd, name, IN_OPEN | IN_CLOSE) >= 0) {
		sim->clients = 0;
	} else if (sim->watch_fd >= 0) {
		close(sim->watch_fd);
		sim->watch_fd = -1;
	}

	queue_stale(sim);
	if (publish_link(sim->opt.link, name)) {
		fprintf(stderr, "modemsim: cannot create link %s: %s\n", sim->opt.link,
			strerror(errno));
		return -1;
	}
	return 0;
}

void pty_close(struct sim *sim)
{
	/* Remove the link only if it still points at our pty (a newer simulator
	 * may have replaced it). */
	char target[PATH_MAX], name[PATH_MAX];
	ssize_t n = readlink(sim->opt.link, target, sizeof(target) - 1);
	if (n >= 0) {
		target[n] = '\0';
		if (ttyname_r(sim->slave_fd, name, sizeof(name)) || !strcmp(name, target))
			unlink(sim->opt.link);
	}
	if (sim->watch_fd >= 0)
		close(sim->watch_fd);
	sim->watch_fd = -1;
	if (sim->master_fd >= 0)
		close(sim->master_fd);
	if (sim->slave_fd >= 0)
		close(sim->slave_fd);
	sim->master_fd = sim->slave_fd = -1;
}

int pty_client_events(struct sim *sim)
{
	if (sim->watch_fd < 0)
		return 0;
	int new_session = 0;
	char events[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t n;
	while ((n = read(sim->watch_fd, events, sizeof(events))) > 0) {
		for (char *p = events; p < events + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)(void *)p;
			if (ev->mask & IN_OPEN) {
				if (sim->clients == 0)
					new_session = 1;
				sim->clients++;
			}
			if ((ev->mask & IN_CLOSE) && sim->clients > 0 && --sim->clients == 0) {
				sim->sessions_ended++;
				/* What the client left unread goes nowhere. */
				tcflush(sim->slave_fd, TCIFLUSH);
				queue_stale(sim);
			}
			p += sizeof(*ev) + ev->len;
		}
	}
	if (new_session) {
		/* Output the previous client never read is still queued on the
		 * slave side: it is lost, as a USB serial port's is (with
		 * --stale that was done at its close, and the stale bytes wait
		 * now). The application keeps what it was given, as a real
		 * device does (it never sees the port open or close): a
		 * command cut off by a client that went away is still there
		 * for the next client's bytes, an AT host left deaf inside
		 * quotes stays deaf, and a line half typed into a shell (by a
		 * terminal program, or a run stopped mid-command) is still in
		 * the shell's line buffer. */
		if (!sim->opt.stale.len)
			tcflush(sim->slave_fd, TCIFLUSH);
	}
	return new_session;
}
