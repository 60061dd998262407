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
 * The lookups of one client.  Each answer is written into the client's
 * dns_facts as soon as it arrives, and the owner is told, so a verdict
 * waiting for it is given at once; the checks never see the resolver.
 * Out of memory, a lookup that cannot start or whose answer cannot be
 * kept is a failed lookup: at worst a temporary failure, through
 * dns-error, never a refusal.
 */
#include "compat.h"

#include <sys/queue.h>
#include <sys/socket.h>

#include <stdlib.h>
#include <string.h>

#include "dns.h"
#include "lookup.h"
#include "spf.h"

/* More PTR names than this are a misconfiguration; confirm the first. */
#define PTR_NAMES_MAX	8

enum lookup_kind {
	LK_PTR,
	LK_CONFIRM,		/* A or AAAA of a PTR name */
	LK_HELO_A,
	LK_HELO_AAAA,
	LK_HELO_MX,
	LK_DBL_NAME,		/* NAME.ZONE A */
	LK_DBL_DOMAIN		/* REGDOMAIN.ZONE A */
};

/* What each kind of lookup is about, for lookup_cancel(). */
#define LC_CLIENT	0x1
#define LC_HELO		0x2

static const int lookup_kinds[] = {
	[LK_PTR] =		LC_CLIENT,
	[LK_CONFIRM] =		LC_CLIENT,
	[LK_HELO_A] =		LC_HELO,
	[LK_HELO_AAAA] =	LC_HELO,
	[LK_HELO_MX] =		LC_HELO,
	[LK_DBL_NAME] =		LC_HELO,
	[LK_DBL_DOMAIN] =	LC_HELO,
};

struct lookup {
	TAILQ_ENTRY(lookup)	 entry;
	struct lookup_set	*set;
	struct dns_query	*q;
	enum lookup_kind	 kind;
	size_t			 zone;		/* LK_DBL_*: its index */
	char			 name[NAME_BUFSZ];
};

struct lookup_set {
	struct facts		*facts;
	long			 timeout_ms;
	lookup_cb		 cb;
	void			*arg;
	TAILQ_HEAD(, lookup)	 pending;
	struct addr		 client;
	int			 confirming;	/* PTR names being checked */
	int			 confirm_failed;
	int			 confirm_lost;	/* out of memory */
	char			*confirmed[PTR_NAMES_MAX];
	size_t			 nconfirmed;
	int			 helo_answered;
	int			 helo_secure;
	struct spf_check	*spf;		/* the HELO's, under way */
};

static void	lookup_client(struct lookup_set *);
static void	lookup_helo(struct lookup_set *);
static void	lookup_spf(struct lookup_set *);
static void	on_spf(const struct spf_outcome *, void *);
static void	lookup_one(struct lookup_set *, enum lookup_kind,
		    const char *, int);
static void	lookup_ask(struct lookup_set *, enum lookup_kind,
		    const char *, int, size_t);
static void	lookup_dbl(struct lookup_set *, enum lookup_kind,
		    const char *, size_t);
static void	lookup_done(const struct dns_result *, void *);
static void	lookup_answer(struct lookup_set *, struct lookup *,
		    const struct dns_result *);
static void	on_ptr(struct lookup_set *, const struct dns_result *);
static void	on_confirm(struct lookup_set *, struct lookup *,
		    const struct dns_result *);
static void	on_helo(struct lookup_set *, struct lookup *,
		    const struct dns_result *);
static void	on_dbl(struct lookup_set *, struct lookup *,
		    const struct dns_result *);
static void	lookup_cancel(struct lookup_set *, int);
static void	confirm_done(struct lookup_set *);
static void	confirmed_free(struct lookup_set *);
static enum lookup_state status_state(enum dns_status);

/* NULL when out of memory. */
struct lookup_set *
lookup_new(struct facts *facts, long timeout_ms, lookup_cb cb, void *arg)
{
	struct lookup_set	*set;

	if ((set = calloc(1, sizeof(*set))) == NULL)
		return NULL;
	set->facts = facts;
	set->timeout_ms = timeout_ms;
	set->cb = cb;
	set->arg = arg;
	TAILQ_INIT(&set->pending);
	return set;
}

/*
 * Ask what a plan says (verdict_plan()): with NEEDS_PTR, the client's
 * names, in place of any asked before (a new connection on the same
 * session); with PLAN_HELO, the HELO's records and blocklist queries
 * it asks, in place of an earlier HELO's.  The facts are marked first,
 * by facts_mark(), then each lookup marked is asked.
 */
void
lookup_start(struct lookup_set *set, int plan, const struct dbl_list *zones)
{
	if (plan & NEEDS_PTR) {
		lookup_cancel(set, LC_CLIENT);
		confirmed_free(set);
		set->confirming = set->confirm_failed = set->confirm_lost = 0;
	}
	if (plan & PLAN_HELO) {
		lookup_cancel(set, LC_HELO);
		set->helo_answered = 0;
		set->helo_secure = 0;
	}
	facts_mark(set->facts, plan, zones);
	if (plan & NEEDS_PTR)
		lookup_client(set);
	if (plan & PLAN_HELO)
		lookup_helo(set);
}

/* The client's PTR names, then forward confirmation of each. */
static void
lookup_client(struct lookup_set *set)
{
	struct facts	*f = set->facts;
	char		 rev[DNS_REVERSE_LEN];

	if (f->dns.ptr != LOOKUP_PENDING)
		return;
	set->client = f->client;
	if (dns_reverse_name(&f->client, rev, sizeof(rev)) == -1)
		f->dns.ptr = f->dns.fcrdns = LOOKUP_NONE;
	else
		lookup_one(set, LK_PTR, rev, DNS_TYPE_PTR);
}

/*
 * The HELO's records marked, and its name, and registrable domain when
 * that is another name, on each zone marked, so that every host of a
 * listed domain is caught.
 */
static void
lookup_helo(struct lookup_set *set)
{
	struct facts		*f = set->facts;
	struct dns_facts	*d = &f->dns;
	size_t			 i;

	if (d->helo_a == LOOKUP_PENDING)
		lookup_one(set, LK_HELO_A, f->helo.name, DNS_TYPE_A);
	if (d->helo_aaaa == LOOKUP_PENDING)
		lookup_one(set, LK_HELO_AAAA, f->helo.name, DNS_TYPE_AAAA);
	if (d->helo_mx == LOOKUP_PENDING)
		lookup_one(set, LK_HELO_MX, f->helo.name, DNS_TYPE_MX);
	for (i = 0; i < d->ndbl; i++) {
		if (d->dbl[i].name.state == LOOKUP_PENDING)
			lookup_dbl(set, LK_DBL_NAME, f->helo.name, i);
		if (d->dbl[i].domain.state == LOOKUP_PENDING)
			lookup_dbl(set, LK_DBL_DOMAIN,
			    dbl_domain(f->helo.name), i);
	}
	if (d->spf == LOOKUP_PENDING)
		lookup_spf(set);
}

/*
 * check_host() of the HELO identity (RFC 7208 2.3): the HELO name is
 * both the domain and %{h}, and the sender is postmaster@ that name,
 * whatever MAIL FROM says, so the result is the same for every
 * transaction of the session.  A name check_host() would not look up
 * is none at once; a check that cannot start is a temperror, as a
 * lookup that cannot start is a failed one.
 */
static void
lookup_spf(struct lookup_set *set)
{
	struct facts		*f = set->facts;
	struct spf_request	 req;

	if (!spf_domain_valid(f->helo.name)) {
		dns_facts_set_spf(&f->dns, SPF_NONE, NULL, NULL);
		return;
	}
	memset(&req, 0, sizeof(req));
	req.ip = f->client;
	req.domain = f->helo.name;
	req.helo = f->helo.name;
	req.receiver = f->greeting;
	if ((set->spf = spf_check_start(&req, set->timeout_ms, on_spf,
	    set)) == NULL)
		dns_facts_set_spf(&f->dns, SPF_TEMPERROR, NULL,
		    "local error");
}

static void
on_spf(const struct spf_outcome *o, void *arg)
{
	struct lookup_set	*set = arg;

	set->spf = NULL;
	dns_facts_set_spf(&set->facts->dns, o->result, o->explanation,
	    o->problem);
	set->cb(set->arg);
}

/* facts_mark() marked only a query name that fits: it is asked. */
static void
lookup_dbl(struct lookup_set *set, enum lookup_kind kind, const char *name,
    size_t zone)
{
	struct dns_facts	*d = &set->facts->dns;
	struct dbl_answer	*a;
	char			 qname[NAME_BUFSZ];

	a = kind == LK_DBL_NAME ? &d->dbl[zone].name : &d->dbl[zone].domain;
	if (name != NULL && dbl_query_name(name, d->dbl_zones[zone].zone,
	    qname, sizeof(qname)) == 0)
		lookup_ask(set, kind, qname, DNS_TYPE_A, zone);
	else
		a->state = LOOKUP_NONE;
}

int
lookup_pending(const struct lookup_set *set)
{
	return !TAILQ_EMPTY(&set->pending) || set->spf != NULL;
}

/*
 * The deadline passed: what is still in flight has failed.  The facts
 * keep what was found; the set may be freed after.
 */
void
lookup_expire(struct lookup_set *set)
{
	/* The names confirmed so far are the client's names. */
	if (set->facts->dns.fcrdns == LOOKUP_PENDING && set->nconfirmed > 0)
		confirm_done(set);
	lookup_cancel(set, LC_CLIENT | LC_HELO);
	dns_facts_expire(&set->facts->dns);
}

/* Lookups in flight are cancelled; the facts they filled stay. */
void
lookup_free(struct lookup_set *set)
{
	if (set == NULL)
		return;
	lookup_cancel(set, LC_CLIENT | LC_HELO);
	confirmed_free(set);
	free(set);
}

static void
lookup_one(struct lookup_set *set, enum lookup_kind kind, const char *name,
    int type)
{
	lookup_ask(set, kind, name, type, 0);
}

/*
 * A lookup that cannot start has failed at once: its facts say so now,
 * and the owner, who is asking, is not called back.  zone: the index of
 * a blocklist zone the lookup is about.
 */
static void
lookup_ask(struct lookup_set *set, enum lookup_kind kind,
    const char *name, int type, size_t zone)
{
	struct lookup		*l, failed;
	struct dns_result	 res;

	if ((l = calloc(1, sizeof(*l))) != NULL) {
		l->set = set;
		l->kind = kind;
		l->zone = zone;
		strlcpy(l->name, name, sizeof(l->name));
		if ((l->q = dns_query(name, type, set->timeout_ms,
		    lookup_done, l)) != NULL) {
			TAILQ_INSERT_TAIL(&set->pending, l, entry);
			return;
		}
		free(l);
	}
	memset(&failed, 0, sizeof(failed));
	failed.set = set;
	failed.kind = kind;
	failed.zone = zone;
	memset(&res, 0, sizeof(res));
	res.status = DNS_ERROR;
	res.why = "local error";
	lookup_answer(set, &failed, &res);
}

/* Cancel the lookups in flight about the client, the HELO or both. */
static void
lookup_cancel(struct lookup_set *set, int which)
{
	struct lookup	*l, *next;

	for (l = TAILQ_FIRST(&set->pending); l != NULL; l = next) {
		next = TAILQ_NEXT(l, entry);
		if (!(lookup_kinds[l->kind] & which))
			continue;
		TAILQ_REMOVE(&set->pending, l, entry);
		dns_cancel(l->q);
		free(l);
	}
	if ((which & LC_HELO) && set->spf != NULL) {
		spf_check_cancel(set->spf);
		set->spf = NULL;
	}
}

static enum lookup_state
status_state(enum dns_status st)
{
	switch (st) {
	case DNS_FOUND:
		return LOOKUP_FOUND;
	case DNS_NXDOMAIN:
		return LOOKUP_NXDOMAIN;
	case DNS_NODATA:
		return LOOKUP_NODATA;
	default:
		return LOOKUP_ERROR;
	}
}

static void
lookup_done(const struct dns_result *res, void *arg)
{
	struct lookup		*l = arg;
	struct lookup_set	*set = l->set;

	TAILQ_REMOVE(&set->pending, l, entry);
	lookup_answer(set, l, res);
	free(l);
	set->cb(set->arg);
}

static void
lookup_answer(struct lookup_set *set, struct lookup *l,
    const struct dns_result *res)
{
	switch (l->kind) {
	case LK_PTR:
		on_ptr(set, res);
		break;
	case LK_CONFIRM:
		on_confirm(set, l, res);
		break;
	case LK_DBL_NAME:
	case LK_DBL_DOMAIN:
		on_dbl(set, l, res);
		break;
	default:
		on_helo(set, l, res);
		break;
	}
}

static void
on_ptr(struct lookup_set *set, const struct dns_result *res)
{
	struct dns_facts	*d = &set->facts->dns;
	size_t			 i;
	int			 type;

	d->ptr = status_state(res->status);
	if (res->status == DNS_ERROR) {
		d->fcrdns = LOOKUP_ERROR;
		return;
	}
	if (res->status != DNS_FOUND || res->nnames == 0) {
		d->fcrdns = LOOKUP_NXDOMAIN;
		return;
	}
	type = set->client.family == AF_INET6 ? DNS_TYPE_AAAA : DNS_TYPE_A;
	for (i = 0; i < res->nnames && i < PTR_NAMES_MAX; i++) {
		if (!rdns_host_name(res->names[i]))
			continue;
		set->confirming++;
		lookup_one(set, LK_CONFIRM, res->names[i], type);
	}
	/* no name to confirm; or none could be asked, and that was said */
	if (set->confirming == 0 && d->fcrdns == LOOKUP_PENDING)
		d->fcrdns = LOOKUP_NXDOMAIN;
}

/*
 * A PTR name is confirmed when its addresses include the client's.  The
 * client's names are all the confirmed ones, known once every PTR name
 * has answered, so that the verdict does not depend on which answer
 * came first.  None confirmed: the client has no name, unless a lookup
 * failed, and then we cannot know.
 */
static void
on_confirm(struct lookup_set *set, struct lookup *l,
    const struct dns_result *res)
{
	size_t	 i;
	char	*name;

	set->confirming--;
	if (res->status == DNS_ERROR)
		set->confirm_failed++;
	for (i = 0; res->status == DNS_FOUND && i < res->naddrs; i++) {
		if (!addr_eq(&res->addrs[i], &set->client))
			continue;
		if (set->nconfirmed >= nitems(set->confirmed))
			break;
		/* a name confirmed but not kept: we cannot know */
		if ((name = strdup(l->name)) == NULL)
			set->confirm_lost = 1;
		else
			set->confirmed[set->nconfirmed++] = name;
		break;
	}
	if (set->confirming == 0 && set->facts->dns.fcrdns == LOOKUP_PENDING)
		confirm_done(set);
}

/* The names confirmed go to the facts, which outlive the lookups. */
static void
confirm_done(struct lookup_set *set)
{
	struct dns_facts	*d = &set->facts->dns;

	if (set->confirm_lost) {
		confirmed_free(set);
		d->fcrdns = LOOKUP_ERROR;
		return;
	}
	if (set->nconfirmed == 0) {
		d->fcrdns = set->confirm_failed ? LOOKUP_ERROR :
		    LOOKUP_NXDOMAIN;
		return;
	}
	if (dns_facts_set_rdns(d, set->confirmed, set->nconfirmed) == -1) {
		confirmed_free(set);
		d->ptr = LOOKUP_FOUND;
		d->fcrdns = LOOKUP_ERROR;
		return;
	}
	set->nconfirmed = 0;
}

/* Names confirmed so far, not yet handed to the facts. */
static void
confirmed_free(struct lookup_set *set)
{
	size_t	i;

	for (i = 0; i < set->nconfirmed; i++)
		free(set->confirmed[i]);
	set->nconfirmed = 0;
}

static void
on_helo(struct lookup_set *set, struct lookup *l,
    const struct dns_result *res)
{
	struct dns_facts	*d = &set->facts->dns;
	struct addr		*a;
	enum lookup_state	 st = status_state(res->status);

	if (res->cname != NULL && l->kind != LK_HELO_MX &&
	    dns_facts_set_cname(d, res->cname) == -1)
		st = LOOKUP_ERROR;
	if (l->kind != LK_HELO_MX && st == LOOKUP_FOUND && res->naddrs > 0) {
		if ((a = reallocarray(d->helo_addrs, d->helo_naddrs +
		    res->naddrs, sizeof(*a))) == NULL)
			st = LOOKUP_ERROR;
		else {
			memcpy(a + d->helo_naddrs, res->addrs,
			    res->naddrs * sizeof(*a));
			d->helo_addrs = a;
			d->helo_naddrs += res->naddrs;
		}
	}
	switch (l->kind) {
	case LK_HELO_A:
		d->helo_a = st;
		break;
	case LK_HELO_AAAA:
		d->helo_aaaa = st;
		break;
	default:
		d->helo_mx = st;
		break;
	}
	/* dns=secure only when all three answers validated. */
	set->helo_answered++;
	if (res->secure && st != LOOKUP_ERROR)
		set->helo_secure++;
	d->helo_secure = set->helo_answered == 3 && set->helo_secure == 3;
}

/* What the zone's answer says; the addresses themselves are not kept. */
static void
on_dbl(struct lookup_set *set, struct lookup *l,
    const struct dns_result *res)
{
	struct dns_facts	*d = &set->facts->dns;
	struct dbl_answer	*a;

	a = l->kind == LK_DBL_NAME ? &d->dbl[l->zone].name :
	    &d->dbl[l->zone].domain;
	a->state = status_state(res->status);
	a->outcome = dbl_classify(&d->dbl_zones[l->zone], a->state,
	    res->addrs, res->naddrs, &a->code);
}
