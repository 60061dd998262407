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
 * The configuration file: one directive a line, '#' comments, words
 * separated by blanks, double quotes around text with blanks (\" and \\
 * inside).  config_load() reports every error as FILE:LINE: and goes on,
 * so that one run shows them all; config_finish() then checks the rules
 * that span directives.  The caller runs both.  Errors go to stderr, or
 * one line at a time to the function given to config_errors_to(): a
 * reload logs them without blocking.
 */
#include "compat.h"

#include <errno.h>
#include <libpsl.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "config.h"
#include "helo.h"
#include "log.h"
#include "memory.h"
#include "policy.h"
#include "protect.h"

#define MAX_WORDS	33	/* a directive and up to 32 arguments */
#define EXPLAIN_URL_MAX	200	/* it is appended to a reply */
#define BLANKS		" \t\r\n"
#define USE_MAX		128	/* "a, b or c": a directive's words */
#define FIELD(name)	offsetof(struct policy, name)

/*
 * The words of a setting or a kind, each standing for a number: the
 * word read, the word -n writes back, the "use ..." of an error, which
 * lists them in order.
 */
struct words {
	const char	*(*at)(const void *, int);	/* NULL past the last */
	const void	*list;
	const int	*values;	/* NULL: a word's is its place */
};

/*
 * "pass KIND VALUE", "block KIND VALUE", "except CHECK KIND VALUE":
 * each kind adds to its list, one value or a file of them.
 */
struct kind {
	const char	*word;
	size_t		 field;		/* its list in struct policy, or
					   in struct except */
	int		(*add)(void *, const char *, const char **);
	void		(*print)(FILE *, const char *, const void *);
	struct listfiles *(*files)(void *, size_t *);
};

/*
 * One row per directive: the words it takes, how a line of it is read,
 * and how -n writes the policy back as lines of it, in table order.  A
 * setting (a word of a list, a number in a range) needs nothing else:
 * the row names its int in struct policy, its words or its range.
 */
struct directive {
	const char		*name;
	int			 nargs;		/* at least */
	int			 nargs_max;
	const char		*usage;		/* NULL: "NAME needs WORDS" */
	int			(*parse)(const struct directive *,
				    struct policy *, char **, const char **);
	void			(*print)(const struct directive *,
				    const struct policy *, FILE *);
	size_t			 field;		/* its value in struct policy */
	const struct words	*words;
	int			 min;		/* a number's range */
	int			 max;
	const char		*hint;		/* after the range; for a
						   directive gone, what now */
};

/* Settings are read and written as int, whatever their type. */
_Static_assert(sizeof(enum phase) == sizeof(int) &&
    sizeof(enum rdns_mode) == sizeof(int) &&
    sizeof(enum dnssec_mode) == sizeof(int), "a setting is not an int");

static const char *errorf(const char *, ...)
		    __attribute__((format(printf, 1, 2)));
static void	config_error(const char *, ...)
		    __attribute__((format(printf, 1, 2)));
static int	tokenise(char *, char **, int *, const char **);
static const char *list_word(const void *, int);
static const char *kind_word(const void *, int);
static const char *phase_word(const void *, int);
static const char *action_word(const void *, int);
static const char *word_at(const struct words *, int);
static int	find_word(const struct words *, const char *, const char *,
		    const char **);
static const char *use(const struct words *);
static void	*member(struct policy *, size_t);
static const void *member_const(const struct policy *, size_t);
static int	parse_setting(const struct directive *, struct policy *,
		    char **, const char **);
static int	parse_number(const struct directive *, struct policy *,
		    char **, const char **);
static int	parse_duration(const struct directive *, struct policy *,
		    char **, const char **);
static int	parse_gone(const struct directive *, struct policy *,
		    char **, const char **);
static int	parse_name(const char *, int, char *, size_t, const char **);
static int	add_name(struct namelist *, const char *, int, const char **);
static int	add_rcpt(void *, const char *, const char **);
static int	add_cidr(void *, const char *, const char **);
static int	add_pattern(void *, const char *, const char **);
static struct listfiles *names_files(void *, size_t *);
static struct listfiles *cidrs_files(void *, size_t *);
static int	kind_add(const struct kind *, void *, char **,
		    const char **);
static int	load_list(const struct kind *, void *, const char *,
		    const char **);
static int	parse_except(const struct directive *, struct policy *,
		    char **, const char **);
static int	load_protect(const struct directive *, struct policy *,
		    const char *, const char **);
static int	read_file(const char *, int (*)(void *, char *,
		    const char **), void *, const char **);
static int	list_line(void *, char *, const char **);
static int	protect_line(void *, char *, const char **);
static void	print_except(const struct directive *,
		    const struct policy *, FILE *);
static int	print_file(FILE *, const char *, const struct listfiles *,
		    size_t);
static int	parse_resolver(const struct directive *, struct policy *,
		    char **, const char **);
static int	parse_names(const struct directive *, struct policy *,
		    char **, const char **);
static int	parse_kind(const struct directive *, struct policy *,
		    char **, const char **);
static int	parse_check(const struct directive *, struct policy *,
		    char **, const char **);
static int	parse_message(const struct directive *, struct policy *,
		    char **, const char **);
static int	parse_protect(const struct directive *, struct policy *,
		    char **, const char **);
static int	parse_explain_url(const struct directive *, struct policy *,
		    char **, const char **);
static int	parse_profile(const struct directive *, struct policy *,
		    char **, const char **);
static int	parse_dbl(const struct directive *, struct policy *,
		    char **, const char **);
static int	parse_stats_file(const struct directive *, struct policy *,
		    char **, const char **);
static void	print_setting(const struct directive *,
		    const struct policy *, FILE *);
static void	print_number(const struct directive *,
		    const struct policy *, FILE *);
static void	print_duration(const struct directive *,
		    const struct policy *, FILE *);
static void	print_text(const struct directive *, const struct policy *,
		    FILE *);
static void	print_list(const struct directive *, const struct policy *,
		    FILE *);
static void	print_kinds(const struct directive *,
		    const struct policy *, FILE *);
static void	print_protect(const struct directive *,
		    const struct policy *, FILE *);
static void	print_dbl(const struct directive *, const struct policy *,
		    FILE *);
static void	print_rules(const struct directive *,
		    const struct policy *, FILE *);
static void	print_names(FILE *, const char *, const void *);
static void	print_cidrs(FILE *, const char *, const void *);
static void	print_line(FILE *, const char *, const char *);
static void	print_quoted(FILE *, const char *);
static void	print_word(FILE *, const char *);

static const struct words yes_no = { list_word,
    (const char *const []){ "yes", "no", NULL }, (const int []){ 1, 0 } };
static const struct words phases = { phase_word, NULL, NULL };
static const struct words actions = { action_word, NULL, NULL };
static const struct words rdns_modes = { list_word,
    (const char *const []){ [RDNS_EXACT] = "exact",
    [RDNS_DOMAIN] = "domain", NULL }, NULL };
static const struct words dnssec_modes = { list_word,
    (const char *const []){ [DNSSEC_OFF] = "no", [DNSSEC_LOOPBACK] = "yes",
    [DNSSEC_ANY] = "any", NULL }, NULL };
static const struct words spf_helo_modes = { list_word,
    (const char *const []){ [SPF_HELO_ALL] = "all",
    [SPF_HELO_NULL_SENDER] = "null-sender", NULL }, NULL };
static const struct words profiles = { list_word,
    (const char *const []){ "default", "strict", NULL }, NULL };

static const struct kind pass_list[] = {
	{ "client",	FIELD(pass_client),	add_cidr,	print_cidrs,
	    cidrs_files },
	{ "helo",	FIELD(pass_helo),	add_pattern,	print_names,
	    names_files },
	{ "rdns",	FIELD(pass_rdns),	add_pattern,	print_names,
	    names_files },
	{ "rcpt",	FIELD(pass_rcpt),	add_rcpt,	print_names,
	    names_files },
	{ NULL,		0,			NULL,		NULL, NULL },
};
static const struct words pass_kinds = { kind_word, pass_list, NULL };

static const struct kind block_list[] = {
	{ "helo",	FIELD(block_helo),	add_pattern,	print_names,
	    names_files },
	{ NULL,		0,			NULL,		NULL, NULL },
};
static const struct words block_kinds = { kind_word, block_list, NULL };

/* In enum except_kind order: v->spared names the kind by its place. */
static const struct kind except_list[] = {
	{ "client", offsetof(struct except, client), add_cidr, print_cidrs,
	    cidrs_files },
	{ "helo", offsetof(struct except, helo), add_pattern, print_names,
	    names_files },
	{ "rdns", offsetof(struct except, rdns), add_pattern, print_names,
	    names_files },
	{ "rcpt", offsetof(struct except, rcpt), add_rcpt, print_names,
	    names_files },
	{ NULL,		0,			NULL,		NULL, NULL },
};
static const struct words except_kinds = { kind_word, except_list, NULL };

/* -n prints the policy in this order: "profile" is in the checks. */
static const struct directive directives[] = {
	{ "verdict-phase", 1, 1, NULL, parse_setting, print_setting,
	    .field = FIELD(phase), .words = &phases },
	{ "dns-timeout", 1, 1, "dns-timeout needs SECONDS", parse_number,
	    print_number, .field = FIELD(dns_timeout), .min = 1,
	    .max = DNS_TIMEOUT_MAX,
	    .hint = "seconds, well below Exim's 60 s limit" },
	{ "rdns-match", 1, 1, NULL, parse_setting, print_setting,
	    .field = FIELD(rdns_mode), .words = &rdns_modes },
	{ "add-header", 1, 1, NULL, parse_setting, print_setting,
	    .field = FIELD(add_header), .words = &yes_no },
	{ "resolver", 1, 1, "resolver needs ADDR[@PORT]", parse_resolver,
	    print_list, .field = FIELD(resolvers) },
	{ "local-name", 1, 1, "local-name needs NAME", parse_names,
	    print_list, .field = FIELD(local_names) },
	{ "local-domain", 1, 1, "local-domain needs NAME", parse_names,
	    print_list, .field = FIELD(local_domains) },
	{ "pass", 2, 3, NULL, parse_kind, print_kinds, .words = &pass_kinds },
	{ "block", 2, 3, NULL, parse_kind, print_kinds,
	    .words = &block_kinds },
	{ "except", 3, 4, "except needs CHECK, client, helo, rdns or rcpt, "
	    "and a value or file PATH", parse_except, print_except,
	    .words = &except_kinds },
	{ "protect", 1, MAX_WORDS - 1,
	    "protect needs DOMAIN [DOMAIN ...] [alias DOMAIN ...] or file "
	    "PATH",
	    parse_protect, .print = print_protect },
	{ "dbl", 1, 1 + DBL_CODES_MAX, "dbl needs ZONE and at most 16 CODEs",
	    parse_dbl, .print = print_dbl },
	{ "explain-url", 1, 1, "explain-url needs URL", parse_explain_url,
	    print_text, .field = FIELD(explain_url) },
	{ "dnssec", 1, 1, NULL, parse_setting, print_setting,
	    .field = FIELD(dnssec), .words = &dnssec_modes },
	{ "dry-run", 1, 1, NULL, parse_setting, print_setting,
	    .field = FIELD(dry_run), .words = &yes_no },
	{ "stats-file", 1, 1, "stats-file needs PATH", parse_stats_file,
	    print_text, .field = FIELD(stats_file) },
	{ "stats-interval", 1, 1, "stats-interval needs SECONDS",
	    parse_number, print_number, .field = FIELD(stats_interval),
	    .min = STATS_INTERVAL_MIN, .max = STATS_INTERVAL_MAX,
	    .hint = "seconds" },
	/* What rotation and forged-before remember, and how long. */
	{ "rotation-limit", 1, 1, "rotation-limit needs NAMES", parse_number,
	    print_number, .field = FIELD(rotation_limit), .min = 1,
	    .max = ROTATION_LIMIT_MAX, .hint = "distinct names" },
	{ "rotation-window", 1, 1, "rotation-window needs TIME",
	    parse_duration, print_duration, .field = FIELD(rotation_window),
	    .max = MEMORY_WINDOW_MAX },
	{ "forged-window", 1, 1, "forged-window needs TIME", parse_duration,
	    print_duration, .field = FIELD(forged_window),
	    .max = MEMORY_WINDOW_MAX },
	/* Whose mail check spf-helo's action applies to. */
	{ "spf-helo", 1, 1, NULL, parse_setting, print_setting,
	    .field = FIELD(spf_helo), .words = &spf_helo_modes },
	/* Each check's action, and its message after it. */
	{ "check", 2, 2, "check needs NAME and ACTION", parse_check,
	    print_rules, .words = &actions },
	{ "message", 2, 2, "message needs NAME and \"REPLY\"", parse_message,
	    .print = NULL },
	{ "profile", 1, 1, NULL, parse_profile, .print = NULL,
	    .words = &profiles },
	{ "dnssec-trust-anchor", 0, MAX_WORDS - 1, NULL, parse_gone,
	    .print = NULL,
	    .hint = "validate in the site's resolver and use \"dnssec yes\"" },
};

static void	(*error_sink)(const char *);

int
config_load(struct policy *p, const char *path)
{
	FILE		*f;
	char		*line = NULL;
	const char	*errstr;
	size_t		 size = 0, lineno = 0;
	ssize_t		 len;
	int		 rc = 0;

	if ((f = fopen(path, "r")) == NULL) {
		config_error("%s: %s", path, strerror(errno));
		return -1;
	}
	while ((len = getline(&line, &size, f)) != -1) {
		lineno++;
		if (strlen(line) != (size_t)len)
			errstr = "line contains a NUL byte";
		else if (config_parse_line(p, line, &errstr) == 0)
			continue;
		config_error("%s:%zu: %s", path, lineno, errstr);
		rc = -1;
	}
	if (ferror(f)) {
		config_error("%s: %s", path, strerror(errno));
		rc = -1;
	}
	free(line);
	fclose(f);
	return rc;
}

int
config_parse_line(struct policy *p, char *line, const char **errstr)
{
	const struct directive	*d;
	char			*word[MAX_WORDS + 1];	/* NULL-terminated */
	size_t			 i;
	int			 n;

	if (tokenise(line, word, &n, errstr) == -1)
		return -1;
	if (n == 0)
		return 0;
	/* The arguments end with NULL for a directive that takes a range. */
	word[n < MAX_WORDS ? n : MAX_WORDS] = NULL;
	for (i = 0; i < nitems(directives); i++) {
		d = &directives[i];
		if (strcmp(word[0], d->name) != 0)
			continue;
		if (n - 1 < d->nargs || n - 1 > d->nargs_max) {
			*errstr = d->usage != NULL ? d->usage :
			    errorf("%s needs %s%s", d->name, use(d->words),
			    d->nargs > 1 ? " and a value" : "");
			return -1;
		}
		word[n] = NULL;
		return d->parse(d, p, word + 1, errstr);
	}
	*errstr = errorf("unknown directive \"%s\"", word[0]);
	return -1;
}

/* "yes" or "no" into *v: the one reading of every yes/no. */
int
config_yes_no(const char *s, int *v)
{
	int	i;

	if ((i = find_word(&yes_no, NULL, s, NULL)) == -1)
		return -1;
	*v = i;
	return 0;
}

/*
 * Split a line into words in place.  More words than fit are counted
 * but not kept: the count alone makes the directive's usage error.
 */
static int
tokenise(char *s, char **word, int *n, const char **errstr)
{
	char	*start, *w, end;

	*n = 0;
	for (;;) {
		s += strspn(s, BLANKS);
		if (*s == '\0' || *s == '#')
			return 0;
		if (*s == '"') {
			start = w = ++s;
			for (; *s != '"'; s++) {
				if (*s == '\0') {
					*errstr = "unterminated quoted string";
					return -1;
				}
				if (*s == '\\') {
					s++;
					if (*s != '"' && *s != '\\') {
						*errstr = "only \\\" and \\\\ "
						    "may follow \\ in quotes";
						return -1;
					}
				}
				*w++ = *s;
			}
			*w = '\0';
			end = *++s;
			if (end != '\0' && end != '#' &&
			    strchr(BLANKS, end) == NULL) {
				*errstr = "text after a closing quote";
				return -1;
			}
		} else {
			start = s;
			s += strcspn(s, BLANKS "\"#");
			end = *s;
			if (end == '"') {
				*errstr = "quote inside a word";
				return -1;
			}
			*s = '\0';
		}
		if (*n < MAX_WORDS)
			word[*n] = start;
		(*n)++;
		if (end == '\0' || end == '#')
			return 0;
		s++;
	}
}

/* The message of the last error, valid until the next one. */
static const char *
errorf(const char *fmt, ...)
{
	static char	 msg[512];
	va_list		 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return msg;
}

/* NULL: to stderr again. */
void
config_errors_to(void (*fn)(const char *))
{
	error_sink = fn;
}

/* One error line, without its newline. */
static void
config_error(const char *fmt, ...)
{
	char	line[1024];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (error_sink != NULL)
		error_sink(line);
	else
		fprintf(stderr, "%s\n", line);
}

static const char *
list_word(const void *list, int i)
{
	return ((const char *const *)list)[i];
}

static const char *
kind_word(const void *kinds, int i)
{
	return ((const struct kind *)kinds)[i].word;
}

/* The phases a verdict can be given at. */
static const char *
phase_word(const void *unused, int i)
{
	return i >= PHASE_HELO && i <= PHASE_RCPT_TO ? phase_name(i) : NULL;
}

static const char *
action_word(const void *unused, int i)
{
	return i >= 0 && i < ACT_COUNT ? action_name(i) : NULL;
}

/* The word for value v, or NULL if there is none. */
static const char *
word_at(const struct words *w, int v)
{
	const char	*x;
	int		 i;

	for (i = 0; (x = w->at(w->list, i)) != NULL; i++)
		if ((w->values != NULL ? w->values[i] : i) == v)
			return x;
	return NULL;
}

/*
 * The value of the word s; else -1 and, with errstr, the error
 * 'unknown WHAT "s": use a, b or c'.
 */
static int
find_word(const struct words *w, const char *what, const char *s,
    const char **errstr)
{
	const char	*x;
	int		 i;

	for (i = 0; (x = w->at(w->list, i)) != NULL; i++)
		if (strcmp(s, x) == 0)
			return w->values != NULL ? w->values[i] : i;
	if (errstr != NULL)
		*errstr = errorf("unknown %s \"%s\": use %s", what, s, use(w));
	return -1;
}

/* "a, b or c": the words, as an error lists them. */
static const char *
use(const struct words *w)
{
	static char	 buf[USE_MAX];
	const char	*x;
	int		 i;

	buf[0] = '\0';
	for (i = 0; (x = w->at(w->list, i)) != NULL; i++) {
		if (i > 0)
			strlcat(buf, w->at(w->list, i + 1) != NULL ? ", " :
			    " or ", sizeof(buf));
		strlcat(buf, x, sizeof(buf));
	}
	return buf;
}

/* What a FIELD() names in the policy. */
static void *
member(struct policy *p, size_t field)
{
	return (char *)p + field;
}

static const void *
member_const(const struct policy *p, size_t field)
{
	return (const char *)p + field;
}

static int
parse_setting(const struct directive *d, struct policy *p, char **arg,
    const char **errstr)
{
	int	v;

	if ((v = find_word(d->words, d->name, arg[0], errstr)) == -1)
		return -1;
	*(int *)member(p, d->field) = v;
	return 0;
}

static int
parse_number(const struct directive *d, struct policy *p, char **arg,
    const char **errstr)
{
	const char	*why;
	int		 n;

	n = strtonum(arg[0], d->min, d->max, &why);
	if (why != NULL) {
		*errstr = errorf("%s \"%s\" is %s: use %d to %d %s", d->name,
		    arg[0], why, d->min, d->max, d->hint);
		return -1;
	}
	*(int *)member(p, d->field) = n;
	return 0;
}

/* A time: seconds, or with a suffix s, m, h or d ("1d"). */
static int
parse_duration(const struct directive *d, struct policy *p, char **arg,
    const char **errstr)
{
	char	max[16];

	if (duration_parse(arg[0], d->max, (int *)member(p, d->field)) ==
	    -1) {
		duration_fmt(d->max, max, sizeof(max));
		*errstr = errorf("%s \"%s\" is invalid: use 1s to %s, with "
		    "s, m, h or d", d->name, arg[0], max);
		return -1;
	}
	return 0;
}

/* A directive that is no more: the file stops with the way forward. */
static int
parse_gone(const struct directive *d, struct policy *p, char **arg,
    const char **errstr)
{
	*errstr = errorf("%s is gone: %s", d->name, d->hint);
	return -1;
}

static int
parse_resolver(const struct directive *d, struct policy *p, char **arg,
    const char **errstr)
{
	struct addr	 a;
	char		 host[ADDR_STRLEN + 1];
	const char	*port, *why;
	size_t		 hlen;

	if ((port = strchr(arg[0], '@')) != NULL) {
		hlen = port - arg[0];
		port++;
		strtonum(port, 1, 65535, &why);
		if (why != NULL) {
			*errstr = errorf("resolver port \"%s\" is %s", port,
			    why);
			return -1;
		}
	} else
		hlen = strlen(arg[0]);
	if (hlen >= sizeof(host)) {
		*errstr = errorf("invalid resolver address \"%s\"", arg[0]);
		return -1;
	}
	memcpy(host, arg[0], hlen);
	host[hlen] = '\0';
	if (addr_parse(host, &a) == -1) {
		*errstr = errorf("invalid resolver address \"%s\"", host);
		return -1;
	}
	if (namelist_add(member(p, d->field), arg[0]) == -1)
		fatal("%s", __func__);
	return 0;
}

static int
parse_check(const struct directive *d, struct policy *p, char **arg,
    const char **errstr)
{
	enum check	c;
	int		a;

	if (check_lookup(arg[0], &c) == -1) {
		*errstr = errorf("unknown check \"%s\"", arg[0]);
		return -1;
	}
	if ((a = find_word(d->words, "action", arg[1], errstr)) == -1)
		return -1;
	policy_set_action(p, c, a);
	return 0;
}

static int
parse_message(const struct directive *d, struct policy *p, char **arg,
    const char **errstr)
{
	enum check	 c;
	const char	*why;

	if (check_lookup(arg[0], &c) == -1) {
		*errstr = errorf("unknown check \"%s\"", arg[0]);
		return -1;
	}
	if (!reply_valid(arg[1], &why)) {
		*errstr = errorf("message %s: %s", arg[0], why);
		return -1;
	}
	strlcpy(p->rules[c].reply, arg[1], sizeof(p->rules[c].reply));
	p->rules[c].reply_set = 1;
	return 0;
}

/*
 * A name as the checks compare it (lower case, A-labels, no trailing
 * dot), and only a name that a HELO could be; with suffix_ok,
 * ".example.net" stands for the names under example.net.
 */
static int
parse_name(const char *s, int suffix_ok, char *out, size_t len,
    const char **errstr)
{
	struct helo	h;
	size_t		dot = 0;

	if (suffix_ok && s[0] == '.')
		dot = 1;
	helo_classify(s + dot, &h);
	if (h.kind != HELO_DOMAIN) {
		*errstr = errorf("invalid name \"%s\": %s", s,
		    h.kind == HELO_INVALID ? h.why : "an address, not a name");
		helo_clear(&h);
		return -1;
	}
	if (snprintf(out, len, "%s%s", dot ? "." : "", h.name) >= (int)len) {
		*errstr = errorf("invalid name \"%s\": too long", s);
		helo_clear(&h);
		return -1;
	}
	helo_clear(&h);
	return 0;
}

static int
add_name(struct namelist *l, const char *s, int suffix_ok,
    const char **errstr)
{
	char	name[NAME_BUFSZ + 1];

	if (parse_name(s, suffix_ok, name, sizeof(name), errstr) == -1)
		return -1;
	if (namelist_add(l, name) == -1)
		fatal("%s", __func__);
	return 0;
}

static int
add_rcpt(void *list, const char *s, const char **errstr)
{
	char	rcpt[RCPT_ENTRY_MAX];

	if (rcpt_entry_parse(s, rcpt, sizeof(rcpt)) == -1) {
		*errstr = errorf("invalid recipient \"%s\": use ADDRESS, "
		    "@DOMAIN or LOCALPART@", s);
		return -1;
	}
	if (namelist_add(list, rcpt) == -1)
		fatal("%s", __func__);
	return 0;
}

static int
add_cidr(void *list, const char *s, const char **errstr)
{
	struct cidr	c;

	if (cidr_parse(s, &c) == -1) {
		*errstr = errorf("invalid address or network \"%s\"", s);
		return -1;
	}
	if (cidrlist_add(list, &c) == -1)
		fatal("%s", __func__);
	return 0;
}

/* A name, ".suffix" for the names under it, or "/REGEX/". */
static int
add_pattern(void *list, const char *s, const char **errstr)
{
	char	why[256];

	if (s[0] != '/')
		return add_name(list, s, 1, errstr);
	switch (namelist_add_regex(list, s, why, sizeof(why))) {
	case 0:
		return 0;
	case -1:
		*errstr = errorf("invalid pattern \"%s\": %s", s, why);
		return -1;
	default:
		fatal("%s", __func__);
	}
}

static struct listfiles *
names_files(void *list, size_t *n)
{
	struct namelist	*l = list;

	*n = l->n;
	return &l->files;
}

static struct listfiles *
cidrs_files(void *list, size_t *n)
{
	struct cidrlist	*l = list;

	*n = l->n;
	return &l->files;
}

/* VALUE, or "file PATH": arg holds one word or two. */
static int
kind_add(const struct kind *k, void *list, char **arg, const char **errstr)
{
	if (arg[1] == NULL)
		return k->add(list, arg[0], errstr);
	if (strcmp(arg[0], "file") != 0) {
		*errstr = errorf("\"%s %s\": one value, or file PATH",
		    arg[0], arg[1]);
		return -1;
	}
	return load_list(k, list, arg[1], errstr);
}

/*
 * A file of one entry a line (or of one protect line a line), read at
 * start and at each reload as all of the configuration is: each line
 * goes to fn, and the first error stops it with the file's name and
 * line.
 */
static int
read_file(const char *path, int (*fn)(void *, char *, const char **),
    void *arg, const char **errstr)
{
	FILE		*f;
	char		*line = NULL, why[512];
	const char	*err = NULL;
	size_t		 size = 0, lineno = 0;
	ssize_t		 len;

	if (path[0] != '/') {
		*errstr = errorf("file \"%s\" is not an absolute path", path);
		return -1;
	}
	if ((f = fopen(path, "r")) == NULL) {
		*errstr = errorf("file %s: %s", path, strerror(errno));
		return -1;
	}
	while (err == NULL && (len = getline(&line, &size, f)) != -1) {
		lineno++;
		if (strlen(line) != (size_t)len)
			err = "line contains a NUL byte";
		else if (fn(arg, line, &err) == 0)
			err = NULL;
	}
	if (err == NULL && ferror(f))
		err = strerror(errno);
	free(line);
	fclose(f);
	if (err != NULL) {
		strlcpy(why, err, sizeof(why));
		*errstr = errorf("%s:%zu: %s", path, lineno, why);
		return -1;
	}
	return 0;
}

struct list_file {
	const struct kind	*k;
	void			*list;
};

/*
 * One entry, read as the same entry in the configuration would be;
 * blank lines and '#' comments (at the start, or after a blank) are
 * skipped.
 */
static int
list_line(void *arg, char *line, const char **errstr)
{
	const struct list_file	*lf = arg;
	char			*s, *e;

	s = line + strspn(line, BLANKS);
	for (e = s; *e != '\0' && !(*e == '#' && (e == s ||
	    strchr(BLANKS, e[-1]) != NULL)); e++)
		;
	while (e > s && strchr(BLANKS, e[-1]) != NULL)
		e--;
	*e = '\0';
	if (*s == '\0')
		return 0;
	if (strpbrk(s, BLANKS) != NULL) {
		*errstr = "one entry a line";
		return -1;
	}
	return lf->k->add(lf->list, s, errstr);
}

static int
load_list(const struct kind *k, void *list, const char *path,
    const char **errstr)
{
	struct list_file	 lf = { k, list };
	struct listfiles	*files;
	size_t			 first, n;

	(void)k->files(list, &first);
	if (read_file(path, list_line, &lf, errstr) == -1)
		return -1;
	files = k->files(list, &n);
	if (listfiles_add(files, path, first, n - first) == -1)
		fatal("%s", __func__);
	return 0;
}

/* "except CHECK KIND VALUE|file PATH": that check spares what matches. */
static int
parse_except(const struct directive *d, struct policy *p, char **arg,
    const char **errstr)
{
	const struct kind	*k;
	enum check		 c;
	int			 i;

	if (check_lookup(arg[0], &c) == -1) {
		*errstr = errorf("unknown check \"%s\"", arg[0]);
		return -1;
	}
	if ((i = find_word(d->words, "except kind", arg[1], errstr)) == -1)
		return -1;
	k = (const struct kind *)d->words->list + i;
	return kind_add(k, (char *)&p->except[c] + k->field, arg + 2, errstr);
}

static int
parse_names(const struct directive *d, struct policy *p, char **arg,
    const char **errstr)
{
	return add_name(member(p, d->field), arg[0], 0, errstr);
}

/* "pass KIND VALUE", "block KIND VALUE": the kind's list takes it. */
static int
parse_kind(const struct directive *d, struct policy *p, char **arg,
    const char **errstr)
{
	const struct kind	*k;
	int			 i;

	if ((i = find_word(d->words, d->name, arg[0], errstr)) == -1)
		return -1;
	k = (const struct kind *)d->words->list + i;
	return kind_add(k, member(p, k->field), arg + 1, errstr);
}

/*
 * "protect DOMAIN [DOMAIN ...] [alias DOMAIN ...]": one organisation.
 * Every name must be a domain someone can own: a public suffix would
 * protect, or admit, every name under it.
 */
static int
parse_protect(const struct directive *d, struct policy *p, char **arg,
    const char **errstr)
{
	char		 names[MAX_WORDS][NAME_BUFSZ + 1];
	const char	*v[MAX_WORDS];
	size_t		 n = 0, ndomains = 0;
	int		 aliases = 0, psl;

	if (strcmp(arg[0], "file") == 0 && arg[1] != NULL && arg[2] == NULL)
		return load_protect(d, p, arg[1], errstr);
	for (; *arg != NULL; arg++) {
		if (strcmp(*arg, "alias") == 0) {
			if (aliases || ndomains == 0) {
				*errstr = aliases ? "protect: alias given "
				    "twice" : "protect needs a DOMAIN before "
				    "alias";
				return -1;
			}
			aliases = 1;
			continue;
		}
		if (parse_name(*arg, 0, names[n], sizeof(names[n]),
		    errstr) == -1)
			return -1;
		psl = psl_builtin() == NULL ||
		    psl_is_public_suffix(psl_builtin(), names[n]);
		if (strchr(names[n], '.') == NULL || psl) {
			*errstr = errorf("protect: \"%s\" is %s, not a "
			    "domain of its own", *arg, psl ?
			    "a public suffix" : "a top-level name");
			return -1;
		}
		v[n] = names[n];
		n++;
		if (!aliases)
			ndomains++;
	}
	if (aliases && n == ndomains) {
		*errstr = "protect: alias needs a DOMAIN after it";
		return -1;
	}
	if (protect_add(&p->protect, v, ndomains, v + ndomains,
	    n - ndomains) == -1)
		fatal("%s", __func__);
	return 0;
}

struct protect_file {
	const struct directive	*d;
	struct policy		*p;
};

/* One organisation: the words of a protect line, comments as there. */
static int
protect_line(void *arg, char *line, const char **errstr)
{
	const struct protect_file	*pf = arg;
	char				*word[MAX_WORDS + 1];
	int				 n;

	if (tokenise(line, word, &n, errstr) == -1)
		return -1;
	if (n == 0)
		return 0;
	if (n > pf->d->nargs_max || strcmp(word[0], "file") == 0) {
		*errstr = pf->d->usage;
		return -1;
	}
	word[n] = NULL;
	return parse_protect(pf->d, pf->p, word, errstr);
}

/* "protect file PATH": one organisation a line. */
static int
load_protect(const struct directive *d, struct policy *p, const char *path,
    const char **errstr)
{
	struct protect_file	pf = { d, p };
	size_t			first = p->protect.n;

	if (read_file(path, protect_line, &pf, errstr) == -1)
		return -1;
	if (listfiles_add(&p->protect.files, path, first,
	    p->protect.n - first) == -1)
		fatal("%s", __func__);
	return 0;
}

/*
 * The URL ends up in replies as "; see URL#check": so no blanks, no
 * '#' of its own and no '%', which would read as an escape.
 */
static int
parse_explain_url(const struct directive *d, struct policy *p, char **arg,
    const char **errstr)
{
	const char	*s;

	if (strncmp(arg[0], "http://", 7) != 0 &&
	    strncmp(arg[0], "https://", 8) != 0) {
		*errstr = "explain-url must start with http:// or https://";
		return -1;
	}
	if (strlen(arg[0]) > EXPLAIN_URL_MAX) {
		*errstr = errorf("explain-url longer than %d characters",
		    EXPLAIN_URL_MAX);
		return -1;
	}
	for (s = arg[0]; *s != '\0'; s++) {
		if (*s <= 0x20 || *s >= 0x7f || *s == '#' || *s == '%' ||
		    *s == '"' || *s == '\\') {
			*errstr = "explain-url may hold only printable ASCII "
			    "without blanks, '#', '%', '\"' or '\\'";
			return -1;
		}
	}
	free(p->explain_url);
	if ((p->explain_url = strdup(arg[0])) == NULL)
		fatal("%s", __func__);
	return 0;
}

/*
 * A profile sets the actions, replies and rdns-match mode, whatever came
 * before, and keeps the lists and settings given so far; directives
 * after it override it.
 */
static int
parse_profile(const struct directive *d, struct policy *p, char **arg,
    const char **errstr)
{
	struct policy	def;
	int		strict;

	if ((strict = find_word(d->words, d->name, arg[0], errstr)) == -1)
		return -1;
	/* Out of memory, what it filled in is not known to be whole. */
	if (policy_init(&def) == -1) {
		policy_free(&def);
		*errstr = errorf("profile %s: out of memory", arg[0]);
		return -1;
	}
	memcpy(p->rules, def.rules, sizeof(p->rules));
	p->rdns_mode = def.rdns_mode;
	policy_free(&def);
	if (strict)
		policy_strict(p);
	return 0;
}

/*
 * A blocklist zone and the codes that list a name on it; without codes,
 * a DBL-style zone's 127.0.1.0/24.  The arguments are counted by now.
 */
static int
parse_dbl(const struct directive *d, struct policy *p, char **arg,
    const char **errstr)
{
	struct dbl_zone	*z;
	struct cidr	 c;
	size_t		 i;

	if (p->dbl.n >= DBL_ZONES_MAX) {
		*errstr = errorf("more than %d dbl zones", DBL_ZONES_MAX);
		return -1;
	}
	z = &p->dbl.v[p->dbl.n];
	memset(z, 0, sizeof(*z));
	if (parse_name(arg[0], 0, z->zone, sizeof(z->zone), errstr) == -1)
		return -1;
	for (i = 0; i < p->dbl.n; i++) {
		if (name_eq(p->dbl.v[i].zone, z->zone)) {
			*errstr = errorf("dbl zone %s given twice", z->zone);
			return -1;
		}
	}
	for (i = 1; arg[i] != NULL; i++) {
		if (cidr_parse(arg[i], &c) == -1 || !dbl_code_valid(&c)) {
			*errstr = errorf("invalid dbl code \"%s\": use an "
			    "address or network inside 127.0.0.0/8", arg[i]);
			return -1;
		}
		z->codes[z->ncodes++] = c;
	}
	if (z->ncodes == 0)
		dbl_default_codes(z);
	p->dbl.n++;
	return 0;
}

/*
 * Written by the filter while it runs, so not checked here: a directory
 * made later, or a failure that passes, must not stop it starting.  An
 * absolute path, since smtpd starts filters in a directory of its own.
 */
static int
parse_stats_file(const struct directive *d, struct policy *p, char **arg,
    const char **errstr)
{
	if (arg[0][0] != '/') {
		*errstr = errorf("stats-file \"%s\" is not an absolute path",
		    arg[0]);
		return -1;
	}
	/* Room for the ".tmp" it is written as first. */
	if (strlen(arg[0]) + 5 > PATH_MAX) {
		*errstr = "stats-file path too long";
		return -1;
	}
	free(p->stats_file);
	if ((p->stats_file = strdup(arg[0])) == NULL)
		fatal("%s", __func__);
	return 0;
}

/*
 * The rules no single line can check: each reply's class must be the
 * action's, and a DNS failure never earns a permanent refusal.
 */
int
config_finish(struct policy *p, const char *path)
{
	const struct rule	*r;
	const char		*name;
	size_t			 longest;
	int			 c, rc = 0;
	char			 class;

	if (path == NULL)
		path = getprogname();
	policy_index(p);
	if (p->pass_rcpt.n > 0 && p->phase != PHASE_RCPT_TO) {
		config_error("%s: pass rcpt needs verdict-phase rcpt-to: "
		    "a verdict given before RCPT TO spares no recipient",
		    path);
		rc = -1;
	}
	if (p->spf_helo == SPF_HELO_NULL_SENDER && p->phase == PHASE_HELO) {
		config_error("%s: spf-helo null-sender needs verdict-phase "
		    "mail-from or rcpt-to: a verdict given at HELO cannot "
		    "know whether the mail is a bounce", path);
		rc = -1;
	}
	for (c = 0; c < CHECK_COUNT; c++) {
		if (p->except[c].rcpt.n > 0 && p->phase != PHASE_RCPT_TO) {
			config_error("%s: except %s rcpt needs verdict-phase "
			    "rcpt-to: a verdict given before RCPT TO spares "
			    "no recipient", path, check_name(c));
			rc = -1;
		}
	}
	for (c = 0; c < CHECK_COUNT; c++) {
		r = &p->rules[c];
		name = check_name(c);
		class = r->reply[0];
		longest = reply_len_max(r->reply, p->explain_url, name);
		if (longest > REPLY_LINE_MAX) {
			config_error("%s: message %s can grow to %zu "
			    "characters with its escapes%s, over the %d of "
			    "an SMTP reply line", path, name, longest,
			    p->explain_url != NULL ? " and explain-url" : "",
			    REPLY_LINE_MAX);
			rc = -1;
		}
		if (c == CHECK_DNS_ERROR && r->action >= ACT_REJECT) {
			config_error("%s: check %s %s: DNS failure is never "
			    "a permanent refusal", path, name,
			    action_name(r->action));
			rc = -1;
		} else if ((r->action == ACT_TEMPFAIL && class != '4') ||
		    (r->action >= ACT_REJECT && class != '5')) {
			config_error("%s: check %s %s but its message is "
			    "%cxx", path, name, action_name(r->action),
			    class);
			rc = -1;
		} else if (c == CHECK_DNS_ERROR && class != '4') {
			config_error("%s: message %s is %cxx: DNS failure "
			    "is never a permanent refusal", path, name,
			    class);
			rc = -1;
		}
	}
	return rc;
}

/* The policy as a configuration that reads back as the same policy. */
void
config_print(const struct policy *p, FILE *f)
{
	size_t	i;

	fprintf(f, "# filter-helo effective policy\n");
	for (i = 0; i < nitems(directives); i++)
		if (directives[i].print != NULL)
			directives[i].print(&directives[i], p, f);
}

static void
print_setting(const struct directive *d, const struct policy *p, FILE *f)
{
	const char	*w;
	int		 v = *(const int *)member_const(p, d->field);

	if ((w = word_at(d->words, v)) == NULL)
		fatalx("%s: %s %d has no word", __func__, d->name, v);
	fprintf(f, "%s %s\n", d->name, w);
}

static void
print_number(const struct directive *d, const struct policy *p, FILE *f)
{
	fprintf(f, "%s %d\n", d->name,
	    *(const int *)member_const(p, d->field));
}

static void
print_duration(const struct directive *d, const struct policy *p, FILE *f)
{
	char	buf[16];

	duration_fmt(*(const int *)member_const(p, d->field), buf,
	    sizeof(buf));
	fprintf(f, "%s %s\n", d->name, buf);
}

/* Text that may be unset. */
static void
print_text(const struct directive *d, const struct policy *p, FILE *f)
{
	char *const	*s = member_const(p, d->field);

	if (*s != NULL)
		print_line(f, d->name, *s);
}

static void
print_list(const struct directive *d, const struct policy *p, FILE *f)
{
	print_names(f, d->name, member_const(p, d->field));
}

static void
print_kinds(const struct directive *d, const struct policy *p, FILE *f)
{
	const struct kind	*k;
	char			 prefix[64];

	for (k = d->words->list; k->word != NULL; k++) {
		snprintf(prefix, sizeof(prefix), "%s %s", d->name, k->word);
		k->print(f, prefix, member_const(p, k->field));
	}
}

static void
print_except(const struct directive *d, const struct policy *p, FILE *f)
{
	const struct kind	*k;
	char			 prefix[64];
	int			 c;

	for (c = 0; c < CHECK_COUNT; c++) {
		for (k = d->words->list; k->word != NULL; k++) {
			snprintf(prefix, sizeof(prefix), "%s %s %s", d->name,
			    check_name(c), k->word);
			k->print(f, prefix, (const char *)&p->except[c] +
			    k->field);
		}
	}
}

static void
print_protect(const struct directive *d, const struct policy *p, FILE *f)
{
	const struct protect_org	*org;
	size_t				 i, j;

	for (i = 0; i < p->protect.n; i++) {
		if (print_file(f, d->name, &p->protect.files, i))
			continue;
		org = &p->protect.v[i];
		fprintf(f, "%s", d->name);
		for (j = 0; j < org->domains.n; j++)
			fprintf(f, " %s", org->domains.v[j]);
		if (org->aliases.n > 0)
			fprintf(f, " alias");
		for (j = 0; j < org->aliases.n; j++)
			fprintf(f, " %s", org->aliases.v[j]);
		fprintf(f, "\n");
	}
	print_file(f, d->name, &p->protect.files, SIZE_MAX);
}

static void
print_dbl(const struct directive *d, const struct policy *p, FILE *f)
{
	const struct dbl_zone	*z;
	char			 buf[ADDR_STRLEN];
	size_t			 i, j;

	for (i = 0; i < p->dbl.n; i++) {
		z = &p->dbl.v[i];
		fprintf(f, "%s %s", d->name, z->zone);
		for (j = 0; j < z->ncodes; j++) {
			addr_fmt(&z->codes[j].addr, buf, sizeof(buf));
			fprintf(f, " %s/%d", buf, z->codes[j].plen);
		}
		fprintf(f, "\n");
	}
}

/* A check's action, then its reply as "message" gives it. */
static void
print_rules(const struct directive *d, const struct policy *p, FILE *f)
{
	int	c;

	for (c = 0; c < CHECK_COUNT; c++) {
		fprintf(f, "%s %s %s\n", d->name, check_name(c),
		    action_name(p->rules[c].action));
		fprintf(f, "message %s ", check_name(c));
		print_quoted(f, p->rules[c].reply);
		fprintf(f, "\n");
	}
}

static void
print_names(FILE *f, const char *prefix, const void *list)
{
	const struct namelist	*l = list;
	size_t			 i;

	for (i = 0; i < l->n; i++)
		if (!print_file(f, prefix, &l->files, i))
			print_line(f, prefix, l->v[i]);
	print_file(f, prefix, &l->files, SIZE_MAX);
}

/*
 * An entry from a file is not printed: the file is, where its first
 * entry was, with the count it held when read.  Returns 1 for those.
 * i SIZE_MAX: the files that held no entry, after the list.
 */
static int
print_file(FILE *f, const char *prefix, const struct listfiles *lf,
    size_t i)
{
	const struct listfile	*file;
	size_t			 k;

	for (k = 0; i == SIZE_MAX && k < lf->n; k++) {
		if (lf->v[k].n > 0)
			continue;
		fprintf(f, "%s file ", prefix);
		print_word(f, lf->v[k].path);
		fprintf(f, " # 0 entries\n");
	}
	if (i == SIZE_MAX || (file = listfiles_at(lf, i)) == NULL)
		return 0;
	if (i == file->first) {
		fprintf(f, "%s file ", prefix);
		print_word(f, file->path);
		fprintf(f, " # %zu %s\n", file->n,
		    file->n == 1 ? "entry" : "entries");
	}
	return 1;
}

static void
print_cidrs(FILE *f, const char *prefix, const void *list)
{
	const struct cidrlist	*l = list;
	char			 buf[ADDR_STRLEN];
	size_t			 i;

	for (i = 0; i < l->n; i++) {
		if (print_file(f, prefix, &l->files, i))
			continue;
		addr_fmt(&l->v[i].addr, buf, sizeof(buf));
		fprintf(f, "%s %s/%d\n", prefix, buf, l->v[i].plen);
	}
	print_file(f, prefix, &l->files, SIZE_MAX);
}

/* "PREFIX VALUE", the value as it reads back. */
static void
print_line(FILE *f, const char *prefix, const char *value)
{
	fprintf(f, "%s ", prefix);
	print_word(f, value);
	fputc('\n', f);
}

static void
print_quoted(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

/* A word as it reads back: quoted only when it must be. */
static void
print_word(FILE *f, const char *s)
{
	if (*s != '\0' && strpbrk(s, BLANKS "\"#\\") == NULL)
		fputs(s, f);
	else
		print_quoted(f, s);
}
