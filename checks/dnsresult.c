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
 * libunbound's answers read into struct dns_result.  Records that do not
 * parse fail the whole answer; names in rdata become lower-case text in
 * which no odd octet can pass for a host name.
 */
#include "compat.h"

#include <sys/socket.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unbound.h>

#include "dns.h"
#include "dnsresult.h"

enum rdata {
	RDATA_OTHER,
	RDATA_INET,
	RDATA_INET6,
	RDATA_NAME
};

static const struct dns_type {
	int		 type;
	const char	*name;
	enum rdata	 rdata;
	size_t		 name_at;	/* the name follows a preference */
} dns_types[] = {
	{ DNS_TYPE_A,		"A",		RDATA_INET,	0 },
	{ DNS_TYPE_AAAA,	"AAAA",		RDATA_INET6,	0 },
	{ DNS_TYPE_CNAME,	"CNAME",	RDATA_NAME,	0 },
	{ DNS_TYPE_MX,		"MX",		RDATA_NAME,	2 },
	{ DNS_TYPE_PTR,		"PTR",		RDATA_NAME,	0 },
};

/* libunbound reports an upstream REFUSED as SERVFAIL. */
static const struct {
	int		 rcode;
	const char	*why;
} dns_rcodes[] = {
	{ 1,	"formerr" },
	{ 2,	"servfail" },
	{ 4,	"notimp" },
	{ 5,	"refused" },
};

static void	dns_classify(const struct ub_result *, struct dns_result *);
static void	dns_parse(const struct ub_result *, int, struct dns_result *);
static void	dns_drop(struct dns_result *, const char *, const char *);
static int	dns_name_text(const uint8_t *, size_t, char *, size_t);
static void	dns_canon(const char *, const char *, char *, size_t);
static int	dns_name_eq(const char *, const char *);
static const struct dns_type *dns_type_lookup(int);

/*
 * The answer to qname and type; a canonical name other than qname is
 * written into cname, which res->cname then points to.
 */
void
dns_result_read(const struct ub_result *ub, const char *qname, int type,
    struct dns_result *res, char *cname, size_t cnamelen)
{
	dns_classify(ub, res);
	if (res->status == DNS_FOUND)
		dns_parse(ub, type, res);
	if (ub->canonname != NULL) {
		dns_canon(ub->canonname, qname, cname, cnamelen);
		if (cname[0] != '\0')
			res->cname = cname;
	}
}

/*
 * A bogus answer keeps rcode 0 and its data: only the flag tells.  A
 * validating resolver would have said SERVFAIL, and so do we.
 */
static void
dns_classify(const struct ub_result *ub, struct dns_result *res)
{
	size_t	 i;

	res->ttl = ub->ttl;
	res->secure = ub->secure;
	if (ub->bogus) {
		res->status = DNS_ERROR;
		res->why = "bogus";
		res->secure = 0;
		res->detail = ub->why_bogus ? ub->why_bogus : "bogus";
	} else if (ub->havedata)
		res->status = DNS_FOUND;
	else if (ub->nxdomain || ub->rcode == 3)
		res->status = DNS_NXDOMAIN;
	else if (ub->rcode == 0)
		res->status = DNS_NODATA;
	else {
		res->status = DNS_ERROR;
		res->why = "error";
		for (i = 0; i < nitems(dns_rcodes); i++)
			if (dns_rcodes[i].rcode == ub->rcode)
				res->why = dns_rcodes[i].why;
	}
}

/*
 * A record that does not parse makes the whole answer a failure: read as
 * "no address", one truncated A record would turn a resolver's or a
 * server's fault into a permanent refusal.
 */
static void
dns_parse(const struct ub_result *ub, int type, struct dns_result *res)
{
	const struct dns_type	*t;
	const uint8_t		*rd;
	struct addr		*a;
	char			 name[DNS_TEXT_LEN];
	size_t			 n, i, len, at;

	if ((t = dns_type_lookup(type)) == NULL || t->rdata == RDATA_OTHER)
		return;
	for (n = 0; ub->data[n] != NULL; n++)
		;
	if (n == 0)
		return;
	if (t->rdata == RDATA_NAME)
		res->names = reallocarray(NULL, n, sizeof(*res->names));
	else
		res->addrs = reallocarray(NULL, n, sizeof(*res->addrs));
	if (res->names == NULL && res->addrs == NULL) {
		dns_drop(res, "local error", strerror(errno));
		return;
	}
	for (i = 0; i < n; i++) {
		rd = (const uint8_t *)ub->data[i];
		len = ub->len[i];
		switch (t->rdata) {
		case RDATA_INET:
		case RDATA_INET6:
			if (len != (t->rdata == RDATA_INET ? 4 : 16)) {
				dns_drop(res, "malformed", NULL);
				return;
			}
			a = &res->addrs[res->naddrs++];
			memset(a, 0, sizeof(*a));
			a->family = t->rdata == RDATA_INET ? AF_INET : AF_INET6;
			memcpy(a->bytes, rd, len);
			break;
		case RDATA_NAME:
			at = t->name_at;
			if (len <= at || dns_name_text(rd + at, len - at,
			    name, sizeof(name)) == -1) {
				dns_drop(res, "malformed", NULL);
				return;
			}
			/* the root (a null MX) names no host */
			if (name[0] == '\0')
				break;
			/* a name left out could change the verdict */
			if ((res->names[res->nnames] = strdup(name)) == NULL) {
				dns_drop(res, "local error", strerror(errno));
				return;
			}
			res->nnames++;
			break;
		case RDATA_OTHER:
			break;
		}
	}
}

/* Drop what was parsed so far: the caller frees the arrays. */
static void
dns_drop(struct dns_result *res, const char *why, const char *detail)
{
	size_t	 i;

	for (i = 0; i < res->nnames; i++)
		free(res->names[i]);
	res->nnames = 0;
	res->naddrs = 0;
	res->status = DNS_ERROR;
	res->why = why;
	res->detail = detail;
}

/*
 * libunbound gives names in rdata as uncompressed wire labels.  The text
 * is lower-case without the trailing dot; octets that would make it
 * ambiguous or unprintable ('.', '\', controls, non-ASCII) are written
 * \DDD, so that such a name never equals a host name.
 */
static int
dns_name_text(const uint8_t *p, size_t len, char *buf, size_t bufsz)
{
	size_t	 i = 0, o = 0, lab;
	int	 c;

	if (bufsz < DNS_TEXT_LEN || len > DNS_WIRE_MAX)
		return -1;
	for (;;) {
		if (i >= len)
			return -1;
		if ((lab = p[i++]) == 0)
			break;
		if (lab > 63 || i + lab > len)
			return -1;
		if (o > 0)
			buf[o++] = '.';
		for (; lab > 0; lab--) {
			c = p[i++];
			if (c >= 'A' && c <= 'Z')
				c += 'a' - 'A';
			if (c <= ' ' || c >= 0x7f || c == '.' || c == '\\')
				o += snprintf(buf + o, bufsz - o, "\\%03d", c);
			else
				buf[o++] = c;
		}
	}
	buf[o] = '\0';
	return 0;
}

/*
 * libunbound's canonname, lower-case without the trailing dot, or "" if
 * it is the name asked for (no CNAME was followed).
 */
static void
dns_canon(const char *canon, const char *qname, char *buf, size_t bufsz)
{
	size_t	 i;

	strlcpy(buf, canon, bufsz);
	for (i = 0; buf[i] != '\0'; i++)
		if (buf[i] >= 'A' && buf[i] <= 'Z')
			buf[i] += 'a' - 'A';
	if (i > 1 && buf[i - 1] == '.')
		buf[i - 1] = '\0';
	if (dns_name_eq(buf, qname))
		buf[0] = '\0';
}

/* Names equal ignoring case and one trailing dot. */
static int
dns_name_eq(const char *a, const char *b)
{
	size_t	 la = strlen(a), lb = strlen(b);

	if (la > 0 && a[la - 1] == '.')
		la--;
	if (lb > 0 && b[lb - 1] == '.')
		lb--;
	return la == lb && strncasecmp(a, b, la) == 0;
}

void
dns_result_free(struct dns_result *res)
{
	size_t	 i;

	for (i = 0; i < res->nnames; i++)
		free(res->names[i]);
	free(res->names);
	free(res->addrs);
}

int
dns_reverse_name(const struct addr *a, char *buf, size_t len)
{
	static const char	 hex[] = "0123456789abcdef";
	size_t			 o = 0;
	int			 i, n;

	switch (a->family) {
	case AF_INET:
		n = snprintf(buf, len, "%u.%u.%u.%u.in-addr.arpa",
		    a->bytes[3], a->bytes[2], a->bytes[1], a->bytes[0]);
		return n < 0 || (size_t)n >= len ? -1 : 0;
	case AF_INET6:
		if (len < DNS_REVERSE_LEN)
			return -1;
		for (i = 15; i >= 0; i--) {
			buf[o++] = hex[a->bytes[i] & 0xf];
			buf[o++] = '.';
			buf[o++] = hex[a->bytes[i] >> 4];
			buf[o++] = '.';
		}
		strlcpy(buf + o, "ip6.arpa", len - o);
		return 0;
	}
	return -1;
}

static const struct dns_type *
dns_type_lookup(int type)
{
	size_t	 i;

	for (i = 0; i < nitems(dns_types); i++)
		if (dns_types[i].type == type)
			return &dns_types[i];
	return NULL;
}

const char *
dns_type_name(int type)
{
	static char		 buf[sizeof("TYPE65535")];
	const struct dns_type	*t;

	if ((t = dns_type_lookup(type)) != NULL)
		return t->name;
	snprintf(buf, sizeof(buf), "TYPE%d", type & 0xffff);
	return buf;
}

/* What the answer was, in a word: the status, or why it failed. */
const char *
dns_result_name(const struct dns_result *res)
{
	switch (res->status) {
	case DNS_FOUND:
		return "found";
	case DNS_NXDOMAIN:
		return "nxdomain";
	case DNS_NODATA:
		return "nodata";
	default:
		return res->why != NULL ? res->why : "error";
	}
}
