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
 * filter-helo: judge the HELO/EHLO name of SMTP clients.
 * main() is the lifecycle: options, configuration, then the front end.
 */
#include "compat.h"

#include <err.h>
#include <event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "config.h"
#include "dns.h"
#include "exim.h"
#include "log.h"
#include "policy.h"
#include "policyd.h"
#include "priv.h"
#include "reload.h"
#include "report.h"
#include "smtpd.h"
#include "stats.h"
#include "version.h"

struct signal_handler {
	int		 signo;
	const char	*name;
	void		(*fn)(const struct signal_handler *,
			    struct event_base *);
};

static __dead void	usage(void);
static void	signals_init(struct event_base *);
static void	signals_done(void);
static void	on_signal(int, short, void *);
#ifdef EVENT__NUMERIC_VERSION
static void	on_event_fatal(int);
#endif
static void	sig_stop(const struct signal_handler *, struct event_base *);
static void	sig_reload(const struct signal_handler *,
	    struct event_base *);
static void	sig_stats(const struct signal_handler *,
		    struct event_base *);

static const struct signal_handler signal_handlers[] = {
	{ SIGTERM,	"SIGTERM",	sig_stop },
	{ SIGINT,	"SIGINT",	sig_stop },
	{ SIGHUP,	"SIGHUP",	sig_reload },
	{ SIGUSR1,	"SIGUSR1",	sig_stats },
};
static struct event	signal_events[nitems(signal_handlers)];

/*
 * The long-running front ends: smtpd's filter, and the policy server on
 * a socket (-S) or on stdin and stdout (-P).
 */
enum mode {
	MODE_FILTER,
	MODE_EXIM,
	MODE_POLICY_SOCKET,
	MODE_POLICY_STDIO
};

static const struct front_end {
	void	(*set_policy)(const struct policy *);
	/* pledge(2) beyond the resolver's, before stats-file's */
	const char *promises;
} front_ends[] = {
	[MODE_FILTER] =		{ smtpd_set_policy,	"" },
	[MODE_POLICY_SOCKET] =	{ policyd_set_policy,	" unix" },
	[MODE_POLICY_STDIO] =	{ policyd_set_policy,	"" },
};

/* What SIGHUP reads again, and the policy in force. */
static struct {
	const char	*file;		/* NULL: the built-in defaults */
	struct policy	*policy;
	enum mode	 mode;
} running;

/*
 * Exim reads exit 1 as "reject": a usage error exits 64 in every mode,
 * since -E may come after the mistake, and so does an internal error.
 */
static __dead void
usage(void)
{
	fprintf(stderr, "usage: %s [-nv] [-f file]\n"
	    "       %s -E [-v] [-f file] helo=name [name=value ...]\n"
	    "       %s -S socket [-dv] [-f file] [-g group] [-u user]\n"
	    "       %s -P [-dv] [-f file]\n",
	    getprogname(), getprogname(), getprogname(), getprogname());
	exit(EXIM_EX_USAGE);
}

int
main(int argc, char *argv[])
{
	struct policy		*policy;
	struct event_base	*base;
	const char		*conffile = NULL, *sockpath = NULL;
	const char		*user = NULL, *group = NULL;
	struct dns_conf		 dnsconf;
	char			 dnserr[1024], promises[128];
	enum mode		 mode = MODE_FILTER;
	int			 ch, check_only = 0, exim_mode = 0, status;
	int			 verbose = 0, to_stderr = 0, lfd = -1;
	int			 nmodes = 0;

	/* Not fatal, in either mode, before the loop handles them too. */
	signal(SIGHUP, SIG_IGN);
	signal(SIGUSR1, SIG_IGN);
	log_fatal_status(EXIM_EX_SOFTWARE);
#ifdef EVENT__NUMERIC_VERSION
	/* libevent's own exit(1) would read to Exim as a refusal. */
	event_set_fatal_callback(on_event_fatal);
#endif
	while ((ch = getopt(argc, argv, "dEf:g:nPS:u:v")) != -1) {
		switch (ch) {
		case 'd':
			to_stderr = 1;
			break;
		case 'E':
			exim_mode = 1;
			mode = MODE_EXIM;
			nmodes++;
			break;
		case 'f':
			conffile = optarg;
			break;
		case 'g':
			group = optarg;
			break;
		case 'P':
			mode = MODE_POLICY_STDIO;
			nmodes++;
			break;
		case 'S':
			sockpath = optarg;
			mode = MODE_POLICY_SOCKET;
			nmodes++;
			break;
		case 'u':
			user = optarg;
			break;
		case 'n':
			check_only = 1;
			break;
		case 'v':
			verbose = 1;
			break;
		default:
			usage();
		}
	}
	if (nmodes > 1 || (exim_mode && check_only) ||
	    (!exim_mode && optind != argc) ||
	    ((user != NULL || group != NULL) && mode != MODE_POLICY_SOCKET) ||
	    (to_stderr && mode != MODE_POLICY_SOCKET &&
	    mode != MODE_POLICY_STDIO))
		usage();
	running.mode = mode;

	/*
	 * Exim takes our stdout for the reply, and a policy server runs
	 * without a terminal (Postfix's spawn gives it a socket): they log
	 * to syslog, a policy server to stderr with -d.
	 */
	log_init(verbose, exim_mode || ((mode == MODE_POLICY_SOCKET ||
	    mode == MODE_POLICY_STDIO) && !to_stderr));
	if ((policy = malloc(sizeof(*policy))) == NULL)
		err(exim_mode ? EXIM_EX_SOFTWARE : 1, NULL);
	if (policy_init(policy) == -1)
		fatal("policy_init");
	if (conffile != NULL && config_load(policy, conffile) == -1)
		exit(exim_mode ? EXIM_EX_CONFIG : 1);
	if (config_finish(policy, conffile ? conffile : "defaults") == -1)
		exit(exim_mode ? EXIM_EX_CONFIG : 1);
	if (check_only) {
		config_print(policy, stdout);
		exit(0);
	}

	if (exim_mode) {
		status = exim_main(argc - optind, argv + optind, policy);
		policy_free(policy);
		free(policy);
		return status;
	}

	/* A vanished smtpd or client must not kill us. */
	signal(SIGPIPE, SIG_IGN);
	/* The socket is made as root, if we are, before we give that up. */
	if (mode == MODE_POLICY_SOCKET &&
	    (lfd = policyd_listen(sockpath, group)) == -1)
		exit(1);
	if (mode == MODE_POLICY_SOCKET && priv_drop(user) == -1)
		exit(1);
	if ((base = event_base_new()) == NULL)
		errx(1, "event_base_new");
	log_event_init(base);
	running.file = conffile;
	running.policy = policy;
	signals_init(base);
	policy_dns_conf(policy, &dnsconf);
	if (dns_init(base, &dnsconf, report_dns, dnserr,
	    sizeof(dnserr)) == -1) {
		log_warnx("%s", dnserr);
		errx(1, "cannot set up the resolver");
	}
	stats_start(base, policy);
	/*
	 * rpath: SIGHUP reads the configuration again; stats-file is
	 * written as PATH.tmp, then renamed.
	 */
	snprintf(promises, sizeof(promises), "%s%s rpath%s", DNS_PLEDGE,
	    front_ends[mode].promises, policy->stats_file != NULL ?
	    " wpath cpath" : "");
	if (pledge(promises, NULL) == -1)
		err(1, "pledge");

	log_info("filter-helo %s starting", FILTER_HELO_VERSION);
	if (mode == MODE_FILTER)
		smtpd_run(base, policy);
	else
		policyd_run(base, policy, lfd);

	stats_stop();
	dns_shutdown();
	signals_done();
	log_event_done();
	event_base_free(base);
	policy_free(running.policy);
	free(running.policy);
	return 0;
}

/* Signals arrive as events: a handler may do anything the loop may. */
static void
signals_init(struct event_base *base)
{
	size_t	i;

	for (i = 0; i < nitems(signal_handlers); i++) {
		signal_set(&signal_events[i], signal_handlers[i].signo,
		    on_signal, base);
		if (event_base_set(base, &signal_events[i]) == -1 ||
		    signal_add(&signal_events[i], NULL) == -1)
			fatal("signal %s", signal_handlers[i].name);
	}
}

static void
signals_done(void)
{
	size_t	i;

	for (i = 0; i < nitems(signal_handlers); i++)
		signal_del(&signal_events[i]);
}

static void
on_signal(int signo, short events, void *arg)
{
	size_t	i;

	for (i = 0; i < nitems(signal_handlers); i++)
		if (signal_handlers[i].signo == signo)
			signal_handlers[i].fn(&signal_handlers[i], arg);
}

/* Leave the loop: answers still queued get a bounded flush, then exit 0. */
static void
sig_stop(const struct signal_handler *sh, struct event_base *base)
{
	log_info("%s: exiting", sh->name);
	event_base_loopexit(base, NULL);
}

/*
 * New verdicts, those waiting for lookups included, follow the new
 * policy; nothing else holds the old one (see smtpd_set_policy()).
 */
static void
sig_reload(const struct signal_handler *sh, struct event_base *base)
{
	struct policy	*p;

	if ((p = reload_config(running.file, running.policy)) == NULL)
		return;
	front_ends[running.mode].set_policy(p);
	stats_start(base, p);
	policy_free(running.policy);
	free(running.policy);
	running.policy = p;
}

/* The counters, in one log line. */
static void
sig_stats(const struct signal_handler *sh, struct event_base *base)
{
	stats_log();
}

#ifdef EVENT__NUMERIC_VERSION
/*
 * libevent gives up (no descriptor for its signal pipe, say): exit as
 * for any internal error, 70, never 1, which Exim reads as "reject".
 * OpenBSD's libevent 1.4 has no such hook.
 */
static void
on_event_fatal(int err)
{
	fatalx("libevent: fatal error %d", err);
}
#endif
