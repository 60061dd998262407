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
 * The policy defaults and the configuration file: every directive, the
 * profiles, reply validation, and the FILE:LINE: errors an admin sees.
 */
#include "compat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "config.h"
#include "policy.h"
#include "tap.h"

#define OUT_MAX		8192
#define MAX_LINES	4
#define NUL_FILE	"check dns reject\ncheck d\0ns reject\nfrobnicate\n"

struct check_row {
	enum check	 check;
	const char	*action;
	const char	*reply;
};

struct line_row {
	const char	*line;
	const char	*field;
	const char	*want;
};

struct error_row {
	const char	*line;
	const char	*want;
};

struct reply_row {
	const char	*reply;
	const char	*why;		/* NULL: valid */
};

struct profile_row {
	const char	*lines[MAX_LINES];
	const char	*field;
	const char	*want;
};

struct file_row {
	const char	*text;
	size_t		 len;		/* 0: strlen(text) */
	int		 rc;
	const char	*want;		/* "FILE" stands for the path */
};

struct finish_row {
	const char	*lines[MAX_LINES];
	const char	*want;		/* "FILE" stands for the path */
};

struct match_row {
	const char	*name;
	int		 want;
};

static void	 test_defaults(void);
static void	 test_lines(void);
static void	 test_line_errors(void);
static void	 test_replies(void);
static void	 test_profiles(void);
static void	 test_files(void);
static void	 test_missing_file(void);
static void	 test_finish(void);
static void	 test_error_sink(void);
static void	 collect_error(const char *);
static void	 test_namelist(void);
static void	 test_cidrlist(void);
static void	 test_rcptlist(void);
static void	 test_print(void);
static void	 test_dbl_zones(void);
static void	 parse_lines(struct policy *, const char *const *, size_t);
static const char *field(const struct policy *, const char *);
static void	 join(char *, size_t, const struct namelist *);
static char	*write_file(const char *, size_t);
static int	 captured(int (*)(struct policy *, const char *),
		    struct policy *, const char *, char *, size_t);
static void	 expand(char *, size_t, const char *, const char *);
static void	 read_all(FILE *, char *, size_t);
static int	 has_line(const char *, const char *);
static const char *visible(const char *);

static const struct check_row defaults[] = {
	{ CHECK_SELF, "reject",
	    "550 5.7.1 <%h>: Helo command rejected: you are not me" },
	{ CHECK_RCPT_DOMAIN, "reject",
	    "550 5.7.1 <%h>: Helo command rejected: you are not %d" },
	{ CHECK_PROTECTED, "reject",
	    "550 5.7.1 <%h>: Helo command rejected: you are not %d" },
	{ CHECK_BLOCKLIST, "reject",
	    "550 5.7.1 <%h>: Helo command rejected: Access denied" },
	{ CHECK_DBL, "reject",
	    "554 5.7.1 Service unavailable; Helo command [%h] blocked using "
	    "%d" },
	{ CHECK_SYNTAX, "reject",
	    "501 5.5.2 <%h>: Helo command rejected: Invalid name" },
	{ CHECK_UNDERSCORE, "reject",
	    "501 5.5.2 <%h>: Helo command rejected: "
	    "Invalid name (underscore)" },
	{ CHECK_BARE_IP, "reject",
	    "501 5.5.2 <%h>: Helo command rejected: use an address literal "
	    "%l" },
	{ CHECK_NON_FQDN, "reject",
	    "504 5.5.2 <%h>: Helo command rejected: need fully-qualified "
	    "hostname" },
	{ CHECK_LITERAL, "junk",
	    "550 5.7.1 <%h>: Helo command rejected: address literal does not "
	    "match %i" },
	{ CHECK_SPECIAL_NAME, "tempfail",
	    "450 4.7.1 <%h>: Helo command rejected: not a public host name" },
	{ CHECK_DNS, "tempfail",
	    "450 4.7.1 <%h>: Helo command rejected: Host not found" },
	{ CHECK_DNS_ERROR, "tempfail",
	    "451 4.4.3 <%h>: Helo command rejected: temporary DNS failure, "
	    "try again later" },
	{ CHECK_FORWARD, "report",
	    "550 5.7.1 <%h>: Helo command rejected: "
	    "%h does not resolve to %i" },
	{ CHECK_RDNS, "report",
	    "450 4.7.25 Client host rejected: "
	    "cannot find your hostname, [%i]" },
	{ CHECK_RDNS_MATCH, "report",
	    "450 4.7.1 <%h>: Helo command rejected: does not match your "
	    "hostname %r" },
	{ CHECK_CNAME, "report",
	    "550 5.7.1 <%h>: Helo command rejected: is a CNAME" },
	{ CHECK_PRIVATE, "report",
	    "550 5.7.1 <%h>: Helo command rejected: resolves only to private "
	    "addresses" },
	{ CHECK_DYNAMIC, "report",
	    "550 5.7.1 <%h>: Helo command rejected: dynamic host, use your "
	    "provider's relay" },
	{ CHECK_CHANGED, "junk",
	    "550 5.7.1 <%h>: Helo command rejected: changed during session" },
	{ CHECK_ROTATION, "report",
	    "450 4.7.1 <%h>: Helo command rejected: too many HELO names from "
	    "[%i] (rotation=%d)" },
	{ CHECK_FORGED_BEFORE, "report",
	    "550 5.7.1 <%h>: Helo command rejected: [%i] forged a HELO name "
	    "before" },
	{ CHECK_SPF_HELO, "report",
	    "550 5.7.23 <%h>: Helo command rejected: %e" },
};

static const char *const check_names[CHECK_COUNT] = {
	"self", "rcpt-domain", "protected", "blocklist", "dbl", "syntax",
	"underscore", "bare-ip", "non-fqdn", "literal", "special-name", "dns",
	"dns-error", "spf-helo", "rdns", "rdns-match", "forward", "cname",
	"private", "dynamic", "changed", "rotation", "forged-before",
};

/* One line on a default policy, then one value of the result. */
static const struct line_row lines[] = {
	{ "", "phase", "rcpt-to" },
	{ "   # a comment only", "phase", "rcpt-to" },
	{ "resolver 127.0.0.1@5353", "resolvers", "127.0.0.1@5353" },
	{ "resolver ::1", "resolvers", "::1" },
	{ "resolver 2001:db8::53@53", "resolvers", "2001:db8::53@53" },
	{ "dns-timeout 1", "dns-timeout", "1" },
	{ "", "rotation-limit", "5" },
	{ "", "rotation-window", "86400" },
	{ "", "forged-window", "86400" },
	{ "rotation-limit 1", "rotation-limit", "1" },
	{ "rotation-limit 20", "rotation-limit", "20" },
	{ "rotation-window 90", "rotation-window", "90" },
	{ "rotation-window 45s", "rotation-window", "45" },
	{ "rotation-window 30m", "rotation-window", "1800" },
	{ "rotation-window 12h", "rotation-window", "43200" },
	{ "forged-window 7d", "forged-window", "604800" },
	{ "forged-window 30d", "forged-window", "2592000" },
	{ "", "spf-helo", "all" },
	{ "spf-helo null-sender", "spf-helo", "null-sender" },
	{ "spf-helo all", "spf-helo", "all" },
	{ "check spf-helo reject", "action:spf-helo", "reject" },
	{ "dns-timeout 50", "dns-timeout", "50" },
	{ "verdict-phase helo", "phase", "helo" },
	{ "verdict-phase mail-from", "phase", "mail-from" },
	{ "verdict-phase rcpt-to", "phase", "rcpt-to" },
	{ "check rdns-match tempfail", "action:rdns-match", "tempfail" },
	{ "check forward tempfail", "reply:forward",
	    "450 4.7.1 <%h>: Helo command rejected: "
	    "%h does not resolve to %i" },
	{ "check rdns reject", "reply:rdns",
	    "550 5.7.25 Client host rejected: cannot find your hostname, "
	    "[%i]" },
	{ "check dns disconnect", "reply:dns",
	    "550 5.7.1 <%h>: Helo command rejected: Host not found" },
	{ "check dns report", "reply:dns",
	    "450 4.7.1 <%h>: Helo command rejected: Host not found" },
	{ "check literal pass", "action:literal", "pass" },
	{ "check changed junk", "action:changed", "junk" },
	{ "message cname \"451 4.7.1 <%h>: \\\"%c\\\" 100%%\"", "reply:cname",
	    "451 4.7.1 <%h>: \"%c\" 100%%" },
	{ "message dns \"450 4.7.1 a # is text\" # a comment",
	    "reply:dns", "450 4.7.1 a # is text" },
	{ "message dns \"450 4.7.1 back\\\\slash\"", "reply:dns",
	    "450 4.7.1 back\\slash" },
	{ "rdns-match exact", "rdns-match", "exact" },
	{ "rdns-match domain", "rdns-match", "domain" },
	{ "local-name MX.Example.ORG.", "local-names", "mx.example.org" },
	{ "local-name b\xc3\xbc" "cher.example", "local-names",
	    "xn--bcher-kva.example" },
	{ "local-domain Example.org", "local-domains", "example.org" },
	{ "pass client 192.0.2.0/24", "pass-client", "192.0.2.0/24" },
	{ "pass client 2001:db8::/32", "pass-client", "2001:db8::/32" },
	{ "pass client 192.0.2.7", "pass-client", "192.0.2.7/32" },
	{ "pass helo .Example.NET.", "pass-helo", ".example.net" },
	{ "pass helo mail_1.example.com", "pass-helo",
	    "mail_1.example.com" },
	{ "pass rdns mail.example.com", "pass-rdns", "mail.example.com" },
	{ "pass rcpt postmaster@", "pass-rcpt", "postmaster@" },
	{ "pass rcpt Abuse@Example.COM.", "pass-rcpt", "abuse@example.com" },
	{ "pass rcpt @Example.ORG", "pass-rcpt", "@example.org" },
	{ "pass rcpt <hostmaster@x.example>", "pass-rcpt",
	    "hostmaster@x.example" },
	{ "block helo yahoo.com", "block-helo", "yahoo.com" },
	{ "block helo .yahoo.com", "block-helo", ".yahoo.com" },
	{ "explain-url https://example.org/helo.html", "explain-url",
	    "https://example.org/helo.html" },
	{ "explain-url http://example.org/", "explain-url",
	    "http://example.org/" },
	{ "dnssec no", "dnssec", "no" },
	{ "dnssec yes", "dnssec", "yes" },
	{ "dnssec any", "dnssec", "any" },
	{ "dbl dbl.spamhaus.org", "dbl", "dbl.spamhaus.org:127.0.1.0/24" },
	{ "dbl DBL.Example.ORG. 127.0.1.2 127.0.1.4/31", "dbl",
	    "dbl.example.org:127.0.1.2/32,127.0.1.4/31" },
	{ "dbl dbl.test 127.0.0.0/8", "dbl", "dbl.test:127.0.0.0/8" },
	{ "dry-run yes", "dry-run", "yes" },
	{ "dry-run no", "dry-run", "no" },
	{ "stats-file /var/lib/node_exporter/filter-helo.prom", "stats-file",
	    "/var/lib/node_exporter/filter-helo.prom" },
	{ "stats-file \"/var/lib/a b.prom\"", "stats-file",
	    "/var/lib/a b.prom" },
	{ "stats-interval 1", "stats-interval", "1" },
	{ "stats-interval 3600", "stats-interval", "3600" },
	{ "add-header yes", "add-header", "yes" },
	{ "add-header no", "add-header", "no" },
	{ "\tcheck  dns\treject   # blanks", "action:dns", "reject" },
	{ "check dns reject#comment", "action:dns", "reject" },
	{ "check \"dns\" \"reject\"", "action:dns", "reject" },
	{ "check dns reject\r", "action:dns", "reject" },
	{ "profile strict", "action:forward", "tempfail" },
	{ "profile default", "action:forward", "report" },
	{ "protect BigMail.Test. bigmail-mx.test alias Outbound.MailHost.test",
	    "protect", "bigmail.test bigmail-mx.test alias "
	    "outbound.mailhost.test" },
	{ "protect bigmail.test", "protect", "bigmail.test" },
	{ "protect b\xc3\xbc" "cher.example", "protect",
	    "xn--bcher-kva.example" },
	{ "protect a.test b.test c.test alias d.test e.test", "protect",
	    "a.test b.test c.test alias d.test e.test" },
};

static const struct error_row line_errors[] = {
	{ "frobnicate", "unknown directive \"frobnicate\"" },
	{ "Check dns reject", "unknown directive \"Check\"" },
	{ "check rdns_match tempfail", "unknown check \"rdns_match\"" },
	{ "check rdns deny", "unknown action \"deny\": use pass, report, "
	    "junk, tempfail, reject or disconnect" },
	{ "check rdns", "check needs NAME and ACTION" },
	{ "check rdns reject now", "check needs NAME and ACTION" },
	{ "check a b c d e f g", "check needs NAME and ACTION" },
	{ "message forward", "message needs NAME and \"REPLY\"" },
	{ "message forward 450 4.7.1 x", "message needs NAME and \"REPLY\"" },
	{ "message forwrd \"450 4.7.1 x\"", "unknown check \"forwrd\"" },
	{ "message forward \"250 ok\"",
	    "message forward: reply code must be 4xx or 5xx" },
	{ "message dns \"450 4.7.1 x", "unterminated quoted string" },
	{ "message dns \"450 \\n\"",
	    "only \\\" and \\\\ may follow \\ in quotes" },
	{ "check \"dns\"x reject", "text after a closing quote" },
	{ "check d\"ns reject", "quote inside a word" },
	{ "resolver", "resolver needs ADDR[@PORT]" },
	{ "resolver dns.example", "invalid resolver address \"dns.example\"" },
	{ "resolver 127.0.0.1@65536", "resolver port \"65536\" is too large" },
	{ "resolver 127.0.0.1@0", "resolver port \"0\" is too small" },
	{ "resolver 127.0.0.1@", "resolver port \"\" is invalid" },
	{ "rotation-limit 0", "rotation-limit \"0\" is too small: use 1 to "
	    "20 distinct names" },
	{ "rotation-limit 21", "rotation-limit \"21\" is too large: use 1 to "
	    "20 distinct names" },
	{ "rotation-window 0", "rotation-window \"0\" is invalid: use 1s to "
	    "30d, with s, m, h or d" },
	{ "rotation-window 1w", "rotation-window \"1w\" is invalid: use 1s to "
	    "30d, with s, m, h or d" },
	{ "forged-window 31d", "forged-window \"31d\" is invalid: use 1s to "
	    "30d, with s, m, h or d" },
	{ "forged-window -1d", "forged-window \"-1d\" is invalid: use 1s to "
	    "30d, with s, m, h or d" },
	{ "rotation-window", "rotation-window needs TIME" },
	{ "dns-timeout 0", "dns-timeout \"0\" is too small: use 1 to 50 "
	    "seconds, well below Exim's 60 s limit" },
	{ "dns-timeout 51", "dns-timeout \"51\" is too large: use 1 to 50 "
	    "seconds, well below Exim's 60 s limit" },
	{ "dns-timeout 8s", "dns-timeout \"8s\" is invalid: use 1 to 50 "
	    "seconds, well below Exim's 60 s limit" },
	{ "dns-timeout", "dns-timeout needs SECONDS" },
	{ "verdict-phase data", "unknown verdict-phase \"data\": use helo, "
	    "mail-from or rcpt-to" },
	{ "verdict-phase", "verdict-phase needs helo, mail-from or rcpt-to" },
	{ "rdns-match loose", "unknown rdns-match \"loose\": use exact or "
	    "domain" },
	{ "rdns-match", "rdns-match needs exact or domain" },
	{ "local-name -bad-.example", "invalid name \"-bad-.example\": "
	    "label starts or ends with hyphen" },
	{ "local-name .example.org", "invalid name \".example.org\": "
	    "empty label" },
	{ "local-domain 192.0.2.1", "invalid name \"192.0.2.1\": "
	    "an address, not a name" },
	{ "pass helo .", "invalid name \".\": empty" },
	{ "pass helo ..example", "invalid name \"..example\": empty label" },
	{ "block helo a..example", "invalid name \"a..example\": "
	    "empty label" },
	{ "pass client 192.0.2.0/33",
	    "invalid address or network \"192.0.2.0/33\"" },
	{ "pass client example.org",
	    "invalid address or network \"example.org\"" },
	{ "pass sender x.example", "unknown pass \"sender\": use client, "
	    "helo, rdns or rcpt" },
	{ "pass helo", "pass needs client, helo, rdns or rcpt and a value" },
	{ "pass rcpt postmaster", "invalid recipient \"postmaster\": use "
	    "ADDRESS, @DOMAIN or LOCALPART@" },
	{ "pass rcpt @", "invalid recipient \"@\": use ADDRESS, @DOMAIN or "
	    "LOCALPART@" },
	{ "pass rcpt bob@a..example", "invalid recipient \"bob@a..example\": "
	    "use ADDRESS, @DOMAIN or LOCALPART@" },
	{ "block rdns x.example", "unknown block \"rdns\": use helo" },
	{ "block helo", "block needs helo and a value" },
	{ "pass helo /", "invalid pattern \"/\": a pattern is /REGEX/" },
	{ "pass helo //", "invalid pattern \"//\": a pattern is /REGEX/" },
	{ "pass helo a.example b.example", "\"a.example b.example\": one "
	    "value, or file PATH" },
	{ "pass client file clients", "file \"clients\" is not an absolute "
	    "path" },
	{ "pass helo file /nonexistent/names", "file /nonexistent/names: No "
	    "such file or directory" },
	{ "protect file relative", "file \"relative\" is not an absolute "
	    "path" },
	{ "except", "except needs CHECK, client, helo, rdns or rcpt, and a "
	    "value or file PATH" },
	{ "except literal client", "except needs CHECK, client, helo, rdns "
	    "or rcpt, and a value or file PATH" },
	{ "except nothing client 192.0.2.1", "unknown check \"nothing\"" },
	{ "except literal sender x", "unknown except kind \"sender\": use "
	    "client, helo, rdns or rcpt" },
	{ "except literal client example.org",
	    "invalid address or network \"example.org\"" },
	{ "except dynamic rdns ..example", "invalid name \"..example\": "
	    "empty label" },
	{ "explain-url ftp://example.org/",
	    "explain-url must start with http:// or https://" },
	{ "explain-url \"https://example.org/a b\"",
	    "explain-url may hold only printable ASCII without blanks, '#', "
	    "'%', '\"' or '\\'" },
	{ "explain-url https://example.org/%41",
	    "explain-url may hold only printable ASCII without blanks, '#', "
	    "'%', '\"' or '\\'" },
	{ "profile paranoid",
	    "unknown profile \"paranoid\": use default or strict" },
	{ "profile", "profile needs default or strict" },
	{ "protect", "protect needs DOMAIN [DOMAIN ...] [alias DOMAIN ...] "
	    "or file PATH" },
	{ "protect alias x.test", "protect needs a DOMAIN before alias" },
	{ "protect a.test alias", "protect: alias needs a DOMAIN after it" },
	{ "protect a.test alias b.test alias c.test",
	    "protect: alias given twice" },
	{ "protect com", "protect: \"com\" is a public suffix, not a domain "
	    "of its own" },
	{ "protect example.co.uk co.uk", "protect: \"co.uk\" is a public "
	    "suffix, not a domain of its own" },
	{ "protect a.test alias test", "protect: \"test\" is a public "
	    "suffix, not a domain of its own" },
	{ "protect 192.0.2.1", "invalid name \"192.0.2.1\": an address, "
	    "not a name" },
	{ "protect .bigmail.test", "invalid name \".bigmail.test\": "
	    "empty label" },
	{ "protect a b c d e f g h i j k l m n o p q r s t u v w x y z "
	    "a1 a2 a3 a4 a5 a6 a7",
	    "protect needs DOMAIN [DOMAIN ...] [alias DOMAIN ...] or file "
	    "PATH" },
	{ "dbl", "dbl needs ZONE and at most 16 CODEs" },
	{ "dbl dbl.test 127.0.1.1 127.0.1.2 127.0.1.3 127.0.1.4 127.0.1.5 "
	    "127.0.1.6 127.0.1.7 127.0.1.8 127.0.1.9 127.0.1.10 127.0.1.11 "
	    "127.0.1.12 127.0.1.13 127.0.1.14 127.0.1.15 127.0.1.16 "
	    "127.0.1.17", "dbl needs ZONE and at most 16 CODEs" },
	{ "dbl dbl.test 192.0.2.1", "invalid dbl code \"192.0.2.1\": use an "
	    "address or network inside 127.0.0.0/8" },
	{ "dbl dbl.test 127.0.0.0/7", "invalid dbl code \"127.0.0.0/7\": use "
	    "an address or network inside 127.0.0.0/8" },
	{ "dbl dbl.test ::1", "invalid dbl code \"::1\": use an address or "
	    "network inside 127.0.0.0/8" },
	{ "dbl dbl.test 127.0.1.2/33", "invalid dbl code \"127.0.1.2/33\": "
	    "use an address or network inside 127.0.0.0/8" },
	{ "dbl a..test", "invalid name \"a..test\": empty label" },
	{ "dbl 127.0.0.2", "invalid name \"127.0.0.2\": an address, not a "
	    "name" },
	{ "dry-run maybe", "unknown dry-run \"maybe\": use yes or no" },
	{ "dry-run", "dry-run needs yes or no" },
	{ "dry-run yes please", "dry-run needs yes or no" },
	{ "spf-helo bounces", "unknown spf-helo \"bounces\": use all or "
	    "null-sender" },
	{ "spf-helo", "spf-helo needs all or null-sender" },
	{ "message spf-helo \"550 5.7.23 %e\"", "message spf-helo: reply "
	    "needs text after its codes that no escape can empty" },
	{ "dnssec-trust-anchor /var/lib/unbound/root.key",
	    "dnssec-trust-anchor is gone: validate in the site's resolver and "
	    "use \"dnssec yes\"" },
	{ "dnssec-trust-anchor", "dnssec-trust-anchor is gone: validate in "
	    "the site's resolver and use \"dnssec yes\"" },
	{ "dnssec maybe", "unknown dnssec \"maybe\": use no, yes or any" },
	{ "dnssec", "dnssec needs no, yes or any" },
	{ "dnssec yes please", "dnssec needs no, yes or any" },
	{ "dnssec on", "unknown dnssec \"on\": use no, yes or any" },
	{ "dnssec YES", "unknown dnssec \"YES\": use no, yes or any" },
	{ "stats-file", "stats-file needs PATH" },
	{ "stats-file filter-helo.prom",
	    "stats-file \"filter-helo.prom\" is not an absolute path" },
	{ "stats-interval", "stats-interval needs SECONDS" },
	{ "stats-interval 0",
	    "stats-interval \"0\" is too small: use 1 to 3600 seconds" },
	{ "stats-interval 3601",
	    "stats-interval \"3601\" is too large: use 1 to 3600 seconds" },
	{ "stats-interval 1m",
	    "stats-interval \"1m\" is invalid: use 1 to 3600 seconds" },
	{ "add-header on", "unknown add-header \"on\": use yes or no" },
	{ "add-header", "add-header needs yes or no" },
	{ "add-header yes please", "add-header needs yes or no" },
};

static const struct reply_row replies[] = {
	{ "450 4.7.1 <%h>: try again later", NULL },
	{ "550 5.7.1 %h %i %r %d %c 100%%", NULL },
	{ "554 no enhanced status code", NULL },
	{ "550", "reply code must be followed by a space and text" },
	{ "550 ", "reply code must be followed by a space and text" },
	{ "550-x", "reply code must be followed by a space and text" },
	{ "250 ok", "reply code must be 4xx or 5xx" },
	{ "650 nope", "reply code must be 4xx or 5xx" },
	{ "421 bye", "reply code 421 makes smtpd close the session; use the "
	    "disconnect action instead" },
	{ "5xx x", "reply must start with a three-digit code" },
	{ "55 x", "reply must start with a three-digit code" },
	{ "", "reply must start with a three-digit code" },
	{ "450 5.7.1 mixed", "enhanced status code does not match the reply "
	    "code" },
	{ "550 bad\001char", "reply contains a control or non-ASCII "
	    "character" },
	{ "550 two\r\n550 lines", "reply contains a control or non-ASCII "
	    "character" },
	{ "550 caf\xc3\xa9", "reply contains a control or non-ASCII "
	    "character" },
	{ "550 50%off", "unknown escape %o (known: %h %i %l %r %d %c %e %%)" },
	{ "501 5.5.2 <%l>: need text", NULL },
	{ "501 %%", NULL },
	{ "501 x%d", NULL },
	{ "501 5.2.1 x%d", NULL },
	{ "501 5.2.1x%d", "reply needs text after its codes that no escape "
	    "can empty" },
	/* what could expand to "501 " or "501 5.5.2 ": smtpd's 421 */
	{ "501 %d", "reply needs text after its codes that no escape can "
	    "empty" },
	{ "501 %h %d ", "reply needs text after its codes that no escape "
	    "can empty" },
	{ "501 5.5.2 %h", "reply needs text after its codes that no escape "
	    "can empty" },
	/* "5.7%d" may expand to a status code, "5.750 ", and nothing after */
	{ "550 5.7%d", "reply needs text after its codes that no escape "
	    "can empty" },
	{ "550 100 reasons", NULL },
	{ "550 42", "reply needs text after its codes that no escape can "
	    "empty" },
	/* an rDNS name "2." makes "504 2.2.1 ": codes and no text */
	{ "504 %r%r1 ", "reply needs text after its codes that no escape "
	    "can empty" },
	{ "550  5.7.1 ", "reply needs text after its codes that no escape "
	    "can empty" },
	/* RFC 3463 reads the first word as a code: "550 4.7.1 rejected" */
	{ "550 %h rejected", "escape %h could make the text's first word a "
	    "status code" },
	{ "550 %i is not welcome", "escape %i could make the text's first "
	    "word a status code" },
	{ "550 %r: rejected", "escape %r could make the text's first word "
	    "a status code" },
	{ "550 %d%c rejected", "escape %d could make the text's first word "
	    "a status code" },
	{ "550 5.7%d rejected", "escape %d could make the text's first word "
	    "a status code" },
	{ "550 5.7.1%h rejected", "escape %h could make the text's first "
	    "word a status code" },
	{ "550   %h rejected", "escape %h could make the text's first word "
	    "a status code" },
	/* a word of the template's own first, or a value never a code */
	{ "550 <%h>: rejected", NULL },
	{ "550 HELO %h rejected", NULL },
	{ "550 x%h rejected", NULL },
	{ "550 %%%h rejected", NULL },
	{ "550 %c: %h rejected", NULL },
	{ "550 %l is not welcome", NULL },
	{ "550 5.7.1 %h rejected", NULL },
	{ "550 5.7.1%c rejected", NULL },
	{ "550 ends in %", "reply ends in a lone %" },
};

static const struct profile_row profiles[] = {
	{ { "profile strict" }, "rdns-match", "exact" },
	{ { "profile strict" }, "action:rdns-match", "tempfail" },
	{ { "profile strict" }, "reply:rdns-match", "450 4.7.1 <%h>: Helo "
	    "command rejected: does not match your hostname %r" },
	{ { "profile strict" }, "action:rdns", "tempfail" },
	{ { "profile strict" }, "reply:rdns", "450 4.7.25 Client host "
	    "rejected: cannot find your hostname, [%i]" },
	{ { "profile strict" }, "action:forward", "tempfail" },
	{ { "profile strict" }, "reply:forward", "450 4.7.1 <%h>: Helo "
	    "command rejected: %h does not resolve to %i" },
	{ { "profile strict" }, "action:cname", "report" },
	{ { "profile strict" }, "action:literal", "reject" },
	{ { "profile strict" }, "reply:literal", "550 5.7.1 <%h>: Helo "
	    "command rejected: address literal does not match %i" },
	{ { "profile strict" }, "action:dns", "tempfail" },
	{ { "profile strict" }, "action:dynamic", "report" },
	{ { "profile strict", "check forward report" }, "action:forward",
	    "report" },
	{ { "profile strict", "check forward report" }, "reply:forward",
	    "550 5.7.1 <%h>: Helo command rejected: %h does not resolve to "
	    "%i" },
	{ { "profile strict", "rdns-match domain" }, "rdns-match", "domain" },
	/* A profile sets the replies too, whatever came before it... */
	{ { "message rdns \"451 4.7.25 who are you\"", "profile strict" },
	    "reply:rdns", "450 4.7.25 Client host rejected: cannot find your "
	    "hostname, [%i]" },
	{ { "check dynamic reject", "profile strict" },
	    "action:dynamic", "report" },
	/* ...and what comes after it overrides it. */
	{ { "profile strict", "message rdns \"451 4.7.25 who are you\"" },
	    "reply:rdns", "451 4.7.25 who are you" },
	{ { "profile strict", "message rdns \"451 4.7.25 who are you\"" },
	    "action:rdns", "tempfail" },
	{ { "profile strict", "local-name mx.example.org", "profile default" },
	    "action:forward", "report" },
	{ { "profile strict", "local-name mx.example.org", "profile default" },
	    "action:literal", "junk" },
	{ { "profile strict", "local-name mx.example.org", "profile default" },
	    "rdns-match", "domain" },
	{ { "profile strict", "local-name mx.example.org", "profile default" },
	    "local-names", "mx.example.org" },
	{ { "dns-timeout 3", "profile strict", "profile default" },
	    "dns-timeout", "3" },
	{ { "message dns \"451 4.7.1 hold on\"", "profile default" },
	    "reply:dns", "450 4.7.1 <%h>: Helo command rejected: Host not "
	    "found" },
};

static const struct file_row files[] = {
	{ "# filter-helo\n\ncheck rdns_match tempfail\n", 0, -1,
	    "FILE:3: unknown check \"rdns_match\"\n" },
	{ "dns-timeout 8\ndns-timeout 51\nverdict-phase data\n", 0, -1,
	    "FILE:2: dns-timeout \"51\" is too large: use 1 to 50 seconds, "
	    "well below Exim's 60 s limit\n"
	    "FILE:3: unknown verdict-phase \"data\": use helo, mail-from or "
	    "rcpt-to\n" },
	{ "profile strict\n\n\n\ncheck forward\n", 0, -1,
	    "FILE:5: check needs NAME and ACTION\n" },
	{ "message dns \"450 4.7.1 unterminated\n", 0, -1,
	    "FILE:1: unterminated quoted string\n" },
	{ "  resolver 127.0.0.1@0   # local\n", 0, -1,
	    "FILE:1: resolver port \"0\" is too small\n" },
	{ "check dns reject\ndns-timeout 0", 0, -1,
	    "FILE:2: dns-timeout \"0\" is too small: use 1 to 50 seconds, "
	    "well below Exim's 60 s limit\n" },
	{ NUL_FILE, sizeof(NUL_FILE) - 1, -1,
	    "FILE:2: line contains a NUL byte\n"
	    "FILE:3: unknown directive \"frobnicate\"\n" },
	{ "check dns reject\r\n# fine\r\nprofile strict\r\n", 0, 0, "" },
	{ "", 0, 0, "" },
};

static const struct finish_row finishes[] = {
	{ { NULL }, "" },
	/* every escape at REPLY_VALUE_MAX: 11 + 15 * 64 > 510 */
	{ { "message syntax \"501 5.5.2 x%h%h%h%h%h%h%h%h%h%h%h%h%h%h%h\"" },
	    "FILE: message syntax can grow to 971 characters with its "
	    "escapes, over the 510 of an SMTP reply line\n" },
	{ { "message syntax \"501 5.5.2 x%h%h%h%h%h%h%h\"" }, "" },
	{ { "message syntax \"501 5.5.2 x%h%h%h%h%h%h%h\"",
	    "explain-url https://example.org/a-rather-long-path/for-the-page-"
	    "that-explains/every-check-of-the-filter/in-detail.html" },
	    "FILE: message syntax can grow to 578 characters with its "
	    "escapes and explain-url, over the 510 of an SMTP reply line\n" },
	{ { "profile strict", "check dns-error tempfail" }, "" },
	{ { "message forward \"451 4.7.1 later\"", "check forward reject" },
	    "FILE: check forward reject but its message is 4xx\n" },
	{ { "check forward tempfail", "message forward \"550 5.7.1 no\"" },
	    "FILE: check forward tempfail but its message is 5xx\n" },
	{ { "message self \"450 4.7.1 busy\"", "check self disconnect" },
	    "FILE: check self disconnect but its message is 4xx\n" },
	{ { "message dns \"550 5.7.1 no such host\"" },
	    "FILE: check dns tempfail but its message is 5xx\n" },
	{ { "message dns \"550 5.7.1 no such host\"", "check dns report" },
	    "" },
	{ { "check dns-error reject" },
	    "FILE: check dns-error reject: DNS failure is never a permanent "
	    "refusal\n" },
	{ { "check dns-error disconnect" },
	    "FILE: check dns-error disconnect: DNS failure is never a "
	    "permanent refusal\n" },
	{ { "check dns-error report", "message dns-error \"554 5.4.3 x\"" },
	    "FILE: message dns-error is 5xx: DNS failure is never a permanent "
	    "refusal\n" },
	{ { "check dns-error junk" }, "" },
	{ { "pass rcpt postmaster@" }, "" },
	{ { "verdict-phase helo", "pass rcpt postmaster@" },
	    "FILE: pass rcpt needs verdict-phase rcpt-to: a verdict given "
	    "before RCPT TO spares no recipient\n" },
	{ { "spf-helo null-sender", "verdict-phase mail-from" }, "" },
	{ { "spf-helo null-sender", "verdict-phase helo" },
	    "FILE: spf-helo null-sender needs verdict-phase mail-from or "
	    "rcpt-to: a verdict given at HELO cannot know whether the mail "
	    "is a bounce\n" },

	{ { "message dns \"550 5.7.1 a\"", "check dns-error reject" },
	    "FILE: check dns tempfail but its message is 5xx\n"
	    "FILE: check dns-error reject: DNS failure is never a permanent "
	    "refusal\n" },
};

static const struct match_row name_matches[] = {
	{ "mail.example.com", 1 },
	{ "MAIL.Example.COM.", 1 },
	{ "x.mail.example.com", 0 },
	{ "example.com", 0 },
	{ "a.example.net", 1 },
	{ "b.a.example.net", 1 },
	{ "A.EXAMPLE.NET.", 1 },
	{ "example.net", 0 },
	{ "example.net.", 0 },
	{ "badexample.net", 0 },
	{ "example.net.evil.example", 0 },
	{ "", 0 },
};

/* Against "pass rcpt" postmaster@, @partner.example, bob@regress.test. */
static const struct match_row rcpt_matches[] = {
	{ "postmaster@regress.test", 1 },
	{ "PostMaster@Other.Example", 1 },
	{ "<postmaster@regress.test>", 1 },
	{ "Postmaster", 1 },
	{ "postmaster.x@regress.test", 0 },
	{ "xpostmaster@regress.test", 0 },
	{ "anyone@partner.example", 1 },
	{ "anyone@Partner.Example.", 1 },
	{ "anyone@sub.partner.example", 0 },
	{ "anyone@partner.example.org", 0 },
	{ "bob@regress.test", 1 },
	{ "bob@other.test", 0 },
	{ "alice@regress.test", 0 },
	{ "\"x@partner.example\"@regress.test", 0 },
	{ "", 0 },
	{ "@", 0 },
};

static const struct match_row cidr_matches[] = {
	{ "192.0.2.77", 1 },
	{ "192.0.2.0", 1 },
	{ "192.0.3.1", 0 },
	{ "::ffff:192.0.2.1", 1 },
	{ "198.51.100.9", 1 },
	{ "198.51.100.10", 0 },
	{ "2001:db8::1", 1 },
	{ "2001:db8:ffff::1", 1 },
	{ "2001:db9::1", 0 },
};

int
main(void)
{
	plan(861);
	test_defaults();
	test_lines();
	test_line_errors();
	test_replies();
	test_profiles();
	test_files();
	test_missing_file();
	test_finish();
	test_error_sink();
	test_namelist();
	test_cidrlist();
	test_rcptlist();
	test_print();
	test_dbl_zones();
	return done_testing();
}

static void
test_defaults(void)
{
	struct policy	 p;
	enum check	 c;
	enum action	 a, got;
	size_t		 i;

	policy_init(&p);
	is_str(field(&p, "dry-run"), "no", "dry-run defaults to no");
	is_int(nitems(defaults), CHECK_COUNT, "a default for every check");
	for (i = 0; i < nitems(defaults); i++) {
		c = defaults[i].check;
		is_str(check_name(c), check_names[c], "check %d is named %s",
		    c, check_names[c]);
		ok(check_lookup(check_names[c], &c) == 0 &&
		    c == defaults[i].check, "check_lookup %s", check_names[c]);
		is_str(action_name(p.rules[c].action), defaults[i].action,
		    "%s defaults to %s", check_names[c], defaults[i].action);
		is_str(p.rules[c].reply, defaults[i].reply,
		    "%s default reply", check_names[c]);
		ok(!p.rules[c].reply_set, "%s reply is not from a message",
		    check_names[c]);
	}
	ok(check_lookup("rdns_match", &c) == -1, "check_lookup unknown");
	ok(check_lookup("", &c) == -1, "check_lookup empty");
	for (a = ACT_PASS; a < ACT_COUNT; a++)
		ok(action_lookup(action_name(a), &got) == 0 && got == a,
		    "action_lookup %s", action_name(a));
	ok(action_lookup("deny", &a) == -1, "action_lookup unknown");
	ok(ACT_PASS < ACT_REPORT && ACT_REPORT < ACT_JUNK &&
	    ACT_JUNK < ACT_TEMPFAIL && ACT_TEMPFAIL < ACT_REJECT &&
	    ACT_REJECT < ACT_DISCONNECT, "actions weakest first");
	is_str(phase_name(PHASE_MAIL_FROM), "mail-from", "phase name");
	is_str(field(&p, "phase"), "rcpt-to", "default verdict-phase");
	is_str(field(&p, "dns-timeout"), "8", "default dns-timeout");
	is_str(field(&p, "rdns-match"), "domain", "default rdns-match");
	is_str(field(&p, "add-header"), "no", "default add-header");
	ok(p.resolvers.n == 0 && p.local_names.n == 0 &&
	    p.local_domains.n == 0 && p.pass_helo.n == 0 &&
	    p.pass_rdns.n == 0 && p.block_helo.n == 0 &&
	    p.pass_client.n == 0, "default lists are empty");
	ok(p.explain_url == NULL, "no explain-url by default");
	is_str(field(&p, "dnssec"), "no", "dnssec defaults to no");
	is_int(p.protect.n, 4, "four built-in protected organisations");
	is_str(field(&p, "protect"), "icloud.com me.com mac.com alias "
	    "apple.com", "the last built-in one");
	is_str(field(&p, "stats-file"), "(null)", "no stats-file by default");
	is_str(field(&p, "stats-interval"), "60", "default stats-interval");
	is_int(config_finish(&p, "defaults"), 0, "defaults pass finish");
	policy_free(&p);
}

static void
test_lines(void)
{
	struct policy	 p;
	char		 buf[1024];
	const char	*errstr;
	size_t		 i;
	int		 rc;

	for (i = 0; i < nitems(lines); i++) {
		policy_init(&p);
		strlcpy(buf, lines[i].line, sizeof(buf));
		errstr = NULL;
		rc = config_parse_line(&p, buf, &errstr);
		if (!is_int(rc, 0, "parses: %s", visible(lines[i].line)))
			diag("error: %s", errstr ? errstr : "(none)");
		is_str(field(&p, lines[i].field), lines[i].want, "%s: %s",
		    visible(lines[i].line), lines[i].field);
		policy_free(&p);
	}

	/* Repeatable directives keep every entry, in order. */
	{
		static const char *const two[] = {
			"resolver 192.0.2.53", "resolver 192.0.2.54@5353",
			"pass client 192.0.2.0/24", "pass client 10.0.0.0/8",
		};

		policy_init(&p);
		parse_lines(&p, two, nitems(two));
		is_str(field(&p, "resolvers"), "192.0.2.53 192.0.2.54@5353",
		    "two resolvers");
		is_str(field(&p, "pass-client"), "192.0.2.0/24 10.0.0.0/8",
		    "two client networks");
		policy_free(&p);
	}
}

static void
test_line_errors(void)
{
	struct policy	 p;
	char		 buf[1024];
	const char	*errstr;
	size_t		 i;

	for (i = 0; i < nitems(line_errors); i++) {
		policy_init(&p);
		strlcpy(buf, line_errors[i].line, sizeof(buf));
		errstr = NULL;
		is_int(config_parse_line(&p, buf, &errstr), -1, "refused: %s",
		    line_errors[i].line);
		is_str(errstr, line_errors[i].want, "error for: %s",
		    line_errors[i].line);
		policy_free(&p);
	}
}

static void
test_replies(void)
{
	struct policy	 p;
	char		 line[1024];
	const char	*why;
	size_t		 i;
	int		 valid;

	for (i = 0; i < nitems(replies); i++) {
		why = NULL;
		valid = reply_valid(replies[i].reply, &why);
		is_int(valid, replies[i].why == NULL, "reply_valid \"%s\"",
		    visible(replies[i].reply));
		if (replies[i].why != NULL)
			is_str(why, replies[i].why, "why \"%s\" is refused",
			    visible(replies[i].reply));
	}

	/* Room is left for the expansions. */
	memset(line, 'x', sizeof(line));
	memcpy(line, "550 ", 4);
	line[REPLY_MAX / 2 - 1] = '\0';
	ok(reply_valid(line, &why), "reply of %d characters",
	    REPLY_MAX / 2 - 1);
	line[REPLY_MAX / 2 - 1] = 'x';
	line[REPLY_MAX / 2] = '\0';
	ok(!reply_valid(line, &why), "reply of %d characters", REPLY_MAX / 2);
	is_str(why, "reply longer than 255 characters", "why it is refused");

	/* Every default reply and every adapted one is valid. */
	policy_init(&p);
	for (i = 0; i < CHECK_COUNT; i++) {
		ok(reply_valid(p.rules[i].reply, &why), "default reply of %s "
		    "is valid", check_name(i));
		policy_set_action(&p, i, ACT_TEMPFAIL);
		ok(reply_valid(p.rules[i].reply, &why) &&
		    p.rules[i].reply[0] == '4', "tempfail reply of %s is a "
		    "valid 4xx", check_name(i));
		policy_set_action(&p, i, ACT_REJECT);
		ok(reply_valid(p.rules[i].reply, &why) &&
		    p.rules[i].reply[0] == '5', "reject reply of %s is a "
		    "valid 5xx", check_name(i));
	}
	policy_free(&p);
}

static void
test_profiles(void)
{
	struct policy	p;
	size_t		i, n;

	for (i = 0; i < nitems(profiles); i++) {
		for (n = 0; n < MAX_LINES && profiles[i].lines[n] != NULL; n++)
			;
		policy_init(&p);
		parse_lines(&p, profiles[i].lines, n);
		is_str(field(&p, profiles[i].field), profiles[i].want,
		    "%s after %s%s", profiles[i].field, profiles[i].lines[0],
		    n > 1 ? ", ..." : "");
		policy_free(&p);
	}
	policy_init(&p);
	policy_strict(&p);
	is_str(field(&p, "action:forward"), "tempfail", "policy_strict");
	is_int(config_finish(&p, "strict"), 0, "profile strict passes finish");
	policy_free(&p);
}

static void
test_files(void)
{
	struct policy	 p;
	char		 got[OUT_MAX], want[OUT_MAX];
	char		*path;
	size_t		 i, len;

	for (i = 0; i < nitems(files); i++) {
		len = files[i].len ? files[i].len : strlen(files[i].text);
		path = write_file(files[i].text, len);
		policy_init(&p);
		is_int(captured(config_load, &p, path, got, sizeof(got)),
		    files[i].rc, "config_load file %zu", i);
		expand(want, sizeof(want), files[i].want, path);
		is_str(got, want, "errors of file %zu", i);
		policy_free(&p);
		unlink(path);
		free(path);
	}
}

static void
test_missing_file(void)
{
	struct policy	 p;
	char		 got[OUT_MAX];
	const char	*path = "/nonexistent/filter-helo.conf";

	policy_init(&p);
	is_int(captured(config_load, &p, path, got, sizeof(got)), -1,
	    "missing file");
	is_str(got, "/nonexistent/filter-helo.conf: No such file or "
	    "directory\n", "missing file names the file");
	policy_free(&p);
}

static void
test_finish(void)
{
	struct policy	 p;
	char		 got[OUT_MAX], want[OUT_MAX];
	const char	*path = "/etc/mail/filter-helo.conf";
	size_t		 i, n;

	for (i = 0; i < nitems(finishes); i++) {
		for (n = 0; n < MAX_LINES && finishes[i].lines[n] != NULL; n++)
			;
		policy_init(&p);
		parse_lines(&p, finishes[i].lines, n);
		is_int(captured(config_finish, &p, path, got, sizeof(got)),
		    finishes[i].want[0] == '\0' ? 0 : -1,
		    "config_finish case %zu", i);
		expand(want, sizeof(want), finishes[i].want, path);
		is_str(got, want, "config_finish messages, case %zu", i);
		policy_free(&p);
	}
}

static void
test_namelist(void)
{
	struct policy	 p;
	size_t		 i;
	static const char *const entries[] = {
		"pass helo Mail.Example.COM", "pass helo .example.net.",
	};

	policy_init(&p);
	parse_lines(&p, entries, nitems(entries));
	for (i = 0; i < nitems(name_matches); i++)
		is_int(namelist_match(&p.pass_helo, name_matches[i].name),
		    name_matches[i].want, "namelist_match \"%s\"",
		    name_matches[i].name);
	is_int(namelist_match(&p.pass_rdns, "mail.example.com"), 0,
	    "an empty list matches nothing");
	policy_free(&p);
}

static void
test_rcptlist(void)
{
	struct policy	 p;
	const char	*errstr;
	char		 line[64];
	size_t		 i;
	static const char *const entries[] = {
		"postmaster@", "@partner.example", "bob@regress.test",
	};

	policy_init(&p);
	is_int(rcpt_match(&p.pass_rcpt, "postmaster@regress.test"), 0,
	    "rcpt_match: an empty list matches nothing");
	for (i = 0; i < nitems(entries); i++) {
		snprintf(line, sizeof(line), "pass rcpt %s", entries[i]);
		if (config_parse_line(&p, line, &errstr) == -1)
			ok(0, "%s: %s", line, errstr);
	}
	for (i = 0; i < nitems(rcpt_matches); i++)
		is_int(rcpt_match(&p.pass_rcpt, rcpt_matches[i].name),
		    rcpt_matches[i].want, "rcpt_match \"%s\"",
		    rcpt_matches[i].name);
	is_int(rcpt_match(&p.pass_rcpt, NULL), 0, "rcpt_match: no recipient");
	policy_free(&p);
}

static void
test_cidrlist(void)
{
	struct policy	 p;
	struct addr	 a;
	size_t		 i;
	static const char *const entries[] = {
		"pass client 192.0.2.0/24", "pass client 2001:db8::/32",
		"pass client 198.51.100.9",
	};

	policy_init(&p);
	parse_lines(&p, entries, nitems(entries));
	for (i = 0; i < nitems(cidr_matches); i++) {
		if (addr_parse(cidr_matches[i].name, &a) == -1) {
			ok(0, "test address %s", cidr_matches[i].name);
			continue;
		}
		is_int(cidrlist_match(&p.pass_client, &a),
		    cidr_matches[i].want, "cidrlist_match %s",
		    cidr_matches[i].name);
	}
	memset(&a, 0, sizeof(a));
	is_int(cidrlist_match(&p.pass_client, &a), 0,
	    "an unknown address matches nothing");
	policy_free(&p);
}

static void
test_print(void)
{
	struct policy	 p, back;
	FILE		*f;
	char		 first[OUT_MAX], second[OUT_MAX], err[OUT_MAX];
	char		 line[64];
	char		*path;
	const char	*s;
	size_t		 i;
	static const char *const conf[] = {
		"resolver 127.0.0.1@5353", "dns-timeout 5",
		"verdict-phase mail-from", "profile strict",
		"local-name MX.example.org", "local-domain example.org",
		"pass client 192.0.2.0/24", "pass helo .example.net",
		"pass rdns mail.example.com", "block helo yahoo.com",
		"pass rcpt \"\\\"x#y\\\"@example.org\"",
		"protect bigmail.test alias outbound.mailhost.test",
		"protect google.com gmail.com googlemail.com alias 1e100.net",
		"explain-url https://example.org/helo.html",
		"dnssec any",
		"dbl dbl.spamhaus.org", "dbl dbl.test 127.0.1.2 127.0.0.0/24",
		"stats-file \"/var/lib/node exporter/filter-helo.prom\"",
		"stats-interval 15",
		"add-header yes",
		"message cname \"550 5.7.1 say \\\"%h\\\" \\\\ again\"",
	};
	static const char *const want[] = {
		"# filter-helo effective policy",
		"verdict-phase mail-from",
		"dns-timeout 5",
		"rdns-match exact",
		"resolver 127.0.0.1@5353",
		"local-name mx.example.org",
		"local-domain example.org",
		"pass client 192.0.2.0/24",
		"pass helo .example.net",
		"pass rdns mail.example.com",
		"pass rcpt \"\\\"x#y\\\"@example.org\"",
		"block helo yahoo.com",
		"protect google.com gmail.com googlemail.com alias 1e100.net",
		"protect icloud.com me.com mac.com alias apple.com",
		"protect bigmail.test alias outbound.mailhost.test",
		"explain-url https://example.org/helo.html",
		"dnssec any",
		"dbl dbl.spamhaus.org 127.0.1.0/24",
		"dbl dbl.test 127.0.1.2/32 127.0.0.0/24",
		"stats-file \"/var/lib/node exporter/filter-helo.prom\"",
		"stats-interval 15",
		"add-header yes",
		"check self reject",
		"message self \"550 5.7.1 <%h>: Helo command rejected: you are "
		    "not me\"",
		"check forward tempfail",
		"message forward \"450 4.7.1 <%h>: Helo command rejected: %h "
		    "does not resolve to %i\"",
		"check changed junk",
		"check cname report",
		"message cname \"550 5.7.1 say \\\"%h\\\" \\\\ again\"",
	};

	policy_init(&p);
	parse_lines(&p, conf, nitems(conf));
	if ((f = tmpfile()) == NULL) {
		ok(0, "tmpfile");
		return;
	}
	config_print(&p, f);
	rewind(f);
	read_all(f, first, sizeof(first));
	fclose(f);
	ok(strncmp(first, "# filter-helo effective policy\n", 31) == 0,
	    "config_print starts with its header");
	for (i = 0; i < nitems(want); i++)
		ok(has_line(first, want[i]), "config_print: %s", want[i]);
	for (i = 0, s = first; (s = strstr(s, "\nprotect ")) != NULL; s++)
		i++;
	is_int(i, 5, "config_print: a protect line given twice is printed "
	    "once");
	for (i = 0; i < CHECK_COUNT; i++) {
		snprintf(line, sizeof(line), "check %s %s", check_name(i),
		    action_name(p.rules[i].action));
		ok(has_line(first, line), "config_print: %s", line);
	}

	/* What -n prints reads back as the same policy. */
	path = write_file(first, strlen(first));
	policy_init(&back);
	is_int(captured(config_load, &back, path, err, sizeof(err)), 0,
	    "config_print output loads");
	is_str(err, "", "config_print output loads without errors");
	if ((f = tmpfile()) == NULL) {
		ok(0, "tmpfile");
		return;
	}
	config_print(&back, f);
	rewind(f);
	read_all(f, second, sizeof(second));
	fclose(f);
	is_str(second, first, "config_print output round-trips");
	unlink(path);
	free(path);
	policy_free(&back);
	policy_free(&p);
}

/* Up to DBL_ZONES_MAX zones, each once. */
static void
test_dbl_zones(void)
{
	struct policy	 p;
	char		 line[64];
	const char	*errstr;
	int		 i;

	policy_init(&p);
	for (i = 0; i < DBL_ZONES_MAX; i++) {
		snprintf(line, sizeof(line), "dbl dbl%d.test", i);
		ok(config_parse_line(&p, line, &errstr) == 0,
		    "dbl zone %d of %d", i + 1, DBL_ZONES_MAX);
	}
	snprintf(line, sizeof(line), "dbl one-too-many.test");
	ok(config_parse_line(&p, line, &errstr) == -1 &&
	    strcmp(errstr, "more than 8 dbl zones") == 0,
	    "a ninth dbl zone is an error");
	is_int(p.dbl.n, DBL_ZONES_MAX, "the zones before it are kept");
	policy_free(&p);

	policy_init(&p);
	snprintf(line, sizeof(line), "dbl dbl.test");
	config_parse_line(&p, line, &errstr);
	snprintf(line, sizeof(line), "dbl DBL.test. 127.0.1.2");
	ok(config_parse_line(&p, line, &errstr) == -1 &&
	    strcmp(errstr, "dbl zone dbl.test given twice") == 0,
	    "a zone given twice is an error");
	policy_free(&p);
}

/* Lines that must parse: a failure here is a broken test table. */
static void
parse_lines(struct policy *p, const char *const *v, size_t n)
{
	char		 buf[1024];
	const char	*errstr;
	size_t		 i;

	for (i = 0; i < n; i++) {
		strlcpy(buf, v[i], sizeof(buf));
		if (config_parse_line(p, buf, &errstr) == -1)
			diag("unexpected error on \"%s\": %s", v[i], errstr);
	}
}

/* One value of the policy as text, named as the test tables name it. */
static const char *
field(const struct policy *p, const char *name)
{
	static char	 buf[2048];
	char		 a[ADDR_STRLEN];
	enum check	 c;
	size_t		 i, j, len;

	buf[0] = '\0';
	if (strcmp(name, "phase") == 0)
		strlcpy(buf, phase_name(p->phase), sizeof(buf));
	else if (strcmp(name, "dns-timeout") == 0)
		snprintf(buf, sizeof(buf), "%d", p->dns_timeout);
	else if (strcmp(name, "rdns-match") == 0)
		strlcpy(buf, p->rdns_mode == RDNS_EXACT ? "exact" :
		    p->rdns_mode == RDNS_DOMAIN ? "domain" : "?", sizeof(buf));
	else if (strcmp(name, "resolvers") == 0)
		join(buf, sizeof(buf), &p->resolvers);
	else if (strcmp(name, "local-names") == 0)
		join(buf, sizeof(buf), &p->local_names);
	else if (strcmp(name, "local-domains") == 0)
		join(buf, sizeof(buf), &p->local_domains);
	else if (strcmp(name, "pass-helo") == 0)
		join(buf, sizeof(buf), &p->pass_helo);
	else if (strcmp(name, "pass-rdns") == 0)
		join(buf, sizeof(buf), &p->pass_rdns);
	else if (strcmp(name, "pass-rcpt") == 0)
		join(buf, sizeof(buf), &p->pass_rcpt);
	else if (strcmp(name, "block-helo") == 0)
		join(buf, sizeof(buf), &p->block_helo);
	else if (strcmp(name, "protect") == 0 && p->protect.n > 0) {
		/* the last line: the built-in ones come first */
		join(buf, sizeof(buf), &p->protect.v[p->protect.n - 1].domains);
		if (p->protect.v[p->protect.n - 1].aliases.n > 0) {
			strlcat(buf, " alias ", sizeof(buf));
			len = strlen(buf);
			join(buf + len, sizeof(buf) - len,
			    &p->protect.v[p->protect.n - 1].aliases);
		}
	}
	else if (strcmp(name, "pass-client") == 0) {
		for (i = 0; i < p->pass_client.n; i++) {
			addr_fmt(&p->pass_client.v[i].addr, a, sizeof(a));
			len = strlen(buf);
			snprintf(buf + len, sizeof(buf) - len, "%s%s/%d",
			    i ? " " : "", a, p->pass_client.v[i].plen);
		}
	} else if (strcmp(name, "dbl") == 0) {
		for (i = 0; i < p->dbl.n; i++) {
			len = strlen(buf);
			snprintf(buf + len, sizeof(buf) - len, "%s%s:",
			    i ? " " : "", p->dbl.v[i].zone);
			for (j = 0; j < p->dbl.v[i].ncodes; j++) {
				addr_fmt(&p->dbl.v[i].codes[j].addr, a,
				    sizeof(a));
				len = strlen(buf);
				snprintf(buf + len, sizeof(buf) - len,
				    "%s%s/%d", j ? "," : "", a,
				    p->dbl.v[i].codes[j].plen);
			}
		}
	} else if (strcmp(name, "explain-url") == 0)
		strlcpy(buf, p->explain_url ? p->explain_url : "(null)",
		    sizeof(buf));
	else if (strcmp(name, "add-header") == 0)
		strlcpy(buf, p->add_header ? "yes" : "no", sizeof(buf));
	else if (strcmp(name, "dnssec") == 0)
		strlcpy(buf, p->dnssec == DNSSEC_OFF ? "no" :
		    p->dnssec == DNSSEC_LOOPBACK ? "yes" :
		    p->dnssec == DNSSEC_ANY ? "any" : "?", sizeof(buf));
	else if (strcmp(name, "dry-run") == 0)
		strlcpy(buf, p->dry_run ? "yes" : "no", sizeof(buf));
	else if (strcmp(name, "stats-file") == 0)
		strlcpy(buf, p->stats_file ? p->stats_file : "(null)",
		    sizeof(buf));
	else if (strcmp(name, "stats-interval") == 0)
		snprintf(buf, sizeof(buf), "%d", p->stats_interval);
	else if (strcmp(name, "rotation-limit") == 0)
		snprintf(buf, sizeof(buf), "%d", p->rotation_limit);
	else if (strcmp(name, "rotation-window") == 0)
		snprintf(buf, sizeof(buf), "%d", p->rotation_window);
	else if (strcmp(name, "forged-window") == 0)
		snprintf(buf, sizeof(buf), "%d", p->forged_window);
	else if (strcmp(name, "spf-helo") == 0)
		strlcpy(buf, p->spf_helo == SPF_HELO_ALL ? "all" :
		    p->spf_helo == SPF_HELO_NULL_SENDER ? "null-sender" : "?",
		    sizeof(buf));
	else if (strncmp(name, "action:", 7) == 0 &&
	    check_lookup(name + 7, &c) == 0)
		strlcpy(buf, action_name(p->rules[c].action), sizeof(buf));
	else if (strncmp(name, "reply:", 6) == 0 &&
	    check_lookup(name + 6, &c) == 0)
		strlcpy(buf, p->rules[c].reply, sizeof(buf));
	else
		snprintf(buf, sizeof(buf), "(no field %s)", name);
	return buf;
}

static void
join(char *buf, size_t size, const struct namelist *l)
{
	size_t	i;

	buf[0] = '\0';
	for (i = 0; i < l->n; i++) {
		if (i > 0)
			strlcat(buf, " ", size);
		strlcat(buf, l->v[i], size);
	}
}

static char *
write_file(const char *text, size_t len)
{
	char	*path;
	int	 fd;

	if ((path = strdup("/tmp/t_config.XXXXXXXXXX")) == NULL) {
		perror("strdup");
		exit(1);
	}
	if ((fd = mkstemp(path)) == -1 ||
	    write(fd, text, len) != (ssize_t)len || close(fd) == -1) {
		perror(path);
		exit(1);
	}
	return path;
}

/*
 * A reload logs errors without blocking: given a function, every line
 * goes to it and none to stderr; without, to stderr again.
 */
static char	sink_text[OUT_MAX];

static void
collect_error(const char *line)
{
	strlcat(sink_text, line, sizeof(sink_text));
	strlcat(sink_text, "|", sizeof(sink_text));
}

static void
test_error_sink(void)
{
	struct policy	 p;
	char		 got[OUT_MAX], want[OUT_MAX];
	char		*path;
	const char	*text = "frobnicate\ncheck dns maybe\n"
			    "check dns-error reject\n";

	path = write_file(text, strlen(text));
	policy_init(&p);
	sink_text[0] = '\0';
	config_errors_to(collect_error);
	is_int(captured(config_load, &p, path, got, sizeof(got)), -1,
	    "error sink: config_load fails");
	is_int(captured(config_finish, &p, path, got + strlen(got),
	    sizeof(got) - strlen(got)), -1, "error sink: config_finish fails");
	config_errors_to(NULL);
	is_str(got, "", "error sink: nothing on stderr");
	expand(want, sizeof(want), "FILE:1: unknown directive \"frobnicate\"|"
	    "FILE:2: unknown action \"maybe\": use pass, report, junk, "
	    "tempfail, reject or disconnect|FILE: check dns-error reject: DNS "
	    "failure is never a permanent refusal|", path);
	is_str(sink_text, want, "error sink: each line, with file:line");
	policy_free(&p);

	policy_init(&p);
	sink_text[0] = '\0';
	is_int(captured(config_load, &p, path, got, sizeof(got)), -1,
	    "error sink reset: config_load fails");
	ok(strstr(got, ":1: unknown directive \"frobnicate\"\n") != NULL,
	    "error sink reset: to stderr again");
	is_str(sink_text, "", "error sink reset: the function is not called");
	policy_free(&p);
	unlink(path);
	free(path);
}

/* Run fn with stderr going to a file, and give back what it wrote. */
static int
captured(int (*fn)(struct policy *, const char *), struct policy *p,
    const char *path, char *out, size_t size)
{
	FILE	*f;
	int	 saved, rc;

	fflush(stderr);
	if ((f = tmpfile()) == NULL || (saved = dup(STDERR_FILENO)) == -1 ||
	    dup2(fileno(f), STDERR_FILENO) == -1) {
		perror("captured");
		exit(1);
	}
	rc = fn(p, path);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	rewind(f);
	read_all(f, out, size);
	fclose(f);
	return rc;
}

/* The wanted text with each "FILE" replaced by the path. */
static void
expand(char *out, size_t size, const char *want, const char *path)
{
	const char	*s;
	size_t		 len = 0;

	out[0] = '\0';
	while ((s = strstr(want, "FILE")) != NULL && len < size) {
		len += snprintf(out + len, size - len, "%.*s%s",
		    (int)(s - want), want, path);
		want = s + 4;
	}
	strlcat(out, want, size);
}

static void
read_all(FILE *f, char *out, size_t size)
{
	size_t	n;

	n = fread(out, 1, size - 1, f);
	out[n] = '\0';
}

static int
has_line(const char *text, const char *line)
{
	size_t		 len = strlen(line);
	const char	*s;

	for (s = text; (s = strstr(s, line)) != NULL; s++)
		if ((s == text || s[-1] == '\n') &&
		    (s[len] == '\n' || s[len] == '\0'))
			return 1;
	return 0;
}

/* A test name stays on its TAP line: other bytes as \ooo. */
static const char *
visible(const char *s)
{
	static char	buf[1024];
	size_t		len = 0;

	for (; *s != '\0' && len + 5 < sizeof(buf); s++) {
		if (*s >= 0x20 && *s < 0x7f)
			buf[len++] = *s;
		else
			len += snprintf(buf + len, sizeof(buf) - len, "\\%03o",
			    (unsigned char)*s);
	}
	buf[len] = '\0';
	return buf;
}
