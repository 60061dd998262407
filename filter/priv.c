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
 * Dropping privileges, as OpenBSD's daemons do: the user's groups, then
 * its gid, then its uid, each in full (real, effective and saved), and
 * a check that root cannot be had back.
 */
/* glibc declares setresuid(2) and setresgid(2) only for this. */
#if defined(__linux__) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE
#endif

#include "compat.h"

#include <sys/types.h>

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include "log.h"
#include "priv.h"

/*
 * user NULL: stay as we are, unless we are root, which is refused: a
 * daemon that reads what the network sends must not run as root.  -1
 * with the reason logged.
 */
int
priv_drop(const char *user)
{
	struct passwd	*pw;

	if (user == NULL) {
		if (geteuid() == 0) {
			log_warnx("running as root: give a user to run as "
			    "(-u)");
			return -1;
		}
		return 0;
	}
	if ((pw = getpwnam(user)) == NULL) {
		log_warnx("%s: no such user", user);
		return -1;
	}
	if (geteuid() != 0) {
		if (pw->pw_uid == geteuid())
			return 0;
		log_warnx("-u %s: only root can change users", user);
		return -1;
	}
	if (setgroups(1, &pw->pw_gid) == -1 ||
	    setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) == -1 ||
	    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) == -1) {
		log_warn("dropping privileges to %s", user);
		return -1;
	}
	if (pw->pw_uid != 0 && setuid(0) != -1) {
		log_warnx("dropping privileges to %s: root is still there",
		    user);
		return -1;
	}
	return 0;
}
