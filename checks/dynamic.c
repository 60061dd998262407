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
 * The dynamic check: does a host name embed the client's whole address,
 * as the names of pool, cable and dial-up hosts do?
 *
 * IPv4 a.b.c.d is found when all four octets appear, in order or reversed:
 *   - separated by '.', '-' or '_' ("93-184-216-34", "34.216.184.93"),
 *   - run together ("93184216034"),
 * each either plain decimal or zero-padded to three digits throughout
 * ("093-184-216-034"), or as eight hex digits ("5db8d822", "22d8b85d").
 * The match may not be glued to further digits (hex digits for the hex
 * form) on either side, so "11-2-3-45" is not 1.2.3.4.  Two octets never
 * fire: "a8-21.smtp-out.amazonses.com" from 54.240.8.21 is a named relay.
 *
 * IPv6 is found by its 64-bit interface identifier, as 16 hex digits in a
 * row, as four groups of four hex digits separated by '-' or '.', or as
 * four unpadded groups when none of them is zero (a zero group would be a
 * lone "0" that proves nothing).  An all-zero identifier never fires.
 * Names are compared without regard to case.
 */
#include "compat.h"

#include <sys/socket.h>

#include <string.h>

#include "addr.h"
#include "helo.h"

#define CANDIDATE_MAX	48

/* How one value is written: plain or padded decimal, padded or bare hex. */
struct conv {
	unsigned int	 base;
	size_t		 width;		/* zero-padded to this many digits */
};

struct form {
	struct conv	  conv;		/* four values, three separators */
	const char *const *seps;	/* NULL-terminated */
	int		(*glued)(int);	/* a neighbour that extends a match */
	int		  nonzero;	/* only when no value is zero */
};

static int	v4_embedded(const char *, const uint8_t *);
static int	v6_embedded(const char *, const uint8_t *);
static int	form_found(const char *, const struct form *,
		    const unsigned int *);
static size_t	put_value(char *, unsigned int, const struct conv *);
static int	find_bounded(const char *, const char *, size_t,
		    int (*)(int));
static int	is_dec(int);
static int	is_hex(int);
static int	lower(int);

static const char *const v4_seps[] = { ".", "-", "_", "", NULL };
static const char *const hex_seps[] = { "", NULL };
static const char *const v6_seps[] = { "", "-", ".", NULL };
static const char *const v6_short_seps[] = { "-", ".", NULL };

static const struct form v4_forms[] = {
	{ { 10, 1 },	v4_seps,	is_dec, 0 },
	{ { 10, 3 },	v4_seps,	is_dec, 0 },
	{ { 16, 2 },	hex_seps,	is_hex, 0 },
};

static const struct form v6_forms[] = {
	{ { 16, 4 },	v6_seps,	is_hex, 0 },
	{ { 16, 1 },	v6_short_seps,	is_hex, 1 },
};

int
name_dynamic(const char *name, const struct addr *client)
{
	if (name == NULL)
		return 0;
	switch (client->family) {
	case AF_INET:
		return v4_embedded(name, client->bytes);
	case AF_INET6:
		return v6_embedded(name, client->bytes);
	default:
		return 0;
	}
}

static int
v4_embedded(const char *name, const uint8_t *b)
{
	unsigned int	 forward[4], reverse[4];
	size_t		 i;

	for (i = 0; i < 4; i++) {
		forward[i] = b[i];
		reverse[i] = b[3 - i];
	}
	for (i = 0; i < nitems(v4_forms); i++)
		if (form_found(name, &v4_forms[i], forward) ||
		    form_found(name, &v4_forms[i], reverse))
			return 1;
	return 0;
}

static int
v6_embedded(const char *name, const uint8_t *b)
{
	unsigned int	 iid[4];
	size_t		 i;

	for (i = 0; i < 4; i++)
		iid[i] = b[8 + 2 * i] << 8 | b[9 + 2 * i];
	if ((iid[0] | iid[1] | iid[2] | iid[3]) == 0)
		return 0;
	for (i = 0; i < nitems(v6_forms); i++)
		if (form_found(name, &v6_forms[i], iid))
			return 1;
	return 0;
}

/*
 * The verdict asks again after every DNS answer, so this is on the hot
 * path: the values are written once, and a name that does not hold the
 * first of them holds no candidate at all.
 */
static int
form_found(const char *name, const struct form *f, const unsigned int *v)
{
	char			 value[4][8], candidate[CANDIDATE_MAX];
	size_t			 vlen[4], len, i;
	const char *const	*sep;

	if (f->nonzero && (v[0] == 0 || v[1] == 0 || v[2] == 0 || v[3] == 0))
		return 0;
	for (i = 0; i < 4; i++)
		vlen[i] = put_value(value[i], v[i], &f->conv);
	if (!find_bounded(name, value[0], vlen[0], NULL))
		return 0;
	for (sep = f->seps; *sep != NULL; sep++) {
		for (i = len = 0; i < 4; i++) {
			if (i > 0) {
				memcpy(candidate + len, *sep, strlen(*sep));
				len += strlen(*sep);
			}
			memcpy(candidate + len, value[i], vlen[i]);
			len += vlen[i];
		}
		if (find_bounded(name, candidate, len, f->glued))
			return 1;
	}
	return 0;
}

/* v in c's base, zero-padded to its width; returns the length. */
static size_t
put_value(char *buf, unsigned int v, const struct conv *c)
{
	static const char	 digits[] = "0123456789abcdef";
	char			 rev[8];
	size_t			 n = 0, i;

	do {
		rev[n++] = digits[v % c->base];
		v /= c->base;
	} while (v > 0 && n < sizeof(rev));
	while (n < c->width)
		rev[n++] = '0';
	for (i = 0; i < n; i++)
		buf[i] = rev[n - 1 - i];
	buf[n] = '\0';
	return n;
}

/*
 * needle occurs in name, case-insensitively, with no glued neighbour
 * (any neighbour, without glued).
 */
static int
find_bounded(const char *name, const char *needle, size_t len,
    int (*glued)(int))
{
	size_t	 i, j, nlen;

	nlen = strlen(name);
	for (i = 0; i + len <= nlen; i++) {
		for (j = 0; j < len; j++)
			if (lower((unsigned char)name[i + j]) !=
			    lower((unsigned char)needle[j]))
				break;
		if (j < len)
			continue;
		if (glued == NULL)
			return 1;
		if (i > 0 && glued((unsigned char)name[i - 1]))
			continue;
		if (glued((unsigned char)name[i + len]))
			continue;
		return 1;
	}
	return 0;
}

static int
is_dec(int c)
{
	return c >= '0' && c <= '9';
}

static int
is_hex(int c)
{
	return is_dec(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}
