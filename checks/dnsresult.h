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
 * libunbound's answers read into struct dns_result: classified (found,
 * nxdomain, nodata or why it failed), their records parsed, a name
 * followed through CNAMEs given as its canonical name.  Used by dns.c,
 * which owns the queries.
 */
#ifndef DNSRESULT_H
#define DNSRESULT_H

#include <stddef.h>

#include "dns.h"

#define DNS_WIRE_MAX	255
/* a wire name in text, every octet escaped as \DDD at worst */
#define DNS_TEXT_LEN	(4 * DNS_WIRE_MAX + 1)

struct ub_result;

void	dns_result_read(const struct ub_result *, const char *, int,
	    struct dns_result *, char *, size_t);
void	dns_result_free(struct dns_result *);

#endif
