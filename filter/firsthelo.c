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
 * The first HELO of each client connection, keyed by address and port:
 * a tree for the lookup, a list for the age, both bounded.
 */
#include "compat.h"

#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/tree.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "firsthelo.h"
#include "helo.h"
#include "log.h"

#define FIRSTHELO_MAX	16384
#define FIRSTHELO_IDLE	600		/* seconds */

struct firsthelo {
	RB_ENTRY(firsthelo)	 node;
	TAILQ_ENTRY(firsthelo)	 age;		/* least recent first */
	struct addr		 client;
	unsigned int		 port;
	time_t			 seen;
	char			*helo;		/* follows the entry */
};

RB_HEAD(firsthelo_tree, firsthelo);

static int	firsthelo_cmp(struct firsthelo *, struct firsthelo *);
static void	firsthelo_drop(struct firsthelo *);
static void	firsthelo_expire(time_t);
static int	port_parse(const char *, unsigned int *);

RB_GENERATE_STATIC(firsthelo_tree, firsthelo, node, firsthelo_cmp);

static struct firsthelo_tree		 firsthelo_entries;
static TAILQ_HEAD(, firsthelo)		 firsthelo_age;
static size_t				 firsthelo_n;

void
firsthelo_init(void)
{
	RB_INIT(&firsthelo_entries);
	TAILQ_INIT(&firsthelo_age);
	firsthelo_n = 0;
}

/*
 * The HELO of a request from client:port.  Returns the connection's
 * first HELO, or NULL if this is it (or the port is not known).
 */
const char *
firsthelo_note(const struct addr *client, const char *port,
    const char *helo)
{
	struct firsthelo	*e, key;
	time_t			 now = time(NULL);
	size_t			 len;

	if (port_parse(port, &key.port) == -1)
		return NULL;
	firsthelo_expire(now);
	key.client = *client;
	if ((e = RB_FIND(firsthelo_tree, &firsthelo_entries, &key)) != NULL) {
		e->seen = now;
		TAILQ_REMOVE(&firsthelo_age, e, age);
		TAILQ_INSERT_TAIL(&firsthelo_age, e, age);
		return e->helo;
	}
	if (firsthelo_n >= FIRSTHELO_MAX)
		firsthelo_drop(TAILQ_FIRST(&firsthelo_age));
	len = strnlen(helo, NAME_BUFSZ - 1);
	if ((e = calloc(1, sizeof(*e) + len + 1)) == NULL) {
		log_warn("%s", __func__);
		return NULL;
	}
	e->client = *client;
	e->port = key.port;
	e->seen = now;
	e->helo = (char *)(e + 1);
	memcpy(e->helo, helo, len);
	RB_INSERT(firsthelo_tree, &firsthelo_entries, e);
	TAILQ_INSERT_TAIL(&firsthelo_age, e, age);
	firsthelo_n++;
	return NULL;
}

void
firsthelo_free(void)
{
	while (!TAILQ_EMPTY(&firsthelo_age))
		firsthelo_drop(TAILQ_FIRST(&firsthelo_age));
}

static int
firsthelo_cmp(struct firsthelo *a, struct firsthelo *b)
{
	if (a->port != b->port)
		return a->port < b->port ? -1 : 1;
	if (a->client.family != b->client.family)
		return a->client.family < b->client.family ? -1 : 1;
	return memcmp(a->client.bytes, b->client.bytes,
	    a->client.family == AF_INET ? 4 : sizeof(a->client.bytes));
}

static void
firsthelo_drop(struct firsthelo *e)
{
	RB_REMOVE(firsthelo_tree, &firsthelo_entries, e);
	TAILQ_REMOVE(&firsthelo_age, e, age);
	firsthelo_n--;
	free(e);
}

static void
firsthelo_expire(time_t now)
{
	struct firsthelo	*e;

	while ((e = TAILQ_FIRST(&firsthelo_age)) != NULL &&
	    now - e->seen > FIRSTHELO_IDLE)
		firsthelo_drop(e);
}

static int
port_parse(const char *s, unsigned int *port)
{
	const char	*errstr;

	if (s == NULL || *s == '\0')
		return -1;
	*port = strtonum(s, 1, 65535, &errstr);
	return errstr == NULL ? 0 : -1;
}
