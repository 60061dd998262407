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
 * The DNS lookups one client needs, as verdict_plan() says, asked as
 * soon as their input is known and all in parallel: the PTR of the
 * client, then A/AAAA of each PTR name (forward confirmation); A, AAAA
 * and MX of the HELO name, or those of them a verdict still needs; the
 * HELO name and its registrable domain on each blocklist zone (dbl);
 * the SPF of the HELO name (spf.c), which asks its own.
 * Answers are written into the client's dns_facts, which own them and
 * outlive the set, and the owner is told after each one, so a waiting
 * verdict can be given at once.
 */
#ifndef LOOKUP_H
#define LOOKUP_H

#include "dbl.h"
#include "facts.h"

struct lookup_set;

typedef void	(*lookup_cb)(void *);

struct lookup_set *lookup_new(struct facts *, long, lookup_cb, void *);
void		 lookup_start(struct lookup_set *, int,
		    const struct dbl_list *);
int		 lookup_pending(const struct lookup_set *);
void		 lookup_expire(struct lookup_set *);
void		 lookup_free(struct lookup_set *);

#endif
