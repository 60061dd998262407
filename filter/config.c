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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "config.h"
#include "helo.h"
#include "log.h"
#include "policy.h"
#include "protect.h"

#define MAX_WORDS	33	/* a directive and up to 32 arguments */
#define EXPLAIN_URL_MAX	200	/* it is appended to a reply */
#define BLANKS		" \t\r\n"

struct directive {
	const char	*name;
	int		 nargs;		/* at least */
	int		 nargs_max;
	const char	*usage;
	int		(*parse)(struct policy *, char **, const char **);
};

static const char *errorf(const char *, ...)
		    __attribute__((format(printf, 1, 2)));
static void	config_error(const char *, ...)
		    __attribute__((format(printf, 1, 2)));
static int	tokenise(char *, char **, int *, const char **);
static int	parse_name(const char *, int, char *, size_t, const char **);
static int	parse_resolver(struct policy *, char **, const char **);
static int	parse_dns_timeout(struct policy *, char **, const char **);
static int	parse_verdict_phase(struct policy *, char **, const char **);
static int	parse_check(struct policy *, char **, const char **);
static int	parse_message(struct policy *, char **, const char **);
static int	parse_rdns_match(struct policy *, char **, const char **);
static int	parse_local_name(struct policy *, char **, const char **);
static int	parse_local_domain(struct policy *, char **, const char **);
static int	parse_pass(struct policy *, char **, const char **);
static int	parse_block(struct policy *, char **, const char **);
static int	parse_protect(struct policy *, char **, const char **);
static int	parse_explain_url(struct policy *, char **, const char **);
static int	parse_profile(struct policy *, char **, const char **);
static int	parse_dnssec(struct policy *, char **, const char **);
static int	parse_trust_anchor(struct policy *, char **, const char **);
static int	parse_dbl(struct policy *, char **, const char **);
static int	yes_no(const char *, int *);
static int	parse_dry_run(struct policy *, char **, const char **);
static int	parse_stats_file(struct policy *, char **, const char **);
static int	parse_stats_interval(struct policy *, char **, const char **);
static int	parse_add_header(struct policy *, char **, const char **);
static int	add_name(struct namelist *, const char *, int, const char **);
static void	print_protect(FILE *, const struct protect_org *);
static void	print_quoted(FILE *, const char *);
static void	print_word(FILE *, const char *);

static const struct directive directives[] = {
	{ "resolver", 1, 1, "resolver needs ADDR[@PORT]", parse_resolver },
	{ "dns-timeout", 1, 1, "dns-timeout needs SECONDS",
	    parse_dns_timeout },
	{ "verdict-phase", 1, 1,
	    "verdict-phase needs helo, mail-from or rcpt-to",
	    parse_verdict_phase },
	{ "check", 2, 2, "check needs NAME and ACTION", parse_check },
	{ "message", 2, 2, "message needs NAME and \"REPLY\"", parse_message },
	{ "rdns-match", 1, 1, "rdns-match needs exact or domain",
	    parse_rdns_match },
	{ "local-name", 1, 1, "local-name needs NAME", parse_local_name },
	{ "local-domain", 1, 1, "local-domain needs NAME", parse_local_domain },
	{ "pass", 2, 2, "pass needs client, helo, rdns or rcpt and a value",
	    parse_pass },
	{ "block", 2, 2, "block needs helo and a value", parse_block },
	{ "protect", 1, MAX_WORDS - 1,
	    "protect needs DOMAIN [DOMAIN ...] [alias DOMAIN ...]",
	    parse_protect },
	{ "explain-url", 1, 1, "explain-url needs URL", parse_explain_url },
	{ "profile", 1, 1, "profile needs default or strict", parse_profile },
	{ "dnssec", 1, 1, "dnssec needs no, yes or any", parse_dnssec },
	{ "dnssec-trust-anchor", 0, MAX_WORDS - 1, NULL, parse_trust_anchor },
	{ "dbl", 1, 1 + DBL_CODES_MAX, "dbl needs ZONE and at most 16 CODEs",
	    parse_dbl },
	{ "dry-run", 1, 1, "dry-run needs yes or no", parse_dry_run },
	{ "stats-file", 1, 1, "stats-file needs PATH", parse_stats_file },
	{ "stats-interval", 1, 1, "stats-interval needs SECONDS",
	    parse_stats_interval },
	{ "add-header", 1, 1, "add-header needs yes or no", parse_add_header },
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
	char	*word[MAX_WORDS + 1];	/* NULL after the last argument */
	size_t	 i;
	int	 n;

	if (tokenise(line, word, &n, errstr) == -1)
		return -1;
	if (n == 0)
		return 0;
	/* The arguments end with NULL for a directive that takes a range. */
	word[n < MAX_WORDS ? n : MAX_WORDS] = NULL;
	for (i = 0; i < nitems(directives); i++) {
		if (strcmp(word[0], directives[i].name) != 0)
			continue;
		if (n - 1 < directives[i].nargs ||
		    n - 1 > directives[i].nargs_max) {
			*errstr = directives[i].usage;
			return -1;
		}
		word[n] = NULL;
		return directives[i].parse(p, word + 1, errstr);
	}
	*errstr = errorf("unknown directive \"%s\"", word[0]);
	return -1;
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

static int
parse_resolver(struct policy *p, char **arg, const char **errstr)
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
	if (namelist_add(&p->resolvers, arg[0]) == -1)
		fatal("%s", __func__);
	return 0;
}

static int
parse_dns_timeout(struct policy *p, char **arg, const char **errstr)
{
	const char	*why;
	int		 n;

	n = strtonum(arg[0], 1, DNS_TIMEOUT_MAX, &why);
	if (why != NULL) {
		*errstr = errorf("dns-timeout \"%s\" is %s: use 1 to %d "
		    "seconds, well below Exim's 60 s limit", arg[0], why,
		    DNS_TIMEOUT_MAX);
		return -1;
	}
	p->dns_timeout = n;
	return 0;
}

static int
parse_verdict_phase(struct policy *p, char **arg, const char **errstr)
{
	enum phase	ph;

	for (ph = PHASE_HELO; ph <= PHASE_RCPT_TO; ph++) {
		if (strcmp(arg[0], phase_name(ph)) == 0) {
			p->phase = ph;
			return 0;
		}
	}
	*errstr = errorf("unknown verdict-phase \"%s\": use helo, mail-from "
	    "or rcpt-to", arg[0]);
	return -1;
}

static int
parse_check(struct policy *p, char **arg, const char **errstr)
{
	enum check	c;
	enum action	a;

	if (check_lookup(arg[0], &c) == -1) {
		*errstr = errorf("unknown check \"%s\"", arg[0]);
		return -1;
	}
	if (action_lookup(arg[1], &a) == -1) {
		*errstr = errorf("unknown action \"%s\": use pass, report, "
		    "junk, tempfail, reject or disconnect", arg[1]);
		return -1;
	}
	policy_set_action(p, c, a);
	return 0;
}

static int
parse_message(struct policy *p, char **arg, const char **errstr)
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

static int
parse_rdns_match(struct policy *p, char **arg, const char **errstr)
{
	if (strcmp(arg[0], "exact") == 0)
		p->rdns_mode = RDNS_EXACT;
	else if (strcmp(arg[0], "domain") == 0)
		p->rdns_mode = RDNS_DOMAIN;
	else {
		*errstr = errorf("unknown rdns-match mode \"%s\": use exact "
		    "or domain", arg[0]);
		return -1;
	}
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
parse_local_name(struct policy *p, char **arg, const char **errstr)
{
	return add_name(&p->local_names, arg[0], 0, errstr);
}

static int
parse_local_domain(struct policy *p, char **arg, const char **errstr)
{
	return add_name(&p->local_domains, arg[0], 0, errstr);
}

static int
parse_pass(struct policy *p, char **arg, const char **errstr)
{
	struct cidr	c;
	char		rcpt[RCPT_ENTRY_MAX];

	if (strcmp(arg[0], "helo") == 0)
		return add_name(&p->pass_helo, arg[1], 1, errstr);
	if (strcmp(arg[0], "rdns") == 0)
		return add_name(&p->pass_rdns, arg[1], 1, errstr);
	if (strcmp(arg[0], "rcpt") == 0) {
		if (rcpt_entry_parse(arg[1], rcpt, sizeof(rcpt)) == -1) {
			*errstr = errorf("invalid recipient \"%s\": use "
			    "ADDRESS, @DOMAIN or LOCALPART@", arg[1]);
			return -1;
		}
		if (namelist_add(&p->pass_rcpt, rcpt) == -1)
			fatal("%s", __func__);
		return 0;
	}
	if (strcmp(arg[0], "client") != 0) {
		*errstr = errorf("unknown pass \"%s\": use client, helo, rdns "
		    "or rcpt", arg[0]);
		return -1;
	}
	if (cidr_parse(arg[1], &c) == -1) {
		*errstr = errorf("invalid address or network \"%s\"", arg[1]);
		return -1;
	}
	if (cidrlist_add(&p->pass_client, &c) == -1)
		fatal("%s", __func__);
	return 0;
}

static int
parse_block(struct policy *p, char **arg, const char **errstr)
{
	if (strcmp(arg[0], "helo") != 0) {
		*errstr = errorf("unknown block \"%s\": use helo", arg[0]);
		return -1;
	}
	return add_name(&p->block_helo, arg[1], 1, errstr);
}

/*
 * "protect DOMAIN [DOMAIN ...] [alias DOMAIN ...]": one organisation.
 * Every name must be a domain someone can own: a public suffix would
 * protect, or admit, every name under it.
 */
static int
parse_protect(struct policy *p, char **arg, const char **errstr)
{
	char		 names[MAX_WORDS][NAME_BUFSZ + 1];
	const char	*v[MAX_WORDS];
	size_t		 n = 0, ndomains = 0;
	int		 aliases = 0, psl;

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

/*
 * The URL ends up in replies as "; see URL#check": so no blanks, no
 * '#' of its own and no '%', which would read as an escape.
 */
static int
parse_explain_url(struct policy *p, char **arg, const char **errstr)
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
parse_profile(struct policy *p, char **arg, const char **errstr)
{
	struct policy	def;
	int		strict;

	if (strcmp(arg[0], "strict") == 0)
		strict = 1;
	else if (strcmp(arg[0], "default") == 0)
		strict = 0;
	else {
		*errstr = errorf("unknown profile \"%s\": use default or "
		    "strict", arg[0]);
		return -1;
	}
	policy_init(&def);
	memcpy(p->rules, def.rules, sizeof(p->rules));
	p->rdns_mode = def.rdns_mode;
	policy_free(&def);
	if (strict)
		policy_strict(p);
	return 0;
}

static int
parse_dnssec(struct policy *p, char **arg, const char **errstr)
{
	static const struct {
		const char		*word;
		enum dnssec_mode	 mode;
	} modes[] = {
		{ "no",		DNSSEC_OFF },
		{ "yes",	DNSSEC_LOOPBACK },
		{ "any",	DNSSEC_ANY },
	};
	size_t	 i;

	for (i = 0; i < nitems(modes); i++)
		if (strcmp(arg[0], modes[i].word) == 0) {
			p->dnssec = modes[i].mode;
			return 0;
		}
	*errstr = errorf("dnssec needs no, yes or any, not \"%s\"", arg[0]);
	return -1;
}

/*
 * The filter no longer validates: the site's resolver does, and says so
 * in its answers.  An old file stops with the way forward.
 */
static int
parse_trust_anchor(struct policy *p, char **arg, const char **errstr)
{
	*errstr = "dnssec-trust-anchor is gone: validate in the site's "
	    "resolver and use \"dnssec yes\"";
	return -1;
}

/* "yes" or "no" into *v; -1 for anything else. */
static int
yes_no(const char *s, int *v)
{
	if (strcmp(s, "yes") == 0)
		*v = 1;
	else if (strcmp(s, "no") == 0)
		*v = 0;
	else
		return -1;
	return 0;
}

static int
parse_dry_run(struct policy *p, char **arg, const char **errstr)
{
	if (yes_no(arg[0], &p->dry_run) == -1) {
		*errstr = errorf("dry-run \"%s\": use yes or no", arg[0]);
		return -1;
	}
	return 0;
}

/*
 * A blocklist zone and the codes that list a name on it; without codes,
 * a DBL-style zone's 127.0.1.0/24.  The arguments are counted by now.
 */
static int
parse_dbl(struct policy *p, char **arg, const char **errstr)
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
parse_stats_file(struct policy *p, char **arg, const char **errstr)
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

static int
parse_stats_interval(struct policy *p, char **arg, const char **errstr)
{
	const char	*why;
	int		 n;

	n = strtonum(arg[0], STATS_INTERVAL_MIN, STATS_INTERVAL_MAX, &why);
	if (why != NULL) {
		*errstr = errorf("stats-interval \"%s\" is %s: use %d to %d "
		    "seconds", arg[0], why, STATS_INTERVAL_MIN,
		    STATS_INTERVAL_MAX);
		return -1;
	}
	p->stats_interval = n;
	return 0;
}

/*
 * Off by default: with it, smtpd hands every line of every message
 * through the filter.
 */
static int
parse_add_header(struct policy *p, char **arg, const char **errstr)
{
	if (yes_no(arg[0], &p->add_header) == -1) {
		*errstr = errorf("unknown add-header \"%s\": use yes or no",
		    arg[0]);
		return -1;
	}
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
	if (p->dns_timeout < 1 || p->dns_timeout > DNS_TIMEOUT_MAX) {
		config_error("%s: dns-timeout %d is not 1 to %d seconds, "
		    "well below Exim's 60 s limit", path, p->dns_timeout,
		    DNS_TIMEOUT_MAX);
		rc = -1;
	}
	if (p->pass_rcpt.n > 0 && p->phase != PHASE_RCPT_TO) {
		config_error("%s: pass rcpt needs verdict-phase rcpt-to: "
		    "a verdict given before RCPT TO spares no recipient",
		    path);
		rc = -1;
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

void
config_print(const struct policy *p, FILE *f)
{
	char	buf[ADDR_STRLEN];
	size_t	i, j;
	int	c;

	fprintf(f, "# filter-helo effective policy\n");
	fprintf(f, "verdict-phase %s\n", phase_name(p->phase));
	fprintf(f, "dns-timeout %d\n", p->dns_timeout);
	fprintf(f, "rdns-match %s\n",
	    p->rdns_mode == RDNS_EXACT ? "exact" : "domain");
	fprintf(f, "add-header %s\n", p->add_header ? "yes" : "no");
	for (i = 0; i < p->resolvers.n; i++)
		fprintf(f, "resolver %s\n", p->resolvers.v[i]);
	for (i = 0; i < p->local_names.n; i++)
		fprintf(f, "local-name %s\n", p->local_names.v[i]);
	for (i = 0; i < p->local_domains.n; i++)
		fprintf(f, "local-domain %s\n", p->local_domains.v[i]);
	for (i = 0; i < p->pass_client.n; i++) {
		addr_fmt(&p->pass_client.v[i].addr, buf, sizeof(buf));
		fprintf(f, "pass client %s/%d\n", buf,
		    p->pass_client.v[i].plen);
	}
	for (i = 0; i < p->pass_helo.n; i++)
		fprintf(f, "pass helo %s\n", p->pass_helo.v[i]);
	for (i = 0; i < p->pass_rdns.n; i++)
		fprintf(f, "pass rdns %s\n", p->pass_rdns.v[i]);
	for (i = 0; i < p->pass_rcpt.n; i++)
		fprintf(f, "pass rcpt %s\n", p->pass_rcpt.v[i]);
	for (i = 0; i < p->block_helo.n; i++)
		fprintf(f, "block helo %s\n", p->block_helo.v[i]);
	for (i = 0; i < p->protect.n; i++)
		print_protect(f, &p->protect.v[i]);
	for (i = 0; i < p->dbl.n; i++) {
		fprintf(f, "dbl %s", p->dbl.v[i].zone);
		for (j = 0; j < p->dbl.v[i].ncodes; j++) {
			addr_fmt(&p->dbl.v[i].codes[j].addr, buf, sizeof(buf));
			fprintf(f, " %s/%d", buf, p->dbl.v[i].codes[j].plen);
		}
		fprintf(f, "\n");
	}
	if (p->explain_url != NULL)
		fprintf(f, "explain-url %s\n", p->explain_url);
	fprintf(f, "dnssec %s\n", p->dnssec == DNSSEC_ANY ? "any" :
	    p->dnssec == DNSSEC_LOOPBACK ? "yes" : "no");
	fprintf(f, "dry-run %s\n", p->dry_run ? "yes" : "no");
	if (p->stats_file != NULL) {
		fprintf(f, "stats-file ");
		print_word(f, p->stats_file);
		fprintf(f, "\n");
	}
	fprintf(f, "stats-interval %d\n", p->stats_interval);
	for (c = 0; c < CHECK_COUNT; c++) {
		fprintf(f, "check %s %s\n", check_name(c),
		    action_name(p->rules[c].action));
		fprintf(f, "message %s ", check_name(c));
		print_quoted(f, p->rules[c].reply);
		fprintf(f, "\n");
	}
}

static void
print_protect(FILE *f, const struct protect_org *org)
{
	size_t	i;

	fprintf(f, "protect");
	for (i = 0; i < org->domains.n; i++)
		fprintf(f, " %s", org->domains.v[i]);
	if (org->aliases.n > 0)
		fprintf(f, " alias");
	for (i = 0; i < org->aliases.n; i++)
		fprintf(f, " %s", org->aliases.v[i]);
	fprintf(f, "\n");
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
