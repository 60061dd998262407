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
 * SPF macros (RFC 7208 section 7) and the names made of them: checked
 * as the ABNF reads them, expanded with every letter, transformer and
 * delimiter, upper-case letters URL-escaped.  Every expansion is
 * bounded: a value that does not fit fails, and a name that fails is
 * no name.
 */
#include "compat.h"

#include <sys/socket.h>

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "spfrecord.h"

#define SPF_LABEL_MAX	63
#define SPF_PARTS_MAX	256	/* parts of one macro's value */
#define SPF_DIGITS_MAX	1000	/* a transformer's number, saturated */

/* c, r and t only in an explanation (§7.1): they are no DNS names. */
static const struct {
	char	 letter;
	int	 exp_only;
} spf_letters[] = {
	{ 's', 0 }, { 'l', 0 }, { 'o', 0 }, { 'd', 0 }, { 'i', 0 },
	{ 'p', 0 }, { 'h', 0 }, { 'v', 0 }, { 'c', 1 }, { 'r', 1 },
	{ 't', 1 },
};

static int	spf_macro_scan(const char *, int, int, size_t *);
static int	spf_letter(int, int);
static int	spf_toplabel(const char *, size_t);
static int	spf_name_check(const char *);
static const char *spf_macro_value(int, const struct spf_macros *, char *,
		    size_t);
static int	spf_transform(const char *, const char *, size_t, int, int,
		    char *, size_t);
static int	spf_put(char *, size_t, size_t *, const char *, size_t);
static int	spf_lower(int);

/* A macro-string (§7.1); exp: the letters only explanations may use. */
int
spf_macro_check(const char *s, int exp)
{
	size_t	 tail;

	return spf_macro_scan(s, exp, 0, &tail);
}

/*
 * domain-spec = macro-string domain-end, where domain-end is a macro or
 * "." toplabel [ "." ]: what a name made of macros must end in.
 */
int
spf_domain_spec_check(const char *s)
{
	const char	*lit, *top;
	size_t		 tail, len = strlen(s), n;

	if (len == 0 || spf_macro_scan(s, 0, 0, &tail) == -1)
		return -1;
	if (tail == len)
		return 0;
	lit = s + tail;
	n = len - tail;
	if (lit[n - 1] == '.')
		n--;
	/* the toplabel follows a literal dot */
	for (top = lit + n; top > lit && top[-1] != '.'; top--)
		;
	if (top == lit)
		return -1;
	return spf_toplabel(top, lit + n - top);
}

/* Whether expanding s needs %{p}: the lookups it takes come first. */
int
spf_macro_uses_p(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s == '%') {
			if (s[1] == '{' && spf_lower(s[2]) == 'p')
				return 1;
			if (s[1] != '\0')
				s++;
		}
	return 0;
}

/*
 * Through s: -1 at a syntax error; *tail is where the literal text
 * after the last macro starts (the length of s if a macro ends it).
 * space: an explanation's spaces are allowed.
 */
static int
spf_macro_scan(const char *s, int exp, int space, size_t *tail)
{
	size_t	 i = 0;
	int	 c, v;

	*tail = 0;
	while ((c = s[i] & 0xff) != '\0') {
		if (c != '%') {
			if ((c == ' ' && !space) || c < ' ' || c > '~')
				return -1;
			i++;
			continue;
		}
		c = s[i + 1];
		if (c == '%' || c == '_' || c == '-') {
			i += 2;
			*tail = i;
			continue;
		}
		if (c != '{' || !spf_letter(s[i + 2], exp))
			return -1;
		i += 3;
		for (v = 0; spf_digit(s[i]); i++)
			v = v * 10 + (s[i] - '0') > SPF_DIGITS_MAX ?
			    SPF_DIGITS_MAX : v * 10 + (s[i] - '0');
		/* "the value MUST be nonzero" (§7.3) */
		if (v == 0 && spf_digit(s[i - 1]))
			return -1;
		if (spf_lower(s[i]) == 'r')
			i++;
		i += strspn(s + i, ".-+,/_=");
		if (s[i] != '}')
			return -1;
		*tail = ++i;
	}
	return 0;
}

static int
spf_letter(int c, int exp)
{
	size_t	 i;

	for (i = 0; i < nitems(spf_letters); i++)
		if (spf_letters[i].letter == spf_lower(c))
			return exp || !spf_letters[i].exp_only;
	return 0;
}

/*
 * toplabel = ( *alphanum ALPHA *alphanum ) /
 *     ( 1*alphanum "-" *( alphanum / "-" ) alphanum ):
 * letters, digits and inner dashes, and not all digits.
 */
static int
spf_toplabel(const char *p, size_t n)
{
	size_t	 i;
	int	 named = 0;

	if (n == 0 || p[0] == '-' || p[n - 1] == '-')
		return -1;
	for (i = 0; i < n; i++) {
		if (spf_alpha(p[i]) || p[i] == '-')
			named = 1;
		else if (!spf_digit(p[i]))
			return -1;
	}
	return named ? 0 : -1;
}

/*
 * A name check_host() may be asked about (§4.3): at most 253 octets,
 * more than one label, labels of 1 to 63 letters, digits, dashes and
 * underscores, and a toplabel; an address literal is none of these.
 */
int
spf_domain_valid(const char *name)
{
	const char	*p, *label = name;
	size_t		 len = strlen(name);

	if (len > 0 && name[len - 1] == '.')
		len--;
	if (len == 0 || len > SPF_NAME_MAX || memchr(name, '.', len) == NULL)
		return 0;
	for (p = name; p <= name + len; p++) {
		if (p == name + len || *p == '.') {
			if (p == label || p - label > SPF_LABEL_MAX)
				return 0;
			if (p == name + len)
				break;
			label = p + 1;
		} else if (!spf_alpha(*p) && !spf_digit(*p) && *p != '-' &&
		    *p != '_')
			return 0;
	}
	return spf_toplabel(label, name + len - label) == 0;
}

/*
 * A name to look up, once expanded (§4.8): labels of 1 to 63 octets, no
 * control, no backslash (which the resolver would read as an escape).
 */
static int
spf_name_check(const char *name)
{
	const char	*p, *label = name;

	if (*name == '\0')
		return -1;
	for (p = name;; p++) {
		if (*p == '\0' || *p == '.') {
			if (p == label || p - label > SPF_LABEL_MAX)
				return -1;
			if (*p == '\0')
				return 0;
			label = p + 1;
		} else if ((*p & 0xff) < ' ' || *p == 0x7f || *p == '\\')
			return -1;
	}
}

/*
 * A domain-spec expanded into the name to look up (§7.3): the trailing
 * dot dropped, labels dropped from the left until it fits 253 octets.
 * -1 if it is no name, which the caller takes as a name that does not
 * exist.
 */
int
spf_target(const char *spec, const struct spf_macros *m, char *out)
{
	char		 buf[SPF_EXPAND_LEN];
	const char	*p = buf, *dot;
	size_t		 len;

	if (spf_expand(spec, m, 0, buf, sizeof(buf)) == -1)
		return -1;
	len = strlen(buf);
	if (len > 0 && buf[len - 1] == '.')
		buf[--len] = '\0';
	while (len > SPF_NAME_MAX) {
		if ((dot = strchr(p, '.')) == NULL)
			return -1;
		len -= dot + 1 - p;
		p = dot + 1;
	}
	if (spf_name_check(p) == -1)
		return -1;
	memcpy(out, p, len + 1);
	return 0;
}

/*
 * The explanation (§6.2): an explain-string of printable ASCII and
 * spaces, expanded.  -1 if it is not one: the default is given then.
 */
int
spf_explain(const char *text, size_t len, const struct spf_macros *m,
    char *out, size_t outlen)
{
	size_t	 i, tail;

	for (i = 0; i < len; i++)
		if ((text[i] & 0xff) < ' ' || (text[i] & 0xff) > '~')
			return -1;
	if (spf_macro_scan(text, 1, 1, &tail) == -1)
		return -1;
	return spf_expand(text, m, 1, out, outlen);
}

/* name is domain, or under it; both in any case, without a final dot. */
int
spf_name_under(const char *name, const char *domain)
{
	size_t	 n = strlen(name), d = strlen(domain);

	if (n < d || strcasecmp(name + n - d, domain) != 0)
		return 0;
	return n == d || name[n - d - 1] == '.';
}

/*
 * macro-string expanded into out.  exp: in an explanation, where c, r
 * and t may appear.  An upper-case letter's value is URL-escaped.  -1 on
 * a syntax error, or when out is too small.
 */
int
spf_expand(const char *s, const struct spf_macros *m, int exp, char *out,
    size_t outlen)
{
	static const char hexdigits[] = "0123456789ABCDEF";
	char		 vbuf[SPF_EXPAND_LEN], tbuf[SPF_EXPAND_LEN], hex[3];
	const char	*value, *delims;
	size_t		 o = 0, i = 0, j, ndelims;
	int		 letter, upper, n, reverse, c;

	while (s[i] != '\0') {
		if (s[i] != '%') {
			if (spf_put(out, outlen, &o, s + i++, 1) == -1)
				return -1;
			continue;
		}
		switch (s[i + 1]) {
		case '%':
			value = "%";
			break;
		case '_':
			value = " ";
			break;
		case '-':
			value = "%20";
			break;
		case '{':
			value = NULL;
			break;
		default:
			return -1;
		}
		i += 2;
		if (value != NULL) {
			if (spf_put(out, outlen, &o, value,
			    strlen(value)) == -1)
				return -1;
			continue;
		}
		letter = s[i++];
		if (!spf_letter(letter, exp))
			return -1;
		upper = letter >= 'A' && letter <= 'Z';
		if ((value = spf_macro_value(spf_lower(letter), m, vbuf,
		    sizeof(vbuf))) == NULL)
			return -1;
		for (n = 0; spf_digit(s[i]); i++)
			n = n * 10 + (s[i] - '0') > SPF_DIGITS_MAX ?
			    SPF_DIGITS_MAX : n * 10 + (s[i] - '0');
		if (n == 0 && spf_digit(s[i - 1]))
			return -1;
		if ((reverse = spf_lower(s[i]) == 'r'))
			i++;
		delims = s + i;
		ndelims = strspn(delims, ".-+,/_=");
		i += ndelims;
		if (s[i++] != '}')
			return -1;
		if (spf_transform(value, ndelims ? delims : ".",
		    ndelims ? ndelims : 1, n, reverse, tbuf,
		    sizeof(tbuf)) == -1)
			return -1;
		for (j = 0; tbuf[j] != '\0'; j++) {
			c = tbuf[j] & 0xff;
			/* unreserved characters (RFC 3986) stay */
			if (!upper || spf_alpha(c) || spf_digit(c) ||
			    strchr("-._~", c) != NULL) {
				if (spf_put(out, outlen, &o, &tbuf[j], 1) == -1)
					return -1;
				continue;
			}
			hex[0] = '%';
			hex[1] = hexdigits[c >> 4];
			hex[2] = hexdigits[c & 0xf];
			if (spf_put(out, outlen, &o, hex, 3) == -1)
				return -1;
		}
	}
	if (o >= outlen)
		return -1;
	out[o] = '\0';
	return 0;
}

/* A letter's value (§7.2), or NULL if it does not fit. */
static const char *
spf_macro_value(int letter, const struct spf_macros *m, char *buf,
    size_t len)
{
	static const char	 hexd[] = "0123456789abcdef";
	const struct addr	*a = m->ip;
	size_t			 o = 0;
	int			 i;

	switch (letter) {
	case 's':
		return m->sender;
	case 'l':
		return m->local;
	case 'o':
		return m->sender_domain;
	case 'd':
		return m->domain;
	case 'h':
		return m->helo;
	case 'p':
		return m->ptr != NULL ? m->ptr : "unknown";
	case 'r':
		return m->receiver != NULL ? m->receiver : "unknown";
	case 'v':
		return a->family == AF_INET ? "in-addr" : "ip6";
	case 't':
		snprintf(buf, len, "%lld", (long long)m->now);
		return buf;
	case 'c':
		addr_fmt(a, buf, len);
		return buf;
	case 'i':
		if (a->family == AF_INET) {
			snprintf(buf, len, "%u.%u.%u.%u", a->bytes[0],
			    a->bytes[1], a->bytes[2], a->bytes[3]);
			return buf;
		}
		/* 32 nibbles, dotted, the first first */
		for (i = 0; i < 16 && o + 4 < len; i++) {
			buf[o++] = hexd[a->bytes[i] >> 4];
			buf[o++] = '.';
			buf[o++] = hexd[a->bytes[i] & 0xf];
			buf[o++] = i < 15 ? '.' : '\0';
		}
		return buf;
	}
	return NULL;
}

/*
 * value split on any of the delimiters, reversed if asked, its rightmost
 * n parts (all if 0) joined with dots (§7.3).
 */
static int
spf_transform(const char *value, const char *delims, size_t ndelims, int n,
    int reverse, char *out, size_t outlen)
{
	size_t	 off[SPF_PARTS_MAX], len[SPF_PARTS_MAX];
	size_t	 np = 0, start = 0, j, k, skip, o = 0;

	for (j = 0;; j++) {
		if (value[j] != '\0' && memchr(delims, value[j], ndelims) ==
		    NULL)
			continue;
		if (np == SPF_PARTS_MAX)
			return -1;
		off[np] = start;
		len[np++] = j - start;
		start = j + 1;
		if (value[j] == '\0')
			break;
	}
	skip = n > 0 && (size_t)n < np ? np - n : 0;
	for (k = skip; k < np; k++) {
		j = reverse ? np - 1 - k : k;
		if ((k > skip && spf_put(out, outlen, &o, ".", 1) == -1) ||
		    spf_put(out, outlen, &o, value + off[j], len[j]) == -1)
			return -1;
	}
	if (o >= outlen)
		return -1;
	out[o] = '\0';
	return 0;
}

/* Appends, leaving room for the NUL. */
static int
spf_put(char *out, size_t outlen, size_t *o, const char *s, size_t n)
{
	if (outlen - *o <= n)
		return -1;
	memcpy(out + *o, s, n);
	*o += n;
	return 0;
}

static int
spf_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}
