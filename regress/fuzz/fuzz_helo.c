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
 * The HELO classifier, IDN included.  Whatever the input, the result
 * must be consistent: a name is normalised (lower-case A-labels, no
 * trailing dot, RFC 5321 limits) and classifies again as itself, and an
 * address written back in its canonical form classifies as the same
 * address.
 */
#include "compat.h"

#include <sys/socket.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "helo.h"

#define FAIL(...)	do {						\
	dprintf(2, "fuzz_helo: " __VA_ARGS__);				\
	dprintf(2, "\n");						\
	abort();							\
} while (0)

int		LLVMFuzzerTestOneInput(const uint8_t *, size_t);
static void	check_name(const char *, const struct helo *);
static void	check_addr(const char *, const struct helo *);
static void	check_normalise(const char *, const struct helo *);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct helo	 h;
	char		*raw;

	/* The protocol hands over a C string: a NUL ends the name. */
	if ((raw = malloc(size + 1)) == NULL)
		FAIL("malloc");
	memcpy(raw, data, size);
	raw[size] = '\0';
	helo_classify(raw, &h);
	switch (h.kind) {
	case HELO_DOMAIN:
		check_name(raw, &h);
		check_normalise(raw, &h);
		break;
	case HELO_LITERAL4:
	case HELO_LITERAL6:
	case HELO_BARE_IP:
		check_addr(raw, &h);
		break;
	case HELO_LITERAL_OTHER:
	case HELO_INVALID:
		if (h.why == NULL || *h.why == '\0')
			FAIL("%s: kind %d without a reason", raw, h.kind);
		break;
	default:
		FAIL("%s: kind %d", raw, h.kind);
	}
	helo_clear(&h);
	free(raw);
	return 0;
}

static void
check_name(const char *raw, const struct helo *h)
{
	struct helo	 again;
	const char	*p;
	size_t		 len = strlen(h->name);

	if (len == 0 || len > NAME_MAX_LEN)
		FAIL("%s: name of %zu bytes", raw, len);
	for (p = h->name; *p != '\0'; p++)
		if (strchr("abcdefghijklmnopqrstuvwxyz0123456789-_.", *p) ==
		    NULL)
			FAIL("%s: byte 0x%02x in name %s", raw, *p & 0xff,
			    h->name);
	if (h->name[0] == '.' || h->name[len - 1] == '.' ||
	    strstr(h->name, "..") != NULL)
		FAIL("%s: empty label in %s", raw, h->name);
	if (!h->underscore != (strchr(h->name, '_') == NULL) ||
	    !h->dotless != (strchr(h->name, '.') != NULL))
		FAIL("%s: flags disagree with %s", raw, h->name);
	helo_classify(h->name, &again);
	if (again.kind != HELO_DOMAIN || strcmp(again.name, h->name) != 0)
		FAIL("%s: normalised %s classifies as %d %s", raw, h->name,
		    again.kind, again.name);
	helo_clear(&again);
}

/* An address written back canonically is the same address again. */
static void
check_addr(const char *raw, const struct helo *h)
{
	struct helo	 again;
	char		 a[ADDR_STRLEN], s[ADDR_STRLEN + 8];

	addr_fmt(&h->addr, a, sizeof(a));
	if (h->kind == HELO_LITERAL4 && h->addr.family == AF_INET)
		snprintf(s, sizeof(s), "[%s]", a);
	else if (h->kind == HELO_LITERAL6 && h->addr.family == AF_INET6)
		snprintf(s, sizeof(s), "[IPv6:%s]", a);
	else if (h->kind == HELO_BARE_IP && h->addr.family != 0)
		strlcpy(s, a, sizeof(s));
	else if (h->kind == HELO_LITERAL6 && h->addr.family == AF_INET)
		return;		/* [IPv6:::ffff:192.0.2.1], stored as IPv4 */
	else
		FAIL("%s: kind %d with family %d", raw, h->kind,
		    h->addr.family);
	helo_classify(s, &again);
	if (again.kind != h->kind || !addr_eq(&again.addr, &h->addr))
		FAIL("%s: canonical %s classifies as %d", raw, s, again.kind);
	helo_clear(&again);
}

/*
 * The classifier and name_normalise(), which every other comparison of
 * names goes through, must agree on a valid name.
 */
static void
check_normalise(const char *raw, const struct helo *h)
{
	char	out[NAME_BUFSZ];

	if (name_normalise(raw, out, sizeof(out)) == -1 ||
	    !name_eq(out, h->name))
		FAIL("%s: classified as %s, normalised as %s", raw, h->name,
		    out);
}
