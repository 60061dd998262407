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
 * Parse and format Postfix policy delegation lines.  A request is read
 * a line at a time, so a connection that sends a little, or a great
 * deal, holds only the values the checks read; nothing here logs.
 */
#include "compat.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "postfix.h"

/* Attribute names, as Postfix sends them. */
static const char *const pf_names[PF_ATTR_COUNT] = {
	[PF_REQUEST] =			"request",
	[PF_PROTOCOL_STATE] =		"protocol_state",
	[PF_HELO_NAME] =		"helo_name",
	[PF_CLIENT_ADDRESS] =		"client_address",
	[PF_CLIENT_PORT] =		"client_port",
	[PF_CLIENT_NAME] =		"client_name",
	[PF_REVERSE_CLIENT_NAME] =	"reverse_client_name",
	[PF_SERVER_ADDRESS] =		"server_address",
	[PF_SENDER] =			"sender",
	[PF_RECIPIENT] =		"recipient",
	[PF_SASL_USERNAME] =		"sasl_username",
	[PF_INSTANCE] =			"instance",
};

/*
 * The context Postfix writes before the text of a refusal ("<helo>:
 * Helo command rejected: "): ours, at the head of a reply, would stand
 * twice.
 */
static const char *const pf_contexts[] = {
	"Helo command rejected: ",
	"Client host rejected: ",
};

static int	pf_text_valid(const char *);
static const char *pf_text(const char *);

/*
 * One line of a request, without its newline.  An attribute the checks
 * do not read is skipped, whatever its value.  An attribute sent twice
 * keeps the later value.
 */
enum pf_status
pf_request_line(struct pf_request *r, const char *line, const char **errstr)
{
	const char	*eq;
	size_t		 i, namelen;
	char		*v;

	if (*line == '\0') {
		if (r->lines == 0) {
			*errstr = "empty request";
			return PF_ERROR;
		}
		return PF_DONE;
	}
	if (++r->lines > PF_LINES_MAX) {
		*errstr = "too many attributes";
		return PF_ERROR;
	}
	if (strlen(line) > PF_LINE_MAX) {
		*errstr = "attribute line too long";
		return PF_ERROR;
	}
	if ((eq = strchr(line, '=')) == NULL || eq == line) {
		*errstr = "not name=value";
		return PF_ERROR;
	}
	namelen = eq - line;
	for (i = 0; i < PF_ATTR_COUNT; i++) {
		if (strlen(pf_names[i]) != namelen ||
		    strncmp(pf_names[i], line, namelen) != 0)
			continue;
		if ((v = strdup(eq + 1)) == NULL) {
			*errstr = strerror(errno);
			return PF_ERROR;
		}
		free(r->v[i]);
		r->v[i] = v;
		break;
	}
	return PF_MORE;
}

/* Ready for the next request. */
void
pf_request_clear(struct pf_request *r)
{
	size_t	 i;

	for (i = 0; i < PF_ATTR_COUNT; i++) {
		free(r->v[i]);
		r->v[i] = NULL;
	}
	r->lines = 0;
}

/*
 * Whether a request has a value: sent, not empty, and not "unknown",
 * which Postfix sends for what it does not have (a client name it could
 * not confirm, an address XCLIENT gave as [UNAVAILABLE]).
 */
int
pf_value_known(const char *v)
{
	return v != NULL && *v != '\0' && strcmp(v, "unknown") != 0;
}

/* No opinion: Postfix goes on with its other restrictions. */
int
pf_fmt_dunno(char *buf, size_t len)
{
	return snprintf(buf, len, "action=DUNNO\n\n") >= (int)len ? -1 : 0;
}

/*
 * A refusal from a reply "CODE X.Y.Z TEXT": Postfix sends the code and
 * status as given, and the text after its own context, so the context
 * of ours is left out.  -1 for anything that is not a 4xx or 5xx reply
 * with text, or would not fit: an answer Postfix could misread must
 * never be sent.
 */
int
pf_fmt_refuse(char *buf, size_t len, const char *reply)
{
	const char	*text;
	size_t		 code;

	if (reply == NULL || (reply[0] != '4' && reply[0] != '5') ||
	    reply[1] < '0' || reply[1] > '9' || reply[2] < '0' ||
	    reply[2] > '9' || reply[3] != ' ')
		return -1;
	/* the enhanced status, if any, goes with the code */
	code = 4;
	if (reply[4] == reply[0] && reply[5] == '.')
		code += strcspn(reply + 4, " ") + 1;
	if (strlen(reply) <= code)
		return -1;
	text = pf_text(reply + code);
	if (!pf_text_valid(text))
		return -1;
	if (snprintf(buf, len, "action=%.*s%s\n\n", (int)code, reply, text) >=
	    (int)len)
		return -1;
	return 0;
}

/* A header for the message, added by Postfix: "action=PREPEND H: V". */
int
pf_fmt_prepend(char *buf, size_t len, const char *name, const char *value)
{
	if (!pf_text_valid(name) || !pf_text_valid(value) ||
	    strchr(name, ':') != NULL || strchr(name, ' ') != NULL)
		return -1;
	if (snprintf(buf, len, "action=PREPEND %s: %s\n\n", name, value) >=
	    (int)len)
		return -1;
	return 0;
}

/* Printable ASCII, not empty: no line break can reach Postfix. */
static int
pf_text_valid(const char *s)
{
	if (s == NULL || *s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (*s < ' ' || *s > '~')
			return 0;
	return 1;
}

/*
 * The text without a context Postfix adds itself, and the "<NAME>: "
 * before it.  NAME is the client's (a HELO may hold ">: "), so the
 * context is looked for whole.
 */
static const char *
pf_text(const char *text)
{
	char		 ctx[64];
	const char	*p;
	size_t		 i, n;

	for (i = 0; i < nitems(pf_contexts); i++) {
		n = strlen(pf_contexts[i]);
		if (strncmp(text, pf_contexts[i], n) == 0)
			return text + n;
		snprintf(ctx, sizeof(ctx), ">: %s", pf_contexts[i]);
		if (text[0] == '<' && (p = strstr(text, ctx)) != NULL)
			return p + strlen(ctx);
	}
	return text;
}
