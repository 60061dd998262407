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
 * Recipients that no HELO verdict refuses ("pass rcpt"): a whole
 * address, every address of a domain, or a local part at any domain, so
 * that a misconfigured sender can still reach postmaster and abuse.
 * Local parts compare without case: RFC 5321 makes "Postmaster" case-
 * insensitive, and no admin lists two mailboxes that differ by case.
 */
#include "compat.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "helo.h"
#include "policy.h"

#define LOCAL_PART_MAX	64	/* RFC 5321 4.5.3.1.1 */

static int	split(const char *, char *, size_t, char *, size_t);
static int	is_domain(const char *);

/*
 * ADDRESS, @DOMAIN or LOCALPART@ as the lists keep it: the local part
 * in lower case, the domain normalised.  Returns -1 if it is none of
 * the three.
 */
int
rcpt_entry_parse(const char *in, char *out, size_t len)
{
	char	local[LOCAL_PART_MAX + 1], domain[NAME_BUFSZ];
	size_t	i;

	if (strchr(in, '@') == NULL || split(in, local, sizeof(local), domain,
	    sizeof(domain)) == -1)
		return -1;
	if (local[0] == '\0' && domain[0] == '\0')
		return -1;
	if (domain[0] != '\0' && !is_domain(domain))
		return -1;
	for (i = 0; local[i] != '\0'; i++)
		if (!isgraph((unsigned char)local[i]))
			return -1;
	if (snprintf(out, len, "%s@%s", local, domain) >= (int)len)
		return -1;
	return 0;
}

/* Does a list of rcpt_entry_parse() entries hold the recipient? */
int
rcpt_match(const struct namelist *l, const char *rcpt)
{
	char	local[LOCAL_PART_MAX + 1], domain[NAME_BUFSZ];
	char	*at;
	size_t	i;

	if (rcpt == NULL || l->n == 0)
		return 0;
	/* "<Postmaster>" without a domain (RFC 5321 4.1.1.3) is local. */
	if (strchr(rcpt, '@') == NULL) {
		if (split(rcpt, local, sizeof(local), NULL, 0) == -1)
			return 0;
		domain[0] = '\0';
	} else if (split(rcpt, local, sizeof(local), domain,
	    sizeof(domain)) == -1)
		return 0;
	for (i = 0; i < l->n; i++) {
		at = strrchr(l->v[i], '@');
		if (at != l->v[i] && (strncmp(l->v[i], local,
		    at - l->v[i]) != 0 || local[at - l->v[i]] != '\0'))
			continue;
		if (at[1] != '\0' && !name_eq(at + 1, domain))
			continue;
		return 1;
	}
	return 0;
}

/*
 * An address, without its angle brackets, into a lower-case local part
 * and a normalised domain; with domain NULL, all of it is the local
 * part.  The last '@' divides them: a quoted local part may hold one.
 */
static int
split(const char *addr, char *local, size_t llen, char *domain, size_t dlen)
{
	char		 d[NAME_BUFSZ];
	const char	*at, *end;
	size_t		 len = strlen(addr), i;

	if (len >= 2 && addr[0] == '<' && addr[len - 1] == '>') {
		addr++;
		len -= 2;
	}
	end = addr + len;
	if (domain != NULL) {
		for (at = end; at > addr && at[-1] != '@'; at--)
			;
		if (at == addr || (size_t)(end - at) >= sizeof(d))
			return -1;
		memcpy(d, at, end - at);
		d[end - at] = '\0';
		domain[0] = '\0';
		if (d[0] != '\0' && name_normalise(d, domain, dlen) == -1)
			return -1;
		end = at - 1;
	}
	if ((size_t)(end - addr) >= llen)
		return -1;
	for (i = 0; addr + i < end; i++)
		local[i] = tolower((unsigned char)addr[i]);
	local[i] = '\0';
	return 0;
}

/* A name a mail domain could be: what a HELO name could be. */
static int
is_domain(const char *name)
{
	struct helo	h;
	int		ok;

	if (helo_classify(name, &h) == -1)
		return 0;
	ok = h.kind == HELO_DOMAIN;
	helo_clear(&h);
	return ok;
}
