/*
 * Logging to stderr, which smtpd logs as "filter-helo: ...", or to
 * syslog in the one-shot Exim mode.  Control characters of values taken
 * from the network are escaped with log_escape().
 */
#ifndef LOG_H
#define LOG_H

#include <stddef.h>

#include "compat.h"

struct event_base;

void	log_init(int, int);
void	log_event_init(struct event_base *);
void	log_event_done(void);
void	log_fatal_status(int);
int	log_verbose(void);
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
__dead void fatal(const char *, ...) __attribute__((format(printf, 1, 2)));
__dead void fatalx(const char *, ...) __attribute__((format(printf, 1, 2)));
const char *log_escape(const char *, char *, size_t);

#endif
