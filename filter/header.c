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
 * The headers of "add-header yes".  Authentication-Results carries the
 * iprev method (RFC 8601 2.7.3): the client's address has a reverse
 * name that resolves back to it; and the SPF result of the HELO
 * identity (2.7.2) as smtp.helo, never as smtp.mailfrom: it says
 * nothing of the sender's domain (CVE-2019-20790 came of that mix-up).
 * X-HELO-Check carries the verdict as the log line gives it.  Values
 * from the client or from DNS are cut and reduced to printable ASCII,
 * so no header can run into the body or into another header, and long
 * headers are folded (RFC 5322 2.2.3).
 */
#include "compat.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "header.h"
#include "policy.h"
#include "spf.h"
#include "verdict.h"

#define FOLD_AT		78	/* RFC 5322 2.1.1: lines SHOULD be shorter */
#define VALUE_MAX	255	/* a name longer than smtpd takes is cut */
/* RFC 2045 tspecials: not in a token such as the authserv-id */
#define TSPECIALS	"()<>@,;:\\\"/[]?="

/* Header text being built, one word at a time. */
struct folder {
	char	*buf;
	size_t	 len;
	size_t	 used;
	size_t	 col;		/* octets on the current line */
	int	 full;		/* a word did not fit */
	int	 fold;		/* lines may be folded */
};

/* The build stops here if a check would have no bit of its own in fired. */
typedef char	fired_has_a_bit_per_check[CHECK_COUNT <=
		    sizeof(((struct verdict_sum *)0)->fired) * CHAR_BIT ? 1 : -1];

static void	fold_start(struct folder *, char *, size_t, const char *);
static int	helo_check(struct folder *, const struct verdict_sum *,
		    const char *);
static void	fold_word(struct folder *, const char *);
static int	fold_end(struct folder *);
static void	clean(char *, size_t, const char *, const char *, int);

static const char *const iprev_results[] = {
	[IPREV_NONE] =		"none",
	[IPREV_PASS] =		"pass",
	[IPREV_FAIL] =		"fail",
	[IPREV_TEMPERROR] =	"temperror",
};

void
header_summarise(const struct facts *f, const struct verdict *v,
    struct verdict_sum *sum)
{
	int	c;

	memset(sum, 0, sizeof(*sum));
	sum->given = 1;
	sum->action = v->action;
	sum->exempt = v->exempt;
	if (header_spf(f) != NULL)
		sum->spf = f->dns.spf_result + 1;
	for (c = 0; c < CHECK_COUNT; c++)
		if (v->state[c] == CS_FIRED)
			sum->fired |= (uint32_t)1 << c;
}

/* smtpd's own forward-confirmation, its link-connect "fcrdns" field. */
enum iprev
header_iprev_smtpd(const char *fcrdns)
{
	if (fcrdns == NULL)
		return IPREV_NONE;
	if (strcmp(fcrdns, "pass") == 0)
		return IPREV_PASS;
	if (strcmp(fcrdns, "fail") == 0)
		return IPREV_FAIL;
	if (strcmp(fcrdns, "error") == 0)
		return IPREV_TEMPERROR;
	return IPREV_NONE;
}

/*
 * The iprev result: from our own lookups of the client when the
 * verdict made them, else from smtpd's, which it makes for every
 * client; none for a unix socket, which has no address.  A confirmed
 * name passes; no PTR, or no PTR name resolving back, fails; a failed
 * lookup is a temporary error.
 */
enum iprev
header_iprev(const struct facts *f, enum iprev smtpd)
{
	const struct dns_facts	*d = &f->dns;

	if (f->local || f->client.family == 0)
		return IPREV_NONE;
	if (d->rdns_mta)
		return IPREV_PASS;
	switch (d->fcrdns) {
	case LOOKUP_FOUND:
		return d->nrdns > 0 ? IPREV_PASS : IPREV_FAIL;
	case LOOKUP_NXDOMAIN:
	case LOOKUP_NODATA:
		return IPREV_FAIL;
	case LOOKUP_ERROR:
		return IPREV_TEMPERROR;
	default:
		/* not asked, or still in flight */
		return smtpd;
	}
}

/*
 * The HELO's SPF result as the log line shows it, or NULL: not
 * evaluated, or none (no SPF record, as most HELO names), which the
 * log and the headers leave out.
 */
const char *
header_spf(const struct facts *f)
{
	if (f->dns.spf != LOOKUP_FOUND || f->dns.spf_result == SPF_NONE)
		return NULL;
	return spf_result_name(f->dns.spf_result);
}

/*
 * "Authentication-Results: ADMD; iprev=RESULT policy.iprev=IP;
 * spf=RESULT smtp.helo=NAME", each method where it applies (spf: its
 * result, or NULL), each after a ";" (RFC 8601 2.2), or "ADMD; none"
 * when neither does.  A value that
 * is no RFC 2045 token, an IPv6 address, is quoted.  Returns the
 * length, or -1.
 */
int
header_auth_results(char *buf, size_t len, const char *admd,
    enum iprev iprev, const struct addr *client, const char *spf,
    const char *helo)
{
	struct folder	f;
	char		id[VALUE_MAX + 2], ip[ADDR_STRLEN];
	char		word[VALUE_MAX + 32], name[VALUE_MAX + 1];
	int		n = 0;

	clean(id, sizeof(id), admd, TSPECIALS, '-');
	fold_start(&f, buf, len, "Authentication-Results:");
	strlcat(id, ";", sizeof(id));
	fold_word(&f, id);
	if (iprev != IPREV_NONE && client != NULL && client->family != 0) {
		snprintf(word, sizeof(word), "iprev=%s",
		    iprev_results[iprev]);
		fold_word(&f, word);
		addr_fmt(client, ip, sizeof(ip));
		snprintf(word, sizeof(word), strchr(ip, ':') != NULL ?
		    "policy.iprev=\"%s\"%s" : "policy.iprev=%s%s", ip,
		    spf != NULL ? ";" : "");
		fold_word(&f, word);
		n++;
	}
	if (spf != NULL) {
		snprintf(word, sizeof(word), "spf=%s", spf);
		fold_word(&f, word);
		/* Only a name has an SPF record: no quotes to escape. */
		clean(name, sizeof(name), helo, TSPECIALS, '?');
		snprintf(word, sizeof(word), "smtp.helo=%s", name);
		fold_word(&f, word);
		n++;
	}
	if (n == 0)
		fold_word(&f, "none");
	return fold_end(&f);
}

/*
 * "X-HELO-Check: verdict=ACTION checks=FIRED,... helo=NAME", with
 * "(exempt: WHY)" in place of the checks for an exempt client, as the
 * log line says it.  Returns the length, 0 when no verdict was given
 * (there is nothing to say), or -1.
 */
int
header_helo_check(char *buf, size_t len, const struct verdict_sum *sum,
    const char *helo)
{
	struct folder	f;

	if (!sum->given)
		return 0;
	fold_start(&f, buf, len, "X-HELO-Check:");
	return helo_check(&f, sum, helo);
}

/*
 * The same value on one line, without the field name: for an MTA that
 * adds the header itself (Exim, Postfix's PREPEND).
 */
int
header_helo_check_value(char *buf, size_t len, const struct verdict_sum *sum,
    const char *helo)
{
	struct folder	f;

	fold_start(&f, buf, len, "");
	f.fold = 0;
	return helo_check(&f, sum, helo);
}

/*
 * As the log line: "verdict=ACTION checks=... helo=NAME", then
 * "spf-helo=RESULT" when the HELO has an SPF result but none.
 */
static int
helo_check(struct folder *f, const struct verdict_sum *sum, const char *helo)
{
	char		word[VALUE_MAX + 16], name[VALUE_MAX + 1];
	size_t		i;
	int		c, n = 0;

	snprintf(word, sizeof(word), "verdict=%s", action_name(sum->action));
	fold_word(f, word);
	if (sum->exempt != NULL)
		snprintf(word, sizeof(word), "(exempt: %s)", sum->exempt);
	else {
		i = strlcpy(word, "checks=", sizeof(word));
		for (c = 0; c < CHECK_COUNT; c++) {
			if ((sum->fired & ((uint32_t)1 << c)) == 0)
				continue;
			if (n++ > 0)
				strlcat(word, ",", sizeof(word));
			strlcat(word, check_name(c), sizeof(word));
		}
		if (n == 0)
			strlcpy(word + i, "-", sizeof(word) - i);
	}
	fold_word(f, word);
	if (helo != NULL) {
		clean(name, sizeof(name), helo, "", '?');
		snprintf(word, sizeof(word), "helo=%s", name);
		fold_word(f, word);
	}
	if (sum->spf != 0) {
		snprintf(word, sizeof(word), "spf-helo=%s",
		    spf_result_name(sum->spf - 1));
		fold_word(f, word);
	}
	return fold_end(f);
}

static void
fold_start(struct folder *f, char *buf, size_t len, const char *field)
{
	f->buf = buf;
	f->len = len;
	f->used = 0;
	f->col = 0;
	f->full = 0;
	f->fold = 1;
	if (len == 0 || strlcpy(buf, field, len) >= len) {
		f->full = 1;
		return;
	}
	f->used = f->col = strlen(field);
}

/*
 * A word after a space, or first on a new line led by a tab; the first
 * word of a value without a field name stands alone.
 */
static void
fold_word(struct folder *f, const char *w)
{
	size_t		 n = strlen(w);
	const char	*sep = f->used == 0 ? "" : " ";

	if (f->full)
		return;
	if (f->fold && f->col + 1 + n > FOLD_AT) {
		sep = "\n\t";
		f->col = 0;
	}
	if (f->used + strlen(sep) + n >= f->len) {
		f->full = 1;
		return;
	}
	memcpy(f->buf + f->used, sep, strlen(sep));
	f->used += strlen(sep);
	memcpy(f->buf + f->used, w, n + 1);
	f->used += n;
	f->col += 1 + n;
}

static int
fold_end(struct folder *f)
{
	return f->full ? -1 : (int)f->used;
}

/*
 * Printable ASCII only, no blanks and none of bad: anything else
 * becomes repl; cut to VALUE_MAX with "..." at the end.  An empty value
 * would leave the field malformed: it becomes "unknown".
 */
static void
clean(char *out, size_t len, const char *s, const char *bad, int repl)
{
	size_t	i, max = len - 1 < VALUE_MAX ? len - 1 : VALUE_MAX;

	if (s == NULL || *s == '\0')
		s = "unknown";
	for (i = 0; s[i] != '\0' && i < max; i++)
		out[i] = (s[i] > 0x20 && s[i] < 0x7f &&
		    strchr(bad, s[i]) == NULL) ? s[i] : repl;
	out[i] = '\0';
	if (s[i] != '\0' && i >= 3)
		memcpy(out + i - 3, "...", 3);
}
