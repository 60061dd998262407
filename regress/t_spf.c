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
 * checks/spfrecord.c: which TXT record is the SPF record, records
 * parsed whole (each summed up as its terms read back, or the
 * permerror), macros expanded as RFC 7208 section 7.4's examples
 * expand them, names made of macros, and hostile input: octets that are
 * not printable ASCII, records of 64 KiB, values too big to expand.
 */
#include "compat.h"

#include <sys/socket.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "dns.h"
#include "spf.h"
#include "spfrecord.h"
#include "tap.h"

#define SUMMARY_LEN	1024
#define BIG_LEN		65536

struct select_case {
	const char	*txts[4];	/* NULL-terminated */
	int		 want;		/* 1, 0, -1 */
	size_t		 idx;
	const char	*what;
};

/* want: the terms read back, or "permerror" */
struct parse_case {
	const char	*record;
	const char	*want;
};

/* want NULL: the expansion fails */
struct expand_case {
	const char	*spec;
	int		 v6;
	int		 exp;
	const char	*want;
};

struct target_case {
	const char	*spec;
	const char	*want;		/* NULL: no name */
};

struct valid_case {
	const char	*name;
	int		 want;
};

static void	test_select(void);
static void	test_parse(void);
static void	test_parse_octets(void);
static void	test_expand(void);
static void	test_target(void);
static void	test_explain(void);
static void	test_valid(void);
static void	test_hostile(void);
static void	test_names(void);
static const char *summary(const char *, size_t);
static void	macros(struct spf_macros *, struct addr *, int);

int
main(void)
{
	plan_lazy();
	test_select();
	test_parse();
	test_parse_octets();
	test_expand();
	test_target();
	test_explain();
	test_valid();
	test_hostile();
	test_names();
	return done_testing();
}

static void
test_select(void)
{
	static const struct select_case	 cases[] = {
		{ { "v=spf1 -all", NULL }, 1, 0, "one record" },
		{ { "other", "V=SpF1 ~all", NULL }, 1, 1,
		    "the version in any case, among other records" },
		{ { "v=spf1", NULL }, 1, 0, "the version alone" },
		{ { "v=spf10 -all", NULL }, 0, 0,
		    "a longer version is another" },
		{ { "v=spf1-all", NULL }, 0, 0,
		    "the version must end in a space" },
		{ { "spf1 -all", " v=spf1 -all", NULL }, 0, 0,
		    "nothing before the version" },
		{ { "v=spf1 -all", "v=spf1 +all", NULL }, -1, 0,
		    "two records" },
		{ { "v=spf1 -all", "v=spf1 -all", NULL }, -1, 0,
		    "two records, even the same" },
		{ { NULL }, 0, 0, "no record at all" },
	};
	struct dns_txt	 txts[4];
	size_t		 i, n, idx;
	int		 got;

	for (i = 0; i < nitems(cases); i++) {
		for (n = 0; cases[i].txts[n] != NULL; n++) {
			txts[n].text = (char *)cases[i].txts[n];
			txts[n].len = strlen(cases[i].txts[n]);
		}
		idx = 99;
		got = spf_record_select(txts, n, &idx);
		ok(got == cases[i].want && (got != 1 || idx == cases[i].idx),
		    "select: %s (%d, index %zu)", cases[i].what, got, idx);
	}
}

static void
test_parse(void)
{
	static const struct parse_case	 cases[] = {
		{ "v=spf1", "" },
		{ "v=spf1 ", "" },
		{ "v=spf1  a  -all ", "+a -all" },
		{ "V=SPF1 MX ?ALL", "+mx ?all" },
		{ "v=spf1 a:%{d}.example.com/24//64 ~mx/0 ptr:example.com",
		    "+a:%{d}.example.com/24//64 ~mx/0 +ptr:example.com" },
		{ "v=spf1 a//0 mx:foo:bar/baz.example.com",
		    "+a//0 +mx:foo:bar/baz.example.com" },
		{ "v=spf1 ip4:192.0.2.0/24 -ip6:2001:DB8::/32 ip4:1.2.3.4",
		    "+ip4:192.0.2.0/24 -ip6:2001:db8::/32 +ip4:1.2.3.4/32" },
		{ "v=spf1 ip6:::ffff:1.2.3.4",
		    "+ip6:::ffff:1.2.3.4/128" },
		{ "v=spf1 include:_spf.example.com exists:%{i}.bl.example.com",
		    "+include:_spf.example.com +exists:%{i}.bl.example.com" },
		{ "v=spf1 redirect=_spf.example.com exp=why.%{d}",
		    " redirect=_spf.example.com exp=why.%{d}" },
		{ "v=spf1 Redirect=%{d2} unknown.mod-1_=%{l}%%%_ -all",
		    "-all redirect=%{d2}" },
		{ "v=spf1 a:foo.xn--zckzah a:%{h}",
		    "+a:foo.xn--zckzah +a:%{h}" },
		/* syntax errors anywhere */
		{ "v=spf1 ip4:1.2.3.4 -all moo", "permerror" },
		{ "v=spf1 -all.", "permerror" },
		{ "v=spf1 -all:foo", "permerror" },
		{ "v=spf1 -all/8", "permerror" },
		{ "v=spf1 +-all", "permerror" },
		{ "v=spf1 a/33", "permerror" },
		{ "v=spf1 a//129", "permerror" },
		{ "v=spf1 a/24/64", "permerror" },
		{ "v=spf1 a/032", "permerror" },
		{ "v=spf1 a:", "permerror" },
		{ "v=spf1 a:museum", "permerror" },
		{ "v=spf1 a:museum.", "permerror" },
		{ "v=spf1 a:abc.123", "permerror" },
		{ "v=spf1 a:example.-com", "permerror" },
		{ "v=spf1 a:example.com-", "permerror" },
		{ "v=spf1 a:example.com:8080", "permerror" },
		{ "v=spf1 ptr/0", "permerror" },
		{ "v=spf1 include", "permerror" },
		{ "v=spf1 include:ip5.example.com/24", "permerror" },
		{ "v=spf1 exists", "permerror" },
		{ "v=spf1 ip4", "permerror" },
		{ "v=spf1 ip4:1.2.3", "permerror" },
		{ "v=spf1 ip4:1.2.3.4:8080", "permerror" },
		{ "v=spf1 ip4:1.2.3.4//32", "permerror" },
		{ "v=spf1 ip4:1.2.3.4/33", "permerror" },
		{ "v=spf1 ip4:01.2.3.4", "permerror" },
		{ "v=spf1 ip4:1.2.3.256", "permerror" },
		{ "v=spf1 ip4:199999999999999", "permerror" },
		{ "v=spf1 ip6::CAFE::BABE", "permerror" },
		{ "v=spf1 ip6:::1/129", "permerror" },
		{ "v=spf1 ip6:::1//33", "permerror" },
		{ "v=spf1 redirect:example.com", "permerror" },
		{ "v=spf1 redirect=", "permerror" },
		{ "v=spf1 redirect=-all", "permerror" },
		{ "v=spf1 redirect=a.example.com redirect=a.example.com",
		    "permerror" },
		{ "v=spf1 exp=a.example.com EXP=b.example.com", "permerror" },
		{ "v=spf1 exp=%{r}.example.com", "permerror" },
		{ "v=spf1 1up=foo", "permerror" },
		{ "v=spf1 =all", "permerror" },
		{ "v=spf1 moo.cow/far_out=man", "permerror" },
		{ "v=spf1 foo=%abc", "permerror" },
		{ "v=spf1 a:%{a}.example.com", "permerror" },
		{ "v=spf1 exists:%(ir).example.com", "permerror" },
		{ "v=spf1 exists:foo%.example.com", "permerror" },
		{ "v=spf1 exists:%{d0}.example.com", "permerror" },
		{ "v=spf1 exists:%{d", "permerror" },
	};
	size_t	 i;

	for (i = 0; i < nitems(cases); i++)
		is_str(summary(cases[i].record, strlen(cases[i].record)),
		    cases[i].want, "parse: %s", cases[i].record);
}

/* Octets that are no printable ASCII, in the record as it came. */
static void
test_parse_octets(void)
{
	static const struct {
		const char	*record;
		size_t		 len;
		const char	*what;
	} cases[] = {
		{ "v=spf1 a:foo.example.com\0", 25, "a NUL at the end" },
		{ "v=spf1 a:f\0o.example.com", 24, "a NUL inside" },
		{ "v=spf1 a:ctrl.example.com\rptr -all", 34, "a CR" },
		{ "v=spf1 ip4:192.0.2.5\n include:x.example.com", 43,
		    "a newline" },
		{ "v=spf1 a:\xef\xbb\xbfgarbage.example.net -all", 37,
		    "UTF-8" },
		{ "v=spf1 \x80" "a:example.net", 21, "an octet over 127" },
		{ "v=spf1\t-all", 11, "a tab" },
	};
	size_t	 i;

	for (i = 0; i < nitems(cases); i++)
		is_str(summary(cases[i].record, cases[i].len), "permerror",
		    "octets: %s", cases[i].what);
}

/* RFC 7208 section 7.4, and more. */
static void
test_expand(void)
{
	static const struct expand_case	 cases[] = {
		{ "%{s}", 0, 0, "strong-bad@email.example.com" },
		{ "%{o}", 0, 0, "email.example.com" },
		{ "%{d}", 0, 0, "email.example.com" },
		{ "%{d4}", 0, 0, "email.example.com" },
		{ "%{d3}", 0, 0, "email.example.com" },
		{ "%{d2}", 0, 0, "example.com" },
		{ "%{d1}", 0, 0, "com" },
		{ "%{dr}", 0, 0, "com.example.email" },
		{ "%{d2r}", 0, 0, "example.email" },
		{ "%{l}", 0, 0, "strong-bad" },
		{ "%{l-}", 0, 0, "strong.bad" },
		{ "%{lr}", 0, 0, "strong-bad" },
		{ "%{lr-}", 0, 0, "bad.strong" },
		{ "%{l1r-}", 0, 0, "strong" },
		{ "%{ir}.%{v}._spf.%{d2}", 0, 0,
		    "3.2.0.192.in-addr._spf.example.com" },
		{ "%{lr-}.lp._spf.%{d2}", 0, 0,
		    "bad.strong.lp._spf.example.com" },
		{ "%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", 0, 0,
		    "bad.strong.lp.3.2.0.192.in-addr._spf.example.com" },
		{ "%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", 0, 0,
		    "3.2.0.192.in-addr.strong.lp._spf.example.com" },
		{ "%{d2}.trusted-domains.example.net", 0, 0,
		    "example.com.trusted-domains.example.net" },
		{ "%{ir}.%{v}._spf.%{d2}", 1, 0,
		    "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1."
		    "0.0.2.ip6._spf.example.com" },
		{ "%{i}", 1, 0,
		    "2.0.0.1.0.d.b.8.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.c."
		    "b.0.1" },
		{ "%{c} %{C}", 1, 1, "2001:db8::cb01 2001%3Adb8%3A%3Acb01" },
		{ "%{c}", 0, 1, "192.0.2.3" },
		{ "%{r} %{p} %{t}", 0, 1, "unknown unknown 1234567890" },
		{ "%{h} %{H}", 0, 0, "mx.example.org mx.example.org" },
		{ "%{S}", 0, 0, "strong-bad%40email.example.com" },
		{ "%{l2r+-}", 0, 0, "bad.strong" },
		{ "%%%_%-", 0, 0, "% %20" },
		{ "%{d999999999999}", 0, 0, "email.example.com" },
		{ "%{L=+}", 0, 0, "strong-bad" },
		/* errors */
		{ "%{c}", 0, 0, NULL },
		{ "%{r}", 0, 0, NULL },
		{ "%{t}", 0, 0, NULL },
		{ "%{x}", 0, 1, NULL },
		{ "%{d0}", 0, 0, NULL },
		{ "%{d", 0, 0, NULL },
		{ "%{d2rr}", 0, 0, NULL },
		{ "%{d2;}", 0, 0, NULL },
		{ "%", 0, 0, NULL },
		{ "a%b", 0, 0, NULL },
	};
	struct spf_macros	 m;
	struct addr		 ip;
	char			 out[SPF_EXPAND_LEN];
	size_t			 i;
	int			 rc;

	for (i = 0; i < nitems(cases); i++) {
		macros(&m, &ip, cases[i].v6);
		rc = spf_expand(cases[i].spec, &m, cases[i].exp, out,
		    sizeof(out));
		if (cases[i].want == NULL)
			is_int(rc, -1, "expand: %s fails", cases[i].spec);
		else
			is_str(rc == 0 ? out : "(failed)", cases[i].want,
			    "expand: %s%s", cases[i].spec,
			    cases[i].exp ? " (explanation)" : "");
	}
	macros(&m, &ip, 0);
	is_int(spf_expand("%{d}", &m, 0, out, 17), -1,
	    "expand: a value one octet too long for the buffer fails");
	is_int(spf_expand("%{d}", &m, 0, out, 18), 0,
	    "expand: ... and fits with room for the NUL");
}

static void
test_target(void)
{
	static const struct target_case	 cases[] = {
		{ "%{d}.", "email.example.com" },
		{ "a.example.com", "a.example.com" },
		{ "mail.example...com", NULL },
		{ ".example.com", NULL },
		{ "a123456789012345678901234567890123456789012345678901234567"
		    "890123.example.com", NULL },
		{ "macro%%percent%_%_space%-url-space.example.com",
		    "macro%percent  space%20url-space.example.com" },
		{ "back\\slash.example.com", NULL },
		/* 8 times 35 octets and more: cut from the left to 253 */
		{ "x.%{o}.%{o}.%{o}.%{o}.%{o}.%{o}.%{o}.%{o}.example.com",
		    "com.email.example.com.email.example.com.email.example.com."
		    "email.example.com.email.example.com.email.example.com."
		    "email.example.com.email.example.com.email.example.com."
		    "email.example.com.email.example.com.email.example.com."
		    "email.example.com.example.com" },
	};
	struct spf_macros	 m;
	struct addr		 ip;
	char			 out[SPF_NAME_LEN];
	size_t			 i;
	int			 rc;

	macros(&m, &ip, 0);
	m.sender_domain = "email.example.com.email.example.com";
	for (i = 0; i < nitems(cases); i++) {
		rc = spf_target(cases[i].spec, &m, out);
		if (cases[i].want == NULL)
			is_int(rc, -1, "target: %s is no name", cases[i].spec);
		else
			is_str(rc == 0 ? out : "(no name)", cases[i].want,
			    "target: %.40s", cases[i].spec);
	}
	ok(spf_name_under("a.b.example.com", "Example.COM") &&
	    spf_name_under("example.com", "example.com") &&
	    !spf_name_under("badexample.com", "example.com") &&
	    !spf_name_under("com", "example.com"),
	    "a name under a domain is one of its labels' ends, in any case");
}

static void
test_explain(void)
{
	static const struct {
		const char	*text;
		const char	*want;
	} cases[] = {
		{ "See http://example.com/why?l=%{L}&ip=%{c}",
		    "See http://example.com/why?l=strong-bad&ip=192.0.2.3" },
		{ "  spaces  kept.", "  spaces  kept." },
		{ "%{i} is not %{d}'s",
		    "192.0.2.3 is not email.example.com's" },
		{ "The %{x}-files.", NULL },
		{ "\xef\xbb\xbf" "Explanation", NULL },
		{ "tab\there", NULL },
		{ "100%", NULL },
	};
	struct spf_macros	 m;
	struct addr		 ip;
	char			 out[SPF_EXPAND_LEN];
	size_t			 i;
	int			 rc;

	macros(&m, &ip, 0);
	for (i = 0; i < nitems(cases); i++) {
		rc = spf_explain(cases[i].text, strlen(cases[i].text), &m, out,
		    sizeof(out));
		if (cases[i].want == NULL)
			is_int(rc, -1, "explain: %s: the default instead",
			    cases[i].text);
		else
			is_str(rc == 0 ? out : "(default)", cases[i].want,
			    "explain: %s", cases[i].text);
	}
	is_int(spf_explain("ok\0no", 5, &m, out, sizeof(out)), -1,
	    "explain: a NUL inside: the default");
}

static void
test_valid(void)
{
	static const struct valid_case	 cases[] = {
		{ "mail.example.net", 1 },
		{ "mail.example.net.", 1 },
		{ "_spf.Example-1.COM", 1 },
		{ "A1234567890123456789012345678901234567890123456789012345678"
		    "9012.example.com", 1 },
		{ "A1234567890123456789012345678901234567890123456789012345678"
		    "90123.example.com", 0 },
		{ "A...example.com", 0 },
		{ ".example.com", 0 },
		{ "A2345678", 0 },
		{ "[1.2.3.5]", 0 },
		{ "1.2.3.5", 0 },
		{ "", 0 },
		{ ".", 0 },
		{ "foo bar.example.com", 0 },
		{ "example.-com", 0 },
	};
	size_t	 i;

	for (i = 0; i < nitems(cases); i++)
		is_int(spf_domain_valid(cases[i].name), cases[i].want,
		    "domain_valid: \"%s\"", cases[i].name);
}

static void
test_hostile(void)
{
	struct spf_record	 rec;
	struct spf_term		 t;
	struct spf_macros	 m;
	struct addr		 ip;
	char			*big, *out, err[SPF_PROBLEM_LEN];
	size_t			 n, k, off;
	int			 rc;

	if ((big = malloc(BIG_LEN + 1)) == NULL ||
	    (out = malloc(BIG_LEN)) == NULL) {
		printf("Bail out! out of memory\n");
		exit(1);
	}
	/* 64 KiB of "a " terms: 32,765 of them, all parsed */
	memcpy(big, "v=spf1", 6);
	for (n = 6; n + 2 <= BIG_LEN; n += 2)
		memcpy(big + n, " a", 2);
	rc = spf_record_parse(big, n, &rec, err, sizeof(err));
	for (off = 0, k = 0; spf_record_next(&rec, &off, &t) == 1; k++)
		;
	ok(rc == 0 && rec.nterms == (n - 6) / 2 && k == rec.nterms,
	    "a record of %zu octets: %zu terms, read one by one", n, k);
	spf_record_free(&rec);

	/* one bad term at the very end fails the whole record */
	big[n - 1] = '!';
	is_int(spf_record_parse(big, n, &rec, err, sizeof(err)), -1,
	    "... and with its last term bad, it is a permerror");

	/* spaces only, then a term at the very end */
	memset(big + 6, ' ', BIG_LEN - 6);
	memcpy(big + BIG_LEN - 4, "-all", 4);
	rc = spf_record_parse(big, BIG_LEN, &rec, err, sizeof(err));
	off = 0;
	ok(rc == 0 && rec.nterms == 1 && spf_record_next(&rec, &off, &t) ==
	    1 && t.mech == SPF_MECH_ALL && t.qualifier == SPF_FAIL &&
	    spf_record_next(&rec, &off, &t) == 0,
	    "64 KiB of spaces before the one term");
	spf_record_free(&rec);

	/* a macro-string as long as a record, 21,000 macros */
	memcpy(big, "v=spf1 a:", 9);
	for (n = 9; n + 3 <= BIG_LEN - 4; n += 3)
		memcpy(big + n, "%_x", 3);
	memcpy(big + n, ".com", 4);
	n += 4;
	rc = spf_record_parse(big, n, &rec, err, sizeof(err));
	off = 0;
	ok(rc == 0 && spf_record_next(&rec, &off, &t) == 1,
	    "a domain-spec of %zu octets", n);
	macros(&m, &ip, 0);
	ok(rc == 0 && spf_target(t.domain, &m, out) == -1,
	    "... expands past the bound: no name, no overflow");
	spf_record_free(&rec);

	/* a value of more parts than are split */
	memset(big, '.', 600);
	big[600] = '\0';
	m.local = big;
	is_int(spf_expand("%{l}", &m, 0, out, BIG_LEN), -1,
	    "a value of 601 parts is not expanded");
	is_int(spf_expand("%{l1}", &m, 0, out, BIG_LEN), -1,
	    "... not even its last");
	memset(big, 'x', SPF_EXPAND_LEN);
	big[SPF_EXPAND_LEN] = '\0';
	is_int(spf_expand("%{L}", &m, 0, out, BIG_LEN), -1,
	    "a value longer than an expansion");
	free(big);
	free(out);
}

/* The names logs and headers carry (RFC 7208 section 2.6). */
static void
test_names(void)
{
	is_str(spf_result_name(SPF_NONE), "none", "result name: none");
	is_str(spf_result_name(SPF_NEUTRAL), "neutral", "result name: neutral");
	is_str(spf_result_name(SPF_PASS), "pass", "result name: pass");
	is_str(spf_result_name(SPF_FAIL), "fail", "result name: fail");
	is_str(spf_result_name(SPF_SOFTFAIL), "softfail",
	    "result name: softfail");
	is_str(spf_result_name(SPF_TEMPERROR), "temperror",
	    "result name: temperror");
	is_str(spf_result_name(SPF_PERMERROR), "permerror",
	    "result name: permerror");
	is_str(spf_result_name((enum spf_result)42), "unknown",
	    "result name: no such result");
}

/*
 * The terms read back as "QUALIFIER MECH[:DOMAIN][/CIDR4][//CIDR6]",
 * then " redirect=X" and " exp=Y", or "permerror".
 */
static const char *
summary(const char *text, size_t len)
{
	static const char *const mechs[] = {
		[SPF_MECH_ALL] = "all", [SPF_MECH_INCLUDE] = "include",
		[SPF_MECH_A] = "a", [SPF_MECH_MX] = "mx",
		[SPF_MECH_PTR] = "ptr", [SPF_MECH_IP4] = "ip4",
		[SPF_MECH_IP6] = "ip6", [SPF_MECH_EXISTS] = "exists",
	};
	static const char	 quals[] = {
		[SPF_PASS] = '+', [SPF_FAIL] = '-', [SPF_SOFTFAIL] = '~',
		[SPF_NEUTRAL] = '?',
	};
	static char		 buf[SUMMARY_LEN];
	struct spf_record	 rec;
	struct spf_term		 term, *t = &term;
	char			 err[SPF_PROBLEM_LEN], a[ADDR_STRLEN];
	char			 part[300];
	size_t			 i, off = 0;

	if (spf_record_parse(text, len, &rec, err, sizeof(err)) != 0)
		return "permerror";
	buf[0] = '\0';
	for (i = 0; spf_record_next(&rec, &off, t) == 1; i++) {
		snprintf(part, sizeof(part), "%s%c%s%s%s", i > 0 ? " " : "",
		    quals[t->qualifier], mechs[t->mech],
		    t->domain != NULL ? ":" : "",
		    t->domain != NULL ? t->domain : "");
		strlcat(buf, part, sizeof(buf));
		if (t->mech == SPF_MECH_IP4 || t->mech == SPF_MECH_IP6) {
			addr_fmt(&t->net.addr, a, sizeof(a));
			snprintf(part, sizeof(part), ":%s/%d", a, t->net.plen);
			strlcat(buf, part, sizeof(buf));
		}
		if (t->mech != SPF_MECH_A && t->mech != SPF_MECH_MX)
			continue;
		if (t->cidr4 != 32) {
			snprintf(part, sizeof(part), "/%d", t->cidr4);
			strlcat(buf, part, sizeof(buf));
		}
		if (t->cidr6 != 128) {
			snprintf(part, sizeof(part), "//%d", t->cidr6);
			strlcat(buf, part, sizeof(buf));
		}
	}
	if (rec.redirect != NULL) {
		strlcat(buf, " redirect=", sizeof(buf));
		strlcat(buf, rec.redirect, sizeof(buf));
	}
	if (rec.exp != NULL) {
		strlcat(buf, " exp=", sizeof(buf));
		strlcat(buf, rec.exp, sizeof(buf));
	}
	spf_record_free(&rec);
	return buf;
}

/* RFC 7208 section 7.4's sender, from 192.0.2.3 or 2001:db8::cb01. */
static void
macros(struct spf_macros *m, struct addr *ip, int v6)
{
	addr_parse(v6 ? "2001:db8::cb01" : "192.0.2.3", ip);
	memset(m, 0, sizeof(*m));
	m->sender = "strong-bad@email.example.com";
	m->local = "strong-bad";
	m->sender_domain = "email.example.com";
	m->domain = "email.example.com";
	m->ip = ip;
	m->helo = "mx.example.org";
	m->now = 1234567890;
}
