/*
 * The policy server front end: Postfix's check_policy_service and Exim's
 * ${readsocket}, on a unix socket (-S) or on stdin and stdout for one
 * connection (-P, Postfix's spawn(8)).
 */
#ifndef POLICYD_H
#define POLICYD_H

struct event_base;
struct policy;

int	policyd_listen(const char *, const char *);
int	policyd_run(struct event_base *, const struct policy *, int);
void	policyd_set_policy(const struct policy *);

#endif
