/*
 * fakeserial: a test-only LD_PRELOAD library that makes a pseudo-terminal
 * look like a native serial port to libserialport, so the library's
 * libserialport transport can be driven against the simulated modem.
 *
 * Contract:
 *   FAKESERIAL_NAME    fake device name without /dev/, e.g. "ttyMCSIM0"
 *   FAKESERIAL_TARGET  path of the pty (or of a symlink to it)
 * With both set:
 *   - /dev/$FAKESERIAL_NAME opens FAKESERIAL_TARGET (open, open64, openat,
 *     __open_2, __open64_2), and stat-like calls on it describe the target;
 *   - /sys/class/tty/$FAKESERIAL_NAME is a symlink (lstat, __lxstat) to
 *     ../../devices/virtual/tty/$FAKESERIAL_NAME (readlink), i.e. a
 *     virtual, non-USB tty;
 *   - the modem-control ioctls TIOCMGET/TIOCMSET/TIOCMBIS/TIOCMBIC succeed on
 *     any descriptor even though a pty rejects them (TIOCMGET reports
 *     CTS, DSR and DCD asserted).
 * With FAKESERIAL_SPY_LOG=FILE, calls to sp_get_port_by_name and fopen are
 * logged to FILE (see the spy section at the end).
 * Everything else passes through untouched. Which symbols to intercept was
 * taken from `nm -D --undefined-only libserialport.so.0` on Debian 12
 * (0.1.1): __lxstat, readlink, open, __open_2, ioctl.
 *
 * Usage:
 *   FAKESERIAL_NAME=ttyMCSIM0 FAKESERIAL_TARGET=/tmp/sim.pty \
 *   LD_PRELOAD=build/tests/libfakeserial.so prog ... /dev/ttyMCSIM0
 * Under gcc's AddressSanitizer also set ASAN_OPTIONS=verify_asan_link_order=0
 * (ASan insists on being first in the library list otherwise).
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

static const char sys_prefix[] = "/sys/class/tty/";
static const char dev_prefix[] = "/dev/";

/* Is path exactly prefix followed by the fake name? */
static int is_fake(const char *path, const char *prefix)
{
	const char *name = getenv("FAKESERIAL_NAME");
	size_t n = strlen(prefix);

	if (!path || !name || !*name || !getenv("FAKESERIAL_TARGET"))
		return 0;
	return strncmp(path, prefix, n) == 0 && strcmp(path + n, name) == 0;
}

/* The real path behind /dev/<fake name>; other paths stay as they are. */
static const char *redirect(const char *path)
{
	return is_fake(path, dev_prefix) ? getenv("FAKESERIAL_TARGET") : path;
}

static void *real(const char *symbol)
{
	return dlsym(RTLD_NEXT, symbol);
}

static void fake_sys_link(struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_mode = S_IFLNK | 0777;
	st->st_nlink = 1;
}

/* ---- stat family -------------------------------------------------------- */

int lstat(const char *path, struct stat *st)
{
	int (*next)(const char *, struct stat *) = real("lstat");

	if (is_fake(path, sys_prefix)) {
		fake_sys_link(st);
		return 0;
	}
	if (is_fake(path, dev_prefix)) /* the device node itself, not the symlink */
		return stat(redirect(path), st);
	return next ? next(path, st) : (errno = ENOSYS, -1);
}

/* glibc < 2.33 entry point that Debian's libserialport still imports. */
int __lxstat(int ver, const char *path, struct stat *st)
{
	(void)ver; /* _STAT_VER_LINUX: the layout of struct stat on x86_64/aarch64 */
	return lstat(path, st);
}

int stat(const char *path, struct stat *st)
{
	int (*next)(const char *, struct stat *) = real("stat");

	if (is_fake(path, sys_prefix)) {
		fake_sys_link(st);
		st->st_mode = S_IFDIR | 0755;
		return 0;
	}
	return next ? next(redirect(path), st) : (errno = ENOSYS, -1);
}

int __xstat(int ver, const char *path, struct stat *st)
{
	(void)ver;
	return stat(path, st);
}

ssize_t readlink(const char *path, char *buf, size_t len)
{
	ssize_t (*next)(const char *, char *, size_t) = real("readlink");
	char target[256];
	int n;

	if (!is_fake(path, sys_prefix))
		return next ? next(path, buf, len) : (errno = ENOSYS, -1);
	n = snprintf(target, sizeof(target), "../../devices/virtual/tty/%s",
		     getenv("FAKESERIAL_NAME"));
	if (n < 0 || (size_t)n > len)
		n = (int)len;
	memcpy(buf, target, (size_t)n); /* readlink does not NUL-terminate */
	return n;
}

/* ---- open family --------------------------------------------------------- */

static mode_t mode_arg(int flags, va_list ap)
{
	return (flags & (O_CREAT | O_TMPFILE)) ? (mode_t)va_arg(ap, int) : 0;
}

int open(const char *path, int flags, ...)
{
	int (*next)(const char *, int, ...) = real("open");
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = mode_arg(flags, ap);
	va_end(ap);
	return next(redirect(path), flags, mode);
}

int open64(const char *path, int flags, ...)
{
	int (*next)(const char *, int, ...) = real("open64");
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = mode_arg(flags, ap);
	va_end(ap);
	return next(redirect(path), flags, mode);
}

int openat(int dirfd, const char *path, int flags, ...)
{
	int (*next)(int, const char *, int, ...) = real("openat");
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = mode_arg(flags, ap);
	va_end(ap);
	return next(dirfd, redirect(path), flags, mode);
}

/* Fortified open() without a mode, as _FORTIFY_SOURCE builds call it. */
int __open_2(const char *path, int flags)
{
	int (*next)(const char *, int, ...) = real("open");

	return next(redirect(path), flags);
}

int __open64_2(const char *path, int flags)
{
	int (*next)(const char *, int, ...) = real("open64");

	return next(redirect(path), flags);
}

/* ---- modem-control lines ----------------------------------------------------- */

static int is_modem_control(unsigned long request)
{
	return request == TIOCMGET || request == TIOCMSET || request == TIOCMBIS ||
	       request == TIOCMBIC;
}

int ioctl(int fd, unsigned long request, ...)
{
	int (*next)(int, unsigned long, ...) = real("ioctl");
	va_list ap;
	void *arg;
	int rc;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);
	rc = next(fd, request, arg);
	if (rc == 0 || !is_modem_control(request) || (errno != ENOTTY && errno != EINVAL))
		return rc;
	/* A pty has no modem-control lines: pretend they are all fine. */
	if (request == TIOCMGET && arg)
		*(int *)arg = TIOCM_CTS | TIOCM_DSR | TIOCM_CAR;
	errno = 0;
	return 0;
}

/* ---- spy ------------------------------------------------------------------ */

/*
 * With FAKESERIAL_SPY_LOG=FILE set, calls that tell how a process starts are
 * logged to FILE, one "function argument" line each, before they go on to
 * the real function: sp_get_port_by_name (was libserialport asked about a
 * port?) and fopen/fopen64 (did OpenSSL read its configuration file?).
 */
static void spy(const char *function, const char *arg)
{
	int (*next_open)(const char *, int, ...) = real("open");
	const char *log = getenv("FAKESERIAL_SPY_LOG");
	int fd;

	if (!log || !*log || !next_open)
		return;
	fd = next_open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	dprintf(fd, "%s %s\n", function, arg ? arg : "(null)");
	close(fd);
}

/*
 * Declared without libserialport.h: a name in, a pointer to a pointer out,
 * an enum sp_return back (SP_ERR_ARG is -1).
 */
int sp_get_port_by_name(const char *name, void **out)
{
	int (*next)(const char *, void **) = real("sp_get_port_by_name");

	spy("sp_get_port_by_name", name);
	return next ? next(name, out) : -1;
}

FILE *fopen(const char *path, const char *mode)
{
	FILE *(*next)(const char *, const char *) = real("fopen");

	spy("fopen", path);
	return next ? next(path, mode) : (errno = ENOSYS, NULL);
}

FILE *fopen64(const char *path, const char *mode)
{
	FILE *(*next)(const char *, const char *) = real("fopen64");

	spy("fopen", path);
	return next ? next(path, mode) : (errno = ENOSYS, NULL);
}
