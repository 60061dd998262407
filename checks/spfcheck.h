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
 * Inside the SPF check: the walk (spf.c) and what it needs besides,
 * the explanation of a fail and %{p} (spfexp.c), share the check's
 * state.  No other file includes this.
 */
#ifndef SPFCHECK_H
#define SPFCHECK_H

#include <sys/time.h>

#include <event.h>
#include <time.h>

#include "dns.h"
#include "spf.h"
#include "spfrecord.h"

#define SPF_TERMS_MAX	10	/* terms that look up (§4.6.4) */
#define SPF_VOIDS_MAX	2	/* lookups with no answer (§4.6.4) */
#define SPF_NAMES_MAX	10	/* names of an MX or PTR looked at */
#define SPF_DEPTH_MAX	(SPF_TERMS_MAX + 1)
#define SPF_EXP_LEN	1024	/* an explanation, expanded */

/* What the check waits for. */
enum spf_wait {
	WAIT_NONE,
	WAIT_RECORD,		/* the TXT records of the frame on top */
	WAIT_TERM,		/* a, mx, ptr, exists: its lookup */
	WAIT_NAMES,		/* mx, ptr: the addresses of its names */
	WAIT_P,			/* %{p}: the PTR names */
	WAIT_P_NAMES,		/* %{p}: their addresses */
	WAIT_EXP		/* the explanation */
};

/* Where the explanation is, once the result is fail. */
enum spf_exp {
	EXP_NONE,
	EXP_TARGET,		/* its name to expand and look up */
	EXP_TEXT		/* its text to expand */
};

/* A term's outcome, as spf_run() goes on with it. */
enum spf_step {
	STEP_EVAL,		/* the term is still to be looked at */
	STEP_MATCH,
	STEP_NOMATCH,
	STEP_WAIT		/* a lookup runs, or the check is over */
};

struct spf_frame {
	struct spf_record	 rec;
	char			 domain[SPF_NAME_LEN];
	size_t			 off;		/* in the record, past... */
	struct spf_term		 term;		/* ...the term looked at */
	int			 current;	/* term is read */
	int			 counted;	/* it was counted */
	int			 redirected;	/* came by redirect= */
};

/* One of the names whose addresses are asked at once. */
struct spf_slot {
	struct spf_check	*chk;
	struct dns_query	*q;
	int			 failed;	/* DNS_ERROR */
	int			 match;
};

struct spf_check {
	struct spf_frame	 frames[SPF_DEPTH_MAX];
	size_t			 depth;
	enum spf_wait		 wait;
	struct dns_query	*q;
	struct spf_slot		 slots[SPF_NAMES_MAX];
	size_t			 nslots, pending;
	int			 cidr4, cidr6;	/* of the slots' match */
	char			 target[SPF_NAME_LEN];	/* ptr's */

	struct addr		 ip;
	char			*sender, *local, *sender_domain;
	char			*helo, *receiver;
	unsigned int		 terms, voids, lookups;

	int			 p_done;
	char			 p_names[SPF_NAMES_MAX][SPF_NAME_LEN];
	size_t			 np;

	enum spf_exp		 exp;
	char			*exp_text;
	char			 explanation[SPF_EXP_LEN];

	struct event		 deadline, soon;
	struct timespec		 end;
	int			 starting, done;
	enum spf_result		 result;
	char			 problem[SPF_PROBLEM_LEN];
	spf_cb			 cb;
	void			*arg;
};

/* spf.c */
void	spf_ask(struct spf_check *, enum spf_wait, const char *, int);
void	spf_batch(struct spf_check *, enum spf_wait, char *const *, size_t,
	    int, int);
void	spf_run(struct spf_check *, enum spf_step);
void	spf_finish(struct spf_check *, enum spf_result, const char *, ...)
	    __attribute__((format(printf, 3, 4)));

/* spfexp.c */
void	spf_p_start(struct spf_check *);
void	spf_p_answer(struct spf_check *, const struct dns_result *);
void	spf_resume(struct spf_check *);
void	spf_exp_start(struct spf_check *);
void	spf_exp_answer(struct spf_check *, const struct dns_result *);
void	spf_exp_default(struct spf_check *);
void	spf_macros(struct spf_check *, const char *, struct spf_macros *);

#endif
