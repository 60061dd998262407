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
 * Pure classification of the HELO/EHLO argument (RFC 5321 Domain and
 * address-literal, IDNA2008 through libidn2) and the name helpers that
 * every comparison of names goes through.
 */
#ifndef HELO_H
#define HELO_H

#include "addr.h"

#define NAME_MAX_LEN	253
#define NAME_BUFSZ	(NAME_MAX_LEN + 1)

enum helo_kind {
	HELO_DOMAIN,		/* a valid name (maybe dotless or with '_') */
	HELO_LITERAL4,		/* [192.0.2.1] */
	HELO_LITERAL6,		/* [IPv6:2001:db8::1] */
	HELO_LITERAL_OTHER,	/* [tag:...] or untagged [2001:db8::1] */
	HELO_BARE_IP,		/* 192.0.2.1, 2001:db8::1, IPv6:2001:db8::1 */
	HELO_INVALID,		/* anything else; see why */
};

struct helo {
	enum helo_kind	 kind;
	char		*name;		/* HELO_DOMAIN: lower-case A-labels,
					   no trailing dot; else NULL */
	struct addr	 addr;		/* literals and bare addresses */
	const char	*why;		/* HELO_INVALID, HELO_LITERAL_OTHER */
	int		 underscore;	/* HELO_DOMAIN containing '_' */
	int		 dotless;	/* HELO_DOMAIN of a single label */
};

int	helo_classify(const char *, struct helo *);
void	helo_clear(struct helo *);
int	name_normalise(const char *, char *, size_t);
int	name_eq(const char *, const char *);
int	name_in_domain(const char *, const char *);
int	name_dynamic(const char *, const struct addr *);
const char *name_special(const char *);

#endif
