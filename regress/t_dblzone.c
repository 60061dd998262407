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
 * Domain blocklists, the pure part: what a zone's answer says (listed,
 * unlisted, the zone's error, a failed lookup) for the default and for
 * custom codes, the names asked, and the registrable domain.
 */
#include "compat.h"

#include <stdio.h>
#include <string.h>

#include "dbl.h"
#include "tap.h"

struct answer_case {
	const char		*name;
	const char		*codes;		/* NULL: the default */
	enum lookup_state	 state;
	const char		*addrs;		/* blank-separated */
	enum dbl_outcome	 want;
	const char		*want_code;	/* "" for none */
};

static const struct answer_case answer_cases[] = {
	{ "NXDOMAIN", NULL, LOOKUP_NXDOMAIN, "", DBL_UNLISTED, "" },
	{ "NODATA", NULL, LOOKUP_NODATA, "", DBL_UNLISTED, "" },
	{ "SERVFAIL or timeout", NULL, LOOKUP_ERROR, "", DBL_FAILED, "" },
	{ "127.0.1.2: spam domain", NULL, LOOKUP_FOUND, "127.0.1.2",
	    DBL_LISTED, "127.0.1.2" },
	{ "127.0.1.4: phish", NULL, LOOKUP_FOUND, "127.0.1.4", DBL_LISTED,
	    "127.0.1.4" },
	{ "127.0.1.102: abused legit", NULL, LOOKUP_FOUND, "127.0.1.102",
	    DBL_LISTED, "127.0.1.102" },
	{ "127.0.1.255: error inside the codes", NULL, LOOKUP_FOUND,
	    "127.0.1.255", DBL_ZONE_ERROR, "127.0.1.255" },
	{ "127.255.255.252: typo in the zone", NULL, LOOKUP_FOUND,
	    "127.255.255.252", DBL_ZONE_ERROR, "127.255.255.252" },
	{ "127.255.255.254: public resolver", NULL, LOOKUP_FOUND,
	    "127.255.255.254", DBL_ZONE_ERROR, "127.255.255.254" },
	{ "127.255.255.255: excessive queries", NULL, LOOKUP_FOUND,
	    "127.255.255.255", DBL_ZONE_ERROR, "127.255.255.255" },
	{ "127.255.255.1: the rest of the error /24", NULL, LOOKUP_FOUND,
	    "127.255.255.1", DBL_ZONE_ERROR, "127.255.255.1" },
	{ "127.0.0.2: elsewhere in 127/8", NULL, LOOKUP_FOUND, "127.0.0.2",
	    DBL_ZONE_ERROR, "127.0.0.2" },
	{ "outside 127/8: an ad server", NULL, LOOKUP_FOUND,
	    "198.51.100.250", DBL_ZONE_ERROR, "198.51.100.250" },
	{ "IPv6 answer", NULL, LOOKUP_FOUND, "2001:db8::1", DBL_ZONE_ERROR,
	    "2001:db8::1" },
	{ "found without addresses", NULL, LOOKUP_FOUND, "", DBL_ZONE_ERROR,
	    "" },
	{ "two codes: the first listed one", NULL, LOOKUP_FOUND,
	    "127.0.0.9 127.0.1.2 127.0.1.4", DBL_LISTED, "127.0.1.2" },
	{ "an error code beside a listing is an error", NULL, LOOKUP_FOUND,
	    "127.0.1.2 127.255.255.254", DBL_ZONE_ERROR, "127.255.255.254" },
	{ "custom code: listed", "127.0.1.2", LOOKUP_FOUND, "127.0.1.2",
	    DBL_LISTED, "127.0.1.2" },
	{ "custom code: another DBL code is no listing", "127.0.1.2",
	    LOOKUP_FOUND, "127.0.1.4", DBL_ZONE_ERROR, "127.0.1.4" },
	{ "custom network: listed", "127.0.0.0/24", LOOKUP_FOUND,
	    "127.0.0.2", DBL_LISTED, "127.0.0.2" },
	{ "custom /8 still knows the error codes", "127.0.0.0/8",
	    LOOKUP_FOUND, "127.255.255.254", DBL_ZONE_ERROR,
	    "127.255.255.254" },
};

static void
zone_init(struct dbl_zone *z, const char *codes)
{
	char	buf[256], *tok;

	memset(z, 0, sizeof(*z));
	strlcpy(z->zone, "dbl.test", sizeof(z->zone));
	if (codes == NULL) {
		dbl_default_codes(z);
		return;
	}
	strlcpy(buf, codes, sizeof(buf));
	for (tok = strtok(buf, " "); tok != NULL; tok = strtok(NULL, " "))
		if (cidr_parse(tok, &z->codes[z->ncodes]) == 0)
			z->ncodes++;
}

static void
test_classify(void)
{
	const struct answer_case	*c;
	struct dbl_zone			 z;
	struct addr			 addrs[4], code;
	char				 buf[256], got[ADDR_STRLEN], *tok;
	size_t				 i, n;

	for (i = 0; i < nitems(answer_cases); i++) {
		c = &answer_cases[i];
		zone_init(&z, c->codes);
		strlcpy(buf, c->addrs, sizeof(buf));
		n = 0;
		for (tok = strtok(buf, " "); tok != NULL && n < nitems(addrs);
		    tok = strtok(NULL, " "))
			if (addr_parse(tok, &addrs[n]) == 0)
				n++;
		is_str(dbl_outcome_name(dbl_classify(&z, c->state, addrs, n,
		    &code)), dbl_outcome_name(c->want), "%s", c->name);
		addr_fmt(&code, got, sizeof(got));
		is_str(got, c->want_code, "%s: the code", c->name);
	}
}

static void
test_codes(void)
{
	static const struct {
		const char	*code;
		int		 valid;
	} cases[] = {
		{ "127.0.1.2", 1 },
		{ "127.0.1.0/24", 1 },
		{ "127.0.0.0/8", 1 },
		{ "127.0.0.0/7", 0 },
		{ "128.0.1.2", 0 },
		{ "192.0.2.1", 0 },
		{ "::1", 0 },
	};
	struct cidr	c;
	size_t		i;

	for (i = 0; i < nitems(cases); i++) {
		ok((cidr_parse(cases[i].code, &c) == 0 &&
		    dbl_code_valid(&c)) == cases[i].valid, "code %s: %s",
		    cases[i].code, cases[i].valid ? "valid" : "refused");
	}
}

static const struct {
	const char	*name;
	const char	*domain;	/* NULL: none to ask */
} domains[] = {
	{ "mail.example.com", "example.com" },
	{ "a.b.mail.example.co.uk", "example.co.uk" },
	{ "example.com", NULL },
	{ "co.uk", NULL },
	{ "mail.spammy.test", "spammy.test" },
};

static void
test_names(void)
{
	char		 buf[NAME_BUFSZ], label[64], name[NAME_BUFSZ];
	const char	*d;
	size_t		 i;

	ok(dbl_query_name("mail.example.com", "dbl.test", buf,
	    sizeof(buf)) == 0, "query name built");
	is_str(buf, "mail.example.com.dbl.test", "NAME.ZONE");

	/* 3 x 64 + 52 = 244 octets, 253 with ".dbl.test": asked */
	memset(label, 'a', 63);
	label[63] = '\0';
	snprintf(name, sizeof(name), "%s.%s.%s.%.52s", label, label, label,
	    label);
	ok(dbl_query_name(name, "dbl.test", buf, sizeof(buf)) == 0,
	    "a query name of %zu octets is asked", strlen(name) + 9);
	/* one octet more is over the 253 of a name */
	strlcat(name, "a", sizeof(name));
	ok(dbl_query_name(name, "dbl.test", buf, sizeof(buf)) == -1,
	    "a query name of %zu octets is not", strlen(name) + 9);

	for (i = 0; i < nitems(domains); i++) {
		d = dbl_domain(domains[i].name);
		is_str(d != NULL ? d : "(none)", domains[i].domain != NULL ?
		    domains[i].domain : "(none)", "registrable domain of %s",
		    domains[i].name);
	}
}

int
main(void)
{
	plan(58);
	test_classify();
	test_codes();
	test_names();
	return done_testing();
}
