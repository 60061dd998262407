/*
 * The verdict log line, and what the resolver tells of its answers.
 * Client data in them is escaped, so that one verdict is one line and
 * says exactly what was sent.
 */
#include "compat.h"

#include <stdio.h>
#include <string.h>

#include "dns.h"
#include "log.h"
#include "report.h"
#include "verdict.h"

#define ESCAPED_MAX	(4 * NAME_BUFSZ)

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
	/* Under dry-run, what was not done: smtpd or Exim was told pass. */
	would[0] = '\0';
	if (p->dry_run && v->action >= ACT_JUNK)
		snprintf(would, sizeof(would), " would=%s",
		    action_name(v->action));
	log_info("%sip=%s rdns=%s helo=%s verdict=%s checks=%s%s%s%s%s%s%s",
	    id, ip, name, helo, action_name(v->action), fired,
	    unknown[0] ? " unknown=" : "", unknown,
	    waiting[0] ? " waiting=" : "", waiting,
	    f->dns.helo_secure ? " dns=secure" : "", would);
	if (!log_verbose())
		return;
	for (c = 0; c < CHECK_COUNT; c++) {
		if ((a = p->rules[c].action) == ACT_PASS)
			continue;
		log_debug("%scheck %s %s (%s)", id, check_name(c),
		    state_names[v->state[c]], action_name(a));
	}
}

/*
 * The resolver's observer.  A failure on our side (libunbound's, or out
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
