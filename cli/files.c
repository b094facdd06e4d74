/*
 * File helpers (see files.h). Plain POSIX read()/write() so that a signal
 * (installed without SA_RESTART) interrupts a blocked read of stdin.
 */
#include "files.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "args.h"

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

int cli_read_password(const char *path, char **password, struct mcred_error *err)
{
	char *buf;
	size_t len, line;

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

int cli_write_file(const char *path, const void *data, size_t len, int secret,
		   struct mcred_error *err)
{
	const char *p = data;
	int fd, to_stdout = strcmp(path, "-") == 0;
	struct stat st;

	if (to_stdout) {
		fflush(stdout);
		fd = STDOUT_FILENO;
	} else {
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, secret ? 0600 : 0644);
	}
	if (fd < 0) {
		cli_error_set(err, "cannot create %s: %s", path, strerror(errno));
		return -1;
	}
	/* an existing file keeps its mode when truncated: a key's is for its owner only */
	if (secret && !to_stdout && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    (st.st_mode & 077) && fchmod(fd, st.st_mode & 0700) != 0) {
		cli_error_set(err, "cannot make %s private (chmod go-rwx): %s", path,
			      strerror(errno));
		close(fd);
		return -1;
	}
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			cli_error_set(err, "cannot write %s: %s",
				      to_stdout ? "standard output" : path, strerror(errno));
			if (!to_stdout)
				close(fd);
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	if (!to_stdout && close(fd) != 0) {
		cli_error_set(err, "cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}
