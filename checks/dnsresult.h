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
