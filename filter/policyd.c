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
 * The policy server: one process, one event loop and one DNS cache for
 * every connection that Postfix (check_policy_service) or Exim
 * (${readsocket}) opens.  A connection carries requests one after the
 * other: Postfix keeps it for many, Exim sends one and shuts its side.
 *
 * A connection costs its line buffer and little else while idle, and
 * is bounded in every way a peer could abuse: lines (PF_LINE_MAX) and
 * lines a request (PF_LINES_MAX), the time a request may take to
 * arrive and its answer to leave, the time it may stay idle, and the
 * connections at once.  Its next request is not read while one is
 * judged or answered, so a peer that never reads holds one answer.
 * What is malformed closes that connection alone; so does an error of
 * ours, without an answer, which makes Postfix apply its default_action
 * and Exim's ${readsocket} its fail string: never an accept by mistake.
 */
/* glibc declares accept4(2) only for this. */
#if defined(__linux__) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE
#endif

#include "compat.h"

#include <sys/types.h>
#include <sys/resource.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>

#include <errno.h>
#include <event.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "firsthelo.h"
#include "header.h"
#include "helo.h"
#include "io.h"
#include "log.h"
#include "lookup.h"
#include "policy.h"
#include "policyd.h"
#include "postfix.h"
#include "report.h"
#include "stats.h"
#include "verdict.h"

#define PD_BACKLOG	128
#define PD_FD_RESERVE	32	/* the listener, logs, resolver sockets */
#define PD_ACCEPT_TURN	64	/* connections taken per turn of the loop */
#define PD_IDLE_SEC	600	/* no request: Postfix closes at 300 s */
#define PD_REQUEST_SEC	30	/* a request's lines, or its answer's */
#define PD_RETRY_MS	100	/* out of descriptors: accept again later */
#define PD_PREPENDED_MAX 4096	/* headers remembered for one transaction */
/*
 * Lines held for lookups (see struct judgement): a few a connection on
 * average, and a bound in all, each 1 kB with the request's values and
 * its lookups.  Past it a line is written at once, with what is known.
 */
#define PD_HELD_CONN	4
#define PD_HELD_MAX	4096

enum pconn_state {
	PC_IDLE,		/* waiting for a request */
	PC_READING,		/* some of its lines are in */
	PC_JUDGING,		/* its verdict waits for lookups */
	PC_WRITING		/* its answer waits for the peer */
};

/*
 * One request being judged, and once answered, its verdict if the line
 * waits: the answer is given as soon as no lookup could change it, but
 * the line, the counters and the memory wait for the lookups that
 * report-only checks read, until they answer or the request's deadline
 * passes, so that such a check is logged whatever the timing.  The
 * connection is free meanwhile for its next request: what the facts
 * point into (the request's values) moves here with the lookups, whose
 * callbacks get this, not the connection.  The server holds it until
 * then, or until a reload or the end writes it with what is known.
 */
struct judgement {
	TAILQ_ENTRY(judgement)	 entry;		/* in pd.held, once held */
	struct pconn		*conn;		/* NULL once held */
	struct facts		 facts;
	struct lookup_set	*lookups;
	char			 rcpt_domain[NAME_BUFSZ];
	char			*helo_prev;

	/* once held */
	struct pf_request	 req;		/* what the facts point into */
	struct verdict		 verdict;
	char			 id[48];	/* "CONN.REQ ", the log's */
	struct event		 deadline;
};

struct pconn {
	TAILQ_ENTRY(pconn)	 entry;
	unsigned long		 id;
	unsigned long		 nreq;
	int			 fd;		/* -1 for stdin and stdout */
	int			 eof;		/* the peer sends no more */
	int			 closing;	/* close at the next turn */
	enum pconn_state	 state;
	struct io_in		*in;
	struct io_out		*out;
	struct event		 timer;
	struct pf_request	 req;
	struct timespec		 arrived;

	/*
	 * The transaction (Postfix's "instance") of the headers last
	 * prepended, and their values, each between newlines.
	 */
	char			*prepended_instance;
	char			*prepended;

	struct judgement	*judging;	/* while judging a HELO */
};

static struct {
	struct event_base	*base;
	const struct policy	*policy;
	int			 lfd;		/* -1: one connection, stdio */
	struct event		 accept_ev;
	struct event		 accept_retry;
	TAILQ_HEAD(, pconn)	 conns;
	size_t			 nconns;
	size_t			 maxconns;
	TAILQ_HEAD(, judgement)	 held;		/* lines waiting for lookups */
	size_t			 nheld;
	size_t			 maxheld;
	unsigned long		 held_over;	/* written early: too many */
	unsigned long		 next_id;
	unsigned long		 turned_away;
	char			 hostname[NAME_BUFSZ];
	struct memory		*memory;	/* outlives reloads */
} pd;

static int	socket_live(const struct sockaddr_un *);
static size_t	conns_max(void);
static void	on_accept(int, short, void *);
static void	accept_pause(void);
static void	on_accept_retry(int, short, void *);
static struct pconn *pconn_new(int, int, int);
static void	pconn_free(struct pconn *);
static void	pconn_close_soon(struct pconn *, const char *);
static void	pconn_arm(struct pconn *, int);
static void	on_timer(int, short, void *);
static void	request_begins(struct pconn *);
static void	on_read(void *);
static const char *request_sender(char *const *);
static void	on_line(char *, size_t, void *);
static void	on_eof(void *);
static void	on_toolong(size_t, void *);
static void	on_drained(void *);
static void	request_start(struct pconn *);
static int	request_facts(struct pconn *);
static void	request_plan(struct pconn *);
static void	request_decide(struct pconn *, int);
static void	on_lookup(void *);
static void	request_answer(struct pconn *, struct verdict *);
static int	answer_line(struct pconn *, const struct verdict *, char *,
		    size_t);
static int	prepended_before(struct pconn *, const char *);
static void	request_done(struct pconn *);
static void	request_clear(struct pconn *);
static int	send_answer(struct pconn *, const char *);
static void	verdict_given(struct pconn *, struct verdict *);
static void	verdict_log(struct judgement *, const struct verdict *);
static void	held_deadline(struct judgement *, const struct timespec *);
static void	held_lookup(struct judgement *);
static void	on_held_deadline(int, short, void *);
static void	held_write(struct judgement *);
static void	held_write_all(void);
static void	judgement_free(struct judgement *);
static void	run_end_check(void);

/*
 * The socket, made before privileges are dropped: mode 0660, its group
 * the MTA's if given, so that only the MTA and our user can connect.  A
 * stale socket, left by a crash or a stop, is replaced; a live one, a
 * server's that still runs, is not, nor anything else at the path.
 */
int
policyd_listen(const char *path, const char *group)
{
	struct sockaddr_un	 sun;
	struct stat		 st;
	struct group		*gr = NULL;
	mode_t			 old;
	int			 fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlcpy(sun.sun_path, path, sizeof(sun.sun_path)) >=
	    sizeof(sun.sun_path)) {
		log_warnx("%s: socket path too long", path);
		return -1;
	}
	if (group != NULL && (gr = getgrnam(group)) == NULL) {
		log_warnx("%s: no such group", group);
		return -1;
	}
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			log_warnx("%s: exists and is not a socket", path);
			return -1;
		}
		switch (socket_live(&sun)) {
		case 1:
			log_warnx("%s: another server listens there", path);
			return -1;
		case -1:
			log_warn("%s", path);
			return -1;
		}
		if (unlink(path) == -1) {
			log_warn("%s", path);
			return -1;
		}
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1) {
		log_warn("socket");
		return -1;
	}
	old = umask(0117);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		log_warn("%s", path);
		umask(old);
		close(fd);
		return -1;
	}
	umask(old);
	if ((gr != NULL && chown(path, (uid_t)-1, gr->gr_gid) == -1) ||
	    chmod(path, 0660) == -1 || listen(fd, PD_BACKLOG) == -1 ||
	    fcntl(fd, F_SETFL, O_NONBLOCK) == -1) {
		log_warn("%s", path);
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Whether a server still listens on the socket: 1 if so, 0 if the
 * socket is stale (the connection is refused), -1 with errno if that
 * cannot be told.  Not blocking: a full backlog is a live server too.
 */
static int
socket_live(const struct sockaddr_un *sun)
{
	int	 fd, live, saved;

	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1)
		return -1;
	if (fcntl(fd, F_SETFL, O_NONBLOCK) == -1) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	if (connect(fd, (const struct sockaddr *)sun, sizeof(*sun)) == 0 ||
	    errno == EAGAIN || errno == EINPROGRESS)
		live = 1;
	else if (errno == ECONNREFUSED)
		live = 0;
	else
		live = -1;
	saved = errno;
	close(fd);
	errno = saved;
	return live;
}

/*
 * Serve until told to stop: on lfd, or, with lfd -1, the one connection
 * on stdin and stdout, which ends the run when it ends.
 */
int
policyd_run(struct event_base *base, const struct policy *policy, int lfd)
{
	pd.base = base;
	pd.policy = policy;
	pd.lfd = lfd;
	TAILQ_INIT(&pd.conns);
	TAILQ_INIT(&pd.held);
	if (gethostname(pd.hostname, sizeof(pd.hostname)) == -1)
		pd.hostname[0] = '\0';
	firsthelo_init();
	if ((pd.memory = memory_new(MEMORY_ENTRIES)) == NULL)
		fatal("%s: memory of clients", __func__);
	stats_memory(pd.memory);
	if (lfd == -1) {
		pd.maxconns = 1;
		if (pconn_new(STDIN_FILENO, STDOUT_FILENO, -1) == NULL)
			fatal("%s: stdin and stdout", __func__);
	} else {
		pd.maxconns = conns_max();
		event_set(&pd.accept_ev, lfd, EV_READ | EV_PERSIST,
		    on_accept, NULL);
		evtimer_set(&pd.accept_retry, on_accept_retry, NULL);
		if (event_base_set(base, &pd.accept_ev) == -1 ||
		    event_base_set(base, &pd.accept_retry) == -1 ||
		    event_add(&pd.accept_ev, NULL) == -1)
			fatal("%s: listener", __func__);
		log_info("policy server: %zu connections at most",
		    pd.maxconns);
	}
	pd.maxheld = pd.maxconns > PD_HELD_MAX / PD_HELD_CONN ?
	    PD_HELD_MAX : pd.maxconns * PD_HELD_CONN;
	if (event_base_dispatch(base) == -1)
		fatal("%s: event loop", __func__);
	if (lfd != -1) {
		event_del(&pd.accept_ev);
		evtimer_del(&pd.accept_retry);
	}
	while (!TAILQ_EMPTY(&pd.conns))
		pconn_free(TAILQ_FIRST(&pd.conns));
	/* As smtpd's at its end: the lines held, with what is known. */
	held_write_all();
	firsthelo_free();
	stats_memory(NULL);
	memory_free(pd.memory);
	pd.memory = NULL;
	return 0;
}

/*
 * As in the OpenSMTPD front end: the lines held for lookups are written
 * first, under the policy that judged them, and verdicts from now on
 * follow the new one.  Nothing kept holds the old one.
 */
void
policyd_set_policy(const struct policy *policy)
{
	held_write_all();
	pd.policy = policy;
}

/*
 * As many connections as descriptors, less a reserve: the soft limit
 * is raised to the hard one first.
 */
static size_t
conns_max(void)
{
	struct rlimit	 rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return 64;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
			getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > 1000000)
		rl.rlim_cur = 1000000;
	if (rl.rlim_cur <= 2 * PD_FD_RESERVE)
		return PD_FD_RESERVE;
	return rl.rlim_cur - PD_FD_RESERVE;
}

/*
 * New connections, some a turn.  Past the bound they are closed at
 * once, so that the backlog does not fill with peers that will wait in
 * vain; out of descriptors, accepting waits a moment.
 */
static void
on_accept(int fd, short events, void *arg)
{
	int	 c, n;

	for (n = 0; n < PD_ACCEPT_TURN; n++) {
		/* non-blocking at once: a request is a few system calls */
		if ((c = accept4(pd.lfd, NULL, NULL, SOCK_NONBLOCK |
		    SOCK_CLOEXEC)) == -1) {
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM) {
				log_warn("policy server: accept");
				accept_pause();
			} else if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR && errno != ECONNABORTED)
				log_warn("policy server: accept");
			return;
		}
		if (pd.nconns >= pd.maxconns) {
			if (pd.turned_away++ % 1000 == 0)
				log_warnx("policy server: %zu connections "
				    "already, turning more away (%lu so far)",
				    pd.nconns, pd.turned_away);
			close(c);
			continue;
		}
		if (pconn_new(c, c, c) == NULL) {
			log_warn("policy server: a new connection");
			close(c);
		}
	}
}

static void
accept_pause(void)
{
	struct timeval	 tv = { 0, PD_RETRY_MS * 1000 };

	event_del(&pd.accept_ev);
	evtimer_add(&pd.accept_retry, &tv);
}

/*
 * The pause is over: listen again, then take what waited meanwhile,
 * which may pause once more.
 */
static void
on_accept_retry(int fd, short events, void *arg)
{
	if (event_add(&pd.accept_ev, NULL) == -1)
		fatal("%s: listener", __func__);
	on_accept(pd.lfd, EV_READ, arg);
}

static struct pconn *
pconn_new(int rfd, int wfd, int fd)
{
	struct pconn	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->fd = fd;
	c->id = ++pd.next_id;
	if ((c->out = io_out_new(pd.base, wfd)) == NULL ||
	    (c->in = io_in_new(pd.base, rfd, PF_LINE_MAX, on_line, on_eof,
	    on_toolong, c)) == NULL) {
		io_out_free(c->out);
		free(c);
		return NULL;
	}
	io_out_on_drain(c->out, on_drained, c);
	io_in_on_read(c->in, on_read, c);
	evtimer_set(&c->timer, on_timer, c);
	if (event_base_set(pd.base, &c->timer) == -1) {
		io_in_free(c->in);
		io_out_free(c->out);
		free(c);
		return NULL;
	}
	pconn_arm(c, PD_IDLE_SEC);
	TAILQ_INSERT_TAIL(&pd.conns, c, entry);
	pd.nconns++;
	return c;
}

/*
 * A connection's end; with stdio, the end of the run, once the lines
 * it left are written.
 */
static void
pconn_free(struct pconn *c)
{
	TAILQ_REMOVE(&pd.conns, c, entry);
	pd.nconns--;
	evtimer_del(&c->timer);
	request_clear(c);
	free(c->prepended_instance);
	free(c->prepended);
	io_in_free(c->in);
	io_out_free(c->out);
	if (c->fd != -1)
		close(c->fd);
	free(c);
	run_end_check();
}

/*
 * Out of the callbacks of its own input first: the connection goes at
 * the next turn of the loop.
 */
static void
pconn_close_soon(struct pconn *c, const char *why)
{
	struct timeval	 now = { 0, 0 };

	if (why != NULL)
		log_warnx("policy %lu: %s, closing", c->id, why);
	c->closing = 1;
	io_in_hold(c->in, 1);
	evtimer_add(&c->timer, &now);
}

static void
pconn_arm(struct pconn *c, int sec)
{
	struct timeval	 tv = { sec, 0 };

	evtimer_add(&c->timer, &tv);
}

/*
 * The connection's one timer: idle, a request or an answer too slow, a
 * close that waited for the next turn, or, while judging, the verdict's
 * deadline.
 */
static void
on_timer(int fd, short events, void *arg)
{
	struct pconn	*c = arg;

	if (!c->closing && c->state == PC_JUDGING) {
		request_decide(c, 1);
		return;
	}
	if (!c->closing && c->state != PC_IDLE)
		log_warnx("policy %lu: %s for %d s, closing", c->id,
		    c->state == PC_WRITING ? "answer not read" :
		    "request unfinished", PD_REQUEST_SEC);
	pconn_free(c);
}

/*
 * A request begins with its first byte, not its first whole line: one
 * that never ends, a line of it included, has PD_REQUEST_SEC, not the
 * idle time.
 */
static void
request_begins(struct pconn *c)
{
	if (c->closing || c->state != PC_IDLE)
		return;
	c->state = PC_READING;
	pconn_arm(c, PD_REQUEST_SEC);
}

static void
on_read(void *arg)
{
	request_begins(arg);
}

static void
on_line(char *line, size_t len, void *arg)
{
	struct pconn	*c = arg;
	const char	*errstr;

	if (c->closing)
		return;
	/* a request already read with the one before */
	request_begins(c);
	switch (pf_request_line(&c->req, line, &errstr)) {
	case PF_MORE:
		break;
	case PF_DONE:
		io_in_hold(c->in, 1);
		request_start(c);
		break;
	case PF_ERROR:
		pconn_close_soon(c, errstr);
		break;
	}
}

/*
 * The peer sends no more: Exim after its request, Postfix when it
 * closes.  A request cut short is not answered; one being judged is,
 * and then the connection closes.
 */
static void
on_eof(void *arg)
{
	struct pconn	*c = arg;

	c->eof = 1;
	if (c->state == PC_READING)
		log_warnx("policy %lu: request cut short", c->id);
	if (c->state == PC_IDLE || c->state == PC_READING)
		pconn_free(c);
}

static void
on_toolong(size_t len, void *arg)
{
	pconn_close_soon(arg, "attribute line too long");
}

static void
on_drained(void *arg)
{
	struct pconn	*c = arg;

	if (c->state == PC_WRITING)
		request_done(c);
}

/*
 * A whole request: judged when it is about a HELO, answered DUNNO when
 * it cannot be (before HELO, or a client that gave none).
 */
static void
request_start(struct pconn *c)
{
	const char	*state = c->req.v[PF_PROTOCOL_STATE];

	c->nreq++;
	clock_gettime(CLOCK_MONOTONIC, &c->arrived);
	c->state = PC_JUDGING;
	/* a client Postfix has no address for: nothing to judge it by */
	if (c->req.v[PF_CLIENT_ADDRESS] != NULL &&
	    *c->req.v[PF_CLIENT_ADDRESS] != '\0' &&
	    !pf_value_known(c->req.v[PF_CLIENT_ADDRESS])) {
		log_info("policy %lu.%lu: client_address unknown: DUNNO",
		    c->id, c->nreq);
		request_answer(c, NULL);
		return;
	}
	if ((c->judging = calloc(1, sizeof(*c->judging))) == NULL)
		fatal("%s: calloc", __func__);
	c->judging->conn = c;
	if (request_facts(c) == -1) {
		pconn_close_soon(c, "malformed request");
		return;
	}
	if (c->judging->facts.helo_raw == NULL) {
		if (state == NULL || strcmp(state, "CONNECT") != 0)
			log_info("policy %lu.%lu: no helo_name at %s: DUNNO",
			    c->id, c->nreq, state ? state : "an unknown state");
		request_answer(c, NULL);
		return;
	}
	request_plan(c);
	if (c->judging->lookups != NULL)
		pconn_arm(c, pd.policy->dns_timeout);
	request_decide(c, 0);
}

/*
 * The request's attributes as facts.  Postfix's client_name is the
 * name it forward-confirmed, or "unknown": used as smtpd's rdns=.  A
 * server_address of "unknown" is none (XCLIENT's [UNAVAILABLE]).  Our
 * own name for "self" is local-name's, else the host name, since
 * Postfix does not send it.  The first HELO of the client's connection
 * stands for "changed" (firsthelo.c).
 */
static int
request_facts(struct pconn *c)
{
	struct judgement	*j = c->judging;
	struct facts		*f = &j->facts;
	char *const		*v = c->req.v;
	const char		*at, *name, *first;

	memset(f, 0, sizeof(*f));
	if (v[PF_CLIENT_ADDRESS] == NULL || *v[PF_CLIENT_ADDRESS] == '\0')
		f->local = 1;
	else if (addr_parse(v[PF_CLIENT_ADDRESS], &f->client) == -1)
		return -1;
	if (pf_value_known(v[PF_SERVER_ADDRESS]) &&
	    addr_parse(v[PF_SERVER_ADDRESS], &f->server) == -1)
		return -1;
	f->authenticated = v[PF_SASL_USERNAME] != NULL &&
	    *v[PF_SASL_USERNAME] != '\0';
	if (pd.policy->local_names.n == 0 && pd.hostname[0] != '\0')
		f->greeting = pd.hostname;
	if (v[PF_HELO_NAME] != NULL && *v[PF_HELO_NAME] != '\0') {
		f->helo_raw = v[PF_HELO_NAME];
		if (helo_classify(f->helo_raw, &f->helo) == -1)
			fatal("%s: helo_classify", __func__);
		if (!f->local && (first = firsthelo_note(&f->client,
		    v[PF_CLIENT_PORT], f->helo_raw)) != NULL) {
			/* kept: another request may push it out meanwhile */
			if ((j->helo_prev = strdup(first)) == NULL)
				fatal("%s: strdup", __func__);
			f->helo_prev = j->helo_prev;
		}
	}
	if (v[PF_RECIPIENT] != NULL && *v[PF_RECIPIENT] != '\0') {
		f->rcpt = v[PF_RECIPIENT];
		if ((at = strrchr(f->rcpt, '@')) != NULL &&
		    name_normalise(at + 1, j->rcpt_domain,
		    sizeof(j->rcpt_domain)) == 0)
			f->rcpt_domain = j->rcpt_domain;
	}
	name = v[PF_CLIENT_NAME];
	if (pf_value_known(name))
		f->rdns_verified = name;
	f->mail_from = request_sender(v);
	f->memory = pd.memory;
	f->now = time(NULL);
	return 0;
}

/*
 * The sender, "" for a bounce, from the states that follow MAIL FROM;
 * NULL before it (Postfix sends an empty sender there too) or when the
 * state is not said.
 */
static const char *
request_sender(char *const *v)
{
	static const char *const after_mail[] = {
		"MAIL", "RCPT", "DATA", "END-OF-MESSAGE",
	};
	size_t	i;

	if (v[PF_SENDER] == NULL || v[PF_PROTOCOL_STATE] == NULL)
		return NULL;
	for (i = 0; i < nitems(after_mail); i++)
		if (strcmp(v[PF_PROTOCOL_STATE], after_mail[i]) == 0)
			return v[PF_SENDER];
	return NULL;
}

/* The lookups the verdict needs (verdict_plan()), as the other front ends. */
static void
request_plan(struct pconn *c)
{
	struct judgement	*j = c->judging;
	int			 plan;

	if ((plan = verdict_plan(pd.policy, &j->facts)) == 0)
		return;
	if ((j->lookups = lookup_new(&j->facts, pd.policy->dns_timeout * 1000L,
	    on_lookup, j)) == NULL)
		fatal("%s: lookup_new", __func__);
	lookup_start(j->lookups, plan, &pd.policy->dbl);
	if (!lookup_pending(j->lookups)) {
		lookup_free(j->lookups);
		j->lookups = NULL;
	}
}

/* Decide now if the facts allow; force: at the deadline, they must. */
static void
request_decide(struct pconn *c, int force)
{
	struct judgement	*j = c->judging;
	struct verdict		 v;

	if (force) {
		if (j->lookups != NULL)
			lookup_expire(j->lookups);
		dns_facts_expire(&j->facts.dns);
	}
	verdict_decide(pd.policy, &j->facts, &v);
	if (!v.wait)
		request_answer(c, &v);
}

/*
 * An answer arrived: for the request being judged, or for a line held.
 * lookup.c calls this last, so the set may be freed here.
 */
static void
on_lookup(void *arg)
{
	struct judgement	*j = arg;

	if (j->conn == NULL) {
		held_lookup(j);
		return;
	}
	if (lookup_pending(j->lookups) == 0) {
		/* the facts keep what the set found */
		lookup_free(j->lookups);
		j->lookups = NULL;
	}
	request_decide(j->conn, 0);
}

/*
 * v NULL: no verdict to give, DUNNO.  The request's judgement ends
 * here, its line written or held; the connection keeps nothing of it.
 */
static void
request_answer(struct pconn *c, struct verdict *v)
{
	char	 line[PF_REPLY_MAX];
	int	 answered;

	answered = answer_line(c, v, line, sizeof(line)) == 0;
	if (v != NULL) {
		stats_latency(&c->arrived);
		verdict_given(c, v);
	}
	request_clear(c);
	if (!answered) {
		pconn_close_soon(c, "no answer for the verdict");
		return;
	}
	if (send_answer(c, line) == -1)
		return;
	c->state = PC_WRITING;
	if (io_out_pending(c->out) == 0)
		request_done(c);
	else
		pconn_arm(c, PD_REQUEST_SEC);
}

/*
 * What Postfix is told: a refusal with our reply, the X-HELO-Check
 * header for junk (and for every verdict with add-header), or DUNNO.
 */
static int
answer_line(struct pconn *c, const struct verdict *v, char *buf,
    size_t len)
{
	struct verdict_sum	 sum;
	char			 reply[PF_REPLY_MAX], value[HEADER_MAX];
	enum action		 a;

	if (v == NULL)
		return pf_fmt_dunno(buf, len);
	/* A dry run logs what it would do (would=) and refuses no one. */
	a = pd.policy->dry_run ? ACT_PASS : v->action;
	switch (a) {
	case ACT_TEMPFAIL:
	case ACT_REJECT:
	case ACT_DISCONNECT:
		if (verdict_reply(pd.policy, &c->judging->facts, v, reply,
		    sizeof(reply)) == -1)
			return -1;
		return pf_fmt_refuse(buf, len, reply);
	case ACT_JUNK:
		break;
	default:
		if (!pd.policy->add_header)
			return pf_fmt_dunno(buf, len);
		break;
	}
	header_summarise(&c->judging->facts, v, &sum);
	if (header_helo_check_value(value, sizeof(value), &sum,
	    c->judging->facts.helo_raw) == -1)
		return -1;
	if (prepended_before(c, value))
		return pf_fmt_dunno(buf, len);
	return pf_fmt_prepend(buf, len, "X-HELO-Check", value);
}

/*
 * Postfix asks once for each recipient and prepends every header it is
 * given to the one message: a header already sent for this transaction
 * (the same "instance", on the same connection) is not sent again.
 * Without an instance (Exim), or past PD_PREPENDED_MAX, nothing is
 * remembered and the header is sent.
 */
static int
prepended_before(struct pconn *c, const char *value)
{
	const char	*inst = c->req.v[PF_INSTANCE];
	char		*p;
	size_t		 have, n;

	if (inst == NULL || *inst == '\0')
		return 0;
	if (c->prepended_instance != NULL &&
	    strcmp(c->prepended_instance, inst) == 0) {
		n = strlen(value);
		for (p = c->prepended; (p = strstr(p, value)) != NULL; p++)
			if (p[-1] == '\n' && p[n] == '\n')
				return 1;
	} else {
		free(c->prepended_instance);
		free(c->prepended);
		if ((c->prepended_instance = strdup(inst)) == NULL ||
		    (c->prepended = strdup("\n")) == NULL)
			fatal("%s: strdup", __func__);
	}
	have = strlen(c->prepended);
	n = strlen(value) + 1;
	if (have + n > PD_PREPENDED_MAX)
		return 0;
	if ((p = realloc(c->prepended, have + n + 1)) == NULL)
		fatal("%s: realloc", __func__);
	snprintf(p + have, n + 1, "%s\n", value);
	c->prepended = p;
	return 0;
}

/* The answer is out: the next request may come, unless the peer left. */
static void
request_done(struct pconn *c)
{
	pf_request_clear(&c->req);
	c->state = PC_IDLE;
	if (c->eof) {
		pconn_close_soon(c, NULL);
		return;
	}
	pconn_arm(c, PD_IDLE_SEC);
	io_in_hold(c->in, 0);
}

/* What judging one request held: the connection keeps nothing of it. */
static void
request_clear(struct pconn *c)
{
	judgement_free(c->judging);
	c->judging = NULL;
	pf_request_clear(&c->req);
}

/* A peer that has gone away leaves nothing to answer. */
static int
send_answer(struct pconn *c, const char *line)
{
	if (io_out_line(c->out, line) == -1) {
		if (errno == ENOMEM)
			fatal("%s: io_out_line", __func__);
		pconn_close_soon(c, NULL);
		return -1;
	}
	return 0;
}

/*
 * The verdict just answered: its line now, or held until the lookups
 * its checks still wait for have answered, the request's values moving
 * with it.  Past the bound on lines held, now, with what is known.
 */
static void
verdict_given(struct pconn *c, struct verdict *v)
{
	struct judgement	*j = c->judging;

	snprintf(j->id, sizeof(j->id), "%lu.%lu ", c->id, c->nreq);
	if (j->lookups == NULL || !lookup_pending(j->lookups) ||
	    verdict_complete(pd.policy, &j->facts, v)) {
		verdict_log(j, v);
		return;
	}
	if (pd.nheld >= pd.maxheld) {
		if (pd.held_over++ % 1000 == 0)
			log_warnx("policy server: %zu lines wait for lookups "
			    "already, writing more at once (%lu so far)",
			    pd.nheld, pd.held_over);
		verdict_log(j, v);
		return;
	}
	j->verdict = *v;
	j->verdict.domain = NULL;	/* the reply's, given already */
	j->req = c->req;
	memset(&c->req, 0, sizeof(c->req));
	j->conn = NULL;
	c->judging = NULL;
	held_deadline(j, &c->arrived);
	TAILQ_INSERT_TAIL(&pd.held, j, entry);
	pd.nheld++;
}

/* The line, the counters, and what the memory learns from the verdict. */
static void
verdict_log(struct judgement *j, const struct verdict *v)
{
	report_verdict(j->id, pd.policy, &j->facts, v, j->facts.rdns_verified);
	stats_verdict(pd.policy, &j->facts, v);
	verdict_learn(pd.policy, &j->facts, v, pd.memory);
}

/* The request's deadline, dns-timeout from its arrival, ends the wait. */
static void
held_deadline(struct judgement *j, const struct timespec *arrived)
{
	struct timespec	 now;
	struct timeval	 tv;
	long long	 ms;

	if (clock_gettime(CLOCK_MONOTONIC, &now) == -1)
		fatal("%s: clock_gettime", __func__);
	ms = (arrived->tv_sec + pd.policy->dns_timeout - now.tv_sec) * 1000LL +
	    (arrived->tv_nsec - now.tv_nsec) / 1000000;
	if (ms < 0)
		ms = 0;
	tv.tv_sec = ms / 1000;
	tv.tv_usec = ms % 1000 * 1000;
	evtimer_set(&j->deadline, on_held_deadline, j);
	if (event_base_set(pd.base, &j->deadline) == -1 ||
	    evtimer_add(&j->deadline, &tv) == -1)
		fatal("%s: deadline", __func__);
}

/* A held line is written once nothing it reads waits. */
static void
held_lookup(struct judgement *j)
{
	if (lookup_pending(j->lookups) &&
	    !verdict_complete(pd.policy, &j->facts, &j->verdict))
		return;
	held_write(j);
}

/* What is still in flight at the deadline has failed: "unknown". */
static void
on_held_deadline(int fd, short events, void *arg)
{
	struct judgement	*j = arg;

	lookup_expire(j->lookups);
	held_write(j);
}

/* The line with what is known: the checks still without answers wait. */
static void
held_write(struct judgement *j)
{
	(void)verdict_complete(pd.policy, &j->facts, &j->verdict);
	verdict_log(j, &j->verdict);
	judgement_free(j);
}

static void
held_write_all(void)
{
	while (!TAILQ_EMPTY(&pd.held))
		held_write(TAILQ_FIRST(&pd.held));
}

/* A request's judgement, being judged or held; NULL is none. */
static void
judgement_free(struct judgement *j)
{
	int	held;

	if (j == NULL)
		return;
	if ((held = j->conn == NULL)) {
		evtimer_del(&j->deadline);
		TAILQ_REMOVE(&pd.held, j, entry);
		pd.nheld--;
	}
	lookup_free(j->lookups);
	dns_facts_free(&j->facts.dns);
	helo_clear(&j->facts.helo);
	free(j->helo_prev);
	pf_request_clear(&j->req);
	free(j);
	if (held)
		run_end_check();
}

/* With stdio, the run ends with the connection and the lines it left. */
static void
run_end_check(void)
{
	if (pd.lfd == -1 && pd.nconns == 0 && pd.nheld == 0)
		event_base_loopexit(pd.base, NULL);
}
