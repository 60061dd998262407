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
 * SPF (RFC 7208): check_host() of §4, asynchronous on the resolver
 * (dns.c), so its lookups share the answer cache and never block the
 * loop.  The filter asks it about the HELO identity (§2.3); the function
 * itself is the RFC's, for any domain and sender.
 */
#ifndef SPF_H
#define SPF_H

#include "addr.h"

enum spf_result {
	SPF_NONE,
	SPF_NEUTRAL,
	SPF_PASS,
	SPF_FAIL,
	SPF_SOFTFAIL,
	SPF_TEMPERROR,
	SPF_PERMERROR
};

/* check_host(<ip>, <domain>, <sender>), and the rest its macros read. */
struct spf_request {
	struct addr	 ip;
	const char	*domain;
	const char	*sender;	/* local-part@domain; NULL or "":
					   postmaster@<domain> */
	const char	*helo;		/* %{h}; NULL: the domain */
	const char	*receiver;	/* %{r}; NULL: "unknown" */
};

/*
 * The outcome.  explanation is the fail result's text (exp= expanded,
 * or the default), NULL otherwise; problem says what went wrong for
 * permerror and temperror ("2 void lookups", "servfail at
 * _spf.example.com"), what matched otherwise ("ip4:192.0.2.0/24",
 * "default"), or NULL.  Both live only during the callback.
 */
struct spf_outcome {
	enum spf_result	 result;
	const char	*explanation;
	const char	*problem;
	unsigned int	 lookups;	/* DNS queries it asked */
};

typedef void	(*spf_cb)(const struct spf_outcome *, void *);

struct spf_check;

/*
 * spf_check_start() copies what it needs of the request.  The callback
 * runs exactly once, from the event loop, never from spf_check_start()
 * itself, unless the check is cancelled first; past timeout_ms the
 * result is temperror.  NULL: out of memory, or no resolver.  The
 * check is gone once its callback returns: it is not to be cancelled
 * from the callback, nor after it.
 * spf_domain_valid() says whether check_host() would look the domain up
 * at all (§4.3): an address literal or a name that is no domain gives
 * none at once, without a lookup.
 */
struct spf_check *spf_check_start(const struct spf_request *, long, spf_cb,
		    void *);
void		 spf_check_cancel(struct spf_check *);
int		 spf_domain_valid(const char *);
const char	*spf_result_name(enum spf_result);

#endif
