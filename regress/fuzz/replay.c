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
 * Where libFuzzer is not available (gcc only): run a fuzz target once
 * over each input file, or each file in the directories given, as the
 * libFuzzer binary does when given files.  A finding aborts; exit 1 if
 * an input cannot be read.  Messages are written to fd 2 directly: the
 * targets take fd 1 and quieten stdio's stderr for themselves.
 */
#include "compat.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int		LLVMFuzzerTestOneInput(const uint8_t *, size_t);
static int	replay_file(const char *);
static int	replay_dir(const char *);

static size_t	replayed;

static int
replay_file(const char *path)
{
	FILE		*f;
	uint8_t		*buf;
	long		 len;

	if ((f = fopen(path, "rb")) == NULL || fseek(f, 0, SEEK_END) == -1 ||
	    (len = ftell(f)) == -1 || fseek(f, 0, SEEK_SET) == -1) {
		dprintf(2, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	/* One byte more, so that an empty input is not a NULL pointer. */
	if ((buf = malloc(len + 1)) == NULL ||
	    fread(buf, 1, len, f) != (size_t)len) {
		dprintf(2, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	replayed++;
	return 0;
}

static int
replay_dir(const char *path)
{
	DIR		*d;
	struct dirent	*e;
	char		 p[4096];
	int		 rc = 0;

	if ((d = opendir(path)) == NULL) {
		dprintf(2, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", path, e->d_name);
		if (replay_file(p) == -1)
			rc = -1;
	}
	closedir(d);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct stat	st;
	int		i, rc = 0, r;

	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &st) == -1) {
			dprintf(2, "%s: %s\n", argv[i], strerror(errno));
			rc = 1;
			continue;
		}
		if (S_ISDIR(st.st_mode))
			r = replay_dir(argv[i]);
		else
			r = replay_file(argv[i]);
		if (r == -1)
			rc = 1;
	}
	dprintf(2, "%s: %zu inputs replayed\n", argv[0], replayed);
	return rc;
}
