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
 * DNS answers from the wire: whatever the resolver sends, the reading
 * ends in one of the four statuses, a failure has a reason, and what an
 * answer gives is what the checks may trust: addresses of the family of
 * the type asked, names of printable ASCII without "..", at most 1,020
 * octets of text (255 on the wire, \DDD at worst), TXT records only
 * for TXT, each no longer than its rdata and with a NUL after its
 * length.
 *
 * Input: a byte choosing the type asked and whether AD is believed,
 * then the message.  The question's name is read from the message, as
 * c-ares matched it.
 */
#include "compat.h"

#include <sys/socket.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dns.h"
#include "dnsresult.h"

#define FAIL(...)	do {						\
	dprintf(2, "fuzz_dnsmsg: " __VA_ARGS__);			\
	dprintf(2, "\n");						\
	abort();							\
} while (0)

static const int types[] = {
	DNS_TYPE_A, DNS_TYPE_AAAA, DNS_TYPE_MX, DNS_TYPE_PTR, DNS_TYPE_CNAME,
	DNS_TYPE_TXT
};

int		LLVMFuzzerTestOneInput(const uint8_t *, size_t);
static void	qname(const uint8_t *, size_t, char *, size_t);
static void	check_text(const char *);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dns_result	 res;
	char			 name[DNS_TEXT_LEN], cname[DNS_TEXT_LEN];
	size_t			 i;
	int			 type;

	if (size < 1)
		return 0;
	type = types[(data[0] & 0x7f) % nitems(types)];
	qname(data + 1, size - 1, name, sizeof(name));
	memset(&res, 0, sizeof(res));
	dns_result_parse(data + 1, size - 1, name, type, data[0] & 0x80, &res,
	    cname, sizeof(cname));
	switch (res.status) {
	case DNS_ERROR:
		if (res.why == NULL || res.naddrs + res.nnames + res.ntxts != 0)
			FAIL("a failure without a reason, or with data");
		break;
	case DNS_FOUND:
	case DNS_NXDOMAIN:
	case DNS_NODATA:
		if (res.ttl < 0)
			FAIL("negative TTL %d", res.ttl);
		if (res.status != DNS_FOUND &&
		    res.naddrs + res.nnames + res.ntxts != 0)
			FAIL("no answer, yet data");
		break;
	default:
		FAIL("status %d", res.status);
	}
	for (i = 0; i < res.naddrs; i++)
		if (res.addrs[i].family != (type == DNS_TYPE_A ? AF_INET :
		    AF_INET6) || (type != DNS_TYPE_A && type != DNS_TYPE_AAAA))
			FAIL("an address of family %d for type %d",
			    res.addrs[i].family, type);
	for (i = 0; i < res.nnames; i++)
		check_text(res.names[i]);
	if (res.ntxts > 0 && type != DNS_TYPE_TXT)
		FAIL("TXT records for type %d", type);
	for (i = 0; i < res.ntxts; i++)
		if (res.txts[i].len > size || res.txts[i].text[res.txts[i].len]
		    != '\0')
			FAIL("a TXT record of %zu octets in %zu, or no NUL",
			    res.txts[i].len, size);
	if (res.cname != NULL)
		check_text(res.cname);
	if (res.secure && !(data[0] & 0x80))
		FAIL("secure, though AD is not believed");
	dns_result_free(&res);
	return 0;
}

/* The question's name as text, naively: labels as they are. */
static void
qname(const uint8_t *p, size_t len, char *buf, size_t bufsz)
{
	size_t	 i = 12, o = 0, lab;

	buf[0] = '\0';
	while (i < len && (lab = p[i++]) != 0 && lab < 64 &&
	    i + lab <= len && o + lab + 2 < bufsz) {
		if (o > 0)
			buf[o++] = '.';
		memcpy(buf + o, p + i, lab);
		o += lab;
		i += lab;
		buf[o] = '\0';
	}
}

static void
check_text(const char *name)
{
	const char	*p;

	if (strlen(name) >= DNS_TEXT_LEN)
		FAIL("a name of %zu octets", strlen(name));
	for (p = name; *p != '\0'; p++)
		if (*p <= ' ' || *p >= 0x7f)
			FAIL("octet 0x%02x in a name", *p & 0xff);
	if (strstr(name, "..") != NULL || name[0] == '.')
		FAIL("an empty label in %s", name);
}
