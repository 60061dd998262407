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
# An Exim binary for regress/t_exim.t.  An installed Exim is used as it
# is.  Otherwise Debian's exim4-daemon-light is downloaded and unpacked
# into a cache directory, never installed: installing an MTA package
# removes opensmtpd, which the other tests need.  The libraries it links
# and its user (Debian-exim) are added when missing.
#
#	fetch.sh [CACHE]	default /var/tmp/filter-helo-exim
#
# Prints the binary's path.  When it cannot (not root, no network),
# prints the reason on stderr and exits 1.

set -eu

PKG=exim4-daemon-light
USER_NAME=Debian-exim
cache=${1:-/var/tmp/filter-helo-exim}
PATH=$PATH:/usr/sbin:/sbin

fail()
{
	echo "$*" >&2
	exit 1
}

for bin in /usr/sbin/exim4 /usr/sbin/exim /usr/local/sbin/exim; do
	if [ -x "$bin" ]; then
		echo "$bin"
		exit 0
	fi
done

[ "$(id -u)" -eq 0 ] || fail "no Exim installed, and fetching it needs root"
command -v apt-get >/dev/null 2>&1 && command -v dpkg >/dev/null 2>&1 ||
    fail "no Exim installed, and no apt-get/dpkg to fetch it"

bin=$cache/root/usr/sbin/exim4
if [ ! -x "$bin" ]; then
	rm -rf "$cache"
	mkdir -p "$cache/debs"
	# apt's _apt user downloads into it
	chmod 777 "$cache/debs"
	if ! (cd "$cache/debs" && apt-get download -q "$PKG" >/dev/null 2>&1)
	then
		# a fresh system may have no package lists yet
		apt-get update -qq >/dev/null 2>&1 || true
		(cd "$cache/debs" && apt-get download -q "$PKG" >/dev/null 2>&1) ||
		    fail "apt-get download $PKG failed (no network?)"
	fi
	dpkg -x "$cache/debs/${PKG}"_*.deb "$cache/root" ||
	    fail "dpkg -x of $PKG failed"
	[ -x "$bin" ] || fail "$PKG has no usr/sbin/exim4"
fi

# The shared libraries its package depends on, those not installed.
if ldd "$bin" | grep -q 'not found'; then
	libs=
	for p in $(dpkg-deb -f "$cache/debs/${PKG}"_*.deb Depends |
	    tr ',|' '\n\n' | sed -e 's/(.*//' -e 's/[[:space:]]//g' |
	    grep '^lib'); do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		    grep -q 'ok installed' || libs="$libs $p"
	done
	if [ -n "$libs" ]; then
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		    --no-install-recommends $libs >/dev/null 2>&1 || true
	fi
	if ldd "$bin" | grep -q 'not found'; then
		fail "libraries of $bin are missing (tried to install:$libs)"
	fi
fi

# Debian's binary looks its user up before it reads any configuration.
if ! getent passwd "$USER_NAME" >/dev/null; then
	if command -v adduser >/dev/null 2>&1; then
		adduser --system --group --quiet --allow-bad-names \
		    --no-create-home --home /var/spool/exim4 "$USER_NAME"
	else
		useradd --system --user-group --badname --no-create-home \
		    --home-dir /var/spool/exim4 --shell /usr/sbin/nologin \
		    "$USER_NAME"
	fi || fail "cannot create the user $USER_NAME"
fi

echo "$bin"
