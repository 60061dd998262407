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
 * One check_host() against a resolver, as the OpenSPF test suite runs
 * one: t_spfcheck RESOLVER TIMEOUT_MS IP MAILFROM HELO, RESOLVER being
 * ADDR@PORT.  With a MAILFROM, the domain is what follows its last '@';
 * without one (""), the HELO is the domain, postmaster@HELO the sender.
 * Prints the result's name, and for fail "explanation: TEXT"; with -v,
 * on stderr, what matched or went wrong and the lookups it took.
 *
 * -c MS cancels the check MS ms after it started (0: as soon as
 * spf_check_start() returns) and prints "cancelled", then runs the loop
 * for a second more: no callback may come.  Exits 0, 2 on a usage error or a resolver that cannot be set
 * up, 3 if the check broke its contract (a callback from
 * spf_check_start(), twice, or after the cancel).
 */
#include "compat.h"

#include <sys/time.h>

#include <event.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "dns.h"
#include "spf.h"

#define GRACE_MS	1000

static struct spf_check	*chk;
static int		 verbose;
static int		 finished, cancelled, broken;

static void	usage(void) __dead;
static void	done(const struct spf_outcome *, void *);
static void	cancel(int, short, void *);
static void	grace(int, short, void *);

int
main(int argc, char *argv[])
{
	struct event_base	*base;
	struct dns_conf		 conf;
	struct spf_request	 req;
	struct event		 cancel_ev;
	struct timeval		 tv;
	char			 err[256];
	const char		*errstr, *at;
	char			*resolver;
	long			 timeout, cancel_ms = -1;
	int			 ch;

	while ((ch = getopt(argc, argv, "c:v")) != -1) {
		switch (ch) {
		case 'c':
			cancel_ms = strtonum(optarg, 0, INT_MAX, &errstr);
			if (errstr != NULL)
				usage();
			break;
		case 'v':
			verbose = 1;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 5)
		usage();
	timeout = strtonum(argv[1], 1, INT_MAX, &errstr);
	if (errstr != NULL)
		usage();
	memset(&req, 0, sizeof(req));
	if (addr_parse(argv[2], &req.ip) == -1)
		usage();
	req.sender = argv[3];
	req.helo = argv[4];
	if (*argv[3] != '\0')
		req.domain = (at = strrchr(argv[3], '@')) != NULL ? at + 1 :
		    argv[3];
	else
		req.domain = argv[4];

	if ((base = event_base_new()) == NULL) {
		fprintf(stderr, "t_spfcheck: event_base_new failed\n");
		return 2;
	}
	resolver = argv[0];
	memset(&conf, 0, sizeof(conf));
	conf.resolvers = &resolver;
	conf.nresolvers = 1;
	conf.timeout = (timeout + 999) / 1000;
	conf.dnssec = DNSSEC_OFF;
	if (dns_init(base, &conf, NULL, err, sizeof(err)) == -1) {
		fprintf(stderr, "t_spfcheck: %s\n", err);
		return 2;
	}
	if ((chk = spf_check_start(&req, timeout, done, NULL)) == NULL) {
		fprintf(stderr, "t_spfcheck: spf_check_start failed\n");
		return 2;
	}
	if (finished) {
		fprintf(stderr, "t_spfcheck: called back from "
		    "spf_check_start\n");
		broken = 1;
	}
	/* -c 0: at once, before the loop runs */
	if (cancel_ms == 0)
		cancel(-1, 0, &cancel_ev);
	else if (cancel_ms > 0) {
		evtimer_set(&cancel_ev, cancel, &cancel_ev);
		event_base_set(base, &cancel_ev);
		tv.tv_sec = cancel_ms / 1000;
		tv.tv_usec = cancel_ms % 1000 * 1000;
		evtimer_add(&cancel_ev, &tv);
	}
	while (!finished && cancelled < 2)
		event_base_loop(base, EVLOOP_ONCE);
	dns_shutdown();
	event_base_free(base);
	return broken ? 3 : 0;
}

/* The check is left; a second later, the loop stops. */
static void
cancel(int fd, short events, void *arg)
{
	struct timeval	 tv = { GRACE_MS / 1000, GRACE_MS % 1000 * 1000 };
	struct dns_stats st;

	/* NULL once called back: the cancel came too late to test */
	spf_check_cancel(chk);
	chk = NULL;
	cancelled = 1;
	printf("cancelled\n");
	fflush(stdout);
	dns_stats(&st);
	if (verbose)
		fprintf(stderr, "%lu queries asked, %lu left unanswered\n",
		    st.asked, st.cancelled);
	evtimer_set(arg, grace, NULL);
	event_base_set(dns_event_base(), arg);
	evtimer_add(arg, &tv);
}

static void
grace(int fd, short events, void *arg)
{
	cancelled = 2;
}

static void
done(const struct spf_outcome *o, void *arg)
{
	chk = NULL;
	if (finished++ || cancelled) {
		fprintf(stderr, "t_spfcheck: called back %s\n",
		    cancelled ? "after the cancel" : "twice");
		broken = 1;
	}
	printf("%s\n", spf_result_name(o->result));
	if (o->result == SPF_FAIL)
		printf("explanation: %s\n", o->explanation != NULL ?
		    o->explanation : "");
	if (verbose)
		fprintf(stderr, "%s (%u lookups)\n",
		    o->problem != NULL ? o->problem : "-", o->lookups);
	fflush(stdout);
}

static void
usage(void)
{
	fprintf(stderr, "usage: t_spfcheck [-v] [-c MS] RESOLVER TIMEOUT_MS "
	    "IP MAILFROM HELO\n");
	exit(2);
}
