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
 * The table of client addresses (memory.h): one array of entries, a
 * chained hash on the address for O(1) lookups, and a list from the
 * most to the least recently seen for eviction.  Indices, not pointers,
 * keep an entry small: 32 bits each, and UINT32_MAX for none.
 *
 * A client is its IPv4 address or its IPv6 /64: a host given a /64
 * rotates its addresses within it as easily as its names.  A name is
 * kept as a 64-bit hash with the time it was last given; an entry holds
 * one more than the highest limit allowed, so that a client over any
 * limit shows it, and the oldest name makes room for a new one.
 */
#include "compat.h"

#include <sys/socket.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memory.h"

#define NONE		UINT32_MAX
#define NAME_SLOTS	(ROTATION_LIMIT_MAX + 1)

struct entry {
	uint64_t	 key;		/* the /32 or the /64 */
	uint32_t	 newer, older;	/* the list by last seen */
	uint32_t	 chain;		/* next in the hash bucket */
	uint32_t	 forged;	/* when it last forged, 0: never */
	uint8_t		 family;	/* 0: a free entry */
	uint32_t	 seen[NAME_SLOTS];
	uint64_t	 name[NAME_SLOTS];
};

struct memory {
	struct entry	*v;
	size_t		 cap;
	size_t		 used;		/* v[0..used) were ever taken */
	uint32_t	*bucket;
	size_t		 nbucket;	/* a power of two */
	uint32_t	 newest, oldest;
	unsigned long	 evictions;
};

static uint64_t		 client_key(const struct addr *);
static size_t		 bucket_of(const struct memory *, int, uint64_t);
static struct entry	*find(const struct memory *, const struct addr *);
static struct entry	*take(struct memory *, const struct addr *);
static void		 unlink_lru(struct memory *, uint32_t);
static void		 push_newest(struct memory *, uint32_t);
static void		 unchain(struct memory *, uint32_t);
static uint64_t		 name_hash(const char *);
static int		 recent(uint32_t, time_t, int);

static size_t
buckets_for(size_t cap)
{
	size_t	n = 1;

	while (n < cap)
		n <<= 1;
	return n;
}

/* The most the table of cap entries takes, as allocated once. */
size_t
memory_bound(size_t cap)
{
	return sizeof(struct memory) + cap * sizeof(struct entry) +
	    buckets_for(cap) * sizeof(uint32_t);
}

/*
 * The whole table at once, so that it can never fail later.  calloc()
 * leaves untouched pages unmapped: a quiet server holds little of it.
 */
struct memory *
memory_new(size_t cap)
{
	struct memory	*m;
	size_t		 i;

	if (cap == 0 || cap >= NONE)
		return NULL;
	if ((m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	m->cap = cap;
	m->nbucket = buckets_for(cap);
	if ((m->v = calloc(cap, sizeof(*m->v))) == NULL ||
	    (m->bucket = reallocarray(NULL, m->nbucket,
	    sizeof(*m->bucket))) == NULL) {
		memory_free(m);
		return NULL;
	}
	for (i = 0; i < m->nbucket; i++)
		m->bucket[i] = NONE;
	m->newest = m->oldest = NONE;
	return m;
}

void
memory_free(struct memory *m)
{
	if (m == NULL)
		return;
	free(m->v);
	free(m->bucket);
	free(m);
}

/*
 * How many distinct names the client gave within the window, name
 * among them if not NULL (the HELO being judged).  0 without memory.
 */
int
memory_rotation(const struct memory *m, const struct addr *client,
    const char *name, time_t now, int window)
{
	const struct entry	*e;
	uint64_t		 h = name != NULL ? name_hash(name) : 0;
	int			 i, n = 0, known = 0;

	if (m == NULL || (e = find(m, client)) == NULL)
		return name != NULL ? 1 : 0;
	for (i = 0; i < NAME_SLOTS; i++) {
		if (e->seen[i] == 0 || !recent(e->seen[i], now, window))
			continue;
		n++;
		if (name != NULL && e->name[i] == h)
			known = 1;
	}
	return name != NULL && !known ? n + 1 : n;
}

/* Did the client forge our name or a protected one within the window? */
int
memory_forged(const struct memory *m, const struct addr *client,
    time_t now, int window)
{
	const struct entry	*e;

	if (m == NULL || (e = find(m, client)) == NULL)
		return 0;
	return e->forged != 0 && recent(e->forged, now, window);
}

/* The client gave name now: its own slot again, or the oldest's. */
void
memory_note_name(struct memory *m, const struct addr *client,
    const char *name, time_t now)
{
	struct entry	*e;
	uint64_t	 h = name_hash(name);
	int		 i, slot = 0;

	if (m == NULL || (e = take(m, client)) == NULL)
		return;
	for (i = 0; i < NAME_SLOTS; i++) {
		if (e->seen[i] != 0 && e->name[i] == h) {
			slot = i;
			break;
		}
		if (e->seen[i] < e->seen[slot])
			slot = i;
	}
	e->name[slot] = h;
	e->seen[slot] = (uint32_t)now;
}

void
memory_note_forged(struct memory *m, const struct addr *client, time_t now)
{
	struct entry	*e;

	if (m != NULL && (e = take(m, client)) != NULL)
		e->forged = (uint32_t)now;
}

void
memory_stats(const struct memory *m, struct memory_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (m == NULL)
		return;
	st->entries = m->used;
	st->capacity = m->cap;
	st->evictions = m->evictions;
}

/*
 * A window: seconds, or a number with s, m, h or d.  Returns 0, or -1
 * if s is none or outside 1 to max seconds.
 */
int
duration_parse(const char *s, int max, int *secs)
{
	static const struct {
		char	 suffix;
		long	 unit;
	} units[] = { { 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 } };
	char	*end;
	long	 n, unit = 1;
	size_t	 i;

	if (!isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	n = strtol(s, &end, 10);
	if (errno != 0 || n > max)
		return -1;
	if (*end != '\0') {
		for (i = 0; i < nitems(units); i++)
			if (end[0] == units[i].suffix && end[1] == '\0')
				unit = units[i].unit;
		if (unit == 1 && strcmp(end, "s") != 0)
			return -1;
	}
	if (n < 1 || n > max / unit)
		return -1;
	*secs = (int)(n * unit);
	return 0;
}

/* The largest unit that says it exactly: "1d", "90m", "45s". */
void
duration_fmt(int secs, char *buf, size_t len)
{
	if (secs > 0 && secs % 86400 == 0)
		snprintf(buf, len, "%dd", secs / 86400);
	else if (secs > 0 && secs % 3600 == 0)
		snprintf(buf, len, "%dh", secs / 3600);
	else if (secs > 0 && secs % 60 == 0)
		snprintf(buf, len, "%dm", secs / 60);
	else
		snprintf(buf, len, "%ds", secs);
}

static int
recent(uint32_t when, time_t now, int window)
{
	return (int64_t)now - (int64_t)when < window;
}

static uint64_t
client_key(const struct addr *a)
{
	uint64_t	k = 0;
	int		i, n = a->family == AF_INET6 ? 8 : 4;

	for (i = 0; i < n; i++)
		k = k << 8 | a->bytes[i];
	return k;
}

/* A 64-bit mix of the key (splitmix64's finaliser): spreads a /24. */
static size_t
bucket_of(const struct memory *m, int family, uint64_t k)
{
	k ^= (uint64_t)family << 56;
	k ^= k >> 30;
	k *= 0xbf58476d1ce4e5b9ULL;
	k ^= k >> 27;
	k *= 0x94d049bb133111ebULL;
	k ^= k >> 31;
	return (size_t)(k & (m->nbucket - 1));
}

static struct entry *
find(const struct memory *m, const struct addr *a)
{
	uint64_t	k;
	uint32_t	i;

	if (a->family != AF_INET && a->family != AF_INET6)
		return NULL;
	k = client_key(a);
	for (i = m->bucket[bucket_of(m, a->family, k)]; i != NONE;
	    i = m->v[i].chain)
		if (m->v[i].key == k && m->v[i].family == a->family)
			return &m->v[i];
	return NULL;
}

/*
 * The client's entry, now the most recently seen: found, or a new one
 * in a free entry or in the least recently seen one's.
 */
static struct entry *
take(struct memory *m, const struct addr *a)
{
	struct entry	*e;
	uint32_t	 i;
	size_t		 b;

	if ((e = find(m, a)) != NULL) {
		i = (uint32_t)(e - m->v);
		unlink_lru(m, i);
		push_newest(m, i);
		return e;
	}
	if (a->family != AF_INET && a->family != AF_INET6)
		return NULL;
	if (m->used < m->cap)
		i = (uint32_t)m->used++;
	else {
		i = m->oldest;
		unlink_lru(m, i);
		unchain(m, i);
		m->evictions++;
	}
	e = &m->v[i];
	memset(e, 0, sizeof(*e));
	e->family = a->family;
	e->key = client_key(a);
	b = bucket_of(m, e->family, e->key);
	e->chain = m->bucket[b];
	m->bucket[b] = i;
	push_newest(m, i);
	return e;
}

static void
unlink_lru(struct memory *m, uint32_t i)
{
	struct entry	*e = &m->v[i];

	if (e->newer != NONE)
		m->v[e->newer].older = e->older;
	else
		m->newest = e->older;
	if (e->older != NONE)
		m->v[e->older].newer = e->newer;
	else
		m->oldest = e->newer;
}

static void
push_newest(struct memory *m, uint32_t i)
{
	struct entry	*e = &m->v[i];

	e->newer = NONE;
	e->older = m->newest;
	if (m->newest != NONE)
		m->v[m->newest].newer = i;
	m->newest = i;
	if (m->oldest == NONE)
		m->oldest = i;
}

static void
unchain(struct memory *m, uint32_t i)
{
	uint32_t	*p;

	for (p = &m->bucket[bucket_of(m, m->v[i].family, m->v[i].key)];
	    *p != NONE; p = &m->v[*p].chain) {
		if (*p == i) {
			*p = m->v[i].chain;
			return;
		}
	}
}

/* FNV-1a, folding case: names compare without it. */
static uint64_t
name_hash(const char *s)
{
	uint64_t	h = 0xcbf29ce484222325ULL;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)tolower((unsigned char)*s);
		h *= 0x100000001b3ULL;
	}
	/* 0 could pass for an empty slot's: never a name's. */
	return h == 0 ? 1 : h;
}
