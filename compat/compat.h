/*
 * Copyright (c) 2026 the filter-helo authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 *
 * THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES
 * WITH REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF
 * MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR
 * ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
 * WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN
 * ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF
 * OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.
 */

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

/*
 * libbsd's <sys/tree.h> marks the static tree functions __unused, which
 * its <sys/cdefs.h> leaves undefined (glibc's own headers use no such
 * name; only some Linux uapi ones, which we do not include).
 */
#ifndef __unused
#define __unused	__attribute__((__unused__))
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
