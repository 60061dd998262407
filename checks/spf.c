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
 * check_host() (RFC 7208 §4) walked on the resolver.  The records in
 * the walk are a stack of frames: include pushes one, redirect replaces
 * the one on top, as its result is the result of the record that has
 * it.  Terms are decided left to right, one lookup at a time, since the
 * first match decides; only the addresses of an MX's or a PTR's names,
 * which are all looked at anyway, are asked at once.
 *
 * The limits bound the walk: 10 terms that look something up (so at
 * most 11 frames), 2 of them void, 10 names of an MX or a PTR.  One
 * deadline for the whole check: past it, every lookup is left and the
 * result is temperror.
 */
#include "compat.h"

#include <sys/socket.h>
#include <sys/time.h>

#include <event.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dns.h"
#include "spf.h"
#include "spfcheck.h"
#include "spfrecord.h"

static int	spf_identity(struct spf_check *, const struct spf_request *);
static void	spf_open(struct spf_check *, const char *, int);
static void	spf_answer(const struct dns_result *, void *);
static void	spf_record_answer(struct spf_check *,
		    const struct dns_result *);
static enum spf_step spf_term(struct spf_check *, struct spf_frame *,
		    const struct spf_term *);
static void	spf_term_answer(struct spf_check *,
		    const struct dns_result *);
static int	spf_frame_done(struct spf_check *, enum spf_result);
static void	spf_slot_answer(const struct dns_result *, void *);
static void	spf_batch_done(struct spf_check *);
static int	spf_addr_match(const struct spf_check *,
		    const struct dns_result *, int, int);
static int	spf_lookup_type(const struct spf_check *);
static long	spf_remaining(const struct spf_check *);
static void	spf_stop(struct spf_check *);
static void	spf_deadline(int, short, void *);
static void	spf_soon(int, short, void *);
static void	spf_deliver(struct spf_check *);
static void	spf_free(struct spf_check *);

struct spf_check *
spf_check_start(const struct spf_request *req, long timeout_ms, spf_cb cb,
    void *arg)
{
	struct event_base	*base;
	struct spf_check	*chk;
	struct timeval		 tv;
	char			 domain[SPF_NAME_LEN];
	size_t			 len;

	if (req->domain == NULL || (base = dns_event_base()) == NULL ||
	    (chk = calloc(1, sizeof(*chk))) == NULL)
		return NULL;
	chk->cb = cb;
	chk->arg = arg;
	if (spf_identity(chk, req) == -1) {
		spf_free(chk);
		return NULL;
	}
	if (timeout_ms < 0)
		timeout_ms = 0;
	clock_gettime(CLOCK_MONOTONIC, &chk->end);
	chk->end.tv_sec += timeout_ms / 1000;
	chk->end.tv_nsec += timeout_ms % 1000 * 1000000;
	if (chk->end.tv_nsec >= 1000000000) {
		chk->end.tv_sec++;
		chk->end.tv_nsec -= 1000000000;
	}
	evtimer_set(&chk->deadline, spf_deadline, chk);
	event_base_set(base, &chk->deadline);
	evtimer_set(&chk->soon, spf_soon, chk);
	event_base_set(base, &chk->soon);
	tv.tv_sec = timeout_ms / 1000;
	tv.tv_usec = timeout_ms % 1000 * 1000;
	evtimer_add(&chk->deadline, &tv);

	chk->starting = 1;
	if (!spf_domain_valid(req->domain))
		spf_finish(chk, SPF_NONE, "not a domain");
	else {
		/* %{d} without the trailing dot */
		len = strlcpy(domain, req->domain, sizeof(domain));
		if (domain[len - 1] == '.')
			domain[len - 1] = '\0';
		spf_open(chk, domain, 0);
	}
	chk->starting = 0;
	return chk;
}

void
spf_check_cancel(struct spf_check *chk)
{
	if (chk == NULL)
		return;
	spf_stop(chk);
	evtimer_del(&chk->soon);
	spf_free(chk);
}

/*
 * The identity and what macros read of it (§4.3): a sender without a
 * local-part is postmaster's, an IPv4-mapped client is IPv4.
 */
static int
spf_identity(struct spf_check *chk, const struct spf_request *req)
{
	static const uint8_t	 mapped[12] = { [10] = 0xff, [11] = 0xff };
	const char		*s = req->sender, *at;
	char			*dom;
	size_t			 len;

	chk->ip = req->ip;
	if (chk->ip.family == AF_INET6 &&
	    memcmp(chk->ip.bytes, mapped, sizeof(mapped)) == 0) {
		memmove(chk->ip.bytes, chk->ip.bytes + 12, 4);
		memset(chk->ip.bytes + 4, 0, 12);
		chk->ip.family = AF_INET;
	}
	if ((dom = strdup(req->domain)) == NULL)
		return -1;
	len = strlen(dom);
	if (len > 1 && dom[len - 1] == '.')
		dom[len - 1] = '\0';
	if (s != NULL && *s != '\0' && (at = strrchr(s, '@')) != NULL) {
		chk->local = at == s ? strdup("postmaster") :
		    strndup(s, at - s);
		chk->sender_domain = strdup(at + 1);
		free(dom);
	} else {
		chk->local = strdup("postmaster");
		chk->sender_domain = dom;
	}
	if (chk->local == NULL || chk->sender_domain == NULL)
		return -1;
	if (asprintf(&chk->sender, "%s@%s", chk->local,
	    chk->sender_domain) == -1) {
		chk->sender = NULL;
		return -1;
	}
	chk->helo = strdup(req->helo != NULL ? req->helo : req->domain);
	if (req->receiver != NULL)
		chk->receiver = strdup(req->receiver);
	if (chk->helo == NULL || (req->receiver != NULL &&
	    chk->receiver == NULL))
		return -1;
	return 0;
}

/* A frame for the record of name, pushed (include) or on top. */
static void
spf_open(struct spf_check *chk, const char *name, int push)
{
	struct spf_frame	*f;

	if (push || chk->depth == 0) {
		if (chk->depth == SPF_DEPTH_MAX) {
			spf_finish(chk, SPF_PERMERROR, "includes too deep");
			return;
		}
		f = &chk->frames[chk->depth++];
		memset(f, 0, sizeof(*f));
	} else {
		f = &chk->frames[chk->depth - 1];
		spf_record_free(&f->rec);
		f->redirected = 1;
	}
	f->off = 0;
	f->current = 0;
	f->counted = 0;
	strlcpy(f->domain, name, sizeof(f->domain));
	spf_ask(chk, WAIT_RECORD, f->domain, DNS_TYPE_TXT);
}

void
spf_ask(struct spf_check *chk, enum spf_wait wait, const char *name,
    int type)
{
	chk->wait = wait;
	chk->lookups++;
	if ((chk->q = dns_query(name, type, spf_remaining(chk), spf_answer,
	    chk)) == NULL)
		spf_finish(chk, SPF_TEMPERROR, "out of memory");
}

static void
spf_answer(const struct dns_result *res, void *arg)
{
	struct spf_check	*chk = arg;

	chk->q = NULL;
	switch (chk->wait) {
	case WAIT_RECORD:
		spf_record_answer(chk, res);
		break;
	case WAIT_TERM:
		spf_term_answer(chk, res);
		break;
	case WAIT_P:
		spf_p_answer(chk, res);
		break;
	case WAIT_EXP:
		spf_exp_answer(chk, res);
		break;
	default:
		break;
	}
}

/*
 * The record of the frame on top (§4.4, §4.5).  None is the check's
 * result only for the domain it was asked about: an include or a
 * redirect to a domain without a record is a permerror (§5.2, §6.1).
 */
static void
spf_record_answer(struct spf_check *chk, const struct dns_result *res)
{
	struct spf_frame	*f = &chk->frames[chk->depth - 1];
	char			 err[SPF_PROBLEM_LEN];
	size_t			 idx;
	int			 n;

	if (res->status == DNS_ERROR) {
		spf_finish(chk, SPF_TEMPERROR, "%s at %s",
		    dns_result_name(res), f->domain);
		return;
	}
	n = res->status == DNS_FOUND ?
	    spf_record_select(res->txts, res->ntxts, &idx) : 0;
	if (n == -1) {
		spf_finish(chk, SPF_PERMERROR, "more than one SPF record at %s",
		    f->domain);
		return;
	}
	if (n == 0) {
		if (chk->depth > 1 || f->redirected)
			spf_finish(chk, SPF_PERMERROR, "no SPF record at %s",
			    f->domain);
		else
			spf_finish(chk, SPF_NONE, "no SPF record");
		return;
	}
	switch (spf_record_parse(res->txts[idx].text, res->txts[idx].len,
	    &f->rec, err, sizeof(err))) {
	case -1:
		spf_finish(chk, SPF_PERMERROR, "%s at %s", err, f->domain);
		return;
	case -2:
		spf_finish(chk, SPF_TEMPERROR, "out of memory");
		return;
	}
	spf_run(chk, STEP_EVAL);
}

/*
 * The walk, from the term on top, as far as it goes without waiting:
 * step is the outcome of that term if it is known.
 */
void
spf_run(struct spf_check *chk, enum spf_step step)
{
	struct spf_frame	*f;
	const struct spf_term	*t;
	struct spf_macros	 m;
	char			 name[SPF_NAME_LEN];
	enum spf_result		 r;

	for (;;) {
		f = &chk->frames[chk->depth - 1];
		/* parsed whole before: a directive reads again without fail */
		if (!f->current)
			f->current = spf_record_next(&f->rec, &f->off,
			    &f->term) == 1;
		if (f->current) {
			t = &f->term;
			if (step == STEP_EVAL)
				step = spf_term(chk, f, t);
			if (step == STEP_WAIT)
				return;
			if (step == STEP_NOMATCH) {
				f->current = 0;
				f->counted = 0;
				step = STEP_EVAL;
				continue;
			}
			r = t->qualifier;
			if (chk->depth == 1)
				strlcpy(chk->problem, t->text,
				    sizeof(chk->problem));
		} else if (f->rec.redirect != NULL) {
			if (!f->counted && ++chk->terms > SPF_TERMS_MAX) {
				spf_finish(chk, SPF_PERMERROR,
				    "more than %d DNS lookups", SPF_TERMS_MAX);
				return;
			}
			f->counted = 1;
			if (spf_macro_uses_p(f->rec.redirect) && !chk->p_done) {
				spf_p_start(chk);
				return;
			}
			spf_macros(chk, f->domain, &m);
			if (spf_target(f->rec.redirect, &m, name) == -1) {
				spf_finish(chk, SPF_PERMERROR,
				    "redirect to no domain at %s", f->domain);
				return;
			}
			spf_open(chk, name, 0);
			return;
		} else {
			r = SPF_NEUTRAL;
			if (chk->depth == 1)
				strlcpy(chk->problem, "default",
				    sizeof(chk->problem));
		}
		if (spf_frame_done(chk, r) == -1)
			return;
		step = STEP_EVAL;
	}
}

/*
 * A frame's result.  The check's own frame ends the check (fail looks
 * for its explanation first); an include's gives the term that included
 * it a match or not (§5.2).  0: the walk goes on; -1: it is over, or
 * waits.
 */
static int
spf_frame_done(struct spf_check *chk, enum spf_result r)
{
	struct spf_frame	*f;
	const struct spf_term	*t;

	while (chk->depth > 1) {
		spf_record_free(&chk->frames[--chk->depth].rec);
		f = &chk->frames[chk->depth - 1];
		t = &f->term;
		if (r != SPF_PASS) {
			f->current = 0;
			f->counted = 0;
			return 0;
		}
		/* the include matched: the record that has it is done */
		r = t->qualifier;
		if (chk->depth == 1)
			strlcpy(chk->problem, t->text, sizeof(chk->problem));
	}
	if (r == SPF_FAIL)
		spf_exp_start(chk);
	else
		spf_finish(chk, r, NULL);
	return -1;
}

/*
 * One term: decided at once, or its lookup started (STEP_WAIT).  A
 * target that is no name matches nothing (§4.8: it does not exist),
 * but an include of it is a permerror, as its check_host() is none.
 */
static enum spf_step
spf_term(struct spf_check *chk, struct spf_frame *f, const struct spf_term *t)
{
	struct spf_macros	 m;
	char			 name[SPF_NAME_LEN], rev[DNS_REVERSE_LEN];

	switch (t->mech) {
	case SPF_MECH_ALL:
		return STEP_MATCH;
	case SPF_MECH_IP4:
	case SPF_MECH_IP6:
		return cidr_match(&t->net, &chk->ip) ? STEP_MATCH :
		    STEP_NOMATCH;
	default:
		break;
	}
	if (!f->counted && ++chk->terms > SPF_TERMS_MAX) {
		spf_finish(chk, SPF_PERMERROR, "more than %d DNS lookups",
		    SPF_TERMS_MAX);
		return STEP_WAIT;
	}
	f->counted = 1;
	if (t->domain != NULL && spf_macro_uses_p(t->domain) &&
	    !chk->p_done) {
		spf_p_start(chk);
		return STEP_WAIT;
	}
	spf_macros(chk, f->domain, &m);
	if (t->domain == NULL)
		strlcpy(name, f->domain, sizeof(name));
	else if (spf_target(t->domain, &m, name) == -1) {
		if (t->mech != SPF_MECH_INCLUDE)
			return STEP_NOMATCH;
		spf_finish(chk, SPF_PERMERROR, "include of no domain at %s",
		    f->domain);
		return STEP_WAIT;
	}
	switch (t->mech) {
	case SPF_MECH_INCLUDE:
		spf_open(chk, name, 1);
		break;
	case SPF_MECH_A:
		spf_ask(chk, WAIT_TERM, name, spf_lookup_type(chk));
		break;
	case SPF_MECH_MX:
		spf_ask(chk, WAIT_TERM, name, DNS_TYPE_MX);
		break;
	case SPF_MECH_EXISTS:
		spf_ask(chk, WAIT_TERM, name, DNS_TYPE_A);
		break;
	case SPF_MECH_PTR:
		strlcpy(chk->target, name, sizeof(chk->target));
		if (dns_reverse_name(&chk->ip, rev, sizeof(rev)) == -1)
			return STEP_NOMATCH;
		spf_ask(chk, WAIT_TERM, rev, DNS_TYPE_PTR);
		break;
	default:
		break;
	}
	return STEP_WAIT;
}

/* The lookup of a, mx, ptr or exists answered (§5.3 to §5.7). */
static void
spf_term_answer(struct spf_check *chk, const struct dns_result *res)
{
	struct spf_frame	*f = &chk->frames[chk->depth - 1];
	const struct spf_term	*t = &f->term;
	char			*names[SPF_NAMES_MAX];
	size_t			 i, n = 0;

	if (res->status == DNS_ERROR) {
		/* a ptr that cannot be looked up just does not match */
		if (t->mech == SPF_MECH_PTR)
			spf_run(chk, STEP_NOMATCH);
		else
			spf_finish(chk, SPF_TEMPERROR, "%s at %s",
			    dns_result_name(res), f->domain);
		return;
	}
	if (res->status != DNS_FOUND) {
		if (++chk->voids > SPF_VOIDS_MAX) {
			spf_finish(chk, SPF_PERMERROR,
			    "more than %d void lookups", SPF_VOIDS_MAX);
			return;
		}
		spf_run(chk, STEP_NOMATCH);
		return;
	}
	switch (t->mech) {
	case SPF_MECH_A:
		spf_run(chk, spf_addr_match(chk, res, t->cidr4, t->cidr6) ?
		    STEP_MATCH : STEP_NOMATCH);
		break;
	case SPF_MECH_EXISTS:
		spf_run(chk, STEP_MATCH);
		break;
	case SPF_MECH_MX:
		if (res->nnames > SPF_NAMES_MAX) {
			spf_finish(chk, SPF_PERMERROR,
			    "more than %d MX names at %s", SPF_NAMES_MAX,
			    f->domain);
			return;
		}
		spf_batch(chk, WAIT_NAMES, res->names, res->nnames, t->cidr4,
		    t->cidr6);
		break;
	case SPF_MECH_PTR:
		/* only names that could match need be validated (§5.5) */
		for (i = 0; i < res->nnames && i < SPF_NAMES_MAX; i++)
			if (spf_name_under(res->names[i], chk->target))
				names[n++] = res->names[i];
		spf_batch(chk, WAIT_NAMES, names, n, 32, 128);
		break;
	default:
		break;
	}
}

/*
 * The addresses of names, asked at once; a name that cannot be asked
 * (too long, or with octets the resolver would misread) has none.
 */
void
spf_batch(struct spf_check *chk, enum spf_wait wait, char *const *names,
    size_t n, int cidr4, int cidr6)
{
	struct spf_slot	*s;
	size_t		 i;

	chk->wait = wait;
	chk->cidr4 = cidr4;
	chk->cidr6 = cidr6;
	chk->nslots = n;
	chk->pending = 0;
	for (i = 0; i < n; i++) {
		s = &chk->slots[i];
		memset(s, 0, sizeof(*s));
		s->chk = chk;
		if (strlen(names[i]) > SPF_NAME_MAX ||
		    strchr(names[i], '\\') != NULL)
			continue;
		chk->lookups++;
		if ((s->q = dns_query(names[i], spf_lookup_type(chk),
		    spf_remaining(chk), spf_slot_answer, s)) == NULL) {
			spf_finish(chk, SPF_TEMPERROR, "out of memory");
			return;
		}
		chk->pending++;
	}
	if (chk->pending == 0)
		spf_batch_done(chk);
}

static void
spf_slot_answer(const struct dns_result *res, void *arg)
{
	struct spf_slot		*s = arg;
	struct spf_check	*chk = s->chk;

	s->q = NULL;
	s->failed = res->status == DNS_ERROR;
	s->match = res->status == DNS_FOUND &&
	    spf_addr_match(chk, res, chk->cidr4, chk->cidr6);
	if (--chk->pending == 0)
		spf_batch_done(chk);
}

/*
 * Every name answered.  For mx the names are taken in order, so that
 * an error before a match is the temperror a lookup one by one would
 * have given; ptr skips names whose lookup failed (§5.5).
 */
static void
spf_batch_done(struct spf_check *chk)
{
	struct spf_frame	*f = &chk->frames[chk->depth - 1];
	size_t			 i;

	if (chk->wait == WAIT_P_NAMES) {
		chk->p_done = 1;
		spf_resume(chk);
		return;
	}
	for (i = 0; i < chk->nslots; i++) {
		if (chk->slots[i].failed &&
		    f->term.mech == SPF_MECH_MX) {
			spf_finish(chk, SPF_TEMPERROR,
			    "lookup failed for an MX name at %s", f->domain);
			return;
		}
		if (chk->slots[i].match) {
			spf_run(chk, STEP_MATCH);
			return;
		}
	}
	spf_run(chk, STEP_NOMATCH);
}

/* Whether one of the addresses is the client's, to the prefix. */
static int
spf_addr_match(const struct spf_check *chk, const struct dns_result *res,
    int cidr4, int cidr6)
{
	struct cidr	 c;
	size_t		 i;

	for (i = 0; i < res->naddrs; i++) {
		c.addr = res->addrs[i];
		c.plen = c.addr.family == AF_INET ? cidr4 : cidr6;
		if (cidr_match(&c, &chk->ip))
			return 1;
	}
	return 0;
}

/* The addresses of a name are those of the client's family (§5.3). */
static int
spf_lookup_type(const struct spf_check *chk)
{
	return chk->ip.family == AF_INET ? DNS_TYPE_A : DNS_TYPE_AAAA;
}

static long
spf_remaining(const struct spf_check *chk)
{
	struct timespec	 now;
	long long	 ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (chk->end.tv_sec - now.tv_sec) * 1000LL +
	    (chk->end.tv_nsec - now.tv_nsec) / 1000000;
	return ms < 1 ? 1 : (long)ms;
}

/*
 * The result, once: every lookup left, the callback run now, or on the
 * next turn of the loop if the check is still starting.  A matched term
 * already in problem stays, unless a reason is given.
 */
void
spf_finish(struct spf_check *chk, enum spf_result r, const char *fmt, ...)
{
	static const struct timeval	 zero = { 0, 0 };
	va_list				 ap;
	char				*p;

	if (chk->done)
		return;
	chk->done = 1;
	chk->result = r;
	if (fmt != NULL) {
		va_start(ap, fmt);
		vsnprintf(chk->problem, sizeof(chk->problem), fmt, ap);
		va_end(ap);
	}
	/* names come from DNS and senders: the log gets printable ASCII */
	for (p = chk->problem; *p != '\0'; p++)
		if ((*p & 0xff) < ' ' || (*p & 0xff) > '~')
			*p = '?';
	spf_stop(chk);
	if (chk->starting)
		evtimer_add(&chk->soon, &zero);
	else
		spf_deliver(chk);
}

/* Every lookup left, the deadline off. */
static void
spf_stop(struct spf_check *chk)
{
	size_t	 i;

	dns_cancel(chk->q);
	chk->q = NULL;
	for (i = 0; i < chk->nslots; i++) {
		dns_cancel(chk->slots[i].q);
		chk->slots[i].q = NULL;
	}
	chk->pending = 0;
	evtimer_del(&chk->deadline);
}

/* Past the deadline: temperror, or fail without its explanation. */
static void
spf_deadline(int fd, short events, void *arg)
{
	struct spf_check	*chk = arg;

	if (chk->exp != EXP_NONE) {
		spf_stop(chk);
		spf_exp_default(chk);
		return;
	}
	spf_finish(chk, SPF_TEMPERROR, "timeout after %u lookups",
	    chk->lookups);
}

static void
spf_soon(int fd, short events, void *arg)
{
	spf_deliver(arg);
}

static void
spf_deliver(struct spf_check *chk)
{
	struct spf_outcome	 o;

	memset(&o, 0, sizeof(o));
	o.result = chk->result;
	o.explanation = chk->result == SPF_FAIL ? chk->explanation : NULL;
	o.problem = chk->problem[0] != '\0' ? chk->problem : NULL;
	o.lookups = chk->lookups;
	chk->cb(&o, chk->arg);
	spf_free(chk);
}

static void
spf_free(struct spf_check *chk)
{
	size_t	 i;

	for (i = 0; i < chk->depth; i++)
		spf_record_free(&chk->frames[i].rec);
	free(chk->exp_text);
	free(chk->sender);
	free(chk->local);
	free(chk->sender_domain);
	free(chk->helo);
	free(chk->receiver);
	free(chk);
}
