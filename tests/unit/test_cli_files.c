/*
 * The CLI's output files (cli/files.c): a file written with -o is replaced
 * whole or not at all, and one holding key material is its owner's only.
 */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "files.h"

static char dir[64];

static int make_dir(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/mctest-files.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void expect_content(const char *path, const char *text)
{
	char buf[256] = "";
	FILE *f = fopen(path, "r");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	assert_string_equal(buf, text);
}

/* Entries of the directory: no temporary file may be left. */
static int entries(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/*
 * The disk fills up half-way (here: a file size limit, EFBIG): the old file
 * stays as it was, whole, and no temporary file is left.
 */
static void full_disk_leaves_the_old_file(void **state)
{
	char path[128];
	struct mcred_error err;
	struct rlimit old, small = { 16, 16 };
	char big[200];

	(void)state;
	snprintf(path, sizeof(path), "%s/out.csr", dir);
	put(path, "the old CSR\n");
	memset(big, 'x', sizeof(big));
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	small.rlim_max = old.rlim_max;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	memset(&err, 0, sizeof(err));
	assert_int_equal(cli_write_file(path, big, sizeof(big), 0, &err), -1);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	assert_int_equal(err.code, MCRED_ERR_IO); /* no usage error: the writing failed */
	assert_non_null(strstr(err.message, "out.csr"));
	expect_content(path, "the old CSR\n");
	assert_int_equal(entries(), 1);
	/* with room, it is replaced */
	assert_int_equal(cli_write_file(path, "new\n", 4, 0, &err), 0);
	expect_content(path, "new\n");
	assert_int_equal(entries(), 1);
}

/* Through a symbolic link the file it names is replaced; the link stays a link. */
static void link_kept(void **state)
{
	char path[128], link[128];
	struct mcred_error err;
	struct stat st;

	(void)state;
	snprintf(path, sizeof(path), "%s/target.pem", dir);
	snprintf(link, sizeof(link), "%s/link.pem", dir);
	put(path, "old\n");
	assert_int_equal(symlink(path, link), 0);
	assert_int_equal(cli_write_file(link, "new\n", 4, 1, &err), 0);
	assert_int_equal(lstat(link, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	expect_content(path, "new\n");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600); /* key material: the owner's only */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(full_disk_leaves_the_old_file),
		cmocka_unit_test(link_kept),
	};

	return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
