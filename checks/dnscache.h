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
