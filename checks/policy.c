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
 * The policy: each check's action and reply, from the defaults of the
 * table of checks (verdict.c) and then the configuration; the name and
 * network lists of the configuration.
 */
#include "compat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "helo.h"
#include "memory.h"
#include "policy.h"
#include "protect.h"

static void	reply_adapt(char *, size_t, const char *, enum action);

static const char *const action_names[ACT_COUNT] = {
	[ACT_PASS] =		"pass",
	[ACT_REPORT] =		"report",
	[ACT_JUNK] =		"junk",
	[ACT_TEMPFAIL] =	"tempfail",
	[ACT_REJECT] =		"reject",
	[ACT_DISCONNECT] =	"disconnect",
};

static const char *const phase_names[] = {
	[PHASE_HELO] =		"helo",
	[PHASE_MAIL_FROM] =	"mail-from",
	[PHASE_RCPT_TO] =	"rcpt-to",
};

const char *
action_name(enum action a)
{
	if ((unsigned int)a >= ACT_COUNT)
		return "unknown";
	return action_names[a];
}

int
action_lookup(const char *s, enum action *a)
{
	size_t	i;

	for (i = 0; i < nitems(action_names); i++) {
		if (strcmp(s, action_names[i]) == 0) {
			*a = i;
			return 0;
		}
	}
	return -1;
}

const char *
phase_name(enum phase ph)
{
	if ((unsigned int)ph >= nitems(phase_names))
		return "unknown";
	return phase_names[ph];
}

/* -1: no memory for the built-in protected names. */
int
policy_init(struct policy *p)
{
	int	i;

	memset(p, 0, sizeof(*p));
	p->phase = PHASE_RCPT_TO;
	p->dns_timeout = 8;
	p->stats_interval = STATS_INTERVAL_DEFAULT;
	p->rotation_limit = ROTATION_LIMIT_DEFAULT;
	p->rotation_window = MEMORY_WINDOW_DEFAULT;
	p->forged_window = MEMORY_WINDOW_DEFAULT;
	/*
	 * Registrable domains match by default: a HELO under the same
	 * domain as the client's PTR name is the common, honest case.
	 * "profile strict" asks for the exact name.
	 */
	p->rdns_mode = RDNS_DOMAIN;
	for (i = 0; i < CHECK_COUNT; i++)
		policy_set_action(p, i, check_default_action(i));
	return protect_builtin(&p->protect);
}

/* The strict receivers: a HELO must verify against the client. */
void
policy_strict(struct policy *p)
{
	p->rdns_mode = RDNS_EXACT;
	policy_set_action(p, CHECK_RDNS_MATCH, ACT_TEMPFAIL);
	policy_set_action(p, CHECK_RDNS, ACT_TEMPFAIL);
	policy_set_action(p, CHECK_FORWARD, ACT_TEMPFAIL);
	policy_set_action(p, CHECK_CNAME, ACT_REPORT);
	policy_set_action(p, CHECK_LITERAL, ACT_REJECT);
}

void
policy_free(struct policy *p)
{
	int	i;

	namelist_free(&p->resolvers);
	namelist_free(&p->local_names);
	namelist_free(&p->local_domains);
	namelist_free(&p->pass_helo);
	namelist_free(&p->pass_rdns);
	namelist_free(&p->pass_rcpt);
	namelist_free(&p->block_helo);
	protect_free(&p->protect);
	cidrlist_free(&p->pass_client);
	for (i = 0; i < CHECK_COUNT; i++) {
		cidrlist_free(&p->except[i].client);
		namelist_free(&p->except[i].helo);
		namelist_free(&p->except[i].rdns);
		namelist_free(&p->except[i].rcpt);
	}
	free(p->explain_url);
	p->explain_url = NULL;
	free(p->stats_file);
	p->stats_file = NULL;
}

/*
 * A reply given by "message" is the admin's; otherwise the default reply
 * follows the action, so that "check forward tempfail" answers 450 and
 * "check rdns reject" answers 550.
 */
void
policy_set_action(struct policy *p, enum check c, enum action a)
{
	struct rule	*r = &p->rules[c];

	r->action = a;
	if (!r->reply_set)
		reply_adapt(r->reply, sizeof(r->reply),
		    check_default_reply(c), a);
}

/* Give the reply code and the enhanced status code the action's class. */
static void
reply_adapt(char *dst, size_t len, const char *def, enum action a)
{
	strlcpy(dst, def, len);
	if (a == ACT_TEMPFAIL)
		reply_set_class(dst, '4');
	else if (a == ACT_REJECT || a == ACT_DISCONNECT)
		reply_set_class(dst, '5');
}

static const char *const except_kind_names[EXCEPT_KINDS] = {
	[EXCEPT_CLIENT] =	"client",
	[EXCEPT_HELO] =		"helo",
	[EXCEPT_RDNS] =		"rdns",
	[EXCEPT_RCPT] =		"rcpt",
};

const char *
except_kind_name(enum except_kind k)
{
	if ((unsigned int)k >= EXCEPT_KINDS)
		return "unknown";
	return except_kind_names[k];
}

/*
 * Once the lists are read: the network lists sorted for a binary
 * search.  Without memory for it a list is scanned, as it matches the
 * same.
 */
void
policy_index(struct policy *p)
{
	int	i;

	(void)cidrlist_index(&p->pass_client);
	for (i = 0; i < CHECK_COUNT; i++)
		(void)cidrlist_index(&p->except[i].client);
}

/* The settings the resolver is set up with, and only those. */
void
policy_dns_conf(const struct policy *p, struct dns_conf *c)
{
	c->resolvers = p->resolvers.v;
	c->nresolvers = p->resolvers.n;
	c->timeout = p->dns_timeout;
	c->dnssec = p->dnssec;
}
