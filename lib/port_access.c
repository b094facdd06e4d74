/*
 * One program per port. On an ordinary Linux desk other programs open a
 * modem's port too: ModemManager probes every new /dev/ttyACM* with AT
 * commands (unless udev marks it ID_MM_DEVICE_IGNORE=1), a terminal program
 * left open reads the answers, a second modemcred talks at the same time.
 * Any of them takes answers meant for us. So a transport takes its port
 * before anything is sent, by three means, each for what the others miss:
 *
 * - flock(2) LOCK_EX|LOCK_NB on the open device, as terminal programs such
 *   as picocom do: it keeps out every libmodemcred handle (also one in this
 *   process: the lock belongs to the open file description) and every
 *   program that keeps the convention; the kernel drops it with the last
 *   descriptor, also when the process dies.
 * - the processes that hold the device open (Linux: /proc/<pid>/fd), for
 *   programs that take no lock (ModemManager, cat, a script).
 * - TIOCEXCL: later open()s by processes without CAP_SYS_ADMIN fail with
 *   EBUSY. Not on a pseudo-terminal: there the flag outlives our close as
 *   long as the master side is open (verified on Linux 6.x), so a modemcred
 *   that was killed would lock every other user out of the simulator's or
 *   socat's line until it restarts; flock covers pseudo-terminals.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#ifdef __linux__
#include <dirent.h>
#include <linux/kcmp.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#endif

#include "error.h"
#include "port_access.h"

/* At most this many holders are named in a message. */
#define HOLDERS_NAMED 4

/* ---- the holders of a device ------------------------------------------------ */

struct holder {
	long pid;
	char program[64];
};

/*
 * The device looked for: its number, and the name a descriptor of it shows
 * in /proc/<pid>/fd (the path it was opened by, symlinks resolved, e.g.
 * /dev/ttyACM0 for /dev/serial/by-id/...), "" when unknown.
 */
struct device {
	dev_t rdev;
	char path[256];
};

struct holders {
	struct holder *found; /* count of them (malloc'd) */
	size_t count;
	size_t hidden; /* processes whose descriptors this user may not read */
	/*
	 * A ModemManager among those: it runs as root, so a desk user cannot
	 * see what it holds, and it opens the ports it probes with TIOCEXCL
	 * (ModemManager src/mm-port-serial.c, mm_port_serial_open()): the
	 * likely holder of a port whose open fails with EBUSY. 0: none.
	 */
	long hidden_modem_manager;
};

static void holders_free(struct holders *h)
{
	free(h->found);
	memset(h, 0, sizeof(*h));
}

/*
 * One device looked for, and what the look found: its holders, and what the
 * process being looked at holds of it.
 */
struct sought {
	struct device dev;
	struct holders found;
	int held;    /* the device (a pty's slave side) */
	int held_fd; /* through this descriptor (the first one found) */
	int owned;   /* its master side: the process owns the line */
};

#ifdef __linux__

/*
 * Unix98 pseudo-terminal slaves (/dev/pts/N) have this major number and
 * their index N as minor (UNIX98_PTY_SLAVE_MAJOR, include/linux/major.h;
 * drivers/tty/pty.c registers all of them under it).
 */
#define PTY_SLAVE_MAJOR 136

/* The pty index of a slave device, or -1 when dev is no pty slave. */
static long pty_index(dev_t dev)
{
	return major(dev) == PTY_SLAVE_MAJOR ? (long)minor(dev) : -1;
}

/* Does a descriptor whose link reads target hold a pseudo-terminal's master side? */
static int is_master(const char *target)
{
	size_t n = strlen(target);

	return n >= 4 && strcmp(target + n - 4, "ptmx") == 0;
}

/*
 * The pty index whose master side descriptor name of pid holds (a link to
 * /dev/ptmx or /dev/pts/ptmx): the kernel writes it as "tty-index:\t<N>"
 * into /proc/<pid>/fdinfo/<fd> (pty_show_fdinfo() in drivers/tty/pty.c).
 * -1 when fdinfo lacks that line (a kernel too old for it): such a master
 * counts as that of every pty, so that a port is never refused because of
 * its owner. -2 when fdinfo cannot be read.
 */
static long master_index(long pid, const char *name)
{
	char path[320], line[128];
	long found = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/fdinfo/%s", pid, name);
	f = fopen(path, "re");
	if (!f)
		return -2;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "tty-index: %ld", &found) == 1)
			break;
	fclose(f);
	return found;
}

/*
 * May a descriptor shown as target be the device under another name (a
 * second node with its number)? Names that are the device's own are
 * compared as text; a pty slave exists once in /dev/pts, and the system's
 * pseudo devices are never a serial port: neither needs a stat.
 */
static int may_be_other_name(const char *target, const struct device *d)
{
	static const char *const never[] = { "/dev/null",   "/dev/zero",     "/dev/full",
					     "/dev/random", "/dev/urandom",  "/dev/tty",
					     "/dev/ptmx",   "/dev/pts/ptmx", NULL };

	if (pty_index(d->rdev) >= 0 && d->path[0] && strncmp(target, "/dev/pts/", 9) == 0)
		return 0;
	for (size_t i = 0; never[i]; i++)
		if (strcmp(target, never[i]) == 0)
			return 0;
	return 1;
}

/* A descriptor being looked at: its name in /proc/<pid>/fd, its link, its stat once made. */
struct descriptor {
	int dir_fd;
	const char *name;
	const char *target;
	int stated; /* 0: not yet; 1: st is valid; -1: fstatat failed */
	struct stat st;
};

/* Is st (a descriptor's target, stat'ed) the device? */
static int is_device(const struct stat *st, const struct device *d)
{
	return S_ISCHR(st->st_mode) && st->st_rdev == d->rdev;
}

/* Does the descriptor hold the device? */
static int holds_device(struct descriptor *fd, const struct device *d)
{
	if (d->path[0] && strcmp(fd->target, d->path) == 0)
		return 1;
	if (!may_be_other_name(fd->target, d))
		return 0;
	if (!fd->stated)
		fd->stated = fstatat(fd->dir_fd, fd->name, &fd->st, 0) == 0 ? 1 : -1;
	return fd->stated > 0 && is_device(&fd->st, d);
}

/*
 * A process whose descriptors cannot be read: another user's, or a kernel
 * thread (it has no program file and holds nothing). 1 for another user's.
 */
static int is_hidden_process(long pid)
{
	char path[64], target[8];

	snprintf(path, sizeof(path), "/proc/%ld/exe", pid);
	return readlink(path, target, sizeof(target)) >= 0 || errno != ENOENT;
}

/*
 * Read the link of the next descriptor of d that is a path under /dev/
 * (sockets, pipes and files are not devices) into target (len bytes);
 * its entry, or NULL at the end. *denied: the links are listed but not to
 * be read.
 */
static struct dirent *next_device_fd(DIR *d, char *target, size_t len, int *denied)
{
	struct dirent *e;

	while ((e = readdir(d)) != NULL) {
		ssize_t n;

		if (e->d_name[0] == '.')
			continue;
		n = readlinkat(dirfd(d), e->d_name, target, len - 1);
		if (n < 0 && errno == EACCES) {
			*denied = 1;
			return NULL;
		}
		if (n <= 5)
			continue;
		target[n] = '\0';
		if (strncmp(target, "/dev/", 5) == 0)
			return e;
	}
	return NULL;
}

/*
 * The process holds a sought pty (its descriptors in d): which of the held
 * ones does it own, holding their master side too? Only then are its
 * masters' fdinfo files read, one each.
 */
static void note_owned(long pid, DIR *d, struct sought *s, size_t n)
{
	char target[256];
	struct dirent *e;
	int denied = 0;

	rewinddir(d);
	while ((e = next_device_fd(d, target, sizeof(target), &denied)) != NULL) {
		long index;

		if (!is_master(target))
			continue;
		index = master_index(pid, e->d_name);
		for (size_t i = 0; i < n; i++) {
			long own = pty_index(s[i].dev.rdev);

			if (s[i].held && own >= 0 && (index == -1 || index == own))
				s[i].owned = 1;
		}
	}
}

/*
 * Look through the descriptors of pid for the sought devices, setting each
 * one's held and owned. Returns -1 when they cannot be read (another user's
 * process, or one the kernel keeps from being inspected even by root: not
 * dumpable, or in another user namespace).
 * It runs for every process: each system call counts. A descriptor's link
 * is read once whatever the number of devices sought, and stat'ed at most
 * once.
 */
static int look_at_process(long pid, struct sought *s, size_t n)
{
	char dir[64], target[256];
	int masters = 0, held_pty = 0, denied = 0;
	struct dirent *e;
	DIR *d;

	for (size_t i = 0; i < n; i++)
		s[i].held = s[i].owned = 0;
	snprintf(dir, sizeof(dir), "/proc/%ld/fd", pid);
	d = opendir(dir);
	if (!d)
		return (errno == EACCES || errno == EPERM) && is_hidden_process(pid) ? -1 : 0;
	while ((e = next_device_fd(d, target, sizeof(target), &denied)) != NULL) {
		struct descriptor fd = { dirfd(d), e->d_name, target, 0, { 0 } };

		if (is_master(target)) {
			masters++;
			continue;
		}
		for (size_t i = 0; i < n; i++)
			if (!s[i].held && holds_device(&fd, &s[i].dev)) {
				s[i].held = 1;
				s[i].held_fd = atoi(e->d_name);
				held_pty |= pty_index(s[i].dev.rdev) >= 0;
			}
	}
	if (!denied && masters && held_pty)
		note_owned(pid, d, s, n);
	closedir(d);
	return denied ? -1 : 0;
}

/* The parent of pid (/proc/<pid>/stat's fourth field, after the name in parentheses); 0 if unknown. */
static long parent_of(long pid)
{
	char path[64], line[512], *name_end;
	long parent = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	if (fgets(line, sizeof(line), f) && (name_end = strrchr(line, ')')) != NULL)
		(void)sscanf(name_end + 1, " %*c %ld", &parent); /* unchanged (0) if it fails */
	fclose(f);
	return parent;
}

/*
 * Does pid's descriptor fd still hold the device? A descriptor may close
 * while the process is looked at.
 */
static int still_holds(long pid, int fd, const struct device *d)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%ld/fd/%d", pid, fd);
	return stat(path, &st) == 0 && is_device(&st, d);
}

/*
 * Is pid's descriptor fd its parent's own, the same open file copied by
 * fork? kcmp(2) compares the two; where it is missing or not allowed the
 * descriptor counts as the child's.
 */
static int is_parents_copy(long pid, int fd)
{
#ifdef SYS_kcmp
	long parent = parent_of(pid);

	return parent > 0 && syscall(SYS_kcmp, (pid_t)pid, (pid_t)parent, KCMP_FILE, fd, fd) == 0;
#else
	(void)pid;
	(void)fd;
	return 0;
#endif
}

/*
 * Is a process seen holding s's device through s->held_fd a holder? Between
 * fork and exec a child holds copies of every descriptor of its parent:
 * Python's subprocess closes them one by one, execve drops the
 * close-on-exec ones only after the process has taken the new program's
 * name. A simulator written in Python that starts any program would
 * otherwise make its own line look held, now and then. Such a copy is
 * judged as the parent's (an owner's is no holder, a holder's is named with
 * the parent), and a descriptor closed meanwhile holds nothing. Asked in
 * that order, a copy closed between the two questions is no holder either.
 */
static int is_holder(long pid, const struct sought *s)
{
	return !is_parents_copy(pid, s->held_fd) && still_holds(pid, s->held_fd, &s->dev);
}

/* /proc/<pid>/comm: the name the process runs under ("ModemManager"). */
static void program_name(long pid, char *buf, size_t len)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/comm", pid);
	buf[0] = '\0';
	f = fopen(path, "re");
	if (f) {
		if (fgets(buf, (int)len, f))
			buf[strcspn(buf, "\n")] = '\0';
		fclose(f);
	}
	if (!buf[0])
		snprintf(buf, len, "a process");
}

/* Whether pid runs ModemManager (its name is readable whoever runs it). */
static int is_modem_manager(long pid)
{
	char name[64];

	program_name(pid, name, sizeof(name));
	return strcmp(name, "ModemManager") == 0;
}

/* Add pid to the holders; 0, or -1 when out of memory. */
static int holders_add(struct holders *h, long pid)
{
	struct holder *grown = realloc(h->found, (h->count + 1) * sizeof(*grown));

	if (!grown)
		return -1;
	h->found = grown;
	grown[h->count].pid = pid;
	program_name(pid, grown[h->count].program, sizeof(grown[h->count].program));
	h->count++;
	return 0;
}

/*
 * The processes other than this one that hold each of the n sought
 * devices open, in one pass over /proc, not counting those that hold its
 * master side (the owner of a pseudo-terminal: a simulator, socat; they
 * usually keep the slave open too, so that the master never sees a
 * hangup). A process in another mount namespace with its own devpts has
 * indexes of its own; such setups are not looked for. name_hidden: also
 * note a ModemManager among the processes not to be read (for an open the
 * kernel refused; every other look spares the extra reads).
 */
static enum mcred_err find_holders(struct sought *s, size_t n, int name_hidden)
{
	long self = (long)getpid(), modem_manager = 0;
	struct dirent *e;
	DIR *proc;

	for (size_t i = 0; i < n; i++)
		memset(&s[i].found, 0, sizeof(s[i].found));
	proc = opendir("/proc");
	if (!proc)
		return MCRED_ERR_UNSUPPORTED;
	while ((e = readdir(proc)) != NULL) {
		char *end;
		long pid = strtol(e->d_name, &end, 10);
		int hidden;

		if (*end || pid <= 0 || pid == self)
			continue;
		hidden = look_at_process(pid, s, n) < 0;
		if (hidden && name_hidden && !modem_manager && is_modem_manager(pid))
			modem_manager = pid;
		for (size_t i = 0; i < n; i++) {
			s[i].found.hidden += (size_t)hidden;
			s[i].found.hidden_modem_manager = modem_manager;
			if (hidden || !s[i].held || s[i].owned || !is_holder(pid, &s[i]))
				continue;
			if (holders_add(&s[i].found, pid) != 0) {
				closedir(proc);
				for (size_t j = 0; j < n; j++)
					holders_free(&s[j].found);
				return MCRED_ERR_NOMEM;
			}
		}
	}
	closedir(proc);
	return MCRED_OK;
}

#else

static long pty_index(dev_t dev)
{
	(void)dev;
	return -1;
}

static enum mcred_err find_holders(struct sought *s, size_t n, int name_hidden)
{
	(void)name_hidden;
	for (size_t i = 0; i < n; i++)
		memset(&s[i].found, 0, sizeof(s[i].found));
	return MCRED_ERR_UNSUPPORTED;
}

#endif

/* The device open on fd (Linux: its name from /proc/self/fd). */
static void device_of_fd(int fd, const struct stat *st, struct device *d)
{
	char link[64];
	ssize_t n;

	memset(d, 0, sizeof(*d));
	d->rdev = st->st_rdev;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, d->path, sizeof(d->path) - 1);
	d->path[n > 0 ? n : 0] = '\0';
}

/* The device port names (a symlink to it too). */
static void device_of_path(const char *port, const struct stat *st, struct device *d)
{
	char resolved[PATH_MAX];

	memset(d, 0, sizeof(*d));
	d->rdev = st->st_rdev;
	if (realpath(port, resolved) && strlen(resolved) < sizeof(d->path))
		memcpy(d->path, resolved, strlen(resolved) + 1);
}

/*
 * Two copies of this program that open a port at the same moment see each
 * other as its holder. The one without the lock refuses and closes the
 * port; the one holding it looks again for a moment (LOOKS_AGAIN times,
 * LOOK_AGAIN_MS apart) instead of refusing too. 1 when every holder found
 * was such a copy and is gone now.
 */
#define LOOKS_AGAIN 50
#define LOOK_AGAIN_MS 20

static int copies_only(const struct holders *h)
{
#ifdef __linux__
	char self[64];

	program_name((long)getpid(), self, sizeof(self));
	for (size_t i = 0; i < h->count; i++)
		if (strcmp(h->found[i].program, self) != 0)
			return 0;
	return h->count > 0 && h->hidden_modem_manager == 0;
#else
	(void)h;
	return 0;
#endif
}

static int copies_backed_off(int fd, const struct stat *st, const struct holders *found)
{
	const struct timespec pause = { 0, LOOK_AGAIN_MS * 1000000L };

	if (!copies_only(found))
		return 0;
	for (int i = 0; i < LOOKS_AGAIN; i++) {
		struct sought again;
		int gone, others;

		nanosleep(&pause, NULL);
		memset(&again, 0, sizeof(again));
		device_of_fd(fd, st, &again.dev);
		if (find_holders(&again, 1, 0) != MCRED_OK)
			return 0;
		gone = again.found.count == 0;
		others = !gone && !copies_only(&again.found);
		holders_free(&again.found);
		if (gone || others)
			return gone;
	}
	return 0;
}

const char *mcred_errno_text(int e, char *buf, size_t len)
{
	if (strerror_r(e, buf, len) != 0)
		snprintf(buf, len, "error %d", e);
	return buf;
}

/* ---- the busy message -------------------------------------------------------- */

/* What to do about one kind of holder. */
static const char *holder_fix(const char *program)
{
	if (strcmp(program, "ModemManager") == 0)
		return "ModemManager probes and keeps modem ports: make it leave the kit alone "
		       "with a udev rule that sets ENV{ID_MM_DEVICE_IGNORE}=\"1\" for it (e.g. "
		       "for ATTRS{idVendor}==\"1366\"), or stop it while you work (sudo "
		       "systemctl stop ModemManager)";
	if (strcmp(program, "modemcred") == 0)
		return "another modemcred is working with this modem: wait for it to finish";
	return "close it (a terminal program such as screen, minicom or picocom reads the "
	       "modem's answers too)";
}

/*
 * "PORT is in use by A (pid 1) and B (pid 2): <fix>". Without a holder to
 * name (flock says busy, but the process is not visible to this user):
 * what probably holds it.
 */
static enum mcred_err busy_error(const char *port, const struct holders *h, struct mcred_error *err)
{
	char names[256] = "";
	size_t named = h->count < HOLDERS_NAMED ? h->count : HOLDERS_NAMED;

	if (h->count == 0)
		return mcred_error_set(err, MCRED_ERR_BUSY,
				       "%s is in use: its lock is held by another handle of this "
				       "program, or by a program this user cannot see (another "
				       "user's modemcred, or a terminal program such as picocom); "
				       "wait for it to finish, or close it",
				       port);
	for (size_t i = 0; i < named; i++) {
		size_t used = strlen(names);

		snprintf(names + used, sizeof(names) - used, "%s%s (pid %ld)",
			 i == 0                                ? ""
			 : i + 1 == named && h->count == named ? " and "
							       : ", ",
			 h->found[i].program, h->found[i].pid);
	}
	if (h->count > named) {
		size_t used = strlen(names);

		snprintf(names + used, sizeof(names) - used, " and %zu more", h->count - named);
	}
	return mcred_error_set(err, MCRED_ERR_BUSY, "%s is in use by %s: %s", port, names,
			       holder_fix(h->found[0].program));
}

/* ---- taking a port ---------------------------------------------------------------- */

/* Exclusive mode for later opens, on a real serial port (see the top of this file). */
static int set_exclusive(int fd, const struct stat *st)
{
#if defined(TIOCEXCL) && defined(__linux__)
	if (pty_index(st->st_rdev) >= 0)
		return 0;
	return ioctl(fd, TIOCEXCL) == 0;
#elif defined(TIOCEXCL)
	(void)st;
	return ioctl(fd, TIOCEXCL) == 0;
#else
	(void)fd;
	(void)st;
	return 0;
#endif
}

/* The survey made before this open, when there is one: what it found of the device, or NULL. */
static const struct holders *surveyed(const mcred_port_survey *survey, dev_t rdev);

enum mcred_err mcred_port_claim(int fd, const char *port, const struct mcred_options *o,
				int *exclusive, struct mcred_error *err)
{
	char text[128];
	struct stat st;
	int locked;

	*exclusive = 0;
	if (fstat(fd, &st) != 0)
		return mcred_error_set(err, MCRED_ERR_PORT, "cannot look at %s: %s", port,
				       mcred_errno_text(errno, text, sizeof(text)));
	/* EWOULDBLOCK: held; other failures (a file system without flock): no lock to honour */
	locked = flock(fd, LOCK_EX | LOCK_NB) == 0 || errno != EWOULDBLOCK;
	if (!o->ignore_busy) {
		const struct holders *found = surveyed(o->port_survey, st.st_rdev);
		struct sought one;
		enum mcred_err rc = MCRED_OK;

		memset(&one, 0, sizeof(one));
		if (!found) {
			device_of_fd(fd, &st, &one.dev);
			/* without /proc (or memory to read it) the lock alone decides */
			(void)find_holders(&one, 1, 0);
			found = &one.found;
		}
		if (!locked || (found->count > 0 && !copies_backed_off(fd, &st, found)))
			rc = busy_error(port, found, err);
		holders_free(&one.found);
		if (rc != MCRED_OK)
			return rc;
	}
	*exclusive = set_exclusive(fd, &st) ? (int)getpid() : 0;
	return MCRED_OK;
}

void mcred_port_release(int fd, int exclusive)
{
#ifdef TIOCNXCL
	if (exclusive && exclusive == (int)getpid())
		ioctl(fd, TIOCNXCL);
#else
	(void)fd;
	(void)exclusive;
#endif
}

enum mcred_err mcred_port_busy_at_open(const char *port, struct mcred_error *err)
{
	struct sought one;
	struct holders *h = &one.found;
	struct stat st;
	enum mcred_err rc;

	memset(&one, 0, sizeof(one));
	if (stat(port, &st) == 0) {
		device_of_path(port, &st, &one.dev);
		(void)find_holders(&one, 1, 1); /* nothing found: the messages below */
	}
	if (h->count > 0)
		rc = busy_error(port, h, err);
	else if (h->hidden_modem_manager)
		rc = mcred_error_set(err, MCRED_ERR_BUSY,
				     "%s is in use: another program opened it for itself alone "
				     "(TIOCEXCL), probably ModemManager (pid %ld), which runs as "
				     "another user and opens the modem ports it probes so: %s",
				     port, h->hidden_modem_manager, holder_fix("ModemManager"));
	else
		rc = mcred_error_set(err, MCRED_ERR_BUSY,
				     "%s is in use: another program opened it for itself alone "
				     "(TIOCEXCL), and its process is not visible to this user; close "
				     "that program (a terminal program; ModemManager: see "
				     "ID_MM_DEVICE_IGNORE in modemcred(1))",
				     port);
	holders_free(h);
	return rc;
}

/* ---- ports that cannot be used ------------------------------------------------------ */

enum mcred_err mcred_port_check_kind(const char *port, struct mcred_error *err)
{
	struct stat st;

	if (stat(port, &st) != 0)
		return MCRED_OK;
	if (S_ISREG(st.st_mode))
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "%s is a regular file, not a serial port: give the modem's "
				       "device as the port (e.g. /dev/ttyACM0, the first port of a "
				       "Nordic kit), and the file where the command takes it",
				       port);
	if (S_ISDIR(st.st_mode))
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "%s is a directory, not a serial port: give the modem's "
				       "device (e.g. /dev/ttyACM0)",
				       port);
	/* opened, a FIFO would pass for a port that answers nothing */
	if (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "%s is a %s, not a serial port: give the modem's device "
				       "(e.g. /dev/ttyACM0), or the pseudo-terminal that socat or "
				       "ser2net makes for a remote one",
				       port, S_ISFIFO(st.st_mode) ? "FIFO (named pipe)" : "socket");
	return MCRED_OK;
}

/* Is gid among this process's groups? */
static int in_group(gid_t gid)
{
	gid_t groups[256];
	int n = getgroups((int)(sizeof(groups) / sizeof(groups[0])), groups);

	if (getegid() == gid)
		return 1;
	for (int i = 0; i < n; i++)
		if (groups[i] == gid)
			return 1;
	return 0;
}

/*
 * The group that may use the device: "dialout" on Debian, Ubuntu and
 * Fedora, "uucp" on Arch. Whether this session is in it decides the fix:
 * join the group, or (joined after logging in) log in again.
 */
static const char *permission_hint(const char *port, char *buf, size_t len)
{
	char text[1024], name[64];
	struct group gr, *found = NULL;
	struct stat st;

	if (stat(port, &st) != 0 || getgrgid_r(st.st_gid, &gr, text, sizeof(text), &found) != 0 ||
	    !found) {
		snprintf(buf, len,
			 " (permission denied: add yourself to the group that owns the port, "
			 "dialout on most systems: sudo usermod -aG dialout $USER, then log out "
			 "and in again)");
		return buf;
	}
	snprintf(name, sizeof(name), "%s", gr.gr_name);
	if (in_group(st.st_gid) || st.st_gid == 0)
		snprintf(buf, len,
			 " (permission denied: %s belongs to user %ld, group %s, and its "
			 "permissions do not let you use it)",
			 port, (long)st.st_uid, name);
	else
		snprintf(buf, len,
			 " (permission denied: %s belongs to group %s, which this session is not "
			 "in: sudo usermod -aG %s $USER, then log out and in again (or run `newgrp "
			 "%s`))",
			 port, name, name, name);
	return buf;
}

const char *mcred_port_open_hint(const char *port, int e, char *buf, size_t len)
{
	switch (e) {
	case EACCES:
	case EPERM: return permission_hint(port, buf, len);
	case ENOENT:
		snprintf(buf, len,
			 " (no such port: is the kit connected? is the simulator running?)");
		return buf;
	case ENOTTY:
		snprintf(buf, len,
			 " (not a serial port: a device that is no terminal; give the modem's "
			 "port, e.g. /dev/ttyACM0)");
		return buf;
	case ENXIO:
	case ENODEV:
		snprintf(buf, len,
			 " (the device is gone: was the kit unplugged or reset? plug it in "
			 "again)");
		return buf;
	default: buf[0] = '\0'; return buf;
	}
}

/* ---- the public look at a port's holders --------------------------------------------- */

void mcred_port_holder_list_free(struct mcred_port_holder_list *list)
{
	if (!list)
		return;
	for (size_t i = 0; i < list->count; i++) {
		if (!list->holders[i])
			continue;
		free((char *)list->holders[i]->program);
		free(list->holders[i]);
	}
	free(list->holders);
	free(list);
}

/* One entry of the public list, allocated with its string. */
static struct mcred_port_holder *new_holder(const struct holder *h)
{
	struct mcred_port_holder *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->size = sizeof(*p);
	p->pid = h->pid;
	p->program = strdup(h->program);
	if (!p->program) {
		free(p);
		return NULL;
	}
	return p;
}

/* What a failed find_holders() means, in err. */
static enum mcred_err look_failed(enum mcred_err rc, struct mcred_error *err)
{
	if (rc == MCRED_ERR_NOMEM)
		return mcred_error_set(err, rc, "out of memory");
	return mcred_error_set(err, MCRED_ERR_UNSUPPORTED,
			       "finding the programs that hold a port needs Linux's /proc");
}

/* The public list of what was found of one device. */
static enum mcred_err holder_list(const struct holders *h, struct mcred_port_holder_list **out,
				  struct mcred_error *err)
{
	struct mcred_port_holder_list *list = calloc(1, sizeof(*list));
	int complete = list != NULL;

	if (list && h->count) {
		list->holders = calloc(h->count, sizeof(*list->holders));
		complete = list->holders != NULL;
	}
	for (size_t i = 0; complete && i < h->count; i++) {
		list->holders[i] = new_holder(&h->found[i]);
		list->count = i + 1; /* what the list holds, for freeing it */
		complete = list->holders[i] != NULL;
	}
	if (!complete) {
		mcred_port_holder_list_free(list);
		return mcred_error_set(err, MCRED_ERR_NOMEM, "out of memory");
	}
	list->hidden = h->hidden;
	mcred_error_clear(err);
	*out = list;
	return MCRED_OK;
}

enum mcred_err mcred_port_holders_get(const char *port, struct mcred_port_holder_list **out,
				      struct mcred_error *err)
{
	struct sought one;
	struct stat st;
	char text[128];
	enum mcred_err rc;

	if (out)
		*out = NULL;
	if (!out || !port || !*port)
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "no port given (e.g. /dev/ttyACM0)");
	if (stat(port, &st) != 0)
		return mcred_error_set(err, MCRED_ERR_PORT, "cannot look at %s: %s", port,
				       mcred_errno_text(errno, text, sizeof(text)));
	if (!S_ISCHR(st.st_mode))
		return mcred_error_set(err, MCRED_ERR_PORT, "%s is not a device", port);
	memset(&one, 0, sizeof(one));
	device_of_path(port, &st, &one.dev);
	rc = find_holders(&one, 1, 0);
	if (rc != MCRED_OK)
		return look_failed(rc, err);
	rc = holder_list(&one.found, out, err);
	holders_free(&one.found);
	return rc;
}

/* ---- one look for many ports ---------------------------------------------------- */

/* The devices of the ports a survey was made for, each with what was found of it. */
struct mcred_port_survey {
	struct sought *ports;
	size_t count;
};

void mcred_port_survey_free(mcred_port_survey *survey)
{
	if (!survey)
		return;
	for (size_t i = 0; i < survey->count; i++)
		holders_free(&survey->ports[i].found);
	free(survey->ports);
	free(survey);
}

enum mcred_err mcred_port_survey_new(mcred_port_survey **out, const char *const *ports,
				     size_t count, struct mcred_error *err)
{
	mcred_port_survey *survey;
	enum mcred_err rc;

	if (out)
		*out = NULL;
	if (!out || (!ports && count))
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG, "no ports given");
	survey = calloc(1, sizeof(*survey));
	if (survey && count)
		survey->ports = calloc(count, sizeof(*survey->ports));
	if (!survey || (count && !survey->ports)) {
		free(survey);
		return mcred_error_set(err, MCRED_ERR_NOMEM, "out of memory");
	}
	for (size_t i = 0; i < count; i++) {
		struct stat st;

		/* a port that cannot be used is left for its open to report */
		if (ports[i] && stat(ports[i], &st) == 0 && S_ISCHR(st.st_mode))
			device_of_path(ports[i], &st, &survey->ports[survey->count++].dev);
	}
	rc = survey->count ? find_holders(survey->ports, survey->count, 0) : MCRED_OK;
	if (rc != MCRED_OK) {
		mcred_port_survey_free(survey);
		return look_failed(rc, err);
	}
	mcred_error_clear(err);
	*out = survey;
	return MCRED_OK;
}

static const struct holders *surveyed(const mcred_port_survey *survey, dev_t rdev)
{
	for (size_t i = 0; survey && i < survey->count; i++)
		if (survey->ports[i].dev.rdev == rdev)
			return &survey->ports[i].found;
	return NULL;
}
