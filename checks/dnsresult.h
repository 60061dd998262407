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
