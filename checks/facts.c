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
 * The DNS facts of one client: who owns their memory, and what the MTA
 * told us that spares a lookup.  The facts own their strings, so that
 * they outlive the lookups that found them.
 */
#include "compat.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "dbl.h"
#include "facts.h"

static int	name_cmp(const void *, const void *);
static void	dbl_expire(struct dbl_answer *);
static void	dbl_mark(struct dbl_answer *, const char *, const char *);

void
dns_facts_free(struct dns_facts *d)
{
	dns_facts_clear_client(d);
	dns_facts_clear_helo(d);
}

/* Forget the client's names: a new connection, or our own lookups. */
void
dns_facts_clear_client(struct dns_facts *d)
{
	size_t	i;

	for (i = 0; i < d->nrdns; i++)
		free(d->rdns[i]);
	free(d->rdns);
	d->rdns = NULL;
	d->nrdns = 0;
	d->rdns_mta = 0;
	d->ptr = d->fcrdns = LOOKUP_NONE;
}

/* Forget what the HELO's lookups said: a new HELO. */
void
dns_facts_clear_helo(struct dns_facts *d)
{
	free(d->helo_addrs);
	free(d->helo_cname);
	d->helo_addrs = NULL;
	d->helo_naddrs = 0;
	d->helo_cname = NULL;
	d->helo_secure = 0;
	d->helo_a = d->helo_aaaa = d->helo_mx = LOOKUP_NONE;
	free(d->dbl);
	free(d->dbl_zones);
	d->dbl = NULL;
	d->dbl_zones = NULL;
	d->ndbl = 0;
	d->dbl_lost = 0;
	free(d->spf_explanation);
	free(d->spf_problem);
	d->spf_explanation = d->spf_problem = NULL;
	d->spf = LOOKUP_NONE;
	d->spf_result = SPF_NONE;
}

/*
 * Room for the answers of the blocklist zones, none asked yet, and the
 * zones themselves.  -1: out of memory, and the zones' answers are lost:
 * the check cannot know.
 */
int
dns_facts_dbl_init(struct dns_facts *d, const struct dbl_list *zones)
{
	free(d->dbl);
	free(d->dbl_zones);
	d->ndbl = 0;
	d->dbl = calloc(zones->n, sizeof(*d->dbl));
	d->dbl_zones = reallocarray(NULL, zones->n, sizeof(*d->dbl_zones));
	if (d->dbl == NULL || d->dbl_zones == NULL) {
		free(d->dbl);
		free(d->dbl_zones);
		d->dbl = NULL;
		d->dbl_zones = NULL;
		d->dbl_lost = 1;
		return -1;
	}
	memcpy(d->dbl_zones, zones->v, zones->n * sizeof(*d->dbl_zones));
	d->ndbl = zones->n;
	d->dbl_lost = 0;
	return 0;
}

/*
 * The client's forward-confirmed names: the facts take the array and
 * its strings, and sort them so that no verdict depends on which
 * answer came first.  -1: out of memory, and the names are not taken.
 */
int
dns_facts_set_rdns(struct dns_facts *d, char **names, size_t n)
{
	char	**v;

	dns_facts_clear_client(d);
	if (n == 0)
		return 0;
	if ((v = reallocarray(NULL, n, sizeof(*v))) == NULL)
		return -1;
	memcpy(v, names, n * sizeof(*v));
	qsort(v, n, sizeof(*v), name_cmp);
	d->rdns = v;
	d->nrdns = n;
	d->ptr = d->fcrdns = LOOKUP_FOUND;
	return 0;
}

int
dns_facts_set_cname(struct dns_facts *d, const char *cname)
{
	char	*copy;

	if ((copy = strdup(cname)) == NULL)
		return -1;
	free(d->helo_cname);
	d->helo_cname = copy;
	return 0;
}

/*
 * The HELO's SPF result, with copies of its texts (spf.c's live only
 * during its callback).  A text that cannot be copied is left out: the
 * result stands without it.
 */
void
dns_facts_set_spf(struct dns_facts *d, enum spf_result result,
    const char *explanation, const char *problem)
{
	free(d->spf_explanation);
	free(d->spf_problem);
	d->spf_explanation = explanation != NULL ? strdup(explanation) : NULL;
	d->spf_problem = problem != NULL ? strdup(problem) : NULL;
	d->spf_result = result;
	d->spf = LOOKUP_FOUND;
}

/*
 * The MTA forward-confirmed the client's name (smtpd's fcrdns "pass",
 * Exim's $sender_host_name): the name is the client's whatever the HELO,
 * and stands for our own PTR and confirmation lookups.  Of a client with
 * several PTR names, it is the only one known then: the MTA gives one.
 * Kept as our lookups would write it, lower-case without the trailing
 * dot.  Returns 0 when it stands (already, or now); -1 when the client's
 * lookups are still needed: no name, no host name, our own lookups were
 * asked already (they know every name, and stand), or no memory.
 */
int
dns_facts_verified(struct dns_facts *d, const char *rdns)
{
	char	buf[NAME_BUFSZ], *name;

	if (d->rdns_mta)
		return 0;
	if (d->fcrdns != LOOKUP_NONE || rdns == NULL ||
	    !rdns_host_name(rdns) ||
	    name_normalise(rdns, buf, sizeof(buf)) == -1 || buf[0] == '.')
		return -1;
	if ((name = strdup(buf)) == NULL)
		return -1;
	if (dns_facts_set_rdns(d, &name, 1) == -1) {
		free(name);
		return -1;
	}
	d->rdns_mta = 1;
	return 0;
}

/*
 * The deadline passed: every lookup still in flight counts as failed,
 * so the checks that need it are unknown and the verdict can be given.
 */
void
dns_facts_expire(struct dns_facts *d)
{
	enum lookup_state	*ls[] = {
		&d->ptr, &d->fcrdns, &d->helo_a, &d->helo_aaaa, &d->helo_mx
	};
	size_t			 i;

	for (i = 0; i < nitems(ls); i++)
		if (*ls[i] == LOOKUP_PENDING)
			*ls[i] = LOOKUP_ERROR;
	for (i = 0; i < d->ndbl; i++) {
		dbl_expire(&d->dbl[i].name);
		dbl_expire(&d->dbl[i].domain);
	}
	/* RFC 7208 2.6.6: a DNS error that may pass is a temperror. */
	if (d->spf == LOOKUP_PENDING)
		dns_facts_set_spf(d, SPF_TEMPERROR, NULL, "deadline");
}

static void
dbl_expire(struct dbl_answer *a)
{
	if (a->state != LOOKUP_PENDING)
		return;
	a->state = LOOKUP_ERROR;
	a->outcome = DBL_FAILED;
}

/* The first of the client's forward-confirmed names, or NULL. */
const char *
dns_facts_rdns(const struct dns_facts *d)
{
	if (d->fcrdns == LOOKUP_FOUND && d->nrdns > 0)
		return d->rdns[0];
	return NULL;
}

/*
 * Mark in flight what a plan asks (verdict_plan()), as lookup_start()
 * asks it, so that a verdict decided before any answer waits for them:
 * with NEEDS_PTR, the client's names; with PLAN_HELO, the HELO's
 * records asked, and its name and registrable domain on each
 * blocklist zone (the zones copied; a query name too long to ask is
 * no listing), in place of what an earlier HELO's lookups said.  SPF
 * has nothing to look up for an address literal, a name of one label
 * or a client without an address: its result is none at once.
 */
void
facts_mark(struct facts *f, int plan, const struct dbl_list *zones)
{
	struct dns_facts	*d = &f->dns;
	const char		*domain;
	size_t			 i;

	if (plan & NEEDS_PTR) {
		dns_facts_clear_client(d);
		if (f->client.family != 0)
			d->ptr = d->fcrdns = LOOKUP_PENDING;
	}
	if (!(plan & PLAN_HELO))
		return;
	dns_facts_clear_helo(d);
	if ((plan & NEEDS_SPF_HELO) && f->helo_raw != NULL) {
		if (f->helo.kind == HELO_DOMAIN && !f->helo.dotless &&
		    f->client.family != 0)
			d->spf = LOOKUP_PENDING;
		else
			dns_facts_set_spf(d, SPF_NONE, NULL, NULL);
	}
	if (f->helo_raw == NULL || f->helo.kind != HELO_DOMAIN ||
	    f->helo.dotless)
		return;
	if (plan & NEEDS_HELO_A)
		d->helo_a = LOOKUP_PENDING;
	if (plan & NEEDS_HELO_AAAA)
		d->helo_aaaa = LOOKUP_PENDING;
	if (plan & NEEDS_HELO_MX)
		d->helo_mx = LOOKUP_PENDING;
	if (!(plan & NEEDS_DBL) || zones->n == 0 ||
	    dns_facts_dbl_init(d, zones) == -1)
		return;
	domain = dbl_domain(f->helo.name);
	for (i = 0; i < d->ndbl; i++) {
		dbl_mark(&d->dbl[i].name, f->helo.name, d->dbl_zones[i].zone);
		if (domain != NULL)
			dbl_mark(&d->dbl[i].domain, domain,
			    d->dbl_zones[i].zone);
	}
}

static void
dbl_mark(struct dbl_answer *a, const char *name, const char *zone)
{
	char	qname[NAME_BUFSZ];

	if (dbl_query_name(name, zone, qname, sizeof(qname)) == 0)
		a->state = LOOKUP_PENDING;
}

/* Is the HELO one of the client's forward-confirmed names? */
int
facts_helo_confirmed(const struct facts *f)
{
	size_t	i;

	if (f->helo_raw == NULL || f->helo.kind != HELO_DOMAIN ||
	    f->dns.fcrdns != LOOKUP_FOUND)
		return 0;
	for (i = 0; i < f->dns.nrdns; i++)
		if (name_eq(f->helo.name, f->dns.rdns[i]))
			return 1;
	return 0;
}

/*
 * The client's name to show (%r, the log): the confirmed name the HELO
 * gave if it is one, else the first confirmed one, or NULL.  A client
 * with several names whose HELO is one of them is then shown by that
 * name whether the MTA told us the one it uses or our lookups found
 * them all.
 */
const char *
facts_rdns(const struct facts *f)
{
	size_t	i;

	if (f->dns.fcrdns != LOOKUP_FOUND || f->dns.nrdns == 0)
		return NULL;
	if (f->helo_raw != NULL && f->helo.kind == HELO_DOMAIN)
		for (i = 0; i < f->dns.nrdns; i++)
			if (name_eq(f->helo.name, f->dns.rdns[i]))
				return f->dns.rdns[i];
	return f->dns.rdns[0];
}

/*
 * Only a host name can be the client's name.  A PTR target is any wire
 * name, and dns.c writes odd octets as \DDD: such a name, or one too
 * long to keep whole, could be cut down to look like somebody else's.
 */
int
rdns_host_name(const char *name)
{
	const char	*p;

	if (name[0] == '\0' || strlen(name) > NAME_MAX_LEN)
		return 0;
	for (p = name; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '.' &&
		    *p != '_')
			return 0;
	return 1;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}
