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
 * Client and server addresses.  IPv4-mapped IPv6 addresses are stored as
 * IPv4, so every comparison is per family and exact.
 */
#ifndef ADDR_H
#define ADDR_H

#include <stddef.h>
#include <stdint.h>

#define ADDR_STRLEN	46	/* INET6_ADDRSTRLEN */

struct addr {
	int		family;		/* 0 (none), AF_INET or AF_INET6 */
	uint8_t		bytes[16];	/* network order; 4 used for AF_INET */
};

struct cidr {
	struct addr	addr;
	int		plen;
};

int	addr_parse(const char *, struct addr *);
int	addr_parse_endpoint(const char *, struct addr *, int *);
int	addr_eq(const struct addr *, const struct addr *);
int	addr_is_loopback(const struct addr *);
int	addr_is_private(const struct addr *);
void	addr_fmt(const struct addr *, char *, size_t);
int	cidr_parse(const char *, struct cidr *);
int	cidr_match(const struct cidr *, const struct addr *);

#endif
