/*
 * The configuration file: one directive a line, '#' comments, words
 * separated by blanks, double quotes around text with blanks (\" and \\
 * inside).  config_load() reports every error as FILE:LINE: and goes on,
 * so that one run shows them all; config_finish() then checks the rules
 * that span directives.  The caller runs both.
 */
#include "compat.h"

#include <errno.h>
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
static int	parse_explain_url(struct policy *, char **, const char **);
static int	parse_profile(struct policy *, char **, const char **);
static int	parse_trust_anchor(struct policy *, char **, const char **);
static int	parse_add_header(struct policy *, char **, const char **);
static int	add_name(struct namelist *, const char *, int, const char **);
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
	{ "explain-url", 1, 1, "explain-url needs URL", parse_explain_url },
	{ "profile", 1, 1, "profile needs default or strict", parse_profile },
	{ "dnssec-trust-anchor", 1, 1, "dnssec-trust-anchor needs FILE",
	    parse_trust_anchor },
	{ "add-header", 1, 1, "add-header needs yes or no", parse_add_header },
};

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
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	while ((len = getline(&line, &size, f)) != -1) {
		lineno++;
		if (strlen(line) != (size_t)len)
			errstr = "line contains a NUL byte";
		else if (config_parse_line(p, line, &errstr) == 0)
			continue;
		fprintf(stderr, "%s:%zu: %s\n", path, lineno, errstr);
		rc = -1;
	}
	if (ferror(f)) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		rc = -1;
	}
	free(line);
	fclose(f);
	return rc;
}

int
config_parse_line(struct policy *p, char *line, const char **errstr)
{
	char	*word[MAX_WORDS];
	size_t	 i;
	int	 n;

	if (tokenise(line, word, &n, errstr) == -1)
		return -1;
	if (n == 0)
		return 0;
	for (i = 0; i < nitems(directives); i++) {
		if (strcmp(word[0], directives[i].name) != 0)
			continue;
		if (n - 1 < directives[i].nargs ||
		    n - 1 > directives[i].nargs_max) {
			*errstr = directives[i].usage;
			return -1;
		}
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
parse_trust_anchor(struct policy *p, char **arg, const char **errstr)
{
	if (access(arg[0], R_OK) == -1) {
		*errstr = errorf("dnssec-trust-anchor %s: %s", arg[0],
		    strerror(errno));
		return -1;
	}
	free(p->trust_anchor);
	if ((p->trust_anchor = strdup(arg[0])) == NULL)
		fatal("%s", __func__);
	return 0;
}

/*
 * Off by default: with it, smtpd hands every line of every message
 * through the filter.
 */
static int
parse_add_header(struct policy *p, char **arg, const char **errstr)
{
	if (strcmp(arg[0], "yes") == 0)
		p->add_header = 1;
	else if (strcmp(arg[0], "no") == 0)
		p->add_header = 0;
	else {
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
	size_t			 grow;
	int			 c, rc = 0;
	char			 class;

	if (path == NULL)
		path = getprogname();
	if (p->dns_timeout < 1 || p->dns_timeout > DNS_TIMEOUT_MAX) {
		fprintf(stderr, "%s: dns-timeout %d is not 1 to %d seconds, "
		    "well below Exim's 60 s limit\n", path, p->dns_timeout,
		    DNS_TIMEOUT_MAX);
		rc = -1;
	}
	if (p->pass_rcpt.n > 0 && p->phase != PHASE_RCPT_TO) {
		fprintf(stderr, "%s: pass rcpt needs verdict-phase rcpt-to: "
		    "a verdict given before RCPT TO spares no recipient\n",
		    path);
		rc = -1;
	}
	for (c = 0; c < CHECK_COUNT; c++) {
		r = &p->rules[c];
		name = check_name(c);
		class = r->reply[0];
		/* "; see URL#check" follows the reply */
		grow = p->explain_url == NULL ? 0 :
		    strlen("; see #") + strlen(p->explain_url) + strlen(name);
		if (reply_len_max(r->reply) + grow > REPLY_LINE_MAX) {
			fprintf(stderr, "%s: message %s can grow to %zu "
			    "characters with its escapes%s, over the %d of "
			    "an SMTP reply line\n", path, name,
			    reply_len_max(r->reply) + grow,
			    grow ? " and explain-url" : "", REPLY_LINE_MAX);
			rc = -1;
		}
		if (c == CHECK_DNS_ERROR && r->action >= ACT_REJECT) {
			fprintf(stderr, "%s: check %s %s: DNS failure is never "
			    "a permanent refusal\n", path, name,
			    action_name(r->action));
			rc = -1;
		} else if ((r->action == ACT_TEMPFAIL && class != '4') ||
		    (r->action >= ACT_REJECT && class != '5')) {
			fprintf(stderr, "%s: check %s %s but its message is "
			    "%cxx\n", path, name, action_name(r->action),
			    class);
			rc = -1;
		} else if (c == CHECK_DNS_ERROR && class != '4') {
			fprintf(stderr, "%s: message %s is %cxx: DNS failure "
			    "is never a permanent refusal\n", path, name,
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
	size_t	i;
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
	if (p->explain_url != NULL)
		fprintf(f, "explain-url %s\n", p->explain_url);
	if (p->trust_anchor != NULL) {
		fprintf(f, "dnssec-trust-anchor ");
		print_word(f, p->trust_anchor);
		fprintf(f, "\n");
	}
	for (c = 0; c < CHECK_COUNT; c++) {
		fprintf(f, "check %s %s\n", check_name(c),
		    action_name(p->rules[c].action));
		fprintf(f, "message %s ", check_name(c));
		print_quoted(f, p->rules[c].reply);
		fprintf(f, "\n");
	}
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
