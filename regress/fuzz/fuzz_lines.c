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
 * The line path: bytes as smtpd would send them, split into lines the
 * way protocol/io.c splits them, through the parser and the real
 * dispatch of filter/smtpd.c.  Every line the filter writes must be one
 * smtpd accepts, and every filter request must get exactly one answer
 * that echoes its session and token.  add-header is always on: a
 * data-line request gets its line back last, after the headers, if any.
 *
 * The first byte picks the policy.  It never asks DNS: the checks that
 * need lookups are set to pass, so no lookup starts, no verdict waits
 * for one, and each answer is written before the next line is fed.
 * That keeps every run a pure function of its input; the verdict on DNS
 * facts is fuzzed through verdict_reply in fuzz_reply.c.
 */
#include "compat.h"

#include <sys/types.h>

#include <event.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "policy.h"
#include "proto.h"
#include "smtpd.h"
#include "verdict.h"

#define FAIL(...)	do {						\
	dprintf(2, "fuzz_lines: " __VA_ARGS__);				\
	dprintf(2, "\n");						\
	abort();							\
} while (0)

/* What one input line asks for, read from a copy before dispatch. */
struct expect {
	int		 request;	/* a filter request we dispatch */
	int		 ready;		/* config|ready */
	char		 ids[40];	/* "SID|TOKEN" as the answer has them */
	char		*dataline;	/* a data-line request's line */
};

int		LLVMFuzzerTestOneInput(const uint8_t *, size_t);
static void	setup_once(void);
static void	policy_from(struct policy *, unsigned char);
static int	expect_line(const char *, size_t, struct expect *);
static void	check_output(const struct expect *);
static void	check_result(const char *, const struct expect *);
static const char *check_dataline(const char *, const struct expect *);

static struct event_base	*base;
static int			 outfd = -1;	/* fd 1 comes out here */
static int			 handshaken;	/* this input said ready */

/* Policy directives, one per bit of the first byte. */
static const char *const knobs[] = {
	"verdict-phase helo",
	"verdict-phase mail-from",
	"profile strict",
	"explain-url https://www.example.org/helo.html",
	"local-name mx.example.org",
	"local-domain example.org",
	"pass client 192.0.2.0/24",
	"block helo .gmail.com",
};

/* The checks that would start a lookup (their needs in checks/verdict.c). */
static const enum check dns_checks[] = {
	CHECK_RDNS, CHECK_RDNS_MATCH, CHECK_RCPT_DOMAIN, CHECK_PROTECTED,
	CHECK_DYNAMIC, CHECK_DNS, CHECK_FORWARD, CHECK_CNAME, CHECK_PRIVATE,
	CHECK_ROTATION,		/* the client's names, which never count */
	CHECK_SPF_HELO
};

/*
 * Output goes to fd 1 through protocol/io.c: point fd 1 at a pipe read
 * here after each line.  The log goes nowhere unless FUZZ_LOG is set
 * (the sanitizers and libFuzzer write to fd 2 directly, not through
 * stdio, and still show).  fd 0 is watched but never read: an idle
 * pipe, not a terminal shared with the shell (io.c makes it
 * non-blocking) nor /dev/null (epoll refuses it).
 */
static void
setup_once(void)
{
	int	p[2], in[2];

	if (base != NULL)
		return;
	if ((base = event_base_new()) == NULL)
		FAIL("event_base_new");
	if (pipe(p) == -1 || dup2(p[1], 1) == -1)
		FAIL("pipe");
	close(p[1]);
	outfd = p[0];
	if (fcntl(outfd, F_SETFL, O_NONBLOCK) == -1)
		FAIL("fcntl");
	if (pipe(in) == -1 || dup2(in[0], 0) == -1)
		FAIL("pipe");
	close(in[0]);
	if (getenv("FUZZ_LOG") == NULL && (stderr = fopen("/dev/null",
	    "w")) == NULL)
		FAIL("/dev/null");
}

static void
policy_from(struct policy *p, unsigned char bits)
{
	const char	*errstr;
	char		 line[128];
	size_t		 i;

	policy_init(p);
	for (i = 0; i < nitems(knobs); i++) {
		if ((bits & (1 << i)) == 0)
			continue;
		strlcpy(line, knobs[i], sizeof(line));
		if (config_parse_line(p, line, &errstr) == -1)
			FAIL("%s: %s", knobs[i], errstr);
	}
	p->add_header = 1;
	for (i = 0; i < nitems(dns_checks); i++)
		policy_set_action(p, dns_checks[i], ACT_PASS);
	if (config_finish(p, "fuzz") == -1 || verdict_needs(p) != 0)
		FAIL("policy 0x%02x would ask DNS or is invalid", bits);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct policy	 policy;
	struct expect	 e;
	char		*buf, *line, *nl, *end;
	size_t		 len;

	if (size == 0)
		return 0;
	setup_once();
	policy_from(&policy, data[0]);
	if ((buf = malloc(size)) == NULL)
		FAIL("malloc");
	memcpy(buf, data + 1, size - 1);
	end = buf + size - 1;

	handshaken = 0;
	smtpd_setup(base, &policy);
	/* As io.c: a last line without newline is lost at end of input. */
	for (line = buf; (nl = memchr(line, '\n', end - line)) != NULL;
	    line = nl + 1) {
		len = nl - line;
		if (len > 0 && line[len - 1] == '\r')
			len--;
		if (len > PROTO_LINE_MAX)
			continue;
		line[len] = '\0';
		if (expect_line(line, len, &e) == -1)
			continue;
		smtpd_line(line, len);
		check_output(&e);
		free(e.dataline);
	}
	smtpd_teardown();
	memset(&e, 0, sizeof(e));
	check_output(&e);
	policy_free(&policy);
	free(buf);
	return 0;
}

/*
 * Parse a copy as the filter will.  Returns -1 for a line not to feed:
 * before "config|ready", "config|protocol|" with a major other than 0
 * makes the filter exit by design (it cannot speak that protocol),
 * which is not a finding.  After it, every config line must be taken.
 */
static int
expect_line(const char *line, size_t len, struct expect *e)
{
	struct proto_line	 pl;
	const char		*errstr;
	char			*copy;
	int			 rc = 0, major, minor;

	memset(e, 0, sizeof(*e));
	if ((copy = malloc(len + 1)) == NULL)
		FAIL("malloc");
	memcpy(copy, line, len + 1);
	if (proto_parse_line(copy, &pl, &errstr) == 0) {
		if (pl.type == PROTO_CONFIG) {
			e->ready = strcmp(pl.key, "ready") == 0 &&
			    !handshaken;
			if (!handshaken && strcmp(pl.key, "protocol") == 0 &&
			    proto_parse_version(pl.value, &major,
			    &minor) == 0 && major != 0)
				rc = -1;
			if (e->ready)
				handshaken = 1;
		} else if (pl.type == PROTO_FILTER && pl.major == 0 &&
		    strcmp(pl.subsystem, "smtp-in") == 0) {
			e->request = 1;
			if (strcmp(pl.event, "data-line") == 0 &&
			    (e->dataline = strdup(pl.params)) == NULL)
				FAIL("strdup");
			/* 0.4 answers TOKEN|SID, later versions SID|TOKEN. */
			snprintf(e->ids, sizeof(e->ids), "%016llx|%016llx",
			    (unsigned long long)(pl.minor < 5 ? pl.token :
			    pl.sid),
			    (unsigned long long)(pl.minor < 5 ? pl.sid :
			    pl.token));
		}
	}
	free(copy);
	return rc;
}

/* Read what the filter wrote for one line and hold it to the protocol. */
static void
check_output(const struct expect *e)
{
	static char	 out[2 * PROTO_DATALINE_MAX];
	static size_t	 len;
	ssize_t		 n;
	char		*l, *nl;
	const char	*last = NULL;
	int		 results = 0;

	while ((n = read(outfd, out + len, sizeof(out) - 1 - len)) > 0)
		len += n;
	out[len] = '\0';
	for (l = out; (nl = strchr(l, '\n')) != NULL; l = nl + 1) {
		*nl = '\0';
		if (strncmp(l, "filter-result|", 14) == 0) {
			if (!e->request || e->dataline != NULL)
				FAIL("answer to no request: %s", l);
			check_result(l, e);
			results++;
		} else if (strncmp(l, "filter-dataline|", 16) == 0) {
			if (e->dataline == NULL)
				FAIL("message line to no data-line: %s", l);
			last = check_dataline(l, e);
		} else if (strncmp(l, "register|", 9) == 0) {
			if (!e->ready)
				FAIL("register outside the handshake: %s", l);
			if (strcmp(l, "register|ready") != 0 &&
			    strncmp(l, "register|report|smtp-in|", 24) != 0 &&
			    strncmp(l, "register|filter|smtp-in|", 24) != 0)
				FAIL("bad register line: %s", l);
		} else
			FAIL("not a protocol line: %s", l);
	}
	if (l != out + len)
		FAIL("output without newline: %s", l);
	len = 0;
	if (e->dataline != NULL) {
		if (last == NULL || strcmp(last, e->dataline) != 0)
			FAIL("data-line %s not passed back last", e->ids);
	} else if (e->request && results != 1)
		FAIL("%d answers to request %s", results, e->ids);
}

/* filter-dataline|IDS|LINE: returns the line. */
static const char *
check_dataline(const char *l, const struct expect *e)
{
	const char	*p = l + 16;

	if (strncmp(p, e->ids, strlen(e->ids)) != 0 ||
	    p[strlen(e->ids)] != '|')
		FAIL("message line %s for ids %s", l, e->ids);
	return p + strlen(e->ids) + 1;
}

/* filter-result|IDS|proceed or junk, or reject|disconnect with a reply. */
static void
check_result(const char *l, const struct expect *e)
{
	const char	*p, *reply;
	size_t		 n = strlen(l) + 1;

	if (n > PROTO_REPLY_MAX)
		FAIL("answer of %zu bytes: %.80s", n, l);
	for (p = l; *p != '\0'; p++)
		if (*p < 0x20 || *p > 0x7e)
			FAIL("byte 0x%02x in answer: %s", *p & 0xff, l);
	p = l + 14;
	if (strncmp(p, e->ids, strlen(e->ids)) != 0 ||
	    p[strlen(e->ids)] != '|')
		FAIL("answer %s for ids %s", l, e->ids);
	p += strlen(e->ids) + 1;
	if (strcmp(p, "proceed") == 0 || strcmp(p, "junk") == 0)
		return;
	if (strncmp(p, "reject|", 7) == 0)
		reply = p + 7;
	else if (strncmp(p, "disconnect|", 11) == 0)
		reply = p + 11;
	else
		FAIL("bad decision: %s", l);
	if ((reply[0] != '4' && reply[0] != '5') || reply[1] < '0' ||
	    reply[1] > '9' || reply[2] < '0' || reply[2] > '9' ||
	    reply[3] != ' ' || reply[4] == '\0')
		FAIL("bad reply: %s", l);
}
