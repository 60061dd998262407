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
 * The headers the OpenSMTPD front end puts at the top of each message
 * with "add-header yes", for the filters and delivery agents after it:
 *
 *   Authentication-Results: ADMD; iprev=pass policy.iprev=192.0.2.10
 *	spf=fail smtp.helo=mail.example.net
 *   X-HELO-Check: verdict=junk checks=literal helo=[192.0.2.99]
 *
 * Each is built as text whose folded lines are separated by '\n' (none
 * at the end); every byte of it is printable ASCII or a tab.
 */
#ifndef HEADER_H
#define HEADER_H

#include <stddef.h>
#include <stdint.h>

#include "facts.h"

struct verdict;

/* RFC 8601 2.7.3; NONE: the method does not apply and is left out. */
enum iprev {
	IPREV_NONE,
	IPREV_PASS,
	IPREV_FAIL,
	IPREV_TEMPERROR
};

/*
 * What a session keeps of its last verdict for the message headers:
 * a few bytes, so that an idle session stays small.
 */
struct verdict_sum {
	const char	*exempt;	/* a static string, or NULL */
	uint32_t	 fired;		/* 1 << check, for each fired */
	unsigned char	 action;	/* enum action */
	unsigned char	 given;		/* a verdict was given */
	unsigned char	 spf;		/* SPF result + 1; 0: none,
					   or not evaluated */
};

/* Room for either header, folded, with every value at its longest. */
#define HEADER_MAX	1024

void		header_summarise(const struct facts *,
		    const struct verdict *, struct verdict_sum *);
enum iprev	header_iprev(const struct facts *, enum iprev);
enum iprev	header_iprev_smtpd(const char *);
const char	*header_spf(const struct facts *);
int		header_auth_results(char *, size_t, const char *, enum iprev,
		    const struct addr *, const char *, const char *);
int		header_helo_check(char *, size_t, const struct verdict_sum *,
		    const char *);
int		header_helo_check_value(char *, size_t,
		    const struct verdict_sum *, const char *);

#endif
