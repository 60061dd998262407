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
 * What the SPF walk needs besides its records: %{p}, the client's
 * validated name, looked up only when a macro asks for it (§7.3), and
 * the explanation of a fail (§6.2), looked up only once the result is
 * known.  Neither counts against the limits: they are bounded by the
 * 10 names of a PTR and by one lookup.
 */
#include "compat.h"

#include <sys/socket.h>

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "dns.h"
#include "spf.h"
#include "spfcheck.h"
#include "spfrecord.h"

/* without exp=: one text, which no sender or record can steer */
#define SPF_EXP_DEFAULT	"the SPF record does not permit this host"

static void	spf_exp_text(struct spf_check *);

/*
 * %{p} (§7.3): the client's names that resolve back to it.  Looked up
 * once, when a macro first needs it; the lookups count in no limit but
 * the deadline, as they are at most 11.
 */
void
spf_p_start(struct spf_check *chk)
{
	char	 rev[DNS_REVERSE_LEN];

	if (dns_reverse_name(&chk->ip, rev, sizeof(rev)) == -1) {
		chk->p_done = 1;
		spf_resume(chk);
		return;
	}
	spf_ask(chk, WAIT_P, rev, DNS_TYPE_PTR);
}

void
spf_p_answer(struct spf_check *chk, const struct dns_result *res)
{
	char	*names[SPF_NAMES_MAX];
	size_t	 i, n = 0;

	if (res->status != DNS_FOUND) {
		chk->p_done = 1;
		spf_resume(chk);
		return;
	}
	for (i = 0; i < res->nnames && n < SPF_NAMES_MAX; i++)
		if (strlen(res->names[i]) <= SPF_NAME_MAX)
			names[n++] = res->names[i];
	/* the slots say which were validated; the names are kept here */
	for (i = 0; i < n; i++)
		strlcpy(chk->p_names[i], names[i], SPF_NAME_LEN);
	spf_batch(chk, WAIT_P_NAMES, names, n, 32, 128);
}

/* %{p} known: back to what needed it. */
void
spf_resume(struct spf_check *chk)
{
	size_t	 i, k = 0;

	/* keep the validated names only, in their order */
	if (chk->wait == WAIT_P_NAMES) {
		for (i = 0; i < chk->nslots; i++)
			if (chk->slots[i].match)
				memmove(chk->p_names[k++], chk->p_names[i],
				    SPF_NAME_LEN);
		chk->np = k;
	}
	chk->wait = WAIT_NONE;
	switch (chk->exp) {
	case EXP_TARGET:
		spf_exp_start(chk);
		break;
	case EXP_TEXT:
		spf_exp_text(chk);
		break;
	default:
		spf_run(chk, STEP_EVAL);
		break;
	}
}

/*
 * The result is fail: the explanation of the record that failed, if it
 * has exp= (§6.2).  Whatever goes wrong on the way gives the default,
 * never another result.
 */
void
spf_exp_start(struct spf_check *chk)
{
	struct spf_frame	*f = &chk->frames[0];
	struct spf_macros	 m;
	char			 name[SPF_NAME_LEN];

	chk->result = SPF_FAIL;
	chk->exp = EXP_TARGET;
	if (f->rec.exp == NULL) {
		spf_exp_default(chk);
		return;
	}
	if (spf_macro_uses_p(f->rec.exp) && !chk->p_done) {
		spf_p_start(chk);
		return;
	}
	spf_macros(chk, f->domain, &m);
	if (spf_target(f->rec.exp, &m, name) == -1) {
		spf_exp_default(chk);
		return;
	}
	spf_ask(chk, WAIT_EXP, name, DNS_TYPE_TXT);
}

void
spf_exp_answer(struct spf_check *chk, const struct dns_result *res)
{
	const struct dns_txt	*t;

	if (res->status != DNS_FOUND || res->ntxts != 1) {
		spf_exp_default(chk);
		return;
	}
	t = &res->txts[0];
	if (memchr(t->text, '\0', t->len) != NULL ||
	    (chk->exp_text = strdup(t->text)) == NULL) {
		spf_exp_default(chk);
		return;
	}
	chk->exp = EXP_TEXT;
	if (spf_macro_uses_p(chk->exp_text) && !chk->p_done) {
		spf_p_start(chk);
		return;
	}
	spf_exp_text(chk);
}

static void
spf_exp_text(struct spf_check *chk)
{
	struct spf_macros	 m;

	spf_macros(chk, chk->frames[0].domain, &m);
	if (spf_explain(chk->exp_text, strlen(chk->exp_text), &m,
	    chk->explanation, sizeof(chk->explanation)) == -1) {
		spf_exp_default(chk);
		return;
	}
	spf_finish(chk, SPF_FAIL, NULL);
}

void
spf_exp_default(struct spf_check *chk)
{
	strlcpy(chk->explanation, SPF_EXP_DEFAULT, sizeof(chk->explanation));
	spf_finish(chk, SPF_FAIL, NULL);
}

/*
 * The macros for a record of domain.  %{p} is the validated name that
 * is the domain, else one under it, else any (§7.3).
 */
void
spf_macros(struct spf_check *chk, const char *domain, struct spf_macros *m)
{
	size_t	 i;

	memset(m, 0, sizeof(*m));
	m->sender = chk->sender;
	m->local = chk->local;
	m->sender_domain = chk->sender_domain;
	m->domain = domain;
	m->ip = &chk->ip;
	m->helo = chk->helo;
	m->receiver = chk->receiver;
	m->now = time(NULL);
	for (i = 0; i < chk->np && m->ptr == NULL; i++)
		if (strcasecmp(chk->p_names[i], domain) == 0)
			m->ptr = chk->p_names[i];
	for (i = 0; i < chk->np && m->ptr == NULL; i++)
		if (spf_name_under(chk->p_names[i], domain))
			m->ptr = chk->p_names[i];
	if (m->ptr == NULL && chk->np > 0)
		m->ptr = chk->p_names[0];
}
