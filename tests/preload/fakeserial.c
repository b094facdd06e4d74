/*
 * fakeserial: a test-only LD_PRELOAD library that makes pseudo-terminals
 * look like serial ports to libserialport: one plain (virtual, non-USB)
 * port, or a set of USB ports such as attached Nordic kits, so that the
 * library's libserialport transport and its port discovery (--all-kits,
 * --serial-number) can be driven against simulated modems.
 *
 * One plain port:
 *   FAKESERIAL_NAME    fake device name without /dev/, e.g. "ttyMCSIM0"
 *   FAKESERIAL_TARGET  path of the pty (or of a symlink to it)
 *
 * Several ports, as USB ports (kits) or native ones:
 *   FAKEKITS="NAME=TARGET:VID:PID:SERIAL ..."  entries separated by blanks;
 *     NAME    device name without /dev/ ("ttyACM0")
 *     TARGET  path of the pty or of a symlink to it (no blanks; it may hold
 *             ':' since the last three fields are taken from the right)
 *     VID PID the USB vendor and product id in hex ("1366", "1915");
 *             both empty: a native (non-USB) port
 *     SERIAL  the USB serial number ("000960012345"); may be empty
 *   e.g. FAKEKITS="ttyACM0=/tmp/a.link:1366:1015:000960012345
 *                  ttyACM1=/tmp/b.link:1366:1015:000960012345
 *                  ttyUSB0=/tmp/c.link:0403:6001:FT1234 ttyS0=/tmp/d.link:::"
 *   A malformed FAKEKITS stops the process with a message and exit code 125.
 *   With FAKEKITS set (even empty), sp_list_ports lists exactly these ports
 *   (none of the machine's), and sp_get_port_description,
 *   sp_get_port_transport, sp_get_port_usb_vid_pid and sp_get_port_usb_serial
 *   describe them as given (the description is "fake USB port VID:PID" or
 *   "fake native port"): that is all the library's discovery (lib/ports.c)
 *   asks libserialport.
 *
 * For the FAKESERIAL_NAME port and every FAKEKITS name alike:
 *   - /dev/NAME opens its TARGET (open, open64, openat, __open_2,
 *     __open64_2), and stat-like calls on it describe the target, so both
 *     transports (libserialport's sp_get_port_by_name + sp_open, and plain
 *     termios) reach the pty;
 *   - /sys/class/tty/NAME is a symlink (lstat, __lxstat) to
 *     ../../devices/virtual/tty/NAME (readlink), i.e. a virtual tty, which
 *     libserialport's sp_get_port_by_name accepts without reading any USB
 *     details from sysfs (the getters above supply those);
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
 *   FAKEKITS="ttyACM0=/tmp/sim.pty:1915:910a:001051234567" \
 *   LD_PRELOAD=build/tests/libfakeserial.so modemcred provision --all-kits ...
 * Under gcc's AddressSanitizer also set ASAN_OPTIONS=verify_asan_link_order=0
 * (ASan insists on being first in the library list otherwise).
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <libserialport.h>
#include <limits.h>
#include <pthread.h>
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

static void *real(const char *symbol)
{
	return dlsym(RTLD_NEXT, symbol);
}

/* ---- FAKEKITS: parsed once, kept for the life of the process -------------- */

#define MAX_FAKE_PORTS 64

struct fake_port {
	const char *name, *target, *serial; /* point into fake_ports.text */
	int usb, vid, pid;
	char description[32];
};

static struct {
	char text[16384]; /* a copy of FAKEKITS, cut into the fields */
	struct fake_port ports[MAX_FAKE_PORTS];
	size_t count;
} fake_ports;
static pthread_once_t fake_ports_once = PTHREAD_ONCE_INIT;

/* A test that got FAKEKITS wrong must fail loudly, not run against real ports. */
static void bad_fakekits(size_t entry, const char *why)
{
	fprintf(stderr,
		"fakeserial: FAKEKITS entry %zu: %s (the format is "
		"NAME=TARGET:VID:PID:SERIAL, see tests/preload/fakeserial.c)\n",
		entry, why);
	_exit(125);
}

/* The last ':'-separated field of field (cut off there), or NULL if none. */
static char *cut_last_field(char *field)
{
	char *colon = strrchr(field, ':');

	if (!colon)
		return NULL;
	*colon = '\0';
	return colon + 1;
}

/* A USB id: 1 to 4 hex digits. */
static int parse_usb_id(const char *text, int *id)
{
	char *end;
	long value;

	if (!*text || strlen(text) > 4)
		return -1;
	value = strtol(text, &end, 16);
	if (*end)
		return -1;
	*id = (int)value;
	return 0;
}

/* One "NAME=TARGET:VID:PID:SERIAL" entry, cut in place, into p. */
static void parse_fake_port(char *entry, size_t number, struct fake_port *p)
{
	char *equals = strchr(entry, '='), *serial, *pid, *vid;

	if (!equals || equals == entry)
		bad_fakekits(number, "no NAME= at its start");
	*equals = '\0';
	p->name = entry;
	if (strchr(p->name, '/'))
		bad_fakekits(number, "NAME is a name in /dev, without '/'");
	serial = cut_last_field(equals + 1);
	pid = serial ? cut_last_field(equals + 1) : NULL;
	vid = pid ? cut_last_field(equals + 1) : NULL;
	if (!vid)
		bad_fakekits(number, "fewer than four fields");
	p->target = equals + 1;
	if (!*p->target)
		bad_fakekits(number, "TARGET is empty");
	p->serial = serial;
	p->usb = *vid || *pid;
	if (!p->usb) {
		if (*serial)
			bad_fakekits(number, "a native port (no VID:PID) has no USB serial");
		snprintf(p->description, sizeof(p->description), "fake native port");
		return;
	}
	if (parse_usb_id(vid, &p->vid) != 0 || parse_usb_id(pid, &p->pid) != 0)
		bad_fakekits(number, "VID and PID are 1 to 4 hex digits");
	snprintf(p->description, sizeof(p->description), "fake USB port %04x:%04x",
		 (unsigned)p->vid, (unsigned)p->pid);
}

static void parse_fakekits(void)
{
	const char *env = getenv("FAKEKITS");
	char *entry, *rest = NULL;

	if (!env)
		return;
	if (strlen(env) >= sizeof(fake_ports.text))
		bad_fakekits(0, "FAKEKITS is too long");
	strcpy(fake_ports.text, env);
	for (entry = strtok_r(fake_ports.text, " \t\n", &rest); entry;
	     entry = strtok_r(NULL, " \t\n", &rest)) {
		size_t n = fake_ports.count;

		if (n == MAX_FAKE_PORTS)
			bad_fakekits(n + 1, "too many entries");
		parse_fake_port(entry, n + 1, &fake_ports.ports[n]);
		for (size_t i = 0; i < n; i++)
			if (!strcmp(fake_ports.ports[i].name, fake_ports.ports[n].name))
				bad_fakekits(n + 1, "NAME given twice");
		fake_ports.count++;
	}
}

/* The FAKEKITS port called name (without /dev/), or NULL. */
static const struct fake_port *fake_port_named(const char *name)
{
	pthread_once(&fake_ports_once, parse_fakekits);
	for (size_t i = 0; i < fake_ports.count; i++)
		if (!strcmp(fake_ports.ports[i].name, name))
			return &fake_ports.ports[i];
	return NULL;
}

/* ---- which paths are fake ------------------------------------------------- */

/* The target of path if it is prefix followed by a fake name, else NULL. */
static const char *fake_target(const char *path, const char *prefix)
{
	const char *name = getenv("FAKESERIAL_NAME"), *target = getenv("FAKESERIAL_TARGET");
	const struct fake_port *kit;
	size_t n = strlen(prefix);

	if (!path || strncmp(path, prefix, n) != 0)
		return NULL;
	if (name && *name && target && strcmp(path + n, name) == 0)
		return target;
	kit = fake_port_named(path + n);
	return kit ? kit->target : NULL;
}

static int is_fake(const char *path, const char *prefix)
{
	return fake_target(path, prefix) != NULL;
}

/* The real path behind /dev/<fake name>; other paths stay as they are. */
static const char *redirect(const char *path)
{
	const char *target = fake_target(path, dev_prefix);

	return target ? target : path;
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
		     path + strlen(sys_prefix));
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

enum sp_return sp_get_port_by_name(const char *name, struct sp_port **out)
{
	enum sp_return (*next)(const char *, struct sp_port **) = real("sp_get_port_by_name");

	spy("sp_get_port_by_name", name);
	return next ? next(name, out) : SP_ERR_SUPP;
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

/* ---- port discovery (FAKEKITS) --------------------------------------------- */

/* The FAKEKITS port that port is, or NULL (FAKEKITS unset, or another port). */
static const struct fake_port *fake_port_of(const struct sp_port *port)
{
	char *(*port_name)(const struct sp_port *) = real("sp_get_port_name");
	const char *name = port_name ? port_name(port) : NULL;

	if (!name || strncmp(name, dev_prefix, strlen(dev_prefix)) != 0)
		return NULL;
	return fake_port_named(name + strlen(dev_prefix));
}

/*
 * Exactly the FAKEKITS ports, made by libserialport itself (sp_get_port_by_name
 * accepts them through the sysfs fakes above), so that its sp_free_port_list
 * frees them.
 */
enum sp_return sp_list_ports(struct sp_port ***list_ptr)
{
	enum sp_return (*next)(struct sp_port ***) = real("sp_list_ports");
	enum sp_return (*by_name)(const char *, struct sp_port **) = real("sp_get_port_by_name");
	void (*free_list)(struct sp_port **) = real("sp_free_port_list");
	struct sp_port **list;

	if (!getenv("FAKEKITS"))
		return next ? next(list_ptr) : SP_ERR_SUPP;
	if (!list_ptr || !by_name || !free_list)
		return SP_ERR_ARG;
	*list_ptr = NULL;
	pthread_once(&fake_ports_once, parse_fakekits);
	list = calloc(fake_ports.count + 1, sizeof(*list));
	if (!list)
		return SP_ERR_MEM;
	for (size_t i = 0; i < fake_ports.count; i++) {
		char path[PATH_MAX];
		enum sp_return rc;

		snprintf(path, sizeof(path), "%s%s", dev_prefix, fake_ports.ports[i].name);
		rc = by_name(path, &list[i]);
		if (rc != SP_OK) {
			list[i] = NULL;
			free_list(list);
			return rc;
		}
	}
	*list_ptr = list;
	return SP_OK;
}

char *sp_get_port_description(const struct sp_port *port)
{
	char *(*next)(const struct sp_port *) = real("sp_get_port_description");
	const struct fake_port *p = fake_port_of(port);

	if (p)
		return (char *)p->description;
	return next ? next(port) : NULL;
}

enum sp_transport sp_get_port_transport(const struct sp_port *port)
{
	enum sp_transport (*next)(const struct sp_port *) = real("sp_get_port_transport");
	const struct fake_port *p = fake_port_of(port);

	if (p)
		return p->usb ? SP_TRANSPORT_USB : SP_TRANSPORT_NATIVE;
	return next ? next(port) : SP_TRANSPORT_NATIVE;
}

enum sp_return sp_get_port_usb_vid_pid(const struct sp_port *port, int *usb_vid, int *usb_pid)
{
	enum sp_return (*next)(const struct sp_port *, int *, int *) =
		real("sp_get_port_usb_vid_pid");
	const struct fake_port *p = fake_port_of(port);

	if (!p)
		return next ? next(port, usb_vid, usb_pid) : SP_ERR_SUPP;
	if (!p->usb)
		return SP_ERR_ARG; /* as libserialport says of a port that is not USB */
	if (usb_vid)
		*usb_vid = p->vid;
	if (usb_pid)
		*usb_pid = p->pid;
	return SP_OK;
}

char *sp_get_port_usb_serial(const struct sp_port *port)
{
	char *(*next)(const struct sp_port *) = real("sp_get_port_usb_serial");
	const struct fake_port *p = fake_port_of(port);

	if (p) /* NULL, as libserialport, when the device has no serial number */
		return p->usb && *p->serial ? (char *)p->serial : NULL;
	return next ? next(port) : NULL;
}
