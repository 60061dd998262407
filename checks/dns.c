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
 * The resolver on c-ares, a stub resolver, driven by the filter's event
 * loop: its sockets are events of ours, its retries run from a timer of
 * ours, and nothing blocks or runs in another thread.  The site's
 * resolver does the recursion and, with "dnssec", the validation.
 *
 * In front of it: our own answer cache (dnscache.c), and one lookup per
 * name and type at a time, shared by every caller that asks meanwhile.
 *
 * Each caller has a deadline of ours.  c-ares has no way to cancel one
 * query, so at the deadline the caller is told "timeout" and leaves; the
 * lookup stays, abandoned, until c-ares ends it, which its retry
 * schedule, sized from dns-timeout, does about that long after it was
 * sent.  A lookup costs its memory and nothing else meanwhile: no slot,
 * no socket, no place in a queue, so names that never answer cannot
 * delay one that does.  Lookups are bounded only to bound memory.
 *
 * Queries are built here, so that their ids are ours: random, and never
 * two alike among the lookups in flight, which c-ares matches answers to
 * by id and question.
 */
#include "compat.h"

#include <sys/queue.h>
#include <sys/tree.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <ares.h>
#include <errno.h>
#include <event.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dns.h"
#include "dnscache.h"
#include "dnsresult.h"

#define DNS_CLASS_IN	1
#define DNS_PORT	53
/*
 * Lookups in flight, answered or abandoned: each is a few hundred bytes
 * here and in c-ares, so the bound is a few megabytes.  It is also below
 * the 65,536 query ids, which must all differ.
 */
#define DNS_LOOKUPS_MAX	32768
#define DNS_IDS		65536
/*
 * A site's resolver on the same network answers in milliseconds, or
 * within a second when it had to recurse.  Three tries, each after twice
 * the wait of the one before, span the whole dns-timeout.
 */
#define DNS_TRIES	3
#define DNS_TRY_MS_MIN	100
/*
 * One socket carries every query to a server: a burst of answers must
 * fit its receive buffer (the default one overflows at a few hundred in
 * flight), and a burst of queries its send buffer.
 */
#define DNS_SOCKBUF	(4 * 1024 * 1024)
/* EDNS0 payload size: what fits unfragmented (DNS flag day 2020). */
#define DNS_EDNS_SIZE	1232
/* c-ares' timeouts are looked at this often while lookups run, in ms. */
#define DNS_TICK_MS	50
/* Cached answers given per turn of the event loop. */
#define DNS_READY_TURN	64

enum dns_lookup_state {
	LOOKUP_SENT,		/* inside c-ares */
	LOOKUP_DONE		/* answered: its callers are being told */
};

/* One question to c-ares, shared by all who ask it meanwhile. */
struct dns_lookup {
	RB_ENTRY(dns_lookup)	 node;		/* until answered */
	TAILQ_HEAD(, dns_query)	 queries;	/* its callers */
	enum dns_lookup_state	 state;
	int			 type;
	uint16_t		 id;
	int			 refused;	/* c-ares' status, if it
						   failed inside ares_send() */
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

/* A socket of c-ares' and our event for it. */
struct dns_sock {
	LIST_ENTRY(dns_sock)	 entry;
	ares_socket_t		 fd;
	struct event		 ev;
};

/* How c-ares' failures read in a verdict's log; the rest are ours. */
static const struct {
	int		 status;
	const char	*why;
} dns_ares_errors[] = {
	{ ARES_ETIMEOUT,	"timeout" },
	{ ARES_ECONNREFUSED,	"unreachable" },
};

RB_HEAD(dns_lookups, dns_lookup);

static int	dns_lookup_cmp(struct dns_lookup *, struct dns_lookup *);
RB_GENERATE_STATIC(dns_lookups, dns_lookup, node, dns_lookup_cmp);

static struct dns_lookups	 dns_lookups = RB_INITIALIZER(&dns_lookups);
/* answers to give, from the cache or failures, oldest first */
static TAILQ_HEAD(, dns_query)	 dns_ready =
    TAILQ_HEAD_INITIALIZER(dns_ready);
static LIST_HEAD(, dns_sock)	 dns_socks = LIST_HEAD_INITIALIZER(dns_socks);
static ares_channel		 dns_chan;
static int			 dns_up;
static struct event_base	*dns_base;
static struct event		 dns_tick_ev;
static struct event		 dns_ready_ev;
static struct dns_stats		 dns_stat;
static dns_observer		 dns_obs;
static int			 dns_dnssec;	/* DO and AD in queries */
static int			 dns_trust_ad;	/* believe AD in answers */
static int			 dns_closing;
static struct dns_lookup	*dns_sending;
static uint8_t			 dns_ids[DNS_IDS / 8];

static int	dns_channel(const struct dns_conf *, int, char *, size_t);
static int	dns_servers(const struct dns_conf *, char *, size_t);
static int	dns_stayopen(const struct dns_conf *, char *, size_t);
static int	dns_server_parse(const char *, struct ares_addr_port_node *);
static int	dns_all_loopback(void);
static void	dns_sock_state(void *, ares_socket_t, int, int);
static void	dns_sock_ready(int, short, void *);
static void	dns_tick(int, short, void *);
static void	dns_key(const char *, char *);
static long long dns_msec(const struct timespec *);
static struct dns_lookup *dns_lookup_get(const char *, int, int *);
static int	dns_id_new(uint16_t *);
static void	dns_id_free(uint16_t);
static void	dns_send(struct dns_lookup *);
static void	dns_detach(struct dns_query *);
static void	dns_fail(struct dns_lookup *, const char *, const char *);
static void	dns_ready_add(struct dns_query *);
static void	dns_ready_run(int, short, void *);
static void	dns_answer(void *, int, int, unsigned char *, int);
static void	dns_read(struct dns_lookup *, int, const unsigned char *,
		    int, struct dns_result *, char *, size_t);
static void	dns_deadline(int, short, void *);
static void	dns_deliver(struct dns_query *, struct dns_result *);
static void	dns_refused(const char *, int, int);
static void	dns_trouble(const char *, const char *);

/* obs may be NULL; the reason of a failure goes into err. */
int
dns_init(struct event_base *base, const struct dns_conf *conf,
    dns_observer obs, char *err, size_t errlen)
{
	int	 r;

	if (dns_up) {
		snprintf(err, errlen, "dns_init: already initialised");
		return -1;
	}
	if ((r = ares_library_init(ARES_LIB_INIT_ALL)) != ARES_SUCCESS) {
		snprintf(err, errlen, "c-ares: %s", ares_strerror(r));
		return -1;
	}
	dns_base = base;
	if (dns_channel(conf, 0, err, errlen) == -1) {
		ares_library_cleanup();
		return -1;
	}
	if (dns_servers(conf, err, errlen) == -1 ||
	    (dns_all_loopback() && dns_stayopen(conf, err, errlen) == -1)) {
		ares_destroy(dns_chan);
		ares_library_cleanup();
		return -1;
	}
	evtimer_set(&dns_tick_ev, dns_tick, NULL);
	event_base_set(base, &dns_tick_ev);
	evtimer_set(&dns_ready_ev, dns_ready_run, NULL);
	event_base_set(base, &dns_ready_ev);
	dns_obs = obs;
	dns_dnssec = conf->dnssec != DNSSEC_OFF;
	dns_trust_ad = conf->dnssec == DNSSEC_ANY ||
	    (conf->dnssec == DNSSEC_LOOPBACK && dns_all_loopback());
	memset(&dns_stat, 0, sizeof(dns_stat));
	memset(dns_ids, 0, sizeof(dns_ids));
	dns_up = 1;
	if (dns_dnssec && !dns_trust_ad)
		dns_trouble("dnssec", "a resolver is not on loopback: its AD "
		    "bit is not believed (\"dnssec any\" would)");
	return 0;
}

/*
 * The channel: no search list and no host aliases (every name asked is
 * whole), SERVFAIL and REFUSED given to us rather than retried as if
 * the server were unreachable, EDNS0, and a retry schedule that ends
 * about dns-timeout after the first try.
 */
static int
dns_channel(const struct dns_conf *conf, int flags, char *err,
    size_t errlen)
{
	struct ares_options	 o;
	int			 r, spread = (1 << DNS_TRIES) - 1;

	memset(&o, 0, sizeof(o));
	o.flags = ARES_FLAG_NOSEARCH | ARES_FLAG_NOALIASES |
	    ARES_FLAG_NOCHECKRESP | ARES_FLAG_EDNS | flags;
	o.timeout = conf->timeout * 1000 / spread;
	if (conf->nresolvers > 1)
		o.timeout /= conf->nresolvers;
	if (o.timeout < DNS_TRY_MS_MIN)
		o.timeout = DNS_TRY_MS_MIN;
	o.tries = DNS_TRIES;
	o.sock_state_cb = dns_sock_state;
	o.socket_send_buffer_size = DNS_SOCKBUF;
	o.socket_receive_buffer_size = DNS_SOCKBUF;
	o.ednspsz = DNS_EDNS_SIZE;
	r = ares_init_options(&dns_chan, &o, ARES_OPT_FLAGS |
	    ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_SOCK_STATE_CB |
	    ARES_OPT_SOCK_SNDBUF | ARES_OPT_SOCK_RCVBUF | ARES_OPT_EDNSPSZ);
	if (r != ARES_SUCCESS) {
		snprintf(err, errlen, "resolver setup: %s", ares_strerror(r));
		return -1;
	}
	return 0;
}

/* The "resolver" lines, if any; c-ares read resolv.conf otherwise. */
static int
dns_servers(const struct dns_conf *conf, char *err, size_t errlen)
{
	struct ares_addr_port_node	*v;
	size_t				 i, n = conf->nresolvers;
	int				 r;

	if (n == 0)
		return 0;
	if ((v = calloc(n, sizeof(*v))) == NULL) {
		snprintf(err, errlen, "resolver setup: %s", strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (dns_server_parse(conf->resolvers[i], &v[i]) == -1) {
			snprintf(err, errlen, "resolver %s: not ADDR[@PORT]",
			    conf->resolvers[i]);
			free(v);
			return -1;
		}
		v[i].next = i + 1 < n ? &v[i + 1] : NULL;
	}
	r = ares_set_servers_ports(dns_chan, v);
	free(v);
	if (r != ARES_SUCCESS) {
		snprintf(err, errlen, "resolver setup: %s", ares_strerror(r));
		return -1;
	}
	return 0;
}

/*
 * c-ares closes its sockets whenever no lookup is in flight, so that
 * the next lookup has a new source port.  On loopback, where nobody off
 * the host can answer in the server's place, that buys nothing, and a
 * quiet filter paid a socket set up, watched and torn down for nearly
 * every session: there the channel is made again, with the same
 * servers, to keep its sockets.  A socket that fails is still closed,
 * and the next lookup opens a new one (a resolver restarted).
 */
static int
dns_stayopen(const struct dns_conf *conf, char *err, size_t errlen)
{
	struct ares_addr_port_node	*v;
	ares_channel			 old = dns_chan;
	int				 r;

	if ((r = ares_get_servers_ports(old, &v)) != ARES_SUCCESS) {
		snprintf(err, errlen, "resolver setup: %s", ares_strerror(r));
		return -1;
	}
	if (dns_channel(conf, ARES_FLAG_STAYOPEN, err, errlen) == -1) {
		ares_free_data(v);
		dns_chan = old;
		return -1;
	}
	r = ares_set_servers_ports(dns_chan, v);
	ares_free_data(v);
	if (r != ARES_SUCCESS) {
		snprintf(err, errlen, "resolver setup: %s", ares_strerror(r));
		ares_destroy(dns_chan);
		dns_chan = old;
		return -1;
	}
	ares_destroy(old);
	return 0;
}

/* ADDR[@PORT], as the configuration has checked it. */
static int
dns_server_parse(const char *s, struct ares_addr_port_node *a)
{
	char		 host[INET6_ADDRSTRLEN];
	const char	*at, *errstr;
	size_t		 len;
	int		 port = DNS_PORT;

	if ((at = strchr(s, '@')) != NULL) {
		port = strtonum(at + 1, 1, 65535, &errstr);
		if (errstr != NULL)
			return -1;
		len = at - s;
	} else
		len = strlen(s);
	if (len >= sizeof(host))
		return -1;
	memcpy(host, s, len);
	host[len] = '\0';
	if (inet_pton(AF_INET, host, &a->addr.addr4) == 1)
		a->family = AF_INET;
	else if (inet_pton(AF_INET6, host, &a->addr.addr6) == 1)
		a->family = AF_INET6;
	else
		return -1;
	a->udp_port = a->tcp_port = port;
	return 0;
}

/*
 * Whether every server is on loopback, where nobody but this host can
 * write its answers: only then is its AD bit the validator's word.
 */
static int
dns_all_loopback(void)
{
	struct ares_addr_port_node	*v, *a;
	const uint8_t			*b;
	int				 all = 1;

	if (ares_get_servers_ports(dns_chan, &v) != ARES_SUCCESS)
		return 0;
	for (a = v; a != NULL; a = a->next) {
		b = a->family == AF_INET ? (const uint8_t *)&a->addr.addr4 :
		    (const uint8_t *)&a->addr.addr6;
		if (a->family == AF_INET && b[0] == 127)
			continue;
		if (a->family == AF_INET6 &&
		    memcmp(b, &in6addr_loopback, 16) == 0)
			continue;
		all = 0;
	}
	ares_free_data(v);
	return all;
}

/*
 * Callers still waiting are forgotten without a call.  ares_destroy()
 * ends every lookup in flight through its callback, which frees it.
 */
void
dns_shutdown(void)
{
	struct dns_query	*q;

	if (!dns_up)
		return;
	while ((q = TAILQ_FIRST(&dns_ready)) != NULL)
		dns_cancel(q);
	event_del(&dns_ready_ev);
	event_del(&dns_tick_ev);
	dns_closing = 1;
	ares_destroy(dns_chan);
	dns_closing = 0;
	ares_library_cleanup();
	dnscache_clear();
	dns_base = NULL;
	dns_obs = NULL;
	dns_up = 0;
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
	int			 fresh;

	if (!dns_up) {
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
	if ((q->lookup = dns_lookup_get(q->name, type, &fresh)) == NULL) {
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
	if (fresh)
		dns_send(q->lookup);
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
	st->inflight_max = DNS_LOOKUPS_MAX;
}

struct event_base *
dns_event_base(void)
{
	return dns_up ? dns_base : NULL;
}

/*
 * c-ares opened, closed, or wants to write to one of its sockets: the
 * event for it follows.  Called from inside c-ares, also while the
 * socket's own event runs; that event is then not touched again.
 */
static void
dns_sock_state(void *arg, ares_socket_t fd, int readable, int writable)
{
	struct dns_sock	*s;

	LIST_FOREACH(s, &dns_socks, entry)
		if (s->fd == fd)
			break;
	if (s != NULL) {
		event_del(&s->ev);
		if (!readable && !writable) {
			LIST_REMOVE(s, entry);
			free(s);
			return;
		}
	} else {
		if (!readable && !writable)
			return;
		if ((s = calloc(1, sizeof(*s))) == NULL) {
			/* its queries time out: c-ares' own retries */
			dns_trouble("resolver socket", strerror(errno));
			return;
		}
		s->fd = fd;
		LIST_INSERT_HEAD(&dns_socks, s, entry);
	}
	event_set(&s->ev, fd, EV_PERSIST | (readable ? EV_READ : 0) |
	    (writable ? EV_WRITE : 0), dns_sock_ready, s);
	event_base_set(dns_base, &s->ev);
	if (event_add(&s->ev, NULL) == -1)
		dns_trouble("resolver socket", "cannot watch it");
}

static void
dns_sock_ready(int fd, short events, void *arg)
{
	ares_process_fd(dns_chan,
	    events & EV_READ ? fd : ARES_SOCKET_BAD,
	    events & EV_WRITE ? fd : ARES_SOCKET_BAD);
}

/*
 * c-ares' retries and timeouts, looked at every DNS_TICK_MS while any
 * lookup runs (ares_timeout() would walk every one of them to say when
 * next): a try is resent at most that much late, against the seconds of
 * its schedule.
 */
static void
dns_tick(int fd, short events, void *arg)
{
	static const struct timeval	 tick = { 0, DNS_TICK_MS * 1000 };

	ares_process_fd(dns_chan, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	if (dns_stat.inflight > 0 && !evtimer_pending(&dns_tick_ev, NULL))
		evtimer_add(&dns_tick_ev, &tick);
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

/* The lookup of name and type under way, or a new one (*fresh). */
static struct dns_lookup *
dns_lookup_get(const char *name, int type, int *fresh)
{
	struct dns_lookup	*l, key;
	size_t			 len;

	key.name = (char *)name;
	key.type = type;
	*fresh = 0;
	if ((l = RB_FIND(dns_lookups, &dns_lookups, &key)) != NULL) {
		if (TAILQ_EMPTY(&l->queries))
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
	TAILQ_INIT(&l->queries);
	RB_INSERT(dns_lookups, &dns_lookups, l);
	*fresh = 1;
	return l;
}

/* A random id that no lookup in flight has. */
static int
dns_id_new(uint16_t *id)
{
	uint32_t	 r;
	int		 i;

	/* at most half the ids are taken: a few draws find a free one */
	for (i = 0; i < 64; i++) {
		r = arc4random_uniform(DNS_IDS);
		if (!(dns_ids[r / 8] & (1 << r % 8))) {
			dns_ids[r / 8] |= 1 << r % 8;
			*id = r;
			return 0;
		}
	}
	return -1;
}

static void
dns_id_free(uint16_t id)
{
	dns_ids[id / 8] &= ~(1 << id % 8);
}

/*
 * Into c-ares, unless the bound on lookups is reached: then its callers
 * are told "overload".  c-ares may fail the query from inside
 * ares_send(), calling back at once: that is noted in the lookup, whose
 * callers are then told on the next turn, as dns_query() promises.
 */
static void
dns_send(struct dns_lookup *l)
{
	static const struct timeval	 tick = { 0, DNS_TICK_MS * 1000 };
	unsigned char			*qbuf;
	int				 qlen, r;

	if (dns_stat.inflight >= DNS_LOOKUPS_MAX ||
	    dns_id_new(&l->id) == -1) {
		dns_fail(l, "overload", NULL);
		return;
	}
	r = ares_create_query(l->name, DNS_CLASS_IN, l->type, l->id, 1,
	    &qbuf, &qlen, DNS_EDNS_SIZE);
	if (r != ARES_SUCCESS) {
		dns_id_free(l->id);
		dns_fail(l, "local error", ares_strerror(r));
		return;
	}
	/* RFC 6840 section 5.7: AD asks for the AD bit, DO for the rest */
	if (dns_dnssec) {
		qbuf[3] |= DNS_HDR_AD;
		qbuf[qlen - 4] |= DNS_OPT_DO;
	}
	l->state = LOOKUP_SENT;
	dns_stat.inflight++;
	dns_sending = l;
	ares_send(dns_chan, qbuf, qlen, dns_answer, l);
	dns_sending = NULL;
	ares_free_string(qbuf);
	if (l->refused != ARES_SUCCESS) {
		dns_stat.inflight--;
		dns_id_free(l->id);
		dns_fail(l, "local error", ares_strerror(l->refused));
		return;
	}
	if (!evtimer_pending(&dns_tick_ev, NULL))
		evtimer_add(&dns_tick_ev, &tick);
}

/*
 * The query leaves its lookup.  A lookup nobody waits for any more is
 * abandoned, and stays counted until c-ares ends it.
 */
static void
dns_detach(struct dns_query *q)
{
	struct dns_lookup	*l = q->lookup;

	evtimer_del(&q->deadline);
	TAILQ_REMOVE(&l->queries, q, entry);
	q->lookup = NULL;
	if (TAILQ_EMPTY(&l->queries) && l->state == LOOKUP_SENT)
		dns_stat.abandoned++;
}

/* A lookup that could not be sent: its callers are told on the next turn. */
static void
dns_fail(struct dns_lookup *l, const char *why, const char *detail)
{
	struct dns_query	*q;

	RB_REMOVE(dns_lookups, &dns_lookups, l);
	l->state = LOOKUP_DONE;
	while ((q = TAILQ_FIRST(&l->queries)) != NULL) {
		evtimer_del(&q->deadline);
		TAILQ_REMOVE(&l->queries, q, entry);
		q->lookup = NULL;
		q->failed = why;
		q->detail = detail;
		if (strcmp(why, "overload") == 0)
			dns_stat.overload++;
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
 * c-ares ends a lookup: with the answer, with its own timeout after the
 * last try, or at ares_destroy().  The lookup leaves the tree before its
 * callers are told: a callback asking the same name again gets the
 * cached answer or a new lookup.
 */
static void
dns_answer(void *arg, int status, int timeouts, unsigned char *abuf,
    int alen)
{
	struct dns_lookup	*l = arg;
	struct dns_query	*q;
	struct dns_result	 res;
	char			 cname[DNS_TEXT_LEN];

	if (l == dns_sending) {
		l->refused = status == ARES_SUCCESS ? ARES_ENOMEM : status;
		return;
	}
	RB_REMOVE(dns_lookups, &dns_lookups, l);
	if (TAILQ_EMPTY(&l->queries))
		dns_stat.abandoned--;
	l->state = LOOKUP_DONE;
	dns_stat.inflight--;
	dns_id_free(l->id);
	if (dns_closing) {
		while ((q = TAILQ_FIRST(&l->queries)) != NULL)
			dns_cancel(q);
		free(l);
		return;
	}
	dns_read(l, status, abuf, alen, &res, cname, sizeof(cname));
	while ((q = TAILQ_FIRST(&l->queries)) != NULL) {
		dns_detach(q);
		dns_deliver(q, &res);
		free(q);
	}
	dns_result_free(&res);
	free(l);
}

/* c-ares' outcome as a result, kept in the cache if it is one to keep. */
static void
dns_read(struct dns_lookup *l, int status, const unsigned char *abuf,
    int alen, struct dns_result *res, char *cname, size_t cnamelen)
{
	struct timespec	 now;
	size_t		 i;

	memset(res, 0, sizeof(*res));
	if (status != ARES_SUCCESS || abuf == NULL || alen <= 0) {
		res->status = DNS_ERROR;
		for (i = 0; i < nitems(dns_ares_errors); i++)
			if (dns_ares_errors[i].status == status)
				res->why = dns_ares_errors[i].why;
		if (res->why == NULL) {
			res->why = "local error";
			res->detail = ares_strerror(status);
		}
		return;
	}
	dns_result_parse(abuf, alen, l->name, l->type, dns_trust_ad, res,
	    cname, cnamelen);
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (dnscache_put(l->name, l->type, res, dns_msec(&now)) == -1)
		dns_trouble("dnscache_put", strerror(errno));
}

/* The caller's deadline came first; the lookup runs on. */
static void
dns_deadline(int fd, short events, void *arg)
{
	struct dns_query	*q = arg;
	struct dns_result	 res;

	memset(&res, 0, sizeof(res));
	res.status = DNS_ERROR;
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
