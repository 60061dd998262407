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
 * SPF records, as RFC 7208's ABNF reads them.  A record is whatever a
 * domain's owner published, so it is parsed whole before anything is
 * looked up, and every byte of it is checked: an octet that is not
 * printable ASCII (a NUL, a control, UTF-8) is a permerror, so that
 * "a:foo.example.com\0" can never pass for "a:foo.example.com".  The
 * domain-specs in it are checked by spfmacro.c.
 */
#include "compat.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "spfrecord.h"

#define SPF_VERSION	"v=spf1"
#define SPF_VERSION_LEN	6

enum spf_arg {
	ARG_NONE,		/* all */
	ARG_DOMAIN,		/* ":" domain-spec */
	ARG_DOMAIN_OPT,		/* [ ":" domain-spec ] */
	ARG_IP4,		/* ":" ip4-network [ ip4-cidr-length ] */
	ARG_IP6			/* ":" ip6-network [ ip6-cidr-length ] */
};

static const struct spf_mech_def {
	const char	*name;
	enum spf_mech	 mech;
	enum spf_arg	 arg;
	int		 dual_cidr;
} spf_mechs[] = {
	{ "all",	SPF_MECH_ALL,		ARG_NONE,	0 },
	{ "include",	SPF_MECH_INCLUDE,	ARG_DOMAIN,	0 },
	{ "a",		SPF_MECH_A,		ARG_DOMAIN_OPT,	1 },
	{ "mx",		SPF_MECH_MX,		ARG_DOMAIN_OPT,	1 },
	{ "ptr",	SPF_MECH_PTR,		ARG_DOMAIN_OPT,	0 },
	{ "ip4",	SPF_MECH_IP4,		ARG_IP4,	0 },
	{ "ip6",	SPF_MECH_IP6,		ARG_IP6,	0 },
	{ "exists",	SPF_MECH_EXISTS,	ARG_DOMAIN,	0 },
};

static const struct {
	char		 c;
	enum spf_result	 result;
} spf_qualifiers[] = {
	{ '+',	SPF_PASS },
	{ '-',	SPF_FAIL },
	{ '~',	SPF_SOFTFAIL },
	{ '?',	SPF_NEUTRAL },
};

static const char *const spf_names[] = {
	[SPF_NONE] = "none",
	[SPF_NEUTRAL] = "neutral",
	[SPF_PASS] = "pass",
	[SPF_FAIL] = "fail",
	[SPF_SOFTFAIL] = "softfail",
	[SPF_TEMPERROR] = "temperror",
	[SPF_PERMERROR] = "permerror",
};

static int	spf_term_read(struct spf_record *, size_t *, struct spf_term *,
		    int, char *, size_t);
static int	spf_modifier(struct spf_record *, const char *, size_t,
		    const char *, char *, size_t);
static int	spf_directive(char *, const char *, struct spf_term *, char *,
		    size_t);
static int	spf_dual_cidr(char *, struct spf_term *);
static int	spf_cidr_value(const char *, const char *, int, int *);
static int	spf_network(const char *, int, struct cidr *);
static int	spf_ip4(const char *, size_t, unsigned char *);

/*
 * The SPF record among a name's TXT records (§4.5): the one that is
 * "v=spf1" (in any case) alone or followed by a space.  1 with its index,
 * 0 if there is none, -1 if there are more (a permerror).
 */
int
spf_record_select(const struct dns_txt *txts, size_t n, size_t *idx)
{
	size_t	 i;
	int	 found = 0;

	for (i = 0; i < n; i++) {
		if (txts[i].len < SPF_VERSION_LEN ||
		    strncasecmp(txts[i].text, SPF_VERSION,
		    SPF_VERSION_LEN) != 0 ||
		    (txts[i].len > SPF_VERSION_LEN &&
		    txts[i].text[SPF_VERSION_LEN] != ' '))
			continue;
		if (found)
			return -1;
		found = 1;
		*idx = i;
	}
	return found;
}

/*
 * The record selected, len octets, parsed whole.  0, or -1 with what is
 * wrong in err (a permerror), or -2 when out of memory.  The record is
 * kept as text, its terms NUL-separated, and a term is parsed again
 * when its turn comes (spf_record_next()): a record of 64 KiB holds
 * 32,768 terms, and only 10 of them can look anything up.
 */
int
spf_record_parse(const char *text, size_t len, struct spf_record *rec,
    char *err, size_t errlen)
{
	struct spf_term	 t;
	size_t		 i, start = 0, longest = 0, off = 0;
	int		 r;

	memset(rec, 0, sizeof(*rec));
	for (i = 0; i < len; i++)
		if ((text[i] & 0xff) < ' ' || (text[i] & 0xff) > '~') {
			snprintf(err, errlen, "octet 0x%02x in the record",
			    text[i] & 0xff);
			return -1;
		}
	if ((rec->buf = malloc(len + 1)) == NULL)
		return -2;
	memcpy(rec->buf, text, len);
	rec->len = len;
	for (i = 0; i <= len; i++)
		if (i == len || rec->buf[i] == ' ') {
			rec->buf[i] = '\0';
			if (i - start > longest)
				longest = i - start;
			start = i + 1;
		}
	if ((rec->scratch = malloc(longest + 1)) == NULL) {
		spf_record_free(rec);
		return -2;
	}
	while ((r = spf_term_read(rec, &off, &t, 1, err, errlen)) == 1)
		rec->nterms++;
	if (r == -1) {
		spf_record_free(rec);
		return -1;
	}
	return 0;
}

/*
 * The directive after *off (0: the first), which then points past it:
 * 1, or 0 at the end of the record.  Its strings live until the next
 * call.
 */
int
spf_record_next(struct spf_record *rec, size_t *off, struct spf_term *t)
{
	return spf_term_read(rec, off, t, 0, NULL, 0);
}

void
spf_record_free(struct spf_record *rec)
{
	free(rec->buf);
	free(rec->scratch);
	memset(rec, 0, sizeof(*rec));
}

/* Here, not in spf.c: a name needs no resolver. */
const char *
spf_result_name(enum spf_result r)
{
	if ((size_t)r >= nitems(spf_names) || spf_names[r] == NULL)
		return "unknown";
	return spf_names[r];
}

/*
 * The next term after *off that is a directive; modifiers on the way
 * are taken (first: the parse that checks every term) or skipped.  A
 * modifier is a name and "=" (§4.6.1); anything else, a directive.
 */
static int
spf_term_read(struct spf_record *rec, size_t *off, struct spf_term *t,
    int first, char *err, size_t errlen)
{
	const char	*tok, *q;

	if (*off < SPF_VERSION_LEN)
		*off = SPF_VERSION_LEN;
	for (;;) {
		while (*off < rec->len && rec->buf[*off] == '\0')
			(*off)++;
		if (*off >= rec->len)
			return 0;
		tok = rec->buf + *off;
		*off += strlen(tok);
		if (spf_alpha(tok[0])) {
			for (q = tok + 1; spf_alpha(*q) || spf_digit(*q) ||
			    *q == '-' || *q == '_' || *q == '.'; q++)
				;
			if (*q == '=') {
				if (first && spf_modifier(rec, tok, q - tok,
				    q + 1, err, errlen) == -1)
					return -1;
				continue;
			}
		}
		strlcpy(rec->scratch, tok, strlen(tok) + 1);
		return spf_directive(rec->scratch, tok, t, err, errlen) == -1 ?
		    -1 : 1;
	}
}

/*
 * redirect= and exp= at most once each, with a domain-spec; any other
 * modifier is ignored, but must be a macro-string (§6).
 */
static int
spf_modifier(struct spf_record *rec, const char *name, size_t namelen,
    const char *value, char *err, size_t errlen)
{
	const char	**slot;

	if (namelen == 8 && strncasecmp(name, "redirect", 8) == 0)
		slot = &rec->redirect;
	else if (namelen == 3 && strncasecmp(name, "exp", 3) == 0)
		slot = &rec->exp;
	else {
		if (spf_macro_check(value, 1) == -1) {
			snprintf(err, errlen, "bad macro in %.*s=",
			    (int)namelen, name);
			return -1;
		}
		return 0;
	}
	if (*slot != NULL) {
		snprintf(err, errlen, "%.*s= twice", (int)namelen, name);
		return -1;
	}
	if (spf_domain_spec_check(value) == -1) {
		snprintf(err, errlen, "bad domain in %.*s=%.64s",
		    (int)namelen, name, value);
		return -1;
	}
	*slot = value;
	return 0;
}

/* A directive, tok (a copy of text to cut up), into t. */
static int
spf_directive(char *tok, const char *text, struct spf_term *t, char *err,
    size_t errlen)
{
	const struct spf_mech_def	*def = NULL;
	char				*rest;
	size_t				 i, n;

	memset(t, 0, sizeof(*t));
	t->text = text;
	t->qualifier = SPF_PASS;
	for (i = 0; i < nitems(spf_qualifiers); i++)
		if (tok[0] == spf_qualifiers[i].c) {
			t->qualifier = spf_qualifiers[i].result;
			tok++;
			break;
		}
	n = strcspn(tok, ":/");
	for (i = 0; i < nitems(spf_mechs); i++)
		if (strlen(spf_mechs[i].name) == n &&
		    strncasecmp(tok, spf_mechs[i].name, n) == 0)
			def = &spf_mechs[i];
	if (def == NULL) {
		snprintf(err, errlen, "unknown mechanism %.64s", text);
		return -1;
	}
	t->mech = def->mech;
	rest = tok + n;
	switch (def->arg) {
	case ARG_NONE:
		if (*rest != '\0')
			goto bad;
		break;
	case ARG_DOMAIN:
		if (*rest != ':' || spf_domain_spec_check(rest + 1) == -1)
			goto bad;
		t->domain = rest + 1;
		break;
	case ARG_DOMAIN_OPT:
		if (def->dual_cidr && spf_dual_cidr(rest, t) == -1)
			goto bad;
		if (*rest == ':' && spf_domain_spec_check(rest + 1) == 0)
			t->domain = rest + 1;
		else if (*rest != '\0')
			goto bad;
		break;
	case ARG_IP4:
	case ARG_IP6:
		if (*rest != ':' || spf_network(rest + 1, def->arg == ARG_IP4 ?
		    AF_INET : AF_INET6, &t->net) == -1)
			goto bad;
		break;
	}
	return 0;
 bad:
	snprintf(err, errlen, "bad %s: %.64s", def->name, text);
	return -1;
}

/*
 * [ "/" ip4-cidr-length ] [ "//" ip6-cidr-length ] at the end of rest,
 * cut off; a domain-spec may hold a "/" of its own, so from the right.
 */
static int
spf_dual_cidr(char *rest, struct spf_term *t)
{
	char	*end = rest + strlen(rest), *d;

	t->cidr4 = 32;
	t->cidr6 = 128;
	for (d = end; d > rest && spf_digit(d[-1]); d--)
		;
	if (d < end && d - rest >= 2 && d[-1] == '/' && d[-2] == '/') {
		if (spf_cidr_value(d, end, 128, &t->cidr6) == -1)
			return -1;
		end = d - 2;
		for (d = end; d > rest && spf_digit(d[-1]); d--)
			;
	}
	if (d < end && d - rest >= 1 && d[-1] == '/') {
		if (spf_cidr_value(d, end, 32, &t->cidr4) == -1)
			return -1;
		end = d - 1;
	}
	*end = '\0';
	return 0;
}

/* 1*DIGIT up to max, without a leading zero: "/032" is no length. */
static int
spf_cidr_value(const char *d, const char *end, int max, int *out)
{
	int	 v = 0;

	if (d == end || end - d > 3 || (d[0] == '0' && end - d > 1))
		return -1;
	for (; d < end; d++) {
		if (!spf_digit(*d))
			return -1;
		v = v * 10 + (*d - '0');
	}
	if (v > max)
		return -1;
	*out = v;
	return 0;
}

/*
 * ip4-network or ip6-network, and a prefix length after "/".  An IPv6
 * network stays IPv6 even if it maps IPv4: it matches no IPv4 client
 * (§5: those are matched by ip4 only).
 */
static int
spf_network(const char *s, int family, struct cidr *c)
{
	char		 buf[ADDR_STRLEN];
	const char	*slash;
	size_t		 len;
	int		 max = family == AF_INET ? 32 : 128;

	memset(c, 0, sizeof(*c));
	if ((slash = strchr(s, '/')) == NULL)
		slash = s + strlen(s);
	if ((len = slash - s) >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (family == AF_INET ? spf_ip4(buf, len, c->addr.bytes) == -1 :
	    inet_pton(AF_INET6, buf, c->addr.bytes) != 1)
		return -1;
	c->addr.family = family;
	c->plen = max;
	if (*slash == '/' && spf_cidr_value(slash + 1, slash + strlen(slash),
	    max, &c->plen) == -1)
		return -1;
	return 0;
}

/* Four qnums: decimal, at most 255, no leading zero. */
static int
spf_ip4(const char *s, size_t len, unsigned char *out)
{
	const char	*end = s + len;
	int		 i, v, nd;

	for (i = 0; i < 4; i++) {
		if (i > 0 && (s == end || *s++ != '.'))
			return -1;
		for (v = 0, nd = 0; s < end && spf_digit(*s) && nd < 4;
		    s++, nd++)
			v = v * 10 + (*s - '0');
		if (nd == 0 || nd > 3 || v > 255 || (nd > 1 && s[-nd] == '0'))
			return -1;
		out[i] = v;
	}
	return s == end ? 0 : -1;
}

/* ASCII only, whatever the locale: a record's octets are not text. */
int
spf_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

int
spf_digit(int c)
{
	return c >= '0' && c <= '9';
}
