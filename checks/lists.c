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
 * The name and network lists of the configuration, made to match in
 * constant or logarithmic time whatever their length: a list may come
 * from a file of 100,000 entries and is asked at every session.
 *
 * A name list keeps its entries in order (for -n) and a hash of them:
 * a name matches an exact entry by its own hash, and a ".suffix" entry
 * by the hash of each of its own suffixes from a dot, so a lookup costs
 * one probe per label.  /regex/ entries are compiled once and tried in
 * turn; they are few by nature.
 *
 * A network list keeps its entries in order too, and once indexed a
 * sorted copy without the networks inside others: what is left is
 * disjoint, and one binary search finds the only network that may hold
 * an address.  Entries added after the index are scanned.
 */
#include "compat.h"

#include <regex.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "helo.h"
#include "policy.h"

#define HASH_MIN	16

static size_t	len_nodot(const char *);
static uint32_t	name_hash(const char *, size_t);
static int	hash_grow(struct namelist *);
static size_t	grown(size_t);
static void	hash_put(size_t *, size_t, uint32_t, size_t);
static int	hash_find(const struct namelist *, const char *, size_t);
static int	cidr_cmp(const void *, const void *);
static void	cidr_mask(struct cidr *);
static int	addr_cmp(const struct addr *, const struct addr *);

static size_t
len_nodot(const char *s)
{
	size_t	len = strlen(s);

	if (len > 0 && s[len - 1] == '.')
		len--;
	return len;
}

/* FNV-1a over the name in lower case: names compare without case. */
static uint32_t
name_hash(const char *s, size_t len)
{
	uint32_t	h = 2166136261u;
	size_t		i;
	unsigned char	c;

	for (i = 0; i < len; i++) {
		c = s[i];
		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		h = (h ^ c) * 16777619u;
	}
	return h;
}

/* Slots hold an entry's index plus one; 0 is free.  Half full at most. */
static void
hash_put(size_t *slots, size_t size, uint32_t h, size_t idx)
{
	size_t	i;

	for (i = h & (size - 1); slots[i] != 0; i = (i + 1) & (size - 1))
		;
	slots[i] = idx + 1;
}

static int
hash_grow(struct namelist *l)
{
	size_t	*slots, size, i;

	size = l->hsize == 0 ? HASH_MIN : l->hsize * 2;
	if ((slots = calloc(size, sizeof(*slots))) == NULL)
		return -1;
	for (i = 0; i < l->hsize; i++)
		if (l->hash[i] != 0)
			hash_put(slots, size, name_hash(l->v[l->hash[i] - 1],
			    len_nodot(l->v[l->hash[i] - 1])), l->hash[i] - 1);
	free(l->hash);
	l->hash = slots;
	l->hsize = size;
	return 0;
}

static int
hash_find(const struct namelist *l, const char *s, size_t len)
{
	const char	*e;
	size_t		 i, n;

	if (l->hsize == 0)
		return 0;
	for (i = name_hash(s, len) & (l->hsize - 1); (n = l->hash[i]) != 0;
	    i = (i + 1) & (l->hsize - 1)) {
		e = l->v[n - 1];
		if (len_nodot(e) == len && strncasecmp(e, s, len) == 0)
			return 1;
	}
	return 0;
}

/*
 * Lists grow by doubling: 100,000 entries one realloc at a time would
 * copy the array 100,000 times where the allocator cannot move it in
 * place (sanitizers never do).
 */
static size_t
grown(size_t cap)
{
	return cap == 0 ? 16 : cap * 2;
}

static int
names_append(struct namelist *l, const char *name)
{
	char	**v;
	char	 *s;

	if ((s = strdup(name)) == NULL)
		return -1;
	if (l->n == l->cap) {
		if ((v = reallocarray(l->v, grown(l->cap), sizeof(*v))) ==
		    NULL) {
			free(s);
			return -1;
		}
		l->v = v;
		l->cap = grown(l->cap);
	}
	l->v[l->n++] = s;
	return 0;
}

int
namelist_add(struct namelist *l, const char *name)
{
	if ((l->nhashed + 1) * 2 > l->hsize && hash_grow(l) == -1)
		return -1;
	if (names_append(l, name) == -1)
		return -1;
	hash_put(l->hash, l->hsize, name_hash(name, len_nodot(name)),
	    l->n - 1);
	l->nhashed++;
	return 0;
}

/*
 * "/RE/": POSIX extended, without case, anchored only as written.
 * Returns -1 with regerror()'s words in why, or -2 out of memory.
 */
int
namelist_add_regex(struct namelist *l, const char *text, char *why,
    size_t len)
{
	regex_t	*re;
	char	*pat;
	size_t	 plen = strlen(text);
	int	 rc;

	if (plen < 3 || text[0] != '/' || text[plen - 1] != '/') {
		strlcpy(why, "a pattern is /REGEX/", len);
		return -1;
	}
	if ((pat = strndup(text + 1, plen - 2)) == NULL)
		return -2;
	if ((re = reallocarray(l->re, l->nre + 1, sizeof(*re))) == NULL) {
		free(pat);
		return -2;
	}
	l->re = re;
	rc = regcomp(&l->re[l->nre], pat, REG_EXTENDED | REG_ICASE |
	    REG_NOSUB);
	free(pat);
	if (rc != 0) {
		regerror(rc, &l->re[l->nre], why, len);
		return -1;
	}
	if (names_append(l, text) == -1) {
		regfree(&l->re[l->nre]);
		return -2;
	}
	l->nre++;
	return 0;
}

void
namelist_free(struct namelist *l)
{
	size_t	i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	for (i = 0; i < l->nre; i++)
		regfree(&l->re[i]);
	free(l->v);
	free(l->hash);
	free(l->re);
	listfiles_free(&l->files);
	memset(l, 0, sizeof(*l));
}

/*
 * An entry "host.example" matches that name only; ".example.net" matches
 * every name inside example.net ("a.example.net", "b.a.example.net") but
 * not "example.net" itself, which needs an entry of its own; "/RE/"
 * matches the names it matches.
 */
int
namelist_match(const struct namelist *l, const char *name)
{
	size_t	len, i;

	if (name == NULL)
		return 0;
	len = len_nodot(name);
	if (hash_find(l, name, len))
		return 1;
	for (i = 1; i < len; i++)
		if (name[i] == '.' && hash_find(l, name + i, len - i))
			return 1;
	for (i = 0; i < l->nre; i++)
		if (regexec(&l->re[i], name, 0, NULL, 0) == 0)
			return 1;
	return 0;
}

/* The entries v[first..] came from path: -n names the file instead. */
int
listfiles_add(struct listfiles *lf, const char *path, size_t first,
    size_t n)
{
	struct listfile	*v;
	char		*s;

	if ((s = strdup(path)) == NULL)
		return -1;
	if ((v = reallocarray(lf->v, lf->n + 1, sizeof(*v))) == NULL) {
		free(s);
		return -1;
	}
	v[lf->n++] = (struct listfile){ s, first, n };
	lf->v = v;
	return 0;
}

void
listfiles_free(struct listfiles *lf)
{
	size_t	i;

	for (i = 0; i < lf->n; i++)
		free(lf->v[i].path);
	free(lf->v);
	lf->v = NULL;
	lf->n = 0;
}

/* The file entry i came from, or NULL if it was written in place. */
const struct listfile *
listfiles_at(const struct listfiles *lf, size_t i)
{
	size_t	k;

	for (k = 0; k < lf->n; k++)
		if (i >= lf->v[k].first && i < lf->v[k].first + lf->v[k].n)
			return &lf->v[k];
	return NULL;
}

int
cidrlist_add(struct cidrlist *l, const struct cidr *c)
{
	struct cidr	*v;

	if (l->n == l->cap) {
		if ((v = reallocarray(l->v, grown(l->cap), sizeof(*v))) ==
		    NULL)
			return -1;
		l->v = v;
		l->cap = grown(l->cap);
	}
	l->v[l->n++] = *c;
	return 0;
}

void
cidrlist_free(struct cidrlist *l)
{
	free(l->v);
	free(l->sorted);
	listfiles_free(&l->files);
	memset(l, 0, sizeof(*l));
}

static void
cidr_mask(struct cidr *c)
{
	int	i, bits;

	for (i = 0; i < 16; i++) {
		bits = c->plen - i * 8;
		if (bits >= 8)
			continue;
		c->addr.bytes[i] &= bits <= 0 ? 0 :
		    (uint8_t)(0xff << (8 - bits));
	}
}

static int
addr_cmp(const struct addr *a, const struct addr *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return memcmp(a->bytes, b->bytes, sizeof(a->bytes));
}

/* By first address, and the wider of two that start alike first. */
static int
cidr_cmp(const void *pa, const void *pb)
{
	const struct cidr	*a = pa, *b = pb;
	int			 r;

	if ((r = addr_cmp(&a->addr, &b->addr)) != 0)
		return r;
	return a->plen < b->plen ? -1 : a->plen > b->plen;
}

/*
 * Networks are nested or apart: sorted by first address, a network
 * inside another comes after it, and the last one kept says whether it
 * is inside.  -1: no memory, the list scans as before.
 */
int
cidrlist_index(struct cidrlist *l)
{
	struct cidr	*s;
	size_t		 i, n = 0;

	if (l->n == 0)
		return 0;
	if ((s = reallocarray(NULL, l->n, sizeof(*s))) == NULL)
		return -1;
	for (i = 0; i < l->n; i++) {
		s[i] = l->v[i];
		cidr_mask(&s[i]);
	}
	qsort(s, l->n, sizeof(*s), cidr_cmp);
	for (i = 0; i < l->n; i++)
		if (n == 0 || !(s[n - 1].plen <= s[i].plen &&
		    cidr_match(&s[n - 1], &s[i].addr)))
			s[n++] = s[i];
	free(l->sorted);
	l->sorted = s;
	l->nsorted = n;
	l->indexed = l->n;
	return 0;
}

int
cidrlist_match(const struct cidrlist *l, const struct addr *a)
{
	size_t	lo = 0, hi = l->nsorted, mid, i;

	/* The last network that starts at or before a. */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (addr_cmp(&l->sorted[mid].addr, a) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo > 0 && cidr_match(&l->sorted[lo - 1], a))
		return 1;
	for (i = l->indexed; i < l->n; i++)
		if (cidr_match(&l->v[i], a))
			return 1;
	return 0;
}
