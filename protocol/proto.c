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
 * Parse and format smtpd-filters(7) lines.  Nothing here allocates or
 * logs: lines are split in place and every pointer handed back points
 * into the caller's buffer.
 */
#include "compat.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "proto.h"

#define VERSION_PART_MAX	9999	/* bound on MAJOR and MINOR */
#define HEX_ID_MAX		16	/* hex digits of a uint64_t */

struct proto_kind {
	const char	*name;
	enum proto_type	 type;
	int		(*parse)(char *, struct proto_line *, const char **);
};

struct proto_decision {
	const char	*name;
	int		 needs_param;	/* 1: required, 0: forbidden */
};

static int	split_max(char *, const char **, int);
static int	parse_config(char *, struct proto_line *, const char **);
static int	parse_report(char *, struct proto_line *, const char **);
static int	parse_filter(char *, struct proto_line *, const char **);
static int	parse_header(const char **, struct proto_line *,
		    const char **);
static int	parse_number(const char *, size_t, int *);
static int	parse_timestamp(const char *);
static int	parse_hex(const char *, uint64_t *);
static int	hex_digit(int);
static int	version_below(int, int, int, int);

static const struct proto_kind proto_kinds[] = {
	{ "config",	PROTO_CONFIG,	parse_config },
	{ "report",	PROTO_REPORT,	parse_report },
	{ "filter",	PROTO_FILTER,	parse_filter },
};

/*
 * Only these decisions are safe to send: smtpd treats an unknown one,
 * a missing parameter or a stray parameter as fatal, and the report
 * decision of 7.6+ acts as an unchecked rewrite.
 */
static const struct proto_decision proto_decisions[] = {
	{ "proceed",	0 },
	{ "junk",	0 },
	{ "reject",	1 },
	{ "disconnect",	1 },
};

int
proto_parse_line(char *line, struct proto_line *pl, const char **errstr)
{
	const struct proto_kind	*kind = NULL;
	char			*rest;
	size_t			 i;

	memset(pl, 0, sizeof(*pl));
	pl->params = "";
	if (*line == '\0') {
		*errstr = "empty line";
		return -1;
	}
	if ((rest = strchr(line, '|')) != NULL)
		*rest++ = '\0';
	for (i = 0; i < nitems(proto_kinds); i++) {
		if (strcmp(line, proto_kinds[i].name) == 0) {
			kind = &proto_kinds[i];
			break;
		}
	}
	if (kind == NULL) {
		*errstr = "unknown line type";
		return -1;
	}
	if (rest == NULL) {
		*errstr = "missing fields";
		return -1;
	}
	pl->type = kind->type;
	return kind->parse(rest, pl, errstr);
}

int
proto_split(char *s, const char **fields, int n)
{
	char	*sep;
	int	 i;

	/* Find every separator first: a short line is left untouched. */
	if (n < 1)
		return -1;
	fields[0] = s;
	for (i = 1; i < n; i++) {
		if ((sep = strchr(fields[i - 1], '|')) == NULL)
			return -1;
		fields[i] = sep + 1;
	}
	for (i = 1; i < n; i++)
		s[fields[i] - s - 1] = '\0';
	return 0;
}

int
proto_parse_connect(char *params, struct proto_connect *pc)
{
	const char	*f[4];

	if (proto_split(params, f, 4) == -1)
		return -1;
	if (*f[2] == '\0' || *f[3] == '\0')
		return -1;
	/* The man page promises an empty rdns, smtpd sends "<unknown>". */
	if (*f[0] == '\0' || strcmp(f[0], "<unknown>") == 0)
		pc->rdns = NULL;
	else
		pc->rdns = f[0];
	pc->fcrdns = f[1];
	pc->src = f[2];
	pc->dest = f[3];
	return 0;
}

int
proto_parse_identify(char *params, const char **method, const char **identity)
{
	const char	*f[2];

	if (proto_split(params, f, 2) == -1 || *f[0] == '\0')
		return -1;
	*method = f[0];
	*identity = f[1];
	return 0;
}

int
proto_parse_auth(char *params, int major, int minor, struct proto_auth *pa)
{
	const char	*f[2];
	char		*sep;

	if (!version_below(major, minor, 0, 7)) {
		if (proto_split(params, f, 2) == -1)
			return -1;
		pa->result = f[0];
		pa->user = f[1];
	} else {
		/* user|result: the user may hold '|', the result cannot. */
		if ((sep = strrchr(params, '|')) == NULL)
			return -1;
		*sep = '\0';
		pa->user = params;
		pa->result = sep + 1;
	}
	return *pa->result == '\0' ? -1 : 0;
}

int
proto_fmt_result(char *buf, size_t len, int major, int minor, uint64_t sid,
    uint64_t token, const char *decision, const char *param)
{
	const struct proto_decision	*d = NULL;
	uint64_t			 first = sid, second = token;
	size_t				 i;
	int				 n;

	if (decision == NULL)
		return -1;
	for (i = 0; i < nitems(proto_decisions); i++) {
		if (strcmp(decision, proto_decisions[i].name) == 0) {
			d = &proto_decisions[i];
			break;
		}
	}
	if (d == NULL)
		return -1;
	if (d->needs_param && (param == NULL || *param == '\0'))
		return -1;
	if (!d->needs_param && param != NULL)
		return -1;
	if (param != NULL && strpbrk(param, "\r\n") != NULL)
		return -1;

	/* Protocol 0.4 answers TOKEN|SID, every later version SID|TOKEN. */
	if (version_below(major, minor, 0, 5)) {
		first = token;
		second = sid;
	}
	n = snprintf(buf, len, "filter-result|%016" PRIx64 "|%016" PRIx64
	    "|%s%s%s\n", first, second, decision, param ? "|" : "",
	    param ? param : "");
	if (n < 0 || (size_t)n >= len || n > PROTO_REPLY_MAX)
		return -1;
	return n;
}

/*
 * One message line for smtpd: "filter-dataline|SID|TOKEN|LINE\n", the
 * two ids swapped below 0.5 as for filter-result.  The line goes as it
 * is ('|' included: it is the last field), any length the buffer holds,
 * since smtpd 7.4 and later take any length; 6.8 cuts a long one at its
 * own LINE_MAX, as it does for every data-line filter.  Returns the
 * length, or -1 if it does not fit or holds a newline.
 */
int
proto_fmt_dataline(char *buf, size_t len, int major, int minor,
    uint64_t sid, uint64_t token, const char *line)
{
	uint64_t	first = sid, second = token;
	int		n;

	/* A bare CR inside a message line is the client's: it passes. */
	if (line == NULL || strchr(line, '\n') != NULL)
		return -1;
	if (version_below(major, minor, 0, 5)) {
		first = token;
		second = sid;
	}
	n = snprintf(buf, len, "filter-dataline|%016" PRIx64 "|%016" PRIx64
	    "|%s\n", first, second, line);
	if (n < 0 || (size_t)n >= len)
		return -1;
	return n;
}

/* Split s into at most n fields from the left; returns how many. */
static int
split_max(char *s, const char **fields, int n)
{
	char	*p = s;
	int	 i;

	fields[0] = s;
	for (i = 1; i < n; i++) {
		if ((p = strchr(p, '|')) == NULL)
			break;
		*p++ = '\0';
		fields[i] = p;
	}
	return i;
}

static int
parse_config(char *rest, struct proto_line *pl, const char **errstr)
{
	char	*sep;

	/* "config|ready" has no value; any other value keeps its '|'. */
	if ((sep = strchr(rest, '|')) != NULL)
		*sep++ = '\0';
	if (*rest == '\0') {
		*errstr = "missing config key";
		return -1;
	}
	pl->key = rest;
	pl->value = sep != NULL ? sep : "";
	return 0;
}

/* report|VER|TS|SUBSYS|EVENT|SID[|params] */
static int
parse_report(char *rest, struct proto_line *pl, const char **errstr)
{
	const char	*f[6];
	int		 n;

	if ((n = split_max(rest, f, 6)) < 5) {
		*errstr = "missing fields";
		return -1;
	}
	if (parse_header(f, pl, errstr) == -1)
		return -1;
	if (n == 6)
		pl->params = f[5];
	return 0;
}

/* filter|VER|TS|SUBSYS|PHASE|SID|TOKEN|params */
static int
parse_filter(char *rest, struct proto_line *pl, const char **errstr)
{
	const char	*f[7];
	int		 n;

	if ((n = split_max(rest, f, 7)) < 6) {
		*errstr = "missing fields";
		return -1;
	}
	if (parse_header(f, pl, errstr) == -1)
		return -1;
	if (parse_hex(f[5], &pl->token) == -1) {
		*errstr = "bad token";
		return -1;
	}
	if (n == 7)
		pl->params = f[6];
	return 0;
}

/* VER|TS|SUBSYS|EVENT|SID, common to reports and filter requests. */
static int
parse_header(const char **f, struct proto_line *pl, const char **errstr)
{
	if (proto_parse_version(f[0], &pl->major, &pl->minor) == -1) {
		*errstr = "bad version";
		return -1;
	}
	if (parse_timestamp(f[1]) == -1) {
		*errstr = "bad timestamp";
		return -1;
	}
	if (*f[2] == '\0') {
		*errstr = "missing subsystem";
		return -1;
	}
	if (*f[3] == '\0') {
		*errstr = "missing event";
		return -1;
	}
	if (parse_hex(f[4], &pl->sid) == -1) {
		*errstr = "bad session id";
		return -1;
	}
	pl->timestamp = f[1];
	pl->subsystem = f[2];
	pl->event = f[3];
	return 0;
}

/* Decimal digits only: strtonum(3) would accept signs and spaces. */
static int
parse_number(const char *s, size_t len, int *value)
{
	size_t	i;
	int	v = 0;

	if (len == 0)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
		if (v > VERSION_PART_MAX)
			return -1;
	}
	*value = v;
	return 0;
}

/* MAJOR.MINOR as two integers: "0.10" is newer than "0.7". */
int
proto_parse_version(const char *s, int *major, int *minor)
{
	const char	*dot;

	if ((dot = strchr(s, '.')) == NULL)
		return -1;
	if (parse_number(s, dot - s, major) == -1)
		return -1;
	return parse_number(dot + 1, strlen(dot + 1), minor);
}

/* SEC.USEC, or plain seconds as very old versions sent. */
static int
parse_timestamp(const char *s)
{
	size_t	sec, usec;

	sec = strspn(s, "0123456789");
	if (sec == 0)
		return -1;
	if (s[sec] == '\0')
		return 0;
	if (s[sec] != '.')
		return -1;
	usec = strspn(s + sec + 1, "0123456789");
	if (usec == 0 || s[sec + 1 + usec] != '\0')
		return -1;
	return 0;
}

/* Hex digits only, as smtpd's %016llx: strtoull(3) would take "0x". */
static int
parse_hex(const char *s, uint64_t *value)
{
	uint64_t	v = 0;
	size_t		i;
	int		d;

	for (i = 0; s[i] != '\0'; i++) {
		if (i == HEX_ID_MAX || (d = hex_digit(s[i])) == -1)
			return -1;
		v = v << 4 | (uint64_t)d;
	}
	if (i == 0)
		return -1;
	*value = v;
	return 0;
}

static int
hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int
version_below(int major, int minor, int want_major, int want_minor)
{
	return major < want_major ||
	    (major == want_major && minor < want_minor);
}
