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
 * Syslog for the one-shot mode, never blocking.  OpenBSD's syslog(3)
 * is sendsyslog(2), which never blocks.  glibc's sends on a blocking
 * datagram socket that waits while syslogd does not read, and Exim
 * would wait for us up to its 60 s limit on ${run}, holding the SMTP
 * session: so elsewhere the message goes, in the format glibc writes
 * (RFC 3164 with the local time), through a socket of our own that is
 * non-blocking.  What it does not take at once is dropped: a verdict
 * never waits for the log.
 */
#include "compat.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "logsys.h"

#ifndef __OpenBSD__
#ifndef _PATH_LOG
#define _PATH_LOG	"/dev/log"
#endif

static struct {
	int		 fd;
	int		 facility;
	const char	*ident;
} logsys = { -1, LOG_USER, "" };

static int	logsys_connect(int);
#endif

void
logsys_open(const char *ident, int facility)
{
#ifdef __OpenBSD__
	openlog(ident, LOG_PID | LOG_NDELAY, facility);
#else
	logsys.ident = ident;
	logsys.facility = facility;
	if ((logsys.fd = logsys_connect(SOCK_DGRAM)) == -1)
		logsys.fd = logsys_connect(SOCK_STREAM);
#endif
}

void
logsys_send(int pri, const char *msg)
{
#ifdef __OpenBSD__
	syslog(pri, "%s", msg);
#else
	char		 line[4200], stamp[32];
	struct tm	 tm;
	time_t		 now;
	int		 n;

	if (logsys.fd == -1)
		return;
	now = time(NULL);
	if (localtime_r(&now, &tm) == NULL ||
	    strftime(stamp, sizeof(stamp), "%h %e %T", &tm) == 0)
		stamp[0] = '\0';
	n = snprintf(line, sizeof(line), "<%d>%s %s[%ld]: %s",
	    logsys.facility | LOG_PRI(pri), stamp, logsys.ident,
	    (long)getpid(), msg);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	/* A stream socket (some syslogds) takes the NUL as separator. */
	(void)send(logsys.fd, line, n + 1, MSG_DONTWAIT | MSG_NOSIGNAL);
#endif
}

#ifndef __OpenBSD__
static int
logsys_connect(int type)
{
	struct sockaddr_un	 sun;
	int			 fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strlcpy(sun.sun_path, _PATH_LOG, sizeof(sun.sun_path));
	if ((fd = socket(AF_UNIX, type, 0)) == -1)
		return -1;
	if (fcntl(fd, F_SETFD, FD_CLOEXEC) == -1 ||
	    fcntl(fd, F_SETFL, O_NONBLOCK) == -1 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}
#endif
