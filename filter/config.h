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
 * The configuration file (filter-helo.conf): one directive a line.
 * Errors name the file and the line; config_print() shows the effective
 * policy for -n.
 */
#ifndef CONFIG_H
#define CONFIG_H

#include <stdio.h>

#include "policy.h"

int	config_load(struct policy *, const char *);
int	config_parse_line(struct policy *, char *, const char **);
int	config_finish(struct policy *, const char *);
void	config_print(const struct policy *, FILE *);
int	config_yes_no(const char *, int *);
void	config_errors_to(void (*)(const char *));

#endif
