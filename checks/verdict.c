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
 * The checks of SPEC section 2, one row each in the table of checks,
 * and the decision of section 3.  Each check reads the facts and says
 * clear, fired, unknown (a lookup it needs failed) or wait (a lookup it
 * needs is still in flight).  The verdict is the strongest action among
 * the checks that fired.
 */
#include "compat.h"

#include <sys/socket.h>

#include <ctype.h>
#include <libpsl.h>
#include <stdio.h>
#include <string.h>

#include "protect.h"
#include "verdict.h"

/*
 * Beside NEEDS_* in the needs column: a HELO that is one of the
 * client's forward-confirmed names exists and resolves to the client,
 * which spares some checks the HELO's records (verdict_plan()).
 */
#define UNLESS_CONFIRMED	0x100	/* the HELO is a confirmed name */
#define UNLESS_CONFIRMED_PUBLIC	0x200	/* that, of a public client */

struct judged {
	const struct policy	*p;
	const struct facts	*f;
	const char		*domain;	/* %d of the check just run */
	char			*rotation;	/* the verdict's, to fill */
};

static enum check_state	lookup_state(enum lookup_state);
static enum check_state	check_self(struct judged *);
static enum check_state	check_rcpt_domain(struct judged *);
static enum check_state	check_protected(struct judged *);
static enum check_state	check_blocklist(struct judged *);
static enum check_state	check_dbl(struct judged *);
static enum check_state	check_syntax(struct judged *);
static enum check_state	check_underscore(struct judged *);
static enum check_state	check_bare_ip(struct judged *);
static enum check_state	check_non_fqdn(struct judged *);
static enum check_state	check_literal(struct judged *);
static enum check_state	check_special_name(struct judged *);
static enum check_state	check_dns(struct judged *);
static enum check_state	check_forward(struct judged *);
static enum check_state	check_rdns(struct judged *);
static enum check_state	check_rdns_match(struct judged *);
static enum check_state	check_cname(struct judged *);
static enum check_state	check_private(struct judged *);
static enum check_state	check_dynamic(struct judged *);
static enum check_state	check_changed(struct judged *);
static enum check_state	check_rotation(struct judged *);
static enum check_state	check_forged_before(struct judged *);
static enum check_state	check_spf_helo(struct judged *);
static const char	*rotation_name(const struct facts *);
static const char	*exemption(const struct policy *,
			    const struct facts *, int *);
static enum check_state	 run_check(struct judged *, int, struct verdict *);
static enum check_state	 spare(const struct judged *, int,
			    enum check_state, int *);
static int		 same_org(const char *, const char *);
static int		 needs_of(const struct policy *, const struct facts *);
static int		 check_needs(const struct policy *,
			    const struct facts *, int);

/* Why a client is exempt, as the log and the counters name it. */
static const char *const exempt_names[EXEMPT_COUNT] = {
	[EXEMPT_AUTHENTICATED] =	"authenticated",
	[EXEMPT_LOCAL] =		"local",
	[EXEMPT_OWN_ADDRESS] =		"own address",
	[EXEMPT_PASS_CLIENT] =		"pass client",
	[EXEMPT_PASS_HELO] =		"pass helo",
	[EXEMPT_PASS_RCPT] =		"pass rcpt",
	[EXEMPT_PASS_RDNS] =		"pass rdns",
};

/*
 * The table of checks: one row per enum check, in enum order (policy.h:
 * the order is the tie-break), with everything else about the check.
 * Its name, in the configuration, the log and the replies; its default
 * action and reply (policy.c adapts the reply's class to the action);
 * the function that runs it, or NULL for dns-error, which is decided
 * last from the others' failures; and the DNS it reads (NEEDS_*, and
 * what spares it that), from which verdict_plan() says what to ask.
 */
static const struct check_row {
	const char		 *name;
	enum action		  action;
	const char		 *reply;
	enum check_state	(*run)(struct judged *);
	int			  needs;
} checks[CHECK_COUNT] = {
	[CHECK_SELF] = { "self", ACT_REJECT,
	    "550 5.7.1 <%h>: Helo command rejected: you are not me",
	    check_self, 0 },
	[CHECK_RCPT_DOMAIN] = { "rcpt-domain", ACT_REJECT,
	    "550 5.7.1 <%h>: Helo command rejected: you are not %d",
	    check_rcpt_domain, NEEDS_PTR },
	[CHECK_PROTECTED] = { "protected", ACT_REJECT,
	    "550 5.7.1 <%h>: Helo command rejected: you are not %d",
	    check_protected, NEEDS_PTR },
	[CHECK_BLOCKLIST] = { "blocklist", ACT_REJECT,
	    "550 5.7.1 <%h>: Helo command rejected: Access denied",
	    check_blocklist, 0 },
	[CHECK_DBL] = { "dbl", ACT_REJECT,
	    "554 5.7.1 Service unavailable; Helo command [%h] blocked using "
	    "%d",
	    check_dbl, NEEDS_DBL },
	[CHECK_SYNTAX] = { "syntax", ACT_REJECT,
	    "501 5.5.2 <%h>: Helo command rejected: Invalid name",
	    check_syntax, 0 },
	[CHECK_UNDERSCORE] = { "underscore", ACT_REJECT,
	    "501 5.5.2 <%h>: Helo command rejected: "
	    "Invalid name (underscore)",
	    check_underscore, 0 },
	[CHECK_BARE_IP] = { "bare-ip", ACT_REJECT,
	    "501 5.5.2 <%h>: Helo command rejected: "
	    "use an address literal %l",
	    check_bare_ip, 0 },
	[CHECK_NON_FQDN] = { "non-fqdn", ACT_REJECT,
	    "504 5.5.2 <%h>: Helo command rejected: "
	    "need fully-qualified hostname",
	    check_non_fqdn, 0 },
	[CHECK_LITERAL] = { "literal", ACT_JUNK,
	    "550 5.7.1 <%h>: Helo command rejected: "
	    "address literal does not match %i",
	    check_literal, 0 },
	[CHECK_SPECIAL_NAME] = { "special-name", ACT_TEMPFAIL,
	    "450 4.7.1 <%h>: Helo command rejected: not a public host name",
	    check_special_name, 0 },
	[CHECK_DNS] = { "dns", ACT_TEMPFAIL,
	    "450 4.7.1 <%h>: Helo command rejected: Host not found",
	    check_dns, NEEDS_HELO | UNLESS_CONFIRMED },
	[CHECK_DNS_ERROR] = { "dns-error", ACT_TEMPFAIL,
	    "451 4.4.3 <%h>: Helo command rejected: "
	    "temporary DNS failure, try again later",
	    NULL, 0 },
	/* RFC 7372 5.7.23: "SPF validation failed"; %e is its explanation. */
	[CHECK_SPF_HELO] = { "spf-helo", ACT_REPORT,
	    "550 5.7.23 <%h>: Helo command rejected: %e",
	    check_spf_helo, NEEDS_SPF_HELO },
	[CHECK_RDNS] = { "rdns", ACT_REPORT,
	    "450 4.7.25 Client host rejected: "
	    "cannot find your hostname, [%i]",
	    check_rdns, NEEDS_PTR },
	[CHECK_RDNS_MATCH] = { "rdns-match", ACT_REPORT,
	    "450 4.7.1 <%h>: Helo command rejected: "
	    "does not match your hostname %r",
	    check_rdns_match, NEEDS_PTR },
	[CHECK_FORWARD] = { "forward", ACT_REPORT,
	    "550 5.7.1 <%h>: Helo command rejected: "
	    "%h does not resolve to %i",
	    check_forward, NEEDS_HELO_A | NEEDS_HELO_AAAA | UNLESS_CONFIRMED },
	[CHECK_CNAME] = { "cname", ACT_REPORT,
	    "550 5.7.1 <%h>: Helo command rejected: is a CNAME",
	    check_cname, NEEDS_HELO_A },
	[CHECK_PRIVATE] = { "private", ACT_REPORT,
	    "550 5.7.1 <%h>: Helo command rejected: "
	    "resolves only to private addresses",
	    check_private,
	    NEEDS_HELO_A | NEEDS_HELO_AAAA | UNLESS_CONFIRMED_PUBLIC },
	[CHECK_DYNAMIC] = { "dynamic", ACT_REPORT,
	    "550 5.7.1 <%h>: Helo command rejected: "
	    "dynamic host, use your provider's relay",
	    check_dynamic, NEEDS_PTR },
	[CHECK_CHANGED] = { "changed", ACT_JUNK,
	    "550 5.7.1 <%h>: Helo command rejected: changed during session",
	    check_changed, 0 },
	/*
	 * Across sessions: the client's names need its confirmed ones,
	 * which never count.  %d is the count and the window, "7/1d".
	 */
	[CHECK_ROTATION] = { "rotation", ACT_REPORT,
	    "450 4.7.1 <%h>: Helo command rejected: "
	    "too many HELO names from [%i] (rotation=%d)",
	    check_rotation, NEEDS_PTR },
	[CHECK_FORGED_BEFORE] = { "forged-before", ACT_REPORT,
	    "550 5.7.1 <%h>: Helo command rejected: "
	    "[%i] forged a HELO name before",
	    check_forged_before, 0 },
};

/*
 * What an SPF result of the HELO makes of spf-helo: only fail fires; a
 * temperror cannot tell (dns-error, a deferral at most); permerror,
 * softfail, neutral, none and pass never refuse, they are reported.
 */
static const enum check_state spf_states[] = {
	[SPF_NONE] =		CS_CLEAR,
	[SPF_NEUTRAL] =		CS_CLEAR,
	[SPF_PASS] =		CS_CLEAR,
	[SPF_FAIL] =		CS_FIRED,
	[SPF_SOFTFAIL] =	CS_CLEAR,
	[SPF_TEMPERROR] =	CS_UNKNOWN,
	[SPF_PERMERROR] =	CS_CLEAR,
};

const char *
check_name(enum check c)
{
	if ((unsigned int)c >= CHECK_COUNT)
		return "unknown";
	return checks[c].name;
}

int
check_lookup(const char *s, enum check *c)
{
	size_t	i;

	for (i = 0; i < nitems(checks); i++) {
		if (strcmp(s, checks[i].name) == 0) {
			*c = i;
			return 0;
		}
	}
	return -1;
}

enum action
check_default_action(enum check c)
{
	return checks[c].action;
}

const char *
check_default_reply(enum check c)
{
	return checks[c].reply;
}

/*
 * The DNS a policy's checks read (NEEDS_*): a lookup that feeds only
 * checks set to pass is never asked.
 */
int
verdict_needs(const struct policy *p)
{
	return needs_of(p, NULL);
}

/*
 * What to ask of DNS for a verdict on these facts, and is not asked
 * yet (NEEDS_* and PLAN_HELO): for lookup_start(), or for facts_mark()
 * before there is a resolver.  Every front end plans here, at connect,
 * at each HELO and at a verdict before any HELO, with the facts it has
 * filled.  Nothing for an exempt client.  The MTA's confirmed name
 * (rdns_verified) is taken first: it stands for the client's own
 * lookups, which are asked once.  With a HELO, PLAN_HELO: its lookups,
 * of the records and zones the checks still need, replace an earlier
 * HELO's.  With DNSSEC, all three records or none, as "dns=secure"
 * says that all of them validated.
 */
int
verdict_plan(const struct policy *p, struct facts *f)
{
	int	needs, plan = 0, wait;

	if (exemption(p, f, &wait) != NULL)
		return 0;
	(void)dns_facts_verified(&f->dns, f->rdns_verified);
	needs = needs_of(p, f);
	if ((needs & NEEDS_PTR) && f->client.family != 0 &&
	    f->dns.fcrdns == LOOKUP_NONE)
		plan |= NEEDS_PTR;
	if (f->helo_raw == NULL)
		return plan;
	/* SPF is asked for any HELO: a literal's none needs no lookup. */
	plan |= PLAN_HELO | (needs & NEEDS_SPF_HELO);
	if (f->helo.kind != HELO_DOMAIN || f->helo.dotless)
		return plan;
	if (p->dnssec != DNSSEC_OFF && (needs & NEEDS_HELO))
		needs |= NEEDS_HELO;
	return plan | (needs & (NEEDS_HELO | NEEDS_DBL));
}

/*
 * The lookups the checks not set to pass read, for a verdict on f (or
 * on any facts, f NULL).  "pass rdns" reads the client's names too;
 * without a zone, dbl asks nothing.
 */
static int
needs_of(const struct policy *p, const struct facts *f)
{
	int	c, needs = 0;

	for (c = 0; c < CHECK_COUNT; c++)
		needs |= check_needs(p, f, c);
	if (p->pass_rdns.n > 0)
		needs |= NEEDS_PTR;
	for (c = 0; c < CHECK_COUNT; c++)
		if (p->except[c].rdns.n > 0 && p->rules[c].action != ACT_PASS)
			needs |= NEEDS_PTR;
	if (p->dbl.n == 0)
		needs &= ~NEEDS_DBL;
	return needs;
}

/*
 * What check c reads, without what f spares it.  A HELO that is one of
 * the client's confirmed names exists and resolves to the client: dns
 * and forward are settled, and so is private if the client's address
 * is public; cname still needs the A answer, the only one that shows a
 * CNAME.  With DNSSEC nothing is spared, as dns waits for every record
 * to know whether all of them validated.
 */
static int
check_needs(const struct policy *p, const struct facts *f, int c)
{
	int	needs = checks[c].needs;

	if (p->rules[c].action == ACT_PASS)
		return 0;
	if (f != NULL && p->dnssec == DNSSEC_OFF && facts_helo_confirmed(f) &&
	    ((needs & UNLESS_CONFIRMED) || ((needs & UNLESS_CONFIRMED_PUBLIC) &&
	    !addr_is_private(&f->client))))
		needs &= ~NEEDS_HELO;
	return needs & (NEEDS_PTR | NEEDS_HELO | NEEDS_DBL | NEEDS_SPF_HELO);
}

static int
is_name(const struct facts *f)
{
	return f->helo_raw != NULL && f->helo.kind == HELO_DOMAIN;
}

static int
is_address(const struct facts *f)
{
	return f->helo_raw != NULL && (f->helo.kind == HELO_LITERAL4 ||
	    f->helo.kind == HELO_LITERAL6 || f->helo.kind == HELO_BARE_IP);
}

/* A lookup's state as a check sees it: no answer means no verdict. */
static enum check_state
lookup_state(enum lookup_state ls)
{
	switch (ls) {
	case LOOKUP_PENDING:
		return CS_WAIT;
	case LOOKUP_ERROR:
		return CS_UNKNOWN;
	default:
		return CS_CLEAR;
	}
}

/* The client's first forward-confirmed name, or NULL if none (yet). */
static const char *
confirmed_rdns(const struct facts *f)
{
	return dns_facts_rdns(&f->dns);
}

/*
 * Does any of the client's forward-confirmed names pass the test?  A
 * client may have several, and each is as much its name as another.
 */
static int
any_rdns(const struct facts *f, int (*test)(const char *, const void *),
    const void *arg)
{
	size_t	i;

	if (f->dns.fcrdns != LOOKUP_FOUND)
		return 0;
	for (i = 0; i < f->dns.nrdns; i++)
		if (test(f->dns.rdns[i], arg))
			return 1;
	return 0;
}

static int
rdns_in_domain(const char *rdns, const void *domain)
{
	return name_in_domain(rdns, domain);
}

static int
rdns_is_helo(const char *rdns, const void *arg)
{
	const struct judged	*j = arg;

	return name_eq(j->f->helo.name, rdns) ||
	    (j->p->rdns_mode == RDNS_DOMAIN && same_org(j->f->helo.name, rdns));
}

static int
rdns_dynamic(const char *rdns, const void *client)
{
	return name_dynamic(rdns, client);
}

static int
rdns_passed(const char *rdns, const void *list)
{
	return namelist_match(list, rdns);
}

/*
 * Is the client the owner of a name, as its confirmed rDNS names say?
 * Without any name it is not; a failed lookup cannot tell.
 */
static enum check_state
owner_state(const struct facts *f, int (*test)(const char *, const void *),
    const void *arg)
{
	switch (f->dns.fcrdns) {
	case LOOKUP_NONE:
		/* Nothing asked (no client address): nothing to hold. */
		return CS_CLEAR;
	case LOOKUP_PENDING:
		return CS_WAIT;
	case LOOKUP_ERROR:
		return CS_UNKNOWN;
	default:
		return any_rdns(f, test, arg) ? CS_CLEAR : CS_FIRED;
	}
}

static enum check_state
check_self(struct judged *j)
{
	const struct facts	*f = j->f;
	size_t			 i;

	if (is_address(f)) {
		if (addr_is_loopback(&f->helo.addr) ||
		    (f->server.family != 0 &&
		    addr_eq(&f->helo.addr, &f->server)))
			return CS_FIRED;
		return CS_CLEAR;
	}
	if (!is_name(f))
		return CS_CLEAR;
	if (f->greeting != NULL && name_eq(f->helo.name, f->greeting))
		return CS_FIRED;
	for (i = 0; i < j->p->local_names.n; i++)
		if (name_eq(f->helo.name, j->p->local_names.v[i]))
			return CS_FIRED;
	return CS_CLEAR;
}

/*
 * The HELO is the recipient's domain or one of ours.  Companies HELO
 * with their bare domain from their own hosts, so a client whose
 * confirmed rDNS name lies inside that domain is believed.
 */
static enum check_state
check_rcpt_domain(struct judged *j)
{
	const struct facts	*f = j->f;
	const char		*domain = NULL;
	size_t			 i;

	if (!is_name(f))
		return CS_CLEAR;
	if (f->rcpt_domain != NULL && name_eq(f->helo.name, f->rcpt_domain))
		domain = f->rcpt_domain;
	for (i = 0; domain == NULL && i < j->p->local_domains.n; i++)
		if (name_eq(f->helo.name, j->p->local_domains.v[i]))
			domain = j->p->local_domains.v[i];
	if (domain == NULL)
		return CS_CLEAR;
	j->domain = domain;
	return owner_state(f, rdns_in_domain, domain);
}

static int
rdns_in_org(const char *rdns, const void *arg)
{
	const struct judged	*j = arg;

	return same_org(j->f->helo.name, rdns) ||
	    protect_admits(&j->p->protect, j->f->helo.name, rdns);
}

/*
 * A HELO under a protected domain is believed from the organisation's
 * own hosts only: a confirmed rDNS name in its registrable domain, or
 * under a domain or alias of its "protect" line.
 */
static enum check_state
check_protected(struct judged *j)
{
	const struct facts	*f = j->f;
	const char		*domain;

	if (!is_name(f) || (domain = protect_domain(&j->p->protect,
	    f->helo.name)) == NULL)
		return CS_CLEAR;
	j->domain = domain;
	return owner_state(f, rdns_in_org, j);
}

static enum check_state
check_blocklist(struct judged *j)
{
	if (is_name(j->f) && namelist_match(&j->p->block_helo,
	    j->f->helo.name))
		return CS_FIRED;
	return CS_CLEAR;
}

/*
 * The first zone, in the order given, that lists the name or its
 * registrable domain.  A later zone's listing waits for the earlier
 * zones' answers, so that the reply names the same zone whichever
 * answer came first.  A zone error lists nothing: a broken list must
 * not hold up mail either.
 */
static enum check_state
check_dbl(struct judged *j)
{
	const struct dns_facts	*d = &j->f->dns;
	const struct dbl_answer	*a[2];
	size_t			 i, k;
	int			 failed = 0, wait = 0;

	if (!is_name(j->f))
		return CS_CLEAR;
	if (d->dbl_lost)
		return CS_UNKNOWN;
	for (i = 0; i < d->ndbl; i++) {
		a[0] = &d->dbl[i].name;
		a[1] = &d->dbl[i].domain;
		for (k = 0; k < nitems(a); k++) {
			if (a[k]->state == LOOKUP_PENDING)
				wait = 1;
			else if (a[k]->state == LOOKUP_NONE)
				continue;
			else if (a[k]->outcome == DBL_LISTED && !wait) {
				j->domain = d->dbl_zones[i].zone;
				return CS_FIRED;
			} else if (a[k]->outcome == DBL_FAILED)
				failed = 1;
		}
	}
	if (wait)
		return CS_WAIT;
	return failed ? CS_UNKNOWN : CS_CLEAR;
}

static enum check_state
check_syntax(struct judged *j)
{
	const struct facts	*f = j->f;

	if (f->helo_raw != NULL && (f->helo.kind == HELO_INVALID ||
	    f->helo.kind == HELO_LITERAL_OTHER))
		return CS_FIRED;
	return CS_CLEAR;
}

static enum check_state
check_underscore(struct judged *j)
{
	return is_name(j->f) && j->f->helo.underscore ? CS_FIRED : CS_CLEAR;
}

static enum check_state
check_bare_ip(struct judged *j)
{
	const struct facts	*f = j->f;

	if (f->helo_raw != NULL && f->helo.kind == HELO_BARE_IP)
		return CS_FIRED;
	return CS_CLEAR;
}

static enum check_state
check_non_fqdn(struct judged *j)
{
	return is_name(j->f) && j->f->helo.dotless ? CS_FIRED : CS_CLEAR;
}

static enum check_state
check_literal(struct judged *j)
{
	const struct facts	*f = j->f;

	if (f->helo_raw == NULL || f->client.family == 0)
		return CS_CLEAR;
	if (f->helo.kind != HELO_LITERAL4 && f->helo.kind != HELO_LITERAL6)
		return CS_CLEAR;
	return addr_eq(&f->helo.addr, &f->client) ? CS_CLEAR : CS_FIRED;
}

/* %d names the special domain, or the unknown top-level label. */
static enum check_state
check_special_name(struct judged *j)
{
	const char	*domain;

	if (!is_name(j->f) || (domain = name_special(j->f->helo.name)) ==
	    NULL)
		return CS_CLEAR;
	j->domain = domain;
	return CS_FIRED;
}

/*
 * Any of A, AAAA, MX with data means the name exists; all three
 * NXDOMAIN or NODATA mean it does not; otherwise we cannot know.
 */
static enum check_state
check_dns(struct judged *j)
{
	const struct dns_facts	*d = &j->f->dns;
	enum lookup_state	 ls[3];
	size_t			 i, found = 0, none = 0, wait = 0, fail = 0;

	if (!is_name(j->f))
		return CS_CLEAR;
	ls[0] = d->helo_a;
	ls[1] = d->helo_aaaa;
	ls[2] = d->helo_mx;
	for (i = 0; i < nitems(ls); i++) {
		switch (ls[i]) {
		case LOOKUP_FOUND:
			found++;
			break;
		case LOOKUP_NONE:
			none++;
			break;
		case LOOKUP_PENDING:
			wait++;
			break;
		case LOOKUP_ERROR:
			fail++;
			break;
		default:
			break;
		}
	}
	/*
	 * One answer with data settles it; with DNSSEC on, the others are
	 * still awaited (within the deadline) so that the log can say
	 * whether all of the name's records validated.
	 */
	/* The client's confirmed name exists: its A or AAAA says so. */
	if (facts_helo_confirmed(j->f))
		found++;
	if (found > 0)
		return wait > 0 && j->p->dnssec != DNSSEC_OFF ? CS_WAIT :
		    CS_CLEAR;
	if (none > 0)
		return CS_CLEAR;
	if (wait > 0)
		return CS_WAIT;
	return fail > 0 ? CS_UNKNOWN : CS_FIRED;
}

static enum check_state
check_forward(struct judged *j)
{
	const struct facts	*f = j->f;
	enum lookup_state	 ls;
	size_t			 i;

	if (!is_name(f) || f->client.family == 0)
		return CS_CLEAR;
	/* Forward confirmation found the client among its addresses. */
	if (facts_helo_confirmed(f))
		return CS_CLEAR;
	ls = f->client.family == AF_INET6 ? f->dns.helo_aaaa : f->dns.helo_a;
	switch (ls) {
	case LOOKUP_FOUND:
		for (i = 0; i < f->dns.helo_naddrs; i++)
			if (addr_eq(&f->dns.helo_addrs[i], &f->client))
				return CS_CLEAR;
		return CS_FIRED;
	case LOOKUP_NXDOMAIN:
	case LOOKUP_NODATA:
		return CS_FIRED;
	default:
		return lookup_state(ls);
	}
}

static enum check_state
check_rdns(struct judged *j)
{
	switch (j->f->dns.fcrdns) {
	case LOOKUP_NXDOMAIN:
	case LOOKUP_NODATA:
		return CS_FIRED;
	case LOOKUP_FOUND:
		return confirmed_rdns(j->f) ? CS_CLEAR : CS_FIRED;
	default:
		return lookup_state(j->f->dns.fcrdns);
	}
}

static enum check_state
check_rdns_match(struct judged *j)
{
	const struct facts	*f = j->f;

	if (!is_name(f) || f->dns.fcrdns == LOOKUP_NONE)
		return CS_CLEAR;
	if (f->dns.fcrdns == LOOKUP_PENDING || f->dns.fcrdns == LOOKUP_ERROR)
		return lookup_state(f->dns.fcrdns);
	return any_rdns(f, rdns_is_helo, j) ? CS_CLEAR : CS_FIRED;
}

static enum check_state
check_cname(struct judged *j)
{
	const struct facts	*f = j->f;

	if (!is_name(f))
		return CS_CLEAR;
	if (f->dns.helo_cname != NULL)
		return CS_FIRED;
	return lookup_state(f->dns.helo_a);
}

/*
 * Every address of the HELO is one no public host has.  A name that
 * is the client's confirmed name resolves to the client, so it has a
 * public address if the client has.
 */
static enum check_state
check_private(struct judged *j)
{
	const struct facts	*f = j->f;
	const struct dns_facts	*d = &f->dns;
	size_t			 i;

	if (!is_name(f))
		return CS_CLEAR;
	if (facts_helo_confirmed(f) && !addr_is_private(&f->client))
		return CS_CLEAR;
	for (i = 0; i < d->helo_naddrs; i++)
		if (!addr_is_private(&d->helo_addrs[i]))
			return CS_CLEAR;
	if (d->helo_a == LOOKUP_PENDING || d->helo_aaaa == LOOKUP_PENDING)
		return CS_WAIT;
	if (d->helo_a == LOOKUP_ERROR || d->helo_aaaa == LOOKUP_ERROR)
		return CS_UNKNOWN;
	/* No address at all is for the dns check to judge. */
	return d->helo_naddrs > 0 ? CS_FIRED : CS_CLEAR;
}

static enum check_state
check_dynamic(struct judged *j)
{
	const struct facts	*f = j->f;

	if (f->client.family == 0)
		return CS_CLEAR;
	if (is_name(f) && name_dynamic(f->helo.name, &f->client))
		return CS_FIRED;
	if (any_rdns(f, rdns_dynamic, &f->client))
		return CS_FIRED;
	return lookup_state(f->dns.fcrdns);
}

/*
 * The same host named twice is no change, however it was spelt: names
 * compare as A-labels, literals as addresses.
 */
static enum check_state
check_changed(struct judged *j)
{
	const struct facts	*f = j->f;
	struct helo		 prev;

	enum check_state	 st;

	if (f->helo_raw == NULL || f->helo_prev == NULL)
		return CS_CLEAR;
	/* Out of memory: no change is known. */
	if (helo_classify(f->helo_prev, &prev) == -1)
		return CS_CLEAR;
	if (prev.kind != f->helo.kind)
		st = CS_FIRED;
	else if (prev.kind == HELO_DOMAIN)
		st = name_eq(prev.name, f->helo.name) ? CS_CLEAR : CS_FIRED;
	else if (prev.kind == HELO_LITERAL4 || prev.kind == HELO_LITERAL6 ||
	    prev.kind == HELO_BARE_IP)
		st = addr_eq(&prev.addr, &f->helo.addr) ? CS_CLEAR : CS_FIRED;
	else
		st = name_eq(f->helo_prev, f->helo_raw) ? CS_CLEAR : CS_FIRED;
	helo_clear(&prev);
	return st;
}

/*
 * The name the client's HELO counts as: a name as compared, anything
 * else as given.  NULL when it does not count: none yet, or one of the
 * client's forward-confirmed names, which a host may have many of.
 */
static const char *
rotation_name(const struct facts *f)
{
	if (f->helo_raw == NULL || facts_helo_confirmed(f))
		return NULL;
	return f->helo.kind == HELO_DOMAIN ? f->helo.name : f->helo_raw;
}

/*
 * More distinct HELO names from the client within the window than the
 * limit, this one included.  A new name may yet prove the client's own
 * while its rDNS is in flight; one it gave before counts anyway.
 */
static enum check_state
check_rotation(struct judged *j)
{
	const struct facts	*f = j->f;
	const struct policy	*p = j->p;
	const char		*name = rotation_name(f);
	char			 window[12];
	int			 n;

	if (f->memory == NULL || f->client.family == 0)
		return CS_CLEAR;
	n = memory_rotation(f->memory, &f->client, name, f->now,
	    p->rotation_window);
	if (n <= p->rotation_limit)
		return CS_CLEAR;
	if (name != NULL && f->dns.fcrdns == LOOKUP_PENDING &&
	    f->helo.kind == HELO_DOMAIN && memory_rotation(f->memory,
	    &f->client, NULL, f->now, p->rotation_window) <= p->rotation_limit)
		return CS_WAIT;
	duration_fmt(p->rotation_window, window, sizeof(window));
	if (j->rotation != NULL) {
		snprintf(j->rotation, ROTATION_FMT_MAX, "%d/%s", n, window);
		j->domain = j->rotation;
	}
	return CS_FIRED;
}

static enum check_state
check_forged_before(struct judged *j)
{
	const struct facts	*f = j->f;

	if (memory_forged(f->memory, &f->client, f->now,
	    j->p->forged_window))
		return CS_FIRED;
	return CS_CLEAR;
}

/*
 * The HELO identity's SPF fails (RFC 7208 2.3): the domain says that
 * this client may not use its name.  With "spf-helo null-sender" only
 * a bounce is judged, the one mail whose only SPF identity is the HELO
 * (2.4): before MAIL FROM, and for any other sender, the result is
 * only reported.  It is waited for all the same, so that the log line
 * and the headers say it whatever the sender and the timing.
 */
static enum check_state
check_spf_helo(struct judged *j)
{
	const struct facts	*f = j->f;

	if (!is_name(f))
		return CS_CLEAR;
	if (f->dns.spf != LOOKUP_FOUND)
		return lookup_state(f->dns.spf);
	if (j->p->spf_helo == SPF_HELO_NULL_SENDER &&
	    (f->mail_from == NULL || f->mail_from[0] != '\0'))
		return CS_CLEAR;
	if ((unsigned int)f->dns.spf_result >= nitems(spf_states))
		return CS_UNKNOWN;
	return spf_states[f->dns.spf_result];
}

/*
 * What this verdict teaches the memory, once its checks have their
 * answers: the client's name, unless it is one of its confirmed names,
 * and its forgery.  Exempt clients teach nothing, nor do checks set to
 * pass, so that a check turned off costs nothing.
 */
void
verdict_learn(const struct policy *p, const struct facts *f,
    const struct verdict *v, struct memory *m)
{
	const char	*name;

	if (m == NULL || v->exempt != NULL || f->local ||
	    f->client.family == 0)
		return;
	if (p->rules[CHECK_FORGED_BEFORE].action != ACT_PASS &&
	    (v->state[CHECK_SELF] == CS_FIRED ||
	    v->state[CHECK_PROTECTED] == CS_FIRED))
		memory_note_forged(m, &f->client, f->now);
	if (p->rules[CHECK_ROTATION].action != ACT_PASS &&
	    (name = rotation_name(f)) != NULL)
		memory_note_name(m, &f->client, name, f->now);
}

/* Same registrable domain, by the public suffix list. */
static int
same_org(const char *a, const char *b)
{
	const psl_ctx_t	*psl = psl_builtin();
	const char	*ra, *rb;

	if (psl == NULL)
		return 0;
	ra = psl_registrable_domain(psl, a);
	rb = psl_registrable_domain(psl, b);
	return ra != NULL && rb != NULL && strcasecmp(ra, rb) == 0;
}

/*
 * Clients that no check applies to.  *wait is set when the answer
 * depends on a lookup still in flight (a "pass rdns" entry).
 */
static const char *
exemption(const struct policy *p, const struct facts *f, int *wait)
{
	*wait = 0;
	if (f->authenticated)
		return exempt_names[EXEMPT_AUTHENTICATED];
	if (f->local || (f->client.family != 0 &&
	    addr_is_loopback(&f->client)))
		return exempt_names[EXEMPT_LOCAL];
	if (f->client.family != 0 && addr_eq(&f->client, &f->server))
		return exempt_names[EXEMPT_OWN_ADDRESS];
	if (f->client.family != 0 && cidrlist_match(&p->pass_client,
	    &f->client))
		return exempt_names[EXEMPT_PASS_CLIENT];
	if (is_name(f) && namelist_match(&p->pass_helo, f->helo.name))
		return exempt_names[EXEMPT_PASS_HELO];
	if (rcpt_match(&p->pass_rcpt, f->rcpt))
		return exempt_names[EXEMPT_PASS_RCPT];
	if (p->pass_rdns.n > 0) {
		if (any_rdns(f, rdns_passed, &p->pass_rdns))
			return exempt_names[EXEMPT_PASS_RDNS];
		if (f->dns.fcrdns == LOOKUP_PENDING)
			*wait = 1;
	}
	return NULL;
}

/*
 * A check as the "except" lines for it leave it: what matches one of
 * them is spared, and v->spared says by which kind.
 */
static enum check_state
run_check(struct judged *j, int c, struct verdict *v)
{
	enum check_state	st;
	int			kind = -1;

	st = spare(j, c, checks[c].run(j), &kind);
	if (kind >= 0)
		v->spared[c] = kind + 1;
	return st;
}

/*
 * Only a check that fired, or may, is worth sparing.  An "except rdns"
 * whose lookup is in flight or failed can neither spare nor not: the
 * check waits, or is unknown, as "pass rdns" would leave the verdict.
 */
static enum check_state
spare(const struct judged *j, int c, enum check_state st, int *kind)
{
	const struct except	*e = &j->p->except[c];
	const struct facts	*f = j->f;

	if (st == CS_CLEAR)
		return st;
	if (f->client.family != 0 && cidrlist_match(&e->client, &f->client))
		*kind = EXCEPT_CLIENT;
	else if (is_name(f) && namelist_match(&e->helo, f->helo.name))
		*kind = EXCEPT_HELO;
	else if (rcpt_match(&e->rcpt, f->rcpt))
		*kind = EXCEPT_RCPT;
	else if (e->rdns.n > 0 && any_rdns(f, rdns_passed, &e->rdns))
		*kind = EXCEPT_RDNS;
	else if (e->rdns.n > 0 && st == CS_FIRED &&
	    f->dns.fcrdns == LOOKUP_PENDING)
		return CS_WAIT;
	else if (e->rdns.n > 0 && st == CS_FIRED &&
	    f->dns.fcrdns == LOOKUP_ERROR)
		return CS_UNKNOWN;
	else
		return st;
	/* Spared while it only waited: nothing it did to tell of. */
	if (st == CS_WAIT)
		*kind = -1;
	return CS_CLEAR;
}

/*
 * A check whose lookup failed fires dns-error if its action is tempfail
 * or stronger: a failed lookup may never turn into a permanent refusal.
 * An "except dns-error" line spares it as any other check; one for a
 * name whose own lookup failed cannot, and dns-error stands.
 */
static void
dns_error(const struct judged *j, struct verdict *v)
{
	const struct policy	*p = j->p;
	int			 c, kind = -1;

	for (c = 0; c < CHECK_COUNT; c++)
		if (v->state[c] == CS_UNKNOWN &&
		    p->rules[c].action >= ACT_TEMPFAIL &&
		    p->rules[CHECK_DNS_ERROR].action != ACT_PASS)
			v->state[CHECK_DNS_ERROR] = CS_FIRED;
	if (v->state[CHECK_DNS_ERROR] == CS_FIRED &&
	    spare(j, CHECK_DNS_ERROR, CS_FIRED, &kind) == CS_CLEAR) {
		v->state[CHECK_DNS_ERROR] = CS_CLEAR;
		v->spared[CHECK_DNS_ERROR] = kind + 1;
	}
}

/*
 * The strongest action among the checks that fired, dns-error
 * included, and the check that replies: the first in table order of
 * equal actions.
 */
static void
strongest(const struct judged *j, struct verdict *v)
{
	const struct policy	*p = j->p;
	enum action		 a;
	int			 c;

	dns_error(j, v);
	for (c = 0; c < CHECK_COUNT; c++) {
		if (v->state[c] != CS_FIRED)
			continue;
		a = p->rules[c].action;
		if (v->check == -1 || a > v->action) {
			v->action = a;
			v->check = c;
		}
	}
}

/* Could the answer of check c, or its failure, outrank the verdict? */
static int
may_outrank(const struct policy *p, const struct verdict *v, int c)
{
	enum action	a = p->rules[c].action;

	if (a > v->action || (a == v->action && c < v->check))
		return 1;
	if (a < ACT_TEMPFAIL || v->state[CHECK_DNS_ERROR] == CS_FIRED)
		return 0;
	a = p->rules[CHECK_DNS_ERROR].action;
	return a > v->action || (a == v->action && CHECK_DNS_ERROR < v->check);
}

void
verdict_decide(const struct policy *p, const struct facts *f,
    struct verdict *v)
{
	struct judged	 j = { p, f, NULL, NULL };
	const char	*domain[CHECK_COUNT] = { NULL };
	int		 c, pending = 0, wait;

	memset(v, 0, sizeof(*v));
	j.rotation = v->rotation;
	v->action = ACT_PASS;
	v->check = -1;
	if ((v->exempt = exemption(p, f, &wait)) != NULL)
		return;
	for (c = 0; c < CHECK_COUNT; c++) {
		if (checks[c].run == NULL || p->rules[c].action == ACT_PASS)
			continue;
		j.domain = NULL;
		v->state[c] = run_check(&j, c, v);
		domain[c] = j.domain;
		if (v->state[c] == CS_WAIT)
			pending = 1;
	}
	if (wait) {
		v->wait = 1;
		return;
	}
	strongest(&j, v);
	/* Each check names its own domain: the replying one's is %d. */
	if (v->check >= 0)
		v->domain = domain[v->check];

	/*
	 * Lookups still in flight matter only if what they may say could
	 * outrank what is known: an obvious refusal need not wait for DNS.
	 */
	for (c = 0; pending && c < CHECK_COUNT; c++) {
		if (v->state[c] == CS_WAIT && may_outrank(p, v, c)) {
			v->wait = 1;
			return;
		}
	}

	/*
	 * A "pass rdns" entry might have exempted this client, had the
	 * lookup of its name not failed: a refusal is then at most for now.
	 */
	if (v->action >= ACT_TEMPFAIL && p->pass_rdns.n > 0 &&
	    f->dns.fcrdns == LOOKUP_ERROR) {
		v->action = p->rules[CHECK_DNS_ERROR].action;
		v->check = v->action == ACT_PASS ? -1 : CHECK_DNS_ERROR;
		if (v->action != ACT_PASS)
			v->state[CHECK_DNS_ERROR] = CS_FIRED;
	}
}

/*
 * A verdict given while some of its checks still waited for lookups,
 * completed for its log line with what the facts say now: each check
 * that waited runs again, and a failure fires dns-error as it would
 * have then.  Those checks could not change the answer (the verdict
 * waits for any that could), so the action and the replying check
 * stay those given.  Returns 1 once no check waits any more.
 */
int
verdict_complete(const struct policy *p, const struct facts *f,
    struct verdict *v)
{
	struct judged	 j = { p, f, NULL, v->rotation };
	int		 c, waits = 0;

	for (c = 0; c < CHECK_COUNT; c++) {
		if (v->state[c] != CS_WAIT)
			continue;
		if ((v->state[c] = run_check(&j, c, v)) == CS_WAIT)
			waits = 1;
	}
	dns_error(&j, v);
	return !waits;
}

const char *
exempt_name(enum exempt e)
{
	return exempt_names[e];
}

/*
 * The reply of the deciding check with its escapes expanded from the
 * facts, and the explain-url appended.  Returns 0, or -1 if there is
 * nothing to reply.
 */
int
verdict_reply(const struct policy *p, const struct facts *f,
    const struct verdict *v, char *buf, size_t len)
{
	char		 addr[ADDR_STRLEN], literal[ADDR_STRLEN + 7];
	const char	*val[RV_COUNT];

	if (v->check < 0 || len == 0)
		return -1;
	addr_fmt(&f->client, addr, sizeof(addr));
	/* RFC 5321 4.1.3: an IPv6 literal has its tag. */
	snprintf(literal, sizeof(literal), "[%s%s]",
	    f->client.family == AF_INET6 ? "IPv6:" : "", addr);
	val[RV_HELO] = f->helo_raw;
	val[RV_ADDR] = addr[0] != '\0' ? addr : "unknown";
	val[RV_LITERAL] = addr[0] != '\0' ? literal : "unknown";
	val[RV_RDNS] = facts_rdns(f) != NULL ? facts_rdns(f) : "unknown";
	val[RV_DOMAIN] = v->domain != NULL ? v->domain : f->helo.name;
	val[RV_CHECK] = check_name(v->check);
	val[RV_SPF] = f->dns.spf_explanation;
	reply_expand(p->rules[v->check].reply, val, p->explain_url, buf, len);
	return 0;
}

/* The names of the checks in a state, comma-separated, or "-". */
int
verdict_list(const struct verdict *v, enum check_state st, char *buf,
    size_t len)
{
	int	c, n = 0;

	if (len == 0)
		return 0;
	buf[0] = '\0';
	for (c = 0; c < CHECK_COUNT; c++) {
		if (v->state[c] != st)
			continue;
		if (n++ > 0)
			strlcat(buf, ",", len);
		strlcat(buf, check_name(c), len);
	}
	if (n == 0)
		strlcpy(buf, "-", len);
	return n;
}

/* "CHECK:KIND,...": the checks an "except" line spared; 0 if none. */
int
verdict_spared(const struct verdict *v, char *buf, size_t len)
{
	int	c, n = 0;

	if (len == 0)
		return 0;
	buf[0] = '\0';
	for (c = 0; c < CHECK_COUNT; c++) {
		if (v->spared[c] == 0)
			continue;
		if (n++ > 0)
			strlcat(buf, ",", len);
		strlcat(buf, check_name(c), len);
		strlcat(buf, ":", len);
		strlcat(buf, except_kind_name(v->spared[c] - 1), len);
	}
	return n;
}
