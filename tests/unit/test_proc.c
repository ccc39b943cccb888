/* Process identity from /proc/PID/stat: start times of real processes,
 * including one whose command name contains spaces and parentheses. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/proc.h"

/* Forks a child that sets its command name to NAME and waits on a pipe;
 * returns its pid once the name is set. */
static pid_t spawn_named(const char *name, int *release)
{
	int ready[2], hold[2];
	char c;
	pid_t pid;

	assert_int_equal(pipe(ready), 0);
	assert_int_equal(pipe(hold), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		prctl(PR_SET_NAME, name);
		close(ready[0]);
		close(hold[1]);
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		if (read(hold[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(ready[1]);
	close(hold[0]);
	assert_int_equal(read(ready[0], &c, 1), 1);
	close(ready[0]);
	*release = hold[1];
	return pid;
}

static void test_self_start_time(void **state)
{
	struct ctui_error err = { 0 };
	unsigned long long start = 0, again = 0;

	(void)state;
	assert_int_equal(ctui_proc_start_time(getpid(), &start, &err), 0);
	assert_true(start > 0);
	assert_int_equal(ctui_proc_start_time(getpid(), &again, &err), 0);
	assert_true(start == again);
	assert_true(ctui_proc_alive(getpid(), start));
	assert_false(ctui_proc_alive(getpid(), start + 1));
}

static void test_child_with_odd_name(void **state)
{
	struct ctui_error err = { 0 };
	unsigned long long parent = 0, child = 0, plain = 0;
	int release, plain_release;
	pid_t pid, plain_pid;

	(void)state;
	/* Spaces and a ')' followed by field-like text in the name; a child with
	 * a plain name started just before gives the expected start time. */
	plain_pid = spawn_named("plain", &plain_release);
	pid = spawn_named("a) R 1 2 (b", &release);

	assert_int_equal(ctui_proc_start_time(getpid(), &parent, &err), 0);
	assert_int_equal(ctui_proc_start_time(plain_pid, &plain, &err), 0);
	assert_int_equal(ctui_proc_start_time(pid, &child, &err), 0);
	assert_true(child >= parent);
	assert_true(child >= plain && child - plain <= 100);
	assert_true(ctui_proc_alive(pid, child));
	assert_false(ctui_proc_alive(pid, child - 1));

	/* The second child holds the first one's pipe too: release both. */
	close(plain_release);
	close(release);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	assert_int_equal(waitpid(plain_pid, NULL, 0), plain_pid);
	assert_false(ctui_proc_alive(pid, child));
	assert_int_equal(ctui_proc_start_time(pid, &child, &err), -1);
	assert_int_equal(err.code, ENOENT);
}

static void test_zombie_not_alive(void **state)
{
	struct ctui_error err = { 0 };
	unsigned long long start = 0;
	siginfo_t info;
	int release;
	pid_t pid;

	(void)state;
	pid = spawn_named("zombie", &release);
	assert_int_equal(ctui_proc_start_time(pid, &start, &err), 0);

	close(release);
	/* Wait for the exit without reaping: the child stays a zombie. */
	assert_int_equal(waitid(P_PID, (id_t)pid, &info, WEXITED | WNOWAIT), 0);
	assert_false(ctui_proc_alive(pid, start));
	assert_int_equal(waitpid(pid, NULL, 0), pid);
}

static void test_invalid_pid(void **state)
{
	struct ctui_error err = { 0 };
	unsigned long long start = 0;

	(void)state;
	assert_int_equal(ctui_proc_start_time(0, &start, &err), -1);
	assert_int_equal(err.code, EINVAL);
	assert_int_equal(ctui_proc_start_time(-5, &start, &err), -1);
	assert_false(ctui_proc_alive(0, 0));
	assert_false(ctui_proc_alive(-1, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_self_start_time),
		cmocka_unit_test(test_child_with_odd_name),
		cmocka_unit_test(test_zombie_not_alive),
		cmocka_unit_test(test_invalid_pid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
