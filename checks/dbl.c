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
 * Domain blocklists: the query names and the reading of an answer.  A
 * zone lists a name only with one of the codes it was configured with;
 * its known error codes, and any other answer (elsewhere in 127/8, or a
 * resolver that answers every name with its own ad server), are the
 * zone's error.  An error must never refuse mail: Haraka and Simple
 * Login refused everyone when a public resolver got 127.255.255.254.
 */
#include "compat.h"

#include <sys/socket.h>

#include <libpsl.h>
#include <stdio.h>
#include <string.h>

#include "dbl.h"

/*
 * Whatever codes a zone is given, these are errors: Spamhaus's
 * 127.255.255.252 (typo in the zone name), .254 (public resolver),
 * .255 (excessive queries), the rest of that /24 kept for more, and
 * 127.0.1.255, the error code inside the DBL's own range.
 */
static const struct cidr error_codes[] = {
	{ { AF_INET, { 127, 255, 255, 0 } }, 24 },
	{ { AF_INET, { 127, 0, 1, 255 } }, 32 },
};

/* Spamhaus DBL and the zones that copy it list with 127.0.1.0/24. */
static const struct cidr default_code =
	{ { AF_INET, { 127, 0, 1, 0 } }, 24 };

static const char *const outcome_names[] = {
	[DBL_UNLISTED] =	"unlisted",
	[DBL_LISTED] =		"listed",
	[DBL_ZONE_ERROR] =	"zone-error",
	[DBL_FAILED] =		"failed",
};

static int	is_error_code(const struct addr *);
static int	is_code(const struct dbl_zone *, const struct addr *);

/* A code is an IPv4 address or network inside 127.0.0.0/8. */
int
dbl_code_valid(const struct cidr *c)
{
	return c->addr.family == AF_INET && c->plen >= 8 &&
	    c->addr.bytes[0] == 127;
}

void
dbl_default_codes(struct dbl_zone *z)
{
	z->codes[0] = default_code;
	z->ncodes = 1;
}

/* NAME.ZONE, or -1 when it is longer than a name may be. */
int
dbl_query_name(const char *name, const char *zone, char *buf, size_t len)
{
	int	n;

	n = snprintf(buf, len, "%s.%s", name, zone);
	if (n < 0 || (size_t)n >= len || n > NAME_MAX_LEN)
		return -1;
	return 0;
}

/*
 * The registrable domain to ask as well, or NULL when there is none
 * other than the name itself (the name is that domain, or a public
 * suffix).
 */
const char *
dbl_domain(const char *name)
{
	const psl_ctx_t	*psl = psl_builtin();
	const char	*dom;

	if (psl == NULL || (dom = psl_registrable_domain(psl, name)) == NULL)
		return NULL;
	return strcasecmp(dom, name) == 0 ? NULL : dom;
}

/*
 * What a zone's answer says.  Listed takes an address among the zone's
 * codes and no error code beside it; *code is the address that decided
 * (for the log), or zeroed.
 */
enum dbl_outcome
dbl_classify(const struct dbl_zone *z, enum lookup_state st,
    const struct addr *addrs, size_t naddrs, struct addr *code)
{
	const struct addr	*listed = NULL, *odd = NULL;
	size_t			 i;

	memset(code, 0, sizeof(*code));
	switch (st) {
	case LOOKUP_FOUND:
		break;
	case LOOKUP_NXDOMAIN:
	case LOOKUP_NODATA:
		return DBL_UNLISTED;
	default:
		return DBL_FAILED;
	}
	for (i = 0; i < naddrs; i++) {
		if (is_error_code(&addrs[i])) {
			*code = addrs[i];
			return DBL_ZONE_ERROR;
		}
		if (is_code(z, &addrs[i])) {
			if (listed == NULL)
				listed = &addrs[i];
		} else if (odd == NULL)
			odd = &addrs[i];
	}
	if (listed != NULL) {
		*code = *listed;
		return DBL_LISTED;
	}
	/* An answer without addresses lists nothing and explains nothing. */
	if (odd != NULL)
		*code = *odd;
	return DBL_ZONE_ERROR;
}

const char *
dbl_outcome_name(enum dbl_outcome o)
{
	if ((unsigned int)o >= nitems(outcome_names))
		return "unknown";
	return outcome_names[o];
}

static int
is_error_code(const struct addr *a)
{
	size_t	i;

	for (i = 0; i < nitems(error_codes); i++)
		if (cidr_match(&error_codes[i], a))
			return 1;
	return 0;
}

static int
is_code(const struct dbl_zone *z, const struct addr *a)
{
	size_t	i;

	for (i = 0; i < z->ncodes; i++)
		if (cidr_match(&z->codes[i], a))
			return 1;
	return 0;
}
