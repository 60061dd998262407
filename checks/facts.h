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
 * What is known of one client when a verdict is asked for.  The front
 * ends fill it (smtpd reports, or Exim's arguments); the DNS lookups add
 * their answers as they arrive.  The checks only read it.
 */
#ifndef FACTS_H
#define FACTS_H

#include <stddef.h>
#include <time.h>

#include "addr.h"
#include "helo.h"
#include "spf.h"

struct memory;
struct policy;
struct dbl_list;
struct dbl_zone;

enum lookup_state {
	LOOKUP_NONE,		/* not asked: the checks that need it skip */
	LOOKUP_PENDING,		/* asked, no answer yet: the verdict waits */
	LOOKUP_FOUND,
	LOOKUP_NXDOMAIN,
	LOOKUP_NODATA,
	LOOKUP_ERROR		/* SERVFAIL, REFUSED, timeout, bogus */
};

enum dbl_outcome {
	DBL_UNLISTED,		/* NXDOMAIN or NODATA */
	DBL_LISTED,		/* an address among the zone's codes */
	DBL_ZONE_ERROR,		/* an error code, or no code at all */
	DBL_FAILED		/* SERVFAIL, REFUSED, timeout */
};

/* One query of a blocklist zone: about the HELO name, or its domain. */
struct dbl_answer {
	enum lookup_state	 state;		/* LOOKUP_NONE: not asked */
	enum dbl_outcome	 outcome;	/* once answered */
	struct addr		 code;		/* the address that decided */
};

/* One zone's answers, about the HELO name and its registrable domain. */
struct dbl_facts {
	struct dbl_answer	 name;
	struct dbl_answer	 domain;
};

struct dns_facts {
	/* the client's reverse DNS, forward-confirmed */
	enum lookup_state	  ptr;
	enum lookup_state	  fcrdns;	/* all PTR names' A/AAAA */
	char			**rdns;		/* the confirmed names, sorted */
	size_t			  nrdns;
	int			  rdns_mta;	/* the MTA's name, not ours */

	/* the HELO name */
	enum lookup_state	  helo_a;
	enum lookup_state	  helo_aaaa;
	enum lookup_state	  helo_mx;
	struct addr		 *helo_addrs;
	size_t			  helo_naddrs;
	char			 *helo_cname;	/* NULL if none */
	int			  helo_secure;

	/*
	 * The HELO on the blocklist zones, allocated only when asked, with
	 * a copy of the zones asked: a reload changing the zones cannot
	 * pair these answers with others.
	 */
	struct dbl_facts	 *dbl;		/* one per zone, in order */
	struct dbl_zone		 *dbl_zones;
	size_t			  ndbl;
	int			  dbl_lost;	/* out of memory: unknown */

	/*
	 * SPF of the HELO identity (RFC 7208 2.3): LOOKUP_NONE not asked,
	 * LOOKUP_PENDING under way, LOOKUP_FOUND once it has a result
	 * (temperror included: the result says what failed).  The texts
	 * are copies the facts own, or NULL.
	 */
	enum lookup_state	  spf;
	enum spf_result		  spf_result;
	char			 *spf_explanation;
	char			 *spf_problem;
};

struct facts {
	int		 local;		/* unix socket or loopback */
	struct addr	 client;
	struct addr	 server;
	const char	*rdns_verified;	/* the client's name the MTA
					   forward-confirmed, or NULL */
	const char	*greeting;	/* our name in the banner, or NULL */
	int		 authenticated;

	const char	*helo_raw;	/* NULL before HELO */
	struct helo	 helo;
	const char	*helo_prev;	/* an earlier accepted HELO, or NULL */

	const char	*mail_from;	/* the sender, "" for a bounce (the
					   null reverse path); NULL: not
					   known (before MAIL FROM) */
	const char	*rcpt;		/* the recipient, as the MTA gave it */
	const char	*rcpt_domain;	/* NULL outside the rcpt-to phase */

	struct dns_facts dns;

	/* What was seen of the client before: NULL, nothing (-E). */
	const struct memory *memory;
	time_t		 now;		/* for the memory's windows */
};

/*
 * The DNS a check reads, a column of the table of checks (verdict.c),
 * and what a lookup plan asks (verdict_plan()).
 */
#define NEEDS_PTR	0x01	/* the client's PTR names, confirmed */
#define NEEDS_HELO_A	0x02	/* the HELO name's records */
#define NEEDS_HELO_AAAA	0x04
#define NEEDS_HELO_MX	0x08
#define NEEDS_HELO	(NEEDS_HELO_A | NEEDS_HELO_AAAA | NEEDS_HELO_MX)
#define NEEDS_DBL	0x10	/* the HELO name on the blocklist zones */
/* A plan for this HELO: its lookups replace an earlier HELO's. */
#define PLAN_HELO	0x20
#define NEEDS_SPF_HELO	0x40	/* SPF of the HELO name */

void		 dns_facts_free(struct dns_facts *);
void		 dns_facts_clear_client(struct dns_facts *);
void		 dns_facts_clear_helo(struct dns_facts *);
int		 dns_facts_set_rdns(struct dns_facts *, char **, size_t);
int		 dns_facts_set_cname(struct dns_facts *, const char *);
void		 dns_facts_set_spf(struct dns_facts *, enum spf_result,
		    const char *, const char *);
int		 dns_facts_dbl_init(struct dns_facts *,
		    const struct dbl_list *);
int		 dns_facts_verified(struct dns_facts *, const char *);
void		 dns_facts_expire(struct dns_facts *);
const char	*dns_facts_rdns(const struct dns_facts *);
void		 facts_mark(struct facts *, int, const struct dbl_list *);
int		 facts_helo_confirmed(const struct facts *);
const char	*facts_rdns(const struct facts *);
int		 rdns_host_name(const char *);

#endif
