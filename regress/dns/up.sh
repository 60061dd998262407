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
# Sourced by the shell tests that run a program against the DNS
# fixture, from the top of the tree: ". regress/dns/up.sh", then
# "fixture_up PROGRAM".  It skips the test without unbound, bails out
# if PROGRAM is not built, and starts the fixture (dns.sh) in a
# directory of its own on a port of its own (a few tried, so that
# parallel runs do not meet), stopped and removed when the test exits.
# Sets dir and port; the validating resolver is on port + 1.

PATH=$PATH:/usr/sbin:/usr/local/sbin

fixture_up()
{
	if ! command -v unbound >/dev/null 2>&1; then
		echo "1..0 # SKIP unbound is not installed"
		exit 0
	fi
	if [ ! -x "$1" ]; then
		echo "Bail out! $1 is not built"
		exit 1
	fi

	dir=$(mktemp -d "${TMPDIR:-/tmp}/$(basename "$1").XXXXXX") || exit 1
	trap 'sh regress/dns/dns.sh stop "$dir"; rm -rf "$dir"' EXIT
	trap 'exit 1' HUP INT TERM

	port=$((20000 + $$ % 20000))
	tries=0
	until sh regress/dns/dns.sh start "$dir" "$port" 2>"$dir/start.err"; do
		tries=$((tries + 1))
		if [ "$tries" -ge 5 ]; then
			echo "Bail out! the DNS fixture does not start"
			sed 's/^/# /' "$dir/start.err" >&2
			exit 1
		fi
		port=$((port + 1))
	done
}
