/*
 * File helpers (see files.h). Plain POSIX read()/write() so that a signal
 * (installed without SA_RESTART) interrupts a blocked read of stdin.
 */
#include "files.h"

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "args.h"
#include "prompt.h"

static const char *display_name(const char *path)
{
	return strcmp(path, "-") == 0 ? "standard input" : path;
}

/* Make room for at least need bytes plus a NUL, copying and wiping the old buffer. */
static int grow(char **buf, size_t *cap, size_t used, size_t need)
{
	size_t ncap = *cap ? *cap : 4096;
	char *nbuf;

	while (ncap < need + 1)
		ncap *= 2;
	if (ncap == *cap)
		return 0;
	nbuf = malloc(ncap);
	if (!nbuf)
		return -1;
	if (*buf) {
		memcpy(nbuf, *buf, used);
		mcred_secret_free(*buf, *cap);
	}
	*buf = nbuf;
	*cap = ncap;
	return 0;
}

/* Read fd to the end into *buf; 0, or -1 with err set. */
static int read_all(int fd, const char *name, const char *what, char **buf, size_t *cap,
		    size_t *used, struct mcred_error *err)
{
	for (;;) {
		ssize_t n;

		if (grow(buf, cap, *used, *used + 4096) != 0) {
			cli_error_set(err, "out of memory reading %s", name);
			if (err)
				err->code = MCRED_ERR_NOMEM;
			return -1;
		}
		n = read(fd, *buf + *used, *cap - *used - 1);
		if (n == 0)
			return 0;
		if (n < 0) {
			if (errno == EINTR) {
				cli_error_set(err, "interrupted while reading %s", name);
				if (err)
					err->code = MCRED_ERR_CANCELLED;
			} else {
				cli_error_set(err, "cannot read %s %s: %s", what, name,
					      strerror(errno));
			}
			return -1;
		}
		*used += (size_t)n;
		if (*used > CLI_MAX_FILE) {
			cli_error_set(err, "%s %s is larger than %u bytes; is it the right file?",
				      what, name, CLI_MAX_FILE);
			return -1;
		}
	}
}

/*
 * "-" with a person at a terminal: without a word the command would look
 * hung while it waits for the end of the input.
 */
static void tell_terminal_input(const char *what)
{
	if (isatty(STDIN_FILENO))
		fprintf(stderr,
			"modemcred: reading the %s from the terminal: paste or type it, then "
			"press Ctrl-D at the start of a line\n",
			what);
}

int cli_read_file(const char *path, const char *what, char **data, size_t *len,
		  struct mcred_error *err)
{
	const char *name = display_name(path);
	char *buf = NULL;
	size_t cap = 0, used = 0;
	int fd, rc;

	fd = strcmp(path, "-") == 0 ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		cli_error_set(err, "cannot open %s %s: %s", what, name, strerror(errno));
		return -1;
	}
	if (fd == STDIN_FILENO)
		tell_terminal_input(what);
	rc = read_all(fd, name, what, &buf, &cap, &used, err);
	if (fd != STDIN_FILENO)
		close(fd);
	if (rc != 0) {
		mcred_secret_free(buf, cap);
		return -1;
	}
	buf[used] = '\0';
	*data = buf;
	*len = used;
	return 0;
}

/* Longest password typed at the terminal. */
#define TYPED_PASSWORD_MAX 1024

/* Zero a buffer on the stack so that no optimisation drops the stores. */
static void wipe(void *p, size_t n)
{
	volatile unsigned char *v = p;

	while (n--)
		*v++ = 0;
}

/* "-" at a terminal: the password is typed there, not shown, one line. */
static int prompt_password(char **password, struct mcred_error *err)
{
	char typed[TYPED_PASSWORD_MAX];
	int n = cli_prompt_secret("password of the encrypted key (not shown)", typed,
				  sizeof(typed));

	if (n < 0) {
		wipe(typed, sizeof(typed));
		cli_error_set(err,
			      "no password typed (an empty line, end of input, or longer "
			      "than %d characters): type it at the prompt, or give "
			      "--password-file FILE",
			      TYPED_PASSWORD_MAX);
		return -1;
	}
	*password = strndup(typed, (size_t)n);
	wipe(typed, sizeof(typed));
	if (!*password) {
		cli_error_set(err, "out of memory reading the password");
		if (err)
			err->code = MCRED_ERR_NOMEM;
		return -1;
	}
	return 0;
}

int cli_read_password(const char *path, char **password, struct mcred_error *err)
{
	char *buf;
	size_t len, line;

	if (strcmp(path, "-") == 0 && cli_can_prompt())
		return prompt_password(password, err);
	if (cli_read_file(path, "password file", &buf, &len, err) != 0)
		return -1;
	line = strcspn(buf, "\r\n");
	if (memchr(buf, '\0', len) != NULL) {
		cli_error_set(err, "password file %s contains a NUL byte", display_name(path));
		mcred_secret_free(buf, len + 1);
		return -1;
	}
	if (line == 0) {
		cli_error_set(err, "password file %s is empty: the first line is the password",
			      display_name(path));
		mcred_secret_free(buf, len + 1);
		return -1;
	}
	/* Only the first line is the password; the file's copy goes, wiped. */
	*password = strndup(buf, line);
	mcred_secret_free(buf, len + 1);
	if (!*password) {
		cli_error_set(err, "out of memory reading password file %s", display_name(path));
		if (err)
			err->code = MCRED_ERR_NOMEM;
		return -1;
	}
	return 0;
}

int cli_check_output(const char *path, struct mcred_error *err)
{
	struct stat st;
	char dir[4096];
	const char *slash;

	if (strcmp(path, "-") == 0)
		return 0;
	if (!*path) {
		cli_error_set(err, "the output file name is empty: give -o FILE, or -o - for "
				   "standard output");
		return -1;
	}
	if (stat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode)) {
			cli_error_set(err, "cannot write %s: it is a directory; give a file name",
				      path);
			return -1;
		}
		if (access(path, W_OK) != 0) {
			cli_error_set(err, "cannot write %s: %s", path, strerror(errno));
			return -1;
		}
		return 0;
	}
	if (errno != ENOENT) {
		cli_error_set(err, "cannot create %s: %s", path, strerror(errno));
		return -1;
	}
	/* A new file: its directory must exist and be writable. */
	slash = strrchr(path, '/');
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	if (access(dir, W_OK | X_OK) != 0) {
		cli_error_set(err, "cannot create %s: directory %s: %s", path, dir,
			      strerror(errno));
		return -1;
	}
	return 0;
}

int cli_check_binary_output(const char *path, struct mcred_error *err)
{
	if (strcmp(path, "-") != 0 || !isatty(STDOUT_FILENO))
		return 0;
	cli_error_set(err, "--format der writes binary data, and standard output is a terminal: "
			   "give -o FILE, or send it through a pipe (e.g. | xxd)");
	return -1;
}

/* Write all of data to fd; 0, or -1 with errno set. */
static int write_fully(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* An I/O failure on path (not a usage error): err's code says so. */
static int write_failed(struct mcred_error *err, const char *what, const char *path, int e)
{
	cli_error_set(err, "cannot %s %s: %s", what, path, strerror(e));
	if (err)
		err->code = MCRED_ERR_IO;
	return -1;
}

/*
 * A regular file is replaced whole or not at all: the data go to a
 * temporary file beside it, synced, then renamed over it. A full disk or a
 * crash leaves the old file (or none), never a cut one. The mode is the old
 * file's, else the usual one the umask leaves; secret: its owner's only.
 */
static int replace_regular(const char *path, const char *data, size_t len, int secret,
			   const struct stat *old, struct mcred_error *err)
{
	char tmp[4200];
	mode_t mask, mode;
	int fd, e;

	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp))
		return write_failed(err, "create", path, ENAMETOOLONG);
	fd = mkstemp(tmp);
	if (fd < 0)
		return write_failed(err, "create", path, errno);
	mask = umask(0);
	umask(mask);
	mode = old ? old->st_mode & 07777 : (mode_t)(0644 & ~mask);
	if (secret)
		mode &= 0700;
	if (fchmod(fd, mode) != 0 || write_fully(fd, data, len) != 0 || fsync(fd) != 0) {
		e = errno;
		close(fd);
		unlink(tmp);
		return write_failed(err, "write", path, e);
	}
	if (close(fd) != 0 || rename(tmp, path) != 0) {
		e = errno;
		unlink(tmp);
		return write_failed(err, "write", path, e);
	}
	/* the new file is in place either way: only its durability is unknown */
	if (cli_sync_parent_dir(path) != 0)
		return write_failed(err, "sync the directory of", path, errno);
	return 0;
}

int cli_sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc, e;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	e = errno;
	close(fd);
	errno = e;
	return rc;
}

int cli_sync_parent_dir(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	size_t n = slash ? (size_t)(slash - path) : 0;

	if (!slash)
		return cli_sync_dir(".");
	if (n == 0)
		return cli_sync_dir("/");
	if (n >= sizeof(dir)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(dir, path, n);
	dir[n] = '\0';
	return cli_sync_dir(dir);
}

int cli_write_file(const char *path, const void *data, size_t len, int secret,
		   struct mcred_error *err)
{
	char real[PATH_MAX];
	struct stat st;
	int fd, exists;

	if (strcmp(path, "-") == 0) {
		fflush(stdout);
		return write_fully(STDOUT_FILENO, data, len) == 0
			       ? 0
			       : write_failed(err, "write", "standard output", errno);
	}
	exists = stat(path, &st) == 0;
	/* through a symbolic link: the file it names is replaced, the link stays */
	if (exists && S_ISREG(st.st_mode) && realpath(path, real))
		path = real;
	if (!exists || S_ISREG(st.st_mode))
		return replace_regular(path, data, len, secret, exists ? &st : NULL, err);
	/* a device or a FIFO (/dev/stdout, a pipe to another program): written as it is */
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return write_failed(err, "open", path, errno);
	if (write_fully(fd, data, len) != 0) {
		int e = errno;

		close(fd);
		return write_failed(err, "write", path, e);
	}
	if (close(fd) != 0)
		return write_failed(err, "write", path, errno);
	return 0;
}
