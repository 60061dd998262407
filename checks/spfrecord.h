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
 * The pure half of SPF (RFC 7208): which TXT record is the SPF record,
 * the record parsed whole into terms (§4.6: a syntax error anywhere is
 * a permerror before anything is looked up), in spfrecord.c; macros
 * (§7) checked and expanded, and the names made of them, in
 * spfmacro.c.  spf.c walks the parsed record on the resolver.
 */
#ifndef SPFRECORD_H
#define SPFRECORD_H

#include <stddef.h>
#include <time.h>

#include "addr.h"
#include "dns.h"
#include "spf.h"

#define SPF_NAME_MAX	253	/* a domain name in text, no trailing dot */
#define SPF_NAME_LEN	(SPF_NAME_MAX + 1)
#define SPF_EXPAND_LEN	4096	/* a macro expansion, at most */
#define SPF_PROBLEM_LEN	256

enum spf_mech {
	SPF_MECH_ALL,
	SPF_MECH_INCLUDE,
	SPF_MECH_A,
	SPF_MECH_MX,
	SPF_MECH_PTR,
	SPF_MECH_IP4,
	SPF_MECH_IP6,
	SPF_MECH_EXISTS
};

/* A directive: a qualifier and a mechanism with its arguments. */
struct spf_term {
	enum spf_mech	 mech;
	enum spf_result	 qualifier;	/* pass, fail, softfail, neutral */
	const char	*text;		/* as written, for the log */
	const char	*domain;	/* domain-spec; NULL: <domain> */
	struct cidr	 net;		/* ip4, ip6 */
	int		 cidr4, cidr6;	/* a, mx */
};

/* A record parsed: the modifiers' strings point into buf. */
struct spf_record {
	char		*buf;		/* its terms, NUL-separated */
	size_t		 len;
	char		*scratch;	/* the directive read last, cut up */
	size_t		 nterms;	/* directives */
	const char	*redirect;	/* domain-spec, or NULL */
	const char	*exp;		/* domain-spec, or NULL */
};

/* What the macros read; NULL strings expand as the RFC says. */
struct spf_macros {
	const char		*sender;	/* s */
	const char		*local;		/* l */
	const char		*sender_domain;	/* o */
	const char		*domain;	/* d */
	const struct addr	*ip;		/* i, c, v */
	const char		*ptr;		/* p; NULL: "unknown" */
	const char		*helo;		/* h */
	const char		*receiver;	/* r; NULL: "unknown" */
	time_t			 now;		/* t */
};

int	spf_record_select(const struct dns_txt *, size_t, size_t *);
int	spf_record_parse(const char *, size_t, struct spf_record *, char *,
	    size_t);
int	spf_record_next(struct spf_record *, size_t *, struct spf_term *);
void	spf_record_free(struct spf_record *);
int	spf_macro_check(const char *, int);
int	spf_domain_spec_check(const char *);
int	spf_macro_uses_p(const char *);
int	spf_expand(const char *, const struct spf_macros *, int, char *,
	    size_t);
int	spf_target(const char *, const struct spf_macros *, char *);
int	spf_explain(const char *, size_t, const struct spf_macros *, char *,
	    size_t);
int	spf_name_under(const char *, const char *);
int	spf_alpha(int);
int	spf_digit(int);

#endif
