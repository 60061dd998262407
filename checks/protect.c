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
 * Protected names.  Each organisation is one "protect" line: its
 * domains, at or under which a HELO is protected, and its aliases,
 * domains where its outbound servers' rDNS names may also lie.  A HELO
 * under an organisation's domain is the organisation's own when the
 * client's confirmed name lies under any of its domains or aliases
 * (verdict.c adds the same registrable domain).
 */
#include "compat.h"

#include <stdlib.h>
#include <string.h>

#include "helo.h"
#include "policy.h"
#include "protect.h"

#define BUILTIN_DOMAINS	4
#define BUILTIN_ALIASES	1

/*
 * The largest mailbox providers whose outbound naming is stable: each
 * row says which HELO and which confirmed rDNS its servers use (as seen
 * in the Received lines of list archives), so that every one of them is
 * admitted.  A provider not sure to match is left out: a wrong row
 * refuses real mail.  "check protected pass" turns them all off.
 */
static const struct builtin_org {
	const char	*domains[BUILTIN_DOMAINS];
	const char	*aliases[BUILTIN_ALIASES];
} builtin_orgs[] = {
	/*
	 * Gmail and Google Workspace: HELO mail-pl1-f173.google.com from
	 * mail-pl1-f173.google.com; some IPv6 hosts have their rDNS in
	 * 1e100.net (mail-ia0-x231.google.com from ia-in-x0231.1e100.net).
	 */
	{ { "google.com", "gmail.com", "googlemail.com" }, { "1e100.net" } },
	/*
	 * Outlook.com and Microsoft 365: HELO
	 * EUR05-VI1-obe.outbound.protection.outlook.com from
	 * mail-vi1eur05on2090.outbound.protection.outlook.com (the same
	 * registrable domain); the older Hotmail servers HELO
	 * DUB004-OMC3S21.hotmail.com from dub004-omc3s21.hotmail.com.
	 */
	{ { "outlook.com", "hotmail.com", "live.com", "msn.com" }, { NULL } },
	/*
	 * Yahoo and AOL, one platform: HELO and rDNS
	 * sonic310-20.consmr.mail.gq1.yahoo.com, for aol.com senders too.
	 */
	{ { "yahoo.com", "ymail.com", "aol.com" }, { NULL } },
	/*
	 * iCloud: HELO outbound.st.icloud.com from
	 * p-east2-cluster1-host3-snip4-2.eps.apple.com, and earlier
	 * pv50p00im-ztdg10021801.me.com from that name.
	 */
	{ { "icloud.com", "me.com", "mac.com" }, { "apple.com" } },
};

static size_t
count(const char *const *v, size_t max)
{
	size_t	n;

	for (n = 0; n < max && v[n] != NULL; n++)
		;
	return n;
}

static int
names_eq(const struct namelist *l, const char *const *v, size_t n)
{
	size_t	i;

	if (l->n != n)
		return 0;
	for (i = 0; i < n; i++)
		if (!name_eq(l->v[i], v[i]))
			return 0;
	return 1;
}

static int
names_add(struct namelist *l, const char *const *v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (namelist_add(l, v[i]) == -1)
			return -1;
	return 0;
}

/*
 * One organisation, from names already normalised.  The same line
 * twice is one organisation: "filter-helo -n" prints the built-in rows,
 * and its output read back must give the same list.  -1: no memory.
 */
int
protect_add(struct protectlist *l, const char *const *domains, size_t nd,
    const char *const *aliases, size_t na)
{
	struct protect_org	*v, *org;
	size_t			 i;

	for (i = 0; i < l->n; i++)
		if (names_eq(&l->v[i].domains, domains, nd) &&
		    names_eq(&l->v[i].aliases, aliases, na))
			return 0;
	if ((v = reallocarray(l->v, l->n + 1, sizeof(*v))) == NULL)
		return -1;
	l->v = v;
	org = &v[l->n++];
	memset(org, 0, sizeof(*org));
	if (names_add(&org->domains, domains, nd) == -1 ||
	    names_add(&org->aliases, aliases, na) == -1)
		return -1;
	return 0;
}

int
protect_builtin(struct protectlist *l)
{
	const struct builtin_org	*b;
	size_t				 i;

	for (i = 0; i < nitems(builtin_orgs); i++) {
		b = &builtin_orgs[i];
		if (protect_add(l, b->domains, count(b->domains,
		    BUILTIN_DOMAINS), b->aliases, count(b->aliases,
		    BUILTIN_ALIASES)) == -1)
			return -1;
	}
	return 0;
}

void
protect_free(struct protectlist *l)
{
	size_t	i;

	for (i = 0; i < l->n; i++) {
		namelist_free(&l->v[i].domains);
		namelist_free(&l->v[i].aliases);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
	listfiles_free(&l->files);
}

static const char *
org_domain(const struct protect_org *org, const char *name)
{
	size_t	i;

	for (i = 0; i < org->domains.n; i++)
		if (name_in_domain(name, org->domains.v[i]))
			return org->domains.v[i];
	return NULL;
}

/* The protected domain the name is at or under, or NULL. */
const char *
protect_domain(const struct protectlist *l, const char *name)
{
	const char	*d;
	size_t		 i;

	for (i = 0; i < l->n; i++)
		if ((d = org_domain(&l->v[i], name)) != NULL)
			return d;
	return NULL;
}

/*
 * Is rdns at or under a domain or an alias of an organisation that
 * protects the HELO?  A domain may be in several lines: any will do.
 */
int
protect_admits(const struct protectlist *l, const char *helo,
    const char *rdns)
{
	const struct protect_org	*org;
	size_t				 i, k;

	for (i = 0; i < l->n; i++) {
		org = &l->v[i];
		if (org_domain(org, helo) == NULL)
			continue;
		if (org_domain(org, rdns) != NULL)
			return 1;
		for (k = 0; k < org->aliases.n; k++)
			if (name_in_domain(rdns, org->aliases.v[k]))
				return 1;
	}
	return 0;
}
