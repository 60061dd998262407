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
 * The decision: strongest action, tie-break, exemptions, lookups that
 * are pending, failed or absent, dns-error, and the reply text.
 */
#include "compat.h"

#include <sys/socket.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "protect.h"
#include "tap.h"
#include "verdict.h"

static struct policy	p;
static struct facts	f;
static struct addr	helo_addrs[2];
static struct memory	*mem;

/*
 * A remote client 192.0.2.10 talking to us at 192.0.2.1.  The names
 * are under .test and the addresses in documentation ranges, which
 * special-name and private would judge: test_special() and
 * test_private() turn them on.
 */
static void
reset(const char *helo)
{
	policy_free(&p);
	policy_init(&p);
	policy_set_action(&p, CHECK_SPECIAL_NAME, ACT_PASS);
	policy_set_action(&p, CHECK_PRIVATE, ACT_PASS);
	policy_set_action(&p, CHECK_SPF_HELO, ACT_PASS);
	helo_clear(&f.helo);
	memset(&f, 0, sizeof(f));
	addr_parse("192.0.2.10", &f.client);
	addr_parse("192.0.2.1", &f.server);
	f.greeting = "mx.regress.test";
	f.helo_raw = helo;
	if (helo != NULL)
		helo_classify(helo, &f.helo);
}

static void
dns_helo(enum lookup_state a, enum lookup_state aaaa, enum lookup_state mx)
{
	f.dns.helo_a = a;
	f.dns.helo_aaaa = aaaa;
	f.dns.helo_mx = mx;
}

static char	*rdns_names[2];
static char	 cname[] = "www.regress.test";

/* The client's confirmed names: none, one, or two ("a b"). */
static void
rdns(enum lookup_state st, const char *names)
{
	static char	buf[2 * NAME_BUFSZ];
	char		*tok;

	f.dns.fcrdns = st;
	f.dns.nrdns = 0;
	f.dns.rdns = rdns_names;
	if (names == NULL)
		return;
	strlcpy(buf, names, sizeof(buf));
	for (tok = strtok(buf, " "); tok != NULL && f.dns.nrdns < 2;
	    tok = strtok(NULL, " "))
		rdns_names[f.dns.nrdns++] = tok;
}

static const char *
decided(struct verdict *v)
{
	static char	buf[256];
	char		fired[200];

	verdict_decide(&p, &f, v);
	if (v->exempt != NULL)
		snprintf(buf, sizeof(buf), "exempt:%s", v->exempt);
	else if (v->wait)
		snprintf(buf, sizeof(buf), "wait");
	else {
		verdict_list(v, CS_FIRED, fired, sizeof(fired));
		snprintf(buf, sizeof(buf), "%s %s %s", action_name(v->action),
		    v->check >= 0 ? check_name(v->check) : "-", fired);
	}
	return buf;
}

static const char *
reply(void)
{
	static char	buf[1024];
	struct verdict	v;

	verdict_decide(&p, &f, &v);
	if (verdict_reply(&p, &f, &v, buf, sizeof(buf)) == -1)
		return "(none)";
	return buf;
}

static void
test_strongest(void)
{
	struct verdict	v;

	reset("good.regress.test");
	is_str(decided(&v), "pass - -", "a good name passes");

	reset("192.0.2.1");
	is_str(decided(&v), "reject self self,bare-ip",
	    "equal actions: the first in table order replies");

	reset("[198.51.100.7]");
	f.helo_prev = "other.example";
	is_str(decided(&v), "junk literal literal,changed",
	    "two junk checks: literal replies");

	reset("[198.51.100.7]");
	policy_set_action(&p, CHECK_CHANGED, ACT_TEMPFAIL);
	f.helo_prev = "other.example";
	is_str(decided(&v), "tempfail changed literal,changed",
	    "the stronger action wins over table order");

	reset("192-0-2-10.dyn.example.net");
	is_str(decided(&v), "report dynamic dynamic", "report only reports");

	reset("localhost");
	policy_set_action(&p, CHECK_NON_FQDN, ACT_PASS);
	is_str(decided(&v), "pass - -", "a check set to pass never runs");
	is_int(v.state[CHECK_NON_FQDN], CS_CLEAR, "pass: state clear");

	reset(NULL);
	is_str(decided(&v), "pass - -", "no HELO yet: nothing fires");
}

static void
test_exempt(void)
{
	struct verdict	v;
	struct cidr	c;

	reset("localhost");
	f.authenticated = 1;
	is_str(decided(&v), "exempt:authenticated", "authenticated");

	reset("localhost");
	f.local = 1;
	memset(&f.client, 0, sizeof(f.client));
	is_str(decided(&v), "exempt:local", "unix socket");

	reset("localhost");
	addr_parse("::1", &f.client);
	is_str(decided(&v), "exempt:local", "IPv6 loopback");

	reset("localhost");
	addr_parse("192.0.2.1", &f.client);
	is_str(decided(&v), "exempt:own address", "our own address");

	reset("localhost");
	cidr_parse("192.0.2.0/28", &c);
	cidrlist_add(&p.pass_client, &c);
	is_str(decided(&v), "exempt:pass client", "pass client inside");
	addr_parse("192.0.2.16", &f.client);
	is_str(decided(&v), "reject non-fqdn non-fqdn",
	    "pass client outside");

	reset("a_b.partner.example");
	namelist_add(&p.pass_helo, ".partner.example");
	is_str(decided(&v), "exempt:pass helo", "pass helo suffix");

	reset("localhost");
	namelist_add(&p.pass_rdns, ".partner.example");
	rdns(LOOKUP_PENDING, NULL);
	is_str(decided(&v), "wait", "pass rdns waits for the rDNS name");
	rdns(LOOKUP_FOUND, "mx1.partner.example");
	is_str(decided(&v), "exempt:pass rdns", "pass rdns confirmed name");
	rdns(LOOKUP_FOUND, "mx1.other.example");
	is_str(decided(&v), "reject non-fqdn non-fqdn,rdns-match",
	    "pass rdns other name");
}

static void
test_dns(void)
{
	struct verdict	v;

	reset("nowhere.regress.test");
	dns_helo(LOOKUP_NXDOMAIN, LOOKUP_NXDOMAIN, LOOKUP_NXDOMAIN);
	is_str(decided(&v), "tempfail dns dns,forward",
	    "NXDOMAIN for all three: Host not found");
	is_str(reply(), "450 4.7.1 <nowhere.regress.test>: Helo command "
	    "rejected: Host not found", "dns reply");

	dns_helo(LOOKUP_NODATA, LOOKUP_NODATA, LOOKUP_FOUND);
	is_str(decided(&v), "report forward forward",
	    "MX only: the name exists");

	dns_helo(LOOKUP_NXDOMAIN, LOOKUP_ERROR, LOOKUP_NXDOMAIN);
	is_str(decided(&v), "tempfail dns-error dns-error,forward",
	    "one lookup failed: dns is unknown, dns-error fires");
	is_int(v.state[CHECK_DNS], CS_UNKNOWN, "dns unknown");
	is_str(reply(), "451 4.4.3 <nowhere.regress.test>: Helo command "
	    "rejected: temporary DNS failure, try again later",
	    "dns-error reply");

	dns_helo(LOOKUP_FOUND, LOOKUP_ERROR, LOOKUP_ERROR);
	is_str(decided(&v), "report forward forward",
	    "any data: exists, whatever failed");

	reset("good.regress.test");
	dns_helo(LOOKUP_FOUND, LOOKUP_PENDING, LOOKUP_PENDING);
	policy_set_action(&p, CHECK_FORWARD, ACT_PASS);
	is_str(decided(&v), "pass - -", "one answer with data settles dns");
	p.dnssec = DNSSEC_LOOPBACK;
	is_str(decided(&v), "wait",
	    "with DNSSEC, all answers are awaited for dns=secure");
	p.dnssec = DNSSEC_ANY;
	is_str(decided(&v), "wait", "dnssec any: awaited too");
	p.dnssec = DNSSEC_OFF;

	reset("nowhere.regress.test");
	dns_helo(LOOKUP_PENDING, LOOKUP_NXDOMAIN, LOOKUP_NXDOMAIN);
	is_str(decided(&v), "wait", "a lookup in flight: wait");
	dns_facts_expire(&f.dns);
	is_int(f.dns.helo_a, LOOKUP_ERROR, "deadline: pending is failed");
	is_str(decided(&v), "tempfail dns-error dns-error",
	    "deadline: dns-error");

	reset("nowhere.regress.test");
	dns_helo(LOOKUP_ERROR, LOOKUP_ERROR, LOOKUP_ERROR);
	policy_set_action(&p, CHECK_DNS, ACT_REPORT);
	is_str(decided(&v), "pass - -",
	    "a failure that only feeds report checks fires nothing");
	is_int(v.state[CHECK_FORWARD], CS_UNKNOWN, "forward unknown");

	reset("nowhere.regress.test");
	dns_helo(LOOKUP_ERROR, LOOKUP_ERROR, LOOKUP_ERROR);
	policy_set_action(&p, CHECK_DNS_ERROR, ACT_PASS);
	is_str(decided(&v), "pass - -", "dns-error set to pass");

	reset("nowhere.regress.test");
	dns_helo(LOOKUP_ERROR, LOOKUP_ERROR, LOOKUP_ERROR);
	policy_set_action(&p, CHECK_SYNTAX, ACT_REJECT);
	reset("bad..name");
	dns_helo(LOOKUP_ERROR, LOOKUP_ERROR, LOOKUP_ERROR);
	is_str(decided(&v), "reject syntax syntax",
	    "a definite refusal beats a DNS failure");
}

static void
test_forward_rdns(void)
{
	struct verdict	v;

	reset("good.regress.test");
	dns_helo(LOOKUP_FOUND, LOOKUP_NODATA, LOOKUP_NODATA);
	addr_parse("192.0.2.10", &helo_addrs[0]);
	f.dns.helo_addrs = helo_addrs;
	f.dns.helo_naddrs = 1;
	is_str(decided(&v), "pass - -", "forward: resolves to the client");
	addr_parse("198.51.100.99", &helo_addrs[0]);
	is_str(decided(&v), "report forward forward",
	    "forward: resolves elsewhere");
	policy_strict(&p);
	is_str(decided(&v), "tempfail forward forward", "strict: forward 4xx");
	is_str(reply(), "450 4.7.1 <good.regress.test>: Helo command "
	    "rejected: good.regress.test does not resolve to 192.0.2.10",
	    "strict: forward reply adapted to 4xx");

	reset("mail.example.co.uk");
	rdns(LOOKUP_FOUND, "out.example.co.uk");
	is_str(decided(&v), "pass - -", "rdns-match domain: same org");
	p.rdns_mode = RDNS_EXACT;
	is_str(decided(&v), "report rdns-match rdns-match",
	    "rdns-match exact: different names");
	rdns(LOOKUP_FOUND, "MAIL.example.co.uk.");
	is_str(decided(&v), "pass - -", "rdns-match exact: case, dot");

	reset("mail.a.co.uk");
	rdns(LOOKUP_FOUND, "mail.b.co.uk");
	is_str(decided(&v), "report rdns-match rdns-match",
	    "rdns-match domain: public suffix is no org");

	reset("good.regress.test");
	rdns(LOOKUP_NXDOMAIN, NULL);
	is_str(decided(&v), "report rdns rdns,rdns-match", "no PTR: rdns");
	policy_strict(&p);
	is_str(decided(&v), "tempfail rdns rdns,rdns-match",
	    "strict: no PTR is 4xx");
	is_str(reply(), "450 4.7.25 Client host rejected: cannot find your "
	    "hostname, [192.0.2.10]", "rdns reply");

	reset("good.regress.test");
	policy_strict(&p);
	rdns(LOOKUP_ERROR, NULL);
	is_str(decided(&v), "tempfail dns-error dns-error",
	    "strict: PTR lookup failed is dns-error, never 5xx");

	reset("alias.regress.test");
	dns_helo(LOOKUP_FOUND, LOOKUP_NODATA, LOOKUP_NODATA);
	f.dns.helo_cname = cname;
	f.dns.helo_addrs = NULL;
	f.dns.helo_naddrs = 0;
	is_str(decided(&v), "report forward forward,cname", "cname");

	reset("mx.isp.example");
	rdns(LOOKUP_FOUND, "c-192-0-2-10.hsd1.isp.example");
	is_str(decided(&v), "report dynamic dynamic",
	    "dynamic from the rDNS name");
}

static void
test_rcpt_domain(void)
{
	struct verdict	v;

	reset("regress.test");
	f.rcpt_domain = "regress.test";
	rdns(LOOKUP_FOUND, "mx2.regress.test");
	is_str(decided(&v), "pass - -",
	    "rcpt-domain from a host inside the domain");
	rdns(LOOKUP_FOUND, "host.elsewhere.example");
	is_str(decided(&v), "reject rcpt-domain rcpt-domain,rdns-match",
	    "rcpt-domain from elsewhere");
	is_str(reply(), "550 5.7.1 <regress.test>: Helo command rejected: "
	    "you are not regress.test", "rcpt-domain reply");
	rdns(LOOKUP_ERROR, NULL);
	is_str(decided(&v), "tempfail dns-error dns-error",
	    "rcpt-domain without rDNS answer: dns-error");
	rdns(LOOKUP_PENDING, NULL);
	is_str(decided(&v), "wait", "rcpt-domain waits for rDNS");

	reset("regress.test");
	rdns(LOOKUP_NXDOMAIN, NULL);
	is_str(decided(&v), "report rdns rdns,rdns-match",
	    "no rcpt, no local-domain: rcpt-domain clear");
	namelist_add(&p.local_domains, "regress.test");
	is_str(decided(&v), "reject rcpt-domain rcpt-domain,rdns,rdns-match",
	    "local-domain");
}

/* Adds one organisation as "protect" does. */
static void
protect(const char *line)
{
	static char	 buf[256];
	const char	*v[8];
	char		*tok;
	size_t		 n = 0, nd = 0;
	int		 alias = 0;

	strlcpy(buf, line, sizeof(buf));
	for (tok = strtok(buf, " "); tok != NULL && n < nitems(v);
	    tok = strtok(NULL, " ")) {
		if (strcmp(tok, "alias") == 0) {
			alias = 1;
			continue;
		}
		v[n++] = tok;
		if (!alias)
			nd++;
	}
	protect_add(&p.protect, v, nd, v + nd, n - nd);
}

static void
test_protected(void)
{
	static const struct {
		const char		*helo;
		enum lookup_state	 st;
		const char		*rdns;
		const char		*want;
		const char		*why;
	} cases[] = {
		{ "mail.bigmail.test", LOOKUP_FOUND, "out7.bigmail.test",
		    "pass - -", "confirmed rDNS under the domain" },
		{ "bigmail.test", LOOKUP_FOUND, "out7.bigmail.test",
		    "pass - -", "the domain itself from its own host" },
		{ "a.bigmail-mx.test", LOOKUP_FOUND, "out7.bigmail.test",
		    "pass - -", "a second domain of the line" },
		{ "a.bigmail.test", LOOKUP_FOUND, "mta1.outbound.mailhost.test",
		    "pass - -", "rDNS under an alias" },
		{ "a.bigmail.test", LOOKUP_FOUND, "x.mailhost.test",
		    "reject protected protected",
		    "the alias's parent is not the alias" },
		{ "mailhost.test", LOOKUP_FOUND, "host.elsewhere.example",
		    "pass - -", "an alias is not protected" },
		{ "mx.eu.bigmail.test", LOOKUP_FOUND, "smtp.bigmail.test",
		    "pass - -", "same registrable domain" },
		{ "a.bigmail.test", LOOKUP_FOUND, "a.bigmail.test.evil.example",
		    "reject protected protected", "a suffix is no domain" },
		{ "a.bigmail.test", LOOKUP_FOUND, "mail.other.test",
		    "reject protected protected", "confirmed elsewhere" },
		{ "a.bigmail.test", LOOKUP_NXDOMAIN, NULL,
		    "reject protected protected,rdns", "no PTR" },
		{ "a.bigmail.test", LOOKUP_NODATA, NULL,
		    "reject protected protected,rdns", "no confirmed name" },
		{ "a.bigmail.test", LOOKUP_ERROR, NULL,
		    "tempfail dns-error dns-error",
		    "lookup failed: never 5xx" },
		{ "a.bigmail.test", LOOKUP_PENDING, NULL, "wait",
		    "lookup pending" },
		{ "a.bigmail.test", LOOKUP_NONE, NULL, "pass - -",
		    "no client address: nothing to hold" },
		{ "notbigmail.test", LOOKUP_NXDOMAIN, NULL, "report rdns rdns",
		    "a name that only ends the same is not protected" },
		{ "mail-wr1-f54.google.com", LOOKUP_FOUND,
		    "mail-wr1-f54.google.com", "pass - -", "built in: Gmail" },
		{ "mail-ia0-x231.google.com", LOOKUP_FOUND,
		    "ia-in-x0231.1e100.net", "pass - -",
		    "built in: Gmail from 1e100.net" },
		{ "mail.gmail.com", LOOKUP_FOUND, "good.regress.test",
		    "reject protected protected", "built in: not Google" },
		{ "EUR05-VI1-obe.outbound.protection.outlook.com",
		    LOOKUP_FOUND,
		    "mail-vi1eur05on2055.outbound.protection.outlook.com",
		    "pass - -", "built in: Microsoft 365" },
		{ "outbound.st.icloud.com", LOOKUP_FOUND,
		    "p-east2-cluster1-host3-snip4-2.eps.apple.com", "pass - -",
		    "built in: iCloud from apple.com" },
		{ "sonic310-20.consmr.mail.gq1.yahoo.com", LOOKUP_FOUND,
		    "sonic310-20.consmr.mail.gq1.yahoo.com", "pass - -",
		    "built in: Yahoo" },
		{ "yahoo.com", LOOKUP_FOUND, "c-1-2-3-4.hsd1.isp.example",
		    "reject protected protected", "built in: not Yahoo" },
	};
	struct verdict	v;
	size_t		i;

	for (i = 0; i < nitems(cases); i++) {
		reset(cases[i].helo);
		p.rdns_mode = RDNS_EXACT;
		policy_set_action(&p, CHECK_RDNS_MATCH, ACT_PASS);
		protect("bigmail.test bigmail-mx.test alias "
		    "outbound.mailhost.test");
		rdns(cases[i].st, cases[i].rdns);
		is_str(decided(&v), cases[i].want, "protected: %s",
		    cases[i].why);
	}

	reset("smtp.bigmail.test");
	protect("bigmail.test");
	rdns(LOOKUP_FOUND, "host.elsewhere.example");
	is_str(reply(), "550 5.7.1 <smtp.bigmail.test>: Helo command "
	    "rejected: you are not bigmail.test", "protected: the reply");

	reset("mail.gmail.com");
	policy_set_action(&p, CHECK_PROTECTED, ACT_PASS);
	rdns(LOOKUP_FOUND, "good.regress.test");
	is_str(decided(&v), "report rdns-match rdns-match",
	    "check protected pass turns the built-in list off");

	reset("regress.test");
	protect("regress.test");
	f.rcpt_domain = "regress.test";
	rdns(LOOKUP_FOUND, "host.elsewhere.example");
	is_str(decided(&v), "reject rcpt-domain rcpt-domain,protected,"
	    "rdns-match", "rcpt-domain and protected: rcpt-domain replies");
	is_str(reply(), "550 5.7.1 <regress.test>: Helo command rejected: "
	    "you are not regress.test", "and keeps its %%d");

	reset("a.bigmail.test");
	protect("bigmail.test alias outbound.mailhost.test");
	protect("bigmail.test alias outbound.mailhost.test");
	is_int(p.protect.n, 5, "the same line twice is one organisation");
}

/* A HELO whose addresses, A and AAAA, are all in special networks. */
static void
private_addrs(const char *a, const char *b)
{
	f.dns.helo_naddrs = 0;
	f.dns.helo_addrs = helo_addrs;
	if (a != NULL)
		addr_parse(a, &helo_addrs[f.dns.helo_naddrs++]);
	if (b != NULL)
		addr_parse(b, &helo_addrs[f.dns.helo_naddrs++]);
}

static void
test_private(void)
{
	static const struct {
		enum lookup_state	 a, aaaa;
		const char		*addr1, *addr2;
		const char		*want;
		const char		*why;
	} cases[] = {
		{ LOOKUP_FOUND, LOOKUP_NODATA, "10.1.2.3", NULL,
		    "reject private private", "RFC 1918 only" },
		{ LOOKUP_FOUND, LOOKUP_NODATA, "127.0.0.1", NULL,
		    "reject private private", "loopback only" },
		{ LOOKUP_NODATA, LOOKUP_FOUND, "fe80::1", NULL,
		    "reject private private", "link-local only" },
		{ LOOKUP_FOUND, LOOKUP_FOUND, "192.168.1.1", "fd00::1",
		    "reject private private", "private A and AAAA" },
		{ LOOKUP_FOUND, LOOKUP_FOUND, "10.1.2.3", "2a00:1450::1",
		    "pass - -", "a public AAAA among private ones" },
		{ LOOKUP_FOUND, LOOKUP_PENDING, "8.8.8.8", NULL, "pass - -",
		    "a public A settles it, AAAA pending" },
		{ LOOKUP_FOUND, LOOKUP_PENDING, "10.1.2.3", NULL, "wait",
		    "private A, AAAA pending" },
		{ LOOKUP_FOUND, LOOKUP_ERROR, "10.1.2.3", NULL,
		    "tempfail dns-error dns-error",
		    "private A, AAAA failed: unknown" },
		{ LOOKUP_NXDOMAIN, LOOKUP_NXDOMAIN, NULL, NULL,
		    "tempfail dns dns", "no address: for dns to judge" },
	};
	struct verdict	v;
	size_t		i;

	for (i = 0; i < nitems(cases); i++) {
		reset("host.regress.test");
		policy_set_action(&p, CHECK_PRIVATE, ACT_REJECT);
		policy_set_action(&p, CHECK_FORWARD, ACT_PASS);
		rdns(LOOKUP_FOUND, "good.regress.test");
		dns_helo(cases[i].a, cases[i].aaaa, LOOKUP_NODATA);
		private_addrs(cases[i].addr1, cases[i].addr2);
		is_str(decided(&v), cases[i].want, "private: %s",
		    cases[i].why);
	}
	reset("host.regress.test");
	policy_set_action(&p, CHECK_PRIVATE, ACT_REJECT);
	dns_helo(LOOKUP_FOUND, LOOKUP_NODATA, LOOKUP_NODATA);
	private_addrs("10.1.2.3", NULL);
	is_str(reply(), "550 5.7.1 <host.regress.test>: Helo command "
	    "rejected: resolves only to private addresses", "private: reply");

	/* By default it reports: some real senders resolved to 127.0.0.1. */
	reset("host.regress.test");
	policy_set_action(&p, CHECK_PRIVATE, ACT_REPORT);
	rdns(LOOKUP_FOUND, "good.regress.test");
	dns_helo(LOOKUP_FOUND, LOOKUP_NODATA, LOOKUP_NODATA);
	private_addrs("127.0.0.1", NULL);
	is_str(decided(&v), "report forward forward,private",
	    "private: report by default");

	/* The client's own confirmed name resolves to the client. */
	reset("host.regress.test");
	policy_set_action(&p, CHECK_PRIVATE, ACT_REJECT);
	addr_parse("8.8.4.4", &f.client);
	rdns(LOOKUP_FOUND, "host.regress.test");
	dns_helo(LOOKUP_FOUND, LOOKUP_NONE, LOOKUP_NONE);
	private_addrs("8.8.4.4", NULL);
	is_int(verdict_plan(&p, &f), PLAN_HELO | NEEDS_HELO_A,
	    "private: a confirmed HELO of a public client asks no AAAA");
	is_str(decided(&v), "pass - -", "private: confirmed, public client");
	addr_parse("10.0.0.1", &f.client);
	is_int(verdict_plan(&p, &f), PLAN_HELO | NEEDS_HELO_A |
	    NEEDS_HELO_AAAA,
	    "private: a confirmed HELO of a private client asks A and AAAA");
	reset("host.regress.test");
	policy_set_action(&p, CHECK_PRIVATE, ACT_REJECT);
	dns_helo(LOOKUP_NONE, LOOKUP_NONE, LOOKUP_NONE);
	is_int(verdict_plan(&p, &f) & NEEDS_HELO, NEEDS_HELO,
	    "private: an unconfirmed HELO asks its addresses");
	policy_set_action(&p, CHECK_DNS, ACT_PASS);
	policy_set_action(&p, CHECK_FORWARD, ACT_PASS);
	policy_set_action(&p, CHECK_CNAME, ACT_PASS);
	is_int(verdict_plan(&p, &f) & NEEDS_HELO, NEEDS_HELO_A |
	    NEEDS_HELO_AAAA, "private alone still asks A and AAAA");
	policy_set_action(&p, CHECK_PRIVATE, ACT_PASS);
	is_int(verdict_plan(&p, &f) & NEEDS_HELO, 0,
	    "and with private off, nothing");
	f.dns.helo_addrs = NULL;
	f.dns.helo_naddrs = 0;
}

/* Two zones, dbl.test and dbl2.test; the HELO resolves to the client. */
static void
dbl_reset(const char *helo)
{
	static struct dbl_facts	 dbl[2];
	static struct dbl_zone	 zones[2];
	size_t			 i;

	reset(helo);
	memset(dbl, 0, sizeof(dbl));
	f.dns.dbl = dbl;
	f.dns.dbl_zones = zones;
	f.dns.ndbl = nitems(dbl);
	dns_helo(LOOKUP_FOUND, LOOKUP_NODATA, LOOKUP_NODATA);
	rdns(LOOKUP_FOUND, helo);
	for (i = 0; i < 2; i++) {
		snprintf(p.dbl.v[i].zone, sizeof(p.dbl.v[i].zone),
		    i == 0 ? "dbl.test" : "dbl2.test");
		dbl_default_codes(&p.dbl.v[i]);
		zones[i] = p.dbl.v[i];
		f.dns.dbl[i].name.state = LOOKUP_NXDOMAIN;
		f.dns.dbl[i].name.outcome = DBL_UNLISTED;
	}
	p.dbl.n = 2;
}

static void
dbl_answer(struct dbl_answer *a, enum lookup_state st, enum dbl_outcome o)
{
	a->state = st;
	a->outcome = o;
}

static void
test_dbl(void)
{
	struct verdict	v;

	dbl_reset("mail.example.com");
	is_str(decided(&v), "pass - -", "dbl: unlisted everywhere");

	dbl_answer(&f.dns.dbl[1].name, LOOKUP_FOUND, DBL_LISTED);
	is_str(decided(&v), "reject dbl dbl", "dbl: listed by the second zone");
	is_str(reply(), "554 5.7.1 Service unavailable; Helo command "
	    "[mail.example.com] blocked using dbl2.test",
	    "dbl: the reply names the zone");

	dbl_answer(&f.dns.dbl[0].name, LOOKUP_PENDING, DBL_UNLISTED);
	is_str(decided(&v), "wait",
	    "dbl: a later zone's listing waits for the earlier zone");
	dns_facts_expire(&f.dns);
	is_str(decided(&v), "reject dbl dbl",
	    "dbl: the earlier zone timed out: the later one decides");

	dbl_answer(&f.dns.dbl[0].name, LOOKUP_NXDOMAIN, DBL_UNLISTED);
	dbl_answer(&f.dns.dbl[0].domain, LOOKUP_FOUND, DBL_LISTED);
	is_str(reply(), "554 5.7.1 Service unavailable; Helo command "
	    "[mail.example.com] blocked using dbl.test",
	    "dbl: the domain listed by the first zone: that zone replies");

	dbl_reset("mail.example.com");
	dbl_answer(&f.dns.dbl[0].name, LOOKUP_FOUND, DBL_ZONE_ERROR);
	dbl_answer(&f.dns.dbl[1].domain, LOOKUP_FOUND, DBL_ZONE_ERROR);
	is_str(decided(&v), "pass - -", "dbl: zone errors never refuse");
	is_int(v.state[CHECK_DBL], CS_CLEAR, "dbl: zone errors: clear");

	dbl_answer(&f.dns.dbl[1].name, LOOKUP_ERROR, DBL_FAILED);
	is_str(decided(&v), "tempfail dns-error dns-error",
	    "dbl: a failed zone is unknown: dns-error");
	is_int(v.state[CHECK_DBL], CS_UNKNOWN, "dbl: failed: unknown");
	policy_set_action(&p, CHECK_DBL, ACT_REPORT);
	is_str(decided(&v), "pass - -",
	    "dbl report: a failed zone is no dns-error");
	policy_set_action(&p, CHECK_DBL, ACT_REJECT);
	dbl_answer(&f.dns.dbl[1].domain, LOOKUP_FOUND, DBL_LISTED);
	is_str(decided(&v), "reject dbl dbl",
	    "dbl: a listing wins over a failed lookup");

	dbl_reset("regress.test");
	f.rcpt_domain = "regress.test";
	rdns(LOOKUP_FOUND, "host.elsewhere.example");
	dbl_answer(&f.dns.dbl[0].name, LOOKUP_FOUND, DBL_LISTED);
	is_str(reply(), "550 5.7.1 <regress.test>: Helo command rejected: "
	    "you are not regress.test",
	    "dbl and rcpt-domain: rcpt-domain's %%d is its domain");
	rdns(LOOKUP_FOUND, "mx.regress.test");
	is_str(reply(), "554 5.7.1 Service unavailable; Helo command "
	    "[regress.test] blocked using dbl.test",
	    "rcpt-domain clear, dbl listed: dbl's %%d is the zone");

	dbl_reset("[192.0.2.10]");
	dbl_answer(&f.dns.dbl[0].name, LOOKUP_FOUND, DBL_LISTED);
	decided(&v);
	is_int(v.state[CHECK_DBL], CS_CLEAR,
	    "dbl: never for an address literal");
	dbl_reset("mail.example.com");
	f.dns.dbl_lost = 1;
	is_str(decided(&v), "tempfail dns-error dns-error",
	    "dbl: answers lost (no memory): unknown, dns-error");
	memset(&p.dbl, 0, sizeof(p.dbl));
	f.dns.dbl = NULL;
	f.dns.dbl_zones = NULL;
	f.dns.ndbl = 0;
}

/*
 * A verdict given while a report check still waited: completed for its
 * log line once the lookups answered, its answer as given.
 */
static void
test_complete(void)
{
	struct verdict	v;
	char		fired[200];

	reset("host.regress.test");
	policy_set_action(&p, CHECK_PRIVATE, ACT_REPORT);
	policy_set_action(&p, CHECK_SPECIAL_NAME, ACT_REPORT);
	rdns(LOOKUP_FOUND, "good.regress.test");
	dns_helo(LOOKUP_PENDING, LOOKUP_PENDING, LOOKUP_PENDING);
	policy_set_action(&p, CHECK_DNS, ACT_PASS);
	is_str(decided(&v), "report special-name special-name",
	    "complete: special-name decides, private need not be waited for");
	is_int(v.state[CHECK_PRIVATE], CS_WAIT, "complete: private waits");
	ok(!verdict_complete(&p, &f, &v), "complete: not while it waits");
	dns_helo(LOOKUP_FOUND, LOOKUP_NODATA, LOOKUP_NONE);
	private_addrs("10.1.2.3", NULL);
	ok(verdict_complete(&p, &f, &v), "complete: once the answers are in");
	verdict_list(&v, CS_FIRED, fired, sizeof(fired));
	is_str(fired, "special-name,forward,private",
	    "complete: the checks that waited are judged");
	ok(v.action == ACT_REPORT && v.check == CHECK_SPECIAL_NAME,
	    "complete: the answer stays the one given");

	/* A failure found now fires dns-error, which could not outrank. */
	reset("host.regress.test");
	policy_set_action(&p, CHECK_SPECIAL_NAME, ACT_REJECT);
	rdns(LOOKUP_FOUND, "good.regress.test");
	dns_helo(LOOKUP_PENDING, LOOKUP_PENDING, LOOKUP_PENDING);
	is_str(decided(&v), "reject special-name special-name",
	    "complete: a refusal no lookup could change");
	dns_helo(LOOKUP_ERROR, LOOKUP_ERROR, LOOKUP_ERROR);
	ok(verdict_complete(&p, &f, &v), "complete: the lookups failed");
	verdict_list(&v, CS_FIRED, fired, sizeof(fired));
	is_str(fired, "special-name,dns-error",
	    "complete: dns-error fired for the failed dns check");
	ok(v.action == ACT_REJECT && v.check == CHECK_SPECIAL_NAME,
	    "complete: still the refusal given");
	f.dns.helo_addrs = NULL;
	f.dns.helo_naddrs = 0;
}

/*
 * The lookup plan, the same for every front end: what to ask, and the
 * facts marked in flight as it asks them.
 */
static void
test_plan(void)
{
	struct facts	g;
	struct verdict	v;

	reset(NULL);
	is_int(verdict_plan(&p, &f), NEEDS_PTR,
	    "plan: before HELO, the client's names");
	f.dns.fcrdns = LOOKUP_PENDING;
	is_int(verdict_plan(&p, &f), 0, "plan: the client's names once");
	reset("good.regress.test");
	is_int(verdict_plan(&p, &f), NEEDS_PTR | PLAN_HELO | NEEDS_HELO,
	    "plan: at HELO, the name's three records");
	f.authenticated = 1;
	is_int(verdict_plan(&p, &f), 0, "plan: an exempt client, nothing");
	reset("[192.0.2.10]");
	rdns(LOOKUP_FOUND, "good.regress.test");
	is_int(verdict_plan(&p, &f), PLAN_HELO,
	    "plan: an address literal asks nothing, but replaces a HELO");
	reset("localhost");
	rdns(LOOKUP_FOUND, "good.regress.test");
	is_int(verdict_plan(&p, &f), PLAN_HELO, "plan: nor a dotless name");

	reset("good.regress.test");
	rdns(LOOKUP_FOUND, "good.regress.test");
	policy_set_action(&p, CHECK_CNAME, ACT_PASS);
	is_int(verdict_plan(&p, &f), PLAN_HELO,
	    "plan: the confirmed name, cname off: no record");
	p.dnssec = DNSSEC_LOOPBACK;
	is_int(verdict_plan(&p, &f), PLAN_HELO | NEEDS_HELO,
	    "plan: with DNSSEC, all three records");
	p.dnssec = DNSSEC_OFF;
	reset("good.regress.test");
	policy_set_action(&p, CHECK_DNS, ACT_PASS);
	is_int(verdict_plan(&p, &f) & NEEDS_HELO,
	    NEEDS_HELO_A | NEEDS_HELO_AAAA,
	    "plan: no check reading the MX, no MX asked");
	policy_set_action(&p, CHECK_FORWARD, ACT_PASS);
	is_int(verdict_plan(&p, &f) & NEEDS_HELO, NEEDS_HELO_A,
	    "plan: cname alone asks the A");
	p.dnssec = DNSSEC_LOOPBACK;
	is_int(verdict_plan(&p, &f) & NEEDS_HELO, NEEDS_HELO,
	    "plan: cname alone with DNSSEC, all three");
	p.dnssec = DNSSEC_OFF;

	reset("mail.example.com");
	is_int(verdict_plan(&p, &f) & NEEDS_DBL, 0, "plan: no zone, no dbl");
	strlcpy(p.dbl.v[0].zone, "dbl.test", sizeof(p.dbl.v[0].zone));
	dbl_default_codes(&p.dbl.v[0]);
	p.dbl.n = 1;
	is_int(verdict_plan(&p, &f) & NEEDS_DBL, NEEDS_DBL,
	    "plan: a zone: the name on it");
	policy_set_action(&p, CHECK_DBL, ACT_PASS);
	is_int(verdict_plan(&p, &f) & NEEDS_DBL, 0, "plan: dbl off: none");
	policy_set_action(&p, CHECK_DBL, ACT_REJECT);

	/* The MTA's name, as a front end gives it: no PTR asked. */
	memset(&g, 0, sizeof(g));
	addr_parse("192.0.2.10", &g.client);
	addr_parse("192.0.2.1", &g.server);
	g.rdns_verified = "Good.Regress.Test.";
	g.helo_raw = "good.regress.test";
	helo_classify(g.helo_raw, &g.helo);
	is_int(verdict_plan(&p, &g) & ~NEEDS_DBL, PLAN_HELO | NEEDS_HELO_A,
	    "plan: the MTA's name is the HELO: no PTR, the A for cname");
	ok(g.dns.rdns_mta && g.dns.nrdns == 1 &&
	    strcmp(g.dns.rdns[0], "good.regress.test") == 0,
	    "plan: the MTA's name taken, as our lookups write it");
	facts_mark(&g, verdict_plan(&p, &g), &p.dbl);
	ok(g.dns.helo_a == LOOKUP_PENDING && g.dns.helo_aaaa == LOOKUP_NONE &&
	    g.dns.helo_mx == LOOKUP_NONE, "mark: the A in flight, no other");
	ok(g.dns.ndbl == 1 && g.dns.dbl[0].name.state == LOOKUP_PENDING,
	    "mark: the name on the zone in flight");
	verdict_decide(&p, &g, &v);
	ok(v.wait, "mark: a verdict waits for what is marked");
	p.dbl.n = 0;
	facts_mark(&g, verdict_plan(&p, &g), &p.dbl);
	ok(g.dns.ndbl == 0 && g.dns.fcrdns == LOOKUP_FOUND,
	    "mark: a new HELO's plan replaces the zones' answers, not the "
	    "client's names");
	dns_facts_free(&g.dns);
	helo_clear(&g.helo);
}

/* A client may have several confirmed names; each counts. */
static void
test_several_names(void)
{
	struct verdict	v;

	reset("regress.test");
	f.rcpt_domain = "regress.test";
	rdns(LOOKUP_FOUND, "host.isp.example mx.regress.test");
	is_str(decided(&v), "pass - -",
	    "rcpt-domain: one of two names inside the domain");
	rdns(LOOKUP_FOUND, "mx.regress.test host.isp.example");
	is_str(decided(&v), "pass - -", "rcpt-domain: in either order");
	rdns(LOOKUP_FOUND, "host.isp.example mx.other.example");
	is_str(decided(&v), "reject rcpt-domain rcpt-domain,rdns-match",
	    "rcpt-domain: no name inside the domain");

	reset("mail.victim.example");
	rdns(LOOKUP_FOUND, "a.isp.example mail.victim.example");
	p.rdns_mode = RDNS_EXACT;
	is_str(decided(&v), "pass - -", "rdns-match: any confirmed name");

	reset("localhost");
	namelist_add(&p.pass_rdns, ".partner.example");
	rdns(LOOKUP_FOUND, "a.isp.example mx.partner.example");
	is_str(decided(&v), "exempt:pass rdns", "pass rdns: any name");

	reset("mail.regress.test");
	policy_set_action(&p, CHECK_DYNAMIC, ACT_REJECT);
	rdns(LOOKUP_ERROR, NULL);
	is_str(decided(&v), "tempfail dns-error dns-error",
	    "dynamic unknown when the rDNS lookup failed");
	rdns(LOOKUP_FOUND, "mx.isp.example 192-0-2-10.pool.isp.example");
	is_str(decided(&v), "reject dynamic rdns-match,dynamic",
	    "dynamic from any confirmed name");
}

/* A pass rdns entry that might have exempted: never a refusal for good. */
static void
test_pass_rdns_unknown(void)
{
	struct verdict	v;

	reset("mail_1.partner.example");
	namelist_add(&p.pass_rdns, ".partner.example");
	rdns(LOOKUP_ERROR, NULL);
	is_str(decided(&v), "tempfail dns-error underscore,dns-error",
	    "undecidable exemption: dns-error, not 501");
	policy_set_action(&p, CHECK_DNS_ERROR, ACT_PASS);
	is_str(decided(&v), "pass - underscore",
	    "undecidable exemption, dns-error off: no refusal");
	reset("mail_1.partner.example");
	rdns(LOOKUP_ERROR, NULL);
	is_str(decided(&v), "reject underscore underscore",
	    "without pass rdns entries the refusal stands");
}

/*
 * The lists as the checks ask them: exact names, ".suffix" entries,
 * patterns, and networks, nested or not, scanned before the index and
 * searched after it.
 */
static void
test_lists(void)
{
	static const char *const entries[] = { "mx.example.net",
	    ".partner.example", ".a.b.example", "/^(ylmf-pc|win-[a-z0-9]{11})$/",
	    "/^desktop-[a-z0-9]{7}$/", NULL };
	static const struct { const char *name; int want; } names[] = {
		{ "mx.example.net",		1 },
		{ "MX.Example.NET.",		1 },
		{ "example.net",		0 },
		{ "a.mx.example.net",		0 },
		{ "partner.example",		0 },
		{ "smtp.partner.example",	1 },
		{ "x.y.partner.example.",	1 },
		{ "xpartner.example",		0 },
		{ "c.a.b.example",		1 },
		{ "a.b.example",		0 },
		{ "ylmf-pc",			1 },
		{ "YLMF-PC",			1 },
		{ "ylmf-pc.example",		0 },
		{ "win-abcdefghijk",		1 },
		{ "win-abcdefghij",		0 },
		{ "desktop-1234567",		1 },
		{ "my-desktop-1234567",		0 },
	};
	static const char *const nets[] = { "10.0.0.0/8", "10.1.0.0/16",
	    "192.0.2.7", "198.51.100.128/25", "2001:db8::/32",
	    "2001:db8:1::/48", NULL };
	static const struct { const char *addr; int want; } addrs[] = {
		{ "10.0.0.0",		1 },
		{ "10.255.255.255",	1 },
		{ "11.0.0.0",		0 },
		{ "9.255.255.255",	0 },
		{ "192.0.2.7",		1 },
		{ "192.0.2.6",		0 },
		{ "192.0.2.8",		0 },
		{ "198.51.100.127",	0 },
		{ "198.51.100.128",	1 },
		{ "198.51.100.255",	1 },
		{ "2001:db8:ffff::1",	1 },
		{ "2001:db9::",		0 },
		{ "::ffff:10.1.2.3",	1 },
	};
	struct namelist	l;
	struct cidrlist	cl;
	struct cidr	c;
	struct addr	a;
	char		why[128];
	size_t		i;
	int		pass;

	memset(&l, 0, sizeof(l));
	for (i = 0; entries[i] != NULL; i++)
		if (entries[i][0] == '/')
			namelist_add_regex(&l, entries[i], why, sizeof(why));
		else
			namelist_add(&l, entries[i]);
	for (i = 0; i < nitems(names); i++)
		is_int(namelist_match(&l, names[i].name), names[i].want,
		    "names: %s", names[i].name);
	is_int(namelist_add_regex(&l, "/a(b/", why, sizeof(why)), -1,
	    "a pattern that does not compile");
	is_int(namelist_add_regex(&l, "/ab", why, sizeof(why)), -1,
	    "a pattern without its closing slash");
	namelist_free(&l);

	/* Scanned as added, then searched once indexed: the same answers. */
	for (pass = 0; pass < 2; pass++) {
		memset(&cl, 0, sizeof(cl));
		for (i = 0; nets[i] != NULL; i++) {
			cidr_parse(nets[i], &c);
			cidrlist_add(&cl, &c);
		}
		if (pass)
			cidrlist_index(&cl);
		for (i = 0; i < nitems(addrs); i++) {
			addr_parse(addrs[i].addr, &a);
			is_int(cidrlist_match(&cl, &a), addrs[i].want,
			    "networks%s: %s", pass ? " (indexed)" : "",
			    addrs[i].addr);
		}
		cidrlist_free(&cl);
	}
}

/* except spares its check only, says by which kind, and waits as it must. */
static void
test_except(void)
{
	struct verdict	v;
	struct cidr	c;
	char		buf[256];

	reset("[10.0.0.5]");
	policy_set_action(&p, CHECK_LITERAL, ACT_REJECT);
	is_str(decided(&v), "reject literal literal", "a NAT literal");
	cidr_parse("192.0.2.0/24", &c);
	cidrlist_add(&p.except[CHECK_LITERAL].client, &c);
	is_str(decided(&v), "pass - -", "except literal client");
	verdict_spared(&v, buf, sizeof(buf));
	is_str(buf, "literal:client", "... spared=literal:client");
	addr_parse("198.51.100.1", &f.client);
	is_str(decided(&v), "reject literal literal",
	    "except literal client: another client");

	reset("localhost");
	cidr_parse("192.0.2.0/24", &c);
	cidrlist_add(&p.except[CHECK_LITERAL].client, &c);
	is_str(decided(&v), "reject non-fqdn non-fqdn",
	    "except of one check leaves the others");
	is_int(verdict_spared(&v, buf, sizeof(buf)), 0,
	    "... and spares nothing that did not fire");

	reset("localhost");
	namelist_add_regex(&p.except[CHECK_NON_FQDN].helo, "/^local/", buf,
	    sizeof(buf));
	is_str(decided(&v), "pass - -", "except non-fqdn helo /regex/");

	reset("localhost");
	namelist_add(&p.except[CHECK_NON_FQDN].rdns, ".partner.example");
	rdns(LOOKUP_PENDING, NULL);
	is_str(decided(&v), "wait", "except rdns waits for the rDNS name");
	rdns(LOOKUP_FOUND, "mx1.partner.example");
	is_str(decided(&v), "report rdns-match rdns-match",
	    "except rdns: a confirmed name spares non-fqdn only");
	verdict_spared(&v, buf, sizeof(buf));
	is_str(buf, "non-fqdn:rdns", "... spared=non-fqdn:rdns");
	rdns(LOOKUP_ERROR, NULL);
	is_str(decided(&v), "tempfail dns-error dns-error",
	    "except rdns undecidable: at most for now");
	ok(verdict_needs(&p) & NEEDS_PTR, "except rdns asks for the rDNS");

	reset("localhost");
	f.rcpt = "postmaster@regress.test";
	namelist_add(&p.except[CHECK_NON_FQDN].rcpt, "postmaster@");
	is_str(decided(&v), "pass - -", "except rcpt");
	f.rcpt = "bob@regress.test";
	is_str(decided(&v), "reject non-fqdn non-fqdn",
	    "except rcpt: another recipient");

	reset("nowhere.regress.test");
	dns_helo(LOOKUP_PENDING, LOOKUP_NXDOMAIN, LOOKUP_NXDOMAIN);
	dns_facts_expire(&f.dns);
	is_str(decided(&v), "tempfail dns-error dns-error",
	    "a failed lookup: dns-error");
	cidr_parse("192.0.2.10", &c);
	cidrlist_add(&p.except[CHECK_DNS_ERROR].client, &c);
	is_str(decided(&v), "pass - -", "except dns-error client");
	verdict_spared(&v, buf, sizeof(buf));
	is_str(buf, "dns-error:client", "... spared=dns-error:client");
}

static void
test_changed(void)
{
	struct verdict	v;

	reset("[IPv6:2001:db8::5]");
	addr_parse("2001:db8::5", &f.client);
	f.helo_prev = "[IPv6:2001:DB8:0::5]";
	is_str(decided(&v), "pass - -", "changed: the same address literal");
	reset("xn--mnchen-3ya.de");
	rdns(LOOKUP_NXDOMAIN, NULL);
	policy_set_action(&p, CHECK_RDNS, ACT_PASS);
	policy_set_action(&p, CHECK_RDNS_MATCH, ACT_PASS);
	f.helo_prev = "M\xc3\xbcnchen.de";
	is_str(decided(&v), "pass - -", "changed: a U-label and its A-label");
	f.helo_prev = "berlin.de";
	is_str(decided(&v), "junk changed changed", "changed: another name");
	f.helo_prev = "[192.0.2.10]";
	is_str(decided(&v), "junk changed changed",
	    "changed: a literal, then a name");
}

/* Lookups in flight hold the verdict only if they could change it. */
static void
test_early(void)
{
	struct verdict	v;

	reset("localhost");
	rdns(LOOKUP_PENDING, NULL);
	is_str(decided(&v), "reject non-fqdn non-fqdn",
	    "an obvious refusal does not wait for the rDNS lookups");
	reset("[198.51.100.7]");
	rdns(LOOKUP_PENDING, NULL);
	policy_set_action(&p, CHECK_RDNS, ACT_TEMPFAIL);
	is_str(decided(&v), "wait", "junk waits for what could defer");
	reset("my_host.regress.test");
	namelist_add(&p.local_domains, "my_host.regress.test");
	rdns(LOOKUP_PENDING, NULL);
	is_str(decided(&v), "wait",
	    "an equal action earlier in the table could reply: wait");
	reset("good.regress.test");
	rdns(LOOKUP_FOUND, "good.regress.test");
	dns_helo(LOOKUP_PENDING, LOOKUP_PENDING, LOOKUP_PENDING);
	is_str(decided(&v), "wait", "nothing fired yet: wait for the HELO's DNS");
}

/* Names no public host has: deferred at once, whatever DNS would say. */
static void
test_special(void)
{
	static const struct {
		const char	*helo;
		const char	*want;
	} rows[] = {
		{ "localhost.localdomain", "tempfail special-name special-name" },
		{ "ip-10-0-0-1.ec2.internal",
		    "tempfail special-name special-name" },
		{ "printer.local", "tempfail special-name special-name" },
		{ "router.home.arpa", "tempfail special-name special-name" },
		{ "mail.example.com", "tempfail special-name special-name" },
		{ "mx.example", "tempfail special-name special-name" },
		{ "x.invalid", "tempfail special-name special-name" },
		{ "abc.onion", "tempfail special-name special-name" },
		{ "host.alt", "tempfail special-name special-name" },
		{ "nas.lan", "tempfail special-name special-name" },
		{ "pc.home", "tempfail special-name special-name" },
		{ "dc1.corp", "tempfail special-name special-name" },
		{ "box.intranet", "tempfail special-name special-name" },
		{ "box.private", "tempfail special-name special-name" },
		{ "1.0.0.10.in-addr.arpa", "tempfail special-name special-name" },
		{ "mail.regress.test", "tempfail special-name special-name" },
		{ "mail.nosuchtld", "tempfail special-name special-name" },
		{ "Mail.Example.COM.", "tempfail special-name special-name" },
		/* dotless: non-fqdn is the stronger and replies */
		{ "localhost", "reject non-fqdn non-fqdn,special-name" },
		/* public names, IDN top-level labels included */
		{ "mail.example.de", "pass - -" },
		{ "mx.notexample.com", "pass - -" },
		{ "mail.localhost.org", "pass - -" },
		{ "mx.xn--p1ai", "pass - -" },
		{ "почта.рф", "pass - -" },
		{ "mx.co.uk", "pass - -" },
		{ "a.b.museum", "pass - -" },
		{ "[192.0.2.10]", "pass - -" },
	};
	struct verdict	v;
	size_t		i;

	for (i = 0; i < nitems(rows); i++) {
		reset(rows[i].helo);
		policy_set_action(&p, CHECK_SPECIAL_NAME, ACT_TEMPFAIL);
		/* the name's A, AAAA and MX exist: no other check fires */
		dns_helo(LOOKUP_FOUND, LOOKUP_FOUND, LOOKUP_FOUND);
		rdns(LOOKUP_FOUND, "good.regress.test");
		p.rdns_mode = RDNS_DOMAIN;
		policy_set_action(&p, CHECK_RDNS_MATCH, ACT_PASS);
		policy_set_action(&p, CHECK_FORWARD, ACT_PASS);
		is_str(decided(&v), rows[i].want, "special-name: %s",
		    rows[i].helo);
	}

	reset("localhost.localdomain");
	policy_set_action(&p, CHECK_SPECIAL_NAME, ACT_TEMPFAIL);
	is_str(reply(), "450 4.7.1 <localhost.localdomain>: Helo command "
	    "rejected: not a public host name", "special-name: its reply");
	strlcpy(p.rules[CHECK_SPECIAL_NAME].reply, "450 4.7.1 %d is special",
	    sizeof(p.rules[CHECK_SPECIAL_NAME].reply));
	is_str(reply(), "450 4.7.1 localdomain is special",
	    "special-name: %%d is the special domain");
	reset("mail.nosuchtld");
	policy_set_action(&p, CHECK_SPECIAL_NAME, ACT_TEMPFAIL);
	strlcpy(p.rules[CHECK_SPECIAL_NAME].reply, "450 4.7.1 %d is special",
	    sizeof(p.rules[CHECK_SPECIAL_NAME].reply));
	is_str(reply(), "450 4.7.1 nosuchtld is special",
	    "special-name: %%d is an unknown top-level label");

	/* Nothing waits for DNS: decided while every lookup is pending. */
	reset("localhost.localdomain");
	policy_set_action(&p, CHECK_SPECIAL_NAME, ACT_TEMPFAIL);
	dns_helo(LOOKUP_PENDING, LOOKUP_PENDING, LOOKUP_PENDING);
	rdns(LOOKUP_PENDING, NULL);
	is_str(decided(&v), "tempfail special-name special-name",
	    "special-name: decided without waiting for DNS");

	/* The recipient's domain is %d of rcpt-domain, not the special one. */
	reset("regress.test");
	policy_set_action(&p, CHECK_SPECIAL_NAME, ACT_TEMPFAIL);
	f.rcpt_domain = "regress.test";
	rdns(LOOKUP_FOUND, "mail.other.test");
	is_str(reply(), "550 5.7.1 <regress.test>: Helo command rejected: "
	    "you are not regress.test", "special-name: rcpt-domain's %%d kept");
}

/* A passed recipient is spared; the next one in the same session not. */
static void
test_pass_rcpt(void)
{
	struct verdict	v;
	char		entry[RCPT_ENTRY_MAX];

	reset("localhost");
	ok(rcpt_entry_parse("Postmaster@", entry, sizeof(entry)) == 0 &&
	    namelist_add(&p.pass_rcpt, entry) == 0, "pass rcpt: entry kept");
	f.rcpt = "Postmaster@regress.test";
	is_str(decided(&v), "exempt:pass rcpt", "pass rcpt: postmaster@");
	f.rcpt = "bob@regress.test";
	is_str(decided(&v), "reject non-fqdn non-fqdn",
	    "pass rcpt: another recipient gets the verdict");
	f.rcpt = NULL;
	is_str(decided(&v), "reject non-fqdn non-fqdn",
	    "pass rcpt: no recipient yet");
}

/* Set the HELO's SPF result, as lookup.c would, or mark it in flight. */
static void
spf(enum lookup_state st, enum spf_result r, const char *exp)
{
	if (st == LOOKUP_FOUND)
		dns_facts_set_spf(&f.dns, r, exp, NULL);
	else
		f.dns.spf = st;
}

static void
spf_clear(void)
{
	free(f.dns.spf_explanation);
	free(f.dns.spf_problem);
	f.dns.spf_explanation = f.dns.spf_problem = NULL;
}

/*
 * spf-helo: only fail fires, temperror is unknown, the rest is
 * reported; null-sender judges bounces only; the plan asks SPF for a
 * name, and a literal has none without a lookup.
 */
static void
test_spf_helo(void)
{
	static const struct {
		enum spf_result	 result;
		const char	*name;
		const char	*want;
	} results[] = {
		{ SPF_NONE, "none", "report forward forward" },
		{ SPF_NEUTRAL, "neutral", "report forward forward" },
		{ SPF_PASS, "pass", "report forward forward" },
		{ SPF_SOFTFAIL, "softfail", "report forward forward" },
		{ SPF_PERMERROR, "permerror", "report forward forward" },
		{ SPF_FAIL, "fail", "reject spf-helo spf-helo,forward" },
		{ SPF_TEMPERROR, "temperror",
		    "tempfail dns-error dns-error,forward" },
	};
	struct verdict	v;
	size_t		i;

	for (i = 0; i < nitems(results); i++) {
		reset("spf.regress.test");
		policy_set_action(&p, CHECK_SPF_HELO, ACT_REJECT);
		dns_helo(LOOKUP_NODATA, LOOKUP_NODATA, LOOKUP_FOUND);
		spf(LOOKUP_FOUND, results[i].result, NULL);
		is_str(decided(&v), results[i].want, "spf-helo reject, %s",
		    results[i].name);
		spf_clear();
	}

	reset("spf.regress.test");
	dns_helo(LOOKUP_NODATA, LOOKUP_NODATA, LOOKUP_FOUND);
	spf(LOOKUP_FOUND, SPF_FAIL, NULL);
	is_str(decided(&v), "report forward forward",
	    "spf-helo off: its result fires nothing");
	policy_set_action(&p, CHECK_SPF_HELO, ACT_REPORT);
	is_str(decided(&v), "report spf-helo spf-helo,forward",
	    "spf-helo report: fail is reported, and replies first");
	spf(LOOKUP_FOUND, SPF_TEMPERROR, NULL);
	is_str(decided(&v), "report forward forward",
	    "  and a temperror defers nothing");
	spf(LOOKUP_PENDING, SPF_NONE, NULL);
	is_str(decided(&v), "wait",
	    "  in flight, a report verdict waits for it: it comes first");
	policy_set_action(&p, CHECK_CHANGED, ACT_JUNK);
	f.helo_prev = "other.regress.test";
	is_str(decided(&v), "junk changed forward,changed",
	    "  a junk verdict does not");
	is_int(v.state[CHECK_SPF_HELO], CS_WAIT, "  and spf-helo waits");
	f.helo_prev = NULL;
	policy_set_action(&p, CHECK_SPF_HELO, ACT_REJECT);
	is_str(decided(&v), "wait", "  set to reject, the verdict waits");
	spf_clear();

	/* A bounce only: MAIL FROM:<>. */
	reset("spf.regress.test");
	policy_set_action(&p, CHECK_SPF_HELO, ACT_REJECT);
	p.spf_helo = SPF_HELO_NULL_SENDER;
	dns_helo(LOOKUP_FOUND, LOOKUP_NODATA, LOOKUP_FOUND);
	f.dns.helo_addrs = &f.client;
	f.dns.helo_naddrs = 1;
	spf(LOOKUP_FOUND, SPF_FAIL, "192.0.2.10 is not one of "
	    "spf.regress.test's hosts");
	is_str(decided(&v), "pass - -", "null-sender: before MAIL FROM, no");
	f.mail_from = "bob@example.org";
	is_str(decided(&v), "pass - -", "null-sender: a sender, no");
	f.mail_from = "";
	is_str(decided(&v), "reject spf-helo spf-helo",
	    "null-sender: a bounce, refused");
	is_str(reply(), "550 5.7.23 <spf.regress.test>: Helo command "
	    "rejected: 192.0.2.10 is not one of spf.regress.test's hosts",
	    "  with the domain's explanation (%%e)");
	f.mail_from = "bob@example.org";
	spf(LOOKUP_PENDING, SPF_NONE, NULL);
	is_str(decided(&v), "wait",
	    "null-sender: a sender waits for the result, for the log");
	spf_clear();

	/* The plan. */
	reset("spf.regress.test");
	policy_set_action(&p, CHECK_SPF_HELO, ACT_REPORT);
	ok(verdict_plan(&p, &f) & NEEDS_SPF_HELO, "plan: SPF of a name");
	facts_mark(&f, verdict_plan(&p, &f), &p.dbl);
	is_int(f.dns.spf, LOOKUP_PENDING, "mark: SPF in flight");
	dns_facts_clear_helo(&f.dns);
	reset("[192.0.2.10]");
	policy_set_action(&p, CHECK_SPF_HELO, ACT_REPORT);
	ok(verdict_plan(&p, &f) & NEEDS_SPF_HELO, "plan: SPF of a literal");
	facts_mark(&f, verdict_plan(&p, &f), &p.dbl);
	ok(f.dns.spf == LOOKUP_FOUND && f.dns.spf_result == SPF_NONE,
	    "mark: a literal is none, no lookup");
	dns_facts_clear_helo(&f.dns);
	reset("localhost");
	policy_set_action(&p, CHECK_SPF_HELO, ACT_REPORT);
	facts_mark(&f, verdict_plan(&p, &f), &p.dbl);
	ok(f.dns.spf == LOOKUP_FOUND && f.dns.spf_result == SPF_NONE,
	    "mark: a dotless name is none, no lookup");
	dns_facts_clear_helo(&f.dns);
	reset("spf.regress.test");
	is_int(verdict_plan(&p, &f) & NEEDS_SPF_HELO, 0,
	    "plan: spf-helo pass asks nothing");
}

static void	test_reply_literal(void);
static void	test_reply_long(void);
static void	test_reply_hostile(void);

static void
test_reply(void)
{
	struct verdict	v;

	reset("localhost");
	strlcpy(p.rules[CHECK_NON_FQDN].reply,
	    "550 5.7.1 h=%h i=%i r=%r d=%d c=%c 100%%",
	    sizeof(p.rules[CHECK_NON_FQDN].reply));
	rdns(LOOKUP_FOUND, "c.regress.test");
	is_str(reply(), "550 5.7.1 h=localhost i=192.0.2.10 r=c.regress.test "
	    "d=localhost c=non-fqdn 100%", "every escape");

	reset("bad\001\177name");
	p.explain_url = "https://example.org/helo.html";
	is_str(reply(), "501 5.5.2 <bad??name>: Helo command rejected: "
	    "Invalid name; see https://example.org/helo.html#syntax",
	    "non-printable bytes become '?', explain-url appended");
	p.explain_url = NULL;

	reset("good.regress.test");
	verdict_decide(&p, &f, &v);
	is_int(verdict_reply(&p, &f, &v, (char [8]){ 0 }, 8), -1,
	    "nothing fired: no reply");

	test_reply_literal();
	test_reply_long();
	test_reply_hostile();
}

/* The literal a bare address is told to use is one we would accept. */
static void
test_reply_literal(void)
{
	struct verdict	v;

	reset("192.0.2.10");
	is_str(reply(), "501 5.5.2 <192.0.2.10>: Helo command rejected: "
	    "use an address literal [192.0.2.10]", "bare IPv4: its literal");
	reset("2001:db8:5::50");
	addr_parse("2001:db8:5::50", &f.client);
	is_str(reply(), "501 5.5.2 <2001:db8:5::50>: Helo command rejected: "
	    "use an address literal [IPv6:2001:db8:5::50]",
	    "bare IPv6: the literal has its IPv6: tag");
	reset("[IPv6:2001:db8:5::50]");
	addr_parse("2001:db8:5::50", &f.client);
	is_str(decided(&v), "pass - -", "and that literal passes");
}

/*
 * A HELO of 2,000 characters is quoted shortened, so the reply keeps
 * its explanation and stays within RFC 5321's 512-octet reply line.
 */
static void
test_reply_long(void)
{
	static char	helo[2001], want[600];
	size_t		i;

	for (i = 0; i < 2000; i++)
		helo[i] = i % 61 == 60 ? '.' : 'a' + i % 26;
	helo[i] = '\0';
	reset(helo);
	p.explain_url = "https://example.org/helo.html";
	snprintf(want, sizeof(want), "501 5.5.2 <%.61s...>: Helo command "
	    "rejected: Invalid name; see https://example.org/helo.html#syntax",
	    helo);
	is_str(reply(), want, "a long HELO: quoted shortened, then explained");
	ok(strlen(reply()) <= 510, "within the reply line (%zu octets)",
	    strlen(reply()));
	strlcpy(p.rules[CHECK_SYNTAX].reply, "501 5.5.2 <%h> %h %h %h %h %h %h",
	    sizeof(p.rules[CHECK_SYNTAX].reply));
	ok(strlen(reply()) <= 510, "every escape long: still within the line "
	    "(%zu octets)", strlen(reply()));
	p.explain_url = NULL;
}

/*
 * Values a client or DNS can give: nothing, or digits and dots that a
 * reader takes for an enhanced status code once they fall in the first
 * word of the text.
 */
static const char *const hostile[] = {
	"", "1", ".1", "2.", "2.2.1", "5.7.1", "4.7.1 ", " 5.7.1", "192.0.2.10"
};

struct hostile_row {
	const char	*reply;
	int		 valid;
};

static const struct hostile_row hostile_replies[] = {
	{ "504 %r%r1 ", 0 },		/* "504 2.2.1 " */
	{ "550 %h rejected", 0 },	/* "550 4.7.1 rejected" */
	{ "550 %i is not welcome", 0 },
	{ "550 5.7%d rejected", 0 },	/* "550 5.7.1 rejected" */
	{ "550 %d%h x", 0 },
	{ "550  5.7.1 ", 0 },
	{ "501 5.5.2 %h %d", 0 },
	{ "550 <%h>: rejected", 1 },
	{ "550 HELO %h rejected", 1 },
	{ "550 x%h%r", 1 },
	{ "550 %%%h rejected", 1 },
	{ "550 %c: %h%d", 1 },
	{ "550 %l: %h", 1 },
	{ "550 5.7.1 HELO %h %r", 1 },
	{ "550 5.7.1%h x", 0 },		/* "550 5.7.12 x" */
	{ "550 5.7.1%c%h x", 0 },
	{ "550 5.7.1%c x", 1 },
	{ "550 100 reasons %h", 1 },
	{ "550 %e rejected", 0 },	/* the domain's exp= text */
	{ "550 5.7.23 SPF: %e", 1 },
};

/* The length of a leading "D.D{1,3}.D{1,3}" before a space or the end. */
static size_t
status_code_len(const char *s)
{
	size_t	n = 1, part;

	if (s[0] < '0' || s[0] > '9')
		return 0;
	for (part = 0; part < 2; part++) {
		if (s[n++] != '.' || strspn(s + n, "0123456789") < 1 ||
		    strspn(s + n, "0123456789") > 3)
			return 0;
		n += strspn(s + n, "0123456789");
	}
	return s[n] == ' ' || s[n] == '\0' ? n : 0;
}

/* Text after the codes, and an enhanced status code only the reply's. */
static int
reads_well(const char *got, const char *reply)
{
	const char	*s = got + 4 + strspn(got + 4, " ");
	const char	*t = reply + 4 + strspn(reply + 4, " ");
	size_t		 n = status_code_len(s);

	if (n > 0 && (strncmp(s, t, n) != 0 || status_code_len(t) != n))
		return 0;
	s += n;
	return s[strspn(s, " ")] != '\0';
}

/*
 * Whatever the values, a reply the configuration accepts expands to
 * text that smtpd passes and a client reads as the template meant.
 */
static void
test_reply_hostile(void)
{
	const struct hostile_row	*r;
	const char			*val[RV_COUNT], *why;
	char				 got[REPLY_MAX];
	size_t				 i, j;
	int				 good, valid;

	val[RV_LITERAL] = "[192.0.2.10]";
	val[RV_CHECK] = "syntax";
	for (i = 0; i < nitems(hostile_replies); i++) {
		r = &hostile_replies[i];
		valid = reply_valid(r->reply, &why);
		is_int(valid, r->valid, "\"%s\" is %s", r->reply,
		    r->valid ? "valid" : "refused");
		for (j = 0, good = 1; valid && j < nitems(hostile); j++) {
			val[RV_HELO] = val[RV_ADDR] = hostile[j];
			val[RV_RDNS] = val[RV_DOMAIN] = hostile[j];
			val[RV_SPF] = hostile[j];
			reply_expand(r->reply, val, NULL, got, sizeof(got));
			if (!reads_well(got, r->reply)) {
				diag("\"%s\" with \"%s\": \"%s\"", r->reply,
				    hostile[j], got);
				good = 0;
			}
		}
		if (valid)
			ok(good, "\"%s\": text, and no code from a value",
			    r->reply);
	}
}

/*
 * Memory across sessions: names counted per client within the window,
 * the client's confirmed names never, an IPv6 /64 as one client, and
 * a table that stays within its entries under a flood.
 */
/* A session of client at now, whose confirmed name is another. */
static void
client(const char *addr, const char *helo, time_t now)
{
	reset(helo);
	policy_set_action(&p, CHECK_RDNS_MATCH, ACT_PASS);
	addr_parse(addr, &f.client);
	f.memory = mem;
	f.now = now;
	rdns(LOOKUP_FOUND, "host.example.org");
}

static void
learn(const char *addr, const char *helo, time_t now)
{
	struct verdict	v;

	client(addr, helo, now);
	verdict_decide(&p, &f, &v);
	verdict_learn(&p, &f, &v, mem);
}

static void
test_memory(void)
{
	struct memory_stats	 st;
	struct verdict		 v;
	struct addr		 a;
	char			 name[64], buf[1024];
	time_t			 t0 = 1700000000;
	int			 i;

	/* "a few hundred bytes" an address, whatever the compiler pads */
	ok(memory_bound(1000) - memory_bound(0) <= 300 * 1000,
	    "memory: under 300 bytes an address (%zu)",
	    (memory_bound(1000) - memory_bound(0)) / 1000);
	mem = memory_new(4);
	for (i = 1; i <= 5; i++) {
		snprintf(name, sizeof(name), "n%d.example.com", i);
		learn("198.51.100.7", name, t0 + i);
		is_str(decided(&v), "pass - -", "memory: name %d of 5 passes",
		    i);
	}
	learn("198.51.100.7", "n3.example.com", t0 + 6);
	is_str(decided(&v), "pass - -", "memory: a name given again is one");
	client("198.51.100.7", "n6.example.com", t0 + 7);
	is_str(decided(&v), "report rotation rotation",
	    "memory: the sixth name fires rotation");
	is_str(v.rotation, "6/1d", "memory: its count, 6/1d");
	policy_set_action(&p, CHECK_ROTATION, ACT_REJECT);
	verdict_reply(&p, &f, (verdict_decide(&p, &f, &v), &v), buf,
	    sizeof(buf));
	is_str(buf, "550 5.7.1 <n6.example.com>: Helo command rejected: too "
	    "many HELO names from [198.51.100.7] (rotation=6/1d)",
	    "memory: the reply names the count");
	f.now = t0 + 86400 + 3;
	is_str(decided(&v), "pass - -",
	    "memory: a day later, the first names are out of the window");
	p.rotation_window = 7 * 86400;
	f.now = t0 + 7;
	decided(&v);
	is_str(v.rotation, "6/7d", "memory: the window as configured");
	p.rotation_window = 86400;

	/* the client's confirmed name is not counted */
	rdns(LOOKUP_FOUND, "n6.example.com");
	is_str(decided(&v), "pass - -",
	    "memory: its confirmed name is none of them");
	rdns(LOOKUP_PENDING, NULL);
	decided(&v);
	is_int(v.state[CHECK_ROTATION], CS_WAIT,
	    "memory: a new name waits for the client's names");
	f.authenticated = 1;
	is_str(decided(&v), "exempt:authenticated",
	    "memory: an authenticated client is exempt");

	/* IPv6: one /64 */
	for (i = 1; i <= 6; i++) {
		snprintf(name, sizeof(name), "2001:db8:1:2::%d", i);
		learn(name, name + 13, t0);
	}
	learn("2001:db8:1:2:ffff::1", "x.example.com", t0);
	is_str(decided(&v), "report rotation rotation",
	    "memory: the addresses of a /64 are one client");
	learn("2001:db8:1:3::1", "x.example.com", t0);
	is_str(decided(&v), "pass - -", "memory: the next /64 another");

	/* forged-before */
	client("203.0.113.9", "mx.regress.test", t0);
	is_str(decided(&v), "reject self self", "memory: self fires");
	verdict_learn(&p, &f, &v, mem);
	learn("203.0.113.9", "mail.example.net", t0 + 60);
	is_str(decided(&v), "report forged-before forged-before",
	    "memory: its next session fires forged-before");
	f.now = t0 + 86400;
	is_str(decided(&v), "pass - -", "memory: for forged-window only");

	/* four entries: the least recently seen goes */
	memory_stats(mem, &st);
	ok(st.entries == 4 && st.evictions == 0,
	    "memory: four clients, four entries");
	learn("192.0.2.200", "a.example.com", t0 + 100);
	learn("192.0.2.201", "a.example.com", t0 + 100);
	learn("192.0.2.202", "a.example.com", t0 + 100);
	learn("192.0.2.203", "a.example.com", t0 + 100);
	memory_stats(mem, &st);
	ok(st.entries == 4 && st.evictions == 4,
	    "memory: four more, four evicted");
	addr_parse("203.0.113.9", &a);
	is_int(memory_forged(mem, &a, t0 + 100, 86400), 0,
	    "memory: a client pushed out is forgotten");
	addr_parse("192.0.2.203", &a);
	is_int(memory_rotation(mem, &a, NULL, t0 + 100, 86400), 1,
	    "memory: the newest is kept");
	memory_free(mem);
	mem = NULL;

	mem = memory_new(1000);
	for (i = 0; i < 100000; i++) {
		a.family = AF_INET;
		a.bytes[0] = 10;
		a.bytes[1] = i >> 16;
		a.bytes[2] = i >> 8;
		a.bytes[3] = i;
		memory_note_name(mem, &a, "flood.example.com", t0);
	}
	memory_stats(mem, &st);
	ok(st.entries == 1000 && st.evictions == 99000,
	    "memory: 100,000 addresses in 1,000 entries, 99,000 evicted");
	is_int(memory_rotation(mem, &a, NULL, t0, 86400), 1,
	    "memory: the last of them is found");
	memory_free(mem);
	mem = NULL;
}

int
main(void)
{
	plan(352);
	policy_init(&p);
	test_strongest();
	test_exempt();
	test_dns();
	test_forward_rdns();
	test_rcpt_domain();
	test_protected();
	test_private();
	test_dbl();
	test_plan();
	test_complete();
	test_several_names();
	test_pass_rdns_unknown();
	test_changed();
	test_lists();
	test_except();
	test_early();
	test_special();
	test_pass_rcpt();
	test_reply();
	test_spf_helo();
	test_memory();
	helo_clear(&f.helo);
	policy_free(&p);
	return done_testing();
}
