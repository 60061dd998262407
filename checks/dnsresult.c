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
 * DNS answers read from the wire into struct dns_result.  The message is
 * whatever came back: it may be truncated, malformed or hostile, so
 * every length is checked against what is left, a name may follow at
 * most DNS_HOPS_MAX compression pointers, and anything that does not
 * parse fails the whole answer.  Read as "no address", one bad record
 * would turn a resolver's fault into a permanent refusal.  Names become
 * lower-case text in which no odd octet can pass for a host name.
 */
#include "compat.h"

#include <sys/socket.h>

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns.h"
#include "dnsresult.h"

#define DNS_HDR_LEN	12
#define DNS_RR_FIXED	10	/* type, class, TTL, rdata length */
#define DNS_CLASS_IN	1
#define DNS_TYPE_SOA	6
#define DNS_RCODE_NX	3
#define DNS_HOPS_MAX	64	/* compression pointers in one name */
#define DNS_CHAIN_MAX	8	/* CNAMEs followed in one answer */

enum rdata {
	RDATA_OTHER,
	RDATA_INET,
	RDATA_INET6,
	RDATA_NAME,
	RDATA_TEXT
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
	{ DNS_TYPE_TXT,		"TXT",		RDATA_TEXT,	0 },
};

static const struct {
	int		 rcode;
	const char	*why;
} dns_rcodes[] = {
	{ 1,	"formerr" },
	{ 2,	"servfail" },
	{ 4,	"notimp" },
	{ 5,	"refused" },
};

/* The message, and where its answer and authority sections start. */
struct dns_msg {
	const uint8_t	*p;
	size_t		 len;
	size_t		 an, ns;	/* offsets */
	unsigned	 nan, nns;	/* record counts */
};

/* One resource record: its rdata stays in the message. */
struct dns_rr {
	char		 owner[DNS_TEXT_LEN];
	int		 type;
	int		 class;
	uint32_t	 ttl;
	size_t		 rdata;		/* offset */
	size_t		 rdlen;
};

static int	dns_sections(struct dns_msg *);
static int	dns_rr_read(const struct dns_msg *, size_t *, struct dns_rr *);
static int	dns_name(const struct dns_msg *, size_t *, char *, size_t);
static int	dns_rdata_name(const struct dns_msg *, const struct dns_rr *,
		    size_t, char *);
static int	dns_rdata_text(const struct dns_msg *, const struct dns_rr *,
		    struct dns_txt *);
static int	dns_qname(const char *, char *);
static int	dns_octet_odd(int);
static int	dns_follow(const struct dns_msg *, char *, uint32_t *);
static int	dns_records(const struct dns_msg *, const char *, int,
		    struct dns_result *, uint32_t *);
static int	dns_record(const struct dns_msg *, const struct dns_rr *,
		    const struct dns_type *, struct dns_result *);
static uint32_t	dns_negative_ttl(const struct dns_msg *);
static void	dns_drop(struct dns_result *, const char *, const char *);
static uint16_t	dns_get16(const uint8_t *);
static uint32_t	dns_get32(const uint8_t *);
static const struct dns_type *dns_type_lookup(int);

/*
 * The answer in msg to qname (lower-case, no trailing dot) and type.  The
 * AD bit makes it secure only if trust_ad says the resolver's word is
 * good.  A canonical name other than qname is written into cname, which
 * res->cname then points to.  res must be zeroed; dns_result_free()
 * frees what this allocates, whatever the outcome.
 */
void
dns_result_parse(const uint8_t *msg, size_t len, const char *qname,
    int type, int trust_ad, struct dns_result *res, char *cname,
    size_t cnamelen)
{
	struct dns_msg	 m;
	char		 canon[DNS_TEXT_LEN], asked[DNS_TEXT_LEN];
	uint32_t	 ttl = UINT32_MAX;
	size_t		 i;
	int		 rcode, n = 0;

	m.p = msg;
	m.len = len;
	if (len < DNS_HDR_LEN || dns_sections(&m) == -1) {
		dns_drop(res, "malformed", NULL);
		return;
	}
	rcode = msg[3] & 0x0f;
	if (rcode != 0 && rcode != DNS_RCODE_NX) {
		res->status = DNS_ERROR;
		res->why = "error";
		for (i = 0; i < nitems(dns_rcodes); i++)
			if (dns_rcodes[i].rcode == rcode)
				res->why = dns_rcodes[i].why;
		return;
	}
	/* the name as the answer's owners read, odd octets escaped */
	if (dns_qname(qname, asked) == -1) {
		dns_drop(res, "malformed", NULL);
		return;
	}
	memcpy(canon, asked, sizeof(canon));
	/* a CNAME asked for is the answer, not a link to follow */
	for (i = 0; type != DNS_TYPE_CNAME &&
	    (n = dns_follow(&m, canon, &ttl)) == 1; i++)
		if (i == DNS_CHAIN_MAX) {
			dns_drop(res, "malformed", "CNAME chain too long");
			return;
		}
	if (n == -1 || (rcode == 0 &&
	    (n = dns_records(&m, canon, type, res, &ttl)) == -1)) {
		if (res->why == NULL)
			dns_drop(res, "malformed", NULL);
		return;
	}
	if (rcode == DNS_RCODE_NX)
		res->status = DNS_NXDOMAIN;
	else
		res->status = n > 0 ? DNS_FOUND : DNS_NODATA;
	if (res->status != DNS_FOUND) {
		if ((ttl = dns_negative_ttl(&m)) == UINT32_MAX) {
			dns_drop(res, "malformed", NULL);
			return;
		}
	}
	res->ttl = ttl > INT_MAX ? 0 : (int)ttl;
	res->secure = trust_ad && (msg[3] & DNS_HDR_AD);
	if (strcmp(canon, asked) != 0) {
		strlcpy(cname, canon, cnamelen);
		res->cname = cname;
	}
}

/*
 * Past the questions to the answer and authority sections, checking on
 * the way that every record of both is whole.
 */
static int
dns_sections(struct dns_msg *m)
{
	struct dns_rr	 rr;
	char		 name[DNS_TEXT_LEN];
	size_t		 off = DNS_HDR_LEN;
	unsigned	 n, i;

	n = dns_get16(m->p + 4);
	for (i = 0; i < n; i++) {
		if (dns_name(m, &off, name, sizeof(name)) == -1 ||
		    m->len - off < 4)
			return -1;
		off += 4;
	}
	m->nan = dns_get16(m->p + 6);
	m->nns = dns_get16(m->p + 8);
	m->an = off;
	for (i = 0; i < m->nan; i++)
		if (dns_rr_read(m, &off, &rr) == -1)
			return -1;
	m->ns = off;
	for (i = 0; i < m->nns; i++)
		if (dns_rr_read(m, &off, &rr) == -1)
			return -1;
	return 0;
}

static int
dns_rr_read(const struct dns_msg *m, size_t *off, struct dns_rr *rr)
{
	const uint8_t	*p;

	if (dns_name(m, off, rr->owner, sizeof(rr->owner)) == -1 ||
	    m->len - *off < DNS_RR_FIXED)
		return -1;
	p = m->p + *off;
	rr->type = dns_get16(p);
	rr->class = dns_get16(p + 2);
	rr->ttl = dns_get32(p + 4);
	/* RFC 2181 section 8: a TTL with the top bit set means zero */
	if (rr->ttl > INT32_MAX)
		rr->ttl = 0;
	rr->rdlen = dns_get16(p + 8);
	*off += DNS_RR_FIXED;
	if (m->len - *off < rr->rdlen)
		return -1;
	rr->rdata = *off;
	*off += rr->rdlen;
	return 0;
}

/*
 * The name at *off, which then points past it (past its first pointer,
 * if compressed).  The text is lower-case without the trailing dot, the
 * root is ""; octets that would make it ambiguous or unprintable ('.',
 * '\', controls, non-ASCII) are written \DDD, so that such a name never
 * equals a host name.  Pointers must point backwards, and a name is at
 * most DNS_WIRE_MAX octets as sent.
 */
static int
dns_name(const struct dns_msg *m, size_t *off, char *buf, size_t bufsz)
{
	size_t	 i = *off, o = 0, wire = 1, lab;
	int	 c, hops = 0;

	if (bufsz < DNS_TEXT_LEN)
		return -1;
	for (;;) {
		if (i >= m->len)
			return -1;
		lab = m->p[i];
		if ((lab & 0xc0) == 0xc0) {
			if (i + 1 >= m->len || ++hops > DNS_HOPS_MAX)
				return -1;
			if (hops == 1)
				*off = i + 2;
			lab = (lab & 0x3f) << 8 | m->p[i + 1];
			if (lab >= i)
				return -1;
			i = lab;
			continue;
		}
		if (lab > 63)
			return -1;
		i++;
		if (lab == 0)
			break;
		if ((wire += lab + 1) > DNS_WIRE_MAX || m->len - i < lab)
			return -1;
		if (o > 0)
			buf[o++] = '.';
		for (; lab > 0; lab--) {
			c = m->p[i++];
			if (c >= 'A' && c <= 'Z')
				c += 'a' - 'A';
			if (dns_octet_odd(c) || c == '.' || c == '\\')
				o += snprintf(buf + o, bufsz - o, "\\%03d", c);
			else
				buf[o++] = c;
		}
	}
	if (hops == 0)
		*off = i;
	buf[o] = '\0';
	return 0;
}

/* A name that is the whole rdata from at on: nothing before or after. */
static int
dns_rdata_name(const struct dns_msg *m, const struct dns_rr *rr, size_t at,
    char *buf)
{
	size_t	 off = rr->rdata + at;

	if (rr->rdlen <= at || dns_name(m, &off, buf, DNS_TEXT_LEN) == -1)
		return -1;
	return off == rr->rdata + rr->rdlen ? 0 : -1;
}

/*
 * A TXT record's character-strings, each a length octet and that many
 * octets, which must fill the rdata exactly, joined into one text.  No
 * strings at all (RFC 1035 wants one) reads as an empty text: a record
 * that is wrong but harmless.  Octets are kept as they are, NULs too.
 * -1: malformed; -2: out of memory.
 */
static int
dns_rdata_text(const struct dns_msg *m, const struct dns_rr *rr,
    struct dns_txt *txt)
{
	const uint8_t	*p = m->p + rr->rdata;
	size_t		 off, len = 0, n;

	for (off = 0; off < rr->rdlen; off += 1 + n) {
		n = p[off];
		if (rr->rdlen - off - 1 < n)
			return -1;
		len += n;
	}
	if ((txt->text = malloc(len + 1)) == NULL)
		return -2;
	txt->len = 0;
	for (off = 0; off < rr->rdlen; off += 1 + n) {
		n = p[off];
		memcpy(txt->text + txt->len, p + off + 1, n);
		txt->len += n;
	}
	txt->text[len] = '\0';
	return 0;
}

/*
 * One step along a CNAME chain: 1 if name had a CNAME in the answer
 * section (name is now its target, ttl at most the CNAME's), 0 if not.
 */
static int
dns_follow(const struct dns_msg *m, char *name, uint32_t *ttl)
{
	struct dns_rr	 rr;
	char		 target[DNS_TEXT_LEN];
	size_t		 off = m->an;
	unsigned	 i;

	for (i = 0; i < m->nan; i++) {
		if (dns_rr_read(m, &off, &rr) == -1)
			return -1;
		if (rr.type != DNS_TYPE_CNAME || rr.class != DNS_CLASS_IN ||
		    strcmp(rr.owner, name) != 0)
			continue;
		if (dns_rdata_name(m, &rr, 0, target) == -1)
			return -1;
		memcpy(name, target, sizeof(target));
		if (rr.ttl < *ttl)
			*ttl = rr.ttl;
		return 1;
	}
	return 0;
}

/*
 * The records of type owned by name, into res; ttl is lowered to the
 * least of theirs.  Returns how many there are (a null MX is one, with
 * no name), or -1 with res->why set if one does not parse, or out of
 * memory.
 */
static int
dns_records(const struct dns_msg *m, const char *name, int type,
    struct dns_result *res, uint32_t *ttl)
{
	const struct dns_type	*t = dns_type_lookup(type);
	struct dns_rr		 rr;
	size_t			 off;
	unsigned		 i;
	int			 pass, n = 0;

	/* counted first, then read into arrays of that size */
	for (pass = 0; pass < 2; pass++) {
		off = m->an;
		for (i = 0; i < m->nan; i++) {
			if (dns_rr_read(m, &off, &rr) == -1)
				return -1;
			if (rr.type != type || rr.class != DNS_CLASS_IN ||
			    strcmp(rr.owner, name) != 0)
				continue;
			if (rr.ttl < *ttl)
				*ttl = rr.ttl;
			if (pass == 0)
				n++;
			else if (dns_record(m, &rr, t, res) == -1)
				return -1;
		}
		if (pass > 0 || n == 0 || t == NULL || t->rdata == RDATA_OTHER)
			break;
		if (t->rdata == RDATA_NAME)
			res->names = reallocarray(NULL, n, sizeof(*res->names));
		else if (t->rdata == RDATA_TEXT)
			res->txts = reallocarray(NULL, n, sizeof(*res->txts));
		else
			res->addrs = reallocarray(NULL, n, sizeof(*res->addrs));
		if (res->names == NULL && res->addrs == NULL &&
		    res->txts == NULL) {
			dns_drop(res, "local error", strerror(errno));
			return -1;
		}
	}
	return n;
}

static int
dns_record(const struct dns_msg *m, const struct dns_rr *rr,
    const struct dns_type *t, struct dns_result *res)
{
	struct addr	*a;
	char		 name[DNS_TEXT_LEN];

	switch (t->rdata) {
	case RDATA_INET:
	case RDATA_INET6:
		if (rr->rdlen != (t->rdata == RDATA_INET ? 4 : 16)) {
			dns_drop(res, "malformed", NULL);
			return -1;
		}
		a = &res->addrs[res->naddrs++];
		memset(a, 0, sizeof(*a));
		a->family = t->rdata == RDATA_INET ? AF_INET : AF_INET6;
		memcpy(a->bytes, m->p + rr->rdata, rr->rdlen);
		return 0;
	case RDATA_NAME:
		if (dns_rdata_name(m, rr, t->name_at, name) == -1) {
			dns_drop(res, "malformed", NULL);
			return -1;
		}
		/* the root (a null MX) names no host */
		if (name[0] == '\0')
			return 0;
		/* a name left out could change the verdict */
		if ((res->names[res->nnames] = strdup(name)) == NULL) {
			dns_drop(res, "local error", strerror(errno));
			return -1;
		}
		res->nnames++;
		return 0;
	case RDATA_TEXT:
		switch (dns_rdata_text(m, rr, &res->txts[res->ntxts])) {
		case -1:
			dns_drop(res, "malformed", NULL);
			return -1;
		case -2:
			dns_drop(res, "local error", strerror(errno));
			return -1;
		}
		res->ntxts++;
		return 0;
	case RDATA_OTHER:
		break;
	}
	return 0;
}

/*
 * How long a negative answer may be kept (RFC 2308): the SOA's own TTL
 * or its minimum field, whichever is less; 0 without a SOA, and
 * UINT32_MAX for a SOA that does not parse.
 */
static uint32_t
dns_negative_ttl(const struct dns_msg *m)
{
	struct dns_rr	 rr;
	char		 name[DNS_TEXT_LEN];
	size_t		 off = m->ns, at;
	uint32_t	 min;
	unsigned	 i;

	for (i = 0; i < m->nns; i++) {
		if (dns_rr_read(m, &off, &rr) == -1)
			return UINT32_MAX;
		if (rr.type != DNS_TYPE_SOA || rr.class != DNS_CLASS_IN)
			continue;
		at = rr.rdata;
		if (dns_name(m, &at, name, sizeof(name)) == -1 ||
		    dns_name(m, &at, name, sizeof(name)) == -1 ||
		    at + 20 != rr.rdata + rr.rdlen)
			return UINT32_MAX;
		min = dns_get32(m->p + at + 16);
		return min < rr.ttl ? min : rr.ttl;
	}
	return 0;
}

/* Drop what was parsed so far: dns_result_free() frees the arrays. */
static void
dns_drop(struct dns_result *res, const char *why, const char *detail)
{
	size_t	 i;

	for (i = 0; i < res->nnames; i++)
		free(res->names[i]);
	for (i = 0; i < res->ntxts; i++)
		free(res->txts[i].text);
	res->nnames = 0;
	res->naddrs = 0;
	res->ntxts = 0;
	res->status = DNS_ERROR;
	res->why = why;
	res->detail = detail;
	res->cname = NULL;
}

/*
 * The name asked, lower-case, in the text dns_name() makes of names on
 * the wire: an octet that is escaped there (a space a macro of SPF put
 * into a name, say) is escaped here, so that the owner it was asked for
 * compares equal.  Dots stay separators; the name was sent as it is.
 */
static int
dns_qname(const char *qname, char *out)
{
	size_t	 o = 0;
	int	 c;

	for (; *qname != '\0'; qname++) {
		c = *qname & 0xff;
		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		if (o + 5 > DNS_TEXT_LEN)
			return -1;
		if (dns_octet_odd(c))
			o += snprintf(out + o, DNS_TEXT_LEN - o, "\\%03d", c);
		else
			out[o++] = c;
	}
	out[o] = '\0';
	return 0;
}

/* An octet that would make a name unprintable or ambiguous in text. */
static int
dns_octet_odd(int c)
{
	return c <= ' ' || c >= 0x7f;
}

static uint16_t
dns_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
dns_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

void
dns_result_free(struct dns_result *res)
{
	size_t	 i;

	for (i = 0; i < res->nnames; i++)
		free(res->names[i]);
	for (i = 0; i < res->ntxts; i++)
		free(res->txts[i].text);
	free(res->names);
	free(res->addrs);
	free(res->txts);
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
