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
 * The resolver: with dnsresult.c, which reads its answers, the only code
 * that knows c-ares.  Queries go to the site's resolver from the
 * filter's own event loop.  Answers are cached for their TTL, and a name
 * asked again while its lookup runs shares it.  Every query has a
 * deadline, and its callback is called exactly once, unless the query is
 * cancelled.  Lookups are bounded only to bound memory: one past the
 * bound fails at once with "overload".
 */
#ifndef DNS_H
#define DNS_H

#include <stddef.h>

#include "addr.h"

/* RR types, so that callers need neither c-ares nor arpa/nameser.h */
#define DNS_TYPE_A	1
#define DNS_TYPE_CNAME	5
#define DNS_TYPE_PTR	12
#define DNS_TYPE_MX	15
#define DNS_TYPE_TXT	16
#define DNS_TYPE_AAAA	28

/* 32 nibbles with their dots, "ip6.arpa" and the NUL */
#define DNS_REVERSE_LEN	73

/*
 * pledge(2) promises once the resolver is set up: c-ares opens its own
 * UDP and TCP sockets, not SOCK_DNS ones, so "dns" alone would not let
 * it query; "inet" does.
 */
#define DNS_PLEDGE	"stdio inet dns"

struct event_base;
struct dns_query;

/*
 * Whose AD bit to believe: validation is the site resolver's job, and
 * its answer can be trusted only over a path nobody else can write to.
 */
enum dnssec_mode {
	DNSSEC_OFF,		/* ask without DO, ignore AD */
	DNSSEC_LOOPBACK,	/* "yes": AD from resolvers on loopback */
	DNSSEC_ANY		/* "any": AD from every resolver given */
};

/* What the resolver is set up with: dns_init() keeps nothing of it. */
struct dns_conf {
	char *const		*resolvers;	/* ADDR[@PORT]; none:
						   resolv.conf */
	size_t			 nresolvers;
	int			 timeout;	/* dns-timeout, seconds */
	enum dnssec_mode	 dnssec;
};

/*
 * A TXT record: its character-strings joined without a separator (RFC
 * 7208 section 3.3), as octets.  text has a NUL after its len octets,
 * and may hold others: len is the length.
 */
struct dns_txt {
	char		*text;
	size_t		 len;
};

enum dns_status {
	DNS_FOUND,
	DNS_NXDOMAIN,
	DNS_NODATA,
	DNS_ERROR		/* SERVFAIL, REFUSED, timeout, bogus, local */
};

struct dns_result {
	enum dns_status	  status;
	const char	 *why;		/* DNS_ERROR: "servfail"... */
	const char	 *detail;	/* DNS_ERROR: in c-ares' or the
					   system's words, or NULL */
	int		  secure;	/* validated, said a resolver
					   we believe */
	int		  ttl;
	const char	 *cname;	/* canonical name if a CNAME was
					   followed, else NULL */
	struct addr	 *addrs;	/* A, AAAA */
	size_t		  naddrs;
	char		**names;	/* PTR targets, MX exchanges */
	size_t		  nnames;
	struct dns_txt	 *txts;		/* TXT */
	size_t		  ntxts;
	long		  msec;		/* time taken */
	int		  cached;	/* answered from our cache */
};

typedef void	(*dns_cb)(const struct dns_result *, void *);

/*
 * The resolver logs nothing: it tells an observer, if dns_init() was
 * given one, of every answer it gives, and of each query it could not
 * start (name, type and a DNS_ERROR result), just before the caller.
 * A failure of the resolver itself comes with a NULL name: why says
 * where, detail what.
 */
typedef void	(*dns_observer)(const char *, int,
		    const struct dns_result *);

/*
 * Since dns_init(): what the cache and the bound on lookups did.  Each
 * query asked ends in one of hits, answered, failed, timeouts and
 * cancelled, or is still waiting.
 */
struct dns_stats {
	unsigned long	 asked;		/* queries, whatever became of them */
	unsigned long	 hits;		/* answered from the cache */
	unsigned long	 misses;	/* needed a lookup */
	unsigned long	 shared;	/* of which joined one under way */
	unsigned long	 overload;	/* failed before it was sent */
	unsigned long	 answered;	/* answers from the resolver */
	unsigned long	 failed;	/* DNS_ERROR but a timeout: servfail,
					   bogus, overload, local error... */
	unsigned long	 timeouts;	/* our deadline came first */
	unsigned long	 cancelled;	/* the caller left before the
					   resolver answered */
	size_t		 cached;	/* answers in the cache */
	size_t		 inflight;	/* lookups inside c-ares */
	size_t		 abandoned;	/* of which nobody waits for */
	size_t		 inflight_max;	/* the bound on inflight */
};

/*
 * dns_init() returns -1 with the reason in the buffer given.
 * dns_query() returns NULL only when out of memory (or before
 * dns_init()); otherwise the callback runs later, from the event loop,
 * never from dns_query() itself.  The result and its arrays live only
 * during the callback.  A callback may start and cancel other queries,
 * but neither cancel its own query nor call dns_shutdown().
 * dns_event_base() is the loop dns_init() was given (NULL before), for
 * the timers of checks built on the resolver.
 */

int		 dns_init(struct event_base *, const struct dns_conf *,
		    dns_observer, char *, size_t);
void		 dns_shutdown(void);
struct dns_query *dns_query(const char *, int, long, dns_cb, void *);
void		 dns_cancel(struct dns_query *);
void		 dns_stats(struct dns_stats *);
struct event_base *dns_event_base(void);
int		 dns_reverse_name(const struct addr *, char *, size_t);
const char	*dns_type_name(int);
const char	*dns_result_name(const struct dns_result *);

#endif
