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
 * Postfix's policy delegation protocol (SMTPD_POLICY_README), which
 * Exim's ${readsocket} speaks as well: a request is "name=value" lines
 * and an empty line; the answer is one "action=..." line and an empty
 * line.  Pure parse and format: the attributes the checks read are
 * kept, every other one is skipped, and every bound is fixed here.
 */
#ifndef POSTFIX_H
#define POSTFIX_H

#include <stddef.h>

/*
 * The longest attribute line kept, newline excluded: Postfix's longest
 * values (certificate subjects, a recipient of 64 + 1 + 255 octets) fit
 * many times over.  A longer line is a malformed request.
 */
#define PF_LINE_MAX	4096
/* Lines in one request: Postfix sends about 30. */
#define PF_LINES_MAX	256
/* The longest answer line, its newlines included. */
#define PF_REPLY_MAX	1024

enum pf_attr {
	PF_REQUEST,
	PF_PROTOCOL_STATE,
	PF_HELO_NAME,
	PF_CLIENT_ADDRESS,
	PF_CLIENT_PORT,
	PF_CLIENT_NAME,
	PF_REVERSE_CLIENT_NAME,
	PF_SERVER_ADDRESS,
	PF_SENDER,
	PF_RECIPIENT,
	PF_SASL_USERNAME,
	PF_INSTANCE,
	PF_ATTR_COUNT
};

/* The values kept of one request, each a copy of at most PF_LINE_MAX. */
struct pf_request {
	char		*v[PF_ATTR_COUNT];	/* NULL if not sent */
	int		 lines;
};

enum pf_status {
	PF_MORE,		/* a line taken: more to come */
	PF_DONE,		/* the empty line: the request is whole */
	PF_ERROR		/* malformed, or out of memory: errstr */
};

enum pf_status	 pf_request_line(struct pf_request *, const char *,
		    const char **);
void		 pf_request_clear(struct pf_request *);
int		 pf_value_known(const char *);
int		 pf_fmt_dunno(char *, size_t);
int		 pf_fmt_refuse(char *, size_t, const char *);
int		 pf_fmt_prepend(char *, size_t, const char *, const char *);

#endif
