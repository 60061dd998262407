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
 * The policy: every check with its action and reply, and the lists and
 * settings the checks read.  Filled with defaults by policy_init() and
 * then by the configuration file.
 */
#ifndef POLICY_H
#define POLICY_H

#include <regex.h>
#include <stddef.h>

#include "addr.h"
#include "dbl.h"
#include "dns.h"
#include "reply.h"

/* Weakest first: the verdict is the strongest action that fired. */
enum action {
	ACT_PASS,
	ACT_REPORT,
	ACT_JUNK,
	ACT_TEMPFAIL,
	ACT_REJECT,
	ACT_DISCONNECT,
	ACT_COUNT
};

/*
 * Table order is also the tie-break: the first of equal actions replies,
 * so the more telling reply comes first ("you are not me" before "use an
 * address literal", "does not match your hostname" before "does not
 * resolve to").  spf-helo comes before the checks that report by
 * default, so that a report-only verdict waits for its result (it may
 * outrank them) and every front end logs it whatever the timing.
 */
enum check {
	CHECK_SELF,
	CHECK_RCPT_DOMAIN,
	CHECK_PROTECTED,
	CHECK_BLOCKLIST,
	CHECK_DBL,
	CHECK_SYNTAX,
	CHECK_UNDERSCORE,
	CHECK_BARE_IP,
	CHECK_NON_FQDN,
	CHECK_LITERAL,
	CHECK_SPECIAL_NAME,
	CHECK_DNS,
	CHECK_DNS_ERROR,
	CHECK_SPF_HELO,		/* SPF of the HELO identity: spf.c */
	CHECK_RDNS,
	CHECK_RDNS_MATCH,
	CHECK_FORWARD,
	CHECK_CNAME,
	CHECK_PRIVATE,
	CHECK_DYNAMIC,
	CHECK_CHANGED,
	CHECK_ROTATION,		/* across sessions: memory.c */
	CHECK_FORGED_BEFORE,
	CHECK_COUNT
};

enum phase {
	PHASE_HELO,
	PHASE_MAIL_FROM,
	PHASE_RCPT_TO
};

enum rdns_mode {
	RDNS_EXACT,
	RDNS_DOMAIN
};

/* Whose mail spf-helo's action applies to ("spf-helo all|null-sender"). */
enum spf_helo_mode {
	SPF_HELO_ALL,
	SPF_HELO_NULL_SENDER	/* bounces only: MAIL FROM:<> */
};

/*
 * Exim kills a ${run} command after 60 s; the one-shot mode answers
 * within dns-timeout and half a second, plus its start and exit.
 */
#define DNS_TIMEOUT_MAX	50
/*
 * stats-file is rewritten this often.  node_exporter reads it at each
 * scrape, usually every 15 s or more; 1 s is for tests.
 */
#define STATS_INTERVAL_DEFAULT	60
#define STATS_INTERVAL_MIN	1
#define STATS_INTERVAL_MAX	3600
/* A "pass rcpt" entry: a local part of 64 octets, '@' and a name. */
#define RCPT_ENTRY_MAX	(64 + 1 + 253 + 1)

struct rule {
	enum action	 action;
	char		 reply[REPLY_MAX];	/* with % escapes */
	int		 reply_set;		/* given by "message" */
};

/* Entries v[first..first+n) of a list were read from path. */
struct listfile {
	char		*path;
	size_t		 first;
	size_t		 n;
};

struct listfiles {
	struct listfile	*v;
	size_t		 n;
};

/*
 * Normalised names; an entry starting with '.' matches any subdomain,
 * one written "/RE/" what the pattern matches (lists.c).
 */
struct namelist {
	char		**v;		/* every entry, in order */
	size_t		  n;
	size_t		  cap;		/* room in v */
	size_t		 *hash;		/* of the names: index + 1, or 0 */
	size_t		  hsize;
	size_t		  nhashed;
	regex_t		 *re;		/* the patterns, compiled */
	size_t		  nre;
	struct listfiles  files;
};

struct cidrlist {
	struct cidr	 *v;		/* every entry, in order */
	size_t		  n;
	size_t		  cap;		/* room in v */
	struct cidr	 *sorted;	/* v[0..indexed), disjoint */
	size_t		  nsorted;
	size_t		  indexed;
	struct listfiles  files;
};

/* What an "except" line names: the kinds of value, and their lists. */
enum except_kind {
	EXCEPT_CLIENT,
	EXCEPT_HELO,
	EXCEPT_RDNS,
	EXCEPT_RCPT,
	EXCEPT_KINDS
};

struct except {
	struct cidrlist	 client;
	struct namelist	 helo;
	struct namelist	 rdns;
	struct namelist	 rcpt;		/* rcpt_entry_parse() form */
};

/* One "protect" line: see protect.c. */
struct protect_org {
	struct namelist	 domains;	/* HELOs at or under them */
	struct namelist	 aliases;	/* where its rDNS names may also be */
};

struct protectlist {
	struct protect_org	*v;
	size_t			 n;
	struct listfiles	 files;	/* "protect file PATH" */
};

struct policy {
	struct rule	 rules[CHECK_COUNT];
	enum phase	 phase;
	int		 dns_timeout;		/* seconds */
	enum rdns_mode	 rdns_mode;
	struct namelist	 resolvers;		/* ADDR[@PORT], verbatim */
	struct namelist	 local_names;
	struct namelist	 local_domains;
	struct namelist	 pass_helo;
	struct namelist	 pass_rdns;
	struct namelist	 pass_rcpt;		/* rcpt_entry_parse() form */
	struct namelist	 block_helo;
	struct protectlist protect;
	struct cidrlist	 pass_client;
	struct except	 except[CHECK_COUNT];	/* each spares its check */
	struct dbl_list	 dbl;			/* blocklist zones */
	char		*explain_url;
	enum dnssec_mode dnssec;
	int		 dry_run;		/* decide and log, refuse none */
	char		*stats_file;		/* filter mode only */
	int		 stats_interval;	/* seconds */
	int		 add_header;		/* smtpd: headers for later */
	int		 rotation_limit;	/* distinct names, at most */
	int		 rotation_window;	/* seconds */
	int		 forged_window;		/* seconds */
	enum spf_helo_mode spf_helo;		/* whose mail it judges */
};

const char	*action_name(enum action);
int		 action_lookup(const char *, enum action *);
/* From the table of checks, in verdict.c: a check's name and defaults. */
const char	*check_name(enum check);
int		 check_lookup(const char *, enum check *);
enum action	 check_default_action(enum check);
const char	*check_default_reply(enum check);
const char	*phase_name(enum phase);

int		 policy_init(struct policy *);
void		 policy_strict(struct policy *);
void		 policy_free(struct policy *);
void		 policy_set_action(struct policy *, enum check, enum action);
void		 policy_index(struct policy *);
const char	*except_kind_name(enum except_kind);
int		 namelist_add(struct namelist *, const char *);
int		 namelist_add_regex(struct namelist *, const char *, char *,
		    size_t);
void		 namelist_free(struct namelist *);
int		 namelist_match(const struct namelist *, const char *);
int		 cidrlist_add(struct cidrlist *, const struct cidr *);
int		 cidrlist_index(struct cidrlist *);
void		 cidrlist_free(struct cidrlist *);
int		 cidrlist_match(const struct cidrlist *, const struct addr *);
int		 listfiles_add(struct listfiles *, const char *, size_t,
		    size_t);
void		 listfiles_free(struct listfiles *);
const struct listfile *listfiles_at(const struct listfiles *, size_t);
int		 rcpt_entry_parse(const char *, char *, size_t);
int		 rcpt_match(const struct namelist *, const char *);
void		 policy_dns_conf(const struct policy *, struct dns_conf *);

#endif
