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
 * The verdict line of the log, the same for both front ends:
 * "ip=... rdns=... helo=... verdict=ACTION checks=NAME,..." and with -v
 * one line per check; and the resolver's observer, which logs its
 * failures, and with -v each answer.
 */
#ifndef REPORT_H
#define REPORT_H

struct dns_result;
struct facts;
struct policy;
struct verdict;

void	report_verdict(const char *, const struct policy *,
	    const struct facts *, const struct verdict *, const char *);
void	report_dns(const char *, int, const struct dns_result *);

#endif
