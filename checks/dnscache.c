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
 * The answer cache.  An answer is kept for its TTL as libunbound gave it
 * (already counted down if it came from libunbound's own cache), at most
 * an hour, and handed out with the TTL that is left: a caller cannot
 * tell it from a fresh one.  Negative answers (NXDOMAIN, NODATA) are
 * kept for the TTL libunbound reports for them, the SOA minimum.
 * Failures are never kept: a SERVFAIL or a timeout is asked again, as a
 * resolver recovers within seconds.
 *
 * Entries in use by an answer still to be delivered are counted; one
 * evicted meanwhile is freed by its last user.
 */
#include "compat.h"

#include <sys/queue.h>
#include <sys/tree.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dnscache.h"

/*
 * 16384 answers are a few hours of a busy site's distinct names; at a
 * few hundred bytes each they stay well under the byte bound, which is
 * there for answers with many records.
 */
#define DNSCACHE_ENTRIES_MAX	16384
#define DNSCACHE_BYTES_MAX	(8 * 1024 * 1024)
#define DNSCACHE_ENTRY_MAX	(64 * 1024)	/* one answer, at most */
#define DNSCACHE_TTL_MAX	3600

struct dnscache_entry {
	RB_ENTRY(dnscache_entry)	 node;
	TAILQ_ENTRY(dnscache_entry)	 lru;
	int				 type;
	int				 refs;
	int				 linked;
	long long			 expires;	/* ms, monotonic */
	size_t				 bytes;
	enum dns_status			 status;
	int				 secure;
	char				*cname;
	struct addr			*addrs;
	size_t				 naddrs;
	char				**names;
	size_t				 nnames;
	struct dns_txt			*txts;
	size_t				 ntxts;
	char				*name;		/* follows the entry */
};

RB_HEAD(dnscache_tree, dnscache_entry);

static int	dnscache_cmp(struct dnscache_entry *, struct dnscache_entry *);
static int	dnscache_keep(const struct dns_result *);
static struct dnscache_entry *dnscache_copy(const char *, int,
		    const struct dns_result *);
static void	dnscache_unlink(struct dnscache_entry *);
static void	dnscache_free(struct dnscache_entry *);

RB_GENERATE_STATIC(dnscache_tree, dnscache_entry, node, dnscache_cmp);

static struct dnscache_tree		 dnscache_entries =
    RB_INITIALIZER(&dnscache_entries);
/* most recently used first */
static TAILQ_HEAD(dnscache_lru, dnscache_entry) dnscache_lru =
    TAILQ_HEAD_INITIALIZER(dnscache_lru);
static size_t				 dnscache_n;
static size_t				 dnscache_bytes;

/*
 * The entry for name and type if it has not expired, counted as in use
 * until dnscache_release().
 */
struct dnscache_entry *
dnscache_get(const char *name, int type, long long now)
{
	struct dnscache_entry	*e, key;

	key.name = (char *)name;
	key.type = type;
	if ((e = RB_FIND(dnscache_tree, &dnscache_entries, &key)) == NULL)
		return NULL;
	if (e->expires <= now) {
		dnscache_unlink(e);
		return NULL;
	}
	TAILQ_REMOVE(&dnscache_lru, e, lru);
	TAILQ_INSERT_HEAD(&dnscache_lru, e, lru);
	e->refs++;
	return e;
}

/*
 * Keeps a copy of the answer, if it is one to keep.  -1: out of memory,
 * and the answer is not kept.
 */
int
dnscache_put(const char *name, int type, const struct dns_result *res,
    long long now)
{
	struct dnscache_entry	*e, *old;
	int			 ttl;

	if (!dnscache_keep(res))
		return 0;
	if ((e = dnscache_copy(name, type, res)) == NULL)
		return errno == ENOMEM ? -1 : 0;
	ttl = res->ttl > DNSCACHE_TTL_MAX ? DNSCACHE_TTL_MAX : res->ttl;
	e->expires = now + ttl * 1000LL;
	if ((old = RB_INSERT(dnscache_tree, &dnscache_entries, e)) != NULL) {
		dnscache_unlink(old);
		RB_INSERT(dnscache_tree, &dnscache_entries, e);
	}
	TAILQ_INSERT_HEAD(&dnscache_lru, e, lru);
	e->linked = 1;
	dnscache_n++;
	dnscache_bytes += e->bytes;
	while (dnscache_n > DNSCACHE_ENTRIES_MAX ||
	    dnscache_bytes > DNSCACHE_BYTES_MAX)
		dnscache_unlink(TAILQ_LAST(&dnscache_lru, dnscache_lru));
	return 0;
}

/*
 * The answer as a fresh lookup gives it; the arrays belong to the entry
 * and live as long as it is in use.
 */
void
dnscache_result(const struct dnscache_entry *e, long long now,
    struct dns_result *res)
{
	memset(res, 0, sizeof(*res));
	res->status = e->status;
	res->secure = e->secure;
	res->ttl = (e->expires - now + 999) / 1000;
	res->cname = e->cname;
	res->addrs = e->addrs;
	res->naddrs = e->naddrs;
	res->names = e->names;
	res->nnames = e->nnames;
	res->txts = e->txts;
	res->ntxts = e->ntxts;
}

void
dnscache_release(struct dnscache_entry *e)
{
	if (--e->refs == 0 && !e->linked)
		dnscache_free(e);
}

void
dnscache_clear(void)
{
	while (!TAILQ_EMPTY(&dnscache_lru))
		dnscache_unlink(TAILQ_FIRST(&dnscache_lru));
}

size_t
dnscache_count(void)
{
	return dnscache_n;
}

static int
dnscache_cmp(struct dnscache_entry *a, struct dnscache_entry *b)
{
	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	return strcmp(a->name, b->name);
}

/* Answers, positive or negative, with a TTL; never a failure. */
static int
dnscache_keep(const struct dns_result *res)
{
	switch (res->status) {
	case DNS_FOUND:
	case DNS_NXDOMAIN:
	case DNS_NODATA:
		return res->ttl > 0;
	default:
		return 0;
	}
}

/* NULL with errno ENOMEM, or EFBIG for an answer too big to keep. */
static struct dnscache_entry *
dnscache_copy(const char *name, int type, const struct dns_result *res)
{
	struct dnscache_entry	*e;
	size_t			 len = strlen(name) + 1, i;

	if ((e = calloc(1, sizeof(*e) + len)) == NULL)
		goto fail;
	e->name = (char *)(e + 1);
	memcpy(e->name, name, len);
	e->type = type;
	e->status = res->status;
	e->secure = res->secure;
	e->bytes = sizeof(*e) + len;
	if (res->cname != NULL) {
		if ((e->cname = strdup(res->cname)) == NULL)
			goto fail;
		e->bytes += strlen(res->cname) + 1;
	}
	if (res->naddrs > 0) {
		if ((e->addrs = reallocarray(NULL, res->naddrs,
		    sizeof(*e->addrs))) == NULL)
			goto fail;
		memcpy(e->addrs, res->addrs, res->naddrs * sizeof(*e->addrs));
		e->naddrs = res->naddrs;
		e->bytes += res->naddrs * sizeof(*e->addrs);
	}
	if (res->nnames > 0) {
		if ((e->names = calloc(res->nnames, sizeof(*e->names))) == NULL)
			goto fail;
		for (i = 0; i < res->nnames; i++) {
			if ((e->names[i] = strdup(res->names[i])) == NULL)
				goto fail;
			e->nnames++;
			e->bytes += sizeof(*e->names) +
			    strlen(res->names[i]) + 1;
		}
	}
	if (res->ntxts > 0) {
		if ((e->txts = calloc(res->ntxts, sizeof(*e->txts))) == NULL)
			goto fail;
		for (i = 0; i < res->ntxts; i++) {
			/* octets, NULs among them, and the NUL after */
			if ((e->txts[i].text = malloc(res->txts[i].len + 1)) ==
			    NULL)
				goto fail;
			memcpy(e->txts[i].text, res->txts[i].text,
			    res->txts[i].len + 1);
			e->txts[i].len = res->txts[i].len;
			e->ntxts++;
			e->bytes += sizeof(*e->txts) + res->txts[i].len + 1;
		}
	}
	/* too big to keep: not a failure */
	if (e->bytes > DNSCACHE_ENTRY_MAX) {
		dnscache_free(e);
		errno = EFBIG;
		return NULL;
	}
	return e;

 fail:
	if (e != NULL)
		dnscache_free(e);
	errno = ENOMEM;
	return NULL;
}

/* Out of the cache; freed now, or by its last user. */
static void
dnscache_unlink(struct dnscache_entry *e)
{
	RB_REMOVE(dnscache_tree, &dnscache_entries, e);
	TAILQ_REMOVE(&dnscache_lru, e, lru);
	e->linked = 0;
	dnscache_n--;
	dnscache_bytes -= e->bytes;
	if (e->refs == 0)
		dnscache_free(e);
}

static void
dnscache_free(struct dnscache_entry *e)
{
	size_t	 i;

	for (i = 0; i < e->nnames; i++)
		free(e->names[i]);
	for (i = 0; i < e->ntxts; i++)
		free(e->txts[i].text);
	free(e->names);
	free(e->txts);
	free(e->addrs);
	free(e->cname);
	free(e);
}
