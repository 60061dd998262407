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
 * The resolver on libunbound, in its thread mode: libunbound resolves in
 * a thread of its own and writes the answers to a pipe, which the event
 * loop watches.
 *
 * In front of it: our own answer cache (dnscache.c), since a round trip
 * through libunbound's thread costs tens of microseconds even for an
 * answer it has cached, and one lookup per name and type at a time,
 * shared by every caller that asks meanwhile.
 *
 * Each caller has a deadline of ours: libunbound's own retries can run
 * for minutes.  At the deadline the caller is told "timeout", but the
 * lookup is not cancelled: ub_cancel() in thread mode only forgets the
 * callback, while the query goes on retrying and holding its memory and
 * socket.  The lookup stays counted until libunbound answers it, and at
 * most DNS_INFLIGHT_MAX are counted: that bounds libunbound's memory
 * and sockets whatever the flood, and keeps the query pipe, which
 * ub_resolve_async() writes with a blocking write(2), from ever filling.
 * Lookups beyond the bound wait in a queue of ours; a caller whose
 * deadline comes first is told "overload", and a lookup nobody waits
 * for any more leaves the queue without being sent.
 */
#include "compat.h"

#include <sys/queue.h>
#include <sys/resource.h>
#include <sys/tree.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <errno.h>
#include <event.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unbound.h>

#include "dns.h"
#include "dnscache.h"
#include "dnsresult.h"

#define DNS_CLASS_IN	1
#define DNS_PORTS_MIN	16	/* libunbound's own default */
#define DNS_FD_RESERVE	64	/* for smtpd's socket, logs, the pipe */

/*
 * Lookups inside libunbound at once.  Each holds about 16 KB there, and
 * an outgoing socket, until libunbound answers, which for a server that
 * never replies takes its whole retry schedule: 256 is 4 MB at worst,
 * under libunbound's own num-queries-per-thread, and, at a millisecond
 * or so per answer from a site's resolver, far more lookups a second
 * than a mail server's sessions need.
 */
#define DNS_INFLIGHT_MAX	256
/*
 * A lookup in flight uses one socket at a time, and a validation
 * sub-query another: more ports would only cost start-up time, which
 * the one-shot mode pays on every call (4096 took 10 ms more than 512).
 */
#define DNS_PORTS_MAX		(2 * DNS_INFLIGHT_MAX)
/*
 * ub_resolve_async() writes each query into a pipe that libunbound's
 * thread reads, with a blocking write(2): should the pipe be full, the
 * whole filter would stop.  Every byte in the pipe belongs to a lookup
 * not yet answered, so keeping the bytes of those lookups under the
 * smallest pipe buffer we may get (OpenBSD's 16 KB; Linux gives 64 KB)
 * means the write never waits.  A message is a length, four 32-bit
 * words and the name with its NUL.
 */
#define DNS_PIPE_MAX		16384
#define DNS_PIPE_MSG(len)	(5 * 4 + (len) + 1)
/* Cached answers given per turn of the event loop. */
#define DNS_READY_TURN		64

enum dns_lookup_state {
	LOOKUP_WAITING,		/* in our queue */
	LOOKUP_SENT,		/* inside libunbound */
	LOOKUP_DONE		/* answered: its callers are being told */
};

/* One question to libunbound, shared by all who ask it meanwhile. */
struct dns_lookup {
	RB_ENTRY(dns_lookup)	 node;		/* until answered */
	TAILQ_ENTRY(dns_lookup)	 wait;		/* while waiting */
	TAILQ_HEAD(, dns_query)	 queries;	/* its callers */
	enum dns_lookup_state	 state;
	int			 type;
	int			 id;		/* libunbound's async id */
	size_t			 msglen;	/* in libunbound's pipe */
	char			*name;		/* follows the lookup */
};

/* One caller's wait: for a lookup, or to be given a ready answer. */
struct dns_query {
	TAILQ_ENTRY(dns_query)	 entry;
	struct dns_lookup	*lookup;	/* NULL once ready */
	struct dnscache_entry	*hit;		/* ready: the answer */
	const char		*failed;	/* ready: why it failed */
	const char		*detail;	/* ready: and its reason */
	struct event		 deadline;
	struct timespec		 start;
	int			 type;
	dns_cb			 cb;
	void			*arg;
	char			*name;		/* follows the query */
};

/*
 * libunbound answers these names itself, empty or with localhost data, as
 * an Internet resolver should (RFC 6303, 6761, 7686).  A filter must ask
 * the site's resolver instead: sites serve 10.in-addr.arpa and the like
 * internally.  "local-zone: NAME nodefault" is silently ignored when given
 * through ub_ctx_set_option() (the whole string becomes the zone name), so
 * each of these is declared transparent, which replaces the default zone
 * and lets every query through.
 */
static const char *dns_default_zones[] = {
	"localhost.",
	"127.in-addr.arpa.",
	"1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
	    "0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa.",
	"home.arpa.",
	"onion.",
	"test.",
	"invalid.",
};

/*
 * The private and documentation reverse zones (the AS112 list) are all
 * released by "unblock-lan-zones".  Sites serve them unsigned, so under a
 * trust anchor they would all be bogus: "insecure-lan-zones" leaves them
 * unvalidated.
 */
static const char *dns_lan_options[] = {
	"unblock-lan-zones:",
	"insecure-lan-zones:",
};

/*
 * libunbound keeps what it learns of a server (round-trip time, timeouts
 * in a row) for infra-host-ttl, 900 s.  A few names in a zone that never
 * answers, asked one after the other, make the one resolver we forward
 * to look down, and then every name fails at once until the entry
 * expires: one spammer's broken DNS would defer all mail.  Kept for no
 * time, the entry expires within a second and the resolver is tried
 * again; a forwarder on the site's network needs no learnt RTT.
 */
static const struct {
	const char	*name;
	const char	*value;
} dns_infra_options[] = {
	{ "infra-host-ttl:",	"0" },
};

RB_HEAD(dns_lookups, dns_lookup);

static int	dns_lookup_cmp(struct dns_lookup *, struct dns_lookup *);
RB_GENERATE_STATIC(dns_lookups, dns_lookup, node, dns_lookup_cmp);

static struct dns_lookups	 dns_lookups = RB_INITIALIZER(&dns_lookups);
/* waiting for a place inside libunbound, oldest first */
static TAILQ_HEAD(, dns_lookup)	 dns_waiting =
    TAILQ_HEAD_INITIALIZER(dns_waiting);
/* answers to give, from the cache or failures, oldest first */
static TAILQ_HEAD(, dns_query)	 dns_ready =
    TAILQ_HEAD_INITIALIZER(dns_ready);
static struct ub_ctx		*dns_ctx;
static struct event_base	*dns_base;
static struct event		 dns_ev;
static struct event		 dns_ready_ev;
static struct dns_stats		 dns_stat;
static size_t			 dns_pipe_bytes;
static dns_observer		 dns_obs;

static int	dns_configure(const struct policy *, char *, size_t);
static int	dns_ports(void);
static void	dns_key(const char *, char *);
static long long dns_msec(const struct timespec *);
static struct dns_lookup *dns_lookup_get(const char *, int);
static void	dns_pump(void);
static void	dns_detach(struct dns_query *);
static void	dns_fail(struct dns_lookup *, const char *, const char *);
static void	dns_ready_add(struct dns_query *);
static void	dns_ready_run(int, short, void *);
static void	dns_dispatch(int, short, void *);
static void	dns_answer(void *, int, struct ub_result *);
static void	dns_deadline(int, short, void *);
static void	dns_deliver(struct dns_query *, struct dns_result *);
static void	dns_refused(const char *, int, int);
static void	dns_trouble(const char *, const char *);

/* obs may be NULL; the reason of a failure goes into err. */
int
dns_init(struct event_base *base, const struct policy *policy,
    dns_observer obs, char *err, size_t errlen)
{
	if (dns_ctx != NULL) {
		snprintf(err, errlen, "dns_init: already initialised");
		return -1;
	}
	if ((dns_ctx = ub_ctx_create()) == NULL) {
		snprintf(err, errlen, "ub_ctx_create failed");
		return -1;
	}
	if (dns_configure(policy, err, errlen) == -1)
		goto fail;
	event_set(&dns_ev, ub_fd(dns_ctx), EV_READ | EV_PERSIST,
	    dns_dispatch, NULL);
	if (event_base_set(base, &dns_ev) == -1 ||
	    event_add(&dns_ev, NULL) == -1) {
		snprintf(err, errlen,
		    "dns_init: cannot watch the resolver's descriptor");
		goto fail;
	}
	evtimer_set(&dns_ready_ev, dns_ready_run, NULL);
	event_base_set(base, &dns_ready_ev);
	dns_base = base;
	dns_obs = obs;
	memset(&dns_stat, 0, sizeof(dns_stat));
	return 0;

 fail:
	ub_ctx_delete(dns_ctx);
	dns_ctx = NULL;
	return -1;
}

static int
dns_configure(const struct policy *policy, char *err, size_t errlen)
{
	char	 zone[128];
	size_t	 i;
	int	 r;

	for (i = 0; i < nitems(dns_lan_options); i++) {
		r = ub_ctx_set_option(dns_ctx, dns_lan_options[i], "yes");
		if (r != 0) {
			snprintf(err, errlen, "%s %s", dns_lan_options[i],
			    ub_strerror(r));
			return -1;
		}
	}
	for (i = 0; i < nitems(dns_default_zones); i++) {
		snprintf(zone, sizeof(zone), "%s transparent",
		    dns_default_zones[i]);
		r = ub_ctx_set_option(dns_ctx, "local-zone:", zone);
		if (r != 0) {
			snprintf(err, errlen, "local-zone %s: %s", zone,
			    ub_strerror(r));
			return -1;
		}
	}
	for (i = 0; i < nitems(dns_infra_options); i++) {
		r = ub_ctx_set_option(dns_ctx, dns_infra_options[i].name,
		    dns_infra_options[i].value);
		if (r != 0) {
			snprintf(err, errlen, "%s %s",
			    dns_infra_options[i].name, ub_strerror(r));
			return -1;
		}
	}
	snprintf(zone, sizeof(zone), "%d", dns_ports());
	if ((r = ub_ctx_set_option(dns_ctx, "outgoing-range:", zone)) != 0) {
		snprintf(err, errlen, "outgoing-range %s: %s", zone,
		    ub_strerror(r));
		return -1;
	}
	for (i = 0; i < policy->resolvers.n; i++) {
		r = ub_ctx_set_fwd(dns_ctx, policy->resolvers.v[i]);
		if (r != 0) {
			snprintf(err, errlen, "resolver %s: %s",
			    policy->resolvers.v[i], ub_strerror(r));
			return -1;
		}
	}
	if (policy->resolvers.n == 0 &&
	    (r = ub_ctx_resolvconf(dns_ctx, NULL)) != 0) {
		snprintf(err, errlen, "resolv.conf: %s", ub_strerror(r));
		return -1;
	}
	if ((r = ub_ctx_async(dns_ctx, 1)) != 0) {
		snprintf(err, errlen, "ub_ctx_async: %s", ub_strerror(r));
		return -1;
	}
	/*
	 * Removing data that is not there finalizes the context: the trust
	 * anchor is read now, before any pledge(2), and a bad one stops
	 * the start instead of failing every query.
	 */
	if ((r = ub_ctx_data_remove(dns_ctx, "invalid.")) != 0) {
		snprintf(err, errlen, "resolver setup: %s", ub_strerror(r));
		return -1;
	}
	return 0;
}

/*
 * Outgoing sockets for libunbound: the descriptor limit, raised to the
 * hard limit (as far as we can use it), less what we need ourselves.
 */
static int
dns_ports(void)
{
	struct rlimit	rl;
	rlim_t		want = DNS_PORTS_MAX + DNS_FD_RESERVE;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return DNS_PORTS_MIN;
	if (rl.rlim_cur < want && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max < want ? rl.rlim_max : want;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
			getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur <= DNS_PORTS_MIN + DNS_FD_RESERVE)
		return DNS_PORTS_MIN;
	if (rl.rlim_cur - DNS_FD_RESERVE > DNS_PORTS_MAX)
		return DNS_PORTS_MAX;
	return rl.rlim_cur - DNS_FD_RESERVE;
}

/*
 * Callers still waiting are forgotten without a call.  libunbound, in
 * thread mode, calls nothing back once deleted: the lookups it had are
 * freed here.
 */
void
dns_shutdown(void)
{
	struct dns_lookup	*l;
	struct dns_query	*q;

	if (dns_ctx == NULL)
		return;
	while ((q = TAILQ_FIRST(&dns_ready)) != NULL)
		dns_cancel(q);
	event_del(&dns_ready_ev);
	event_del(&dns_ev);
	ub_ctx_delete(dns_ctx);
	dns_ctx = NULL;
	while ((l = RB_ROOT(&dns_lookups)) != NULL) {
		RB_REMOVE(dns_lookups, &dns_lookups, l);
		l->state = LOOKUP_DONE;
		while ((q = TAILQ_FIRST(&l->queries)) != NULL)
			dns_cancel(q);
		free(l);
	}
	TAILQ_INIT(&dns_waiting);
	dnscache_clear();
	dns_pipe_bytes = 0;
	dns_base = NULL;
	dns_obs = NULL;
}

/*
 * Returns NULL only when out of memory (errno set), or before
 * dns_init().  Otherwise the callback runs later, from the event loop,
 * never from in here: an answer from the cache, or a query that cannot
 * start, is given on the next turn.
 */
struct dns_query *
dns_query(const char *name, int type, long timeout_ms, dns_cb cb, void *arg)
{
	struct dns_query	*q;
	struct timeval		 tv;

	if (dns_ctx == NULL) {
		errno = EINVAL;
		return NULL;
	}
	dns_stat.asked++;
	if ((q = calloc(1, sizeof(*q) + strlen(name) + 1)) == NULL) {
		dns_refused(name, type, errno);
		return NULL;
	}
	q->name = (char *)(q + 1);
	dns_key(name, q->name);
	q->type = type;
	q->cb = cb;
	q->arg = arg;
	clock_gettime(CLOCK_MONOTONIC, &q->start);

	if (strlen(q->name) >= DNS_TEXT_LEN) {
		q->failed = "local error";
		dns_ready_add(q);
		return q;
	}
	if ((q->hit = dnscache_get(q->name, type, dns_msec(&q->start)))
	    != NULL) {
		dns_stat.hits++;
		dns_ready_add(q);
		return q;
	}
	dns_stat.misses++;
	if ((q->lookup = dns_lookup_get(q->name, type)) == NULL) {
		dns_refused(q->name, type, errno);
		free(q);
		return NULL;
	}
	TAILQ_INSERT_TAIL(&q->lookup->queries, q, entry);
	if (timeout_ms < 0)
		timeout_ms = 0;
	tv.tv_sec = timeout_ms / 1000;
	tv.tv_usec = timeout_ms % 1000 * 1000;
	evtimer_set(&q->deadline, dns_deadline, q);
	event_base_set(dns_base, &q->deadline);
	evtimer_add(&q->deadline, &tv);
	dns_pump();
	return q;
}

/* The caller is gone; the lookup, if sent, runs on, still counted. */
void
dns_cancel(struct dns_query *q)
{
	if (q == NULL)
		return;
	if (q->hit == NULL)
		dns_stat.cancelled++;
	if (q->lookup != NULL)
		dns_detach(q);
	else {
		TAILQ_REMOVE(&dns_ready, q, entry);
		if (q->hit != NULL)
			dnscache_release(q->hit);
	}
	free(q);
}

void
dns_stats(struct dns_stats *st)
{
	*st = dns_stat;
	st->cached = dnscache_count();
	st->inflight_max = DNS_INFLIGHT_MAX;
}

/* Lower-case, without the trailing dot: one key for one name. */
static void
dns_key(const char *name, char *key)
{
	size_t	 i;

	for (i = 0; name[i] != '\0'; i++)
		key[i] = name[i] >= 'A' && name[i] <= 'Z' ?
		    name[i] + ('a' - 'A') : name[i];
	if (i > 1 && key[i - 1] == '.')
		i--;
	key[i] = '\0';
}

static long long
dns_msec(const struct timespec *ts)
{
	return ts->tv_sec * 1000LL + ts->tv_nsec / 1000000;
}

static int
dns_lookup_cmp(struct dns_lookup *a, struct dns_lookup *b)
{
	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	return strcmp(a->name, b->name);
}

/* The lookup of name and type under way, or a new one in the queue. */
static struct dns_lookup *
dns_lookup_get(const char *name, int type)
{
	struct dns_lookup	*l, key;
	size_t			 len;

	key.name = (char *)name;
	key.type = type;
	if ((l = RB_FIND(dns_lookups, &dns_lookups, &key)) != NULL) {
		if (l->state == LOOKUP_SENT && TAILQ_EMPTY(&l->queries))
			dns_stat.abandoned--;
		dns_stat.shared++;
		return l;
	}
	len = strlen(name) + 1;
	if ((l = calloc(1, sizeof(*l) + len)) == NULL)
		return NULL;
	l->name = (char *)(l + 1);
	memcpy(l->name, name, len);
	l->type = type;
	l->msglen = DNS_PIPE_MSG(len - 1);
	TAILQ_INIT(&l->queries);
	RB_INSERT(dns_lookups, &dns_lookups, l);
	TAILQ_INSERT_TAIL(&dns_waiting, l, wait);
	dns_stat.queued++;
	return l;
}

/* Into libunbound, oldest first, as far as the bounds allow. */
static void
dns_pump(void)
{
	struct dns_lookup	*l;
	int			 r;

	while ((l = TAILQ_FIRST(&dns_waiting)) != NULL &&
	    dns_stat.inflight < DNS_INFLIGHT_MAX &&
	    dns_pipe_bytes + l->msglen <= DNS_PIPE_MAX) {
		TAILQ_REMOVE(&dns_waiting, l, wait);
		dns_stat.queued--;
		r = ub_resolve_async(dns_ctx, l->name, l->type, DNS_CLASS_IN,
		    l, dns_answer, &l->id);
		if (r != 0) {
			dns_fail(l, "local error", ub_strerror(r));
			continue;
		}
		l->state = LOOKUP_SENT;
		dns_stat.inflight++;
		dns_pipe_bytes += l->msglen;
	}
}

/*
 * The query leaves its lookup.  A lookup nobody waits for any more
 * leaves the queue unsent; once sent, it is abandoned, and stays
 * counted until libunbound answers it.
 */
static void
dns_detach(struct dns_query *q)
{
	struct dns_lookup	*l = q->lookup;

	evtimer_del(&q->deadline);
	TAILQ_REMOVE(&l->queries, q, entry);
	q->lookup = NULL;
	if (!TAILQ_EMPTY(&l->queries))
		return;
	switch (l->state) {
	case LOOKUP_WAITING:
		TAILQ_REMOVE(&dns_waiting, l, wait);
		RB_REMOVE(dns_lookups, &dns_lookups, l);
		dns_stat.queued--;
		free(l);
		break;
	case LOOKUP_SENT:
		dns_stat.abandoned++;
		break;
	case LOOKUP_DONE:
		break;
	}
}

/* A lookup that could not be sent: its callers are told on the next turn. */
static void
dns_fail(struct dns_lookup *l, const char *why, const char *detail)
{
	struct dns_query	*q;

	RB_REMOVE(dns_lookups, &dns_lookups, l);
	l->state = LOOKUP_DONE;
	while ((q = TAILQ_FIRST(&l->queries)) != NULL) {
		dns_detach(q);
		q->failed = why;
		q->detail = detail;
		dns_ready_add(q);
	}
	free(l);
}

/*
 * One zero timeout for all the answers ready: it fires on the next turn
 * of the loop, after the descriptors were polled.
 */
static void
dns_ready_add(struct dns_query *q)
{
	static const struct timeval	 now = { 0, 0 };

	TAILQ_INSERT_TAIL(&dns_ready, q, entry);
	if (!evtimer_pending(&dns_ready_ev, NULL))
		evtimer_add(&dns_ready_ev, &now);
}

/*
 * At most DNS_READY_TURN answers per turn, so that a burst of them does
 * not keep the loop from reading input and writing output meanwhile.
 */
static void
dns_ready_run(int fd, short events, void *arg)
{
	static const struct timeval	 now = { 0, 0 };
	struct dns_query		*q;
	struct dns_result		 res;
	struct timespec			 ts;
	int				 n;

	for (n = 0; n < DNS_READY_TURN &&
	    (q = TAILQ_FIRST(&dns_ready)) != NULL; n++) {
		TAILQ_REMOVE(&dns_ready, q, entry);
		if (q->hit != NULL) {
			clock_gettime(CLOCK_MONOTONIC, &ts);
			dnscache_result(q->hit, dns_msec(&ts), &res);
		} else {
			memset(&res, 0, sizeof(res));
			res.status = DNS_ERROR;
			res.why = q->failed;
			res.detail = q->detail;
		}
		dns_deliver(q, &res);
		if (q->hit != NULL)
			dnscache_release(q->hit);
		free(q);
	}
	if (!TAILQ_EMPTY(&dns_ready))
		evtimer_add(&dns_ready_ev, &now);
}

/*
 * libunbound gives all the answers it has in one call: at most
 * DNS_INFLIGHT_MAX of them.
 */
static void
dns_dispatch(int fd, short events, void *arg)
{
	int	 r;

	if ((r = ub_process(dns_ctx)) != 0)
		dns_trouble("ub_process", ub_strerror(r));
}

/*
 * The lookup leaves the tree before its callers are told: a callback
 * asking the same name again gets the cached answer or a new lookup.
 */
static void
dns_answer(void *arg, int err, struct ub_result *ub)
{
	struct dns_lookup	*l = arg;
	struct dns_query	*q;
	struct dns_result	 res;
	struct timespec		 now;
	char			 cname[DNS_TEXT_LEN];

	RB_REMOVE(dns_lookups, &dns_lookups, l);
	if (TAILQ_EMPTY(&l->queries))
		dns_stat.abandoned--;
	l->state = LOOKUP_DONE;
	dns_stat.inflight--;
	dns_pipe_bytes -= l->msglen;

	memset(&res, 0, sizeof(res));
	if (err != 0 || ub == NULL) {
		res.status = DNS_ERROR;
		res.why = "local error";
		res.detail = ub_strerror(err);
	} else {
		dns_result_read(ub, l->name, l->type, &res, cname,
		    sizeof(cname));
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (dnscache_put(l->name, l->type, &res, dns_msec(&now)) == -1)
			dns_trouble("dnscache_put", strerror(errno));
	}
	while ((q = TAILQ_FIRST(&l->queries)) != NULL) {
		dns_detach(q);
		dns_deliver(q, &res);
		free(q);
	}
	dns_result_free(&res);
	if (ub != NULL)
		ub_resolve_free(ub);
	free(l);
	dns_pump();
}

/* "overload" if the lookup never got into libunbound. */
static void
dns_deadline(int fd, short events, void *arg)
{
	struct dns_query	*q = arg;
	struct dns_result	 res;

	memset(&res, 0, sizeof(res));
	res.status = DNS_ERROR;
	if (q->lookup->state == LOOKUP_WAITING) {
		res.why = "overload";
		dns_stat.overload++;
	} else
		res.why = "timeout";
	dns_detach(q);
	dns_deliver(q, &res);
	free(q);
}

/* The query has left every list: its callback may start others. */
static void
dns_deliver(struct dns_query *q, struct dns_result *res)
{
	struct timespec	 now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	res->msec = (now.tv_sec - q->start.tv_sec) * 1000 +
	    (now.tv_nsec - q->start.tv_nsec) / 1000000;
	res->cached = q->hit != NULL;
	if (res->status != DNS_ERROR) {
		if (!res->cached)
			dns_stat.answered++;
	} else if (res->why != NULL && strcmp(res->why, "timeout") == 0)
		dns_stat.timeouts++;
	else
		dns_stat.failed++;
	if (dns_obs != NULL)
		dns_obs(q->name, q->type, res);
	q->cb(res, q->arg);
}

/*
 * A query that could not even start: the observer hears of it as a
 * failed answer, and the caller finds errno as the failure left it.
 */
static void
dns_refused(const char *name, int type, int saved_errno)
{
	struct dns_result	 res;

	dns_stat.failed++;
	if (dns_obs != NULL) {
		memset(&res, 0, sizeof(res));
		res.status = DNS_ERROR;
		res.why = "local error";
		res.detail = strerror(saved_errno);
		dns_obs(name, type, &res);
	}
	errno = saved_errno;
}

/* The resolver itself failed at something: no query to blame. */
static void
dns_trouble(const char *where, const char *what)
{
	struct dns_result	 res;

	if (dns_obs == NULL)
		return;
	memset(&res, 0, sizeof(res));
	res.status = DNS_ERROR;
	res.why = where;
	res.detail = what;
	dns_obs(NULL, 0, &res);
}
