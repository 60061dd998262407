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
# make demo: the README's first command.  Starts the regress DNS
# fixture, Debian's smtpd 6.8 (with smtpd.conf.example) and the built
# filter-helo in network namespaces of their own, sends a dozen sample
# sessions and prints, for each, the client, its HELO, what smtpd
# answered at the verdict and what filter-helo logged; then does the
# same with OpenSMTPD 7.8.0p1 (built once by regress/smtpd78.sh) for
# what needs STARTTLS, which 6.8.0p2 cannot do with OpenSSL 3: AUTH and
# a second EHLO; then some of the same sessions through Debian's Postfix
# 3.7 (unpacked once by regress/postfix37.sh), which asks filter-helo
# -S, and -P through spawn(8).  Everything is taken down, also when
# interrupted.  Needs root.  The harness is regress/e2e/harness.sh, the sessions
# regress/e2e/demo.pl; the end-to-end tests, regress/t_e2e.t and
# t_postfix_e2e.t, use both pieces too.

set -eu
cd "$(dirname "$0")/.."

if ! why=$(perl -Iregress/e2e -ME2E -e 'print E2E::missing() // ""') ||
    [ -n "$why" ]; then
	echo "demo: cannot run here: ${why:-perl failed}" >&2
	exit 1
fi

# Built once, then taken from the cache.  Without its tarball (or the
# tools to build it) there are no 7.8 rows; a failed build is an error.
why78=$(sh regress/smtpd78.sh why)
p78=
if [ -z "$why78" ]; then
	p78=$(sh regress/smtpd78.sh build) || {
		echo "demo: smtpd 7.8 could not be built" >&2
		exit 1
	}
fi

# Unpacked once, then taken from the cache.  Where it cannot be had
# (status 3: no network) there are no Postfix rows, and postfix37.sh
# has said why; another failure is an error.
pf_root=$(sh regress/postfix37.sh fetch) || {
	[ $? -eq 3 ] || {
		echo "demo: Postfix could not be unpacked" >&2
		exit 1
	}
	pf_root=
}

dir=$(mktemp -d "${TMPDIR:-/tmp}/filter-helo-demo.XXXXXX")
dir78=$(mktemp -d "${TMPDIR:-/tmp}/filter-helo-demo78.XXXXXX")
dirpf=$(mktemp -d "${TMPDIR:-/tmp}/filter-helo-demopf.XXXXXX")
trap 'for d in "$dir" "$dir78" "$dirpf"; do
    sh regress/e2e/harness.sh down "$d"; rm -rf "$d"; done' EXIT
trap 'exit 1' INT TERM

echo "demo: starting the DNS fixture, smtpd 6.8 and filter-helo in namespaces"
sh regress/e2e/harness.sh up "$dir"
perl regress/e2e/demo.pl "$dir" 6.8 1
sh regress/e2e/harness.sh down "$dir"
if [ -n "$p78" ]; then
	echo "demo: the same with smtpd 7.8"
	SMTPD_PREFIX=$p78 sh regress/e2e/harness.sh up "$dir78"
	perl regress/e2e/demo.pl "$dir78" 7.8 16
	sh regress/e2e/harness.sh down "$dir78"
else
	echo "demo: no rows for smtpd 7.8: $why78"
fi
if [ -n "$pf_root" ]; then
	echo "demo: the same with Postfix"
	MTA=postfix POSTFIX_ROOT=$pf_root sh regress/e2e/harness.sh up "$dirpf"
	perl regress/e2e/demo.pl "$dirpf" postfix 22
else
	echo "demo: no rows for Postfix: it could not be fetched"
fi
echo "demo: stopping them"
