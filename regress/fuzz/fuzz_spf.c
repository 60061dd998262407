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
 * SPF records as a domain's owner may publish them: whatever the
 * octets, the record parses or is a permerror; one that parses reads
 * back as as many directives as it counted; every name made of its
 * macros is a name that can be asked (labels of 1 to 63 octets, at most
 * 253, no control, no backslash); an explanation expands within its
 * buffer or not at all.
 *
 * Input: a byte choosing the client's family and whether %{p} is
 * known, then the record (also tried as an explanation, and as the
 * sender's local-part).
 */
#include "compat.h"

#include <sys/socket.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "dns.h"
#include "spf.h"
#include "spfrecord.h"

#define FAIL(...)	do {						\
	dprintf(2, "fuzz_spf: " __VA_ARGS__);				\
	dprintf(2, "\n");						\
	abort();							\
} while (0)

#define EXP_LEN		512

int		LLVMFuzzerTestOneInput(const uint8_t *, size_t);
static void	check_target(const char *, const struct spf_macros *);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spf_record	 rec;
	struct spf_term		 t;
	struct dns_txt		 txt;
	struct spf_macros	 m;
	struct addr		 ip;
	char			 err[SPF_PROBLEM_LEN], out[EXP_LEN];
	char			*text;
	size_t			 n = 0, off = 0, idx;

	if (size < 1)
		return 0;
	addr_parse(data[0] & 1 ? "2001:db8::cb01" : "192.0.2.3", &ip);
	if ((text = malloc(size)) == NULL)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';

	memset(&m, 0, sizeof(m));
	m.sender = "strong-bad@email.example.com";
	m.local = memchr(text, '\0', size - 1) == NULL ? text : "strong-bad";
	m.sender_domain = "email.example.com";
	m.domain = "email.example.com";
	m.ip = &ip;
	m.helo = "mx.example.org";
	m.ptr = data[0] & 2 ? "mx.example.org" : NULL;

	if (spf_explain(text, size - 1, &m, out, sizeof(out)) == 0 &&
	    strlen(out) >= sizeof(out))
		FAIL("an explanation past its buffer");
	/* a record is parsed once it is selected, as spf.c does */
	txt.text = text;
	txt.len = size - 1;
	if (spf_record_select(&txt, 1, &idx) != 1) {
		free(text);
		return 0;
	}
	switch (spf_record_parse(text, size - 1, &rec, err, sizeof(err))) {
	case 0:
		break;
	case -1:
		if (err[0] == '\0')
			FAIL("a permerror without a reason");
		free(text);
		return 0;
	default:
		free(text);
		return 0;
	}
	while (spf_record_next(&rec, &off, &t) == 1) {
		n++;
		if (t.domain != NULL)
			check_target(t.domain, &m);
	}
	if (n != rec.nterms)
		FAIL("%zu directives read, %zu counted", n, rec.nterms);
	if (rec.redirect != NULL)
		check_target(rec.redirect, &m);
	if (rec.exp != NULL)
		check_target(rec.exp, &m);
	spf_record_free(&rec);
	free(text);
	return 0;
}

static void
check_target(const char *spec, const struct spf_macros *m)
{
	char		 name[SPF_NAME_LEN];
	const char	*p, *label;

	if (spf_domain_spec_check(spec) == -1)
		FAIL("a domain-spec of a parsed record fails its check: %s",
		    spec);
	if (spf_target(spec, m, name) == -1)
		return;
	if (strlen(name) > SPF_NAME_MAX)
		FAIL("a name of %zu octets", strlen(name));
	for (p = label = name;; p++) {
		if (*p == '\0' || *p == '.') {
			if (p == label || p - label > 63)
				FAIL("a label of %td octets in %s", p - label,
				    name);
			if (*p == '\0')
				break;
			label = p + 1;
		} else if ((*p & 0xff) < ' ' || *p == 0x7f || *p == '\\')
			FAIL("octet 0x%02x in a name", *p & 0xff);
	}
}
