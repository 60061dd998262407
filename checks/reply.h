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
 * The reply grammar: which templates a check's reply may be, how long
 * one can grow, and its expansion, all read from one table of escapes.
 */
#ifndef REPLY_H
#define REPLY_H

#include <stddef.h>

#define REPLY_MAX	512
/* RFC 5321 4.5.3.1.5: a reply line is 512 octets with its CRLF. */
#define REPLY_LINE_MAX	510
/* A longer value (%h, %r, %d, %e) is quoted shortened, with "...". */
#define REPLY_VALUE_MAX	64

/* What the escapes stand for: the caller gives each its value. */
enum reply_value {
	RV_HELO,		/* %h */
	RV_ADDR,		/* %i */
	RV_LITERAL,		/* %l */
	RV_RDNS,		/* %r */
	RV_DOMAIN,		/* %d */
	RV_CHECK,		/* %c, and the anchor of the explain-url */
	RV_SPF,			/* %e: the SPF explanation (spf-helo) */
	RV_COUNT
};

int	reply_valid(const char *, const char **);
size_t	reply_len_max(const char *, const char *, const char *);
void	reply_set_class(char *, char);
void	reply_expand(const char *, const char *const [RV_COUNT],
	    const char *, char *, size_t);

#endif
