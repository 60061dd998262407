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
 * Protected names: the organisations of "protect", whose domains only
 * their own hosts may give as HELO, and the built-in list of the
 * largest mailbox providers.
 */
#ifndef PROTECT_H
#define PROTECT_H

#include <stddef.h>

#include "policy.h"

int		 protect_add(struct protectlist *, const char *const *, size_t,
		    const char *const *, size_t);
int		 protect_builtin(struct protectlist *);
void		 protect_free(struct protectlist *);
const char	*protect_domain(const struct protectlist *, const char *);
int		 protect_admits(const struct protectlist *, const char *,
		    const char *);

#endif
