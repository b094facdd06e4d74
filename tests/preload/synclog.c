/*
 * synclog: a test-only LD_PRELOAD library that logs, in order, the calls
 * that decide what survives a power loss: renames, removals and syncs. The
 * tests read the log to check that a file's new name is made durable (its
 * directory synced) before the program relies on it, which no crash of a
 * process can show: only a power loss loses a name whose directory was not
 * synced.
 *
 *   SYNCLOG  the log file; one line per call, appended:
 *            "rename FROM TO", "unlink PATH", "fsync PATH" (PATH as the
 *            kernel names the descriptor; a directory ends with "/")
 *
 * The wrapped calls behave exactly as the real ones; a call is logged once
 * it succeeded.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void log_line(const char *fmt, const char *a, const char *b)
{
	const char *path = getenv("SYNCLOG");
	char line[3 * PATH_MAX];
	int fd, n, e = errno;

	if (!path)
		return;
	n = snprintf(line, sizeof(line), fmt, a, b);
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd >= 0 && n > 0) {
		/* one write per line: O_APPEND keeps the threads' lines whole */
		(void)!write(fd, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
		close(fd);
	}
	errno = e;
}

/* The path of an open descriptor, "/" appended for a directory. */
static void fd_path(int fd, char *out, size_t len)
{
	char link[64];
	struct stat st;
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, out, len - 2);
	if (n < 0)
		n = 0;
	out[n] = '\0';
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode))
		strcat(out, "/");
}

#define REAL(name, type) ((type)dlsym(RTLD_NEXT, name))

int rename(const char *from, const char *to)
{
	int rc = REAL("rename", int (*)(const char *, const char *))(from, to);

	if (rc == 0)
		log_line("rename %s %s\n", from, to);
	return rc;
}

int renameat(int dfrom, const char *from, int dto, const char *to)
{
	int rc = REAL("renameat", int (*)(int, const char *, int, const char *))(dfrom, from, dto,
										 to);

	if (rc == 0)
		log_line("rename %s %s\n", from, to);
	return rc;
}

int unlink(const char *path)
{
	int rc = REAL("unlink", int (*)(const char *))(path);

	if (rc == 0)
		log_line("unlink %s%s\n", path, "");
	return rc;
}

static int logged_sync(const char *name, int fd)
{
	char path[PATH_MAX + 2];
	int rc = REAL(name, int (*)(int))(fd);

	if (rc == 0) {
		fd_path(fd, path, sizeof(path));
		log_line("fsync %s%s\n", path, "");
	}
	return rc;
}

int fsync(int fd)
{
	return logged_sync("fsync", fd);
}

int fdatasync(int fd)
{
	return logged_sync("fdatasync", fd);
}
