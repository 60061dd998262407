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
 * Names that cannot be public hosts: the special-use domains of RFC 6761
 * and those registered after it, the names RFC 6762 found in use on
 * private networks, and any name under a top-level label that the public
 * suffix list does not know.  Such a HELO comes from a host whose admin
 * never gave it a public name; it is decided without DNS.
 */
#include "compat.h"

#include <libpsl.h>
#include <string.h>

#include "helo.h"

static const char *const special_domains[] = {
	"localhost",		/* RFC 6761 6.3 */
	"localdomain",		/* the default domain of many installers */
	"local",		/* RFC 6762: multicast DNS */
	"test",			/* RFC 6761 6.2 */
	"example",		/* RFC 6761 6.5, with the three below */
	"example.com",
	"example.net",
	"example.org",
	"invalid",		/* RFC 6761 6.4 */
	"onion",		/* RFC 7686 */
	"alt",			/* RFC 9476 */
	"home.arpa",		/* RFC 8375 */
	"arpa",			/* RFC 3172: infrastructure, never a host */
	"internal",		/* reserved by ICANN for private use, 2024 */
	"intranet",		/* RFC 6762 appendix G, with the four below */
	"private",
	"corp",
	"home",
	"lan",
};

/*
 * The special domain the name is at or under, or its top-level label
 * if the public suffix list does not know it, or NULL for a name that
 * could be a public host's.  The name is normalised (lower-case
 * A-labels).  Without the built-in list, unknown labels are not judged.
 */
const char *
name_special(const char *name)
{
	const psl_ctx_t	*psl;
	const char	*tld;
	size_t		 i;

	for (i = 0; i < nitems(special_domains); i++)
		if (name_in_domain(name, special_domains[i]))
			return special_domains[i];
	tld = strrchr(name, '.');
	tld = tld == NULL ? name : tld + 1;
	if ((psl = psl_builtin()) == NULL)
		return NULL;
	if (!psl_is_public_suffix2(psl, tld, PSL_TYPE_ANY |
	    PSL_TYPE_NO_STAR_RULE))
		return tld;
	return NULL;
}
