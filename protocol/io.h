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
 * Bounded, non-blocking line I/O on the protocol descriptors.  fd 0 and
 * fd 1 may be one socket, so neither uses stdio.  Lines longer than an
 * input's bound are reported and dropped without growing memory.
 */
#ifndef IO_H
#define IO_H

#include <stddef.h>

struct event_base;
struct io_in;
struct io_out;

/* Called once per complete line, NUL-terminated, newline removed. */
typedef void	(*io_line_cb)(char *, size_t, void *);
/* Called once at end of input (or a read error). */
typedef void	(*io_eof_cb)(void *);
/* Called with the length of each dropped over-long line. */
typedef void	(*io_toolong_cb)(size_t, void *);

struct io_in	*io_in_new(struct event_base *, int, size_t, io_line_cb,
		    io_eof_cb, io_toolong_cb, void *);
void		 io_in_free(struct io_in *);
void		 io_in_hold(struct io_in *, int);
void		 io_in_on_read(struct io_in *, void (*)(void *), void *);
void		 io_in_throttle(struct io_in *, struct io_out *, size_t,
		    size_t);
struct io_out	*io_out_new(struct event_base *, int);
void		 io_out_free(struct io_out *);
int		 io_out_line(struct io_out *, const char *);
size_t		 io_out_pending(const struct io_out *);
void		 io_out_on_drain(struct io_out *, void (*)(void *), void *);
int		 io_out_flush_blocking(struct io_out *);

#endif
