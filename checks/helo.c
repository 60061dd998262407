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

#include "compat.h"

#include <idn2.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "helo.h"

#define LABEL_MAX_LEN	63
#define LITERAL_MAX	256
#define TAG_IPV6	"IPv6:"
#define ACE_PREFIX	"xn--"

/* IDNA2008 lookup with the UTS #46 mapping (case folding, NFC). */
#define IDN_FLAGS	(IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL)

#define WHY_EMPTY	"empty"
#define WHY_EMPTY_LABEL	"empty label"
#define WHY_CHAR	"invalid character"
#define WHY_HYPHEN	"label starts or ends with hyphen"
#define WHY_LABEL_LEN	"label longer than 63"
#define WHY_NAME_LEN	"name longer than 253"
#define WHY_NUMERIC	"numeric top-level label"
#define WHY_LITERAL	"bad address literal"
#define WHY_NEEDS_TAG	"address literal needs IPv6: tag"
#define WHY_TAG		"unknown address literal tag"
#define WHY_IDN		"invalid IDN"
#define WHY_ALABEL	"invalid A-label"
#define WHY_MEMORY	"out of memory"

static int		 v6_groups_ok(const char *);
static void		 classify_literal(const char *, struct helo *);
static int		 classify_name(const char *, struct helo *);
static const char	*check_labels(const char *, size_t);
static const char	*check_label(const char *, size_t);
static int		 alabel_valid(const char *, size_t);
static const char	*idn_why(int);
static int		 bare_ip(const char *, struct addr *);
static int		 general_literal(const char *);
static int		 has_prefix(const char *, const char *);
static int		 is_letdig(int);
static int		 is_digit(int);
static int		 lower(int);
static size_t		 len_nodot(const char *);
static int		 casecmp_n(const char *, const char *, size_t);

/*
 * Fills h, which owns the name it gets: helo_clear() frees it.  Returns
 * -1 only when out of memory; h is then no verdict's to judge.
 */
int
helo_classify(const char *raw, struct helo *h)
{
	memset(h, 0, sizeof(*h));
	if (raw == NULL || *raw == '\0') {
		h->kind = HELO_INVALID;
		h->why = WHY_EMPTY;
	} else if (*raw == '[')
		classify_literal(raw, h);
	else if (bare_ip(raw, &h->addr) == 0)
		h->kind = HELO_BARE_IP;
	else
		return classify_name(raw, h);
	return 0;
}

void
helo_clear(struct helo *h)
{
	free(h->name);
	memset(h, 0, sizeof(*h));
}

/*
 * RFC 5321 limits what "::" may stand beside: at most 6 groups besides
 * it, or 4 before a trailing IPv4 address (IPv6-comp, IPv6v4-comp), where
 * inet_pton(3) accepts 7.  Without "::" inet_pton counts exactly.
 */
static int
v6_groups_ok(const char *s)
{
	const char	*p = s;
	size_t		 groups = 0, n;
	int		 v4 = strchr(s, '.') != NULL;

	if (strstr(s, "::") == NULL)
		return 1;
	for (;;) {
		n = strcspn(p, ":");
		if (n > 0 && memchr(p, '.', n) == NULL)
			groups++;
		if (p[n] == '\0')
			break;
		p += n + 1;
	}
	return groups <= (v4 ? 4u : 6u);
}

/*
 * RFC 5321 address-literal: [IPv4], [IPv6:IPv6] with the tag in any case,
 * or [Standardized-tag:dcontent].  An untagged IPv6 address and any other
 * tag are well-formed but not usable (HELO_LITERAL_OTHER); the rest is
 * malformed.
 */
static void
classify_literal(const char *raw, struct helo *h)
{
	char	 buf[LITERAL_MAX];
	size_t	 len;

	h->kind = HELO_INVALID;
	h->why = WHY_LITERAL;
	len = strlen(raw);
	if (len < 3 || raw[len - 1] != ']' || len - 2 >= sizeof(buf))
		return;
	memcpy(buf, raw + 1, len - 2);
	buf[len - 2] = '\0';

	if (strchr(buf, ':') == NULL) {
		if (addr_parse(buf, &h->addr) == 0) {
			h->kind = HELO_LITERAL4;
			h->why = NULL;
		}
	} else if (has_prefix(buf, TAG_IPV6)) {
		/* [IPv6:192.0.2.1] holds no IPv6 address. */
		if (strchr(buf + strlen(TAG_IPV6), ':') != NULL &&
		    v6_groups_ok(buf + strlen(TAG_IPV6)) &&
		    addr_parse(buf + strlen(TAG_IPV6), &h->addr) == 0) {
			h->kind = HELO_LITERAL6;
			h->why = NULL;
		}
	} else if (addr_parse(buf, &h->addr) == 0) {
		h->kind = HELO_LITERAL_OTHER;
		h->why = WHY_NEEDS_TAG;
	} else if (general_literal(buf)) {
		h->kind = HELO_LITERAL_OTHER;
		h->why = WHY_TAG;
	}
	if (h->kind == HELO_INVALID)
		memset(&h->addr, 0, sizeof(h->addr));
}

/*
 * A name is checked twice: as sent, so that a stray character or hyphen
 * is reported as such, and, if it holds UTF-8, again after libidn2 has
 * mapped it to A-labels, since the mapping may bring in new characters
 * (U+FF0F becomes '/').
 */
static int
classify_name(const char *raw, struct helo *h)
{
	const char	*why;
	char		*ace = NULL, *name;
	size_t		 i, len;
	int		 rc, ret = 0;

	h->kind = HELO_INVALID;
	len = len_nodot(raw);
	if ((why = check_labels(raw, len)) != NULL) {
		h->why = why;
		return 0;
	}
	for (i = 0; i < len && (unsigned char)raw[i] < 0x80; i++)
		;
	if (i < len) {
		if ((rc = idn2_lookup_u8((const uint8_t *)raw,
		    (uint8_t **)&ace, IDN_FLAGS)) != IDN2_OK) {
			h->why = idn_why(rc);
			goto done;
		}
		raw = ace;
		len = len_nodot(raw);
		if ((why = check_labels(raw, len)) != NULL) {
			h->why = why;
			goto done;
		}
	}
	if (len > NAME_MAX_LEN) {
		h->why = WHY_NAME_LEN;
		goto done;
	}
	if ((name = malloc(len + 1)) == NULL) {
		h->why = WHY_MEMORY;
		ret = -1;
		goto done;
	}
	for (i = 0; i < len; i++)
		name[i] = lower((unsigned char)raw[i]);
	name[len] = '\0';
	h->name = name;
	h->kind = HELO_DOMAIN;
	h->underscore = strchr(h->name, '_') != NULL;
	h->dotless = strchr(h->name, '.') == NULL;
 done:
	free(ace);
	return ret;
}

/*
 * The labels of s[0..len): letters, digits, '-' and '_' (reported by its
 * own check), or UTF-8 bytes, which libidn2 judges later.  The length
 * and A-label rules apply to labels that are ASCII already.
 */
static const char *
check_labels(const char *s, size_t len)
{
	const char	*label, *end, *why, *tld = s;
	size_t		 i;

	if (len == 0)
		return WHY_EMPTY_LABEL;
	for (i = 0; i < len; i++) {
		if (s[i] != '.' && s[i] != '-' && s[i] != '_' &&
		    !is_letdig((unsigned char)s[i]) &&
		    (unsigned char)s[i] < 0x80)
			return WHY_CHAR;
	}
	for (label = s; label <= s + len; label = end + 1) {
		if ((end = memchr(label, '.', s + len - label)) == NULL)
			end = s + len;
		if ((why = check_label(label, end - label)) != NULL)
			return why;
		tld = label;
	}
	for (i = 0; tld + i < s + len && is_digit((unsigned char)tld[i]); i++)
		;
	if (tld + i == s + len)
		return WHY_NUMERIC;
	return NULL;
}

static const char *
check_label(const char *label, size_t len)
{
	size_t	 i;
	int	 ascii = 1;

	if (len == 0)
		return WHY_EMPTY_LABEL;
	for (i = 0; i < len; i++)
		if ((unsigned char)label[i] >= 0x80)
			ascii = 0;
	/* "xn--" ends in a hyphen, but is above all a broken A-label. */
	if (ascii && len <= LABEL_MAX_LEN && len >= strlen(ACE_PREFIX) &&
	    casecmp_n(label, ACE_PREFIX, strlen(ACE_PREFIX)) == 0 &&
	    !alabel_valid(label, len))
		return WHY_ALABEL;
	if (label[0] == '-' || label[len - 1] == '-')
		return WHY_HYPHEN;
	if (ascii && len > LABEL_MAX_LEN)
		return WHY_LABEL_LEN;
	return NULL;
}

/*
 * libidn2 decodes an A-label, checks the U-label against IDNA2008 and
 * encodes it again; the result must be the label we were given.
 */
static int
alabel_valid(const char *label, size_t len)
{
	char	 buf[LABEL_MAX_LEN + 1];
	char	*out = NULL;
	size_t	 i;
	int	 valid;

	for (i = 0; i < len; i++)
		buf[i] = lower((unsigned char)label[i]);
	buf[len] = '\0';
	valid = idn2_lookup_u8((const uint8_t *)buf, (uint8_t **)&out,
	    IDN_FLAGS) == IDN2_OK && strcmp(out, buf) == 0;
	free(out);
	return valid;
}

static const char *
idn_why(int rc)
{
	switch (rc) {
	case IDN2_TOO_BIG_LABEL:
	case IDN2_PUNYCODE_BIG_OUTPUT:
		return WHY_LABEL_LEN;
	case IDN2_TOO_BIG_DOMAIN:
		return WHY_NAME_LEN;
	default:
		return WHY_IDN;
	}
}

/* 192.0.2.1, 2001:db8::1, or IPv6:2001:db8::1 sent without brackets. */
static int
bare_ip(const char *raw, struct addr *a)
{
	if (addr_parse(raw, a) == 0)
		return 0;
	if (has_prefix(raw, TAG_IPV6) &&
	    strchr(raw + strlen(TAG_IPV6), ':') != NULL &&
	    addr_parse(raw + strlen(TAG_IPV6), a) == 0)
		return 0;
	return -1;
}

/*
 * General-address-literal = Standardized-tag ":" 1*dcontent, the tag an
 * Ldh-str (letters, digits, inner hyphens), dcontent printable ASCII but
 * '[', '\' and ']'.
 */
static int
general_literal(const char *s)
{
	const char	*colon;
	size_t		 i, taglen;
	int		 c;

	if ((colon = strchr(s, ':')) == NULL || colon == s || colon[1] == '\0')
		return 0;
	taglen = colon - s;
	if (!is_letdig((unsigned char)s[0]) ||
	    !is_letdig((unsigned char)s[taglen - 1]))
		return 0;
	for (i = 0; i < taglen; i++)
		if (!is_letdig((unsigned char)s[i]) && s[i] != '-')
			return 0;
	for (i = taglen + 1; s[i] != '\0'; i++) {
		c = (unsigned char)s[i];
		if (c < 33 || c > 126 || c == '[' || c == '\\' || c == ']')
			return 0;
	}
	return 1;
}

/*
 * Names in the configuration: lower case, one trailing dot dropped,
 * U-labels as A-labels.  A leading '.' (a suffix entry) is kept.  Fails
 * on an empty name, UTF-8 that libidn2 refuses, or a short buffer; the
 * syntax of ASCII names is not judged here.
 */
int
name_normalise(const char *in, char *out, size_t outlen)
{
	const char	*name;
	char		*ace = NULL;
	size_t		 i, len, lead;
	int		 rc = -1;

	lead = in[0] == '.';
	name = in + lead;
	for (i = 0; name[i] != '\0' && (unsigned char)name[i] < 0x80; i++)
		;
	if (name[i] != '\0') {
		if (idn2_lookup_u8((const uint8_t *)name, (uint8_t **)&ace,
		    IDN_FLAGS) != IDN2_OK)
			goto done;
		name = ace;
	}
	if ((len = len_nodot(name)) == 0 || lead + len >= outlen)
		goto done;
	if (lead)
		out[0] = '.';
	for (i = 0; i < len; i++)
		out[lead + i] = lower((unsigned char)name[i]);
	out[lead + len] = '\0';
	rc = 0;
 done:
	free(ace);
	return rc;
}

int
name_eq(const char *a, const char *b)
{
	size_t	 len;

	if (a == NULL || b == NULL)
		return 0;
	len = len_nodot(a);
	return len == len_nodot(b) && casecmp_n(a, b, len) == 0;
}

/* "mx.example.org" and "example.org" are in example.org; "ample.org" not. */
int
name_in_domain(const char *name, const char *domain)
{
	size_t	 nlen, dlen;

	if (name == NULL || domain == NULL)
		return 0;
	nlen = len_nodot(name);
	if ((dlen = len_nodot(domain)) == 0 || nlen < dlen)
		return 0;
	if (nlen > dlen && name[nlen - dlen - 1] != '.')
		return 0;
	return casecmp_n(name + nlen - dlen, domain, dlen) == 0;
}

static int
has_prefix(const char *s, const char *prefix)
{
	return casecmp_n(s, prefix, strlen(prefix)) == 0;
}

/* ASCII only, whatever the locale: bytes >= 0x80 are never letters here. */
static int
is_letdig(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    is_digit(c);
}

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* The length of a name without its one tolerated trailing dot. */
static size_t
len_nodot(const char *s)
{
	size_t	 len = strlen(s);

	return len > 0 && s[len - 1] == '.' ? len - 1 : len;
}

static int
casecmp_n(const char *a, const char *b, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		if (lower((unsigned char)a[i]) != lower((unsigned char)b[i]))
			return 1;
	return 0;
}
