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
 * The one-shot front end for Exim (-E): judge one client from name=value
 * operands, print one line for the ACL and exit with a code that
 * exim.conf.snippet turns into accept, deny, defer or warn.
 */
#ifndef EXIM_H
#define EXIM_H

#include <sysexits.h>

struct policy;

/* What the ACL does with the exit code; anything else makes it defer. */
#define EXIM_ACCEPT	0
#define EXIM_REJECT	1
#define EXIM_TEMPFAIL	2
#define EXIM_JUNK	3

/* Errors, kept clear of the four above (sysexits(3)). */
#define EXIM_EX_USAGE	EX_USAGE	/* 64 */
#define EXIM_EX_CONFIG	EX_CONFIG	/* 78 */
#define EXIM_EX_SOFTWARE EX_SOFTWARE	/* 70 */

int	exim_main(int, char *[], const struct policy *);

#endif
