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
struct policy;
struct verdict;

void	stats_verdict(const struct policy *, const struct verdict *);
void	stats_latency(const struct timespec *);
void	stats_log(void);
void	stats_start(struct event_base *, const struct policy *);
void	stats_stop(void);

#endif
