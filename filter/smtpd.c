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
 * OpenSMTPD front end.  Reports build each session's facts; filter
 * requests are answered "proceed" before the verdict phase and with the
 * verdict at it.  Whatever happens, every request gets exactly one
 * well-formed answer, and nothing but protocol lines reaches stdout.
 */
#include "compat.h"

#include <sys/types.h>

#include <event.h>
#include <limits.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "header.h"
#include "io.h"
#include "log.h"
#include "lookup.h"
#include "proto.h"
#include "report.h"
#include "session.h"
#include "smtpd.h"
#include "stats.h"
#include "verdict.h"

#define SWEEP_INTERVAL	60
/*
 * A session smtpd has not named for this many of its session timeouts
 * was lost (a report dropped).  smtpd's timeout is on idle I/O, and a
 * long DATA transfer shows us nothing, so leave ample room; losing the
 * state of a session still alive only fails open.
 */
#define SESSION_LOST	4
/*
 * Requests are not read while this much of our output waits for smtpd:
 * some 1000 answers, ample for an smtpd busy for a moment.  One that
 * reads nothing for longer gains nothing from more, and memory would
 * grow without end.  Reading resumes once it took all but OUT_LOW.
 * Output can still pass OUT_HIGH by the answers to the lines of one
 * input buffer (64 KiB of requests, so about as much again; at worst,
 * every one a shortest request given a longest reply, some 2 MiB) and
 * by the answers that lookups finish later, one per open session.
 */
#define OUT_HIGH	(64 * 1024)
#define OUT_LOW		(16 * 1024)
/*
 * Lines a session holds for lookups at most: a client sending
 * recipients faster than DNS answers gets the older lines written
 * with what is known, rather than memory growing with each one.
 */
#define HELD_MAX	8

/*
 * A verdict given while checks of it still waited for lookups, which
 * could not change the answer: its line is written once they answer,
 * or at the deadline of each lookup, so that a report-only check is
 * logged whatever the timing.  It keeps what of its request those
 * checks read; anything else that changes (a new connection or HELO, a
 * reload, a message whose header must say what the line says) writes
 * it at once with what is known.
 */
struct held_verdict {
	struct held_verdict	*next;
	struct verdict		 verdict;
	char			*rcpt_domain;	/* rcpt-domain reads it */
};

/* smtpd's "config|KEY|VALUE" lines at start; other keys are ignored. */
struct config_handler {
	const char	*key;
	void		(*fn)(const char *);
};

/* The reports we register for, each with what it tells us. */
struct report_handler {
	const char	*event;
	void		(*fn)(struct session *, struct proto_line *);
};

/*
 * The requests: each notes what the verdict reads (or nothing), then is
 * judged if its phase is the policy's verdict phase, else proceeds.
 */
struct filter_handler {
	const char	*phase;
	enum phase	 verdict_phase;
	void		(*fn)(struct session *, struct proto_line *);
};

static void	on_line(char *, size_t, void *);
static void	on_eof(void *);
static void	on_toolong(size_t, void *);
static void	on_sweep(int, short, void *);
static void	on_deadline(int, short, void *);
static void	handle_config(struct proto_line *);
static void	config_ready(const char *);
static void	config_protocol(const char *);
static void	config_session_timeout(const char *);
static void	config_admd(const char *);
static void	config_smtpd_version(const char *);
static void	handle_report(struct proto_line *);
static void	handle_filter(struct proto_line *);
static void	register_hooks(void);
static void	register_line(const char *, const char *);
static void	send_line(const char *);
static void	arm_sweep(void);
static void	expire_session(struct session *);
static void	report_connect(struct session *, struct proto_line *);
static void	report_greeting(struct session *, struct proto_line *);
static void	report_identify(struct session *, struct proto_line *);
static void	report_auth(struct session *, struct proto_line *);
static void	report_disconnect(struct session *, struct proto_line *);
static void	report_timeout(struct session *, struct proto_line *);
static void	request_helo(struct session *, struct proto_line *);
static void	request_mail_from(struct session *, struct proto_line *);
static void	request_rcpt_to(struct session *, struct proto_line *);
static void	request_data_line(struct session *, struct proto_line *);
static void	add_headers(struct session *, const struct proto_line *);
static void	dataline_folded(const struct proto_line *, char *);
static void	dataline(const struct proto_line *, const char *);
static void	judge(struct session *, int);
static void	answer(struct session *, const char *, const char *);
static void	request_drop(struct session *);
static void	verdict_given(struct session *, struct verdict *);
static void	held_write(struct session *, size_t);
static void	held_write_all(struct session *);
static void	log_verdict(struct session *, const struct verdict *);
static void	on_lookup(void *);
static void	lookups_done(struct session *);
static void	session_release(struct session *);
static struct lookup_set *session_lookups(struct session *);
static void	session_dns(struct session *);
static void	session_facts(struct session *);

static const struct config_handler config_handlers[] = {
	{ "ready",			config_ready },
	{ "protocol",			config_protocol },
	{ "smtp-session-timeout",	config_session_timeout },
	{ "admd",			config_admd },
	{ "smtpd-version",		config_smtpd_version },
};

static const struct report_handler report_handlers[] = {
	{ "link-connect",	report_connect },
	{ "link-greeting",	report_greeting },
	{ "link-identify",	report_identify },
	{ "link-auth",		report_auth },
	{ "link-disconnect",	report_disconnect },
	{ "timeout",		report_timeout },
};

static const struct filter_handler filter_handlers[] = {
	{ "helo",	PHASE_HELO,	request_helo },
	{ "ehlo",	PHASE_HELO,	request_helo },
	{ "mail-from",	PHASE_MAIL_FROM, request_mail_from },
	{ "rcpt-to",	PHASE_RCPT_TO,	request_rcpt_to },
};

static struct {
	struct event_base	*base;
	const struct policy	*policy;
	struct io_in		*in;
	struct io_out		*out;
	struct event		 sweep;
	int			 registered;
	long long		 session_timeout;
	char			 admd[HOST_NAME_MAX + 1];	/* or "" */
	struct memory		*memory;	/* outlives reloads */
} smtpd;

int
smtpd_run(struct event_base *base, const struct policy *policy)
{
	smtpd_setup(base, policy);
	event_base_dispatch(base);
	smtpd_teardown();
	return 0;
}

/*
 * Apart from smtpd_run() so that a test harness can feed lines to
 * smtpd_line() without the event loop, one fresh state per input.
 */
void
smtpd_setup(struct event_base *base, const struct policy *policy)
{
	smtpd.base = base;
	smtpd.policy = policy;
	smtpd.session_timeout = 300;
	smtpd.registered = 0;
	smtpd.admd[0] = '\0';
	session_on_free(session_release);
	if ((smtpd.memory = memory_new(MEMORY_ENTRIES)) == NULL)
		fatal("%s: memory of clients", __func__);
	stats_memory(smtpd.memory);
	if ((smtpd.out = io_out_new(base, 1)) == NULL)
		fatal("%s: output", __func__);
	if ((smtpd.in = io_in_new(base, 0, PROTO_LINE_MAX, on_line, on_eof,
	    on_toolong, NULL)) == NULL)
		fatal("%s: input", __func__);
	io_in_throttle(smtpd.in, smtpd.out, OUT_HIGH, OUT_LOW);
	evtimer_set(&smtpd.sweep, on_sweep, NULL);
	if (event_base_set(base, &smtpd.sweep) == -1)
		fatal("%s: sweep timer", __func__);
}

/*
 * A reloaded policy, for the verdicts given from now on, those already
 * waiting for lookups included.  The lines held for lookups are
 * written first, under the policy that decided them; nothing kept then
 * holds the old one: a lookup set copies its timeout, and the facts
 * the blocklist zones they ask.  So the caller may free it on return.
 */
void
smtpd_set_policy(const struct policy *policy)
{
	session_foreach(held_write_all);
	smtpd.policy = policy;
}

void
smtpd_teardown(void)
{
	/* stdin ended: smtpd is going away.  Leave nothing half-written. */
	io_out_flush_blocking(smtpd.out);
	session_free_all();
	evtimer_del(&smtpd.sweep);
	io_in_free(smtpd.in);
	io_out_free(smtpd.out);
	stats_memory(NULL);
	memory_free(smtpd.memory);
	smtpd.memory = NULL;
}

/* One line from smtpd, NUL-terminated, newline removed. */
void
smtpd_line(char *line, size_t len)
{
	on_line(line, len, NULL);
}

static void
on_eof(void *arg)
{
	event_base_loopexit(smtpd.base, NULL);
}

static void
on_toolong(size_t len, void *arg)
{
	log_warnx("dropped a %zu-byte line from smtpd (limit %d)", len,
	    PROTO_LINE_MAX);
}

static void
on_line(char *line, size_t len, void *arg)
{
	struct proto_line	 pl;
	const char		*errstr;
	char			 esc[128];

	if (proto_parse_line(line, &pl, &errstr) == -1) {
		log_warnx("malformed line from smtpd (%s): %s", errstr,
		    log_escape(line, esc, sizeof(esc)));
		return;
	}
	switch (pl.type) {
	case PROTO_CONFIG:
		handle_config(&pl);
		break;
	case PROTO_REPORT:
	case PROTO_FILTER:
		if (pl.major != 0) {
			log_warnx("unsupported protocol version %d.%d, "
			    "line ignored", pl.major, pl.minor);
			return;
		}
		if (strcmp(pl.subsystem, "smtp-in") != 0)
			return;
		if (pl.type == PROTO_REPORT)
			handle_report(&pl);
		else
			handle_filter(&pl);
		break;
	}
}

static void
handle_config(struct proto_line *pl)
{
	char	esc[128];
	size_t	i;

	/*
	 * smtpd configures a filter once, at start.  A config line in
	 * service is smtpd's mistake: exiting would take it down.
	 */
	if (smtpd.registered) {
		log_warnx("config line after ready, ignored: %s",
		    log_escape(pl->key, esc, sizeof(esc)));
		return;
	}
	for (i = 0; i < nitems(config_handlers); i++) {
		if (strcmp(pl->key, config_handlers[i].key) == 0) {
			config_handlers[i].fn(pl->value);
			return;
		}
	}
}

static void
config_ready(const char *value)
{
	register_hooks();
	arm_sweep();
}

/*
 * Only 7.6 and later say this; a major we do not know is refused now
 * rather than misread later.  What does not parse is no version: each
 * line carries its own.
 */
static void
config_protocol(const char *value)
{
	char	esc[128];
	int	major, minor;

	if (proto_parse_version(value, &major, &minor) == -1)
		log_warnx("unreadable protocol version \"%s\", ignored",
		    log_escape(value, esc, sizeof(esc)));
	else if (major != 0)
		fatalx("unsupported filter protocol %s (this filter speaks "
		    "0.4 to 0.7)", value);
}

static void
config_session_timeout(const char *value)
{
	const char	*errstr;
	long long	 n;

	n = strtonum(value, 1, 86400, &errstr);
	if (errstr == NULL)
		smtpd.session_timeout = n;
}

/* 6.8 and later: the authserv-id of Authentication-Results. */
static void
config_admd(const char *value)
{
	strlcpy(smtpd.admd, value, sizeof(smtpd.admd));
}

/*
 * Before 7.4, smtpd copies each line a filter sends into 2048 bytes: a
 * longer message line passed back is cut, whichever data-line filter
 * passes it.  The admin must know.
 */
static void
config_smtpd_version(const char *value)
{
	char	esc[128];
	int	major, minor;

	if (smtpd.policy->add_header &&
	    sscanf(value, "%d.%d", &major, &minor) == 2 &&
	    (major < 7 || (major == 7 && minor < 4)))
		log_warnx("add-header: smtpd %s cuts message lines longer "
		    "than %d bytes that pass through a filter (fixed in 7.4)",
		    log_escape(value, esc, sizeof(esc)),
		    PROTO_REPLY_MAX - (int)strlen("filter-dataline|"
		    "0123456789abcdef|0123456789abcdef|"));
}

/* The reports we handle, the phases we answer, then ready. */
static void
register_hooks(void)
{
	const struct filter_handler	*h;
	size_t				 i;

	if (smtpd.registered++)
		return;
	for (i = 0; i < nitems(report_handlers); i++)
		register_line("report", report_handlers[i].event);
	/*
	 * HELO/EHLO always (facts, lookups), then the verdict phase, and
	 * MAIL FROM for "spf-helo null-sender", which judges bounces only:
	 * the filter phase gives the sender as it is, whatever the
	 * version, before the RCPT TO that is judged.
	 */
	for (i = 0; i < nitems(filter_handlers); i++) {
		h = &filter_handlers[i];
		if (h->verdict_phase == PHASE_HELO ||
		    h->verdict_phase == smtpd.policy->phase ||
		    (h->verdict_phase == PHASE_MAIL_FROM &&
		    smtpd.policy->spf_helo == SPF_HELO_NULL_SENDER))
			register_line("filter", h->phase);
	}
	/* Every line of every message: only when asked for. */
	if (smtpd.policy->add_header)
		register_line("filter", "data-line");
	send_line("register|ready\n");
}

static void
register_line(const char *type, const char *name)
{
	char	line[128];

	if (snprintf(line, sizeof(line), "register|%s|smtp-in|%s\n", type,
	    name) >= (int)sizeof(line))
		fatalx("%s: %s %s", __func__, type, name);
	send_line(line);
}

static void
handle_report(struct proto_line *pl)
{
	struct session	*s;
	size_t		 i;

	/* Any line naming a session shows it is alive. */
	if ((s = session_find(pl->sid)) != NULL)
		s->last = session_clock();
	for (i = 0; i < nitems(report_handlers); i++) {
		if (strcmp(pl->event, report_handlers[i].event) != 0)
			continue;
		/* A late report for a session already gone opens none. */
		if (s == NULL) {
			if (strcmp(pl->event, "link-disconnect") == 0)
				return;
			s = session_get(pl->sid);
		}
		report_handlers[i].fn(s, pl);
		return;
	}
}

static void
handle_filter(struct proto_line *pl)
{
	const struct filter_handler	*h;
	struct session			*s;
	size_t				 i;

	s = session_get(pl->sid);
	s->last = session_clock();
	/* Message lines stream, each answered at once: no request waits. */
	if (strcmp(pl->event, "data-line") == 0) {
		request_data_line(s, pl);
		return;
	}
	if (s->req.active) {
		/*
		 * smtpd asks one thing at a time: it has moved on, and an
		 * answer with the old token would now be fatal to it.
		 */
		log_warnx("%016" PRIx64 " new request while one is pending; "
		    "the old one is dropped", s->sid);
		request_drop(s);
	}
	s->req.active = 1;
	s->req.major = pl->major;
	s->req.minor = pl->minor;
	s->req.token = pl->token;
	if (clock_gettime(CLOCK_MONOTONIC, &s->req.arrived) == -1)
		fatal("%s: clock_gettime", __func__);
	s->req.phase = -1;
	s->req.judging = 0;
	for (i = 0; i < nitems(filter_handlers); i++)
		if (strcmp(pl->event, filter_handlers[i].phase) == 0)
			break;
	/* A phase we did not register: still exactly one answer. */
	if (i == nitems(filter_handlers)) {
		answer(s, "proceed", NULL);
		return;
	}
	h = &filter_handlers[i];
	s->req.phase = h->verdict_phase;
	if (h->fn != NULL)
		h->fn(s, pl);
	if (h->verdict_phase == smtpd.policy->phase)
		judge(s, 0);
	else
		answer(s, "proceed", NULL);
}

static void
report_connect(struct session *s, struct proto_line *pl)
{
	struct proto_connect	 c;
	int			 local = 0;

	if (proto_parse_connect((char *)pl->params, &c) == -1) {
		log_warnx("%016" PRIx64 " malformed link-connect", s->sid);
		return;
	}
	held_write_all(s);
	if (addr_parse_endpoint(c.src, &s->facts.client, &local) == -1)
		log_warnx("%016" PRIx64 " unparsable client address",
		    s->sid);
	s->facts.local = local;
	local = 0;
	if (addr_parse_endpoint(c.dest, &s->facts.server, &local) == -1)
		log_warnx("%016" PRIx64 " unparsable server address",
		    s->sid);
	/*
	 * A name smtpd forward-confirmed spares our own lookups of the
	 * client (verdict_plan()); a failure or an error is no fact, and
	 * our lookups start now, as for everyone.
	 */
	session_set(&s->smtpd_rdns, c.fcrdns != NULL &&
	    strcmp(c.fcrdns, "pass") == 0 ? c.rdns : NULL);
	s->smtpd_iprev = header_iprev_smtpd(c.fcrdns);
	lookup_free(s->lookups);
	s->lookups = NULL;
	dns_facts_free(&s->facts.dns);
	session_dns(s);
}

static void
report_greeting(struct session *s, struct proto_line *pl)
{
	session_set(&s->greeting, pl->params);
}

/* smtpd says this once it took the HELO: only then is it "earlier". */
static void
report_identify(struct session *s, struct proto_line *pl)
{
	const char	*method, *identity;

	if (proto_parse_identify((char *)pl->params, &method,
	    &identity) == -1)
		return;
	session_set(&s->helo_accepted, identity);
}

static void
report_auth(struct session *s, struct proto_line *pl)
{
	struct proto_auth	a;

	if (proto_parse_auth((char *)pl->params, pl->major, pl->minor,
	    &a) == -1) {
		log_warnx("%016" PRIx64 " malformed link-auth", s->sid);
		return;
	}
	s->facts.authenticated = strcmp(a.result, "pass") == 0;
}

static void
report_disconnect(struct session *s, struct proto_line *pl)
{
	/* Not expected while smtpd waits for us, but answer all the same. */
	if (s->req.active)
		judge(s, 1);
	session_free(s);
}

static void
report_timeout(struct session *s, struct proto_line *pl)
{
	log_debug("%016" PRIx64 " smtpd idle timeout", s->sid);
}

static void
request_helo(struct session *s, struct proto_line *pl)
{
	/* The last HELO's lookups end here. */
	held_write_all(s);
	session_set(&s->helo_prev, s->helo_accepted);
	session_set(&s->helo, pl->params);
	/* RFC 5321 4.1.4: a HELO clears the transaction. */
	session_set(&s->mail_from, NULL);
	helo_clear(&s->facts.helo);
	if (helo_classify(pl->params, &s->facts.helo) == -1)
		fatal("%s: helo_classify", __func__);
	session_dns(s);
}

/* The sender without its <> and parameters; "" for a bounce. */
static void
request_mail_from(struct session *s, struct proto_line *pl)
{
	session_set(&s->mail_from, pl->params);
}

static void
request_rcpt_to(struct session *s, struct proto_line *pl)
{
	const char	*at;
	char		 domain[NAME_BUFSZ];

	session_set(&s->rcpt, pl->params);
	if ((at = strrchr(pl->params, '@')) != NULL &&
	    name_normalise(at + 1, domain, sizeof(domain)) == 0)
		session_set(&s->rcpt_domain, domain);
	else
		session_set(&s->rcpt_domain, NULL);
}

/*
 * One message line, passed back as it came: dot-stuffed lines and the
 * final "." too.  smtpd streams a message's lines without waiting for
 * the answers, and ends each message with "." (even one it refuses),
 * so the first line after a "." starts the next message, and the
 * headers go before it.
 */
static void
request_data_line(struct session *s, struct proto_line *pl)
{
	if (!s->in_message) {
		s->in_message = 1;
		if (smtpd.policy->add_header)
			add_headers(s, pl);
	}
	if (strcmp(pl->params, ".") == 0)
		s->in_message = 0;
	dataline(pl, pl->params);
}

/*
 * ADMD is smtpd's "admd" (its hostname unless set; 6.8 and later), else
 * the banner's name, else our host's.  The verdict is the session's
 * last, and the HELO the one it judged.
 */
static void
add_headers(struct session *s, const struct proto_line *pl)
{
	char		 text[HEADER_MAX], host[HOST_NAME_MAX + 1];
	const char	*admd = smtpd.admd;

	if (admd[0] == '\0')
		admd = s->greeting;
	if (admd == NULL) {
		if (gethostname(host, sizeof(host)) == -1)
			host[0] = '\0';
		host[sizeof(host) - 1] = '\0';
		admd = host;
	}
	/* The header says what the line says, and the message cannot wait. */
	held_write_all(s);
	session_facts(s);
	if (header_auth_results(text, sizeof(text), admd,
	    header_iprev(&s->facts, s->smtpd_iprev), &s->facts.client,
	    header_spf(&s->facts), s->facts.helo.name) > 0)
		dataline_folded(pl, text);
	if (header_helo_check(text, sizeof(text), &s->verdict, s->helo) > 0)
		dataline_folded(pl, text);
}

/* A folded header: one message line each. */
static void
dataline_folded(const struct proto_line *pl, char *text)
{
	char	*line, *next;

	for (line = text; line != NULL; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		dataline(pl, line);
	}
}

/* The one place a filter-dataline is written. */
static void
dataline(const struct proto_line *pl, const char *line)
{
	static char	buf[PROTO_DATALINE_MAX];

	/* io.c hands out no line longer than PROTO_LINE_MAX: it fits. */
	if (proto_fmt_dataline(buf, sizeof(buf), pl->major, pl->minor,
	    pl->sid, pl->token, line) == -1)
		fatalx("%s: cannot format a message line", __func__);
	send_line(buf);
}

/*
 * Decide the pending request, or wait for lookups until the deadline.
 * With force, whatever is still in flight counts as failed.
 */
static void
judge(struct session *s, int force)
{
	struct facts	*f = &s->facts;
	struct verdict	 v;
	struct timeval	 tv;
	char		 reply[1024];

	if (force) {
		if (s->lookups != NULL)
			lookup_expire(s->lookups);
		dns_facts_expire(&f->dns);
	} else if (s->helo == NULL) {
		/* As at HELO, which did not come: a reload may need them. */
		session_dns(s);
	}
	session_facts(s);
	verdict_decide(smtpd.policy, f, &v);
	if (v.wait) {
		s->req.judging = 1;
		/* An idle session holds no event: only a waiting one. */
		if (s->req.deadline == NULL) {
			if ((s->req.deadline = malloc(sizeof(*s->req.deadline)))
			    == NULL)
				fatal("%s: malloc", __func__);
			evtimer_set(s->req.deadline, on_deadline, s);
			if (event_base_set(smtpd.base, s->req.deadline) == -1)
				fatal("%s: event_base_set", __func__);
			tv.tv_sec = smtpd.policy->dns_timeout;
			tv.tv_usec = 0;
			if (evtimer_add(s->req.deadline, &tv) == -1)
				fatal("%s: evtimer_add", __func__);
		}
		return;
	}
	stats_latency(&s->req.arrived);
	verdict_given(s, &v);
	/* A dry run logs what it would do (would=) and does nothing. */
	switch (smtpd.policy->dry_run ? ACT_PASS : v.action) {
	case ACT_JUNK:
		answer(s, "junk", NULL);
		break;
	case ACT_TEMPFAIL:
	case ACT_REJECT:
	case ACT_DISCONNECT:
		if (verdict_reply(smtpd.policy, f, &v, reply,
		    sizeof(reply)) == 0) {
			answer(s, v.action == ACT_DISCONNECT ?
			    "disconnect" : "reject", reply);
			break;
		}
		/* FALLTHROUGH */
	default:
		answer(s, "proceed", NULL);
		break;
	}
}

/*
 * An answer arrived: a verdict waiting for it may be given now.  Once
 * the last is in, the set goes: the facts keep what it found, and an
 * idle session holds no lookup state.  lookup.c calls this last, so the
 * set may be freed here.
 */
static void
on_lookup(void *arg)
{
	struct session	*s = arg;

	if (s->req.active && s->req.judging)
		judge(s, 0);
	held_write(s, s->lookups == NULL || !lookup_pending(s->lookups) ?
	    SIZE_MAX : 0);
	lookups_done(s);
}

static void
lookups_done(struct session *s)
{
	if (s->lookups != NULL && !lookup_pending(s->lookups)) {
		lookup_free(s->lookups);
		s->lookups = NULL;
	}
}

static struct lookup_set *
session_lookups(struct session *s)
{
	if (s->lookups == NULL && (s->lookups = lookup_new(&s->facts,
	    smtpd.policy->dns_timeout * 1000L, on_lookup, s)) == NULL)
		fatal("lookup_new: calloc");
	return s->lookups;
}

/*
 * Ask what the verdict needs and is not asked yet (verdict_plan()): at
 * connect, at each HELO, and at a verdict before any HELO, in case a
 * reload since made the policy need the client's names.
 */
static void
session_dns(struct session *s)
{
	int	plan;

	session_facts(s);
	if ((plan = verdict_plan(smtpd.policy, &s->facts)) != 0)
		lookup_start(session_lookups(s), plan, &smtpd.policy->dbl);
	lookups_done(s);
}

/* Point the session's facts at what the session holds now. */
static void
session_facts(struct session *s)
{
	struct facts	*f = &s->facts;

	f->rdns_verified = s->smtpd_rdns;
	f->greeting = s->greeting;
	f->helo_raw = s->helo;
	f->helo_prev = s->helo_prev;
	f->mail_from = s->mail_from;
	f->rcpt = s->req.phase == PHASE_RCPT_TO ? s->rcpt : NULL;
	f->rcpt_domain = s->req.phase == PHASE_RCPT_TO ? s->rcpt_domain :
	    NULL;
	f->memory = smtpd.memory;
	f->now = time(NULL);
}

static void
session_release(struct session *s)
{
	held_write_all(s);
	lookup_free(s->lookups);
	s->lookups = NULL;
	dns_facts_free(&s->facts.dns);
	helo_clear(&s->facts.helo);
}

static void
on_deadline(int fd, short ev, void *arg)
{
	struct session	*s = arg;

	if (s->req.active)
		judge(s, 1);
	lookups_done(s);
}

/* The one place a filter-result is written. */
static void
answer(struct session *s, const char *decision, const char *param)
{
	char	line[PROTO_REPLY_MAX + 1];

	if (!s->req.active)
		return;
	if (proto_fmt_result(line, sizeof(line), s->req.major, s->req.minor,
	    s->sid, s->req.token, decision, param) == -1) {
		log_warnx("%016" PRIx64 " cannot send %s, proceeding", s->sid,
		    decision);
		if (proto_fmt_result(line, sizeof(line), s->req.major,
		    s->req.minor, s->sid, s->req.token, "proceed",
		    NULL) == -1)
			fatalx("%s: cannot format proceed", __func__);
	}
	send_line(line);
	request_drop(s);
}

/*
 * Every line to smtpd goes out here.  One that cannot be queued (out of
 * memory, or smtpd no longer reads us) would leave its request without
 * an answer, and smtpd waits for one without end: the client's session
 * would hang unseen, as would every later one while memory is short.
 * Exiting makes smtpd log the lost filter and stop, which the admin
 * sees; mail is deferred, never let through or refused by mistake.
 */
static void
send_line(const char *line)
{
	if (io_out_line(smtpd.out, line) == -1)
		fatal("cannot send smtpd a line");
}

static void
request_drop(struct session *s)
{
	s->req.active = 0;
	s->req.judging = 0;
	if (s->req.deadline != NULL) {
		evtimer_del(s->req.deadline);
		free(s->req.deadline);
		s->req.deadline = NULL;
	}
}

/*
 * The verdict just given: its line now, or held until the lookups its
 * checks still wait for have answered, after the lines held before it.
 */
static void
verdict_given(struct session *s, struct verdict *v)
{
	struct held_verdict	*h, **tail;
	size_t			 n = 0;

	if (s->held == NULL && (verdict_complete(smtpd.policy, &s->facts,
	    v) || s->lookups == NULL || !lookup_pending(s->lookups))) {
		log_verdict(s, v);
		return;
	}
	if ((h = calloc(1, sizeof(*h))) == NULL)
		fatal("%s: calloc", __func__);
	h->verdict = *v;
	h->verdict.domain = NULL;	/* the reply's, given already */
	session_set(&h->rcpt_domain, s->facts.rcpt_domain);
	for (tail = &s->held; *tail != NULL; tail = &(*tail)->next)
		n++;
	*tail = h;
	held_write(s, n >= HELD_MAX ? 1 : 0);
}

/*
 * The lines held, in the order their verdicts were given, each once
 * its checks have their answers; the first "force" of them whatever
 * they have.
 */
static void
held_write(struct session *s, size_t force)
{
	struct held_verdict	*h;

	if (s->held == NULL)
		return;
	while ((h = s->held) != NULL) {
		session_facts(s);
		s->facts.rcpt_domain = h->rcpt_domain;
		if (!verdict_complete(smtpd.policy, &s->facts, &h->verdict) &&
		    force == 0)
			break;
		if (force > 0)
			force--;
		log_verdict(s, &h->verdict);
		s->held = h->next;
		free(h->rcpt_domain);
		free(h);
	}
	session_facts(s);
}

/* What is known now: the checks whose lookups are in flight wait. */
static void
held_write_all(struct session *s)
{
	held_write(s, SIZE_MAX);
}

static void
log_verdict(struct session *s, const struct verdict *v)
{
	char	id[20];

	snprintf(id, sizeof(id), "%016" PRIx64 " ", s->sid);
	report_verdict(id, smtpd.policy, &s->facts, v, s->smtpd_rdns);
	stats_verdict(smtpd.policy, &s->facts, v);
	/* Its checks have their answers: the memory learns from them. */
	verdict_learn(smtpd.policy, &s->facts, v, smtpd.memory);
	header_summarise(&s->facts, v, &s->verdict);
}

/* Look for lost sessions as often as smtpd's own timeout could fire. */
static void
arm_sweep(void)
{
	struct timeval	tv;

	tv.tv_sec = smtpd.session_timeout < SWEEP_INTERVAL ?
	    smtpd.session_timeout : SWEEP_INTERVAL;
	tv.tv_usec = 0;
	if (evtimer_add(&smtpd.sweep, &tv) == -1)
		fatal("%s: evtimer_add", __func__);
}

static void
on_sweep(int fd, short ev, void *arg)
{
	session_sweep(session_clock() - SESSION_LOST * smtpd.session_timeout,
	    expire_session);
	arm_sweep();
}

static void
expire_session(struct session *s)
{
	log_warnx("%016" PRIx64 " reclaimed: no line from smtpd for %lld s",
	    s->sid, (long long)(session_clock() - s->last));
}
