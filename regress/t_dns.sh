#!/bin/sh
# Copyright (c) 2026 the filter-helo authors
#
# Permission to use, copy, modify, and distribute this software for any
# purpose with or without fee is hereby granted, provided that the above
# copyright notice and this permission notice appear in all copies.
#
# THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES
# WITH REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF
# MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR
# ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
# WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN
# ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF
# OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.

#
# Runs regress/t_dns against a private DNS fixture (regress/dns/dns.sh),
# which is stopped and removed whatever happens.  REGRESS_WRAP runs the
# test under a tool, e.g. REGRESS_WRAP="valgrind --leak-check=full".

cd "$(dirname "$0")/.." || exit 1
. regress/dns/up.sh
fixture_up regress/t_dns

# The module's expected complaints (a bad resolver address, a second
# initialisation) go to a file, shown only when something failed.  The
# validating resolver is on the next port (dns.sh).
REGRESS_DNS_PORT=$port REGRESS_DNS_DIR=$dir \
    REGRESS_DNS_VALIDATOR_PORT=$((port + 1)) \
    ${REGRESS_WRAP:-} ./regress/t_dns 2>"$dir/stderr"
status=$?
if [ "$status" -ne 0 ]; then
	sed 's/^/# /' "$dir/stderr" >&2
	echo "# the fixture's log, last lines:" >&2
	tail -n 20 "$dir/unbound.log" | sed 's/^/# /' >&2
fi
exit "$status"
