/*
 * What is known of one client when a verdict is asked for.  The front
 * ends fill it (smtpd reports, or Exim's arguments); the DNS lookups add
 * their answers as they arrive.  The checks only read it.
 */
#ifndef FACTS_H
#define FACTS_H

#include "addr.h"
#include "helo.h"

enum lookup_state {
	LOOKUP_NONE,		/* not asked: the checks that need it skip */
	LOOKUP_PENDING,		/* asked, no answer yet: the verdict waits */
	LOOKUP_FOUND,
	LOOKUP_NXDOMAIN,
	LOOKUP_NODATA,
	LOOKUP_ERROR		/* SERVFAIL, REFUSED, timeout, bogus */
};

struct dns_facts {
	/* the client's reverse DNS, forward-confirmed */
	enum lookup_state	  ptr;
	enum lookup_state	  fcrdns;	/* all PTR names' A/AAAA */
	char			**rdns;		/* the confirmed names, sorted */
	size_t			  nrdns;

	/* the HELO name */
	enum lookup_state	  helo_a;
	enum lookup_state	  helo_aaaa;
	enum lookup_state	  helo_mx;
	struct addr		 *helo_addrs;
	size_t			  helo_naddrs;
	char			  helo_cname[NAME_BUFSZ];	/* "" if none */
	int			  helo_secure;
};

struct facts {
	int		 local;		/* unix socket or loopback */
	struct addr	 client;
	struct addr	 server;
	const char	*greeting;	/* our name in the banner, or NULL */
	int		 authenticated;

	const char	*helo_raw;	/* NULL before HELO */
	struct helo	 helo;
	const char	*helo_prev;	/* an earlier accepted HELO, or NULL */

	const char	*rcpt_domain;	/* NULL outside the rcpt-to phase */

	struct dns_facts dns;
};

#endif
