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
 * The headers of "add-header yes": the iprev result from what the
 * filter and smtpd know, the verdict summary, and that no value from a
 * client can break the header (control bytes, length, folding).
 */
#include "compat.h"

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "facts.h"
#include "header.h"
#include "policy.h"
#include "tap.h"
#include "verdict.h"

struct iprev_case {
	const char		*name;
	int			 local;
	const char		*client;
	enum lookup_state	 fcrdns;
	size_t			 nrdns;
	int			 rdns_mta;
	enum iprev		 smtpd;
	enum iprev		 want;
};

static void	test_iprev(void);
static void	test_auth_results(void);
static void	test_helo_check(void);
static void	test_hostile(void);
static int	lines_ok(const char *);

static const struct iprev_case iprev_cases[] = {
	{ "our lookup confirmed a name", 0, "192.0.2.10", LOOKUP_FOUND, 1, 0,
	    IPREV_FAIL, IPREV_PASS },
	{ "no PTR", 0, "192.0.2.12", LOOKUP_NXDOMAIN, 0, 0, IPREV_PASS,
	    IPREV_FAIL },
	{ "PTR, no name resolves back", 0, "192.0.2.11", LOOKUP_NXDOMAIN, 0,
	    0, IPREV_NONE, IPREV_FAIL },
	{ "found, but no name kept", 0, "192.0.2.11", LOOKUP_FOUND, 0, 0,
	    IPREV_PASS, IPREV_FAIL },
	{ "lookup failed", 0, "198.51.100.67", LOOKUP_ERROR, 0, 0, IPREV_PASS,
	    IPREV_TEMPERROR },
	{ "smtpd's confirmed name in use", 0, "192.0.2.10", LOOKUP_FOUND, 1,
	    1, IPREV_PASS, IPREV_PASS },
	{ "not asked: smtpd's pass", 0, "192.0.2.10", LOOKUP_NONE, 0, 0,
	    IPREV_PASS, IPREV_PASS },
	{ "not asked: smtpd's fail", 0, "192.0.2.12", LOOKUP_NONE, 0, 0,
	    IPREV_FAIL, IPREV_FAIL },
	{ "not asked: smtpd's error", 0, "192.0.2.12", LOOKUP_NONE, 0, 0,
	    IPREV_TEMPERROR, IPREV_TEMPERROR },
	{ "still in flight: smtpd's", 0, "192.0.2.12", LOOKUP_PENDING, 0, 0,
	    IPREV_FAIL, IPREV_FAIL },
	{ "unix socket", 1, NULL, LOOKUP_NONE, 0, 0, IPREV_PASS, IPREV_NONE },
	{ "no link-connect seen", 0, NULL, LOOKUP_NONE, 0, 0, IPREV_NONE,
	    IPREV_NONE },
};

int
main(void)
{
	plan(40);
	test_iprev();
	test_auth_results();
	test_helo_check();
	test_hostile();
	return done_testing();
}

static void
test_iprev(void)
{
	const struct iprev_case	*c;
	struct facts		 f;
	size_t			 i;

	for (i = 0; i < nitems(iprev_cases); i++) {
		c = &iprev_cases[i];
		memset(&f, 0, sizeof(f));
		f.local = c->local;
		if (c->client != NULL && addr_parse(c->client, &f.client) == -1)
			errx(1, "addr_parse %s", c->client);
		f.dns.fcrdns = c->fcrdns;
		f.dns.nrdns = c->nrdns;
		f.dns.rdns_mta = c->rdns_mta;
		is_int(header_iprev(&f, c->smtpd), c->want, "iprev: %s",
		    c->name);
	}
	is_int(header_iprev_smtpd("pass"), IPREV_PASS, "smtpd pass");
	is_int(header_iprev_smtpd("fail"), IPREV_FAIL, "smtpd fail");
	is_int(header_iprev_smtpd("error"), IPREV_TEMPERROR, "smtpd error");
	is_int(header_iprev_smtpd("maybe"), IPREV_NONE, "smtpd unknown word");
	is_int(header_iprev_smtpd(NULL), IPREV_NONE, "smtpd said nothing");
}

static void
test_auth_results(void)
{
	struct addr	a;
	char		buf[HEADER_MAX];

	addr_parse("192.0.2.10", &a);
	header_auth_results(buf, sizeof(buf), "mx.regress.test", IPREV_PASS,
	    &a, NULL, NULL);
	is_str(buf, "Authentication-Results: mx.regress.test; iprev=pass "
	    "policy.iprev=192.0.2.10", "pass, IPv4");
	header_auth_results(buf, sizeof(buf), "mx.regress.test", IPREV_FAIL,
	    &a, NULL, NULL);
	is_str(buf, "Authentication-Results: mx.regress.test; iprev=fail "
	    "policy.iprev=192.0.2.10", "fail");
	header_auth_results(buf, sizeof(buf), "mx.regress.test",
	    IPREV_TEMPERROR, &a, NULL, NULL);
	is_str(buf, "Authentication-Results: mx.regress.test; "
	    "iprev=temperror\n\tpolicy.iprev=192.0.2.10",
	    "temperror, folded at 78");
	addr_parse("2001:db8::20", &a);
	header_auth_results(buf, sizeof(buf), "mx", IPREV_PASS, &a, NULL,
	    NULL);
	is_str(buf, "Authentication-Results: mx; iprev=pass "
	    "policy.iprev=\"2001:db8::20\"", "IPv6 quoted");
	header_auth_results(buf, sizeof(buf), "mx", IPREV_NONE, &a, NULL,
	    NULL);
	is_str(buf, "Authentication-Results: mx; none", "no method");
	header_auth_results(buf, sizeof(buf), "a b;c@d", IPREV_PASS, NULL,
	    NULL, NULL);
	is_str(buf, "Authentication-Results: a-b-c-d; none",
	    "the ADMD made a token");
	header_auth_results(buf, sizeof(buf), "", IPREV_NONE, NULL, NULL, NULL);
	is_str(buf, "Authentication-Results: unknown; none", "empty ADMD");
	is_int(header_auth_results(buf, 30, "mx", IPREV_PASS, &a, NULL,
	    NULL), -1, "too small a buffer is refused");

	addr_parse("192.0.2.10", &a);
	header_auth_results(buf, sizeof(buf), "mx.regress.test", IPREV_PASS,
	    &a, "fail", "spf-fail.regress.test");
	is_str(buf, "Authentication-Results: mx.regress.test; iprev=pass "
	    "policy.iprev=192.0.2.10;\n\tspf=fail "
	    "smtp.helo=spf-fail.regress.test",
	    "spf of the HELO, as smtp.helo, after iprev");
	ok(strstr(buf, "smtp.mailfrom") == NULL, "  never as smtp.mailfrom");
	header_auth_results(buf, sizeof(buf), "mx", IPREV_NONE, NULL,
	    "pass", "a;b\r\nX-Evil: 1");
	is_str(buf, "Authentication-Results: mx; spf=pass "
	    "smtp.helo=a?b??X-Evil??1", "spf alone; the name made a token");
}

static void
test_helo_check(void)
{
	struct facts		f;
	struct verdict		v;
	struct verdict_sum	sum;
	char			buf[HEADER_MAX];
	int			c;

	memset(&f, 0, sizeof(f));
	memset(&sum, 0, sizeof(sum));
	is_int(header_helo_check(buf, sizeof(buf), &sum, "x.example"), 0,
	    "no verdict: no header");

	memset(&v, 0, sizeof(v));
	v.action = ACT_PASS;
	v.check = -1;
	header_summarise(&f, &v, &sum);
	header_helo_check(buf, sizeof(buf), &sum, "good.regress.test");
	is_str(buf, "X-HELO-Check: verdict=pass checks=- "
	    "helo=good.regress.test", "pass");

	v.action = ACT_REPORT;
	v.state[CHECK_RDNS] = CS_FIRED;
	v.state[CHECK_FORWARD] = CS_FIRED;
	v.state[CHECK_DNS] = CS_UNKNOWN;
	header_summarise(&f, &v, &sum);
	header_helo_check(buf, sizeof(buf), &sum, "noptr.regress.test");
	is_str(buf, "X-HELO-Check: verdict=report checks=rdns,forward "
	    "helo=noptr.regress.test", "report: the fired checks only");

	memset(&v, 0, sizeof(v));
	v.action = ACT_PASS;
	v.exempt = "pass client";
	header_summarise(&f, &v, &sum);
	header_helo_check(buf, sizeof(buf), &sum, "x");
	is_str(buf, "X-HELO-Check: verdict=pass (exempt: pass client) helo=x",
	    "exempt, with the reason");

	memset(&v, 0, sizeof(v));
	v.action = ACT_JUNK;
	for (c = 0; c < CHECK_COUNT; c++)
		v.state[c] = CS_FIRED;
	header_summarise(&f, &v, &sum);
	ok(header_helo_check(buf, sizeof(buf), &sum, "x") > 0 &&
	    lines_ok(buf), "every check fired: folded, lines bounded");
	ok(strstr(buf, check_name(CHECK_COUNT - 1)) != NULL,
	    "  the last check is named");

	memset(&v, 0, sizeof(v));
	v.action = ACT_PASS;
	v.check = -1;
	f.dns.spf = LOOKUP_FOUND;
	f.dns.spf_result = SPF_SOFTFAIL;
	header_summarise(&f, &v, &sum);
	header_helo_check(buf, sizeof(buf), &sum, "mx-out.example");
	is_str(buf, "X-HELO-Check: verdict=pass checks=- helo=mx-out.example "
	    "spf-helo=softfail", "the HELO's SPF result, as the log line");
	f.dns.spf_result = SPF_NONE;
	header_summarise(&f, &v, &sum);
	header_helo_check(buf, sizeof(buf), &sum, "mx-out.example");
	is_str(buf, "X-HELO-Check: verdict=pass checks=- helo=mx-out.example",
	    "  none, as most names have, is left out");
}

/* A client's HELO can never break the header, whatever it holds. */
static void
test_hostile(void)
{
	struct verdict_sum	sum = { NULL, 0, ACT_PASS, 1, 0 };
	char			buf[HEADER_MAX], helo[1024];

	header_helo_check(buf, sizeof(buf), &sum,
	    "a\r\nX-Evil: 1\tb\x7f\xc3\xa9");
	is_str(buf, "X-HELO-Check: verdict=pass checks=- "
	    "helo=a??X-Evil:?1?b???", "CR, LF, tab, blank, DEL, UTF-8: '?'");
	memset(helo, 'h', sizeof(helo) - 1);
	helo[sizeof(helo) - 1] = '\0';
	ok(header_helo_check(buf, sizeof(buf), &sum, helo) > 0,
	    "a 1023-byte HELO");
	ok(strstr(buf, "hhh...") != NULL && strlen(strstr(buf, "helo=")) ==
	    strlen("helo=") + 255, "  is cut at 255 with \"...\"");
	ok(lines_ok(buf), "  and every line is bounded");
}

/* Printable ASCII or a tab, lines under 998, continuations indented. */
static int
lines_ok(const char *s)
{
	size_t	col = 0;

	for (; *s != '\0'; s++) {
		if (*s == '\n') {
			if (s[1] != '\t')
				return 0;
			col = 0;
			continue;
		}
		if ((*s < 0x20 || *s > 0x7e) && *s != '\t')
			return 0;
		if (++col > 998)
			return 0;
	}
	return 1;
}
