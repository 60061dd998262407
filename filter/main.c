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
#include "smtpd.h"

static __dead void	usage(void);

/*
 * Exim reads exit 1 as "reject": a usage error exits 64 in every mode,
 * since -E may come after the mistake, and so does an internal error.
 */
static __dead void
usage(void)
{
	fprintf(stderr, "usage: %s [-nv] [-f file]\n"
	    "       %s -E [-v] [-f file] helo=name [name=value ...]\n",
	    getprogname(), getprogname());
	exit(EXIM_EX_USAGE);
}

int
main(int argc, char *argv[])
{
	struct policy		 policy;
	struct event_base	*base;
	const char		*conffile = NULL;
	int			 ch, check_only = 0, exim_mode = 0, status;
	int			 verbose = 0;

	log_fatal_status(EXIM_EX_SOFTWARE);
	while ((ch = getopt(argc, argv, "Ef:nv")) != -1) {
		switch (ch) {
		case 'E':
			exim_mode = 1;
			break;
		case 'f':
			conffile = optarg;
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
	if ((exim_mode && check_only) || (!exim_mode && optind != argc))
		usage();

	/* Exim takes our stdout for the reply: log to syslog there. */
	log_init(verbose, exim_mode);
	policy_init(&policy);
	if (conffile != NULL && config_load(&policy, conffile) == -1)
		exit(exim_mode ? EXIM_EX_CONFIG : 1);
	if (config_finish(&policy, conffile ? conffile : "defaults") == -1)
		exit(exim_mode ? EXIM_EX_CONFIG : 1);
	if (check_only) {
		config_print(&policy, stdout);
		exit(0);
	}

	if (exim_mode) {
		status = exim_main(argc - optind, argv + optind, &policy);
		policy_free(&policy);
		return status;
	}

	/* A vanished smtpd must not kill us before stdin says so. */
	signal(SIGPIPE, SIG_IGN);
	if ((base = event_base_new()) == NULL)
		errx(1, "event_base_new");
	log_event_init(base);
	if (dns_init(base, &policy) == -1)
		errx(1, "cannot set up the resolver");
	if (pledge(DNS_PLEDGE, NULL) == -1)
		err(1, "pledge");

	smtpd_run(base, &policy);

	dns_shutdown();
	log_event_done();
	event_base_free(base);
	policy_free(&policy);
	return 0;
}
