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
 * The configuration parser, from a file as the filter reads it.  A file
 * that loads must also print (-n) as a file that loads again to the
 * same policy: what -n shows is what the filter runs with.
 */
#include "compat.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "policy.h"

#define FAIL(...)	do {						\
	dprintf(2, "fuzz_config: " __VA_ARGS__);			\
	dprintf(2, "\n");						\
	abort();							\
} while (0)

int		LLVMFuzzerTestOneInput(const uint8_t *, size_t);
static void	setup_once(void);
static void	put(const void *, size_t);
static int	load(struct policy *);
static char	*print(const struct policy *);
static void	cleanup(void);

static char	path[] = "/tmp/fuzz_config.XXXXXX";
static int	fd = -1;

/* config_load() reads a path: one scratch file, rewritten per input. */
static void
setup_once(void)
{
	if (fd != -1)
		return;
	if ((fd = mkstemp(path)) == -1)
		FAIL("mkstemp");
	atexit(cleanup);
	/* Its errors go to stderr; quiet unless asked (FUZZ_LOG). */
	if (getenv("FUZZ_LOG") == NULL && (stderr = fopen("/dev/null",
	    "w")) == NULL)
		FAIL("/dev/null");
}

static void
cleanup(void)
{
	unlink(path);
}

static void
put(const void *data, size_t size)
{
	if (ftruncate(fd, 0) == -1 || pwrite(fd, data, size, 0) !=
	    (ssize_t)size)
		FAIL("%s: write", path);
}

static int
load(struct policy *p)
{
	policy_init(p);
	if (config_load(p, path) == -1 || config_finish(p, path) == -1)
		return -1;
	return 0;
}

static char *
print(const struct policy *p)
{
	FILE	*f;
	char	*s = NULL;
	size_t	 n = 0;

	if ((f = open_memstream(&s, &n)) == NULL)
		FAIL("open_memstream");
	config_print(p, f);
	if (fclose(f) != 0)
		FAIL("config_print");
	return s;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct policy	 p, again;
	char		*s, *t;

	setup_once();
	put(data, size);
	if (load(&p) == -1) {
		policy_free(&p);
		return 0;
	}
	s = print(&p);
	put(s, strlen(s));
	if (load(&again) == -1)
		FAIL("printed policy does not load:\n%s", s);
	t = print(&again);
	if (strcmp(s, t) != 0)
		FAIL("printed policy changes on reload:\n%s\n---\n%s", s, t);
	free(s);
	free(t);
	policy_free(&p);
	policy_free(&again);
	return 0;
}
