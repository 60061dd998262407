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

#include "compat.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"

#define ENDPOINT_UNIX	"unix:"

static int	parse_v4(const char *, uint8_t *);
static int	parse_v6(const char *, struct addr *);
static int	parse_port(const char *);
static size_t	addr_len(const struct addr *);

/*
 * Networks where no public host lives: the entries of IANA's IPv4 and
 * IPv6 Special-Purpose Address Registries (RFC 6890) that are not
 * globally reachable, the deprecated ones, and multicast.  Left out:
 * entries that are globally reachable (64:ff9b::/96, 2001:3::/32,
 * 192.31.196.0/24, ...), and 2001::/32 (Teredo) and 2002::/16 (6to4),
 * which carry public IPv4 addresses.
 */
static const struct cidr special_nets[] = {
	{ { AF_INET, { 0 } }, 8 },			/* "this network" */
	{ { AF_INET, { 10 } }, 8 },			/* private, RFC 1918 */
	{ { AF_INET, { 100, 64 } }, 10 },		/* carrier-grade NAT */
	{ { AF_INET, { 127 } }, 8 },			/* loopback */
	{ { AF_INET, { 169, 254 } }, 16 },		/* link-local */
	{ { AF_INET, { 172, 16 } }, 12 },		/* private */
	{ { AF_INET, { 192, 0, 0 } }, 24 },		/* IETF protocols */
	{ { AF_INET, { 192, 0, 2 } }, 24 },		/* documentation */
	{ { AF_INET, { 192, 88, 99 } }, 24 },		/* 6to4 relays */
	{ { AF_INET, { 192, 168 } }, 16 },		/* private */
	{ { AF_INET, { 198, 18 } }, 15 },		/* benchmarking */
	{ { AF_INET, { 198, 51, 100 } }, 24 },		/* documentation */
	{ { AF_INET, { 203, 0, 113 } }, 24 },		/* documentation */
	{ { AF_INET, { 224 } }, 4 },			/* multicast */
	{ { AF_INET, { 240 } }, 4 },			/* reserved, broadcast */
	{ { AF_INET6, { 0 } }, 128 },			/* :: unspecified */
	{ { AF_INET6, { [15] = 1 } }, 128 },		/* ::1 loopback */
	{ { AF_INET6, { [10] = 0xff, 0xff } }, 96 },	/* ::ffff:0:0/96 */
	{ { AF_INET6, { 0, 0x64, 0xff, 0x9b, 0, 1 } }, 48 }, /* local NAT64 */
	{ { AF_INET6, { 1 } }, 64 },			/* 100::/64 discard */
	{ { AF_INET6, { 0x20, 0x01, 0, 2 } }, 48 },	/* benchmarking */
	{ { AF_INET6, { 0x20, 0x01, 0x0d, 0xb8 } }, 32 }, /* documentation */
	{ { AF_INET6, { 0x3f, 0xff } }, 20 },		/* documentation */
	{ { AF_INET6, { 0x5f } }, 16 },			/* SRv6 SIDs */
	{ { AF_INET6, { 0xfc } }, 7 },			/* unique local */
	{ { AF_INET6, { 0xfe, 0x80 } }, 10 },		/* link-local */
	{ { AF_INET6, { 0xfe, 0xc0 } }, 10 },		/* site-local */
	{ { AF_INET6, { 0xff } }, 8 },			/* multicast */
};

/*
 * A dotted quad whose parts are 1*3DIGIT with a value up to 255, the Snum
 * of RFC 5321.  Leading zeros are decimal, never octal: [010.0.0.1] is
 * 10.0.0.1, as a mail server reads an address literal.
 */
static int
parse_v4(const char *s, uint8_t *out)
{
	int	 i, ndigits, value;

	for (i = 0; i < 4; i++) {
		if (i > 0 && *s++ != '.')
			return -1;
		value = 0;
		for (ndigits = 0; *s >= '0' && *s <= '9'; ndigits++, s++) {
			if (ndigits == 3)
				return -1;
			value = value * 10 + (*s - '0');
		}
		if (ndigits == 0 || value > 255)
			return -1;
		out[i] = value;
	}
	return *s == '\0' ? 0 : -1;
}

/* An IPv4-mapped address is stored as the IPv4 address it maps. */
static int
parse_v6(const char *s, struct addr *a)
{
	struct in6_addr	 in6;

	if (inet_pton(AF_INET6, s, &in6) != 1)
		return -1;
	memset(a, 0, sizeof(*a));
	if (IN6_IS_ADDR_V4MAPPED(&in6)) {
		a->family = AF_INET;
		memcpy(a->bytes, &in6.s6_addr[12], 4);
	} else {
		a->family = AF_INET6;
		memcpy(a->bytes, in6.s6_addr, 16);
	}
	return 0;
}

static int
parse_port(const char *s)
{
	const char	*errstr;

	if (*s < '0' || *s > '9')
		return -1;
	strtonum(s, 0, 65535, &errstr);
	return errstr == NULL ? 0 : -1;
}

static size_t
addr_len(const struct addr *a)
{
	return a->family == AF_INET ? 4 : 16;
}

int
addr_parse(const char *s, struct addr *a)
{
	memset(a, 0, sizeof(*a));
	if (parse_v4(s, a->bytes) == 0) {
		a->family = AF_INET;
		return 0;
	}
	if (parse_v6(s, a) == 0)
		return 0;
	memset(a, 0, sizeof(*a));
	return -1;
}

/*
 * smtpd's link-connect endpoints: "192.0.2.1:25", "[2001:db8::1]:25" or
 * "unix:/var/run/smtpd.sock".  A unix socket has no address (family 0)
 * and is local.  The port may be left out.
 */
int
addr_parse_endpoint(const char *s, struct addr *a, int *local)
{
	char		 buf[ADDR_STRLEN + 1];
	const char	*end, *port;
	size_t		 len;
	int		 bracketed;

	memset(a, 0, sizeof(*a));
	if (local != NULL)
		*local = 0;
	if (strncmp(s, ENDPOINT_UNIX, strlen(ENDPOINT_UNIX)) == 0) {
		if (local != NULL)
			*local = 1;
		return 0;
	}
	bracketed = *s == '[';
	if (bracketed) {
		s++;
		if ((end = strchr(s, ']')) == NULL)
			return -1;
		port = end + 1;
	} else {
		if ((end = strchr(s, ':')) == NULL)
			end = s + strlen(s);
		port = end;
	}
	if (*port != '\0' && (*port++ != ':' || parse_port(port) == -1))
		return -1;
	if ((len = end - s) >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	/* Only a bracketed endpoint may hold an IPv6 address. */
	if (bracketed)
		return addr_parse(buf, a);
	if (parse_v4(buf, a->bytes) == -1) {
		memset(a, 0, sizeof(*a));
		return -1;
	}
	a->family = AF_INET;
	return 0;
}

/* An unknown address (family 0) equals nothing, not even itself. */
int
addr_eq(const struct addr *a, const struct addr *b)
{
	if (a->family == 0 || a->family != b->family)
		return 0;
	return memcmp(a->bytes, b->bytes, addr_len(a)) == 0;
}

int
addr_is_loopback(const struct addr *a)
{
	static const uint8_t	 v6_loopback[16] = { [15] = 1 };

	switch (a->family) {
	case AF_INET:
		return a->bytes[0] == 127;
	case AF_INET6:
		return memcmp(a->bytes, v6_loopback, 16) == 0;
	default:
		return 0;
	}
}

/*
 * Private, loopback, link-local, reserved or documentation: an address
 * no host on the Internet has.  An unknown address (family 0) is not.
 */
int
addr_is_private(const struct addr *a)
{
	size_t	i;

	for (i = 0; i < nitems(special_nets); i++)
		if (cidr_match(&special_nets[i], a))
			return 1;
	return 0;
}

void
addr_fmt(const struct addr *a, char *buf, size_t len)
{
	if (len == 0)
		return;
	buf[0] = '\0';
	if (a->family != AF_INET && a->family != AF_INET6)
		return;
	if (len > INT_MAX ||
	    inet_ntop(a->family, a->bytes, buf, (socklen_t)len) == NULL)
		buf[0] = '\0';
}

/*
 * "192.0.2.0/24", "2001:db8::/32", or a plain address for its full
 * prefix.  Host bits past the prefix are ignored.  "::ffff:192.0.2.0/120"
 * becomes 192.0.2.0/24, as the addresses it is matched against are.
 */
int
cidr_parse(const char *s, struct cidr *c)
{
	char		 buf[ADDR_STRLEN + 1];
	const char	*slash, *errstr;
	size_t		 len;
	int		 max, plen;

	memset(c, 0, sizeof(*c));
	if ((slash = strchr(s, '/')) == NULL)
		slash = s + strlen(s);
	if ((len = slash - s) >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (addr_parse(buf, &c->addr) == -1)
		return -1;
	max = c->addr.family == AF_INET6 || strchr(buf, ':') != NULL ?
	    128 : 32;
	plen = max;
	if (*slash == '/') {
		if (slash[1] < '0' || slash[1] > '9')
			goto bad;
		plen = strtonum(slash + 1, 0, max, &errstr);
		if (errstr != NULL)
			goto bad;
	}
	if (c->addr.family == AF_INET && max == 128) {
		if (plen < 96)
			goto bad;
		plen -= 96;
	}
	c->plen = plen;
	return 0;
 bad:
	memset(c, 0, sizeof(*c));
	return -1;
}

int
cidr_match(const struct cidr *c, const struct addr *a)
{
	int	 full, rest;
	uint8_t	 mask;

	if (c->addr.family == 0 || c->addr.family != a->family)
		return 0;
	full = c->plen / 8;
	rest = c->plen % 8;
	if (memcmp(c->addr.bytes, a->bytes, full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	mask = 0xff << (8 - rest);
	return (c->addr.bytes[full] & mask) == (a->bytes[full] & mask);
}
