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
 * The one-shot front end for Exim.  Exim's ${run} passes each operand
 * as one argument, whatever the client sent, and keeps or drops empty
 * ones depending on its version; operands are therefore name=value
 * pairs, so that nothing can shift.  The checks, the lookups they need
 * (verdict_plan()), the configuration and the replies are the filter's
 * own; only the way in and out differs.
 * The answer comes within dns-timeout and a margin, far below the 60 s
 * after which Exim kills the command and answers 451 itself.
 */
#include "compat.h"

#include <event.h>
#include <fcntl.h>
#include <paths.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "dns.h"
#include "exim.h"
#include "header.h"
#include "helo.h"
#include "log.h"
#include "lookup.h"
#include "policy.h"
#include "report.h"
#include "verdict.h"

/* Each lookup gives up at dns-timeout; this much later we answer. */
#define DEADLINE_MARGIN_MS	500
#define ESCAPED_MAX		(4 * NAME_BUFSZ)
#define LINE_MAX_LEN		1024

struct exim_args {
	const char	*helo;
	const char	*first_helo;
	const char	*client;
	const char	*server;
	const char	*auth;
	const char	*rcpt;
	const char	*rcpt_domain;
	const char	*sender;
	const char	*greeting;
	const char	*rdns;
	const char	*header;
};

static const struct operand {
	const char	*name;
	size_t		 offset;
} operands[] = {
	{ "helo",		offsetof(struct exim_args, helo) },
	{ "first-helo",		offsetof(struct exim_args, first_helo) },
	{ "client",		offsetof(struct exim_args, client) },
	{ "server",		offsetof(struct exim_args, server) },
	{ "auth",		offsetof(struct exim_args, auth) },
	{ "rcpt",		offsetof(struct exim_args, rcpt) },
	{ "rcpt-domain",	offsetof(struct exim_args, rcpt_domain) },
	{ "sender",		offsetof(struct exim_args, sender) },
	{ "greeting",		offsetof(struct exim_args, greeting) },
	{ "header",		offsetof(struct exim_args, header) },
	{ "rdns",		offsetof(struct exim_args, rdns) },
};

/* Report-only findings accept; disconnect is a reject to Exim. */
static const int exit_codes[ACT_COUNT] = {
	[ACT_PASS] =		EXIM_ACCEPT,
	[ACT_REPORT] =		EXIM_ACCEPT,
	[ACT_JUNK] =		EXIM_JUNK,
	[ACT_TEMPFAIL] =	EXIM_TEMPFAIL,
	[ACT_REJECT] =		EXIM_REJECT,
	[ACT_DISCONNECT] =	EXIM_REJECT,
};

static struct {
	const struct policy	*policy;
	struct event_base	*base;
	struct lookup_set	*lookups;
	struct facts		 facts;
	struct verdict		 verdict;
	char			 rcpt_domain[NAME_BUFSZ];
	int			 plan;		/* verdict_plan() */
	int			 header;	/* header=yes */
} ex;

static int	finish(int);
static int	operand_error(const char *, const char *);
static int	parse_operands(int, char *[], struct exim_args *);
static const char *nonempty(const char *);
static int	fill_facts(const struct exim_args *);
static int	silence_stderr(void);
static int	judge_with_dns(void);
static void	decide(void);
static void	on_lookup(void *);
static void	on_deadline(int, short, void *);
static int	answer(void);
static void	junk_reason(char *, size_t);
static int	helo_check(char *, size_t);
static const char *reply_text(const char *);
static void	log_verdict(void);

int
exim_main(int argc, char *argv[], const struct policy *policy)
{
	struct exim_args	 args;

	ex.policy = policy;
	if (parse_operands(argc, argv, &args) == -1 ||
	    fill_facts(&args) == -1)
		return finish(EXIM_EX_USAGE);
	if (silence_stderr() == -1)
		return finish(EXIM_EX_SOFTWARE);

	/*
	 * Setting up the resolver costs milliseconds: only a verdict that
	 * the lookups could still change asks for it.  The lookups the
	 * verdict needs are marked as in flight before any is asked, so a
	 * verdict that does not wait for them (a refusal no answer could
	 * change, an exempt client, an address literal from a client Exim
	 * named) is given without a resolver.
	 */
	ex.plan = verdict_plan(policy, &ex.facts);
	facts_mark(&ex.facts, ex.plan, &policy->dbl);
	verdict_decide(policy, &ex.facts, &ex.verdict);
	if (ex.verdict.wait && judge_with_dns() == -1)
		return finish(EXIM_EX_SOFTWARE);
	return finish(answer());
}

static int
finish(int status)
{
	if (ex.lookups != NULL)
		lookup_free(ex.lookups);
	dns_facts_free(&ex.facts.dns);
	helo_clear(&ex.facts.helo);
	if (ex.base != NULL) {
		dns_shutdown();
		event_base_free(ex.base);
	}
	ex.lookups = NULL;
	ex.base = NULL;
	return status;
}

/* A mistake in the ACL: say so where an admin trying it by hand sees. */
static int
operand_error(const char *what, const char *arg)
{
	char	esc[ESCAPED_MAX];

	fprintf(stderr, "%s: -E: %s: %s\n", getprogname(), what,
	    log_escape(arg, esc, sizeof(esc)));
	fprintf(stderr, "usage: %s -E [-v] [-f file] helo=NAME "
	    "[client=ADDR] [server=ADDR]\n\t[auth=ID] [rcpt=ADDRESS] "
	    "[rcpt-domain=DOMAIN] [greeting=NAME]\n\t[first-helo=NAME] "
	    "[rdns=NAME] [sender=ADDRESS] [header=yes]\n",
	    getprogname());
	return -1;
}

static int
parse_operands(int argc, char *argv[], struct exim_args *a)
{
	const struct operand	*op;
	const char		**slot;
	const char		*eq;
	size_t			 i, len;
	int			 n;

	memset(a, 0, sizeof(*a));
	for (n = 0; n < argc; n++) {
		if ((eq = strchr(argv[n], '=')) == NULL)
			return operand_error("not name=value", argv[n]);
		len = eq - argv[n];
		for (op = NULL, i = 0; op == NULL && i < nitems(operands); i++)
			if (strlen(operands[i].name) == len &&
			    strncmp(operands[i].name, argv[n], len) == 0)
				op = &operands[i];
		if (op == NULL)
			return operand_error("unknown operand", argv[n]);
		slot = (const char **)((char *)a + op->offset);
		if (*slot != NULL)
			return operand_error("operand given twice", argv[n]);
		*slot = eq + 1;
	}
	if (a->helo == NULL)
		return operand_error("missing operand", "helo=");
	return 0;
}

static const char *
nonempty(const char *s)
{
	return s != NULL && *s != '\0' ? s : NULL;
}

/*
 * An empty client address is Exim's local submission; an empty HELO is
 * a client that gave none, which leaves the HELO checks nothing to judge.
 */
static int
fill_facts(const struct exim_args *a)
{
	struct facts	*f = &ex.facts;

	memset(f, 0, sizeof(*f));
	if (nonempty(a->client) == NULL)
		f->local = 1;
	else if (addr_parse(a->client, &f->client) == -1)
		return operand_error("not an address", a->client);
	if (nonempty(a->server) != NULL &&
	    addr_parse(a->server, &f->server) == -1)
		return operand_error("not an address", a->server);
	f->authenticated = nonempty(a->auth) != NULL;
	f->greeting = nonempty(a->greeting);
	if ((f->helo_raw = nonempty(a->helo)) != NULL &&
	    helo_classify(f->helo_raw, &f->helo) == -1) {
		log_warnx("helo_classify: out of memory");
		return -1;
	}
	f->helo_prev = nonempty(a->first_helo);
	/*
	 * Empty: a bounce ($sender_address after MAIL FROM:<>); absent:
	 * not known, and "spf-helo null-sender" judges nothing.
	 */
	f->mail_from = a->sender;
	f->rcpt = nonempty(a->rcpt);
	f->rdns_verified = nonempty(a->rdns);
	if (nonempty(a->header) != NULL &&
	    config_yes_no(a->header, &ex.header) == -1)
		return operand_error("header= takes yes or no", a->header);
	if (nonempty(a->rcpt_domain) != NULL &&
	    name_normalise(a->rcpt_domain, ex.rcpt_domain,
	    sizeof(ex.rcpt_domain)) == 0)
		f->rcpt_domain = ex.rcpt_domain;
	return 0;
}

/*
 * Exim gives the ACL the program's stderr mixed into its stdout: a
 * library's warning there would become part of the reply.  Our own
 * logs go to syslog.
 */
static int
silence_stderr(void)
{
	int	fd;

	if ((fd = open(_PATH_DEVNULL, O_WRONLY)) == -1) {
		log_warn("%s", _PATH_DEVNULL);
		return -1;
	}
	if (fd != STDERR_FILENO) {
		if (dup2(fd, STDERR_FILENO) == -1) {
			log_warn("dup2");
			close(fd);
			return -1;
		}
		close(fd);
	}
	return 0;
}

/*
 * Ask every question at once and decide as soon as the answers allow;
 * a deadline just past the lookups' own decides with whatever is left
 * counted as failed, so a silent resolver costs dns-timeout, no more.
 *
 * Checks whose lookups are still in flight then, which could not change
 * the answer, are logged "waiting": unlike smtpd's, this line is not
 * held for them.  Exim answers the client only once the program has
 * exited, so waiting would delay every command it runs us for by up to
 * dns-timeout (a client whose reverse zone is slow, with rdns only
 * reporting) for a line of log; and writing it after the exit would
 * leave a process behind for each command.
 */
static int
judge_with_dns(void)
{
	const struct policy	*p = ex.policy;
	struct dns_conf		 dnsconf;
	struct event		 deadline;
	struct timeval		 tv;
	char			 dnserr[1024];

	if ((ex.base = event_base_new()) == NULL) {
		log_warnx("event_base_new failed");
		return -1;
	}
	policy_dns_conf(p, &dnsconf);
	if (dns_init(ex.base, &dnsconf, report_dns, dnserr,
	    sizeof(dnserr)) == -1) {
		log_warnx("%s", dnserr);
		log_warnx("cannot set up the resolver");
		event_base_free(ex.base);
		ex.base = NULL;
		return -1;
	}
	if (pledge(DNS_PLEDGE, NULL) == -1) {
		log_warn("pledge");
		return -1;
	}
	if ((ex.lookups = lookup_new(&ex.facts, p->dns_timeout * 1000L,
	    on_lookup, NULL)) == NULL) {
		log_warn("lookup_new");
		return -1;
	}
	lookup_start(ex.lookups, ex.plan, &p->dbl);
	decide();
	if (!ex.verdict.wait)
		return 0;

	evtimer_set(&deadline, on_deadline, NULL);
	tv.tv_sec = p->dns_timeout + DEADLINE_MARGIN_MS / 1000;
	tv.tv_usec = (DEADLINE_MARGIN_MS % 1000) * 1000;
	if (event_base_set(ex.base, &deadline) == -1 ||
	    evtimer_add(&deadline, &tv) == -1 ||
	    event_base_dispatch(ex.base) == -1) {
		log_warnx("event loop failed");
		evtimer_del(&deadline);
		return -1;
	}
	evtimer_del(&deadline);
	return ex.verdict.wait ? -1 : 0;
}

static void
decide(void)
{
	verdict_decide(ex.policy, &ex.facts, &ex.verdict);
	if (!ex.verdict.wait && ex.base != NULL)
		event_base_loopbreak(ex.base);
}

static void
on_lookup(void *arg)
{
	decide();
}

static void
on_deadline(int fd, short event, void *arg)
{
	lookup_expire(ex.lookups);
	decide();
}

/* One line on stdout, which Exim hands to the ACL as $value. */
static int
answer(void)
{
	const struct verdict	*v = &ex.verdict;
	char			 line[LINE_MAX_LEN];
	enum action		 a;

	log_verdict();
	/* A dry run logs what it would do (would=) and accepts. */
	a = ex.policy->dry_run ? ACT_PASS : v->action;
	switch (a) {
	case ACT_PASS:
	case ACT_REPORT:
	case ACT_JUNK:
		/* header=yes: the X-HELO-Check value, for Exim to add. */
		if (ex.header && helo_check(line, sizeof(line)) == 0)
			break;
		if (a != ACT_JUNK) {
			strlcpy(line, "accept", sizeof(line));
			break;
		}
		junk_reason(line, sizeof(line));
		break;
	case ACT_TEMPFAIL:
	case ACT_REJECT:
	case ACT_DISCONNECT:
		if (verdict_reply(ex.policy, &ex.facts, v, line,
		    sizeof(line)) == -1) {
			log_warnx("no reply for verdict %s",
			    action_name(v->action));
			return EXIM_EX_SOFTWARE;
		}
		break;
	default:
		strlcpy(line, "accept", sizeof(line));
		break;
	}
	if (printf("%s\n", line) < 0 || fflush(stdout) == EOF) {
		log_warn("stdout");
		return EXIM_EX_SOFTWARE;
	}
	return exit_codes[a];
}

/*
 * The value of the X-HELO-Check header that "add-header yes" gives
 * OpenSMTPD's messages, on one line: Exim adds the header itself.
 */
static int
helo_check(char *buf, size_t len)
{
	struct verdict_sum	 sum;

	header_summarise(&ex.facts, &ex.verdict, &sum);
	return header_helo_check_value(buf, len, &sum, ex.facts.helo_raw) ==
	    -1 ? -1 : 0;
}

/*
 * For the X-HELO-Check header: the checks that fired and the deciding
 * one's reply without its SMTP codes, as the message is not refused.
 */
static void
junk_reason(char *buf, size_t len)
{
	char	checks[256], reply[LINE_MAX_LEN];

	verdict_list(&ex.verdict, CS_FIRED, checks, sizeof(checks));
	strlcpy(buf, checks, len);
	if (verdict_reply(ex.policy, &ex.facts, &ex.verdict, reply,
	    sizeof(reply)) == 0) {
		strlcat(buf, "; ", len);
		strlcat(buf, reply_text(reply), len);
	}
}

/* "550 5.7.1 text" or "550 text" without the codes. */
static const char *
reply_text(const char *reply)
{
	const char	*t;
	size_t		 n;

	if (strlen(reply) < 4 || reply[3] != ' ')
		return reply;
	t = reply + 4;
	n = strspn(t, "0123456789.");
	if (n > 0 && t[n] == ' ' && memchr(t, '.', n) != NULL)
		t += n + 1;
	return t;
}

static void
log_verdict(void)
{
	report_verdict("", ex.policy, &ex.facts, &ex.verdict, NULL);
}
