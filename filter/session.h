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
 * The session table: one entry per smtpd session, keyed by its id,
 * created at link-connect (or at the first line that names it) and freed
 * at link-disconnect, or by the sweep for sessions that never disconnect.
 */
#ifndef SESSION_H
#define SESSION_H

#include <sys/tree.h>

#include <event.h>
#include <stdint.h>
#include <time.h>

#include "facts.h"
#include "header.h"

struct held_verdict;
struct lookup_set;

/* A filter request waiting for its answer. */
struct request {
	int		 active;
	int		 major;
	int		 minor;
	int		 phase;		/* enum phase, -1 for others */
	int		 judging;	/* the verdict waits for lookups */
	uint64_t	 token;
	struct timespec	 arrived;	/* CLOCK_MONOTONIC */
	struct event	*deadline;	/* only while waiting for lookups */
};

struct session {
	RB_ENTRY(session)	 entry;
	uint64_t		 sid;
	time_t			 last;		/* last line seen */

	struct facts		 facts;		/* points into the strings */
	char			*greeting;
	char			*helo;		/* current HELO argument */
	char			*helo_accepted;	/* last HELO we let through */
	char			*helo_prev;	/* earlier one, for "changed" */
	char			*mail_from;	/* "" for a bounce; only
						   with spf-helo null-sender */
	char			*rcpt;
	char			*rcpt_domain;
	char			*smtpd_rdns;	/* smtpd's, for the log */

	struct verdict_sum	 verdict;	/* the last, for add-header */
	unsigned char		 smtpd_iprev;	/* enum iprev, smtpd's FCrDNS */
	unsigned char		 in_message;	/* data-lines since the last
						   "." */

	struct request		 req;
	struct lookup_set	*lookups;	/* only while lookups are in
						   flight; owned by lookup.c */
	struct held_verdict	*held;		/* verdicts given whose lines
						   wait for lookups */
};

struct session	*session_find(uint64_t);
struct session	*session_get(uint64_t);
void		 session_free(struct session *);
void		 session_free_all(void);
void		 session_on_free(void (*)(struct session *));
void		 session_sweep(time_t, void (*)(struct session *));
void		 session_foreach(void (*)(struct session *));
void		 session_set(char **, const char *);
time_t		 session_clock(void);
void		 session_counts(unsigned long long *, size_t *);

#endif
