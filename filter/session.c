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
 * Session table.  smtpd names every session with a 64-bit id; the
 * tree keeps lookups cheap with thousands of sessions open.
 */
#include "compat.h"

#include <sys/tree.h>

#include <event.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "session.h"

RB_HEAD(session_tree, session);

static int	session_cmp(struct session *, struct session *);

RB_PROTOTYPE_STATIC(session_tree, session, entry, session_cmp);

static struct session_tree	sessions = RB_INITIALIZER(&sessions);
static void		      (*release_hook)(struct session *);
static unsigned long long	session_seen;
static size_t			session_open;

static int
session_cmp(struct session *a, struct session *b)
{
	if (a->sid < b->sid)
		return -1;
	return a->sid > b->sid;
}

RB_GENERATE_STATIC(session_tree, session, entry, session_cmp);

void
session_on_free(void (*hook)(struct session *))
{
	release_hook = hook;
}

struct session *
session_find(uint64_t sid)
{
	struct session	key;

	key.sid = sid;
	return RB_FIND(session_tree, &sessions, &key);
}

/* Find the session, or open one: a line may name a session whose
 * link-connect we did not see (the filter was restarted). */
struct session *
session_get(uint64_t sid)
{
	struct session	*s;

	if ((s = session_find(sid)) != NULL)
		return s;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		fatal("%s: calloc", __func__);
	s->sid = sid;
	s->last = session_clock();
	RB_INSERT(session_tree, &sessions, s);
	session_seen++;
	session_open++;
	return s;
}

void
session_free(struct session *s)
{
	if (release_hook != NULL)
		release_hook(s);
	RB_REMOVE(session_tree, &sessions, s);
	session_open--;
	if (s->req.deadline != NULL) {
		evtimer_del(s->req.deadline);
		free(s->req.deadline);
	}
	free(s->greeting);
	free(s->helo);
	free(s->helo_accepted);
	free(s->helo_prev);
	free(s->mail_from);
	free(s->rcpt);
	free(s->rcpt_domain);
	free(s->smtpd_rdns);
	free(s);
}

void
session_free_all(void)
{
	struct session	*s, *next;

	RB_FOREACH_SAFE(s, session_tree, &sessions, next)
		session_free(s);
}

/*
 * Reclaim sessions idle since before "older" (session_clock()): smtpd
 * drops a session after its own idle timeout and then sends
 * link-disconnect, so one that stays silent far longer was lost.
 * A session with a request in flight is never reclaimed: it is answered
 * first, within the DNS deadline.
 */
void
session_sweep(time_t older, void (*expire)(struct session *))
{
	struct session	*s, *next;

	RB_FOREACH_SAFE(s, session_tree, &sessions, next) {
		if (s->req.active || s->last >= older)
			continue;
		if (expire != NULL)
			expire(s);
		session_free(s);
	}
}

void
session_foreach(void (*fn)(struct session *))
{
	struct session	*s;

	RB_FOREACH(s, session_tree, &sessions)
		fn(s);
}

/* Seconds on a clock that wall-clock changes do not move. */
time_t
session_clock(void)
{
	struct timespec	ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		fatal("%s: clock_gettime", __func__);
	return ts.tv_sec;
}

/* Sessions opened since the start, and open now. */
void
session_counts(unsigned long long *seen, size_t *nopen)
{
	*seen = session_seen;
	*nopen = session_open;
}

/* Replace a string owned by the session; NULL clears it. */
void
session_set(char **field, const char *value)
{
	char	*copy = NULL;

	if (value != NULL && (copy = strdup(value)) == NULL)
		fatal("%s: strdup", __func__);
	free(*field);
	*field = copy;
}
