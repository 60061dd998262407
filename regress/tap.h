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
 * A small TAP producer for the unit tests, in the manner of
 * c-tap-harness: plan, ok, is_int, is_str, diag, done.
 */
#ifndef TAP_H
#define TAP_H

void	plan(int);
void	plan_lazy(void);
int	ok(int, const char *, ...) __attribute__((format(printf, 2, 3)));
int	is_int(long, long, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
int	is_str(const char *, const char *, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
void	diag(const char *, ...) __attribute__((format(printf, 1, 2)));
int	done_testing(void);

#endif
