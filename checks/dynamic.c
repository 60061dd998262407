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

#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "helo.h"

#define CANDIDATE_MAX	48

struct form {
	const char	 *fmt;		/* four values, three separators */
	const char *const *seps;	/* NULL-terminated */
	int		(*glued)(int);	/* a neighbour that extends a match */
	int		  nonzero;	/* only when no value is zero */
};

static int	v4_embedded(const char *, const uint8_t *);
static int	v6_embedded(const char *, const uint8_t *);
static int	form_found(const char *, const struct form *,
		    const unsigned int *);
static int	find_bounded(const char *, const char *, int (*)(int));
static int	is_dec(int);
static int	is_hex(int);
static int	lower(int);

static const char *const v4_seps[] = { ".", "-", "_", "", NULL };
static const char *const hex_seps[] = { "", NULL };
static const char *const v6_seps[] = { "", "-", ".", NULL };
static const char *const v6_short_seps[] = { "-", ".", NULL };

static const struct form v4_forms[] = {
	{ "%u%s%u%s%u%s%u",		v4_seps,	is_dec, 0 },
	{ "%03u%s%03u%s%03u%s%03u",	v4_seps,	is_dec, 0 },
	{ "%02x%s%02x%s%02x%s%02x",	hex_seps,	is_hex, 0 },
};

static const struct form v6_forms[] = {
	{ "%04x%s%04x%s%04x%s%04x",	v6_seps,	is_hex, 0 },
	{ "%x%s%x%s%x%s%x",		v6_short_seps,	is_hex, 1 },
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

static int
form_found(const char *name, const struct form *f, const unsigned int *v)
{
	char			 candidate[CANDIDATE_MAX];
	const char *const	*sep;

	if (f->nonzero && (v[0] == 0 || v[1] == 0 || v[2] == 0 || v[3] == 0))
		return 0;
	for (sep = f->seps; *sep != NULL; sep++) {
		snprintf(candidate, sizeof(candidate), f->fmt,
		    v[0], *sep, v[1], *sep, v[2], *sep, v[3]);
		if (find_bounded(name, candidate, f->glued))
			return 1;
	}
	return 0;
}

/* needle occurs in name, case-insensitively, with no glued neighbour. */
static int
find_bounded(const char *name, const char *needle, int (*glued)(int))
{
	size_t	 i, j, nlen, len;

	nlen = strlen(name);
	len = strlen(needle);
	for (i = 0; i + len <= nlen; i++) {
		for (j = 0; j < len; j++)
			if (lower((unsigned char)name[i + j]) !=
			    lower((unsigned char)needle[j]))
				break;
		if (j < len)
			continue;
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
