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
 * The null filter of the benchmark: the smtpd-filters(7) handshake with
 * the registrations of filter-helo (default verdict phase), and
 * "proceed" at once to every request.  What it costs is the protocol's
 * own cost on this machine: filter-helo's numbers are read against it.
 * Plain read(2) and write(2) with big buffers, no stdio on the pipes.
 * With -d it also registers data-line and passes every message line
 * back as it came: the floor of any filter that sees message lines.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BUFSZ	(256 * 1024)
#define DATALINE	"filter-dataline|"

static void	out(const char *, size_t);
static void	flush(void);
static void	on_line(char *);

static char	obuf[BUFSZ];
static size_t	olen;
static int	ready;
static int	dataline;

static void
flush(void)
{
	size_t	off = 0;
	ssize_t	n;

	while (off < olen) {
		n = write(STDOUT_FILENO, obuf + off, olen - off);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			exit(1);
		}
		off += n;
	}
	olen = 0;
}

static void
out(const char *s, size_t len)
{
	if (olen + len > sizeof(obuf))
		flush();
	memcpy(obuf + olen, s, len);
	olen += len;
}

/* filter|VERSION|TS|smtp-in|PHASE|SID|TOKEN|...: answer proceed. */
static void
on_line(char *l)
{
	static const char *reg =
	    "register|report|smtp-in|link-connect\n"
	    "register|report|smtp-in|link-greeting\n"
	    "register|report|smtp-in|link-identify\n"
	    "register|report|smtp-in|link-auth\n"
	    "register|report|smtp-in|link-disconnect\n"
	    "register|report|smtp-in|timeout\n"
	    "register|filter|smtp-in|helo\n"
	    "register|filter|smtp-in|ehlo\n"
	    "register|filter|smtp-in|rcpt-to\n";
	char	*f[7], *p = l, line[128];
	int	 i, n;

	if (!ready) {
		if (strcmp(l, "config|ready") == 0) {
			ready = 1;
			out(reg, strlen(reg));
			if (dataline)
				out("register|filter|smtp-in|data-line\n", 34);
			out("register|ready\n", 15);
		}
		return;
	}
	if (strncmp(l, "filter|", 7) != 0)
		return;
	for (i = 0; i < 7 && p != NULL; i++)
		f[i] = strsep(&p, "|");
	if (i < 7)
		return;
	if (strcmp(f[4], "data-line") == 0) {
		/* the same id order as filter-result, the line as it came */
		out(DATALINE, strlen(DATALINE));
		out(strcmp(f[1], "0.4") == 0 ? f[6] : f[5], 16);
		out("|", 1);
		out(strcmp(f[1], "0.4") == 0 ? f[5] : f[6], 16);
		out("|", 1);
		if (p != NULL)
			out(p, strlen(p));
		out("\n", 1);
		return;
	}
	/* Protocol 0.4 answers TOKEN|SID, every later version SID|TOKEN. */
	if (strcmp(f[1], "0.4") == 0)
		n = snprintf(line, sizeof(line), "filter-result|%s|%s|proceed\n",
		    f[6], f[5]);
	else
		n = snprintf(line, sizeof(line), "filter-result|%s|%s|proceed\n",
		    f[5], f[6]);
	if (n > 0 && (size_t)n < sizeof(line))
		out(line, n);
}

int
main(int argc, char *argv[])
{
	static char	 ibuf[BUFSZ];
	size_t		 have = 0;
	ssize_t		 n;
	char		*s, *nl;

	dataline = argc > 1 && strcmp(argv[1], "-d") == 0;
	for (;;) {
		n = read(STDIN_FILENO, ibuf + have, sizeof(ibuf) - 1 - have);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		have += n;
		ibuf[have] = '\0';
		s = ibuf;
		while ((nl = strchr(s, '\n')) != NULL) {
			*nl = '\0';
			on_line(s);
			s = nl + 1;
		}
		have -= s - ibuf;
		memmove(ibuf, s, have);
		/* A line longer than the buffer is dropped. */
		if (have == sizeof(ibuf) - 1)
			have = 0;
		flush();
	}
	flush();
	return 0;
}
