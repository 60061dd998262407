/*
 * Portability: included first by every source file.  On OpenBSD the BSD
 * APIs and pledge(2) are native; elsewhere libbsd's overlay supplies
 * strlcpy, strtonum, reallocarray and <sys/queue.h>, and pledge is a no-op.
 */
#ifndef COMPAT_H
#define COMPAT_H

#ifndef __dead
#define __dead		__attribute__((__noreturn__))
#endif

#ifndef nitems
#define nitems(a)	(sizeof(a) / sizeof((a)[0]))
#endif

#ifndef __OpenBSD__
static inline int
pledge(const char *promises, const char *execpromises)
{
	(void)promises;
	(void)execpromises;
	return 0;
}
#endif

#endif
