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
 * The resolver's own answer cache, in front of libunbound: a known
 * answer then costs a tree search instead of a round trip through
 * libunbound's thread.  Keyed by lower-case name (no trailing dot) and
 * type; bounded in entries and bytes, least recently used out first.
 * Only dns.c uses it.
 */
#ifndef DNSCACHE_H
#define DNSCACHE_H

#include "dns.h"

struct dnscache_entry;

struct dnscache_entry *dnscache_get(const char *, int, long long);
int		 dnscache_put(const char *, int, const struct dns_result *,
		    long long);
void		 dnscache_result(const struct dnscache_entry *, long long,
		    struct dns_result *);
void		 dnscache_release(struct dnscache_entry *);
void		 dnscache_clear(void);
size_t		 dnscache_count(void);

#endif
