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
 * checks/addr.c, helo.c and dynamic.c: the classification of HELO
 * arguments (the syntax, underscore, bare-ip and non-fqdn checks read
 * it), addresses and CIDR blocks, name comparison and the dynamic check.
 */
#include "compat.h"

#include <sys/socket.h>

#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "helo.h"
#include "tap.h"

#define LONG_BUFSZ	300

/*
 * expect is the name for HELO_DOMAIN, the address (as addr_fmt prints
 * it) for literals and bare addresses, and the reason otherwise.
 */
struct helo_case {
	const char	*raw;
	enum helo_kind	 kind;
	const char	*expect;
	int		 underscore;
	int		 dotless;
};

struct addr_case {
	const char	*text;
	int		 rc;
	const char	*fmt;		/* addr_fmt of the result */
	int		 family;
	int		 loopback;
};

struct endpoint_case {
	const char	*text;
	int		 rc;
	const char	*fmt;
	int		 local;
};

struct cidr_case {
	const char	*cidr;
	const char	*addr;		/* NULL: cidr_parse must fail */
	int		 match;
};

struct pair_case {
	const char	*a;
	const char	*b;
	int		 want;
};

struct normalise_case {
	const char	*in;
	size_t		 outlen;
	int		 rc;
	const char	*out;
};

struct dynamic_case {
	const char	*name;
	const char	*client;	/* "" for a unix socket */
	int		 want;
};

static void	build_long_names(void);
static void	fill_name(char *, size_t);
static void	test_helo(const struct helo_case *, size_t);
static void	test_addr(void);
static void	test_private(void);
static void	test_endpoint(void);
static void	test_cidr(void);
static void	test_names(void);
static void	test_dynamic(void);
static const char *kind_name(enum helo_kind);

/* Built by build_long_names(): every label 63 octets but the last. */
static char	label63[LONG_BUFSZ];	/* 63-char label + ".com" */
static char	label64[LONG_BUFSZ];	/* 64-char label + ".com" */
static char	name253[LONG_BUFSZ];
static char	name253dot[LONG_BUFSZ];	/* name253 + "." */
static char	name254[LONG_BUFSZ];
static char	name255[LONG_BUFSZ];

/* The HELO strings of the anchor table (notes/anchors.md section 4). */
static const struct helo_case anchor_cases[] = {
	/* 1-2 */
	{ "mail.example.com", HELO_DOMAIN, "mail.example.com", 0, 0 },
	{ "MAIL.EXAMPLE.COM", HELO_DOMAIN, "mail.example.com", 0, 0 },
	/* 3-5: literals are valid whatever the client sends from */
	{ "[192.0.2.1]", HELO_LITERAL4, "192.0.2.1", 0, 0 },
	{ "[192.0.2.10]", HELO_LITERAL4, "192.0.2.10", 0, 0 },
	{ "[198.51.100.7]", HELO_LITERAL4, "198.51.100.7", 0, 0 },
	/* 6 */
	{ "192.0.2.1", HELO_BARE_IP, "192.0.2.1", 0, 0 },
	/* 7-8: the tag is case-insensitive */
	{ "[IPv6:2001:db8::1]", HELO_LITERAL6, "2001:db8::1", 0, 0 },
	{ "[ipv6:2001:db8::1]", HELO_LITERAL6, "2001:db8::1", 0, 0 },
	/* 9 */
	{ "[2001:db8::1]", HELO_LITERAL_OTHER,
	    "address literal needs IPv6: tag", 0, 0 },
	/* 10 */
	{ "IPv6:2001:db8::1", HELO_BARE_IP, "2001:db8::1", 0, 0 },
	/* 11 */
	{ "[IPv4:192.0.2.1]", HELO_LITERAL_OTHER,
	    "unknown address literal tag", 0, 0 },
	/* 12: no IPv6 address after the tag */
	{ "[IPv6:192.0.2.1]", HELO_INVALID, "bad address literal", 0, 0 },
	/* 13: v4-mapped is stored as IPv4 */
	{ "[IPv6:::ffff:192.0.2.1]", HELO_LITERAL6, "192.0.2.1", 0, 0 },
	/* RFC 5321: at most 6 groups beside "::", 4 before an IPv4 part */
	{ "[IPv6:1:2:3:4:5:6::]", HELO_LITERAL6, "1:2:3:4:5:6::", 0, 0 },
	{ "[IPv6:1:2:3:4:5:6:7::]", HELO_INVALID, "bad address literal",
	    0, 0 },
	{ "[IPv6:1::2:3:4:5:6:7]", HELO_INVALID, "bad address literal",
	    0, 0 },
	{ "[IPv6:1:2:3:4:5:6:7:8]", HELO_LITERAL6, "1:2:3:4:5:6:7:8", 0, 0 },
	{ "[IPv6:1:2:3::4:192.0.2.1]", HELO_LITERAL6,
	    "1:2:3::4:c000:201", 0, 0 },
	{ "[IPv6:1:2:3::4:5:192.0.2.1]", HELO_INVALID,
	    "bad address literal", 0, 0 },
	/* 14-17 */
	{ "[300.1.1.1]", HELO_INVALID, "bad address literal", 0, 0 },
	{ "[010.0.0.1]", HELO_LITERAL4, "10.0.0.1", 0, 0 },
	{ "[1.2.3]", HELO_INVALID, "bad address literal", 0, 0 },
	{ "[]", HELO_INVALID, "bad address literal", 0, 0 },
	/* 18-20 */
	{ "[192.0.2.1] extra", HELO_INVALID, "bad address literal", 0, 0 },
	{ "", HELO_INVALID, "empty", 0, 0 },
	{ "foo bar", HELO_INVALID, "invalid character", 0, 0 },
	/* 21-23: valid names; non-fqdn reads dotless */
	{ "localhost", HELO_DOMAIN, "localhost", 0, 1 },
	{ "localhost.localdomain", HELO_DOMAIN, "localhost.localdomain",
	    0, 0 },
	{ "example", HELO_DOMAIN, "example", 0, 1 },
	/* 24: valid, but the underscore check fires */
	{ "mail_1.example.com", HELO_DOMAIN, "mail_1.example.com", 1, 0 },
	/* 25-27 */
	{ "exämple.com", HELO_DOMAIN, "xn--exmple-cua.com", 0, 0 },
	{ "xn--bcher-kva.example", HELO_DOMAIN, "xn--bcher-kva.example",
	    0, 0 },
	{ "xn--", HELO_INVALID, "invalid A-label", 0, 0 },
	/* 28-32 */
	{ "a..b", HELO_INVALID, "empty label", 0, 0 },
	{ "foo.com.", HELO_DOMAIN, "foo.com", 0, 0 },
	{ "foo.com..", HELO_INVALID, "empty label", 0, 0 },
	{ "-foo.com", HELO_INVALID, "label starts or ends with hyphen", 0, 0 },
	{ "foo-.com", HELO_INVALID, "label starts or ends with hyphen", 0, 0 },
	/* 33-37 */
	{ label63, HELO_DOMAIN, label63, 0, 0 },
	{ label64, HELO_INVALID, "label longer than 63", 0, 0 },
	{ name253, HELO_DOMAIN, name253, 0, 0 },
	{ name254, HELO_INVALID, "name longer than 253", 0, 0 },
	{ name255, HELO_INVALID, "name longer than 253", 0, 0 },
	/* 38-40 */
	{ "mail.123", HELO_INVALID, "numeric top-level label", 0, 0 },
	{ "123.456", HELO_INVALID, "numeric top-level label", 0, 0 },
	{ "1.2.3", HELO_INVALID, "numeric top-level label", 0, 0 },
	/* 41-42 */
	{ "*.example.com", HELO_INVALID, "invalid character", 0, 0 },
	{ "a/b.com", HELO_INVALID, "invalid character", 0, 0 },
	/* 43 (client 93.184.216.34: syntax is fine, dynamic fires) */
	{ "93-184-216-34.dynamic.example.net", HELO_DOMAIN,
	    "93-184-216-34.dynamic.example.net", 0, 0 },
	/* 44 */
	{ "host.lan", HELO_DOMAIN, "host.lan", 0, 0 },
	{ "mail.example.local", HELO_DOMAIN, "mail.example.local", 0, 0 },
	/* 45-46: our name and a rcpt domain are valid syntax */
	{ "mx.example.net", HELO_DOMAIN, "mx.example.net", 0, 0 },
	{ "example.net", HELO_DOMAIN, "example.net", 0, 0 },
};

static const struct helo_case more_cases[] = {
	{ name253dot, HELO_DOMAIN, name253, 0, 0 },
	{ ".", HELO_INVALID, "empty label", 0, 0 },
	{ "com.", HELO_DOMAIN, "com", 0, 1 },
	{ "_", HELO_DOMAIN, "_", 1, 1 },
	{ "_dmarc.Example.com", HELO_DOMAIN, "_dmarc.example.com", 1, 0 },
	{ "DESKTOP-7H2K", HELO_DOMAIN, "desktop-7h2k", 0, 1 },
	{ "123", HELO_INVALID, "numeric top-level label", 0, 0 },
	{ "mail.example.c0m", HELO_DOMAIN, "mail.example.c0m", 0, 0 },
	{ "1.2.3.4.", HELO_INVALID, "numeric top-level label", 0, 0 },
	{ "a.-b.com", HELO_INVALID, "label starts or ends with hyphen", 0, 0 },
	/* RFC 5321 allows "--" inside an ASCII label */
	{ "ab--cd.example", HELO_DOMAIN, "ab--cd.example", 0, 0 },
	{ "foo|bar.com", HELO_INVALID, "invalid character", 0, 0 },
	{ "\"foo\".com", HELO_INVALID, "invalid character", 0, 0 },
	{ "'foo'.com", HELO_INVALID, "invalid character", 0, 0 },
	{ "foo\tbar.com", HELO_INVALID, "invalid character", 0, 0 },
	{ "foo.com\r", HELO_INVALID, "invalid character", 0, 0 },
	{ "foo\x7f.com", HELO_INVALID, "invalid character", 0, 0 },
	{ "foo:25.com", HELO_INVALID, "invalid character", 0, 0 },
	{ "IPv6:192.0.2.1", HELO_INVALID, "invalid character", 0, 0 },
	/* bare addresses */
	{ "2001:DB8::1", HELO_BARE_IP, "2001:db8::1", 0, 0 },
	{ "::ffff:192.0.2.1", HELO_BARE_IP, "192.0.2.1", 0, 0 },
	{ "ipv6:2001:db8::1", HELO_BARE_IP, "2001:db8::1", 0, 0 },
	{ "010.000.000.001", HELO_BARE_IP, "10.0.0.1", 0, 0 },
	/* literals */
	{ "[IPV6:2001:DB8:0::5]", HELO_LITERAL6, "2001:db8::5", 0, 0 },
	{ "[IPv6:::1]", HELO_LITERAL6, "::1", 0, 0 },
	{ "[::1]", HELO_LITERAL_OTHER, "address literal needs IPv6: tag",
	    0, 0 },
	{ "[x-foo:bar]", HELO_LITERAL_OTHER, "unknown address literal tag",
	    0, 0 },
	{ "[0.0.0.0]", HELO_LITERAL4, "0.0.0.0", 0, 0 },
	{ "[255.255.255.255]", HELO_LITERAL4, "255.255.255.255", 0, 0 },
	{ "[256.0.0.1]", HELO_INVALID, "bad address literal", 0, 0 },
	{ "[0001.2.3.4]", HELO_INVALID, "bad address literal", 0, 0 },
	{ "[1.2.3.4.5]", HELO_INVALID, "bad address literal", 0, 0 },
	{ "[1.2.3.]", HELO_INVALID, "bad address literal", 0, 0 },
	{ "[ 192.0.2.1]", HELO_INVALID, "bad address literal", 0, 0 },
	{ "[192.0.2.1", HELO_INVALID, "bad address literal", 0, 0 },
	{ "[[192.0.2.1]]", HELO_INVALID, "bad address literal", 0, 0 },
	{ "[IPv6:2001:db8::g]", HELO_INVALID, "bad address literal", 0, 0 },
	{ "[IPv6:]", HELO_INVALID, "bad address literal", 0, 0 },
	{ "[-foo:bar]", HELO_INVALID, "bad address literal", 0, 0 },
	{ "[foo-:bar]", HELO_INVALID, "bad address literal", 0, 0 },
	{ "[foo:]", HELO_INVALID, "bad address literal", 0, 0 },
	{ "[foo:a]b]", HELO_INVALID, "bad address literal", 0, 0 },
	{ "[foo:a b]", HELO_INVALID, "bad address literal", 0, 0 },
	{ "[mail.example.com]", HELO_INVALID, "bad address literal", 0, 0 },
};

/* IDNA2008 through libidn2 (2.3.3 on Debian 12). */
static const struct helo_case idn_cases[] = {
	/* A-labels in any case are the same name */
	{ "XN--BCHER-KVA.example", HELO_DOMAIN, "xn--bcher-kva.example",
	    0, 0 },
	{ "xn--BcHer-kva.com", HELO_DOMAIN, "xn--bcher-kva.com", 0, 0 },
	{ "mail.xn--zca.de", HELO_DOMAIN, "mail.xn--zca.de", 0, 0 },
	/* punycode that decodes to nothing, or to a forbidden U+2665 */
	{ "xn--a.com", HELO_INVALID, "invalid A-label", 0, 0 },
	{ "xn--abc.com", HELO_INVALID, "invalid A-label", 0, 0 },
	{ "mail.xn--g6h.com", HELO_INVALID, "invalid A-label", 0, 0 },
	{ "XN--.com", HELO_INVALID, "invalid A-label", 0, 0 },
	/* A-labels of a fullwidth 'b' and of a decomposed 'u' + U+0308 */
	{ "xn--cher-zra77610b.example", HELO_INVALID, "invalid A-label",
	    0, 0 },
	{ "xn--bucher-xyd.example", HELO_INVALID, "invalid A-label", 0, 0 },
	/* UTF-8 U-labels become A-labels, case-folded */
	{ "Bücher.example", HELO_DOMAIN, "xn--bcher-kva.example", 0, 0 },
	{ "BÜCHER.example", HELO_DOMAIN, "xn--bcher-kva.example", 0, 0 },
	{ "exämple.com.", HELO_DOMAIN, "xn--exmple-cua.com", 0, 0 },
	{ "faß.de", HELO_DOMAIN, "xn--fa-hia.de", 0, 0 },
	{ "bücher.xn--exmple-cua.com", HELO_DOMAIN,
	    "xn--bcher-kva.xn--exmple-cua.com", 0, 0 },
	{ "mail_ä.example", HELO_DOMAIN, "xn--mail_-kra.example", 1, 0 },
	{ "bücher", HELO_DOMAIN, "xn--bcher-kva", 0, 1 },
	/* fullwidth letters map to ASCII; a fullwidth '/' stays invalid */
	{ "ｅｘａｍｐｌｅ.com", HELO_DOMAIN, "example.com", 0, 0 },
	{ "a／b.com", HELO_INVALID, "invalid character", 0, 0 },
	/* IDNA2008 forbids U+2665 BLACK HEART SUIT */
	{ "♥.example.com", HELO_INVALID, "invalid IDN", 0, 0 },
	/* not UTF-8: a stray byte, a cut sequence, an overlong '.' */
	{ "\xff.example.com", HELO_INVALID, "invalid IDN", 0, 0 },
	{ "ex\xc3.example.com", HELO_INVALID, "invalid IDN", 0, 0 },
	{ "ex\xc0\xae.example.com", HELO_INVALID, "invalid IDN", 0, 0 },
	/* a bad A-label next to a U-label */
	{ "xn--a.bücher.example", HELO_INVALID, "invalid A-label", 0, 0 },
	/* libidn2 judges every label of an IDN, "--" included */
	{ "bücher.ab--cd.example", HELO_INVALID, "invalid IDN", 0, 0 },
	/* label and name rules still apply */
	{ "-bücher.example", HELO_INVALID, "label starts or ends with hyphen",
	    0, 0 },
	{ "bü cher.example", HELO_INVALID, "invalid character", 0, 0 },
	{ "bücher..example", HELO_INVALID, "empty label", 0, 0 },
	{ "bücher.123", HELO_INVALID, "numeric top-level label", 0, 0 },
	/* sixty U+00E4: 120 octets of UTF-8, an A-label over 63 */
	{ "ääääääääääääääääääääääääääääää"
	    "ääääääääääääääääääääääääääääää.com",
	    HELO_INVALID, "label longer than 63", 0, 0 },
};

int
main(void)
{
	plan(664);
	build_long_names();
	test_helo(anchor_cases, nitems(anchor_cases));
	test_helo(more_cases, nitems(more_cases));
	test_helo(idn_cases, nitems(idn_cases));
	test_addr();
	test_private();
	test_endpoint();
	test_cidr();
	test_names();
	test_dynamic();
	return done_testing();
}

static void
build_long_names(void)
{
	memset(label63, 'x', 63);
	strlcpy(label63 + 63, ".com", sizeof(label63) - 63);
	memset(label64, 'x', 64);
	strlcpy(label64 + 64, ".com", sizeof(label64) - 64);
	fill_name(name253, 253);
	fill_name(name253dot, 253);
	strlcat(name253dot, ".", sizeof(name253dot));
	fill_name(name254, 254);
	fill_name(name255, 255);
}

/* Labels "aaa…", "bbb…" of 63 octets, the last one shorter. */
static void
fill_name(char *buf, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		buf[i] = i % 64 == 63 ? '.' : 'a' + i / 64;
	buf[len] = '\0';
}

static const char *
kind_name(enum helo_kind kind)
{
	static const char *const names[] = {
		[HELO_DOMAIN] = "domain",
		[HELO_LITERAL4] = "literal4",
		[HELO_LITERAL6] = "literal6",
		[HELO_LITERAL_OTHER] = "literal-other",
		[HELO_BARE_IP] = "bare-ip",
		[HELO_INVALID] = "invalid",
	};

	if ((size_t)kind >= nitems(names) || names[kind] == NULL)
		return "?";
	return names[kind];
}

static void
test_helo(const struct helo_case *cases, size_t n)
{
	const struct helo_case	*c;
	struct helo		 h;
	char			 fmt[ADDR_STRLEN];
	const char		*got;
	size_t			 i;

	for (i = 0; i < n; i++) {
		c = &cases[i];
		helo_classify(c->raw, &h);
		is_str(kind_name(h.kind), kind_name(c->kind),
		    "helo \"%.40s\": kind", c->raw);
		switch (h.kind) {
		case HELO_DOMAIN:
			got = h.name;
			break;
		case HELO_LITERAL4:
		case HELO_LITERAL6:
		case HELO_BARE_IP:
			addr_fmt(&h.addr, fmt, sizeof(fmt));
			got = fmt;
			break;
		default:
			got = h.why;
			break;
		}
		is_str(got, c->expect, "helo \"%.40s\": %s", c->raw,
		    kind_name(c->kind));
		ok(h.underscore == c->underscore && h.dotless == c->dotless,
		    "helo \"%.40s\": underscore %d dotless %d", c->raw,
		    c->underscore, c->dotless);
		helo_clear(&h);
	}
}

static void
test_addr(void)
{
	static const struct addr_case cases[] = {
		{ "192.0.2.1", 0, "192.0.2.1", AF_INET, 0 },
		{ "010.0.0.1", 0, "10.0.0.1", AF_INET, 0 },
		{ "127.0.0.1", 0, "127.0.0.1", AF_INET, 1 },
		{ "127.255.0.9", 0, "127.255.0.9", AF_INET, 1 },
		{ "128.0.0.1", 0, "128.0.0.1", AF_INET, 0 },
		{ "::1", 0, "::1", AF_INET6, 1 },
		{ "::2", 0, "::2", AF_INET6, 0 },
		{ "::ffff:127.0.0.1", 0, "127.0.0.1", AF_INET, 1 },
		{ "::FFFF:192.0.2.1", 0, "192.0.2.1", AF_INET, 0 },
		{ "2001:DB8:0::5", 0, "2001:db8::5", AF_INET6, 0 },
		{ "::192.0.2.1", 0, "::192.0.2.1", AF_INET6, 0 },
		{ "", -1, "", 0, 0 },
		{ "1.2.3", -1, "", 0, 0 },
		{ "256.1.1.1", -1, "", 0, 0 },
		{ "0192.0.2.1", -1, "", 0, 0 },
		{ "192.0.2.1 ", -1, "", 0, 0 },
		{ "192.0.2.1/24", -1, "", 0, 0 },
		{ "2001:db8::1%eth0", -1, "", 0, 0 },
		{ "localhost", -1, "", 0, 0 },
	};
	const struct addr_case	*c;
	struct addr		 a, b;
	char			 fmt[ADDR_STRLEN];
	size_t			 i;

	for (i = 0; i < nitems(cases); i++) {
		c = &cases[i];
		is_int(addr_parse(c->text, &a), c->rc, "addr_parse \"%s\"",
		    c->text);
		addr_fmt(&a, fmt, sizeof(fmt));
		is_str(fmt, c->fmt, "addr_parse \"%s\": text", c->text);
		ok(a.family == c->family && addr_is_loopback(&a) == c->loopback,
		    "addr_parse \"%s\": family %d, loopback %d", c->text,
		    c->family, c->loopback);
	}

	addr_parse("::ffff:192.0.2.1", &a);
	addr_parse("192.0.2.1", &b);
	ok(addr_eq(&a, &b), "v4-mapped equals v4");
	addr_parse("2001:db8:0:0::5", &a);
	addr_parse("2001:DB8::5", &b);
	ok(addr_eq(&a, &b), "IPv6 compared as addresses");
	addr_parse("192.0.2.1", &a);
	addr_parse("192.0.2.2", &b);
	ok(!addr_eq(&a, &b), "192.0.2.1 is not 192.0.2.2");
	addr_parse("::c000:201", &a);
	ok(!addr_eq(&a, &b), "::192.0.2.1 is not 192.0.2.1");
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	ok(!addr_eq(&a, &b), "no address equals nothing");
	addr_fmt(&a, fmt, sizeof(fmt));
	is_str(fmt, "", "addr_fmt of no address");
	addr_parse("2001:db8::1", &a);
	addr_fmt(&a, fmt, 5);
	is_str(fmt, "", "addr_fmt into a short buffer");
}

/* Each special network's edges, and the public addresses beside them. */
static void
test_private(void)
{
	static const struct {
		const char	*text;
		int		 private;
	} cases[] = {
		{ "0.0.0.0", 1 }, { "0.255.255.255", 1 }, { "1.0.0.0", 0 },
		{ "9.255.255.255", 0 }, { "10.0.0.1", 1 },
		{ "10.255.255.255", 1 }, { "11.0.0.0", 0 },
		{ "100.63.255.255", 0 }, { "100.64.0.0", 1 },
		{ "100.127.255.255", 1 }, { "100.128.0.0", 0 },
		{ "126.255.255.255", 0 }, { "127.0.0.1", 1 },
		{ "128.0.0.0", 0 }, { "169.254.1.1", 1 }, { "169.255.0.0", 0 },
		{ "172.15.255.255", 0 }, { "172.16.0.0", 1 },
		{ "172.31.255.255", 1 }, { "172.32.0.0", 0 },
		{ "192.0.0.8", 1 }, { "192.0.1.0", 0 }, { "192.0.2.1", 1 },
		{ "192.0.3.0", 0 }, { "192.88.99.1", 1 },
		{ "192.167.255.255", 0 }, { "192.168.1.1", 1 },
		{ "192.169.0.0", 0 }, { "198.17.255.255", 0 },
		{ "198.18.0.0", 1 }, { "198.19.255.255", 1 },
		{ "198.20.0.0", 0 }, { "198.51.100.7", 1 },
		{ "203.0.113.255", 1 }, { "203.0.114.0", 0 },
		{ "223.255.255.255", 0 }, { "224.0.0.1", 1 },
		{ "240.0.0.1", 1 }, { "255.255.255.255", 1 },
		{ "8.8.8.8", 0 }, { "17.58.6.56", 0 },
		{ "::", 1 }, { "::1", 1 }, { "::2", 0 },
		{ "::ffff:10.0.0.1", 1 }, { "::ffff:8.8.8.8", 0 },
		{ "64:ff9b::808:808", 0 }, { "64:ff9b:1::1", 1 },
		{ "100::1", 1 }, { "100:0:0:1::1", 0 },
		{ "2001:2::1", 1 }, { "2001:3::1", 0 },
		{ "2001:db8::1", 1 }, { "2001:db9::1", 0 },
		{ "3fff:fff::1", 1 }, { "3fff:1000::1", 0 },
		{ "5f00::1", 1 }, { "fbff::1", 0 }, { "fc00::1", 1 },
		{ "fdff:ffff::1", 1 }, { "fe80::1", 1 }, { "febf::1", 1 },
		{ "fec0::1", 1 }, { "ff02::1", 1 },
		{ "2a00:1450:4864:20::334", 0 }, { "2607:f8b0::1", 0 },
	};
	struct addr	a;
	size_t		i;

	for (i = 0; i < nitems(cases); i++) {
		if (addr_parse(cases[i].text, &a) == -1) {
			ok(0, "addr_parse \"%s\"", cases[i].text);
			continue;
		}
		is_int(addr_is_private(&a), cases[i].private,
		    "addr_is_private %s", cases[i].text);
	}
	memset(&a, 0, sizeof(a));
	is_int(addr_is_private(&a), 0, "no address is not private");
	/* An AAAA record holding an IPv4-mapped address stays IPv6. */
	memset(&a, 0, sizeof(a));
	a.family = AF_INET6;
	a.bytes[10] = a.bytes[11] = 0xff;
	a.bytes[12] = 8;
	is_int(addr_is_private(&a), 1, "an IPv4-mapped AAAA is private");
}

static void
test_endpoint(void)
{
	static const struct endpoint_case cases[] = {
		{ "192.0.2.1:25", 0, "192.0.2.1", 0 },
		{ "127.0.0.1:52024", 0, "127.0.0.1", 0 },
		{ "[2001:db8::1]:587", 0, "2001:db8::1", 0 },
		{ "[::1]:58538", 0, "::1", 0 },
		{ "[::ffff:192.0.2.1]:25", 0, "192.0.2.1", 0 },
		{ "unix:/var/run/smtpd.sock", 0, "", 1 },
		{ "192.0.2.1", 0, "192.0.2.1", 0 },
		{ "192.0.2.1:", -1, "", 0 },
		{ "192.0.2.1:99999", -1, "", 0 },
		{ "192.0.2.1:x", -1, "", 0 },
		{ "2001:db8::1:25", -1, "", 0 },
		{ "[2001:db8::1", -1, "", 0 },
		{ "[2001:db8::1]25", -1, "", 0 },
		{ "[2001:db8::g]:25", -1, "", 0 },
		{ "localhost:25", -1, "", 0 },
		{ "", -1, "", 0 },
	};
	const struct endpoint_case	*c;
	struct addr			 a;
	char				 fmt[ADDR_STRLEN];
	size_t				 i;
	int				 local;

	for (i = 0; i < nitems(cases); i++) {
		c = &cases[i];
		local = -1;
		is_int(addr_parse_endpoint(c->text, &a, &local), c->rc,
		    "endpoint \"%s\"", c->text);
		addr_fmt(&a, fmt, sizeof(fmt));
		is_str(fmt, c->fmt, "endpoint \"%s\": address", c->text);
		is_int(local, c->local, "endpoint \"%s\": local", c->text);
	}
}

static void
test_cidr(void)
{
	static const struct cidr_case cases[] = {
		{ "192.0.2.0/24", "192.0.2.77", 1 },
		{ "192.0.2.0/24", "192.0.3.1", 0 },
		{ "192.0.2.0/24", "::ffff:192.0.2.9", 1 },
		{ "192.0.2.0/24", "2001:db8::1", 0 },
		{ "192.0.2.128/25", "192.0.2.127", 0 },
		{ "192.0.2.128/25", "192.0.2.200", 1 },
		{ "192.0.2.7/24", "192.0.2.1", 1 },
		{ "10.0.0.0/9", "10.127.255.255", 1 },
		{ "10.0.0.0/9", "10.128.0.0", 0 },
		{ "192.0.2.1", "192.0.2.1", 1 },
		{ "192.0.2.1", "192.0.2.2", 0 },
		{ "192.0.2.1/32", "192.0.2.1", 1 },
		{ "0.0.0.0/0", "203.0.113.5", 1 },
		{ "0.0.0.0/0", "2001:db8::1", 0 },
		{ "::/0", "2001:db8::1", 1 },
		{ "::/0", "192.0.2.1", 0 },
		{ "2001:db8::/32", "2001:db8:ffff::1", 1 },
		{ "2001:db8::/32", "2001:db9::1", 0 },
		{ "2001:db8::/33", "2001:db8:7fff::1", 1 },
		{ "2001:db8::/33", "2001:db8:8000::1", 0 },
		{ "2001:DB8::1", "2001:db8::1", 1 },
		{ "2001:db8::1/128", "2001:db8::2", 0 },
		{ "::ffff:192.0.2.0/120", "192.0.2.9", 1 },
		{ "192.0.2.0/33", NULL, 0 },
		{ "2001:db8::/129", NULL, 0 },
		{ "192.0.2.0/", NULL, 0 },
		{ "192.0.2.0/-1", NULL, 0 },
		{ "192.0.2.0/+8", NULL, 0 },
		{ "192.0.2.0/ 8", NULL, 0 },
		{ "192.0.2.0/8x", NULL, 0 },
		{ "192.0.2/24", NULL, 0 },
		{ "::ffff:0:0/64", NULL, 0 },
		{ "example.org/24", NULL, 0 },
		{ "", NULL, 0 },
	};
	const struct cidr_case	*c;
	struct cidr		 cidr;
	struct addr		 a;
	size_t			 i;

	for (i = 0; i < nitems(cases); i++) {
		c = &cases[i];
		if (c->addr == NULL) {
			is_int(cidr_parse(c->cidr, &cidr), -1,
			    "cidr \"%s\" is refused", c->cidr);
			continue;
		}
		if (cidr_parse(c->cidr, &cidr) == -1 ||
		    addr_parse(c->addr, &a) == -1) {
			ok(0, "cidr \"%s\", address %s parse", c->cidr,
			    c->addr);
			continue;
		}
		is_int(cidr_match(&cidr, &a), c->match, "cidr %s %s %s",
		    c->cidr, c->match ? "holds" : "misses", c->addr);
	}
}

static void
test_names(void)
{
	static const struct pair_case eq_cases[] = {
		{ "ZenIV.linux.org.uk", "zeniv.linux.org.uk", 1 },
		{ "mx.example.org.", "MX.EXAMPLE.ORG", 1 },
		{ "mx.example.org", "mx.example.org.", 1 },
		{ "mx.example.org..", "mx.example.org", 0 },
		{ "mx.example.org", "mx.example.com", 0 },
		{ "mx.example.co", "mx.example.com", 0 },
		{ "example.org", "mx.example.org", 0 },
		{ NULL, "example.org", 0 },
	};
	static const struct pair_case domain_cases[] = {
		{ "mx.example.org", "example.org", 1 },
		{ "example.org", "example.org", 1 },
		{ "a.b.example.org", "example.org", 1 },
		{ "MX.Example.ORG.", "example.org", 1 },
		{ "mx.example.org", "EXAMPLE.org.", 1 },
		{ "example.org", "ample.org", 0 },
		{ "mx.example.org", "ample.org", 0 },
		{ "xexample.org", "example.org", 0 },
		{ "example.org", "mx.example.org", 0 },
		{ "example.org.evil.net", "example.org", 0 },
		{ "mx.example.org", "", 0 },
	};
	static const struct normalise_case norm_cases[] = {
		{ "MX.Example.ORG.", NAME_BUFSZ, 0, "mx.example.org" },
		{ ".Example.NET", NAME_BUFSZ, 0, ".example.net" },
		{ "Bücher.example", NAME_BUFSZ, 0, "xn--bcher-kva.example" },
		{ ".bücher.example.", NAME_BUFSZ, 0,
		    ".xn--bcher-kva.example" },
		{ "XN--BCHER-KVA.example", NAME_BUFSZ, 0,
		    "xn--bcher-kva.example" },
		{ "example.org", 12, 0, "example.org" },
		{ "example.org", 11, -1, NULL },
		{ "♥.example", NAME_BUFSZ, -1, NULL },
		{ "\xff.example", NAME_BUFSZ, -1, NULL },
		{ "", NAME_BUFSZ, -1, NULL },
		{ ".", NAME_BUFSZ, -1, NULL },
	};
	char	 out[NAME_BUFSZ];
	size_t	 i;
	int	 rc;

	for (i = 0; i < nitems(eq_cases); i++)
		is_int(name_eq(eq_cases[i].a, eq_cases[i].b), eq_cases[i].want,
		    "name_eq \"%s\" \"%s\"",
		    eq_cases[i].a ? eq_cases[i].a : "(null)", eq_cases[i].b);
	for (i = 0; i < nitems(domain_cases); i++)
		is_int(name_in_domain(domain_cases[i].a, domain_cases[i].b),
		    domain_cases[i].want, "name_in_domain \"%s\" \"%s\"",
		    domain_cases[i].a, domain_cases[i].b);
	for (i = 0; i < nitems(norm_cases); i++) {
		strlcpy(out, "unchanged", sizeof(out));
		rc = name_normalise(norm_cases[i].in, out,
		    norm_cases[i].outlen);
		is_int(rc, norm_cases[i].rc, "name_normalise \"%s\"",
		    norm_cases[i].in);
		if (rc == 0)
			is_str(out, norm_cases[i].out,
			    "name_normalise \"%s\": result", norm_cases[i].in);
	}
}

static void
test_dynamic(void)
{
	static const struct dynamic_case cases[] = {
		/* two octets are a relay's own numbering */
		{ "a8-21.smtp-out.amazonses.com", "54.240.8.21", 0 },
		{ "m43-7.mailgun.net", "198.61.254.7", 0 },
		{ "mail-43-7.example.net", "198.61.43.7", 0 },
		/* the whole address, as pool hosts are named */
		{ "out203-205-221-245.mail.qq.com", "203.205.221.245", 1 },
		{ "93-184-216-34.dynamic.example.net", "93.184.216.34", 1 },
		{ "c-76-121-96-159.hsd1.wa.comcast.net", "76.121.96.159", 1 },
		{ "34.216.184.93.in-addr.example", "93.184.216.34", 1 },
		{ "93_184_216_34.example.net", "93.184.216.34", 1 },
		{ "host-093-184-216-034.example.net", "93.184.216.34", 1 },
		{ "ip093184216034.example.net", "93.184.216.34", 1 },
		{ "dsl9318421634.example.net", "93.184.216.34", 1 },
		{ "1-2-3-4.example.net", "1.2.3.4", 1 },
		{ "pool-10-0-0-5.example.net", "10.0.0.5", 1 },
		/* hex, in order or reversed, any case */
		{ "0x5db8d822.example.net", "93.184.216.34", 1 },
		{ "5DB8D822.example.net", "93.184.216.34", 1 },
		{ "22d8b85d.rev.example.net", "93.184.216.34", 1 },
		/* glued to more digits, or another address */
		{ "11-2-3-45.example.net", "1.2.3.4", 0 },
		{ "dsl93184216345.example.net", "93.184.216.34", 0 },
		{ "a5db8d822.example.net", "93.184.216.34", 0 },
		{ "93-184-216-35.example.net", "93.184.216.34", 0 },
		{ "93-184-216.example.net", "93.184.216.34", 0 },
		{ "mail.example.com", "93.184.216.34", 0 },
		{ "192-0-2-1.example.net", "2001:db8::1", 0 },
		{ "192-0-2-1.example.net", "", 0 },
		{ "192-0-2-1.example.net", "::ffff:192.0.2.1", 1 },
		/* IPv6: the interface identifier 021a:2bff:fe3c:4d5e */
		{ "host-021a2bfffe3c4d5e.example.net",
		    "2001:db8::21a:2bff:fe3c:4d5e", 1 },
		{ "021a-2bff-fe3c-4d5e.pool.example.net",
		    "2001:db8::21a:2bff:fe3c:4d5e", 1 },
		{ "021A.2BFF.FE3C.4D5E.example.net",
		    "2001:db8::21a:2bff:fe3c:4d5e", 1 },
		{ "21a-2bff-fe3c-4d5e.example.net",
		    "2001:db8::21a:2bff:fe3c:4d5e", 1 },
		{ "2bff-fe3c-4d5e.example.net",
		    "2001:db8::21a:2bff:fe3c:4d5e", 0 },
		{ "x021a2bfffe3c4d5e0.example.net",
		    "2001:db8::21a:2bff:fe3c:4d5e", 0 },
		{ "2001-db8-0-0-1-2-3-4.ipv6.example.net",
		    "2001:db8::1:2:3:4", 1 },
		/* a zero group: padded fires, unpadded proves nothing */
		{ "0001-0000-0000-0005.example.net", "2001:db8::1:0:0:5", 1 },
		{ "1-0-0-5.example.net", "2001:db8::1:0:0:5", 0 },
		/* an all-zero identifier never fires */
		{ "0000-0000-0000-0000.example.net", "2001:db8::", 0 },
		{ "0000000000000000.example.net", "2001:db8::", 0 },
	};
	const struct dynamic_case	*c;
	struct addr			 a;
	size_t				 i;

	for (i = 0; i < nitems(cases); i++) {
		c = &cases[i];
		memset(&a, 0, sizeof(a));
		if (*c->client != '\0' && addr_parse(c->client, &a) == -1) {
			ok(0, "dynamic: client %s parses", c->client);
			continue;
		}
		is_int(name_dynamic(c->name, &a), c->want,
		    "dynamic \"%s\" from %s", c->name,
		    *c->client != '\0' ? c->client : "unix socket");
	}
}
