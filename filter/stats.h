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
 * Counters for an operator running the filter for months: verdicts,
 * the checks that fired, exemptions, lookups, sessions and how long a
 * verdict took.  Logged in one line on SIGUSR1, and rewritten every
 * stats-interval to stats-file in the Prometheus text format.  Filter
 * mode only: the one-shot -E mode is one process per call.
 */
#ifndef STATS_H
#define STATS_H

#include <time.h>

struct event_base;
struct facts;
struct memory;
struct policy;
struct verdict;

void	stats_verdict(const struct policy *, const struct facts *,
	    const struct verdict *);
void	stats_latency(const struct timespec *);
void	stats_log(void);
void	stats_start(struct event_base *, const struct policy *);
void	stats_stop(void);
void	stats_memory(const struct memory *);

#endif
