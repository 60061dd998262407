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
 * Logging.  In filter mode every line goes to stderr, which smtpd reads
 * and logs under the filter's name; in the one-shot mode it goes to
 * syslog, since Exim takes the program's output as the reply.
 *
 * Logging must never stop the filter: an smtpd that does not read our
 * stderr would otherwise leave us blocked in write(2), answering
 * nothing.  Lines are queued in a fixed buffer and written only as far
 * as stderr takes them now; the event loop writes the rest when stderr
 * is writable.  Lines that do not fit are dropped and counted, and once
 * the buffer is empty again one line says how many.
 *
 * O_NONBLOCK is not set on stderr: it is a property of the open file
 * description, which the process that started us may share (a
 * terminal, a supervisor's pipe) and would then see fail with EAGAIN.
 * Instead a write is tried only when poll(2) says stderr is writable,
 * and is at most PIPE_BUF bytes: a pipe that polls writable has room
 * for that much (on Linux and the BSDs), so the write cannot block while
 * we are its only writer, as with the pipe smtpd gives each filter.
 * Regular files always poll writable; a terminal stopped by flow
 * control could still hold us, which is only the case by hand.
 *
 * The one-shot -E mode logs to syslog through logsys.c, which never
 * blocks either.
 */
#include "compat.h"

#include <sys/types.h>

#include <errno.h>
#include <event.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "logsys.h"

#define LOG_BUF_SIZE	(64 * 1024)	/* held while stderr is not read */
#define LOG_LINE_MAX	4096		/* one line, its newline included */
#define LOG_EXIT_MS	1000		/* wait for stderr at exit, at most */

static void	log_vwrite(int, int, const char *, va_list);
static void	log_queue(const char *, size_t, int);
static void	log_flush(void);
static void	log_flush_wait(int);
static void	log_schedule(void);
static void	log_ready(int, short, void *);
static void	log_atexit(void);
static size_t	log_pending(void);

static int	log_debugging;
static int	log_to_syslog;
static int	log_fatal_exit = 1;

/* What waits for stderr. */
static struct {
	char		 buf[LOG_BUF_SIZE];
	size_t		 off;		/* first byte not yet written */
	size_t		 len;		/* end of the pending bytes */
	unsigned long	 dropped;	/* lines lost since the last notice */
	struct event	 ev;
	int		 ev_set;	/* ev is on an event base */
	int		 waiting;	/* ev is added */
	pid_t		 pid;		/* ours: a forked child writes none */
} logq;

void
log_init(int verbose, int use_syslog)
{
	log_debugging = verbose;
	log_to_syslog = use_syslog;
	if (use_syslog)
		logsys_open("filter-helo", LOG_MAIL);
	else if (logq.pid == 0) {
		logq.pid = getpid();
		atexit(log_atexit);
	}
}

/* From now on the event loop writes what stderr would not take. */
void
log_event_init(struct event_base *base)
{
	if (log_to_syslog)
		return;
	event_set(&logq.ev, STDERR_FILENO, EV_WRITE | EV_PERSIST, log_ready,
	    NULL);
	if (event_base_set(base, &logq.ev) == -1)
		return;
	logq.ev_set = 1;
	log_schedule();
}

/* Before the event base goes: give stderr a last, bounded chance. */
void
log_event_done(void)
{
	if (logq.waiting)
		event_del(&logq.ev);
	logq.waiting = logq.ev_set = 0;
	log_flush_wait(LOG_EXIT_MS);
}

/* Exim reads exit 1 as "reject": its front end exits otherwise. */
void
log_fatal_status(int status)
{
	log_fatal_exit = status;
}

int
log_verbose(void)
{
	return log_debugging;
}

/*
 * One line; with errno >= 0, ": strerror(errno)" appended.  A fatal
 * line waits a little for room, and is kept even while lines are being
 * dropped: it says why we are gone.
 */
static void
log_vwrite(int pri, int saved, const char *fmt, va_list ap)
{
	char	buf[LOG_LINE_MAX], line[LOG_LINE_MAX];
	int	n;

	vsnprintf(buf, sizeof(buf), fmt, ap);
	n = snprintf(line, sizeof(line), "%s%s%s\n", buf,
	    saved >= 0 ? ": " : "", saved >= 0 ? strerror(saved) : "");
	if (n < 0)
		return;
	if (log_to_syslog) {
		line[strcspn(line, "\n")] = '\0';
		logsys_send(pri, line);
		return;
	}
	if ((size_t)n >= sizeof(line)) {
		n = sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	if (pri == LOG_CRIT)
		log_flush_wait(LOG_EXIT_MS);
	log_queue(line, n, pri == LOG_CRIT);
	log_flush();
}

/*
 * Once a line was dropped, drop all until the buffer is empty: then the
 * notice says how many, rather than one for every line that fitted.
 */
static void
log_queue(const char *line, size_t n, int keep)
{
	if ((logq.dropped > 0 && log_pending() > 0 && !keep) ||
	    n > sizeof(logq.buf) - log_pending()) {
		logq.dropped++;
		return;
	}
	if (logq.len + n > sizeof(logq.buf)) {
		memmove(logq.buf, logq.buf + logq.off, log_pending());
		logq.len -= logq.off;
		logq.off = 0;
	}
	memcpy(logq.buf + logq.len, line, n);
	logq.len += n;
}

/* Write what stderr takes now without blocking; never wait. */
static void
log_flush(void)
{
	struct pollfd	pfd;
	char		notice[128];
	size_t		n;
	ssize_t		w;
	int		len;

	pfd.fd = STDERR_FILENO;
	pfd.events = POLLOUT;
	for (;;) {
		if (log_pending() == 0) {
			logq.off = logq.len = 0;
			if (logq.dropped == 0)
				break;
			len = snprintf(notice, sizeof(notice),
			    "log: %lu lines dropped: stderr was not being "
			    "read\n", logq.dropped);
			logq.dropped = 0;
			log_queue(notice, len, 1);
		}
		if (poll(&pfd, 1, 0) != 1 || (pfd.revents & POLLOUT) == 0) {
			/* Gone for good: nobody will read what waits. */
			if (pfd.revents & (POLLERR | POLLHUP | POLLNVAL))
				logq.off = logq.len = logq.dropped = 0;
			break;
		}
		n = log_pending() < PIPE_BUF ? log_pending() : PIPE_BUF;
		if ((w = write(STDERR_FILENO, logq.buf + logq.off, n)) == -1) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				logq.off = logq.len = logq.dropped = 0;
			break;
		}
		logq.off += w;
	}
	log_schedule();
}

/* Before the loop and at exit: write, waiting at most ms in all. */
static void
log_flush_wait(int ms)
{
	struct pollfd	pfd;
	struct timespec	start, now;
	int		left;

	clock_gettime(CLOCK_MONOTONIC, &start);
	pfd.fd = STDERR_FILENO;
	pfd.events = POLLOUT;
	for (log_flush(); log_pending() > 0; log_flush()) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		left = ms - (now.tv_sec - start.tv_sec) * 1000 -
		    (now.tv_nsec - start.tv_nsec) / 1000000;
		if (left <= 0 || (poll(&pfd, 1, left) == -1 && errno != EINTR))
			break;
	}
}

/* Wait for EV_WRITE exactly while something is pending. */
static void
log_schedule(void)
{
	if (!logq.ev_set)
		return;
	if (log_pending() > 0 && !logq.waiting) {
		if (event_add(&logq.ev, NULL) == 0)
			logq.waiting = 1;
	} else if (log_pending() == 0 && logq.waiting) {
		event_del(&logq.ev);
		logq.waiting = 0;
	}
}

static void
log_ready(int fd, short events, void *arg)
{
	log_flush();
}

static void
log_atexit(void)
{
	if (getpid() == logq.pid)
		log_flush_wait(LOG_EXIT_MS);
}

static size_t
log_pending(void)
{
	return logq.len - logq.off;
}

void
log_warn(const char *fmt, ...)
{
	va_list	ap;
	int	saved = errno;

	va_start(ap, fmt);
	log_vwrite(LOG_WARNING, saved, fmt, ap);
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite(LOG_WARNING, -1, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite(LOG_INFO, -1, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	ap;

	if (!log_debugging)
		return;
	va_start(ap, fmt);
	log_vwrite(LOG_DEBUG, -1, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list	ap;
	int	saved = errno;

	va_start(ap, fmt);
	log_vwrite(LOG_CRIT, saved, fmt, ap);
	va_end(ap);
	exit(log_fatal_exit);
}

void
fatalx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite(LOG_CRIT, -1, fmt, ap);
	va_end(ap);
	exit(log_fatal_exit);
}

/*
 * Values from the network (HELO names, user names) are logged with
 * control characters, backslash and non-ASCII bytes as \ooo, so that one
 * log line stays one line and says exactly what was sent.
 */
const char *
log_escape(const char *s, char *buf, size_t len)
{
	size_t		 i = 0;
	unsigned char	 c;

	if (len == 0)
		return "";
	if (s == NULL)
		s = "";
	for (; (c = *s) != '\0'; s++) {
		if (c >= 0x21 && c < 0x7f && c != '\\') {
			if (i + 1 >= len)
				break;
			buf[i++] = c;
		} else {
			if (i + 4 >= len)
				break;
			snprintf(buf + i, 5, "\\%03o", c);
			i += 4;
		}
	}
	buf[i] = '\0';
	return buf;
}
