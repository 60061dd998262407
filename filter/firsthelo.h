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
 * The first HELO of each client connection, for "changed" in the policy
 * server: Postfix sends only the current HELO with each request, so the
 * first is remembered by the client's address and port, for as long as
 * its connection may last.  Postfix does not say when a connection
 * ends: an entry goes FIRSTHELO_IDLE after it was last seen (Postfix's
 * smtpd_timeout is 300 s a command), or, past FIRSTHELO_MAX entries,
 * the one seen least recently goes first.
 */
#ifndef FIRSTHELO_H
#define FIRSTHELO_H

#include "addr.h"

void		 firsthelo_init(void);
const char	*firsthelo_note(const struct addr *, const char *,
		    const char *);
void		 firsthelo_free(void);

#endif
