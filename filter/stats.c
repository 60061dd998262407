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
 * The counters, their log line and their file.  They only grow, from
 * the start of the process: rates are the business of whoever reads
 * them (Prometheus' rate(), or two log lines apart).
 *
 * stats-file is written from the event loop: one buffer, one write(2)
 * of a small local file, to PATH.tmp beside it, then rename(2), so that
 * a reader never sees half a file.  node_exporter's textfile collector
 * reads only names ending in ".prom", so it skips PATH.tmp.  A failure
 * is logged once until a write succeeds again, and never stops us.
 */
#include "compat.h"

#include <errno.h>
#include <event.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dns.h"
#include "log.h"
#include "memory.h"
#include "policy.h"
#include "session.h"
#include "stats.h"
#include "verdict.h"

/* Every series of the file fits: some 150 lines of under 100 bytes. */
#define STATS_FILE_MAX	(32 * 1024)
#define STATS_LINE_MAX	4000		/* under log.c's line limit */
#define PROM		"filter_helo_"
#define LOOKUP_RESULTS	6
#define SPF_RESULTS	(SPF_PERMERROR + 1)

/* A verdict's latency falls in the first bucket that holds it. */
static const struct bucket {
	long long	 usec;		/* upper bound, -1 for none */
	const char	*name;		/* in the log line */
	const char	*le;		/* its Prometheus bound, seconds */
} buckets[] = {
	{ 1000,		"1ms",		"0.001" },
	{ 10000,	"10ms",		"0.01" },
	{ 100000,	"100ms",	"0.1" },
	{ 1000000,	"1s",		"1" },
	{ 10000000,	"10s",		"10" },
	{ -1,		"more",		"+Inf" },
};

/* Text that grows up to a bound; past it, full is set. */
struct text {
	char	*buf;
	size_t	 size;
	size_t	 len;
	int	 full;
};

/* One outcome of the resolver's, in the line and the file. */
struct lookup_result {
	const char	*name;		/* in the log line */
	const char	*label;		/* in the file, or NULL */
	unsigned long	 n;
};

static void	text_add(struct text *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static void	lookup_results(struct lookup_result *);
static void	prom_head(struct text *, const char *, const char *,
		    const char *);
static int	stats_format(struct text *);
static void	stats_write(void);
static void	stats_failed(const char *, const char *, int);
static void	stats_arm(void);
static void	on_tick(int, short, void *);

static struct {
	unsigned long long	 fired[CHECK_COUNT][ACT_COUNT];
	unsigned long long	 verdicts[ACT_COUNT];
	unsigned long long	 exempt[EXEMPT_COUNT];
	unsigned long long	 spared[CHECK_COUNT];	/* by "except" */
	unsigned long long	 spf_helo[SPF_RESULTS];
	unsigned long long	 latency[nitems(buckets)];
	unsigned long long	 latency_usec;	/* their sum */
} counts;

static struct {
	struct event	 ev;
	char		*path;
	int		 interval;
	int		 failing;	/* logged, until a write succeeds */
} out;

static char	file_buf[STATS_FILE_MAX];
static const struct memory *client_memory;	/* the front end's, or NULL */

/* The table of clients the front end keeps, counted with the rest. */
void
stats_memory(const struct memory *m)
{
	client_memory = m;
}

/*
 * Counted where the verdict is logged, with the HELO's SPF result when
 * the verdict had one: the log line shows it then.
 */
void
stats_verdict(const struct policy *p, const struct facts *f,
    const struct verdict *v)
{
	size_t	i;
	int	c;

	counts.verdicts[v->action]++;
	for (i = 0; v->exempt != NULL && i < EXEMPT_COUNT; i++)
		if (strcmp(v->exempt, exempt_name(i)) == 0)
			counts.exempt[i]++;
	for (c = 0; c < CHECK_COUNT; c++) {
		if (v->state[c] == CS_FIRED)
			counts.fired[c][p->rules[c].action]++;
		if (v->spared[c] != 0)
			counts.spared[c]++;
	}
	if (v->exempt == NULL && f->dns.spf == LOOKUP_FOUND &&
	    (unsigned int)f->dns.spf_result < SPF_RESULTS)
		counts.spf_helo[f->dns.spf_result]++;
}

/*
 * Counted where the answer is given, which may be before its verdict
 * line: how long the request waited since it arrived.
 */
void
stats_latency(const struct timespec *arrived)
{
	struct timespec	 now;
	long long	 usec;
	size_t		 i;

	clock_gettime(CLOCK_MONOTONIC, &now);
	usec = (now.tv_sec - arrived->tv_sec) * 1000000LL +
	    (now.tv_nsec - arrived->tv_nsec) / 1000;
	if (usec < 0)
		usec = 0;
	for (i = 0; i < nitems(buckets) - 1; i++)
		if (usec <= buckets[i].usec)
			break;
	counts.latency[i]++;
	counts.latency_usec += usec;
}

static void
text_add(struct text *t, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	if (t->full)
		return;
	va_start(ap, fmt);
	n = vsnprintf(t->buf + t->len, t->size - t->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= t->size - t->len)
		t->full = 1;
	else
		t->len += n;
}

/*
 * The lookups asked, then what became of them: "asked" is no outcome,
 * and the file gives it a metric of its own.
 */
static void
lookup_results(struct lookup_result *r)
{
	struct dns_stats	ds;

	dns_stats(&ds);
	r[0] = (struct lookup_result){ "asked", NULL, ds.asked };
	r[1] = (struct lookup_result){ "cached", "cache", ds.hits };
	r[2] = (struct lookup_result){ "resolver", "resolver", ds.answered };
	r[3] = (struct lookup_result){ "failed", "failed", ds.failed };
	r[4] = (struct lookup_result){ "timeout", "timeout", ds.timeouts };
	r[5] = (struct lookup_result){ "cancelled", "cancelled",
	    ds.cancelled };
}

/*
 * One line, whatever was counted: "stats: sessions=N open=N
 * verdicts=pass:N,... fired=CHECK:ACTION:N,... exempt=KIND:N,...
 * spared=CHECK:N,... lookups=asked:N,... latency=1ms:N,...
 * spf-helo=RESULT:N,... memory=N/N evicted=N".  Checks
 * that never fired, or were never spared, are left out; a blank in an
 * exemption's name becomes '-'.
 */
void
stats_log(void)
{
	struct lookup_result	 r[LOOKUP_RESULTS];
	struct memory_stats	 ms;
	struct text		 t;
	char			 line[STATS_LINE_MAX], kind[32], *s;
	const char		*sep;
	unsigned long long	 seen;
	size_t			 open_now, i;
	int			 c, a;

	t = (struct text){ line, sizeof(line), 0, 0 };
	session_counts(&seen, &open_now);
	text_add(&t, "stats: sessions=%llu open=%zu verdicts=", seen,
	    open_now);
	for (a = 0; a < ACT_COUNT; a++)
		text_add(&t, "%s%s:%llu", a ? "," : "", action_name(a),
		    counts.verdicts[a]);
	sep = " fired=";
	for (c = 0; c < CHECK_COUNT; c++) {
		for (a = 0; a < ACT_COUNT; a++) {
			if (counts.fired[c][a] == 0)
				continue;
			text_add(&t, "%s%s:%s:%llu", sep, check_name(c),
			    action_name(a), counts.fired[c][a]);
			sep = ",";
		}
	}
	if (*sep != ',')
		text_add(&t, "%snone", sep);
	for (i = 0; i < EXEMPT_COUNT; i++) {
		strlcpy(kind, exempt_name(i), sizeof(kind));
		for (s = kind; (s = strchr(s, ' ')) != NULL; )
			*s = '-';
		text_add(&t, "%s%s:%llu", i ? "," : " exempt=", kind,
		    counts.exempt[i]);
	}
	sep = " spared=";
	for (c = 0; c < CHECK_COUNT; c++) {
		if (counts.spared[c] == 0)
			continue;
		text_add(&t, "%s%s:%llu", sep, check_name(c),
		    counts.spared[c]);
		sep = ",";
	}
	lookup_results(r);
	for (i = 0; i < nitems(r); i++)
		text_add(&t, "%s%s:%lu", i ? "," : " lookups=", r[i].name,
		    r[i].n);
	for (i = 0; i < nitems(buckets); i++)
		text_add(&t, "%s%s:%llu", i ? "," : " latency=",
		    buckets[i].name, counts.latency[i]);
	for (i = 0; i < SPF_RESULTS; i++)
		text_add(&t, "%s%s:%llu", i ? "," : " spf-helo=",
		    spf_result_name(i), counts.spf_helo[i]);
	memory_stats(client_memory, &ms);
	text_add(&t, " memory=%zu/%zu evicted=%lu", ms.entries, ms.capacity,
	    ms.evictions);
	log_info("%s", line);
}

static void
prom_head(struct text *t, const char *name, const char *type,
    const char *help)
{
	text_add(t, "# HELP " PROM "%s %s\n# TYPE " PROM "%s %s\n", name,
	    help, name, type);
}

/*
 * The Prometheus text exposition format.  Every series is there from
 * the start, zero or not, so that a rate never starts from nothing.
 */
static int
stats_format(struct text *t)
{
	struct lookup_result	 r[LOOKUP_RESULTS];
	struct memory_stats	 ms;
	unsigned long long	 seen, sum;
	size_t			 open_now, i;
	int			 c, a;

	session_counts(&seen, &open_now);
	prom_head(t, "sessions_total", "counter", "SMTP sessions seen.");
	text_add(t, PROM "sessions_total %llu\n", seen);
	prom_head(t, "sessions_open", "gauge", "SMTP sessions open now.");
	text_add(t, PROM "sessions_open %zu\n", open_now);

	prom_head(t, "verdicts_total", "counter",
	    "Verdicts given, by action; exempt clients pass.");
	for (a = 0; a < ACT_COUNT; a++)
		text_add(t, PROM "verdicts_total{action=\"%s\"} %llu\n",
		    action_name(a), counts.verdicts[a]);

	/* A check set to pass never fires. */
	prom_head(t, "check_fired_total", "counter",
	    "Checks that fired in a verdict, by check and its action then.");
	for (c = 0; c < CHECK_COUNT; c++)
		for (a = ACT_PASS + 1; a < ACT_COUNT; a++)
			text_add(t, PROM "check_fired_total{check=\"%s\","
			    "action=\"%s\"} %llu\n", check_name(c),
			    action_name(a), counts.fired[c][a]);

	prom_head(t, "exempt_total", "counter",
	    "Verdicts for exempt clients, by kind of exemption.");
	for (i = 0; i < EXEMPT_COUNT; i++)
		text_add(t, PROM "exempt_total{kind=\"%s\"} %llu\n",
		    exempt_name(i), counts.exempt[i]);

	prom_head(t, "check_spared_total", "counter",
	    "Checks an \"except\" line spared, by check.");
	for (c = 0; c < CHECK_COUNT; c++)
		text_add(t, PROM "check_spared_total{check=\"%s\"} %llu\n",
		    check_name(c), counts.spared[c]);

	prom_head(t, "spf_helo_total", "counter",
	    "Verdicts with an SPF result of the HELO, by result.");
	for (i = 0; i < SPF_RESULTS; i++)
		text_add(t, PROM "spf_helo_total{result=\"%s\"} %llu\n",
		    spf_result_name(i), counts.spf_helo[i]);

	lookup_results(r);
	prom_head(t, "lookups_asked_total", "counter", "DNS lookups asked.");
	text_add(t, PROM "lookups_asked_total %lu\n", r[0].n);
	prom_head(t, "lookups_total", "counter",
	    "DNS lookups by outcome; asked less these are in flight.");
	for (i = 0; i < nitems(r); i++)
		if (r[i].label != NULL)
			text_add(t, PROM "lookups_total{result=\"%s\"} %lu\n",
			    r[i].label, r[i].n);

	memory_stats(client_memory, &ms);
	prom_head(t, "memory_clients", "gauge",
	    "Client addresses remembered across sessions.");
	text_add(t, PROM "memory_clients %zu\n", ms.entries);
	prom_head(t, "memory_capacity", "gauge",
	    "Client addresses the memory holds at most.");
	text_add(t, PROM "memory_capacity %zu\n", ms.capacity);
	prom_head(t, "memory_evictions_total", "counter",
	    "Clients forgotten to make room for new ones.");
	text_add(t, PROM "memory_evictions_total %lu\n", ms.evictions);

	prom_head(t, "verdict_seconds", "histogram",
	    "Time from a request's arrival to its verdict.");
	for (i = 0, sum = 0; i < nitems(buckets); i++) {
		sum += counts.latency[i];
		text_add(t, PROM "verdict_seconds_bucket{le=\"%s\"} %llu\n",
		    buckets[i].le, sum);
	}
	text_add(t, PROM "verdict_seconds_sum %llu.%06llu\n",
	    counts.latency_usec / 1000000, counts.latency_usec % 1000000);
	text_add(t, PROM "verdict_seconds_count %llu\n", sum);

	return t->full ? -1 : 0;
}

/* Before the loop, and again with each new configuration. */
void
stats_start(struct event_base *base, const struct policy *p)
{
	stats_stop();
	if (p->stats_file == NULL)
		return;
	if ((out.path = strdup(p->stats_file)) == NULL)
		fatal("%s: strdup", __func__);
	out.interval = p->stats_interval;
	out.failing = 0;
	evtimer_set(&out.ev, on_tick, NULL);
	if (event_base_set(base, &out.ev) == -1)
		fatal("%s: event_base_set", __func__);
	stats_write();
	stats_arm();
}

/* At exit: the file says what the filter did to the end. */
void
stats_stop(void)
{
	if (out.path == NULL)
		return;
	evtimer_del(&out.ev);
	stats_write();
	free(out.path);
	out.path = NULL;
}

static void
stats_arm(void)
{
	struct timeval	tv;

	tv.tv_sec = out.interval;
	tv.tv_usec = 0;
	if (evtimer_add(&out.ev, &tv) == -1)
		fatal("%s: evtimer_add", __func__);
}

static void
on_tick(int fd, short ev, void *arg)
{
	stats_write();
	stats_arm();
}

static void
stats_write(void)
{
	struct text	 t = { file_buf, sizeof(file_buf), 0, 0 };
	char		 tmp[PATH_MAX];
	ssize_t		 n;
	int		 fd;

	if (stats_format(&t) == -1) {
		stats_failed("too much to write", NULL, 0);
		return;
	}
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", out.path) >=
	    (int)sizeof(tmp)) {
		stats_failed("path too long", NULL, 0);
		return;
	}
	/* Nobody's link followed: the directory may be shared. */
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
	    O_NONBLOCK | O_CLOEXEC, 0644)) == -1) {
		stats_failed("open", tmp, errno);
		return;
	}
	if ((n = write(fd, t.buf, t.len)) == -1 || (size_t)n != t.len) {
		stats_failed(n == -1 ? "write" : "short write", tmp,
		    n == -1 ? errno : 0);
		close(fd);
		unlink(tmp);
		return;
	}
	if (close(fd) == -1) {
		stats_failed("close", tmp, errno);
		unlink(tmp);
		return;
	}
	if (rename(tmp, out.path) == -1) {
		stats_failed("rename", tmp, errno);
		unlink(tmp);
		return;
	}
	if (out.failing)
		log_info("stats-file %s: written again", out.path);
	out.failing = 0;
}

/* Once per streak of failures: the next success says it is over. */
static void
stats_failed(const char *what, const char *file, int err)
{
	if (out.failing)
		return;
	out.failing = 1;
	log_warnx("stats-file %s: %s%s%s%s%s; retrying every %d s", out.path,
	    what, file != NULL ? " " : "", file != NULL ? file : "",
	    err != 0 ? ": " : "", err != 0 ? strerror(err) : "",
	    out.interval);
}
