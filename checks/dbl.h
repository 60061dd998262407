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
 * Domain blocklists (DBL-style zones, such as Spamhaus DBL): the names
 * asked of a zone and what its answer says.  A zone answers an address
 * in 127.0.0.0/8 for a listed name; only the codes configured for the
 * zone list a name.  Its error codes (Spamhaus answers 127.255.255.254
 * to queries from public resolvers) and any other answer are the zone's
 * error, which never refuses anyone.
 */
#ifndef DBL_H
#define DBL_H

#include <stddef.h>

#include "addr.h"
#include "facts.h"
#include "helo.h"

/* Zones at most ("dbl" directives), and codes of one zone. */
#define DBL_ZONES_MAX	8
#define DBL_CODES_MAX	16

struct dbl_zone {
	char		 zone[NAME_BUFSZ];
	struct cidr	 codes[DBL_CODES_MAX];	/* inside 127.0.0.0/8 */
	size_t		 ncodes;
};

struct dbl_list {
	struct dbl_zone	 v[DBL_ZONES_MAX];
	size_t		 n;
};

int		 dbl_code_valid(const struct cidr *);
void		 dbl_default_codes(struct dbl_zone *);
int		 dbl_query_name(const char *, const char *, char *, size_t);
const char	*dbl_domain(const char *);
enum dbl_outcome dbl_classify(const struct dbl_zone *, enum lookup_state,
		    const struct addr *, size_t, struct addr *);
const char	*dbl_outcome_name(enum dbl_outcome);

#endif
