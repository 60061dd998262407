/*
 * Reload on SIGHUP: the configuration read again into a fresh policy,
 * or every reason it was refused, in the log.
 */
#ifndef RELOAD_H
#define RELOAD_H

struct policy;

struct policy	*reload_config(const char *, struct policy *);

#endif
