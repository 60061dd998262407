/*
 * The verdict line of the log, the same for both front ends:
 * "ip=... rdns=... helo=... verdict=ACTION checks=NAME,..." and with -v
 * one line per check.
 */
#ifndef REPORT_H
#define REPORT_H

struct facts;
struct policy;
struct verdict;

void	report_verdict(const char *, const struct policy *,
	    const struct facts *, const struct verdict *, const char *);

#endif
