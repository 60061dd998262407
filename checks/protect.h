/*
 * Protected names: the organisations of "protect", whose domains only
 * their own hosts may give as HELO, and the built-in list of the
 * largest mailbox providers.
 */
#ifndef PROTECT_H
#define PROTECT_H

#include <stddef.h>

#include "policy.h"

int		 protect_add(struct protectlist *, const char *const *, size_t,
		    const char *const *, size_t);
int		 protect_builtin(struct protectlist *);
void		 protect_free(struct protectlist *);
const char	*protect_domain(const struct protectlist *, const char *);
int		 protect_admits(const struct protectlist *, const char *,
		    const char *);

#endif
