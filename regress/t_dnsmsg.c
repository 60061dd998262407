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
 * DNS answers as they come over the wire, read by dns_result_parse():
 * what a well-formed answer says, and that a truncated, malformed or
 * hostile one fails whole.  Each message is built here record by record
 * and summed up as t_dns.c sums up answers.
 */
#include "compat.h"

#include <sys/socket.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "dns.h"
#include "dnsresult.h"
#include "tap.h"

#define MSG_MAX		4096
#define SUMMARY_LEN	2048

#define AN		1	/* sections */
#define NS		2

struct msg {
	uint8_t		 b[MSG_MAX];
	size_t		 len;
	size_t		 qname;		/* offset, for pointers */
};

static void	msg_new(struct msg *, int, const char *, int);
static void	msg_name(struct msg *, const char *);
static void	msg_u16(struct msg *, unsigned);
static void	msg_u32(struct msg *, uint32_t);
static void	msg_bytes(struct msg *, const void *, size_t);
static size_t	msg_rr(struct msg *, int, const char *, int, uint32_t);
static void	msg_rdlen(struct msg *, size_t);
static void	msg_count(struct msg *, int);
static void	msg_soa(struct msg *, uint32_t, uint32_t);
static const char *summary(const struct msg *, const char *, int, int);
static void	summary_text(char *, size_t, const struct dns_txt *);
static void	test_found(void);
static void	test_negative(void);
static void	test_cname(void);
static void	test_secure(void);
static void	test_errors(void);
static void	test_hostile(void);
static void	test_txt(void);

int
main(void)
{
	plan(46);
	test_found();
	test_negative();
	test_cname();
	test_secure();
	test_errors();
	test_hostile();
	test_txt();
	return done_testing();
}

static void
test_found(void)
{
	static const uint8_t	 a1[] = { 192, 0, 2, 1 };
	static const uint8_t	 a2[] = { 192, 0, 2, 2 };
	static const uint8_t	 a6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	struct msg		 m;
	size_t			 at;

	msg_new(&m, 0, "mx.example.test", DNS_TYPE_A);
	at = msg_rr(&m, AN, "mx.example.test", DNS_TYPE_A, 300);
	msg_bytes(&m, a1, 4);
	msg_rdlen(&m, at);
	at = msg_rr(&m, AN, "MX.Example.Test", DNS_TYPE_A, 60);
	msg_bytes(&m, a2, 4);
	msg_rdlen(&m, at);
	is_str(summary(&m, "mx.example.test", DNS_TYPE_A, 0),
	    "found 192.0.2.1 192.0.2.2 ttl=60", "A: both, the least TTL");

	msg_new(&m, 0, "mx.example.test", DNS_TYPE_AAAA);
	at = msg_rr(&m, AN, "mx.example.test", DNS_TYPE_AAAA, 300);
	msg_bytes(&m, a6, 16);
	msg_rdlen(&m, at);
	is_str(summary(&m, "mx.example.test", DNS_TYPE_AAAA, 0),
	    "found 2001:db8::1 ttl=300", "AAAA");

	/* an MX exchange compressed into the question's name */
	msg_new(&m, 0, "example.test", DNS_TYPE_MX);
	at = msg_rr(&m, AN, "example.test", DNS_TYPE_MX, 300);
	msg_u16(&m, 10);
	m.b[m.len++] = 2;
	msg_bytes(&m, "mx", 2);
	msg_u16(&m, 0xc000 | m.qname);
	msg_rdlen(&m, at);
	is_str(summary(&m, "example.test", DNS_TYPE_MX, 0),
	    "found mx.example.test ttl=300", "MX: a compressed exchange");

	msg_new(&m, 0, "example.test", DNS_TYPE_MX);
	at = msg_rr(&m, AN, "example.test", DNS_TYPE_MX, 300);
	msg_u16(&m, 0);
	msg_name(&m, "");
	msg_rdlen(&m, at);
	is_str(summary(&m, "example.test", DNS_TYPE_MX, 0),
	    "found ttl=300", "a null MX exists, naming no host");

	msg_new(&m, 0, "1.2.0.192.in-addr.arpa", DNS_TYPE_PTR);
	at = msg_rr(&m, AN, "1.2.0.192.in-addr.arpa", DNS_TYPE_PTR, 300);
	msg_name(&m, "odd\001na.me\\x.example.test");
	msg_rdlen(&m, at);
	is_str(summary(&m, "1.2.0.192.in-addr.arpa", DNS_TYPE_PTR, 0),
	    "found odd\\001na.me\\092x.example.test ttl=300",
	    "PTR: odd octets escaped, so the name is no host name");

	/* other owners, other classes and other types are not the answer */
	msg_new(&m, 0, "mx.example.test", DNS_TYPE_A);
	at = msg_rr(&m, AN, "other.example.test", DNS_TYPE_A, 300);
	msg_bytes(&m, a1, 4);
	msg_rdlen(&m, at);
	at = msg_rr(&m, AN, "mx.example.test", DNS_TYPE_AAAA, 300);
	msg_bytes(&m, a6, 16);
	msg_rdlen(&m, at);
	msg_soa(&m, 60, 60);
	is_str(summary(&m, "mx.example.test", DNS_TYPE_A, 0),
	    "nodata ttl=60", "records of other names and types are not it");

	msg_new(&m, 0, "mx.example.test", DNS_TYPE_A);
	at = msg_rr(&m, AN, "mx.example.test", DNS_TYPE_A, 0x80000000u);
	msg_bytes(&m, a1, 4);
	msg_rdlen(&m, at);
	is_str(summary(&m, "mx.example.test", DNS_TYPE_A, 0),
	    "found 192.0.2.1 ttl=0", "a TTL with the top bit set is 0");
}

static void
test_negative(void)
{
	struct msg	 m;

	msg_new(&m, 3, "nx.example.test", DNS_TYPE_A);
	msg_soa(&m, 3600, 300);
	is_str(summary(&m, "nx.example.test", DNS_TYPE_A, 0),
	    "nxdomain ttl=300", "NXDOMAIN: kept for the SOA minimum");

	msg_new(&m, 3, "nx.example.test", DNS_TYPE_A);
	msg_soa(&m, 30, 300);
	is_str(summary(&m, "nx.example.test", DNS_TYPE_A, 0),
	    "nxdomain ttl=30", "... or the SOA's TTL, if less");

	msg_new(&m, 0, "nodata.example.test", DNS_TYPE_MX);
	msg_soa(&m, 3600, 120);
	is_str(summary(&m, "nodata.example.test", DNS_TYPE_MX, 0),
	    "nodata ttl=120", "NODATA");

	msg_new(&m, 0, "nodata.example.test", DNS_TYPE_MX);
	is_str(summary(&m, "nodata.example.test", DNS_TYPE_MX, 0),
	    "nodata ttl=0", "NODATA without a SOA is not to be kept");
}

static void
test_cname(void)
{
	static const uint8_t	 a1[] = { 192, 0, 2, 10 };
	struct msg		 m;
	size_t			 at;

	msg_new(&m, 0, "alias.example.test", DNS_TYPE_A);
	at = msg_rr(&m, AN, "alias.example.test", DNS_TYPE_CNAME, 120);
	msg_name(&m, "link.example.test");
	msg_rdlen(&m, at);
	at = msg_rr(&m, AN, "link.example.test", DNS_TYPE_CNAME, 600);
	msg_name(&m, "host.example.test");
	msg_rdlen(&m, at);
	at = msg_rr(&m, AN, "host.example.test", DNS_TYPE_A, 300);
	msg_bytes(&m, a1, 4);
	msg_rdlen(&m, at);
	is_str(summary(&m, "alias.example.test", DNS_TYPE_A, 0),
	    "found 192.0.2.10 cname=host.example.test ttl=120",
	    "a CNAME chain: the canonical name, the least TTL on the way");
	is_str(summary(&m, "alias.example.test", DNS_TYPE_CNAME, 0),
	    "found link.example.test ttl=120",
	    "a CNAME asked for is the answer, not followed");

	msg_new(&m, 3, "dangling.example.test", DNS_TYPE_A);
	at = msg_rr(&m, AN, "dangling.example.test", DNS_TYPE_CNAME, 120);
	msg_name(&m, "nx.example.test");
	msg_rdlen(&m, at);
	msg_soa(&m, 60, 60);
	is_str(summary(&m, "dangling.example.test", DNS_TYPE_A, 0),
	    "nxdomain cname=nx.example.test ttl=60",
	    "a CNAME to nowhere: NXDOMAIN is the target's (RFC 6604)");

	msg_new(&m, 0, "loop.example.test", DNS_TYPE_A);
	at = msg_rr(&m, AN, "loop.example.test", DNS_TYPE_CNAME, 120);
	msg_name(&m, "pool.example.test");
	msg_rdlen(&m, at);
	at = msg_rr(&m, AN, "pool.example.test", DNS_TYPE_CNAME, 120);
	msg_name(&m, "loop.example.test");
	msg_rdlen(&m, at);
	is_str(summary(&m, "loop.example.test", DNS_TYPE_A, 0),
	    "error malformed", "a CNAME loop fails");
}

static void
test_secure(void)
{
	static const uint8_t	 a1[] = { 192, 0, 2, 40 };
	struct msg		 m;
	size_t			 at;

	msg_new(&m, 0, "good.signed.test", DNS_TYPE_A);
	m.b[3] |= DNS_HDR_AD;
	at = msg_rr(&m, AN, "good.signed.test", DNS_TYPE_A, 300);
	msg_bytes(&m, a1, 4);
	msg_rdlen(&m, at);
	is_str(summary(&m, "good.signed.test", DNS_TYPE_A, 1),
	    "found 192.0.2.40 ttl=300 secure", "AD from a trusted resolver");
	is_str(summary(&m, "good.signed.test", DNS_TYPE_A, 0),
	    "found 192.0.2.40 ttl=300", "AD from another is not believed");

	msg_new(&m, 3, "nx.signed.test", DNS_TYPE_A);
	m.b[3] |= DNS_HDR_AD;
	msg_soa(&m, 60, 60);
	is_str(summary(&m, "nx.signed.test", DNS_TYPE_A, 1),
	    "nxdomain ttl=60 secure", "a proven NXDOMAIN");

	msg_new(&m, 0, "good.signed.test", DNS_TYPE_A);
	at = msg_rr(&m, AN, "good.signed.test", DNS_TYPE_A, 300);
	msg_bytes(&m, a1, 4);
	msg_rdlen(&m, at);
	is_str(summary(&m, "good.signed.test", DNS_TYPE_A, 1),
	    "found 192.0.2.40 ttl=300", "no AD, not secure");
}

static void
test_errors(void)
{
	static const struct {
		int		 rcode;
		const char	*want;
	} rcodes[] = {
		{ 1,	"error formerr" },
		{ 2,	"error servfail" },
		{ 4,	"error notimp" },
		{ 5,	"error refused" },
		{ 9,	"error error" },
	};
	struct msg	 m;
	size_t		 i;

	for (i = 0; i < nitems(rcodes); i++) {
		msg_new(&m, rcodes[i].rcode, "x.example.test", DNS_TYPE_A);
		is_str(summary(&m, "x.example.test", DNS_TYPE_A, 1),
		    rcodes[i].want, "rcode %d", rcodes[i].rcode);
	}
}

/* Each is a failed lookup, never part of an answer. */
static void
test_hostile(void)
{
	static const uint8_t	 a1[] = { 192, 0, 2, 1 };
	struct msg		 m;
	size_t			 at, n, last;
	char			 longname[300];

	msg_new(&m, 0, "x.example.test", DNS_TYPE_A);
	at = msg_rr(&m, AN, "x.example.test", DNS_TYPE_A, 300);
	msg_bytes(&m, a1, 3);
	msg_rdlen(&m, at);
	is_str(summary(&m, "x.example.test", DNS_TYPE_A, 0),
	    "error malformed", "an A record of 3 octets");

	msg_new(&m, 0, "x.example.test", DNS_TYPE_A);
	at = msg_rr(&m, AN, "x.example.test", DNS_TYPE_A, 300);
	msg_bytes(&m, a1, 4);
	msg_rdlen(&m, at);
	at = msg_rr(&m, AN, "x.example.test", DNS_TYPE_A, 300);
	msg_bytes(&m, a1, 2);
	msg_rdlen(&m, at);
	is_str(summary(&m, "x.example.test", DNS_TYPE_A, 0),
	    "error malformed", "one bad record fails the whole answer");

	msg_new(&m, 0, "x.example.test", DNS_TYPE_A);
	at = msg_rr(&m, AN, "x.example.test", DNS_TYPE_A, 300);
	msg_bytes(&m, a1, 4);
	msg_rdlen(&m, at);
	m.len -= 2;
	is_str(summary(&m, "x.example.test", DNS_TYPE_A, 0),
	    "error malformed", "a message cut short");

	msg_new(&m, 0, "x.example.test", DNS_TYPE_A);
	msg_count(&m, AN);
	is_str(summary(&m, "x.example.test", DNS_TYPE_A, 0),
	    "error malformed", "a record counted but missing");

	m.len = 11;
	is_str(summary(&m, "x.example.test", DNS_TYPE_A, 0),
	    "error malformed", "shorter than a header");

	/* a PTR whose name points forwards, at itself */
	msg_new(&m, 0, "1.2.0.192.in-addr.arpa", DNS_TYPE_PTR);
	at = msg_rr(&m, AN, "1.2.0.192.in-addr.arpa", DNS_TYPE_PTR, 300);
	msg_u16(&m, 0xc000 | m.len);
	msg_rdlen(&m, at);
	is_str(summary(&m, "1.2.0.192.in-addr.arpa", DNS_TYPE_PTR, 0),
	    "error malformed", "a compression pointer to itself");

	msg_new(&m, 0, "1.2.0.192.in-addr.arpa", DNS_TYPE_PTR);
	at = msg_rr(&m, AN, "1.2.0.192.in-addr.arpa", DNS_TYPE_PTR, 300);
	msg_u16(&m, 0xc000 | (m.len + 2));
	msg_name(&m, "host.example.test");
	msg_rdlen(&m, at);
	is_str(summary(&m, "1.2.0.192.in-addr.arpa", DNS_TYPE_PTR, 0),
	    "error malformed", "a compression pointer forwards");

	msg_new(&m, 0, "1.2.0.192.in-addr.arpa", DNS_TYPE_PTR);
	at = msg_rr(&m, AN, "1.2.0.192.in-addr.arpa", DNS_TYPE_PTR, 300);
	msg_name(&m, "host.example.test");
	m.b[m.len++] = 0;
	msg_rdlen(&m, at);
	is_str(summary(&m, "1.2.0.192.in-addr.arpa", DNS_TYPE_PTR, 0),
	    "error malformed", "a name shorter than its rdata");

	msg_new(&m, 0, "1.2.0.192.in-addr.arpa", DNS_TYPE_PTR);
	at = msg_rr(&m, AN, "1.2.0.192.in-addr.arpa", DNS_TYPE_PTR, 300);
	m.b[m.len++] = 0x41;
	msg_bytes(&m, "extended", 8);
	m.b[m.len++] = 0;
	msg_rdlen(&m, at);
	is_str(summary(&m, "1.2.0.192.in-addr.arpa", DNS_TYPE_PTR, 0),
	    "error malformed", "a label of an unknown type");

	/* 4 labels of 63 and one of 3: 260 octets on the wire */
	for (n = 0; n < 4 * 64; n++)
		longname[n] = n % 64 == 63 ? '.' : 'a';
	strlcpy(longname + n, "aaa", sizeof(longname) - n);
	msg_new(&m, 0, "1.2.0.192.in-addr.arpa", DNS_TYPE_PTR);
	at = msg_rr(&m, AN, "1.2.0.192.in-addr.arpa", DNS_TYPE_PTR, 300);
	msg_name(&m, longname);
	msg_rdlen(&m, at);
	is_str(summary(&m, "1.2.0.192.in-addr.arpa", DNS_TYPE_PTR, 0),
	    "error malformed", "a name over 255 octets");

	msg_new(&m, 3, "nx.example.test", DNS_TYPE_A);
	at = msg_rr(&m, NS, "example.test", 6, 60);
	msg_name(&m, "ns.example.test");
	msg_rdlen(&m, at);
	is_str(summary(&m, "nx.example.test", DNS_TYPE_A, 0),
	    "error malformed", "a SOA cut short");

	/* nine links, one more than is followed */
	msg_new(&m, 0, "c0.example.test", DNS_TYPE_A);
	for (n = 0; n < 9; n++) {
		snprintf(longname, sizeof(longname), "c%zu.example.test", n);
		at = msg_rr(&m, AN, longname, DNS_TYPE_CNAME, 60);
		snprintf(longname, sizeof(longname), "c%zu.example.test",
		    n + 1);
		msg_name(&m, longname);
		msg_rdlen(&m, at);
	}
	is_str(summary(&m, "c0.example.test", DNS_TYPE_A, 0),
	    "error malformed", "a CNAME chain too long");
	/* a chain of pointers, each at the one before, in a TXT record */
	msg_new(&m, 0, "p.example.test", DNS_TYPE_PTR);
	at = msg_rr(&m, AN, "x.example.test", 16, 60);
	for (n = 0; n < 70; n++)
		msg_u16(&m, 0xc000 | (n == 0 ? m.qname : m.len - 2));
	msg_rdlen(&m, at);
	last = m.len - 2;
	at = msg_rr(&m, AN, "p.example.test", DNS_TYPE_PTR, 60);
	msg_u16(&m, 0xc000 | last);
	msg_rdlen(&m, at);
	is_str(summary(&m, "p.example.test", DNS_TYPE_PTR, 0),
	    "error malformed", "a name through too many pointers");
}

/*
 * TXT records: their strings joined as octets, whatever octets; lengths
 * that do not fill the rdata exactly fail the whole answer.
 */
static void
test_txt(void)
{
	static const uint8_t	 two[] = { 6, 'v', '=', 's', 'p', 'f', '1',
	    4, ' ', '-', 'a', 'l' };
	static const uint8_t	 nul[] = { 5, 'a', 0, 'b', 0xe9, '"' };
	static const uint8_t	 empty[] = { 0, 3, 'a', 'l', 'l' };
	static const uint8_t	 over[] = { 4, 'a', 'b', 'c' };
	static const uint8_t	 short1[] = { 2, 'a', 'b', 1 };
	struct msg		 m;
	size_t			 at, n;
	char			 want[600];

	msg_new(&m, 0, "example.test", DNS_TYPE_TXT);
	at = msg_rr(&m, AN, "example.test", DNS_TYPE_TXT, 300);
	msg_bytes(&m, two, sizeof(two));
	m.b[m.len++] = 1;
	m.b[m.len++] = 'l';
	msg_rdlen(&m, at);
	at = msg_rr(&m, AN, "example.test", DNS_TYPE_TXT, 300);
	m.b[m.len++] = 5;
	msg_bytes(&m, "other", 5);
	msg_rdlen(&m, at);
	is_str(summary(&m, "example.test", DNS_TYPE_TXT, 0),
	    "found \"v=spf1 -all\" \"other\" ttl=300",
	    "TXT: a record's strings joined without a separator, two records");

	msg_new(&m, 0, "example.test", DNS_TYPE_TXT);
	at = msg_rr(&m, AN, "example.test", DNS_TYPE_TXT, 300);
	msg_bytes(&m, nul, sizeof(nul));
	msg_rdlen(&m, at);
	is_str(summary(&m, "example.test", DNS_TYPE_TXT, 0),
	    "found \"a\\000b\\351\\042\" ttl=300",
	    "TXT: a NUL, a non-ASCII octet and a quote kept, with the length");

	msg_new(&m, 0, "example.test", DNS_TYPE_TXT);
	at = msg_rr(&m, AN, "example.test", DNS_TYPE_TXT, 300);
	msg_bytes(&m, empty, sizeof(empty));
	msg_rdlen(&m, at);
	at = msg_rr(&m, AN, "example.test", DNS_TYPE_TXT, 300);
	msg_rdlen(&m, at);
	is_str(summary(&m, "example.test", DNS_TYPE_TXT, 0),
	    "found \"all\" \"\" ttl=300",
	    "TXT: an empty string, and a record of no string at all");

	/* the longest string there is, and two of them */
	msg_new(&m, 0, "example.test", DNS_TYPE_TXT);
	at = msg_rr(&m, AN, "example.test", DNS_TYPE_TXT, 300);
	for (n = 0; n < 2; n++) {
		m.b[m.len++] = 255;
		memset(m.b + m.len, n == 0 ? 'x' : 'y', 255);
		m.len += 255;
	}
	msg_rdlen(&m, at);
	memset(want, 0, sizeof(want));
	strlcpy(want, "found \"", sizeof(want));
	memset(want + 7, 'x', 255);
	memset(want + 7 + 255, 'y', 255);
	strlcat(want, "\" ttl=300", sizeof(want));
	is_str(summary(&m, "example.test", DNS_TYPE_TXT, 0), want,
	    "TXT: two strings of 255 octets");

	msg_new(&m, 0, "example.test", DNS_TYPE_TXT);
	at = msg_rr(&m, AN, "example.test", DNS_TYPE_TXT, 300);
	msg_bytes(&m, over, sizeof(over));
	msg_rdlen(&m, at);
	is_str(summary(&m, "example.test", DNS_TYPE_TXT, 0),
	    "error malformed", "TXT: a string longer than its rdata");

	msg_new(&m, 0, "example.test", DNS_TYPE_TXT);
	at = msg_rr(&m, AN, "example.test", DNS_TYPE_TXT, 300);
	msg_bytes(&m, short1, sizeof(short1));
	msg_rdlen(&m, at);
	is_str(summary(&m, "example.test", DNS_TYPE_TXT, 0),
	    "error malformed", "TXT: a length octet with nothing after it");

	msg_new(&m, 0, "example.test", DNS_TYPE_TXT);
	at = msg_rr(&m, AN, "example.test", DNS_TYPE_TXT, 300);
	msg_bytes(&m, two, sizeof(two));
	msg_rdlen(&m, at);
	at = msg_rr(&m, AN, "example.test", DNS_TYPE_TXT, 300);
	msg_bytes(&m, over, sizeof(over));
	msg_rdlen(&m, at);
	is_str(summary(&m, "example.test", DNS_TYPE_TXT, 0),
	    "error malformed", "TXT: one bad record fails the good one too");

	/* a space in the name asked, as an SPF macro may put there */
	msg_new(&m, 0, "a b.example.test", DNS_TYPE_TXT);
	at = msg_rr(&m, AN, "A b.example.test", DNS_TYPE_TXT, 300);
	m.b[m.len++] = 2;
	msg_bytes(&m, "ok", 2);
	msg_rdlen(&m, at);
	is_str(summary(&m, "a b.example.test", DNS_TYPE_TXT, 0),
	    "found \"ok\" ttl=300",
	    "a name with a space is its own owner, escaped on both sides");

	msg_new(&m, 0, "example.test", DNS_TYPE_A);
	at = msg_rr(&m, AN, "example.test", DNS_TYPE_TXT, 300);
	msg_bytes(&m, two, sizeof(two));
	msg_rdlen(&m, at);
	msg_soa(&m, 60, 60);
	is_str(summary(&m, "example.test", DNS_TYPE_A, 0),
	    "nodata ttl=60", "TXT records are no answer to A");
}

/* A response to name and type, with rcode; no records yet. */
static void
msg_new(struct msg *m, int rcode, const char *name, int type)
{
	memset(m, 0, sizeof(*m));
	msg_u16(m, 0x1234);
	msg_u16(m, 0x8180 | rcode);	/* QR, RD, RA */
	msg_u16(m, 1);
	msg_u16(m, 0);
	msg_u16(m, 0);
	msg_u16(m, 0);
	m->qname = m->len;
	msg_name(m, name);
	msg_u16(m, type);
	msg_u16(m, 1);
}

/* Uncompressed, as given: "a.b" is labels a and b. */
static void
msg_name(struct msg *m, const char *name)
{
	const char	*dot;
	size_t		 len;

	while (*name != '\0') {
		dot = strchr(name, '.');
		len = dot != NULL ? (size_t)(dot - name) : strlen(name);
		m->b[m->len++] = len;
		msg_bytes(m, name, len);
		name += len + (dot != NULL);
	}
	m->b[m->len++] = 0;
}

static void
msg_u16(struct msg *m, unsigned v)
{
	m->b[m->len++] = v >> 8;
	m->b[m->len++] = v & 0xff;
}

static void
msg_u32(struct msg *m, uint32_t v)
{
	msg_u16(m, v >> 16);
	msg_u16(m, v & 0xffff);
}

static void
msg_bytes(struct msg *m, const void *p, size_t len)
{
	memcpy(m->b + m->len, p, len);
	m->len += len;
}

/*
 * A record's head, counted in its section; the caller writes the rdata
 * and then msg_rdlen() with what this returns.
 */
static size_t
msg_rr(struct msg *m, int section, const char *owner, int type,
    uint32_t ttl)
{
	msg_count(m, section);
	msg_name(m, owner);
	msg_u16(m, type);
	msg_u16(m, 1);
	msg_u32(m, ttl);
	msg_u16(m, 0);
	return m->len;
}

static void
msg_rdlen(struct msg *m, size_t rdata)
{
	size_t	 len = m->len - rdata;

	m->b[rdata - 2] = len >> 8;
	m->b[rdata - 1] = len & 0xff;
}

static void
msg_count(struct msg *m, int section)
{
	size_t	 at = 4 + 2 * (section == AN ? 1 : 2);
	unsigned n = (m->b[at] << 8 | m->b[at + 1]) + 1;

	m->b[at] = n >> 8;
	m->b[at + 1] = n & 0xff;
}

/* The zone's SOA in the authority section. */
static void
msg_soa(struct msg *m, uint32_t ttl, uint32_t minimum)
{
	size_t	 at;

	at = msg_rr(m, NS, "example.test", 6, ttl);
	msg_name(m, "ns.example.test");
	msg_name(m, "hostmaster.example.test");
	msg_u32(m, 1);
	msg_u32(m, 3600);
	msg_u32(m, 600);
	msg_u32(m, 86400);
	msg_u32(m, minimum);
	msg_rdlen(m, at);
}

/*
 * "found ADDR... NAME... "TEXT"... [cname=C] ttl=T [secure]", or "error
 * WHY"; in a text, octets other than printable ASCII and the quote are
 * \DDD, in octal as C writes them.
 */
static const char *
summary(const struct msg *m, const char *qname, int type, int trust_ad)
{
	static const char	*status[] = {
		[DNS_FOUND] = "found", [DNS_NXDOMAIN] = "nxdomain",
		[DNS_NODATA] = "nodata", [DNS_ERROR] = "error",
	};
	static char		 buf[SUMMARY_LEN];
	struct dns_result	 res;
	char			 cname[DNS_TEXT_LEN], a[ADDR_STRLEN];
	size_t			 i;

	memset(&res, 0, sizeof(res));
	dns_result_parse(m->b, m->len, qname, type, trust_ad, &res, cname,
	    sizeof(cname));
	strlcpy(buf, status[res.status], sizeof(buf));
	if (res.status == DNS_ERROR) {
		strlcat(buf, " ", sizeof(buf));
		strlcat(buf, res.why, sizeof(buf));
		dns_result_free(&res);
		return buf;
	}
	for (i = 0; i < res.naddrs; i++) {
		addr_fmt(&res.addrs[i], a, sizeof(a));
		strlcat(buf, " ", sizeof(buf));
		strlcat(buf, a, sizeof(buf));
	}
	for (i = 0; i < res.nnames; i++) {
		strlcat(buf, " ", sizeof(buf));
		strlcat(buf, res.names[i], sizeof(buf));
	}
	for (i = 0; i < res.ntxts; i++)
		summary_text(buf, sizeof(buf), &res.txts[i]);
	if (res.cname != NULL) {
		strlcat(buf, " cname=", sizeof(buf));
		strlcat(buf, res.cname, sizeof(buf));
	}
	snprintf(cname, sizeof(cname), " ttl=%d", res.ttl);
	strlcat(buf, cname, sizeof(buf));
	if (res.secure)
		strlcat(buf, " secure", sizeof(buf));
	dns_result_free(&res);
	return buf;
}

static void
summary_text(char *buf, size_t len, const struct dns_txt *t)
{
	char	 oct[8];
	size_t	 i;
	int	 c;

	if (t->text[t->len] != '\0')
		strlcat(buf, " (no NUL after the text)", len);
	strlcat(buf, " \"", len);
	for (i = 0; i < t->len; i++) {
		c = t->text[i] & 0xff;
		if (c < ' ' || c >= 0x7f || c == '"')
			snprintf(oct, sizeof(oct), "\\%03o", c);
		else
			snprintf(oct, sizeof(oct), "%c", c);
		strlcat(buf, oct, len);
	}
	strlcat(buf, "\"", len);
}
