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
 * Reload on SIGHUP.  The file is read again into a fresh policy, with
 * the checks of a start; any error keeps the running policy.  stderr
 * is smtpd's log then, so every error line goes through log.c, which
 * never blocks on it, and one summary line ends the reload.
 *
 * Not everything can change while smtpd runs: it asked for the
 * verdict phase once, at start, so a new one is an error, as is
 * "spf-helo null-sender" where it was not (smtpd was not asked for
 * MAIL FROM, and without it the check would judge no bounce); and the
 * resolver was set up before pledge(2), so its settings are kept and
 * the log says that they wait for a restart.
 */
#include "compat.h"

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "policy.h"
#include "reload.h"

static void	reload_error(const char *);
static void	keep_resolver(struct policy *, struct policy *, const char *);
static int	namelist_same(const struct namelist *,
		    const struct namelist *);

static int	reload_errors;

/*
 * file NULL: the built-in defaults again.  Returns the new policy, or
 * NULL when the running one stays.  The running policy's resolver
 * settings move into the new one; the caller frees the old one at
 * once, since nothing keeps it: lookups copy what they read of it.
 */
struct policy *
reload_config(const char *file, struct policy *running)
{
	struct policy	*p;
	const char	*path = file != NULL ? file : "defaults";

	if ((p = malloc(sizeof(*p))) == NULL) {
		log_warn("reload: %s", path);
		return NULL;
	}
	if (policy_init(p) == -1) {
		log_warn("reload: %s", path);
		policy_free(p);
		free(p);
		return NULL;
	}
	reload_errors = 0;
	config_errors_to(reload_error);
	if (file != NULL)
		(void)config_load(p, file);
	(void)config_finish(p, path);
	config_errors_to(NULL);
	if (p->phase != running->phase) {
		log_warnx("%s: verdict-phase %s: smtpd asks for a verdict at "
		    "%s until it restarts", path, phase_name(p->phase),
		    phase_name(running->phase));
		reload_errors++;
	}
	if (p->spf_helo == SPF_HELO_NULL_SENDER &&
	    running->spf_helo != SPF_HELO_NULL_SENDER) {
		log_warnx("%s: spf-helo null-sender: smtpd gives no sender "
		    "until it restarts", path);
		reload_errors++;
	}
	if (reload_errors > 0) {
		log_warnx("reload: %s: %d error%s, keeping the running "
		    "configuration", path, reload_errors,
		    reload_errors == 1 ? "" : "s");
		policy_free(p);
		free(p);
		return NULL;
	}
	keep_resolver(running, p, path);
	/* Without it at start, pledge(2) forbade writing files since. */
	if (running->stats_file == NULL && p->stats_file != NULL) {
		log_warnx("reload: %s: stats-file takes effect at restart",
		    path);
		free(p->stats_file);
		p->stats_file = NULL;
	}
	/* smtpd was asked for message lines at start, or not. */
	if (!running->add_header && p->add_header) {
		log_warnx("reload: %s: add-header takes effect at restart",
		    path);
		p->add_header = 0;
	}
	log_info("reload: %s: loaded", path);
	return p;
}

static void
reload_error(const char *line)
{
	log_warnx("%s", line);
	reload_errors++;
}

/*
 * The verdicts read the trust anchor too (to wait for every answer's
 * validation): the new policy takes what the resolver runs with.
 */
static void
keep_resolver(struct policy *running, struct policy *p, const char *path)
{
	struct namelist	 resolvers;
	int		 res, ta;

	res = !namelist_same(&running->resolvers, &p->resolvers);
	ta = running->dnssec != p->dnssec;
	if (res || ta)
		log_warnx("reload: %s: %s%s%s changes take effect at restart",
		    path, res ? "resolver" : "", res && ta ? " and " : "",
		    ta ? "dnssec" : "");
	resolvers = p->resolvers;
	p->resolvers = running->resolvers;
	running->resolvers = resolvers;
	p->dnssec = running->dnssec;
}

static int
namelist_same(const struct namelist *a, const struct namelist *b)
{
	size_t	i;

	if (a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++)
		if (strcmp(a->v[i], b->v[i]) != 0)
			return 0;
	return 1;
}
