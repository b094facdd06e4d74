/*
 * One program per port, on pseudo-terminals this test makes (Linux: the
 * holders are found in /proc): mcred_port_holders_get() names a process
 * that holds a port and not one that owns its master side, and
 * mcred_modem_open() refuses a port another process or handle holds, with
 * MCRED_ERR_BUSY and before anything is sent, unless ignore_busy.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <pty.h>
#include <setjmp.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cmocka.h>

#include "modemcred.h"
#include "port_access.h"

/* A child process and the pipes that start and stop it. */
struct child {
	pid_t pid;
	int told;   /* read end: the child's report (a line) */
	int finish; /* write end: a byte (or closing it) ends the child */
	char report[128];
};

/* Read the child's one-line report: it is ready. */
static void wait_ready(struct child *c)
{
	size_t n = 0;

	while (n + 1 < sizeof(c->report)) {
		ssize_t got = read(c->told, c->report + n, 1);

		assert_true(got == 1);
		if (c->report[n] == '\n')
			break;
		n++;
	}
	c->report[n] = '\0';
}

static void end_child(struct child *c)
{
	int status;

	close(c->finish);
	close(c->told);
	assert_int_equal(waitpid(c->pid, &status, 0), c->pid);
}

/*
 * A process named name that opens slave (O_RDWR, as a terminal program
 * does), says "ready" and holds it until told to finish. With slave NULL it
 * makes a pseudo-terminal of its own and holds both sides, as a simulator
 * or socat does, and reports the slave's name.
 */
static void start_holder(struct child *c, const char *name, const char *slave)
{
	int to_parent[2], from_parent[2];

	assert_int_equal(pipe(to_parent), 0);
	assert_int_equal(pipe(from_parent), 0);
	c->pid = fork();
	assert_true(c->pid >= 0);
	if (c->pid == 0) {
		char own[64] = "", buf;
		int master = -1, fd = -1;

		prctl(PR_SET_NAME, name, 0, 0, 0);
		/* nothing of the parent's: a pty master it holds would make this an owner */
		for (int other = 3; other < 256; other++)
			if (other != to_parent[1] && other != from_parent[0])
				close(other);
		if (slave)
			fd = open(slave, O_RDWR | O_NOCTTY);
		else if (openpty(&master, &fd, own, NULL, NULL) != 0)
			fd = -1;
		if (fd < 0)
			_exit(1);
		dprintf(to_parent[1], "%s\n", slave ? "ready" : own);
		while (read(from_parent[0], &buf, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(to_parent[1]);
	close(from_parent[0]);
	c->told = to_parent[0];
	c->finish = from_parent[1];
	wait_ready(c);
}

/* A pseudo-terminal whose master this process holds; its slave's name in name. */
static int make_pty(char name[64])
{
	int master, slave;

	assert_int_equal(openpty(&master, &slave, name, NULL, NULL), 0);
	close(slave);
	return master;
}

/* Open port (termios) with the survey given (NULL: the open looks itself). */
static enum mcred_err open_surveyed(mcred_modem **m, const char *port, int ignore_busy,
				    const mcred_port_survey *survey, struct mcred_error *err)
{
	struct mcred_options o;

	mcred_options_init(&o);
	o.transport = MCRED_TRANSPORT_TERMIOS;
	o.ignore_busy = ignore_busy;
	o.port_survey = survey;
	memset(err, 0, sizeof(*err));
	return mcred_modem_open(m, port, &o, err);
}

static enum mcred_err open_modem(mcred_modem **m, const char *port, int ignore_busy,
				 struct mcred_error *err)
{
	return open_surveyed(m, port, ignore_busy, NULL, err);
}

static void assert_has(const char *text, const char *word)
{
	if (!strstr(text, word))
		fail_msg("\"%s\" lacks \"%s\"", text, word);
}

/* ---- tests ---------------------------------------------------------------------- */

static void test_holder_is_named(void **state)
{
	struct mcred_port_holder_list *list = NULL;
	struct mcred_error err;
	struct child c;
	char slave[64];
	int master = make_pty(slave);

	(void)state;
	assert_int_equal(mcred_port_holders_get(slave, &list, &err), MCRED_OK);
	assert_int_equal(list->count, 0); /* this process owns the master: no holder */
	mcred_port_holder_list_free(list);
	start_holder(&c, "screen", slave);
	assert_int_equal(mcred_port_holders_get(slave, &list, &err), MCRED_OK);
	assert_int_equal(list->count, 1);
	assert_true(list->holders[0]->size >= sizeof(struct mcred_port_holder));
	assert_int_equal(list->holders[0]->pid, c.pid);
	assert_string_equal(list->holders[0]->program, "screen");
	mcred_port_holder_list_free(list);
	end_child(&c);
	assert_int_equal(mcred_port_holders_get(slave, &list, &err), MCRED_OK);
	assert_int_equal(list->count, 0); /* it let go */
	mcred_port_holder_list_free(list);
	close(master);
}

static void test_master_owner_is_no_holder(void **state)
{
	struct mcred_port_holder_list *list = NULL;
	struct mcred_error err;
	struct child owner, other;

	(void)state;
	start_holder(&owner, "modemsim", NULL); /* master and slave, as modemsim holds them */
	assert_int_equal(mcred_port_holders_get(owner.report, &list, &err), MCRED_OK);
	assert_int_equal(list->count, 0);
	mcred_port_holder_list_free(list);
	start_holder(&other, "minicom", owner.report);
	assert_int_equal(mcred_port_holders_get(owner.report, &list, &err), MCRED_OK);
	assert_int_equal(list->count, 1);
	assert_int_equal(list->holders[0]->pid, other.pid);
	mcred_port_holder_list_free(list);
	end_child(&other);
	end_child(&owner);
}

/*
 * A child between fork and exec holds copies of its parent's descriptors
 * (Python's subprocess closes them one by one, execve drops the others):
 * the owner's line is not held by it. This process owns the pty and keeps
 * its slave open, as a simulator does; the child closes the master first,
 * as a child that closes in ascending order may, and keeps the rest.
 */
static void test_forked_copy_of_the_owner_is_no_holder(void **state)
{
	struct mcred_port_holder_list *list = NULL;
	struct mcred_error err;
	int master, slave, ready[2], finish[2], status;
	char name[64], buf;
	pid_t pid;

	(void)state;
	assert_int_equal(openpty(&master, &slave, name, NULL, NULL), 0);
	assert_int_equal(pipe(ready), 0);
	assert_int_equal(pipe(finish), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(master);
		close(finish[1]); /* or its end never sees the parent's close */
		if (write(ready[1], "", 1) != 1)
			_exit(1);
		while (read(finish[0], &buf, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	assert_int_equal(read(ready[0], &buf, 1), 1);
	assert_int_equal(mcred_port_holders_get(name, &list, &err), MCRED_OK);
	assert_int_equal(list->count, 0);
	mcred_port_holder_list_free(list);
	close(finish[1]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	close(finish[0]);
	close(ready[0]);
	close(ready[1]);
	close(slave);
	close(master);
}

/* Start /bin/true over and over until *stop: children between fork and exec. */
static void *spawn_children(void *arg)
{
	atomic_int *stop = arg;
	char *const argv[] = { "true", NULL };
	extern char **environ;

	while (!atomic_load(stop)) {
		pid_t pid;
		int status;

		if (posix_spawn(&pid, "/bin/true", NULL, NULL, argv, environ) == 0)
			waitpid(pid, &status, 0);
	}
	return NULL;
}

/*
 * The same race as it happens: a simulator in Python holds its pty
 * (close-on-exec, as Python opens everything) and starts programs all the
 * while. No look may find a holder; before children were judged as their
 * parent, about one look in a hundred did.
 */
static void test_owner_starting_programs_is_no_holder(void **state)
{
	struct mcred_port_holder_list *list = NULL;
	struct mcred_error err;
	atomic_int stop = 0;
	int master, slave, found = 0;
	char name[64];
	pthread_t spawner;

	(void)state;
	assert_int_equal(openpty(&master, &slave, name, NULL, NULL), 0);
	assert_int_equal(fcntl(master, F_SETFD, FD_CLOEXEC), 0);
	assert_int_equal(fcntl(slave, F_SETFD, FD_CLOEXEC), 0);
	assert_int_equal(pthread_create(&spawner, NULL, spawn_children, &stop), 0);
	for (int look = 0; look < 500; look++) {
		assert_int_equal(mcred_port_holders_get(name, &list, &err), MCRED_OK);
		if (list->count && !found++)
			print_message("look %d found %s (pid %ld)\n", look,
				      list->holders[0]->program, list->holders[0]->pid);
		mcred_port_holder_list_free(list);
	}
	atomic_store(&stop, 1);
	pthread_join(spawner, NULL);
	close(slave);
	close(master);
	assert_int_equal(found, 0);
}

static void test_open_refuses_a_held_port(void **state)
{
	struct mcred_error err;
	mcred_modem *m = NULL;
	struct child c;
	char slave[64], expected[128];
	int master = make_pty(slave);

	(void)state;
	start_holder(&c, "ModemManager", slave);
	assert_int_equal(open_modem(&m, slave, 0, &err), MCRED_ERR_BUSY);
	assert_null(m);
	assert_int_equal(err.code, MCRED_ERR_BUSY);
	snprintf(expected, sizeof(expected), "%s is in use by ModemManager (pid %ld)", slave,
		 (long)c.pid);
	assert_has(err.message, expected);
	assert_has(err.message, "ID_MM_DEVICE_IGNORE");
	assert_null(strstr(err.message, "modemcred ports")); /* library words, no tool's */
	/* nothing reached the line */
	assert_int_equal(fcntl(master, F_SETFL, O_NONBLOCK), 0);
	assert_int_equal(read(master, expected, sizeof(expected)), -1);
	assert_int_equal(errno, EAGAIN);
	/* the override */
	assert_int_equal(open_modem(&m, slave, 1, &err), MCRED_OK);
	mcred_modem_free(m);
	end_child(&c);
	close(master);
}

static void test_second_handle_is_refused_until_the_first_is_freed(void **state)
{
	struct mcred_error err;
	mcred_modem *first = NULL, *second = NULL;
	char slave[64];
	int master = make_pty(slave);

	(void)state;
	assert_int_equal(open_modem(&first, slave, 0, &err), MCRED_OK);
	/* the same process: the lock (flock) keeps a second handle out */
	assert_int_equal(open_modem(&second, slave, 0, &err), MCRED_ERR_BUSY);
	assert_has(err.message, "is in use");
	assert_null(second);
	mcred_modem_free(first);
	assert_int_equal(open_modem(&second, slave, 0, &err), MCRED_OK);
	mcred_modem_free(second);
	close(master);
}

/* Ends a holder child after a pause: a copy that lost the race backing off. */
static void *end_child_soon(void *arg)
{
	const struct timespec pause = { 0, 100 * 1000000L };

	nanosleep(&pause, NULL);
	end_child(arg);
	return NULL;
}

/*
 * Two copies of one program open a port at the same moment: the one that
 * gets the lock looks again while the other backs off, instead of both
 * refusing. A copy that stays is refused after that look, and named.
 */
static void test_copy_of_this_program_backing_off_is_waited_for(void **state)
{
	struct mcred_error err;
	mcred_modem *m = NULL;
	struct child c;
	pthread_t ender;
	char slave[64], self[17] = "";
	int master = make_pty(slave);

	(void)state;
	prctl(PR_GET_NAME, self, 0, 0, 0);
	start_holder(&c, self, slave);
	assert_int_equal(pthread_create(&ender, NULL, end_child_soon, &c), 0);
	assert_int_equal(open_modem(&m, slave, 0, &err), MCRED_OK);
	mcred_modem_free(m);
	pthread_join(ender, NULL);
	/* a copy that does not go is a holder like any other */
	start_holder(&c, self, slave);
	assert_int_equal(open_modem(&m, slave, 0, &err), MCRED_ERR_BUSY);
	assert_has(err.message, "is in use by");
	assert_null(m);
	end_child(&c);
	close(master);
}

static void test_holders_of_what_is_no_port(void **state)
{
	struct mcred_port_holder_list *list = (void *)1;
	struct mcred_error err;

	(void)state;
	assert_int_equal(mcred_port_holders_get("/dev/ttyNOSUCHPORT9", &list, &err),
			 MCRED_ERR_PORT);
	assert_null(list);
	assert_int_equal(mcred_port_holders_get("/etc/passwd", &list, &err), MCRED_ERR_PORT);
	assert_int_equal(mcred_port_holders_get(NULL, &list, &err), MCRED_ERR_INVALID_ARG);
	assert_int_equal(mcred_port_holders_get("/dev/null", NULL, &err), MCRED_ERR_INVALID_ARG);
	mcred_port_holder_list_free(NULL);
}

static void test_regular_file_is_no_serial_port(void **state)
{
	struct mcred_error err;
	mcred_modem *m = NULL;

	(void)state;
	assert_int_equal(open_modem(&m, "/etc/passwd", 0, &err), MCRED_ERR_INVALID_ARG);
	assert_has(err.message, "regular file, not a serial port");
	assert_int_equal(open_modem(&m, "/tmp", 0, &err), MCRED_ERR_INVALID_ARG);
	assert_has(err.message, "directory");
	/* a character device that is no terminal */
	assert_int_equal(open_modem(&m, "/dev/null", 0, &err), MCRED_ERR_PORT);
	assert_has(err.message, "not a serial port");
}

/* A named pipe opens and answers nothing: it is named for what it is. */
static void test_fifo_is_no_serial_port(void **state)
{
	char dir[] = "/tmp/mcred-fifo-XXXXXX", fifo[64];
	struct mcred_error err;
	mcred_modem *m = NULL;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(fifo, sizeof(fifo), "%s/port", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(open_modem(&m, fifo, 0, &err), MCRED_ERR_INVALID_ARG);
	assert_has(err.message, "FIFO (named pipe), not a serial port");
	assert_null(m);
	unlink(fifo);
	rmdir(dir);
}

/*
 * One look for several ports: it names the holder of the held one, not the
 * owner of a line's master side, and the opens take what it found.
 */
static void test_survey_of_many_ports(void **state)
{
	struct mcred_error err;
	mcred_port_survey *survey = NULL;
	mcred_modem *m = NULL;
	struct child owner, holder, late;
	char free_port[64], held_port[64], expected[160];
	int master = make_pty(free_port), master2 = make_pty(held_port);
	const char *ports[5];

	(void)state;
	start_holder(&owner, "modemsim", NULL);
	start_holder(&holder, "minicom", held_port);
	ports[0] = free_port;
	ports[1] = held_port;
	ports[2] = owner.report;
	ports[3] = "/dev/ttyNOSUCHPORT9"; /* left out: its open says what is wrong */
	ports[4] = "/etc/passwd";
	assert_int_equal(mcred_port_survey_new(&survey, ports, 5, &err), MCRED_OK);
	assert_int_equal(open_surveyed(&m, held_port, 0, survey, &err), MCRED_ERR_BUSY);
	snprintf(expected, sizeof(expected), "%s is in use by minicom (pid %ld)", held_port,
		 (long)holder.pid);
	assert_has(err.message, expected);
	assert_int_equal(open_surveyed(&m, owner.report, 0, survey, &err), MCRED_OK);
	/* the handle keeps no pointer to the caller's survey */
	assert_null(mcred_modem_options(m)->port_survey);
	mcred_modem_free(m);
	assert_int_equal(open_surveyed(&m, "/dev/ttyNOSUCHPORT9", 0, survey, &err), MCRED_ERR_PORT);
	/*
	 * A snapshot: a holder that came after it is not in it, and an open with
	 * it does not look again (one that looks itself sees the holder).
	 */
	start_holder(&late, "screen", free_port);
	assert_int_equal(open_modem(&m, free_port, 0, &err), MCRED_ERR_BUSY);
	assert_has(err.message, "in use by screen");
	assert_int_equal(open_surveyed(&m, free_port, 0, survey, &err), MCRED_OK);
	mcred_modem_free(m);
	mcred_port_survey_free(survey);
	mcred_port_survey_free(NULL);
	assert_int_equal(mcred_port_survey_new(NULL, ports, 1, &err), MCRED_ERR_INVALID_ARG);
	assert_int_equal(mcred_port_survey_new(&survey, NULL, 1, &err), MCRED_ERR_INVALID_ARG);
	assert_null(survey);
	end_child(&late);
	end_child(&holder);
	end_child(&owner);
	close(master);
	close(master2);
}

/*
 * TIOCEXCL outlives a close, so the handle lifts it when freed; a child of
 * the embedder's fork() freeing its copy must leave the parent's in place.
 * (A pty stands in for the serial port: the ioctls work on it.)
 */
static void test_exclusive_mode_lifted_only_by_its_process(void **state)
{
	int master, slave, excl = -1;

	(void)state;
	assert_int_equal(openpty(&master, &slave, NULL, NULL, NULL), 0);
	assert_int_equal(ioctl(slave, TIOCEXCL), 0);
	mcred_port_release(slave, (int)getpid() + 1); /* another process's claim */
	assert_int_equal(ioctl(slave, TIOCGEXCL, &excl), 0);
	assert_int_equal(excl, 1);
	mcred_port_release(slave, (int)getpid());
	assert_int_equal(ioctl(slave, TIOCGEXCL, &excl), 0);
	assert_int_equal(excl, 0);
	close(slave);
	close(master);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_holder_is_named),
		cmocka_unit_test(test_master_owner_is_no_holder),
		cmocka_unit_test(test_forked_copy_of_the_owner_is_no_holder),
		cmocka_unit_test(test_owner_starting_programs_is_no_holder),
		cmocka_unit_test(test_open_refuses_a_held_port),
		cmocka_unit_test(test_survey_of_many_ports),
		cmocka_unit_test(test_second_handle_is_refused_until_the_first_is_freed),
		cmocka_unit_test(test_copy_of_this_program_backing_off_is_waited_for),
		cmocka_unit_test(test_holders_of_what_is_no_port),
		cmocka_unit_test(test_regular_file_is_no_serial_port),
		cmocka_unit_test(test_fifo_is_no_serial_port),
		cmocka_unit_test(test_exclusive_mode_lifted_only_by_its_process),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
