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
 * The verdict log line, and what the resolver tells of its answers.
 * Client data in them is escaped, so that one verdict is one line and
 * says exactly what was sent.
 */
#include "compat.h"

#include <stdio.h>
#include <string.h>

#include "dns.h"
#include "header.h"
#include "log.h"
#include "report.h"
#include "verdict.h"

#define ESCAPED_MAX	(4 * NAME_BUFSZ)
/* "zone:zone-error:127.255.255.254," for each zone */
#define DBL_FIELD_MAX	(DBL_ZONES_MAX * (NAME_BUFSZ + 32))

static void	dbl_field(const struct facts *, char *, size_t);

static const char *const state_names[] = {
	[CS_CLEAR] =	"clear",
	[CS_FIRED] =	"fired",
	[CS_UNKNOWN] =	"unknown",
	[CS_WAIT] =	"waiting",
};

/*
 * id prefixes the line (smtpd's session id, or "" for Exim); rdns is
 * the name to show when our own lookups confirmed none (smtpd's, if it
 * confirmed one), or NULL.
 */
void
report_verdict(const char *id, const struct policy *p, const struct facts *f,
    const struct verdict *v, const char *rdns)
{
	char		ip[ADDR_STRLEN], helo[ESCAPED_MAX], name[ESCAPED_MAX];
	char		fired[256], unknown[256], waiting[256], would[32];
	char		dbl[DBL_FIELD_MAX], spared[512];
	char		problem[ESCAPED_MAX];
	const char	*spf;
	enum action	a;
	int		c;

	if (f->local)
		snprintf(ip, sizeof(ip), "local");
	else
		addr_fmt(&f->client, ip, sizeof(ip));
	if (facts_rdns(f) != NULL)
		rdns = facts_rdns(f);
	log_escape(rdns != NULL ? rdns : "unknown", name, sizeof(name));
	log_escape(f->helo_raw != NULL ? f->helo_raw : "", helo,
	    sizeof(helo));
	if (v->exempt != NULL) {
		log_info("%sip=%s rdns=%s helo=%s verdict=pass (exempt: %s)",
		    id, ip, name, helo, v->exempt);
		return;
	}
	verdict_list(v, CS_FIRED, fired, sizeof(fired));
	if (verdict_list(v, CS_UNKNOWN, unknown, sizeof(unknown)) == 0)
		unknown[0] = '\0';
	/* Checks still waiting for DNS when a refusal was already sure. */
	if (verdict_list(v, CS_WAIT, waiting, sizeof(waiting)) == 0)
		waiting[0] = '\0';
	dbl_field(f, dbl, sizeof(dbl));
	spf = header_spf(f);
	(void)verdict_spared(v, spared, sizeof(spared));
	/* Under dry-run, what was not done: smtpd or Exim was told pass. */
	would[0] = '\0';
	if (p->dry_run && v->action >= ACT_JUNK)
		snprintf(would, sizeof(would), " would=%s",
		    action_name(v->action));
	log_info("%sip=%s rdns=%s helo=%s verdict=%s checks=%s%s%s%s%s%s%s"
	    "%s%s%s%s%s%s%s%s", id, ip, name, helo, action_name(v->action),
	    fired, unknown[0] ? " unknown=" : "", unknown,
	    waiting[0] ? " waiting=" : "", waiting,
	    spared[0] ? " spared=" : "", spared,
	    f->dns.helo_secure ? " dns=secure" : "",
	    dbl[0] ? " dbl=" : "", dbl,
	    spf != NULL ? " spf-helo=" : "", spf != NULL ? spf : "",
	    v->rotation[0] ? " rotation=" : "", v->rotation, would);
	if (!log_verbose())
		return;
	/* What matched, or what went wrong: the domain's, escaped. */
	if (f->dns.spf == LOOKUP_FOUND && f->dns.spf_problem != NULL)
		log_debug("%sspf-helo %s: %s", id,
		    spf_result_name(f->dns.spf_result),
		    log_escape(f->dns.spf_problem, problem, sizeof(problem)));
	for (c = 0; c < CHECK_COUNT; c++) {
		if ((a = p->rules[c].action) == ACT_PASS)
			continue;
		log_debug("%scheck %s %s (%s)", id, check_name(c),
		    state_names[v->state[c]], action_name(a));
	}
}

/*
 * What the blocklist zones said, when one listed the name (or its
 * domain) or answered with an error: "ZONE:listed:127.0.1.2", comma-
 * separated, one per zone, a listing before an error.  Empty otherwise,
 * so that the common line stays short.
 */
static void
dbl_field(const struct facts *f, char *buf, size_t len)
{
	const struct dbl_answer	*a, *shown;
	char			 code[ADDR_STRLEN];
	char			 one[NAME_BUFSZ + ADDR_STRLEN + 32];
	size_t			 i;
	int			 k;

	buf[0] = '\0';
	for (i = 0; i < f->dns.ndbl; i++) {
		shown = NULL;
		for (k = 0; k < 2; k++) {
			a = k == 0 ? &f->dns.dbl[i].name :
			    &f->dns.dbl[i].domain;
			if (a->state == LOOKUP_NONE ||
			    a->state == LOOKUP_PENDING)
				continue;
			if (a->outcome == DBL_LISTED && (shown == NULL ||
			    shown->outcome != DBL_LISTED))
				shown = a;
			else if (a->outcome == DBL_ZONE_ERROR && shown == NULL)
				shown = a;
		}
		if (shown == NULL)
			continue;
		addr_fmt(&shown->code, code, sizeof(code));
		snprintf(one, sizeof(one), "%s%s:%s:%s", buf[0] ? "," : "",
		    f->dns.dbl_zones[i].zone, dbl_outcome_name(shown->outcome),
		    code[0] ? code : "none");
		strlcat(buf, one, len);
	}
}

/*
 * The resolver's observer.  A failure on our side (c-ares', or out
 * of memory) is a warning: the operator must know that a 4xx was ours.
 * With -v, each answer, why it was bogus, and how long it took.
 */
void
report_dns(const char *name, int type, const struct dns_result *res)
{
	char	 buf[ESCAPED_MAX];
	int	 bogus;

	if (name == NULL) {
		log_warnx("%s: %s", res->why, res->detail);
		return;
	}
	log_escape(name, buf, sizeof(buf));
	bogus = res->status == DNS_ERROR && res->why != NULL &&
	    strcmp(res->why, "bogus") == 0;
	if (res->detail != NULL && !bogus)
		log_warnx("dns %s %s: %s", buf, dns_type_name(type),
		    res->detail);
	if (!log_verbose())
		return;
	if (res->detail != NULL && bogus)
		log_debug("dns %s: %s", buf, res->detail);
	log_debug("dns %s %s %s%s %ldms", buf, dns_type_name(type),
	    dns_result_name(res), res->cached ? " (cached)" : "", res->msec);
}
