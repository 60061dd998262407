/*
 * The verdict line of the log, the same for both front ends:
 * "ip=... rdns=... helo=... verdict=ACTION checks=NAME,..." and with -v
 * one line per check; and the resolver's observer, which logs its
 * failures, and with -v each answer.
 */
#ifndef REPORT_H
#define REPORT_H

struct dns_result;
struct facts;
struct policy;
struct verdict;

void	report_verdict(const char *, const struct policy *,
	    const struct facts *, const struct verdict *, const char *);
void	report_dns(const char *, int, const struct dns_result *);

#endif
