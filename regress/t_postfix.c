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
 * The Postfix policy protocol's parse and format (protocol/postfix.c):
 * requests as Postfix and Exim's ${readsocket} send them, the malformed
 * and the hostile, and each answer as Postfix reads it.
 */
#include "compat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "postfix.h"
#include "tap.h"

static const char *const postfix_request[] = {
	"request=smtpd_access_policy",
	"protocol_state=RCPT",
	"protocol_name=ESMTP",
	"client_address=192.0.2.10",
	"client_name=good.regress.test",
	"client_port=40000",
	"reverse_client_name=good.regress.test",
	"server_address=192.0.2.1",
	"server_port=25",
	"helo_name=good.regress.test",
	"sender=alice@regress.test",
	"recipient=bob@example.org",
	"recipient_count=0",
	"queue_id=",
	"instance=3c1e.656f1b2a.a8f3b.0",
	"size=0",
	"etrn_domain=",
	"stress=",
	"sasl_method=",
	"sasl_username=",
	"sasl_sender=",
	"ccert_subject=",
	"ccert_issuer=",
	"ccert_fingerprint=",
	"encryption_protocol=TLSv1.3",
	"encryption_cipher=TLS_AES_256_GCM_SHA384",
	"encryption_keysize=256",
	"policy_context=",
	"compatibility_level=3.6",
	"mail_version=3.7.11",
	"",
};

static const struct {
	const char	*reply;
	const char	*want;		/* NULL: refused */
} refusals[] = {
	{ "450 4.7.1 <nowhere.test>: Helo command rejected: Host not found",
	    "action=450 4.7.1 Host not found\n\n" },
	{ "550 5.7.1 <mx.example.org>: Helo command rejected: you are not me",
	    "action=550 5.7.1 you are not me\n\n" },
	{ "450 4.7.25 Client host rejected: cannot find your hostname, "
	    "[192.0.2.12]", "action=450 4.7.25 cannot find your hostname, "
	    "[192.0.2.12]\n\n" },
	{ "554 5.7.1 Service unavailable; Helo command [x.test] blocked "
	    "using dbl.test", "action=554 5.7.1 Service unavailable; Helo "
	    "command [x.test] blocked using dbl.test\n\n" },
	/* a HELO with ">: " in it is the client's, not a context */
	{ "501 5.5.2 <a>: b>: Helo command rejected: Invalid name",
	    "action=501 5.5.2 Invalid name\n\n" },
	{ "550 text without a status", "action=550 text without a status\n\n" },
	{ "550 5.7.1 ", NULL },
	{ "550 5.7.1 <x>: Helo command rejected: ", NULL },
	{ "250 2.0.0 fine", NULL },
	{ "55 short", NULL },
	{ "550 5.7.1 two\nlines", NULL },
	{ "", NULL },
};

static void	test_request(void);
static void	test_malformed(void);
static void	test_replies(void);
static enum pf_status feed(struct pf_request *, const char *const *,
		    size_t, const char **);

int
main(void)
{
	plan(57);
	test_request();
	test_malformed();
	test_replies();
	return done_testing();
}

static void
test_request(void)
{
	struct pf_request	 r;
	const char		*err = NULL;

	memset(&r, 0, sizeof(r));
	is_int(feed(&r, postfix_request, nitems(postfix_request), &err),
	    PF_DONE, "Postfix's request: whole at the empty line");
	is_str(r.v[PF_HELO_NAME], "good.regress.test", "helo_name");
	is_str(r.v[PF_CLIENT_ADDRESS], "192.0.2.10", "client_address");
	is_str(r.v[PF_CLIENT_PORT], "40000", "client_port");
	is_str(r.v[PF_CLIENT_NAME], "good.regress.test", "client_name");
	is_str(r.v[PF_SERVER_ADDRESS], "192.0.2.1", "server_address");
	is_str(r.v[PF_RECIPIENT], "bob@example.org", "recipient");
	is_str(r.v[PF_SASL_USERNAME], "", "sasl_username, empty");
	is_str(r.v[PF_PROTOCOL_STATE], "RCPT", "protocol_state");
	is_str(r.v[PF_INSTANCE], "3c1e.656f1b2a.a8f3b.0",
	    "instance, the transaction");
	is_int(r.lines, nitems(postfix_request) - 1, "every line counted");
	pf_request_clear(&r);
	ok(r.v[PF_HELO_NAME] == NULL && r.lines == 0,
	    "cleared for the next request on the connection");

	is_int(pf_request_line(&r, "helo_name=first.test", &err), PF_MORE,
	    "a line");
	is_int(pf_request_line(&r, "helo_name=second.test", &err), PF_MORE,
	    "the same attribute again");
	is_str(r.v[PF_HELO_NAME], "second.test", "... the later value stands");
	is_int(pf_request_line(&r, "x_unknown=a=b", &err), PF_MORE,
	    "an unknown attribute is skipped");
	is_int(pf_request_line(&r, "recipient=", &err), PF_MORE,
	    "an empty value");
	is_str(r.v[PF_RECIPIENT], "", "... kept empty");
	is_int(pf_request_line(&r, "", &err), PF_DONE, "the end");
	pf_request_clear(&r);

	ok(pf_value_known("192.0.2.10"), "a value is known");
	ok(!pf_value_known("unknown"), "Postfix's \"unknown\" is not");
	ok(!pf_value_known(""), "nor an empty value");
	ok(!pf_value_known(NULL), "nor one not sent");
}

static void
test_malformed(void)
{
	struct pf_request	 r;
	const char		*err;
	char			*line;
	int			 i;
	enum pf_status		 st = PF_MORE;

	memset(&r, 0, sizeof(r));
	err = NULL;
	is_int(pf_request_line(&r, "", &err), PF_ERROR,
	    "an empty line first: no request");
	is_str(err, "empty request", "... why");
	is_int(pf_request_line(&r, "no equals sign", &err), PF_ERROR,
	    "a line without '='");
	is_str(err, "not name=value", "... why");
	is_int(pf_request_line(&r, "=value", &err), PF_ERROR,
	    "a line without a name");
	pf_request_clear(&r);

	if ((line = malloc(PF_LINE_MAX + 2)) == NULL)
		return;
	memcpy(line, "helo_name=", 10);
	memset(line + 10, 'a', PF_LINE_MAX - 10);
	line[PF_LINE_MAX] = '\0';
	is_int(pf_request_line(&r, line, &err), PF_MORE,
	    "a line of PF_LINE_MAX octets is taken");
	line[PF_LINE_MAX] = 'a';
	line[PF_LINE_MAX + 1] = '\0';
	is_int(pf_request_line(&r, line, &err), PF_ERROR,
	    "one octet more is refused");
	is_str(err, "attribute line too long", "... why");
	free(line);
	pf_request_clear(&r);

	for (i = 0; i <= PF_LINES_MAX && st == PF_MORE; i++)
		st = pf_request_line(&r, "x_attr=1", &err);
	is_int(st, PF_ERROR, "thousands of attributes: refused");
	is_int(i, PF_LINES_MAX + 1, "... at the %dth line", PF_LINES_MAX + 1);
	pf_request_clear(&r);
}

static void
test_replies(void)
{
	char	 buf[PF_REPLY_MAX];
	size_t	 i;
	int	 r;

	is_int(pf_fmt_dunno(buf, sizeof(buf)), 0, "DUNNO");
	is_str(buf, "action=DUNNO\n\n", "... the line and the empty one");
	for (i = 0; i < nitems(refusals); i++) {
		r = pf_fmt_refuse(buf, sizeof(buf), refusals[i].reply);
		if (refusals[i].want == NULL)
			is_int(r, -1, "refused: reply %zu of the table", i);
		else if (is_int(r, 0, "refusal: %s", refusals[i].reply))
			is_str(buf, refusals[i].want,
			    "... as Postfix reads it");
	}
	is_int(pf_fmt_refuse(buf, 20, refusals[0].reply), -1,
	    "a refusal that does not fit is not cut");
	is_int(pf_fmt_prepend(buf, sizeof(buf), "X-HELO-Check",
	    "verdict=junk checks=literal"), 0, "PREPEND");
	is_str(buf, "action=PREPEND X-HELO-Check: verdict=junk checks=literal"
	    "\n\n", "... the header, on one line");
	is_int(pf_fmt_prepend(buf, sizeof(buf), "X-HELO-Check",
	    "folded\r\n value"), -1, "a header value with a line break");
}

/* The lines in turn, up to the first that is not PF_MORE. */
static enum pf_status
feed(struct pf_request *r, const char *const *lines, size_t n,
    const char **err)
{
	enum pf_status	 st = PF_MORE;
	size_t		 i;

	for (i = 0; i < n && st == PF_MORE; i++)
		st = pf_request_line(r, lines[i], err);
	return st;
}
