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
 * The benchmark's client of the policy server, in C so that the client
 * is not what is measured.  A closed loop: CONC requests in flight, a
 * new one as soon as one is answered, until COUNT are or SECONDS pass.
 *
 *	policy-client -m conn -s SOCKET -r FILE [-c CONC] [-n COUNT]
 *	    [-t SECONDS]
 *	policy-client -m keep -s SOCKET -r FILE [...]
 *	policy-client -m exec [...] -- COMMAND [ARG ...]
 *
 * conn: as Exim's ${readsocket}, a connection per request: connect,
 * write the request (FILE, whole), shut the write side, read to the
 * end.  keep: as Postfix, CONC connections, each carrying its requests
 * one after the other, an answer read up to its empty line.  exec: as
 * Exim's ${run}, COMMAND run per request, its output read to the end,
 * then waited for.  Latency: from the connect (or the fork) to the
 * answer's end.  Prints a line of name=value: requests, seconds, rate,
 * p50, p90, p99 and max in ms, the CPU seconds of this client and of
 * the commands it ran (cpu, cpu_children); then a line
 * "answer<TAB>N<TAB>TEXT" for each distinct answer (its first line; for
 * exec, the exit status first).
 */
#include <sys/types.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define ANSWER_MAX	1024
#define ANSWERS_KEPT	8

enum mode { M_CONN, M_KEEP, M_EXEC };

struct slot {
	int		 fd;		/* -1: idle */
	pid_t		 pid;		/* exec */
	double		 start;
	char		 buf[ANSWER_MAX];
	size_t		 len;
};

static struct {
	char	 text[ANSWER_MAX + 32];
	long	 n;
} answers[ANSWERS_KEPT + 1];		/* the last: "other" */

static enum mode	 mode;
static const char	*sockpath;
static char		*request;
static size_t		 reqlen;
static char		**command;
static double		*lat;
static long		 nlat, maxlat;

static double
now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void __attribute__((noreturn))
die(const char *what)
{
	fprintf(stderr, "policy-client: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void
usage(void)
{
	fprintf(stderr, "usage: policy-client -m conn|keep -s socket -r file "
	    "[-c conc] [-n count] [-t seconds]\n"
	    "       policy-client -m exec [-c conc] [-n count] "
	    "[-t seconds] -- command [arg ...]\n");
	exit(2);
}

static void
read_request(const char *path)
{
	FILE	*fp;
	long	 n;

	if ((fp = fopen(path, "r")) == NULL)
		die(path);
	if (fseek(fp, 0, SEEK_END) == -1 || (n = ftell(fp)) <= 0 ||
	    fseek(fp, 0, SEEK_SET) == -1)
		die(path);
	if ((request = malloc(n)) == NULL)
		die("malloc");
	if (fread(request, 1, n, fp) != (size_t)n)
		die(path);
	reqlen = n;
	fclose(fp);
}

static int
sock_connect(void)
{
	struct sockaddr_un	sun;
	int			fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strncpy(sun.sun_path, sockpath, sizeof(sun.sun_path) - 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1)
		die("socket");
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1)
		die(sockpath);
	return fd;
}

/* The request, whole: it fits the socket's buffer at once. */
static void
send_request(int fd)
{
	size_t	off = 0;
	ssize_t	n;

	while (off < reqlen) {
		if ((n = write(fd, request + off, reqlen - off)) == -1) {
			if (errno == EINTR)
				continue;
			die("write");
		}
		off += n;
	}
}

static void
start(struct slot *s)
{
	int	p[2];

	s->len = 0;
	s->start = now();
	switch (mode) {
	case M_CONN:
		s->fd = sock_connect();
		send_request(s->fd);
		if (shutdown(s->fd, SHUT_WR) == -1)
			die("shutdown");
		break;
	case M_KEEP:
		if (s->fd == -1)
			s->fd = sock_connect();
		send_request(s->fd);
		break;
	case M_EXEC:
		if (pipe(p) == -1)
			die("pipe");
		if ((s->pid = fork()) == -1)
			die("fork");
		if (s->pid == 0) {
			close(p[0]);
			if (dup2(p[1], STDOUT_FILENO) == -1)
				_exit(126);
			close(p[1]);
			execv(command[0], command);
			_exit(127);
		}
		close(p[1]);
		s->fd = p[0];
		break;
	}
}

static void
count_answer(const char *text)
{
	int	i;

	for (i = 0; i < ANSWERS_KEPT && answers[i].n > 0; i++)
		if (strcmp(answers[i].text, text) == 0)
			break;
	if (i < ANSWERS_KEPT && answers[i].n == 0)
		snprintf(answers[i].text, sizeof(answers[i].text), "%s", text);
	answers[i].n++;
}

/* The answer is whole: count it and its time. */
static void
finish(struct slot *s)
{
	char	 text[ANSWER_MAX + 32], *nl;
	int	 status;

	s->buf[s->len < sizeof(s->buf) ? s->len : sizeof(s->buf) - 1] = '\0';
	if ((nl = strchr(s->buf, '\n')) != NULL)
		*nl = '\0';
	if (mode == M_EXEC) {
		if (waitpid(s->pid, &status, 0) == -1)
			die("waitpid");
		snprintf(text, sizeof(text), "exit %d: %s",
		    WIFEXITED(status) ? WEXITSTATUS(status) : -1, s->buf);
	} else
		snprintf(text, sizeof(text), "%s", s->len ? s->buf : "(none)");
	if (nlat < maxlat)
		lat[nlat++] = now() - s->start;
	count_answer(text);
	if (mode != M_KEEP) {
		close(s->fd);
		s->fd = -1;
	}
}

/*
 * Read what is there: 1 once the answer is whole (its empty line on a
 * kept connection, the end otherwise), 0 for more, -1 if a kept
 * connection ended.
 */
static int
take(struct slot *s)
{
	char	 chunk[4096];
	ssize_t	 n;
	size_t	 room;

	if ((n = read(s->fd, chunk, sizeof(chunk))) == -1) {
		if (errno == EINTR || errno == EAGAIN)
			return 0;
		die("read");
	}
	if (n == 0)
		return mode == M_KEEP ? -1 : 1;
	room = sizeof(s->buf) - 1 - s->len;
	if ((size_t)n < room)
		room = n;
	memcpy(s->buf + s->len, chunk, room);
	s->len += room;
	s->buf[s->len] = '\0';
	if (mode == M_KEEP && strstr(s->buf, "\n\n") != NULL)
		return 1;
	return 0;
}

static double
cpu_seconds(int who)
{
	struct rusage	ru;

	if (getrusage(who, &ru) == -1)
		die("getrusage");
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static int
cmp_double(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
pct(double q)
{
	long	i;

	if (nlat == 0)
		return 0;
	i = (long)(q * nlat + 0.999999) - 1;
	if (i < 0)
		i = 0;
	return lat[i] * 1000;
}

int
main(int argc, char *argv[])
{
	struct slot	*slots;
	struct pollfd	*pfd;
	double		 t0, stop, secs = 2;
	long		 count = 1000000, started = 0;
	int		 ch, conc = 1, i, inflight, r;

	signal(SIGPIPE, SIG_IGN);
	while ((ch = getopt(argc, argv, "c:m:n:r:s:t:")) != -1) {
		switch (ch) {
		case 'c':
			conc = atoi(optarg);
			break;
		case 'm':
			if (strcmp(optarg, "conn") == 0)
				mode = M_CONN;
			else if (strcmp(optarg, "keep") == 0)
				mode = M_KEEP;
			else if (strcmp(optarg, "exec") == 0)
				mode = M_EXEC;
			else
				usage();
			break;
		case 'n':
			count = atol(optarg);
			break;
		case 'r':
			read_request(optarg);
			break;
		case 's':
			sockpath = optarg;
			break;
		case 't':
			secs = atof(optarg);
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (conc < 1 || count < 1 || secs <= 0)
		usage();
	if (mode == M_EXEC) {
		if (argc == 0)
			usage();
		command = argv;
	} else if (sockpath == NULL || request == NULL || argc != 0)
		usage();

	maxlat = count;
	if ((lat = calloc(maxlat, sizeof(*lat))) == NULL ||
	    (slots = calloc(conc, sizeof(*slots))) == NULL ||
	    (pfd = calloc(conc, sizeof(*pfd))) == NULL)
		die("calloc");
	for (i = 0; i < conc; i++)
		slots[i].fd = -1;

	t0 = now();
	stop = t0 + secs;
	for (i = 0; i < conc && started < count; i++, started++)
		start(&slots[i]);
	inflight = i;
	while (inflight > 0) {
		for (i = 0; i < conc; i++) {
			pfd[i].fd = slots[i].start == 0 ? -1 : slots[i].fd;
			pfd[i].events = POLLIN;
		}
		if (poll(pfd, conc, 1000) == -1) {
			if (errno == EINTR)
				continue;
			die("poll");
		}
		for (i = 0; i < conc; i++) {
			if (pfd[i].fd == -1 ||
			    !(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if ((r = take(&slots[i])) == 0)
				continue;
			if (r == -1) {
				errno = ECONNRESET;
				die("a kept connection ended");
			}
			finish(&slots[i]);
			slots[i].start = 0;
			if (started < count && now() < stop) {
				start(&slots[i]);
				started++;
			} else {
				inflight--;
				if (slots[i].fd != -1) {
					close(slots[i].fd);
					slots[i].fd = -1;
				}
			}
		}
	}
	secs = now() - t0;

	qsort(lat, nlat, sizeof(*lat), cmp_double);
	printf("requests=%ld seconds=%.3f rate=%.0f p50=%.3f p90=%.3f "
	    "p99=%.3f max=%.3f cpu=%.3f cpu_children=%.3f\n", nlat, secs,
	    nlat / secs, pct(0.5), pct(0.9), pct(0.99),
	    nlat ? lat[nlat - 1] * 1000 : 0.0, cpu_seconds(RUSAGE_SELF),
	    cpu_seconds(RUSAGE_CHILDREN));
	for (i = 0; i <= ANSWERS_KEPT; i++)
		if (answers[i].n > 0)
			printf("answer\t%ld\t%s\n", answers[i].n,
			    i == ANSWERS_KEPT ? "(other)" : answers[i].text);
	return 0;
}
