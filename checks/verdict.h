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
 * The checks and the decision.  verdict_decide() is pure: it reads the
 * policy and the facts and says which checks fired, which are unknown,
 * and whether the answer must wait for lookups still in flight.
 */
#ifndef VERDICT_H
#define VERDICT_H

#include "facts.h"
#include "memory.h"
#include "policy.h"

enum check_state {
	CS_CLEAR,		/* ran, did not fire (or not applicable) */
	CS_FIRED,
	CS_UNKNOWN,		/* a lookup it needs failed */
	CS_WAIT			/* a lookup it needs is in flight */
};

/* The kinds of exemption: verdict.exempt is one of their names. */
enum exempt {
	EXEMPT_AUTHENTICATED,
	EXEMPT_LOCAL,
	EXEMPT_OWN_ADDRESS,
	EXEMPT_PASS_CLIENT,
	EXEMPT_PASS_HELO,
	EXEMPT_PASS_RCPT,
	EXEMPT_PASS_RDNS,
	EXEMPT_COUNT
};

struct verdict {
	enum action		 action;
	int			 check;		/* replying check, or -1 */
	enum check_state	 state[CHECK_COUNT];
	const char		*exempt;	/* why, when exempt */
	int			 spared[CHECK_COUNT]; /* by "except": its
						   kind + 1, or 0 */
	const char		*domain;	/* %d: rcpt-domain's match, or
						   the zone that lists (dbl) */
	int			 wait;		/* some needed facts pending */
	char			 rotation[ROTATION_FMT_MAX];
						/* "7/1d" when it fired */
};

int	verdict_needs(const struct policy *);
int	verdict_plan(const struct policy *, struct facts *);
const char *exempt_name(enum exempt);
void	verdict_decide(const struct policy *, const struct facts *,
	    struct verdict *);
int	verdict_complete(const struct policy *, const struct facts *,
	    struct verdict *);
int	verdict_reply(const struct policy *, const struct facts *,
	    const struct verdict *, char *, size_t);
void	verdict_learn(const struct policy *, const struct facts *,
	    const struct verdict *, struct memory *);
int	verdict_list(const struct verdict *, enum check_state, char *,
	    size_t);
int	verdict_spared(const struct verdict *, char *, size_t);

#endif
