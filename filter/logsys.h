/*
 * The one-shot mode's log: syslog without ever blocking.  A line the
 * log socket does not take at once is dropped.
 */
#ifndef LOGSYS_H
#define LOGSYS_H

void	logsys_open(const char *, int);
void	logsys_send(int, const char *);

#endif
