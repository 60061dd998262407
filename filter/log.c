/*
 * Logging.  In filter mode every line goes to stderr, which smtpd reads
 * and logs under the filter's name; in the one-shot mode it goes to
 * syslog, since Exim takes the program's output as the reply.
 */
#include "compat.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "log.h"

static int	log_debugging;
static int	log_to_syslog;
static int	log_fatal_exit = 1;

void
log_init(int verbose, int use_syslog)
{
	log_debugging = verbose;
	log_to_syslog = use_syslog;
	if (use_syslog)
		openlog("filter-helo", LOG_PID | LOG_NDELAY, LOG_MAIL);
}

/* Exim reads exit 1 as "reject": its front end exits otherwise. */
void
log_fatal_status(int status)
{
	log_fatal_exit = status;
}

int
log_verbose(void)
{
	return log_debugging;
}

/* One line; with errno >= 0, ": strerror(errno)" appended. */
static void
log_vwrite(int pri, int saved, const char *fmt, va_list ap)
{
	char	buf[4096];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	if (log_to_syslog)
		syslog(pri, "%s%s%s", buf, saved >= 0 ? ": " : "",
		    saved >= 0 ? strerror(saved) : "");
	else {
		fprintf(stderr, "%s%s%s\n", buf, saved >= 0 ? ": " : "",
		    saved >= 0 ? strerror(saved) : "");
		fflush(stderr);
	}
}

void
log_warn(const char *fmt, ...)
{
	va_list	ap;
	int	saved = errno;

	va_start(ap, fmt);
	log_vwrite(LOG_WARNING, saved, fmt, ap);
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite(LOG_WARNING, -1, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite(LOG_INFO, -1, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	ap;

	if (!log_debugging)
		return;
	va_start(ap, fmt);
	log_vwrite(LOG_DEBUG, -1, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list	ap;
	int	saved = errno;

	va_start(ap, fmt);
	log_vwrite(LOG_CRIT, saved, fmt, ap);
	va_end(ap);
	exit(log_fatal_exit);
}

void
fatalx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite(LOG_CRIT, -1, fmt, ap);
	va_end(ap);
	exit(log_fatal_exit);
}

/*
 * Values from the network (HELO names, user names) are logged with
 * control characters, backslash and non-ASCII bytes as \ooo, so that one
 * log line stays one line and says exactly what was sent.
 */
const char *
log_escape(const char *s, char *buf, size_t len)
{
	size_t		 i = 0;
	unsigned char	 c;

	if (len == 0)
		return "";
	if (s == NULL)
		s = "";
	for (; (c = *s) != '\0'; s++) {
		if (c >= 0x21 && c < 0x7f && c != '\\') {
			if (i + 1 >= len)
				break;
			buf[i++] = c;
		} else {
			if (i + 4 >= len)
				break;
			snprintf(buf + i, 5, "\\%03o", c);
			i += 4;
		}
	}
	buf[i] = '\0';
	return buf;
}
