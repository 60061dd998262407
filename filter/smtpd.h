/*
 * The OpenSMTPD front end: the handshake, the dispatch of report events
 * and filter requests, and exactly one answer per request.
 */
#ifndef SMTPD_H
#define SMTPD_H

struct event_base;
struct policy;

int	smtpd_run(struct event_base *, const struct policy *);

#endif
