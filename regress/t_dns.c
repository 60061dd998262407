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
 * The resolver against the regress DNS fixture (regress/dns), which
 * t_dns.sh starts and names in REGRESS_DNS_PORT, REGRESS_DNS_DIR and
 * REGRESS_DNS_VALIDATOR_PORT (the validating resolver in front of it).
 * Every answer is summed up in one line, as a user of dns.h would read
 * it: "found 192.0.2.10 cname=good.regress.test", "nxdomain",
 * "error timeout".
 */
#include "compat.h"

#include <sys/socket.h>
#include <sys/time.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "dns.h"
#include "facts.h"
#include "lookup.h"
#include "policy.h"
#include "tap.h"

#define SUMMARY_LEN	2048
#define BOUND_TIMEOUT	5	/* dns-timeout for test_bound(), seconds */
#define ITEMS_MAX	32
#define ITEM_LEN	256

/* one finished lookup, copied out of the callback */
struct answer {
	int		 calls;
	char		 summary[SUMMARY_LEN];
	long		 msec;
	int		 ttl;
	int		 cached;
};

static const struct {
	const char	*name;
	int		 type;
	const char	*want;
} lookups[] = {
	{ "a-only.regress.test",	DNS_TYPE_A,	"found 192.0.2.31" },
	{ "a-only.regress.test",	DNS_TYPE_AAAA,	"nodata" },
	{ "a-only.regress.test",	DNS_TYPE_MX,	"nodata" },
	{ "aaaa-only.regress.test",	DNS_TYPE_AAAA,	"found 2001:db8::31" },
	{ "aaaa-only.regress.test",	DNS_TYPE_A,	"nodata" },
	{ "dual.regress.test",		DNS_TYPE_A,	"found 192.0.2.34" },
	{ "dual.regress.test",		DNS_TYPE_AAAA,	"found 2001:db8::34" },
	{ "multi.regress.test",		DNS_TYPE_A,
	    "found 192.0.2.35 192.0.2.36" },
	{ "mx-only.regress.test",	DNS_TYPE_MX,
	    "found mail.regress.test" },
	{ "mx-only.regress.test",	DNS_TYPE_A,	"nodata" },
	{ "mx-pair.regress.test",	DNS_TYPE_MX,
	    "found mail.regress.test mx2.regress.test" },
	{ "null-mx.regress.test",	DNS_TYPE_MX,	"found" },
	{ "nodata.regress.test",	DNS_TYPE_A,	"nodata" },
	{ "nodata.regress.test",	DNS_TYPE_AAAA,	"nodata" },
	{ "nodata.regress.test",	DNS_TYPE_MX,	"nodata" },
	{ "nodata.regress.test",	DNS_TYPE_TXT,
	    "found \"exists, but has no address and no MX\"" },
	{ "a-only.regress.test",	DNS_TYPE_TXT,	"nodata" },
	{ "missing.regress.test",	DNS_TYPE_A,	"nxdomain" },
	{ "missing.regress.test",	DNS_TYPE_MX,	"nxdomain" },
	{ "alias.regress.test",		DNS_TYPE_A,
	    "found 192.0.2.10 cname=good.regress.test" },
	{ "ALIAS.Regress.Test.",	DNS_TYPE_AAAA,
	    "found 2001:db8::10 cname=good.regress.test" },
	{ "Good.Regress.Test.",		DNS_TYPE_A,	"found 192.0.2.10" },
	/*
	 * The fixture's auth-zone does not follow the CNAME to its NXDOMAIN
	 * (a recursive resolver would): NOERROR, no address, no SOA.
	 */
	{ "dangling.regress.test",	DNS_TYPE_A,
	    "nodata cname=missing.regress.test" },
	{ "anything.wild.regress.test",	DNS_TYPE_A,	"found 192.0.2.37" },
	{ "regress.test",		DNS_TYPE_MX,
	    "found mx.regress.test" },
	{ "mx.regress.test",		DNS_TYPE_A,	"found 192.0.2.1" },
	{ "mx.regress.test",		DNS_TYPE_AAAA,	"found 2001:db8::1" },
	{ "good.regress.test",		DNS_TYPE_AAAA,	"found 2001:db8::10" },
	{ "liar.regress.test",		DNS_TYPE_A,	"found 198.51.100.99" },
	{ "noptr.regress.test",		DNS_TYPE_A,	"found 192.0.2.12" },
	{ "192-0-2-13.pool.regress.test", DNS_TYPE_A,	"found 192.0.2.13" },
	{ "good6.regress.test",		DNS_TYPE_AAAA,	"found 2001:db8::20" },
	{ "liar6.regress.test",		DNS_TYPE_AAAA,	"found 2001:db8::99" },
	{ "mail.other.regress.test",	DNS_TYPE_A,	"found 203.0.113.30" },
	{ "relay.other.regress.test",	DNS_TYPE_A,	"found 198.51.100.20" },
	{ "alias.regress.test",		DNS_TYPE_CNAME,
	    "found good.regress.test" },
	{ "x.refused.test",		DNS_TYPE_A,	"error refused" },
	{ "x.servfail.test",		DNS_TYPE_A,	"error servfail" },
	{ "outside.example",		DNS_TYPE_A,	"error refused" },
	{ "a..b.regress.test",		DNS_TYPE_A,	"error local error" },
	{ "badlen.regress.test",	DNS_TYPE_A,	"error malformed" },
};

/* The reverse names are those of dns_reverse_name(), tested first. */
static const struct {
	const char	*addr;
	const char	*want;
} ptrs[] = {
	{ "192.0.2.1",		"found mx.regress.test" },
	{ "192.0.2.10",		"found good.regress.test" },
	{ "2001:db8::10",	"found good.regress.test" },
	{ "192.0.2.11",		"found liar.regress.test" },
	{ "192.0.2.12",		"nxdomain" },
	{ "192.0.2.13",		"found 192-0-2-13.pool.regress.test" },
	{ "203.0.113.30",	"found mail.other.regress.test" },
	{ "198.51.100.20",	"found relay.other.regress.test" },
	{ "2001:db8::20",	"found good6.regress.test" },
	{ "2001:db8::21",	"found liar6.regress.test" },
	{ "2001:db8::ffff",	"nxdomain" },
	/* the site's resolver answers for its private ranges */
	{ "10.0.0.1",		"found lan-host.regress.test" },
	{ "198.51.100.67",	"error servfail" },
};

static const struct {
	const char	*addr;
	const char	*want;
} reverses[] = {
	{ "192.0.2.1",		"1.2.0.192.in-addr.arpa" },
	{ "10.0.0.1",		"1.0.0.10.in-addr.arpa" },
	{ "255.254.253.0",	"0.253.254.255.in-addr.arpa" },
	{ "::ffff:198.51.100.7", "7.100.51.198.in-addr.arpa" },
	{ "2001:db8::1",
	    "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
	    "0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa" },
	{ "2001:db8:1234:5678:9abc:def0:1:2",
	    "2.0.0.0.1.0.0.0.0.f.e.d.c.b.a.9."
	    "8.7.6.5.4.3.2.1.8.b.d.0.1.0.0.2.ip6.arpa" },
	{ "::1",
	    "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
	    "0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa" },
	{ "fe80::a:b",
	    "b.0.0.0.a.0.0.0.0.0.0.0.0.0.0.0."
	    "0.0.0.0.0.0.0.0.0.0.0.0.0.8.e.f.ip6.arpa" },
	{ "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fff0",
	    "0.f.f.f.f.f.f.f.f.f.f.f.f.f.f.f."
	    "f.f.f.f.f.f.f.f.f.f.f.f.f.f.f.f.ip6.arpa" },
};

static const struct {
	int		 type;
	const char	*want;
} types[] = {
	{ DNS_TYPE_A,		"A" },
	{ DNS_TYPE_AAAA,	"AAAA" },
	{ DNS_TYPE_MX,		"MX" },
	{ DNS_TYPE_PTR,		"PTR" },
	{ DNS_TYPE_CNAME,	"CNAME" },
	{ DNS_TYPE_TXT,		"TXT" },
	{ 99,			"TYPE99" },
};

static const char *status_names[] = {
	[DNS_FOUND] =		"found",
	[DNS_NXDOMAIN] =	"nxdomain",
	[DNS_NODATA] =		"nodata",
	[DNS_ERROR] =		"error",
};

static struct event_base	*base;
static struct event		 guard;
static int			 awaited;
static int			 early_calls;
static char			 fixture_dir[1024];
static char			 resolver[64];
static char			 validator[64];
static char			 init_err[1024];
static int			 observed;
static int			 observed_cached;
/* a resolver of the test's own, that says NXDOMAIN to every query */
static int			 responder_fd = -1;
static struct event		 responder_ev;
static int			 responder_port;	/* it listens on */
static int			 responder_from;	/* last query's port */

static void	test_reverse_names(void);
static void	test_types(void);
static void	test_lookups(void);
static void	test_ptrs(void);
static void	test_cache(void);
static void	test_cache_same(void);
static void	test_cache_expiry(void);
static void	test_cache_failures(void);
static void	test_shared(void);
static void	test_cancel(void);
static void	test_reconnect(void);
static void	reconnect_cb(void *);
static void	test_deadline(void);
static void	test_shutdown_pending(void);
static void	test_dead_stream(void);
static void	test_bound(void);
static void	test_bogus(void);
static void	test_secure(void);
static void	test_init_errors(void);
static void	test_sockets(void);
static int	sockets_pair(const char *, const char *, int *, int *);
static int	responder_open(const char *, int);
static void	responder_close(void);
static void	responder_answer(int, short, void *);
static int	host_address(char *, size_t);
static int	start(const char *, enum dnssec_mode, int);
static void	observe(const char *, int, const struct dns_result *);
static void	got(const struct dns_result *, void *);
static void	ask(const char *, int, long, struct answer *);
static void	lookup(const char *, int, struct answer *);
static void	run(long, const struct answer *);
static void	idle(long);
static void	arm(long);
static void	guard_fired(int, short, void *);
static int	cmp_items(const void *, const void *);
static long	ms_since(const struct timespec *);
static int	log_count(const char *);

int
main(void)
{
	const char	*port, *dir, *vport;

	if ((port = getenv("REGRESS_DNS_PORT")) == NULL ||
	    (dir = getenv("REGRESS_DNS_DIR")) == NULL ||
	    (vport = getenv("REGRESS_DNS_VALIDATOR_PORT")) == NULL) {
		printf("1..0 # SKIP no DNS fixture (run regress/t_dns.sh)\n");
		return 0;
	}
	snprintf(resolver, sizeof(resolver), "127.0.0.1@%s", port);
	snprintf(validator, sizeof(validator), "127.0.0.1@%s", vport);
	strlcpy(fixture_dir, dir, sizeof(fixture_dir));
	if ((base = event_base_new()) == NULL) {
		printf("Bail out! event_base_new\n");
		return 1;
	}
	evtimer_set(&guard, guard_fired, NULL);
	event_base_set(base, &guard);
	plan(229);

	test_reverse_names();
	test_types();
	/* a fresh resolver, with a fresh cache, for each part */
	if (ok(start(resolver, DNSSEC_OFF, 8) == 0,
	    "init: forward to %s", resolver)) {
		test_lookups();
		test_ptrs();
		test_cache();
		test_cache_same();
		test_cache_expiry();
		test_cache_failures();
		test_shared();
		test_cancel();
		test_reconnect();
		dns_shutdown();
	}
	if (ok(start(resolver, DNSSEC_OFF, 8) == 0,
	    "init: again, after shutdown")) {
		test_deadline();
		test_dead_stream();
		test_shutdown_pending();
	}
	if (ok(start(resolver, DNSSEC_OFF, BOUND_TIMEOUT) == 0,
	    "init: for the bound on lookups")) {
		test_bound();
		dns_shutdown();
	}
	test_bogus();
	test_secure();
	test_init_errors();
	test_sockets();
	is_int(early_calls, 0, "no callback ran inside dns_query()");

	event_base_free(base);
	return done_testing();
}

static void
test_reverse_names(void)
{
	struct addr	 a;
	char		 buf[DNS_REVERSE_LEN];
	size_t		 i;

	for (i = 0; i < nitems(reverses); i++) {
		if (addr_parse(reverses[i].addr, &a) == -1) {
			ok(0, "addr_parse %s", reverses[i].addr);
			continue;
		}
		if (dns_reverse_name(&a, buf, sizeof(buf)) == -1)
			strlcpy(buf, "(failed)", sizeof(buf));
		is_str(buf, reverses[i].want, "reverse name of %s",
		    reverses[i].addr);
	}
	addr_parse("2001:db8::1", &a);
	is_int(dns_reverse_name(&a, buf, DNS_REVERSE_LEN - 1), -1,
	    "reverse name: IPv6 into a short buffer fails");
	addr_parse("192.0.2.1", &a);
	is_int(dns_reverse_name(&a, buf, 10), -1,
	    "reverse name: IPv4 into a short buffer fails");
	memset(&a, 0, sizeof(a));
	is_int(dns_reverse_name(&a, buf, sizeof(buf)), -1,
	    "reverse name: no address, no name");
}

static void
test_types(void)
{
	size_t	 i;

	for (i = 0; i < nitems(types); i++)
		is_str(dns_type_name(types[i].type), types[i].want,
		    "type name %d", types[i].type);
}

static void
test_lookups(void)
{
	struct answer	 an;
	size_t		 i;

	for (i = 0; i < nitems(lookups); i++) {
		lookup(lookups[i].name, lookups[i].type, &an);
		is_str(an.summary, lookups[i].want, "%s %s", lookups[i].name,
		    dns_type_name(lookups[i].type));
	}
	/* failures come back at once: the fixture answers them */
	lookup("y.refused.test", DNS_TYPE_MX, &an);
	ok(an.msec < 1000, "REFUSED is quick (%ldms)", an.msec);
	lookup("y.servfail.test", DNS_TYPE_MX, &an);
	ok(an.msec < 1000, "SERVFAIL is quick (%ldms)", an.msec);
}

static void
test_ptrs(void)
{
	struct answer	 an;
	struct addr	 a;
	char		 name[DNS_REVERSE_LEN];
	size_t		 i;

	for (i = 0; i < nitems(ptrs); i++) {
		if (addr_parse(ptrs[i].addr, &a) == -1 ||
		    dns_reverse_name(&a, name, sizeof(name)) == -1) {
			ok(0, "reverse name of %s", ptrs[i].addr);
			continue;
		}
		lookup(name, DNS_TYPE_PTR, &an);
		is_str(an.summary, ptrs[i].want, "PTR of %s", ptrs[i].addr);
	}
}

/*
 * The fixture logs each query it gets; the second one must not come,
 * and it is our cache that answers: it counts a hit.
 * The name is the same in any case and with or without its final dot.
 */
static void
test_cache(void)
{
	struct answer		 first, second;
	struct dns_stats	 st0, st;
	int			 seen, seen_cached;

	seen = observed;
	seen_cached = observed_cached;
	dns_stats(&st0);
	lookup("cached.regress.test", DNS_TYPE_A, &first);
	lookup("Cached.Regress.Test.", DNS_TYPE_A, &second);
	dns_stats(&st);
	is_str(first.summary, "found 192.0.2.38", "cache: first answer");
	is_str(second.summary, "found 192.0.2.38", "cache: second answer");
	ok(!first.cached && second.cached, "cache: the answer says so");
	ok(observed - seen == 2 && observed_cached - seen_cached == 1,
	    "cache: the observer heard of both, one cached");
	is_int(log_count(" cached.regress.test. A IN"), 1,
	    "cache: the server was asked once");
	ok(st.misses - st0.misses == 1 && st.hits - st0.hits == 1,
	    "cache: one lookup, then one hit (%lu, %lu)",
	    st.misses - st0.misses, st.hits - st0.hits);
	ok(second.ttl > 0 && second.ttl <= first.ttl,
	    "cache: with the TTL left (%d, then %d)", first.ttl, second.ttl);
	ok(st.cached > 0, "cache: %zu answers kept", st.cached);
}

/*
 * Every answer asked before, asked again: the same from the cache as
 * it was fresh (addresses, names, CNAME, negative status), and failures
 * are asked again, never kept.
 */
static void
test_cache_same(void)
{
	struct answer		 an;
	struct dns_stats	 st0, st;
	struct addr		 a;
	char			 name[DNS_REVERSE_LEN];
	size_t			 i;
	unsigned long		 hits = 0, misses = 0;

	dns_stats(&st0);
	for (i = 0; i < nitems(lookups); i++) {
		lookup(lookups[i].name, lookups[i].type, &an);
		is_str(an.summary, lookups[i].want, "again: %s %s",
		    lookups[i].name, dns_type_name(lookups[i].type));
		/* a negative answer without a SOA is not kept (RFC 2308) */
		if (strncmp(lookups[i].want, "error", 5) == 0 ||
		    strcmp(lookups[i].name, "dangling.regress.test") == 0)
			misses++;
		else
			hits++;
	}
	for (i = 0; i < nitems(ptrs); i++) {
		if (addr_parse(ptrs[i].addr, &a) == -1 ||
		    dns_reverse_name(&a, name, sizeof(name)) == -1)
			continue;
		lookup(name, DNS_TYPE_PTR, &an);
		is_str(an.summary, ptrs[i].want, "again: PTR of %s",
		    ptrs[i].addr);
		if (strncmp(ptrs[i].want, "error", 5) == 0)
			misses++;
		else
			hits++;
	}
	dns_stats(&st);
	is_int(st.hits - st0.hits, hits, "again: every answer was a hit");
	is_int(st.misses - st0.misses, misses,
	    "again: every failure was asked again");

	lookup("missing.regress.test", DNS_TYPE_A, &an);
	ok(an.ttl > 0 && an.ttl <= 60,
	    "a negative answer is kept for the SOA minimum (%d s left)",
	    an.ttl);
}

/* short.regress.test has a TTL of 1 s. */
static void
test_cache_expiry(void)
{
	struct answer		 an;
	struct dns_stats	 st0, st;

	dns_stats(&st0);
	lookup("short.regress.test", DNS_TYPE_A, &an);
	is_str(an.summary, "found 192.0.2.39", "expiry: first answer");
	is_int(an.ttl, 1, "expiry: with its TTL");
	lookup("short.regress.test", DNS_TYPE_A, &an);
	dns_stats(&st);
	is_int(st.hits - st0.hits, 1, "expiry: asked at once, a hit");
	idle(2100);
	lookup("short.regress.test", DNS_TYPE_A, &an);
	is_str(an.summary, "found 192.0.2.39", "expiry: answer after the TTL");
	dns_stats(&st);
	ok(st.hits - st0.hits == 1 && st.misses - st0.misses == 2,
	    "expiry: asked again once expired (%lu hits, %lu lookups)",
	    st.hits - st0.hits, st.misses - st0.misses);
	is_int(log_count(" short.regress.test. A IN"), 2,
	    "expiry: the server was asked twice");
}

/* SERVFAIL, a malformed answer and a timeout are asked again. */
static void
test_cache_failures(void)
{
	static const struct {
		const char	*name;
		long		 timeout_ms;
		const char	*want;
	} fails[] = {
		{ "z.servfail.test",	5000,	"error servfail" },
		{ "badlen.regress.test", 5000,	"error malformed" },
		{ "z.dropped.test",	200,	"error timeout" },
	};
	struct answer		 an;
	struct dns_stats	 st0, st;
	size_t			 i, j;

	for (i = 0; i < nitems(fails); i++) {
		dns_stats(&st0);
		for (j = 0; j < 2; j++) {
			ask(fails[i].name, DNS_TYPE_A, fails[i].timeout_ms,
			    &an);
			run(6000, &an);
			is_str(an.summary, fails[i].want, "%s, time %zu",
			    fails[i].name, j + 1);
		}
		dns_stats(&st);
		ok(st.hits == st0.hits && st.misses - st0.misses == 2,
		    "%s: not cached", fails[i].want);
		ok(st.asked - st0.asked == 2 && st.answered == st0.answered,
		    "%s: asked twice, no answer", fails[i].want);
		if (strcmp(fails[i].want, "error timeout") == 0)
			ok(st.timeouts - st0.timeouts == 2 &&
			    st.failed == st0.failed, "%s: counted as timeouts",
			    fails[i].want);
		else
			ok(st.failed - st0.failed == 2 &&
			    st.timeouts == st0.timeouts,
			    "%s: counted as failures", fails[i].want);
	}
}

/* Asked three times at once, a name is looked up once. */
static void
test_shared(void)
{
	static const char	*names[] = {
		"shared.wild.regress.test",
		"shared.wild.regress.test",
		"SHARED.Wild.Regress.Test.",
	};
	struct answer		 an[nitems(names)];
	struct dns_stats	 st0, st;
	size_t			 i;

	dns_stats(&st0);
	for (i = 0; i < nitems(names); i++)
		ask(names[i], DNS_TYPE_A, 5000, &an[i]);
	run(6000, NULL);
	dns_stats(&st);
	for (i = 0; i < nitems(names); i++)
		is_str(an[i].summary, "found 192.0.2.37", "shared: answer %zu",
		    i + 1);
	is_int(st.shared - st0.shared, 2, "shared: two joined the first");
	is_int(log_count(" shared.wild.regress.test. A IN"), 1,
	    "shared: the server was asked once");
}

static void
test_cancel(void)
{
	struct answer		 slow, quick;
	struct dns_query	*q;

	memset(&slow, 0, sizeof(slow));
	memset(&quick, 0, sizeof(quick));
	q = dns_query("cancel.dropped.test", DNS_TYPE_A, 300, got, &slow);
	dns_cancel(q);
	q = dns_query("dual.regress.test", DNS_TYPE_MX, 3000, got, &quick);
	dns_cancel(q);
	dns_cancel(NULL);
	idle(800);
	is_int(slow.calls, 0, "cancel: no callback, not even at the deadline");
	is_int(quick.calls, 0, "cancel: no callback when the answer comes");
	lookup("dual.regress.test", DNS_TYPE_A, &quick);
	is_str(quick.summary, "found 192.0.2.34",
	    "cancel: the resolver still works");
}

/*
 * smtpd may open a session id again (a link-connect for a live one):
 * the first connection's lookups still in flight must not count for
 * the second.  The second link-connect comes from inside the PTR
 * answer's callback, when the forward confirmation has just been
 * asked: the widest window there is.
 */
struct reconnect {
	struct lookup_set	*set;
	struct facts		*facts;
	int			 again;
	int			 calls;
};

static void
test_reconnect(void)
{
	struct facts		 facts;
	struct reconnect	 r;
	struct timespec		 t0;

	memset(&facts, 0, sizeof(facts));
	memset(&r, 0, sizeof(r));
	r.facts = &facts;
	if (!ok(addr_parse("192.0.2.10", &facts.client) == 0,
	    "reconnect: client address"))
		return;
	r.set = lookup_new(&facts, 3000, reconnect_cb, &r);
	lookup_start(r.set, NEEDS_PTR, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	arm(4000);
	while (evtimer_pending(&guard, NULL) && lookup_pending(r.set))
		event_base_loop(base, EVLOOP_ONCE);
	evtimer_del(&guard);
	is_int(r.again, 1, "reconnect: the session connected again");
	is_int(facts.dns.fcrdns, LOOKUP_FOUND,
	    "reconnect: the client is forward-confirmed");
	ok(facts.dns.nrdns == 1 && strcmp(facts.dns.rdns[0],
	    "good.regress.test") == 0, "reconnect: by its one name");
	ok(ms_since(&t0) < 2000, "reconnect: without waiting for a deadline");
	lookup_free(r.set);
	dns_facts_free(&facts.dns);
}

static void
reconnect_cb(void *arg)
{
	struct reconnect	*r = arg;

	r->calls++;
	if (r->again == 0 && r->facts->dns.ptr == LOOKUP_FOUND &&
	    r->facts->dns.fcrdns == LOOKUP_PENDING) {
		r->again = 1;
		lookup_start(r->set, NEEDS_PTR, NULL);
	}
}

/*
 * Dropped queries end at our deadline, and meanwhile, and after, other
 * names resolve at once: nothing marks the resolver down.
 */
static void
test_deadline(void)
{
	struct answer	 drop[5], good, after;
	struct timespec	 t0;
	char		 name[64];
	long		 took;
	size_t		 i;
	int		 all_timeout = 1, all_in_time = 1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < nitems(drop); i++) {
		snprintf(name, sizeof(name), "x%zu.dropped.test", i);
		ask(name, DNS_TYPE_A, 1500, &drop[i]);
	}
	idle(200);
	ask("good.regress.test", DNS_TYPE_MX, 8000, &good);
	run(5000, &good);
	is_str(good.summary, "nodata", "good name while drops are pending");
	ok(good.msec < 1000, "... answered in %ldms", good.msec);

	run(5000, NULL);
	took = ms_since(&t0);
	for (i = 0; i < nitems(drop); i++) {
		if (strcmp(drop[i].summary, "error timeout") != 0) {
			diag("x%zu.dropped.test: %s", i, drop[i].summary);
			all_timeout = 0;
		}
		if (drop[i].msec < 1400 || drop[i].msec >= 3000) {
			diag("x%zu.dropped.test: %ldms", i, drop[i].msec);
			all_in_time = 0;
		}
	}
	ok(all_timeout, "dropped queries end with \"timeout\"");
	ok(all_in_time, "... at the 1500ms deadline");
	ok(took >= 1400 && took < 3000, "... seen by the caller (%ldms)",
	    took);

	lookup("after.wild.regress.test", DNS_TYPE_A, &after);
	is_str(after.summary, "found 192.0.2.37", "a new name after the drops");
	ok(after.msec < 1000, "... answered in %ldms", after.msec);
}

/*
 * Names that never answer, asked faster than they time out, as a
 * stream of throwaway spam domains asks them: every one stays in flight
 * until its deadline, and a resolvable name asked meanwhile is answered
 * at once, whatever their number.
 */
#define DEAD_NAMES	2000
#define DEAD_DEADLINE	1500

static void
test_dead_stream(void)
{
	static struct answer	 dead[DEAD_NAMES];
	struct answer		 good;
	struct dns_stats	 st0, st;
	char			 name[64];
	size_t			 i, late = 0, timeouts = 0;

	dns_stats(&st0);
	for (i = 0; i < DEAD_NAMES; i++) {
		snprintf(name, sizeof(name), "d%zu.stream.dropped.test", i);
		ask(name, DNS_TYPE_A, DEAD_DEADLINE, &dead[i]);
		if (i % 100 == 0)
			event_base_loop(base, EVLOOP_NONBLOCK);
	}
	dns_stats(&st);
	is_int(st.inflight - st0.inflight, DEAD_NAMES,
	    "dead stream: every name is in flight");
	lookup("stream.wild.regress.test", DNS_TYPE_A, &good);
	is_str(good.summary, "found 192.0.2.37",
	    "dead stream: a good name meanwhile");
	ok(good.msec < 500, "... answered at once (%ldms)", good.msec);

	run(DEAD_DEADLINE + 2000, NULL);
	for (i = 0; i < DEAD_NAMES; i++) {
		if (strcmp(dead[i].summary, "error timeout") == 0)
			timeouts++;
		if (dead[i].calls != 1 || dead[i].msec > DEAD_DEADLINE + 500)
			late++;
	}
	is_int(timeouts, DEAD_NAMES, "dead stream: each ends in timeout");
	is_int(late, 0, "dead stream: each caller told once, by its deadline");
	dns_stats(&st);
	ok(st.abandoned == st.inflight && st.inflight > 0,
	    "dead stream: %zu abandoned, still counted until c-ares ends them",
	    st.abandoned);
}

/*
 * As many lookups in flight as the bound allows, none ever answered: one
 * more new name fails at once with "overload" (a 451 at worst), a name
 * already in flight still shares its lookup, and once c-ares ends them
 * (about dns-timeout after they were sent) the bound is free again.
 */
#define BOUND_DEADLINE	500

static void
test_bound(void)
{
	static struct answer	*drop;
	struct answer		 over, shared, gone, after;
	struct dns_query	*q;
	struct dns_stats	 st;
	char			 name[64];
	size_t			 i, n, late = 0;

	dns_stats(&st);
	n = st.inflight_max;
	if (!ok(n > 0 && (drop = calloc(n, sizeof(*drop))) != NULL,
	    "bound: %zu lookups in flight at most", n))
		return;
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "b%zu.bound.dropped.test", i);
		ask(name, DNS_TYPE_A, BOUND_DEADLINE, &drop[i]);
		if (i % 100 == 0)
			event_base_loop(base, EVLOOP_NONBLOCK);
	}
	dns_stats(&st);
	is_int(st.inflight, n, "bound: the bound is reached");
	ask("over.bound.dropped.test", DNS_TYPE_A, 5000, &over);
	ask("b7.bound.dropped.test", DNS_TYPE_A, BOUND_DEADLINE, &shared);
	memset(&gone, 0, sizeof(gone));
	q = dns_query("gone.bound.dropped.test", DNS_TYPE_A, 1000, got, &gone);
	dns_cancel(q);
	run(200, &over);
	is_str(over.summary, "error overload", "bound: one more is refused");
	ok(over.msec < 100, "... at once (%ldms)", over.msec);
	dns_stats(&st);
	ok(st.shared >= 1 && st.inflight == n,
	    "bound: a name in flight is shared, not refused");

	run(BOUND_DEADLINE + 2000, NULL);
	for (i = 0; i < n; i++)
		if (drop[i].calls != 1 || drop[i].msec > BOUND_DEADLINE + 1000)
			late++;
	is_int(late, 0, "bound: every caller told once, by its deadline");
	is_str(shared.summary, "error timeout",
	    "bound: the shared one at its deadline");
	is_int(gone.calls, 0, "bound: no callback for the cancelled one");

	/* c-ares ends them about dns-timeout after they were sent */
	arm(BOUND_TIMEOUT * 1000 + 3000);
	while (evtimer_pending(&guard, NULL) && (dns_stats(&st),
	    st.inflight > 0))
		event_base_loop(base, EVLOOP_ONCE);
	evtimer_del(&guard);
	is_int(st.inflight, 0, "bound: c-ares ended the abandoned lookups");
	lookup("after.bound.wild.regress.test", DNS_TYPE_A, &after);
	is_str(after.summary, "found 192.0.2.37", "bound: room again");
	free(drop);
}

/* dns_shutdown() frees pending queries without calling them back. */
static void
test_shutdown_pending(void)
{
	struct answer	 an;

	ask("pending.dropped.test", DNS_TYPE_A, 1000, &an);
	dns_shutdown();
	awaited--;		/* it never will be answered */
	idle(1300);
	is_int(an.calls, 0, "shutdown: no callback for a pending query");
}

/*
 * The site's resolver validates: what is bogus there comes back as
 * SERVFAIL, a failed lookup like any other.
 */
static void
test_bogus(void)
{
	struct answer	 an;
	char		 path[1100];

	if (!ok(start(validator, DNSSEC_LOOPBACK, 8) == 0,
	    "init: the validating resolver %s", validator))
		return;
	lookup("good.stripped.test", DNS_TYPE_A, &an);
	is_str(an.summary, "error servfail",
	    "bogus: a zone its trust anchor does not match is an error");
	lookup("1.0.0.10.in-addr.arpa", DNS_TYPE_PTR, &an);
	is_str(an.summary, "found lan-host.regress.test",
	    "outside the anchors: found, not secure");
	snprintf(path, sizeof(path), "%s/signed.ta", fixture_dir);
	if (access(path, R_OK) == 0) {
		lookup("tampered.signed.test", DNS_TYPE_A, &an);
		is_str(an.summary, "error servfail",
		    "bogus: a bad signature is an error");
	}
	dns_shutdown();
}

/*
 * The AD bit of the validating resolver becomes "secure" with dnssec
 * on, and comes with a cached answer too; without, it is ignored.
 */
static void
test_secure(void)
{
	struct answer		 first, second;
	struct dns_stats	 st;
	char			 path[1100];

	snprintf(path, sizeof(path), "%s/signed.ta", fixture_dir);
	if (access(path, R_OK) == -1) {
		diag("no signed.ta (no ldns tools): secure answers not "
		    "tested");
		return;
	}
	if (!ok(start(validator, DNSSEC_LOOPBACK, 8) == 0,
	    "init: the validating resolver, dnssec yes"))
		return;
	lookup("good.signed.test", DNS_TYPE_A, &first);
	lookup("good.signed.test", DNS_TYPE_A, &second);
	dns_stats(&st);
	is_str(first.summary, "found 192.0.2.40 secure", "secure: first");
	is_str(second.summary, first.summary, "secure: from the cache");
	is_int(st.hits, 1, "secure: the second was a hit");
	lookup("missing.signed.test", DNS_TYPE_A, &first);
	is_str(first.summary, "nxdomain secure", "secure: proven NXDOMAIN");
	lookup("nodata.signed.test", DNS_TYPE_MX, &first);
	is_str(first.summary, "nodata secure", "secure: proven NODATA");
	lookup("good.regress.test", DNS_TYPE_A, &first);
	is_str(first.summary, "found 192.0.2.10",
	    "secure: not outside the anchors");
	dns_shutdown();

	if (!ok(start(validator, DNSSEC_ANY, 8) == 0,
	    "init: the validating resolver, dnssec any"))
		return;
	lookup("good.signed.test", DNS_TYPE_A, &first);
	is_str(first.summary, "found 192.0.2.40 secure", "dnssec any: secure");
	dns_shutdown();

	if (!ok(start(validator, DNSSEC_OFF, 8) == 0,
	    "init: the validating resolver, dnssec no"))
		return;
	lookup("good.signed.test", DNS_TYPE_A, &first);
	is_str(first.summary, "found 192.0.2.40",
	    "dnssec no: the same answer, not secure");
	dns_shutdown();
}

static void
test_init_errors(void)
{
	struct dns_conf	 c;
	struct answer	 an;
	char		 badaddr[] = "not-an-address";
	char		*bad[] = { badaddr };

	memset(&c, 0, sizeof(c));
	c.resolvers = bad;
	c.nresolvers = 1;
	is_int(dns_init(base, &c, NULL, init_err, sizeof(init_err)), -1,
	    "init: bad resolver address");
	ok(strncmp(init_err, "resolver not-an-address: ", 25) == 0,
	    "init: the reason names the resolver (%s)", init_err);

	if (start(resolver, DNSSEC_OFF, 8) == 0) {
		is_int(dns_init(base, &c, NULL, init_err, sizeof(init_err)),
		    -1, "init: twice");
		is_str(init_err, "dns_init: already initialised",
		    "init: twice, the reason");
		dns_shutdown();
	}
	dns_shutdown();
	ok(dns_query("good.regress.test", DNS_TYPE_A, 1000, got, &an) ==
	    NULL, "shutdown: twice, and no query is taken after it");
}

/*
 * The resolver's sockets, as its server sees them: on loopback one
 * socket stays between lookups (the same source port after the filter
 * was idle), and a resolver that stopped and started again is asked
 * again at once; off loopback, a new socket and port after idle.
 */
static void
test_sockets(void)
{
	struct answer	 an;
	char		 host[INET6_ADDRSTRLEN];
	int		 first, second, port;

	if (!ok(sockets_pair("127.0.0.1", "loopback", &first, &second) == 0,
	    "loopback resolver: answered twice"))
		return;
	is_int(second, first, "loopback resolver: the same source port "
	    "after idle");
	port = responder_port;
	responder_close();
	lookup("stopped.sockets.test", DNS_TYPE_A, &an);
	is_str(an.summary, "error unreachable",
	    "loopback resolver stopped: unreachable");
	if (responder_open("127.0.0.1", port) == -1) {
		ok(0, "loopback resolver: started again on port %d", port);
		dns_shutdown();
		return;
	}
	lookup("restarted.sockets.test", DNS_TYPE_A, &an);
	is_str(an.summary, "nxdomain", "loopback resolver started again: "
	    "answered");
	ok(an.msec < 1000, "... at once (%ldms)", an.msec);
	dns_shutdown();
	responder_close();

	if (host_address(host, sizeof(host)) == -1) {
		ok(1, "# SKIP no address off loopback");
		ok(1, "# SKIP no address off loopback");
		return;
	}
	if (!ok(sockets_pair(host, "off", &first, &second) == 0,
	    "resolver off loopback (%s): answered twice", host))
		return;
	ok(second != first, "resolver off loopback: a new source port "
	    "after idle (%d, then %d)", first, second);
	dns_shutdown();
	responder_close();
}

/*
 * A responder on addr, the resolver started on it, and two lookups
 * with the resolver idle between them: the source port of each.  The
 * resolver is left running.
 */
static int
sockets_pair(const char *addr, const char *tag, int *first, int *second)
{
	struct answer	 an;
	char		 server[INET6_ADDRSTRLEN + 8], name[64];

	if (responder_open(addr, 0) == -1)
		return -1;
	snprintf(server, sizeof(server), "%s@%d", addr, responder_port);
	if (start(server, DNSSEC_OFF, 8) == -1) {
		responder_close();
		return -1;
	}
	snprintf(name, sizeof(name), "first.%s.sockets.test", tag);
	lookup(name, DNS_TYPE_A, &an);
	*first = responder_from;
	idle(100);
	snprintf(name, sizeof(name), "second.%s.sockets.test", tag);
	lookup(name, DNS_TYPE_A, &an);
	*second = responder_from;
	if (strcmp(an.summary, "nxdomain") != 0 || *first == 0) {
		diag("%s: %s", server, an.summary);
		dns_shutdown();
		responder_close();
		return -1;
	}
	return 0;
}

/* A UDP socket on addr, port 0 for any; -1 if it cannot be had. */
static int
responder_open(const char *addr, int port)
{
	struct sockaddr_storage	 ss;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&ss;
	socklen_t		 len;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, addr, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		len = sizeof(*sin);
	} else if (inet_pton(AF_INET6, addr, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		len = sizeof(*sin6);
	} else
		return -1;
	if ((responder_fd = socket(ss.ss_family, SOCK_DGRAM, 0)) == -1)
		return -1;
	if (bind(responder_fd, (struct sockaddr *)&ss, len) == -1 ||
	    getsockname(responder_fd, (struct sockaddr *)&ss, &len) == -1) {
		diag("responder on %s port %d: %s", addr, port,
		    strerror(errno));
		close(responder_fd);
		responder_fd = -1;
		return -1;
	}
	responder_port = ntohs(ss.ss_family == AF_INET ? sin->sin_port :
	    sin6->sin6_port);
	responder_from = 0;
	event_set(&responder_ev, responder_fd, EV_READ | EV_PERSIST,
	    responder_answer, NULL);
	event_base_set(base, &responder_ev);
	event_add(&responder_ev, NULL);
	return 0;
}

static void
responder_close(void)
{
	if (responder_fd == -1)
		return;
	event_del(&responder_ev);
	close(responder_fd);
	responder_fd = -1;
}

/* The query back, as a response with rcode NXDOMAIN. */
static void
responder_answer(int fd, short events, void *arg)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len = sizeof(ss);
	unsigned char		 buf[1500];
	ssize_t			 n;

	n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&ss, &len);
	if (n < 12)
		return;
	responder_from = ntohs(ss.ss_family == AF_INET ?
	    ((struct sockaddr_in *)&ss)->sin_port :
	    ((struct sockaddr_in6 *)&ss)->sin6_port);
	buf[2] |= 0x80;			/* QR */
	buf[3] = (buf[3] & 0xf0) | 3;	/* RCODE NXDOMAIN */
	buf[3] |= 0x80;			/* RA */
	sendto(fd, buf, n, 0, (struct sockaddr *)&ss, len);
}

/*
 * An address of this host off loopback: the one it would send from to
 * a documentation address.  connect() on UDP sends nothing.
 */
static int
host_address(char *host, size_t hostlen)
{
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof(sin);
	int			 fd, r = -1;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(9);
	inet_pton(AF_INET, "198.51.100.1", &sin.sin_addr);
	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sin, &len) == 0 &&
	    (ntohl(sin.sin_addr.s_addr) >> 24) != 127 &&
	    inet_ntop(AF_INET, &sin.sin_addr, host, hostlen) != NULL)
		r = 0;
	close(fd);
	return r;
}

/* The resolver as the filter sets it up, aimed at the fixture. */
static int
start(const char *server, enum dnssec_mode mode, int dns_timeout)
{
	struct dns_conf	 c;
	char		 addr[64];
	char		*fwd[] = { addr };

	strlcpy(addr, server, sizeof(addr));
	memset(&c, 0, sizeof(c));
	c.resolvers = fwd;
	c.nresolvers = 1;
	c.timeout = dns_timeout;
	c.dnssec = mode;
	if (dns_init(base, &c, observe, init_err, sizeof(init_err)) == -1) {
		fprintf(stderr, "%s\n", init_err);
		return -1;
	}
	return 0;
}

/* The resolver's observer: counts what it is told. */
static void
observe(const char *name, int type, const struct dns_result *res)
{
	if (name == NULL)
		return;
	observed++;
	if (res->cached)
		observed_cached++;
}

/* The result lives only during the call: copy it out as a summary. */
static void
got(const struct dns_result *res, void *arg)
{
	struct answer	*an = arg;
	char		 items[ITEMS_MAX][ITEM_LEN];
	char		*sorted[ITEMS_MAX];
	size_t		 i, n = 0;

	an->calls++;
	awaited--;
	an->msec = res->msec;
	an->ttl = res->ttl;
	an->cached = res->cached;
	for (i = 0; i < res->naddrs && n < ITEMS_MAX; i++, n++)
		addr_fmt(&res->addrs[i], items[n], ITEM_LEN);
	for (i = 0; i < res->nnames && n < ITEMS_MAX; i++, n++)
		strlcpy(items[n], res->names[i], ITEM_LEN);
	/* a TXT record as text in quotes, its length checked */
	for (i = 0; i < res->ntxts && n < ITEMS_MAX; i++, n++)
		snprintf(items[n], ITEM_LEN, "\"%s\"%s", res->txts[i].text,
		    strlen(res->txts[i].text) == res->txts[i].len ? "" :
		    " (length wrong)");
	for (i = 0; i < n; i++)
		sorted[i] = items[i];
	qsort(sorted, n, sizeof(sorted[0]), cmp_items);

	strlcpy(an->summary, status_names[res->status], SUMMARY_LEN);
	if (res->status == DNS_ERROR) {
		strlcat(an->summary, " ", SUMMARY_LEN);
		strlcat(an->summary, res->why ? res->why : "(null)",
		    SUMMARY_LEN);
	}
	for (i = 0; i < n; i++) {
		strlcat(an->summary, " ", SUMMARY_LEN);
		strlcat(an->summary, sorted[i], SUMMARY_LEN);
	}
	if (res->cname != NULL) {
		strlcat(an->summary, " cname=", SUMMARY_LEN);
		strlcat(an->summary, res->cname, SUMMARY_LEN);
	}
	if (res->secure)
		strlcat(an->summary, " secure", SUMMARY_LEN);
}

static void
ask(const char *name, int type, long timeout_ms, struct answer *an)
{
	memset(an, 0, sizeof(*an));
	strlcpy(an->summary, "(no answer)", SUMMARY_LEN);
	if (dns_query(name, type, timeout_ms, got, an) == NULL) {
		strlcpy(an->summary, "(dns_query failed)", SUMMARY_LEN);
		return;
	}
	if (an->calls != 0)
		early_calls++;
	awaited++;
}

static void
lookup(const char *name, int type, struct answer *an)
{
	ask(name, type, 5000, an);
	run(6000, an);
}

/*
 * Runs the event loop until the answer comes, or every awaited answer if
 * an is NULL, for max_ms at most.
 */
static void
run(long max_ms, const struct answer *an)
{
	arm(max_ms);
	while (evtimer_pending(&guard, NULL) &&
	    (an != NULL ? an->calls == 0 : awaited > 0))
		event_base_loop(base, EVLOOP_ONCE);
	evtimer_del(&guard);
}

/* Runs the event loop for ms, whatever happens. */
static void
idle(long ms)
{
	arm(ms);
	while (evtimer_pending(&guard, NULL))
		event_base_loop(base, EVLOOP_ONCE);
}

/* The guard timer makes sure the loop always has something to wait for. */
static void
arm(long ms)
{
	struct timeval	 tv;

	tv.tv_sec = ms / 1000;
	tv.tv_usec = ms % 1000 * 1000;
	evtimer_add(&guard, &tv);
}

static void
guard_fired(int fd, short events, void *arg)
{
}

static int
cmp_items(const void *a, const void *b)
{
	return strcmp(*(char * const *)a, *(char * const *)b);
}

static long
ms_since(const struct timespec *t0)
{
	struct timespec	 now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t0->tv_sec) * 1000 +
	    (now.tv_nsec - t0->tv_nsec) / 1000000;
}

/* Lines of the fixture's query log that contain s. */
static int
log_count(const char *s)
{
	FILE	*f;
	char	 path[1100], line[1024];
	int	 n = 0;

	snprintf(path, sizeof(path), "%s/unbound.log", fixture_dir);
	if ((f = fopen(path, "r")) == NULL) {
		diag("%s: cannot open", path);
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL)
		if (strstr(line, s) != NULL)
			n++;
	fclose(f);
	return n;
}
