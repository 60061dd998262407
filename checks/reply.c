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
 * The reply grammar.  A template is a reply code, a space and text with
 * % escapes; one table says what each escape expands to, how long it
 * can grow and what its value may look like, and the validation, the
 * length bound and the expansion all read it.
 */
#include "compat.h"

#include <stdio.h>
#include <string.h>

#include "reply.h"

/* Templates longer than this leave too little room for the values. */
#define REPLY_TEMPLATE_MAX	(REPLY_MAX / 2)

/* With an explain-url, every reply ends in "; see URL#check". */
#define EXPLAIN_SEE		"; see "
#define EXPLAIN_ANCHOR		"#"

/*
 * What an escape's value may look like decides where a template may put
 * it.  The first word of the text is an enhanced status code (RFC 3463)
 * when it looks like one, and smtpd turns "501 " into "421 Internal
 * server error": a value must neither make that word a code nor be all
 * the text there is.
 */
enum shape {
	SHAPE_LETTER,	/* the letter itself: text of the template's own */
	SHAPE_WORD,	/* never empty, never starts with a digit */
	SHAPE_ANY	/* may be empty, or be "2.2.1" or "5.7.1.2" */
};

struct escape {
	char		 letter;
	enum reply_value value;		/* unless SHAPE_LETTER */
	size_t		 len_max;	/* expanded */
	enum shape	 shape;
};

/*
 * Every value is cut at REPLY_VALUE_MAX.  %l is "[...]" or "unknown",
 * %c a check's name; the client chooses the HELO, DNS the rDNS name
 * and the SPF explanation (the HELO domain's exp= text), and an IPv4
 * address or a domain may be all digits and dots.
 */
static const struct escape escapes[] = {
	{ 'h', RV_HELO,		REPLY_VALUE_MAX,	SHAPE_ANY },
	{ 'i', RV_ADDR,		REPLY_VALUE_MAX,	SHAPE_ANY },
	{ 'l', RV_LITERAL,	REPLY_VALUE_MAX,	SHAPE_WORD },
	{ 'r', RV_RDNS,		REPLY_VALUE_MAX,	SHAPE_ANY },
	{ 'd', RV_DOMAIN,	REPLY_VALUE_MAX,	SHAPE_ANY },
	{ 'c', RV_CHECK,	REPLY_VALUE_MAX,	SHAPE_WORD },
	{ 'e', RV_SPF,		REPLY_VALUE_MAX,	SHAPE_ANY },
	{ '%', RV_COUNT,	1,			SHAPE_LETTER },
};

static const struct escape	*escape_find(char);
static const char		*chars_invalid(const char *);
static int			 has_status_code(const char *);
static size_t			 code_word_len(const char *);
static const struct escape	*value_in(const char *, size_t);
static int			 has_own_text(const char *);
static size_t			 append_clean(char *, size_t, size_t,
				    const char *);
static size_t			 append_value(char *, size_t, size_t,
				    const char *);

static const struct escape *
escape_find(char letter)
{
	size_t	i;

	for (i = 0; i < nitems(escapes); i++)
		if (escapes[i].letter == letter)
			return &escapes[i];
	return NULL;
}

/*
 * What smtpd takes as a filter's reply: anything else becomes "421
 * Internal server error" at run time, so it is refused here instead.
 */
int
reply_valid(const char *reply, const char **errstr)
{
	static char		 msg[80];
	const struct escape	*e;
	const char		*t;
	size_t			 len = strlen(reply), n;

	if (len >= REPLY_TEMPLATE_MAX) {
		snprintf(msg, sizeof(msg), "reply longer than %d characters",
		    REPLY_TEMPLATE_MAX - 1);
		*errstr = msg;
		return 0;
	}
	if (len < 3 || strspn(reply, "0123456789") < 3) {
		*errstr = "reply must start with a three-digit code";
		return 0;
	}
	if (reply[0] != '4' && reply[0] != '5') {
		*errstr = "reply code must be 4xx or 5xx";
		return 0;
	}
	if (strncmp(reply, "421", 3) == 0) {
		*errstr = "reply code 421 makes smtpd close the session; "
		    "use the disconnect action instead";
		return 0;
	}
	if (reply[3] != ' ' || strspn(reply + 3, " ") == len - 3) {
		*errstr = "reply code must be followed by a space and text";
		return 0;
	}
	/* RFC 3463: the enhanced status code has the reply's class. */
	if (has_status_code(reply) && reply[4] != reply[0]) {
		*errstr = "enhanced status code does not match the reply code";
		return 0;
	}
	if ((*errstr = chars_invalid(reply + 4)) != NULL)
		return 0;
	/*
	 * After the word that may be a status code, text of the template's
	 * own; and no value in that word, where "4.7.1" from a HELO would
	 * turn "550 %h rejected" into a temporary failure.
	 */
	t = reply + 4 + strspn(reply + 4, " ");
	n = code_word_len(t);
	if (!has_own_text(t + n)) {
		*errstr = "reply needs text after its codes that no escape "
		    "can empty";
		return 0;
	}
	if ((e = value_in(t, n)) != NULL) {
		snprintf(msg, sizeof(msg), "escape %%%c could make the "
		    "text's first word a status code", e->letter);
		*errstr = msg;
		return 0;
	}
	return 1;
}

/* A control or non-ASCII character, or an escape not in the table. */
static const char *
chars_invalid(const char *t)
{
	static char	 msg[80];
	char		 known[3 * nitems(escapes) + 1];
	size_t		 i;

	for (; *t != '\0'; t++) {
		if (*t < 0x20 || *t > 0x7e)
			return "reply contains a control or non-ASCII "
			    "character";
		if (*t != '%')
			continue;
		if (*++t == '\0')
			return "reply ends in a lone %";
		if (escape_find(*t) != NULL)
			continue;
		for (i = 0; i < nitems(escapes); i++)
			snprintf(known + 3 * i, sizeof(known) - 3 * i, " %%%c",
			    escapes[i].letter);
		snprintf(msg, sizeof(msg), "unknown escape %%%c (known: %s)",
		    *t >= 0x20 && *t <= 0x7e ? *t : '?', known + 1);
		return msg;
	}
	return NULL;
}

/* "550 5.7.1 ...", "450 4.7.25 ...": an enhanced status code follows. */
static int
has_status_code(const char *reply)
{
	return reply[4] >= '0' && reply[4] <= '9' && reply[5] == '.';
}

/*
 * The length of the text's first word if it may read as an enhanced
 * status code: it starts with a digit ("5.7.1", "5.7%d"), or with a
 * value that may.
 */
static size_t
code_word_len(const char *t)
{
	const struct escape	*e;

	if (*t >= '0' && *t <= '9')
		return strcspn(t, " ");
	if (*t == '%' && (e = escape_find(t[1])) != NULL &&
	    e->shape == SHAPE_ANY)
		return strcspn(t, " ");
	return 0;
}

/* The first escape in the n characters at t whose value may be a code. */
static const struct escape *
value_in(const char *t, size_t n)
{
	const struct escape	*e;
	size_t			 i;

	for (i = 0; i + 1 < n; i++) {
		if (t[i] != '%')
			continue;
		e = escape_find(t[++i]);
		if (e != NULL && e->shape == SHAPE_ANY)
			return e;
	}
	return NULL;
}

/*
 * Text of the template's own: a value is no explanation, and %h or %d
 * may be empty, leaving "501 " or "501 5.5.2 ".
 */
static int
has_own_text(const char *t)
{
	const struct escape	*e;

	for (; *t != '\0'; t++) {
		if (*t == '%' && (e = escape_find(t[1])) != NULL) {
			t++;
			if (e->shape == SHAPE_LETTER)
				return 1;
		} else if (*t != ' ')
			return 1;
	}
	return 0;
}

/*
 * The longest a reply can grow to: every escape at its longest value,
 * and the explain-url with the check's name.
 */
size_t
reply_len_max(const char *reply, const char *url, const char *check)
{
	const struct escape	*e;
	size_t			 len = 0;

	for (; *reply != '\0'; reply++) {
		if (*reply == '%' && (e = escape_find(reply[1])) != NULL) {
			len += e->len_max;
			reply++;
		} else
			len++;
	}
	if (url != NULL)
		len += strlen(EXPLAIN_SEE) + strlen(url) +
		    strlen(EXPLAIN_ANCHOR) + strlen(check);
	return len;
}

/* Give the reply code, and the enhanced status code, the class given. */
void
reply_set_class(char *reply, char class)
{
	reply[0] = class;
	if (has_status_code(reply))
		reply[4] = class;
}

/* Only printable ASCII of a client's string reaches a reply. */
static size_t
append_clean(char *buf, size_t len, size_t i, const char *s)
{
	for (; s != NULL && *s != '\0' && i + 1 < len; s++)
		buf[i++] = (*s >= 0x20 && *s < 0x7f) ? *s : '?';
	buf[i] = '\0';
	return i;
}

/*
 * A value quoted in a reply: a long one is cut with an ellipsis, so
 * that the explanation after it still fits the reply line.
 */
static size_t
append_value(char *buf, size_t len, size_t i, const char *s)
{
	char	short_value[REPLY_VALUE_MAX + 1];

	if (s != NULL && strlen(s) > REPLY_VALUE_MAX) {
		memcpy(short_value, s, REPLY_VALUE_MAX - 3);
		strlcpy(short_value + REPLY_VALUE_MAX - 3, "...",
		    sizeof(short_value) - (REPLY_VALUE_MAX - 3));
		s = short_value;
	}
	return append_clean(buf, len, i, s);
}

/*
 * A template with its escapes expanded from val (indexed by enum
 * reply_value; NULL is empty), and the explain-url appended if given.
 */
void
reply_expand(const char *reply, const char *const val[RV_COUNT],
    const char *url, char *buf, size_t len)
{
	const struct escape	*e;
	size_t			 i = 0;

	if (len == 0)
		return;
	/* Never past RFC 5321's reply line, whatever the buffer. */
	if (len > REPLY_LINE_MAX + 1)
		len = REPLY_LINE_MAX + 1;
	buf[0] = '\0';
	for (; *reply != '\0' && i + 1 < len; reply++) {
		if (*reply != '%' || (e = escape_find(reply[1])) == NULL) {
			buf[i++] = *reply;
			buf[i] = '\0';
			continue;
		}
		reply++;
		if (e->shape == SHAPE_LETTER) {
			buf[i++] = e->letter;
			buf[i] = '\0';
		} else
			i = append_value(buf, len, i, val[e->value]);
	}
	if (url != NULL) {
		i = append_clean(buf, len, i, EXPLAIN_SEE);
		i = append_clean(buf, len, i, url);
		i = append_clean(buf, len, i, EXPLAIN_ANCHOR);
		append_clean(buf, len, i, val[RV_CHECK]);
	}
}
