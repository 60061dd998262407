/*
 * Copyright (c) 2026 the filter-helo authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 *
 * THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES
 * WITH REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF
 * MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR
 * ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
 * WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN
 * ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF
 * OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.
 */

/*
 * Out of memory, as an allocation that fails shows it: the link wraps
 * realloc and reallocarray (-Wl,--wrap), which fail while "failing" is
 * set.  A request whose answer cannot be queued must not be left
 * waiting in smtpd without end: the filter exits, saying why, and
 * writes no half line.  A profile whose defaults cannot be made is an
 * error, not defaults taken on trust.
 */
#include "compat.h"

#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "policy.h"
#include "smtpd.h"
#include "tap.h"

#define OUT_MAX		4096
#define REQUEST		"filter|0.6|1.0|smtp-in|mail-from|" \
			"00000000000000aa|00000000000000bb|a@example.org"

struct run {
	int	status;
	char	out[OUT_MAX];
	char	err[OUT_MAX];
};

void		*__wrap_realloc(void *, size_t);
void		*__real_realloc(void *, size_t);
void		*__wrap_reallocarray(void *, size_t, size_t);
void		*__real_reallocarray(void *, size_t, size_t);
static void	 test_answer(void);
static void	 test_profile(void);
static void	 request(int, struct run *);
static __dead void request_child(int, int, int, int);
static void	 read_all(int, char *, size_t);

static int	failing;

void *
__wrap_realloc(void *p, size_t size)
{
	if (failing) {
		errno = ENOMEM;
		return NULL;
	}
	return __real_realloc(p, size);
}

void *
__wrap_reallocarray(void *p, size_t n, size_t size)
{
	if (failing) {
		errno = ENOMEM;
		return NULL;
	}
	return __real_reallocarray(p, n, size);
}

int
main(void)
{
	plan(8);
	test_answer();
	test_profile();
	return done_testing();
}

static void
test_answer(void)
{
	struct run	r;

	request(0, &r);
	is_int(r.status, 0, "with memory: the child ends as it should");
	is_str(r.out, "filter-result|00000000000000aa|00000000000000bb|"
	    "proceed\n", "with memory: the request is answered");

	request(1, &r);
	ok(WIFEXITED(r.status) && WEXITSTATUS(r.status) != 0,
	    "out of memory: the answer cannot be queued, the filter exits");
	is_str(r.out, "", "out of memory: no half line on stdout");
	ok(strstr(r.err, "cannot send smtpd a line: Cannot allocate "
	    "memory") != NULL, "out of memory: the log says why");
}

static void
test_profile(void)
{
	struct policy	 p;
	const char	*errstr = NULL;
	char		 line[] = "profile strict";
	int		 rc;

	policy_init(&p);
	failing = 1;
	rc = config_parse_line(&p, line, &errstr);
	failing = 0;
	is_int(rc, -1, "out of memory: profile strict is refused");
	is_str(errstr, "profile strict: out of memory",
	    "out of memory: the profile says why");
	is_int(p.rdns_mode, RDNS_DOMAIN, "out of memory: the policy keeps "
	    "what it had");
	policy_free(&p);
}

/* One request to a child that runs the front end, as smtpd sends it. */
static void
request(int fail, struct run *r)
{
	pid_t	pid;
	int	out[2], err[2], in[2];

	memset(r, 0, sizeof(*r));
	fflush(stdout);
	if (pipe(out) == -1 || pipe(err) == -1 || pipe(in) == -1 ||
	    (pid = fork()) == -1) {
		perror("request");
		exit(1);
	}
	if (pid == 0)
		request_child(fail, in[0], out[1], err[1]);
	close(out[1]);
	close(err[1]);
	read_all(out[0], r->out, sizeof(r->out));
	read_all(err[0], r->err, sizeof(r->err));
	if (waitpid(pid, &r->status, 0) == -1)
		r->status = -1;
	close(out[0]);
	close(err[0]);
	close(in[0]);
	close(in[1]);
}

/*
 * fd 0 is an idle pipe that is never read (epoll refuses /dev/null);
 * stdout and the log go to the parent.
 */
static __dead void
request_child(int fail, int in, int out, int err)
{
	struct event_base	*base;
	struct policy		 p;
	char			 line[] = REQUEST;

	if (dup2(in, 0) == -1 || dup2(out, 1) == -1 || dup2(err, 2) == -1)
		_exit(2);
	if ((base = event_base_new()) == NULL || policy_init(&p) == -1)
		_exit(3);
	smtpd_setup(base, &p);
	failing = fail;
	smtpd_line(line, strlen(line));
	failing = 0;
	smtpd_teardown();
	_exit(0);
}

static void
read_all(int fd, char *buf, size_t size)
{
	size_t	len = 0;
	ssize_t	n;

	while (len < size - 1 &&
	    (n = read(fd, buf + len, size - 1 - len)) > 0)
		len += n;
	buf[len] = '\0';
}
