/*
 * The OpenSMTPD front end: the handshake, the dispatch of report events
 * and filter requests, and exactly one answer per request.
 */
#ifndef SMTPD_H
#define SMTPD_H

#include <stddef.h>

struct event_base;
struct policy;

int	smtpd_run(struct event_base *, const struct policy *);
void	smtpd_setup(struct event_base *, const struct policy *);
void	smtpd_set_policy(const struct policy *);
void	smtpd_teardown(void);
void	smtpd_line(char *, size_t);

#endif
