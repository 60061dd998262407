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
 * protocol/: parsing and formatting of smtpd-filters(7) lines for
 * protocol 0.4 to 0.7, and the line I/O through real pipes.
 */
#include "compat.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <event.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io.h"
#include "proto.h"
#include "tap.h"

#define SID		0x1f261e4a773d1befULL
#define TOK		0xd11cc84002123401ULL
#define SID_HEX		"1f261e4a773d1bef"
#define TOK_HEX		"d11cc84002123401"
#define TS		"1795338158.274236"

#define FEED_CHUNK	4096		/* bytes per write into the pipe */
#define FEED_STALLS	1000		/* full pipe this often: reader hung */
#define HUGE_LINE	(1024 * 1024)
#define OUT_LINE_LEN	64
#define OUT_LINES	3200		/* 200 KiB, more than a pipe holds */
#define MAX_SEEN	16
#define ECHO_LINES	100000		/* 1.6 MB: more than sockets hold */
#define ECHO_LEN	16		/* "%015d\n" */
#define ECHO_HIGH	8192		/* the throttle's marks in the test */
#define ECHO_LOW	2048
#define ECHO_IN_BUF	(PROTO_LINE_MAX + 2)	/* io.c's input buffer */
#define BURST_LINES	1000		/* a flood, read in one go */
#define BURST_MAX	100		/* lines a turn, at most */

struct config_case {
	const char	*line;
	const char	*key;
	const char	*value;
};

struct line_case {
	const char	*name;
	const char	*line;
	enum proto_type	 type;
	int		 major;
	int		 minor;
	const char	*event;
	uint64_t	 sid;
	uint64_t	 token;
	const char	*params;
};

struct bad_case {
	const char	*name;
	const char	*line;
	const char	*errstr;
};

struct connect_case {
	const char	*params;
	int		 rc;
	const char	*rdns;
	const char	*fcrdns;
	const char	*src;
	const char	*dest;
};

struct identify_case {
	const char	*params;
	int		 rc;
	const char	*method;
	const char	*identity;
};

struct auth_case {
	int		 major;
	int		 minor;
	const char	*params;
	int		 rc;
	const char	*user;
	const char	*result;
};

struct fmt_case {
	const char	*name;
	int		 major;
	int		 minor;
	uint64_t	 sid;
	uint64_t	 token;
	const char	*decision;
	const char	*param;
	const char	*want;		/* NULL: refused */
};

/* What the io_in callbacks saw. */
struct seen {
	char	*lines[MAX_SEEN];
	size_t	 lens[MAX_SEEN];
	int	 nlines;
	size_t	 toolong[MAX_SEEN];
	int	 ntoolong;
	int	 eofs;
	int	 after_eof;
	struct event_base *base;
};

/* An echo server: each input line is answered by itself. */
struct echo {
	struct io_out	*out;
	int		 lines;		/* lines seen */
	size_t		 max_pending;	/* most output ever held */
	int		 failed;	/* io_out_line refused a line */
};

static void	test_parse_line(void);
static void	test_split(void);
static void	test_connect(void);
static void	test_identify(void);
static void	test_auth(void);
static void	test_fmt(void);
static void	test_fmt_dataline(void);
static void	test_io_in(void);
static void	test_io_out(void);
static void	test_io_out_dead(void);
static void	test_io_out_flush(void);
static void	test_io_throttle(void);
static void	test_io_burst(void);
static void	burst_line(char *, size_t, void *);
static void	burst_tick(int, short, void *);
static void	echo_line(char *, size_t, void *);
static void	echo_eof(void *);
static void	echo_toolong(size_t, void *);
static size_t	echo_feed(struct event_base *, int, size_t, size_t);
static size_t	echo_take(int, int *, int *);
static void	seen_line(char *, size_t, void *);
static void	seen_eof(void *);
static void	seen_toolong(size_t, void *);
static void	feed(struct event_base *, int, const char *);
static void	feed_repeat(struct event_base *, int, int, size_t);
static char	*make_output(void);
static char	*repeat(int, size_t);

static const struct config_case config_cases[] = {
	{ "config|smtpd-version|6.8.0p2", "smtpd-version", "6.8.0p2" },
	{ "config|protocol|0.7", "protocol", "0.7" },
	{ "config|admd|vm", "admd", "vm" },
	{ "config|future|a|b||c", "future", "a|b||c" },
	{ "config|ready", "ready", "" },
	{ "config|admd|", "admd", "" },
};

static const struct line_case line_cases[] = {
	{ "0.6 link-connect", "report|0.6|" TS "|smtp-in|link-connect|"
	    SID_HEX "|localhost|pass|127.0.0.1:52024|127.0.0.1:25",
	    PROTO_REPORT, 0, 6, "link-connect", SID, 0,
	    "localhost|pass|127.0.0.1:52024|127.0.0.1:25" },
	{ "0.7 link-disconnect, no params", "report|0.7|" TS
	    "|smtp-in|link-disconnect|" SID_HEX,
	    PROTO_REPORT, 0, 7, "link-disconnect", SID, 0, "" },
	{ "0.7 report, empty params", "report|0.7|" TS
	    "|smtp-in|timeout|" SID_HEX "|",
	    PROTO_REPORT, 0, 7, "timeout", SID, 0, "" },
	{ "0.4 tx-mail", "report|0.4|1568000000.000001|smtp-in|tx-mail|"
	    SID_HEX "|0c1e7a5b|alice@client.example|ok",
	    PROTO_REPORT, 0, 4, "tx-mail", SID, 0,
	    "0c1e7a5b|alice@client.example|ok" },
	{ "0.5 link-identify", "report|0.5|" TS "|smtp-in|link-identify|"
	    SID_HEX "|EHLO|client.example",
	    PROTO_REPORT, 0, 5, "link-identify", SID, 0,
	    "EHLO|client.example" },
	{ "0.6 '|' in the last report field", "report|0.6|" TS
	    "|smtp-in|protocol-client|" SID_HEX "|MAIL FROM:<a|b@x> SIZE=1",
	    PROTO_REPORT, 0, 6, "protocol-client", SID, 0,
	    "MAIL FROM:<a|b@x> SIZE=1" },
	{ "0.10 is minor 10", "report|0.10|" TS "|smtp-in|link-greeting|"
	    SID_HEX "|mx.example",
	    PROTO_REPORT, 0, 10, "link-greeting", SID, 0, "mx.example" },
	{ "major 1 parses (the caller refuses it)", "report|1.0|" TS
	    "|smtp-in|link-disconnect|" SID_HEX,
	    PROTO_REPORT, 1, 0, "link-disconnect", SID, 0, "" },
	{ "plain seconds timestamp", "report|0.6|1795338158|smtp-out|"
	    "link-disconnect|" SID_HEX,
	    PROTO_REPORT, 0, 6, "link-disconnect", SID, 0, "" },
	{ "upper-case hex id", "report|0.6|" TS "|smtp-in|link-disconnect|"
	    "1F261E4A773D1BEF",
	    PROTO_REPORT, 0, 6, "link-disconnect", SID, 0, "" },
	{ "short hex id", "report|0.6|" TS "|smtp-in|link-disconnect|1f",
	    PROTO_REPORT, 0, 6, "link-disconnect", 0x1f, 0, "" },
	{ "0.6 ehlo", "filter|0.6|" TS "|smtp-in|ehlo|" SID_HEX "|" TOK_HEX
	    "|client.example",
	    PROTO_FILTER, 0, 6, "ehlo", SID, TOK, "client.example" },
	{ "0.7 helo", "filter|0.7|" TS "|smtp-in|helo|" SID_HEX "|" TOK_HEX
	    "|[IPv6:::1]",
	    PROTO_FILTER, 0, 7, "helo", SID, TOK, "[IPv6:::1]" },
	{ "0.4 helo", "filter|0.4|" TS "|smtp-in|helo|" SID_HEX "|" TOK_HEX
	    "|client.example",
	    PROTO_FILTER, 0, 4, "helo", SID, TOK, "client.example" },
	{ "0.5 connect, <unknown> rdns", "filter|0.5|" TS "|smtp-in|connect|"
	    SID_HEX "|" TOK_HEX "|<unknown>|[::1]",
	    PROTO_FILTER, 0, 5, "connect", SID, TOK, "<unknown>|[::1]" },
	{ "0.6 data, empty params", "filter|0.6|" TS "|smtp-in|data|"
	    SID_HEX "|" TOK_HEX "|",
	    PROTO_FILTER, 0, 6, "data", SID, TOK, "" },
	{ "0.6 data, no separator after the token", "filter|0.6|" TS
	    "|smtp-in|data|" SID_HEX "|" TOK_HEX,
	    PROTO_FILTER, 0, 6, "data", SID, TOK, "" },
	{ "'|' in the last filter field", "filter|0.7|" TS
	    "|smtp-in|data-line|" SID_HEX "|" TOK_HEX "|a | b || c|",
	    PROTO_FILTER, 0, 7, "data-line", SID, TOK, "a | b || c|" },
};

static const struct bad_case bad_cases[] = {
	{ "empty line", "", "empty line" },
	{ "garbage", "garbage", "unknown line type" },
	{ "a reply line", "filter-result|" SID_HEX "|" TOK_HEX "|proceed",
	    "unknown line type" },
	{ "register line", "register|ready", "unknown line type" },
	{ "type only", "config", "missing fields" },
	{ "config without key", "config|", "missing config key" },
	{ "config with empty key", "config||x", "missing config key" },
	{ "version x.y", "filter|x.y|" TS "|smtp-in|helo|" SID_HEX "|"
	    TOK_HEX "|a.example", "bad version" },
	{ "version without minor", "report|0|" TS "|smtp-in|link-disconnect|"
	    SID_HEX, "bad version" },
	{ "version 0.", "report|0.|" TS "|smtp-in|link-disconnect|"
	    SID_HEX, "bad version" },
	{ "version .6", "report|.6|" TS "|smtp-in|link-disconnect|"
	    SID_HEX, "bad version" },
	{ "version 0.6.1", "report|0.6.1|" TS "|smtp-in|link-disconnect|"
	    SID_HEX, "bad version" },
	{ "version -0.6", "report|-0.6|" TS "|smtp-in|link-disconnect|"
	    SID_HEX, "bad version" },
	{ "version +0.6", "report|+0.6|" TS "|smtp-in|link-disconnect|"
	    SID_HEX, "bad version" },
	{ "version with a space", "report|0. 6|" TS
	    "|smtp-in|link-disconnect|" SID_HEX, "bad version" },
	{ "version 0.99999", "report|0.99999|" TS
	    "|smtp-in|link-disconnect|" SID_HEX, "bad version" },
	{ "bad timestamp", "report|0.6|soon|smtp-in|link-disconnect|"
	    SID_HEX, "bad timestamp" },
	{ "timestamp 1.", "report|0.6|1.|smtp-in|link-disconnect|"
	    SID_HEX, "bad timestamp" },
	{ "empty subsystem", "report|0.6|" TS "||link-disconnect|" SID_HEX,
	    "missing subsystem" },
	{ "empty event", "report|0.6|" TS "|smtp-in||" SID_HEX,
	    "missing event" },
	{ "missing token", "filter|0.6|" TS "|smtp-in|helo|" SID_HEX,
	    "missing fields" },
	{ "empty token", "filter|0.6|" TS "|smtp-in|helo|" SID_HEX
	    "||a.example", "bad token" },
	{ "non-hex token", "filter|0.6|" TS "|smtp-in|helo|" SID_HEX
	    "|d11cc8400212340g|a.example", "bad token" },
	{ "non-hex session id", "filter|0.6|" TS "|smtp-in|helo|"
	    "zz261e4a773d1bef|" TOK_HEX "|a.example", "bad session id" },
	{ "0x session id", "report|0.6|" TS "|smtp-in|link-disconnect|0x1f",
	    "bad session id" },
	{ "17 hex digits", "report|0.6|" TS "|smtp-in|link-disconnect|"
	    "11f261e4a773d1bef", "bad session id" },
	{ "empty session id", "report|0.6|" TS "|smtp-in|link-disconnect|",
	    "bad session id" },
	{ "too few report fields", "report|0.6|" TS "|smtp-in",
	    "missing fields" },
	{ "too few filter fields", "filter|0.6|" TS "|smtp-in|helo",
	    "missing fields" },
};

static const struct connect_case connect_cases[] = {
	{ "localhost|pass|127.0.0.1:52024|127.0.0.1:25", 0,
	    "localhost", "pass", "127.0.0.1:52024", "127.0.0.1:25" },
	{ "<unknown>|fail|[::1]:58538|[::1]:25", 0,
	    NULL, "fail", "[::1]:58538", "[::1]:25" },
	{ "|error|[2001:db8::1]:2525|[2001:db8::25]:25", 0,
	    NULL, "error", "[2001:db8::1]:2525", "[2001:db8::25]:25" },
	{ "mx.example|pass|unix:/var/run/smtpd.sock|unix:/var/run/smtpd.sock",
	    0, "mx.example", "pass", "unix:/var/run/smtpd.sock",
	    "unix:/var/run/smtpd.sock" },
	{ "localhost|pass|127.0.0.1:52024", -1, NULL, NULL, NULL, NULL },
	{ "localhost|pass||127.0.0.1:25", -1, NULL, NULL, NULL, NULL },
	{ "", -1, NULL, NULL, NULL, NULL },
};

static const struct identify_case identify_cases[] = {
	{ "EHLO|client.example", 0, "EHLO", "client.example" },
	{ "HELO|[IPv6:::1]", 0, "HELO", "[IPv6:::1]" },
	{ "EHLO|a|b", 0, "EHLO", "a|b" },
	{ "EHLO", -1, NULL, NULL },
	{ "|client.example", -1, NULL, NULL },
};

static const struct auth_case auth_cases[] = {
	{ 0, 6, "user|with|pipe|pass", 0, "user|with|pipe", "pass" },
	{ 0, 6, "alice|fail", 0, "alice", "fail" },
	{ 0, 4, "alice|pass", 0, "alice", "pass" },
	{ 0, 7, "pass|user|with|pipe", 0, "user|with|pipe", "pass" },
	{ 0, 7, "error|alice", 0, "alice", "error" },
	{ 1, 0, "pass|alice", 0, "alice", "pass" },
	{ 0, 7, "pass", -1, NULL, NULL },
	{ 0, 7, "|alice", -1, NULL, NULL },
	{ 0, 6, "alice", -1, NULL, NULL },
	{ 0, 6, "alice|", -1, NULL, NULL },
};

static const struct fmt_case fmt_cases[] = {
	{ "0.4 proceed is TOKEN|SID", 0, 4, SID, TOK, "proceed", NULL,
	    "filter-result|" TOK_HEX "|" SID_HEX "|proceed\n" },
	{ "0.4 reject is TOKEN|SID", 0, 4, SID, TOK, "reject",
	    "550 5.7.1 no",
	    "filter-result|" TOK_HEX "|" SID_HEX "|reject|550 5.7.1 no\n" },
	{ "0.5 proceed is SID|TOKEN", 0, 5, SID, TOK, "proceed", NULL,
	    "filter-result|" SID_HEX "|" TOK_HEX "|proceed\n" },
	{ "0.6 reject", 0, 6, SID, TOK, "reject",
	    "550 5.7.1 HELO/EHLO bad.example rejected",
	    "filter-result|" SID_HEX "|" TOK_HEX
	    "|reject|550 5.7.1 HELO/EHLO bad.example rejected\n" },
	{ "0.6 reject with '|' in the text", 0, 6, SID, TOK, "reject",
	    "550 msg with | pipe | inside",
	    "filter-result|" SID_HEX "|" TOK_HEX
	    "|reject|550 msg with | pipe | inside\n" },
	{ "0.7 junk", 0, 7, SID, TOK, "junk", NULL,
	    "filter-result|" SID_HEX "|" TOK_HEX "|junk\n" },
	{ "0.7 disconnect", 0, 7, SID, TOK, "disconnect",
	    "421 4.7.0 go away",
	    "filter-result|" SID_HEX "|" TOK_HEX
	    "|disconnect|421 4.7.0 go away\n" },
	{ "1.0 is SID|TOKEN", 1, 0, SID, TOK, "proceed", NULL,
	    "filter-result|" SID_HEX "|" TOK_HEX "|proceed\n" },
	{ "ids are zero-padded", 0, 6, 1, 0xabc, "proceed", NULL,
	    "filter-result|0000000000000001|0000000000000abc|proceed\n" },
	{ "unknown decision", 0, 6, SID, TOK, "accept", NULL, NULL },
	{ "rewrite is never sent", 0, 6, SID, TOK, "rewrite", "x.example",
	    NULL },
	{ "report is never sent", 0, 7, SID, TOK, "report", "seen", NULL },
	{ "decisions are case-sensitive", 0, 6, SID, TOK, "Proceed", NULL,
	    NULL },
	{ "empty decision", 0, 6, SID, TOK, "", NULL, NULL },
	{ "NULL decision", 0, 6, SID, TOK, NULL, NULL, NULL },
	{ "proceed with a param", 0, 6, SID, TOK, "proceed", "x", NULL },
	{ "proceed with an empty param", 0, 6, SID, TOK, "proceed", "", NULL },
	{ "junk with a param", 0, 6, SID, TOK, "junk", "x", NULL },
	{ "reject without param", 0, 6, SID, TOK, "reject", NULL, NULL },
	{ "reject with an empty param", 0, 6, SID, TOK, "reject", "", NULL },
	{ "disconnect without param", 0, 7, SID, TOK, "disconnect", NULL,
	    NULL },
	{ "param with a newline", 0, 6, SID, TOK, "reject",
	    "550 a\nfilter-result|x", NULL },
	{ "param with a carriage return", 0, 6, SID, TOK, "reject",
	    "550 a\r", NULL },
};

int
main(void)
{
	plan(376);
	test_parse_line();
	test_split();
	test_connect();
	test_identify();
	test_auth();
	test_fmt();
	test_fmt_dataline();
	test_io_in();
	test_io_out();
	test_io_out_dead();
	test_io_out_flush();
	test_io_throttle();
	test_io_burst();
	return done_testing();
}

static void
test_parse_line(void)
{
	const struct config_case	*cc;
	const struct line_case		*lc;
	const struct bad_case		*bc;
	struct proto_line		 pl;
	const char			*errstr;
	char				 buf[512];
	size_t				 i;

	for (i = 0; i < nitems(config_cases); i++) {
		cc = &config_cases[i];
		strlcpy(buf, cc->line, sizeof(buf));
		if (!is_int(proto_parse_line(buf, &pl, &errstr), 0,
		    "\"%s\" parses", cc->line))
			continue;
		is_int(pl.type, PROTO_CONFIG, "  is a config line");
		is_str(pl.key, cc->key, "  key");
		is_str(pl.value, cc->value, "  value");
	}

	for (i = 0; i < nitems(line_cases); i++) {
		lc = &line_cases[i];
		strlcpy(buf, lc->line, sizeof(buf));
		if (!is_int(proto_parse_line(buf, &pl, &errstr), 0,
		    "%s: parses", lc->name)) {
			diag("errstr: %s", errstr);
			continue;
		}
		is_int(pl.type, lc->type, "  type");
		if (!ok(pl.major == lc->major && pl.minor == lc->minor,
		    "  version %d.%d", lc->major, lc->minor))
			diag("got %d.%d", pl.major, pl.minor);
		is_str(pl.event, lc->event, "  event");
		ok(pl.sid == lc->sid, "  session id");
		ok(pl.token == lc->token, "  token");
		is_str(pl.params, lc->params, "  params");
	}

	for (i = 0; i < nitems(bad_cases); i++) {
		bc = &bad_cases[i];
		strlcpy(buf, bc->line, sizeof(buf));
		errstr = NULL;
		is_int(proto_parse_line(buf, &pl, &errstr), -1, "%s: refused",
		    bc->name);
		is_str(errstr, bc->errstr, "  reason");
	}

	/* The fields between the session id and the params, spelled out. */
	strlcpy(buf, "filter|0.6|" TS "|smtp-out|helo|" SID_HEX "|" TOK_HEX
	    "|x.example", sizeof(buf));
	if (is_int(proto_parse_line(buf, &pl, &errstr), 0, "smtp-out helo")) {
		is_str(pl.timestamp, TS, "timestamp");
		is_str(pl.subsystem, "smtp-out", "subsystem");
	}
}

static void
test_split(void)
{
	const char	*f[3];
	char		 buf[64];

	strlcpy(buf, "a|b|c|d", sizeof(buf));
	is_int(proto_split(buf, f, 3), 0, "split a|b|c|d into 3");
	is_str(f[0], "a", "first field");
	is_str(f[1], "b", "second field");
	is_str(f[2], "c|d", "the last field keeps '|'");

	strlcpy(buf, "a||", sizeof(buf));
	is_int(proto_split(buf, f, 3), 0, "split a|| into 3");
	is_str(f[2], "", "empty last field");

	strlcpy(buf, "a|b", sizeof(buf));
	is_int(proto_split(buf, f, 3), -1, "a|b has fewer than 3 fields");
	is_str(buf, "a|b", "a short line is left untouched");

	strlcpy(buf, "abc", sizeof(buf));
	is_int(proto_split(buf, f, 1), 0, "one field");
	is_str(f[0], "abc", "one field is the whole string");
}

static void
test_connect(void)
{
	const struct connect_case	*c;
	struct proto_connect		 pc;
	char				 buf[256];
	size_t				 i;

	for (i = 0; i < nitems(connect_cases); i++) {
		c = &connect_cases[i];
		strlcpy(buf, c->params, sizeof(buf));
		if (!is_int(proto_parse_connect(buf, &pc), c->rc,
		    "link-connect \"%s\"", c->params) || c->rc == -1)
			continue;
		is_str(pc.rdns, c->rdns, "  rdns");
		is_str(pc.fcrdns, c->fcrdns, "  fcrdns");
		is_str(pc.src, c->src, "  src");
		is_str(pc.dest, c->dest, "  dest");
	}
}

static void
test_identify(void)
{
	const struct identify_case	*c;
	const char			*method, *identity;
	char				 buf[256];
	size_t				 i;

	for (i = 0; i < nitems(identify_cases); i++) {
		c = &identify_cases[i];
		strlcpy(buf, c->params, sizeof(buf));
		if (!is_int(proto_parse_identify(buf, &method, &identity),
		    c->rc, "link-identify \"%s\"", c->params) || c->rc == -1)
			continue;
		is_str(method, c->method, "  method");
		is_str(identity, c->identity, "  identity");
	}
}

static void
test_auth(void)
{
	const struct auth_case	*c;
	struct proto_auth	 pa;
	char			 buf[256];
	size_t			 i;

	for (i = 0; i < nitems(auth_cases); i++) {
		c = &auth_cases[i];
		strlcpy(buf, c->params, sizeof(buf));
		if (!is_int(proto_parse_auth(buf, c->major, c->minor, &pa),
		    c->rc, "%d.%d link-auth \"%s\"", c->major, c->minor,
		    c->params) || c->rc == -1)
			continue;
		is_str(pa.user, c->user, "  user");
		is_str(pa.result, c->result, "  result");
	}
}

static void
test_fmt(void)
{
	const struct fmt_case	*c;
	char			 buf[4096], *param;
	size_t			 i, fixed;
	int			 n;

	for (i = 0; i < nitems(fmt_cases); i++) {
		c = &fmt_cases[i];
		n = proto_fmt_result(buf, sizeof(buf), c->major, c->minor,
		    c->sid, c->token, c->decision, c->param);
		if (c->want == NULL) {
			is_int(n, -1, "%s: refused", c->name);
			continue;
		}
		if (is_int(n, strlen(c->want), "%s: length", c->name))
			is_str(buf, c->want, "%s: line", c->name);
	}

	/* The longest reply smtpd 6.8 takes whole, newline included. */
	fixed = strlen("filter-result|" SID_HEX "|" TOK_HEX "|reject|\n");
	param = repeat('a', PROTO_REPLY_MAX - fixed);
	memcpy(param, "550 ", 4);
	is_int(proto_fmt_result(buf, sizeof(buf), 0, 6, SID, TOK, "reject",
	    param), PROTO_REPLY_MAX, "a reply of PROTO_REPLY_MAX bytes");
	free(param);
	param = repeat('a', PROTO_REPLY_MAX - fixed + 1);
	memcpy(param, "550 ", 4);
	is_int(proto_fmt_result(buf, sizeof(buf), 0, 6, SID, TOK, "reject",
	    param), -1, "one byte more is refused");
	free(param);

	is_int(proto_fmt_result(buf, 20, 0, 6, SID, TOK, "proceed", NULL), -1,
	    "a buffer too small is refused");
	n = strlen("filter-result|" SID_HEX "|" TOK_HEX "|proceed\n");
	is_int(proto_fmt_result(buf, n, 0, 6, SID, TOK, "proceed", NULL), -1,
	    "no room for the NUL is refused");
	is_int(proto_fmt_result(buf, n + 1, 0, 6, SID, TOK, "proceed", NULL),
	    n, "an exact buffer is enough");
}

/*
 * Message lines go back as they came, '|', dot-stuffing and a bare CR
 * included, in each version's id order (transcripts: 6.8 and 7.8 the
 * same, SID first).
 */
static void
test_fmt_dataline(void)
{
	static const struct {
		int		 major, minor;
		const char	*line;
		const char	*want;		/* NULL: refused */
	} cases[] = {
		{ 0, 6, "Subject: lab", "filter-dataline|" SID_HEX "|" TOK_HEX
		    "|Subject: lab\n" },
		{ 0, 7, "hello | world", "filter-dataline|" SID_HEX "|" TOK_HEX
		    "|hello | world\n" },
		{ 0, 5, "", "filter-dataline|" SID_HEX "|" TOK_HEX "|\n" },
		{ 0, 4, "..leading dot", "filter-dataline|" TOK_HEX "|" SID_HEX
		    "|..leading dot\n" },
		{ 0, 6, ".", "filter-dataline|" SID_HEX "|" TOK_HEX "|.\n" },
		{ 0, 7, "a\rb", "filter-dataline|" SID_HEX "|" TOK_HEX
		    "|a\rb\n" },
		{ 0, 7, "two\nlines", NULL },
		{ 0, 7, NULL, NULL },
	};
	struct proto_line	 pl;
	const char		*errstr;
	char			 buf[256], *line, *big, *req;
	size_t			 i, fixed;
	int			 n;

	for (i = 0; i < nitems(cases); i++) {
		n = proto_fmt_dataline(buf, sizeof(buf), cases[i].major,
		    cases[i].minor, SID, TOK, cases[i].line);
		if (cases[i].want == NULL) {
			is_int(n, -1, "dataline %zu refused", i);
			continue;
		}
		if (is_int(n, strlen(cases[i].want), "dataline %zu length", i))
			is_str(buf, cases[i].want, "dataline %zu", i);
	}

	/*
	 * smtpd's longest message line, as a request, fits the input
	 * bound, and its answer fits PROTO_DATALINE_MAX.
	 */
	line = repeat('x', SMTPD_LINE_MAX - 1);
	if (asprintf(&req, "filter|0.7|%lld.999999|smtp-in|data-line|"
	    SID_HEX "|" TOK_HEX "|%s", (long long)INT64_MAX, line) == -1)
		err(1, "asprintf");
	ok(strlen(req) <= PROTO_LINE_MAX, "smtpd's longest data-line "
	    "request fits PROTO_LINE_MAX");
	is_int(proto_parse_line(req, &pl, &errstr), 0, "  and parses");
	ok(strcmp(pl.params, line) == 0, "  its line whole");
	if ((big = malloc(PROTO_DATALINE_MAX)) == NULL)
		err(1, "malloc");
	fixed = strlen("filter-dataline|" SID_HEX "|" TOK_HEX "|\n");
	is_int(proto_fmt_dataline(big, PROTO_DATALINE_MAX, 0, 7, SID, TOK,
	    line), fixed + SMTPD_LINE_MAX - 1, "  and its answer fits");
	free(line);
	line = repeat('x', PROTO_LINE_MAX);
	ok(proto_fmt_dataline(big, PROTO_DATALINE_MAX, 0, 7, SID, TOK,
	    line) > 0, "an answer to any line io.c keeps fits");
	is_int(proto_fmt_dataline(big, fixed + 3, 0, 7, SID, TOK, "abc"), -1,
	    "no room for the NUL is refused");
	free(line);
	free(big);
	free(req);
}

static void
test_io_in(void)
{
	const char	*want[] = {
		"config|ready",
		"report|0.6|1.2|smtp-in|link-disconnect|0000000000000001",
		"crlf line",
		"",
		"after the long line",
		NULL,		/* PROTO_LINE_MAX bytes of 'y' */
		"a\rb",
	};
	struct seen	 seen = { 0 };
	struct io_in	*in;
	char		*ylines;
	int		 p[2], i;

	if (pipe(p) == -1)
		err(1, "pipe");
	if (fcntl(p[1], F_SETFL, O_NONBLOCK) == -1)
		err(1, "fcntl");
	if ((seen.base = event_base_new()) == NULL)
		errx(1, "event_base_new");
	in = io_in_new(seen.base, p[0], PROTO_LINE_MAX, seen_line, seen_eof,
	    seen_toolong, &seen);
	ok(in != NULL, "io_in_new on a pipe");
	if (in == NULL)
		return;

	/* Each feed is read before the next, so lines arrive split. */
	feed(seen.base, p[1], "config|ready\nreport|0.6|1.2|smtp-in|link-");
	feed(seen.base, p[1], "disconnect|0000000000000001\n");
	feed(seen.base, p[1], "crlf line\r\n");
	feed(seen.base, p[1], "\n");
	feed_repeat(seen.base, p[1], 'x', HUGE_LINE - 4);
	feed(seen.base, p[1], "xxxx\nafter the long line\n");
	feed_repeat(seen.base, p[1], 'y', PROTO_LINE_MAX);
	feed(seen.base, p[1], "\r\n");
	feed_repeat(seen.base, p[1], 'z', PROTO_LINE_MAX + 1);
	feed(seen.base, p[1], "\n");
	feed_repeat(seen.base, p[1], 'w', PROTO_LINE_MAX + 2);
	feed(seen.base, p[1], "\na\rb\n");
	feed(seen.base, p[1], "last line without newline");
	close(p[1]);
	event_base_loop(seen.base, 0);
	/* The loop may go on for others: nothing more may come. */
	event_base_loop(seen.base, EVLOOP_NONBLOCK);

	ylines = repeat('y', PROTO_LINE_MAX);
	want[5] = ylines;
	is_int(seen.nlines, nitems(want), "every complete line arrived");
	for (i = 0; i < seen.nlines && i < (int)nitems(want); i++) {
		ok(strcmp(seen.lines[i], want[i]) == 0 &&
		    seen.lens[i] == strlen(want[i]), "line %d (%zu bytes)",
		    i + 1, strlen(want[i]));
	}
	is_int(seen.ntoolong, 3, "three lines were too long");
	is_int(seen.toolong[0], HUGE_LINE, "the 1 MiB line, by its length");
	is_int(seen.toolong[1], PROTO_LINE_MAX + 1,
	    "a line one byte over the limit");
	is_int(seen.toolong[2], PROTO_LINE_MAX + 2,
	    "a line that fills the buffer");
	is_int(seen.eofs, 1, "end of input reported once");
	is_int(seen.after_eof, 0, "nothing after end of input");

	for (i = 0; i < seen.nlines; i++)
		free(seen.lines[i]);
	free(ylines);
	io_in_free(in);
	close(p[0]);
	event_base_free(seen.base);
}

static void
test_io_out(void)
{
	struct event_base	*base;
	struct io_out		*out;
	char			*want, *got, line[OUT_LINE_LEN + 1];
	size_t			 total = OUT_LINES * OUT_LINE_LEN, have = 0;
	ssize_t			 n;
	int			 p[2], i, fails = 0, rounds;

	if (pipe(p) == -1)
		err(1, "pipe");
	if (fcntl(p[0], F_SETFL, O_NONBLOCK) == -1)
		err(1, "fcntl");
	if ((base = event_base_new()) == NULL)
		errx(1, "event_base_new");
	out = io_out_new(base, p[1]);
	ok(out != NULL, "io_out_new on a pipe");
	if (out == NULL)
		return;

	want = make_output();
	for (i = 0; i < OUT_LINES; i++) {
		memcpy(line, want + i * OUT_LINE_LEN, OUT_LINE_LEN);
		line[OUT_LINE_LEN] = '\0';
		if (io_out_line(out, line) == -1)
			fails++;
	}
	is_int(fails, 0, "200 KiB queued while nobody reads");
	ok(io_out_pending(out) > 0 && io_out_pending(out) < total,
	    "the pipe took part, %zu bytes wait", io_out_pending(out));
	is_int(io_out_line(out, "no newline"), -1,
	    "text without a newline is refused");

	got = malloc(total + 1);
	if (got == NULL)
		err(1, NULL);
	for (rounds = 0; have <= total && rounds < 10000; rounds++) {
		n = read(p[0], got + have, total + 1 - have);
		if (n == 0 || (n == -1 && errno != EAGAIN))
			break;
		if (n > 0)
			have += n;
		if (io_out_pending(out) == 0 && n == -1)
			break;
		event_base_loop(base, EVLOOP_NONBLOCK);
	}
	is_int(have, total, "every byte arrived");
	ok(have == total && memcmp(got, want, total) == 0,
	    "in order and intact");
	is_int(io_out_pending(out), 0, "nothing left pending");
	is_int(io_out_line(out, "after\n"), 0, "the output still works");
	n = read(p[0], got, total);
	ok(n == 6 && memcmp(got, "after\n", 6) == 0,
	    "an idle output writes at once");

	free(got);
	free(want);
	io_out_free(out);
	close(p[0]);
	close(p[1]);
	event_base_free(base);
}

static void
test_io_out_dead(void)
{
	struct event_base	*base;
	struct io_out		*out;
	int			 p[2];

	signal(SIGPIPE, SIG_IGN);
	if (pipe(p) == -1)
		err(1, "pipe");
	if ((base = event_base_new()) == NULL)
		errx(1, "event_base_new");
	close(p[0]);
	if ((out = io_out_new(base, p[1])) == NULL)
		errx(1, "io_out_new");
	is_int(io_out_line(out, "one\n"), -1,
	    "a closed reader fails the write");
	is_int(io_out_line(out, "two\n"), -1, "and every line after");
	is_int(io_out_pending(out), 0, "a dead output holds nothing");
	is_int(io_out_flush_blocking(out), -1, "flushing a dead output fails");
	io_out_free(out);
	close(p[1]);
	event_base_free(base);
}

/* The exit path: a slow reader still gets everything. */
static void
test_io_out_flush(void)
{
	struct event_base	*base;
	struct io_out		*out;
	char			*want, *got, line[OUT_LINE_LEN + 1];
	size_t			 total = OUT_LINES * OUT_LINE_LEN, have = 0;
	ssize_t			 n;
	pid_t			 pid;
	int			 p[2], i, status;

	if (pipe(p) == -1)
		err(1, "pipe");
	want = make_output();
	fflush(stdout);
	if ((pid = fork()) == -1)
		err(1, "fork");
	if (pid == 0) {
		close(p[1]);
		usleep(100000);
		if ((got = malloc(total + 1)) == NULL)
			_exit(2);
		while ((n = read(p[0], got + have, total + 1 - have)) > 0)
			have += n;
		_exit(have == total && memcmp(got, want, total) == 0 ? 0 : 1);
	}
	close(p[0]);
	if ((base = event_base_new()) == NULL)
		errx(1, "event_base_new");
	if ((out = io_out_new(base, p[1])) == NULL)
		errx(1, "io_out_new");
	for (i = 0; i < OUT_LINES; i++) {
		memcpy(line, want + i * OUT_LINE_LEN, OUT_LINE_LEN);
		line[OUT_LINE_LEN] = '\0';
		io_out_line(out, line);
	}
	ok(io_out_pending(out) > 0, "output waits for the slow reader");
	is_int(io_out_flush_blocking(out), 0, "flush_blocking succeeds");
	is_int(io_out_pending(out), 0, "nothing left after the flush");
	io_out_free(out);
	close(p[1]);
	if (waitpid(pid, &status, 0) == -1)
		err(1, "waitpid");
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "the reader got all 200 KiB in order");
	free(want);
	event_base_free(base);
}

/*
 * A peer that writes requests and does not read the answers: input
 * stops being read once the output passes its high-water mark, memory
 * stays bounded, and once the peer reads again every answer comes out.
 */
static void
test_io_throttle(void)
{
	struct event_base	*base;
	struct io_in		*in;
	struct echo		 echo = { 0 };
	size_t			 sent, total = (size_t)ECHO_LINES * ECHO_LEN;
	int			 a[2], b[2], next = 0, bad = 0, rounds;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, a) == -1 ||
	    socketpair(AF_UNIX, SOCK_STREAM, 0, b) == -1)
		err(1, "socketpair");
	if (fcntl(a[1], F_SETFL, O_NONBLOCK) == -1 ||
	    fcntl(b[1], F_SETFL, O_NONBLOCK) == -1)
		err(1, "fcntl");
	if ((base = event_base_new()) == NULL)
		errx(1, "event_base_new");
	if ((echo.out = io_out_new(base, b[0])) == NULL ||
	    (in = io_in_new(base, a[0], PROTO_LINE_MAX, echo_line, echo_eof,
	    echo_toolong, &echo)) == NULL)
		errx(1, "io_new");
	io_in_throttle(in, echo.out, ECHO_HIGH, ECHO_LOW);

	sent = echo_feed(base, a[1], 0, total);
	ok(sent < total, "the writer stalls: %zu of %zu bytes taken", sent,
	    total);
	ok(echo.max_pending <= ECHO_HIGH + ECHO_IN_BUF,
	    "output held at most %zu bytes (high-water mark %d plus one "
	    "input buffer)", echo.max_pending, ECHO_HIGH);
	is_int(echo.failed, 0, "no answer was refused");

	/* The peer reads again: everything flows, in order. */
	for (rounds = 0; next < ECHO_LINES && rounds < 100000; rounds++) {
		if (sent < total)
			sent = echo_feed(base, a[1], sent, total);
		echo_take(b[1], &next, &bad);
		event_base_loop(base, EVLOOP_NONBLOCK);
	}
	is_int(next, ECHO_LINES, "every line was answered once");
	is_int(bad, 0, "answers in order");
	ok(echo.max_pending <= ECHO_HIGH + ECHO_IN_BUF,
	    "and output stayed bounded throughout");

	io_in_free(in);
	io_out_free(echo.out);
	close(a[0]);
	close(a[1]);
	close(b[0]);
	close(b[1]);
	event_base_free(base);
}

struct burst {
	int	lines;
	int	bad;		/* out of order */
	int	max_turn;	/* most lines in one turn */
	int	turn;		/* lines since the last tick */
	int	ticks;		/* ticks run while lines were left */
	int	left;
};

/*
 * A flood already read is handed out a burst a turn of the loop, so a
 * timer due meanwhile (a resolver's answer, a write) runs in between;
 * every line still comes out once, in order.
 */
static void
test_io_burst(void)
{
	struct event_base	*base;
	struct io_in		*in;
	struct event		 tick;
	struct timeval		 now = { 0, 0 };
	struct burst		 b = { 0 };
	char			 line[32];
	int			 a[2], i, rounds, sndbuf = 1024 * 1024;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, a) == -1)
		err(1, "socketpair");
	/* Room for the whole flood, written before the loop runs. */
	if (setsockopt(a[1], SOL_SOCKET, SO_SNDBUF, &sndbuf,
	    sizeof(sndbuf)) == -1)
		err(1, "setsockopt");
	if ((base = event_base_new()) == NULL)
		errx(1, "event_base_new");
	if ((in = io_in_new(base, a[0], PROTO_LINE_MAX, burst_line, echo_eof,
	    echo_toolong, &b)) == NULL)
		errx(1, "io_in_new");
	for (i = 0; i < BURST_LINES; i++) {
		snprintf(line, sizeof(line), "%015d\n", i);
		if (write(a[1], line, strlen(line)) != (ssize_t)strlen(line))
			err(1, "write");
	}
	evtimer_set(&tick, burst_tick, &b);
	event_base_set(base, &tick);
	b.left = BURST_LINES;
	for (rounds = 0; b.lines < BURST_LINES && rounds < 10000; rounds++) {
		evtimer_add(&tick, &now);
		event_base_loop(base, EVLOOP_ONCE);
	}
	evtimer_del(&tick);
	is_int(b.lines, BURST_LINES, "burst: every line handed out");
	is_int(b.bad, 0, "burst: in order");
	ok(b.max_turn > 0 && b.max_turn <= BURST_MAX,
	    "burst: at most %d lines a turn (%d)", BURST_MAX, b.max_turn);
	ok(b.ticks >= BURST_LINES / BURST_MAX,
	    "burst: a timer ran between bursts (%d times)", b.ticks);
	io_in_free(in);
	close(a[0]);
	close(a[1]);
	event_base_free(base);
}

static void
burst_line(char *line, size_t len, void *arg)
{
	struct burst	*b = arg;

	if (strtol(line, NULL, 10) != b->lines)
		b->bad++;
	b->lines++;
	if (++b->turn > b->max_turn)
		b->max_turn = b->turn;
}

static void
burst_tick(int fd, short ev, void *arg)
{
	struct burst	*b = arg;

	if (b->lines < BURST_LINES)
		b->ticks++;
	b->turn = 0;
}

static void
echo_line(char *line, size_t len, void *arg)
{
	struct echo	*echo = arg;
	char		 buf[ECHO_LEN + 1];

	echo->lines++;
	snprintf(buf, sizeof(buf), "%s\n", line);
	if (io_out_line(echo->out, buf) == -1)
		echo->failed++;
	if (io_out_pending(echo->out) > echo->max_pending)
		echo->max_pending = io_out_pending(echo->out);
}

static void
echo_eof(void *arg)
{
}

static void
echo_toolong(size_t len, void *arg)
{
}

/*
 * Write numbered lines from byte sent on, running the loop, until the
 * socket stops taking them for FEED_STALLS rounds; returns bytes sent.
 */
static size_t
echo_feed(struct event_base *base, int fd, size_t sent, size_t total)
{
	char	buf[FEED_CHUNK];
	size_t	i, len, off;
	ssize_t	n;
	int	stalls = 0;

	while (sent < total && stalls < FEED_STALLS) {
		/* Lines are ECHO_LEN bytes: rebuild the chunk at sent. */
		off = sent % ECHO_LEN;
		for (i = 0, len = 0; len < sizeof(buf) - ECHO_LEN &&
		    sent - off + len < total; i++, len += ECHO_LEN)
			snprintf(buf + len, ECHO_LEN + 1, "%015u\n",
			    (unsigned)((sent - off) / ECHO_LEN + i));
		n = write(fd, buf + off, len - off);
		if (n == -1 && errno != EAGAIN)
			err(1, "write");
		if (n > 0) {
			sent += n;
			stalls = 0;
		} else
			stalls++;
		event_base_loop(base, EVLOOP_NONBLOCK);
	}
	return sent;
}

/* Read the answers there are, checking their numbers. */
static size_t
echo_take(int fd, int *next, int *bad)
{
	static char	 partial[ECHO_LEN];
	static size_t	 have;
	char		 buf[FEED_CHUNK];
	ssize_t		 n, i;
	size_t		 got = 0;

	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		got += n;
		for (i = 0; i < n; i++) {
			partial[have++] = buf[i];
			if (have < ECHO_LEN)
				continue;
			if (strtol(partial, NULL, 10) != *next)
				(*bad)++;
			(*next)++;
			have = 0;
		}
	}
	return got;
}

static void
seen_line(char *line, size_t len, void *arg)
{
	struct seen	*seen = arg;

	if (seen->eofs > 0)
		seen->after_eof++;
	if (seen->nlines == MAX_SEEN)
		return;
	if ((seen->lines[seen->nlines] = strdup(line)) == NULL)
		err(1, NULL);
	seen->lens[seen->nlines++] = len;
}

static void
seen_eof(void *arg)
{
	struct seen	*seen = arg;

	if (seen->eofs++ > 0)
		seen->after_eof++;
	event_base_loopexit(seen->base, NULL);
}

static void
seen_toolong(size_t len, void *arg)
{
	struct seen	*seen = arg;

	if (seen->eofs > 0)
		seen->after_eof++;
	if (seen->ntoolong < MAX_SEEN)
		seen->toolong[seen->ntoolong++] = len;
}

/* Write data in chunks, letting the reader drain after each one. */
static void
feed(struct event_base *base, int fd, const char *data)
{
	size_t	len = strlen(data);
	ssize_t	n;
	int	stalls = 0;

	while (len > 0) {
		n = write(fd, data, len > FEED_CHUNK ? FEED_CHUNK : len);
		if (n == -1 && errno != EAGAIN)
			err(1, "write");
		if (n > 0) {
			data += n;
			len -= n;
			stalls = 0;
		} else if (++stalls == FEED_STALLS) {
			diag("the reader stopped reading");
			return;
		}
		event_base_loop(base, EVLOOP_NONBLOCK);
	}
}

static void
feed_repeat(struct event_base *base, int fd, int c, size_t len)
{
	char	*s;

	s = repeat(c, len);
	feed(base, fd, s);
	free(s);
}

/* OUT_LINES numbered lines of OUT_LINE_LEN bytes each. */
static char *
make_output(void)
{
	char	*buf, *line;
	int	 i, n, d;

	if ((buf = malloc(OUT_LINES * OUT_LINE_LEN)) == NULL)
		err(1, NULL);
	for (i = 0; i < OUT_LINES; i++) {
		line = buf + i * OUT_LINE_LEN;
		memset(line, 'o', OUT_LINE_LEN - 1);
		line[OUT_LINE_LEN - 1] = '\n';
		/* A line number, so that lost or reordered lines show. */
		for (n = i, d = 5; d >= 0; d--, n /= 10)
			line[d] = '0' + n % 10;
		line[6] = ' ';
	}
	return buf;
}

static char *
repeat(int c, size_t len)
{
	char	*s;

	if ((s = malloc(len + 1)) == NULL)
		err(1, NULL);
	memset(s, c, len);
	s[len] = '\0';
	return s;
}
