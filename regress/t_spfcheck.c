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
 * Exits 0, or 2 on a usage error or a resolver that cannot be set up.
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

static int	verbose;
static int	finished;

static void	usage(void) __dead;
static void	done(const struct spf_outcome *, void *);

int
main(int argc, char *argv[])
{
	struct event_base	*base;
	struct dns_conf		 conf;
	struct spf_request	 req;
	struct spf_check	*chk;
	char			 err[256];
	const char		*errstr, *at;
	char			*resolver;
	long			 timeout;
	int			 ch;

	while ((ch = getopt(argc, argv, "v")) != -1) {
		switch (ch) {
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
	if (finished)
		fprintf(stderr, "t_spfcheck: called back from "
		    "spf_check_start\n");
	while (!finished)
		event_base_loop(base, EVLOOP_ONCE);
	dns_shutdown();
	event_base_free(base);
	return 0;
}

static void
done(const struct spf_outcome *o, void *arg)
{
	if (finished++)
		fprintf(stderr, "t_spfcheck: called back twice\n");
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
	fprintf(stderr, "usage: t_spfcheck [-v] RESOLVER TIMEOUT_MS IP "
	    "MAILFROM HELO\n");
	exit(2);
}
