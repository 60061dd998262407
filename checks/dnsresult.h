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
 * A DNS answer as it came over the wire, read into struct dns_result:
 * classified (found, nxdomain, nodata or why it failed), the records of
 * the type asked parsed, a name followed through CNAMEs given as its
 * canonical name, negative answers given the zone's negative TTL.  Used
 * by dns.c, which owns the queries; pure, so that it can be tested and
 * fuzzed on its own.
 */
#ifndef DNSRESULT_H
#define DNSRESULT_H

#include <stddef.h>
#include <stdint.h>

#include "dns.h"

#define DNS_WIRE_MAX	255
/* a wire name in text, every octet escaped as \DDD at worst */
#define DNS_TEXT_LEN	(4 * DNS_WIRE_MAX + 1)

/* The header's bits that dns.c sets in a query. */
#define DNS_HDR_AD	0x20		/* in the fourth octet */
#define DNS_OPT_DO	0x80		/* in the OPT record's flags */

void	dns_result_parse(const uint8_t *, size_t, const char *, int, int,
	    struct dns_result *, char *, size_t);
void	dns_result_free(struct dns_result *);

#endif
