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
 * Reply formatting: a reply template the configuration accepts, and
 * client facts taken from the input, must expand to a reply smtpd and
 * Exim accept: a 4xx or 5xx code, a space, text of printable ASCII only,
 * within the buffer and within reply_len_max().  An enhanced status
 * code in it is the template's own, never made by a value.
 *
 * Input: a byte choosing the check, a byte of flags, then newline-
 * separated fields: template, HELO, rDNS name, %d domain, client
 * address, explain-url.  A missing field is a fact not known.
 */
#include "compat.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "helo.h"
#include "policy.h"
#include "verdict.h"

#define FAIL(...)	do {						\
	dprintf(2, "fuzz_reply: " __VA_ARGS__);				\
	dprintf(2, "\n");						\
	abort();							\
} while (0)

#define NFIELDS		6
#define REPLY_BUFSZ	1024	/* as filter/smtpd.c and filter/exim.c */
#define F_SMALL		0x01	/* a buffer of 1 to 64 bytes instead */

enum field { TEMPLATE, HELO, RDNS, DOMAIN, CLIENT, URL };

int		LLVMFuzzerTestOneInput(const uint8_t *, size_t);
static int	configure(struct policy *, enum check, char **);
static size_t	status_code_len(const char *);
static void	check_reply(const char *, const char *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct policy	 p;
	struct facts	 f;
	struct verdict	 v;
	char		*input, *field[NFIELDS] = { NULL }, *s, *buf;
	size_t		 len;
	int		 i;

	if (size < 2)
		return 0;
	if ((input = malloc(size - 1)) == NULL)
		FAIL("malloc");
	memcpy(input, data + 2, size - 2);
	input[size - 2] = '\0';
	for (i = 0, s = input; i < NFIELDS && s != NULL; i++)
		field[i] = strsep(&s, "\n");

	memset(&v, 0, sizeof(v));
	v.check = data[0] % CHECK_COUNT;
	if (configure(&p, v.check, field) == -1)
		goto done;
	v.action = p.rules[v.check].reply[0] == '4' ? ACT_TEMPFAIL :
	    ACT_REJECT;
	v.domain = field[DOMAIN];

	memset(&f, 0, sizeof(f));
	f.helo_raw = field[HELO];
	helo_classify(f.helo_raw, &f.helo);
	if (field[RDNS] != NULL) {
		f.dns.fcrdns = LOOKUP_FOUND;
		f.dns.rdns = &field[RDNS];
		f.dns.nrdns = 1;
	}
	if (field[CLIENT] != NULL)
		addr_parse(field[CLIENT], &f.client);

	len = data[1] & F_SMALL ? 1 + data[1] % 64 : REPLY_BUFSZ;
	/* Exactly len bytes, so that ASan sees a write past the end. */
	if ((buf = malloc(len)) == NULL)
		FAIL("malloc");
	if (verdict_reply(&p, &f, &v, buf, len) == -1)
		FAIL("no reply for check %d", v.check);
	if (strlen(buf) >= len)
		FAIL("reply of %zu bytes in %zu", strlen(buf), len);
	if (len == REPLY_BUFSZ)
		check_reply(buf, p.rules[v.check].reply,
		    reply_len_max(p.rules[v.check].reply, p.explain_url,
		    check_name(v.check)));
	free(buf);
	helo_clear(&f.helo);
 done:
	policy_free(&p);
	free(input);
	return 0;
}

/* Through the configuration, so only what it accepts is fuzzed. */
static int
configure(struct policy *p, enum check c, char **field)
{
	const char	*errstr, *t;
	char		 line[2 * REPLY_MAX + 64], *w;

	policy_init(p);
	if ((t = field[TEMPLATE]) == NULL)
		return 0;	/* the default reply */
	w = line + snprintf(line, sizeof(line), "message %s \"",
	    check_name(c));
	for (; *t != '\0' && w < line + sizeof(line) - 3; t++) {
		if (*t == '"' || *t == '\\')
			*w++ = '\\';
		*w++ = *t;
	}
	*w++ = '"';
	*w = '\0';
	if (config_parse_line(p, line, &errstr) == -1)
		return -1;
	if (field[URL] != NULL) {
		snprintf(line, sizeof(line), "explain-url %s", field[URL]);
		config_parse_line(p, line, &errstr);
	}
	return 0;
}

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

static void
check_reply(const char *r, const char *template, size_t len_max)
{
	const char	*s, *t;
	size_t		 n;

	for (s = r; *s != '\0'; s++)
		if (*s < 0x20 || *s > 0x7e)
			FAIL("byte 0x%02x in reply: %s", *s & 0xff, r);
	if ((r[0] != '4' && r[0] != '5') || r[1] < '0' || r[1] > '9' ||
	    r[2] < '0' || r[2] > '9' || r[3] != ' ')
		FAIL("no code and space: %s", r);
	/*
	 * smtpd turns "501 " into 421; "501 5.5.2 " says nothing: text
	 * must remain after an enhanced status code (RFC 3463), and that
	 * code is the template's, not "4.7.1" from a HELO.
	 */
	s = r + 4 + strspn(r + 4, " ");
	t = template + 4 + strspn(template + 4, " ");
	if ((n = status_code_len(s)) > 0 &&
	    (strncmp(s, t, n) != 0 || status_code_len(t) != n))
		FAIL("status code from a value: \"%s\" from \"%s\"", r,
		    template);
	s += n;
	if (s[strspn(s, " ")] == '\0')
		FAIL("no text: \"%s\" from \"%s\"", r, template);
	if (strlen(r) > REPLY_LINE_MAX)
		FAIL("%zu octets, over the reply line: %s", strlen(r), r);
	if (strlen(r) > len_max)
		FAIL("%zu octets, over reply_len_max %zu: \"%s\" from \"%s\"",
		    strlen(r), len_max, r, template);
}
