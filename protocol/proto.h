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
 * smtpd-filters(7): pure parse and format of protocol lines, versions
 * 0.4 to 0.7.  The version is read from every line.  '|' may appear in
 * the last field only, so lines are split from the left into a known
 * number of fields and the remainder is kept whole.
 */
#ifndef PROTO_H
#define PROTO_H

#include <stddef.h>
#include <stdint.h>

/*
 * smtpd refuses an SMTP line of SMTP_LINE_MAX (65535) bytes or more, and
 * hands each message line to a data-line filter behind a prefix of some
 * 90 bytes ("filter|0.7|SEC.USEC|smtp-in|data-line|SID|TOKEN|").  So
 * every request smtpd can send fits, and none is ever dropped.
 */
#define SMTPD_LINE_MAX	65535
#define PROTO_LINE_MAX	(SMTPD_LINE_MAX + 256)	/* longest line kept,
						   newline excluded */
/* A filter-dataline answer that carries a line of PROTO_LINE_MAX. */
#define PROTO_DATALINE_MAX	(PROTO_LINE_MAX + 64)
/* smtpd 6.8 copies each reply into char[LINE_MAX], LINE_MAX being 2048. */
#define PROTO_REPLY_MAX	2047	/* longest reply, newline included */

enum proto_type {
	PROTO_CONFIG,
	PROTO_REPORT,
	PROTO_FILTER
};

struct proto_line {
	enum proto_type	 type;
	int		 major;
	int		 minor;
	const char	*timestamp;
	const char	*subsystem;
	const char	*event;		/* report event or filter phase */
	uint64_t	 sid;
	uint64_t	 token;		/* filter requests only */
	const char	*params;	/* the rest, "" if none */
	const char	*key;		/* config lines: key and value */
	const char	*value;
};

/* Parameters of the report events the filter uses. */
struct proto_connect {
	const char	*rdns;		/* NULL for "<unknown>" */
	const char	*fcrdns;
	const char	*src;
	const char	*dest;
};

struct proto_auth {
	const char	*user;
	const char	*result;
};

int	proto_parse_line(char *, struct proto_line *, const char **);
int	proto_split(char *, const char **, int);
int	proto_parse_version(const char *, int *, int *);
int	proto_parse_connect(char *, struct proto_connect *);
int	proto_parse_identify(char *, const char **, const char **);
int	proto_parse_auth(char *, int, int, struct proto_auth *);
int	proto_fmt_result(char *, size_t, int, int, uint64_t, uint64_t,
	    const char *, const char *);
int	proto_fmt_dataline(char *, size_t, int, int, uint64_t, uint64_t,
	    const char *);

#endif
