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
 * What the filter remembers of client addresses across sessions: the
 * HELO names each gave lately (rotation) and when it last forged our
 * name or a protected one (forged-before).  A table of fixed size,
 * allocated once: the least recently seen address makes room for a new
 * one, so a flood of addresses costs no more memory than a quiet day.
 * The front ends that live long (smtpd, the policy server) keep one
 * across reloads; the checks read it, the front ends teach it.
 */
#ifndef MEMORY_H
#define MEMORY_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "addr.h"

/* 100,000 addresses of under 300 bytes each. */
#define MEMORY_ENTRIES		100000
/* A client with more names than this is caught at any limit allowed. */
#define ROTATION_LIMIT_MAX	20
#define ROTATION_LIMIT_DEFAULT	5
#define MEMORY_WINDOW_DEFAULT	86400		/* seconds: one day */
#define MEMORY_WINDOW_MAX	(30 * 86400)
/* "7/1d": the reply's and the log's count of names, and the window. */
#define ROTATION_FMT_MAX	32

struct memory;

struct memory_stats {
	size_t		 entries;	/* addresses remembered now */
	size_t		 capacity;
	unsigned long	 evictions;	/* pushed out to make room */
};

struct memory	*memory_new(size_t);
void		 memory_free(struct memory *);
int		 memory_rotation(const struct memory *, const struct addr *,
		    const char *, time_t, int);
int		 memory_forged(const struct memory *, const struct addr *,
		    time_t, int);
void		 memory_note_name(struct memory *, const struct addr *,
		    const char *, time_t);
void		 memory_note_forged(struct memory *, const struct addr *,
		    time_t);
void		 memory_stats(const struct memory *, struct memory_stats *);
size_t		 memory_bound(size_t);
int		 duration_parse(const char *, int, int *);
void		 duration_fmt(int, char *, size_t);

#endif
