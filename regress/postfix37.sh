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
# Postfix 3.7 for the end-to-end tests and the demo: Debian 12's
# package, downloaded with apt-get and unpacked into a cache outside the
# tree, never installed (installing it would remove opensmtpd, which the
# other tests need).  Nothing of it is used from a system path: the
# harness runs it with a configuration directory of its own
# (regress/e2e/postfix.sh).
#
#	postfix37.sh fetch	unpack it unless the cache has it; print
#				the root it is unpacked in (R/usr/sbin,
#				R/usr/lib/postfix/sbin, R/usr/lib/postfix)
#	postfix37.sh why	print why it cannot be had here, nothing
#				if it can
#
# Exit status 3 means that it cannot be had here (not root, no apt-get,
# no network): the Postfix tests are then skipped.  Any other failure is
# an error.
#
# POSTFIX37_CACHE	the cache; /var/cache/filter-helo as root, else
#			${XDG_CACHE_HOME:-$HOME/.cache}/filter-helo
#
# The package goes to CACHE/postfix-VERSION, VERSION Debian's, unpacked
# in a temporary directory beside it and renamed into place when
# complete.  A cache of any 3.7 is used as it is, without asking the
# network again.  The libraries the package depends on (libicu72,
# libsasl2-2, ...: regress/deps.sh) are installed when missing.

set -eu

PKG=postfix
if [ -n "${POSTFIX37_CACHE:-}" ]; then
	cache=$POSTFIX37_CACHE
elif [ "$(id -u)" -eq 0 ]; then
	cache=/var/cache/filter-helo
else
	cache=${XDG_CACHE_HOME:-$HOME/.cache}/filter-helo
fi

log()
{
	echo "postfix37: $*" >&2
}

why_not()
{
	[ "$(id -u)" -eq 0 ] || { echo "fetching Postfix needs root"; return; }
	command -v apt-get >/dev/null 2>&1 &&
	    command -v dpkg-deb >/dev/null 2>&1 ||
	    echo "no apt-get or dpkg-deb to fetch Debian's Postfix"
}

# The unpacked root already in the cache, if any.
cached()
{
	for r in "$cache"/postfix-3.7.*; do
		if [ -x "$r/usr/lib/postfix/sbin/master" ]; then
			echo "$r"
			return
		fi
	done
	return 0
}

fetch()
{
	mkdir -p "$cache"
	find "$cache" -maxdepth 1 -name '.postfix.*' -mmin +180 \
	    -exec rm -rf {} + 2>/dev/null || true
	tmp=$(mktemp -d "$cache/.postfix.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	trap 'exit 1' INT TERM
	# apt's _apt user downloads into it
	chmod 777 "$tmp"
	if ! (cd "$tmp" && apt-get download -q "$PKG" >/dev/null 2>&1); then
		# a fresh system may have no package lists yet
		apt-get update -qq >/dev/null 2>&1 || true
		(cd "$tmp" && apt-get download -q "$PKG" >/dev/null 2>&1) || {
			log "apt-get download $PKG failed (no network?)"
			exit 3
		}
	fi
	deb=$(ls "$tmp"/${PKG}_*.deb)
	ver=$(dpkg-deb -f "$deb" Version)
	case $ver in
	3.7.*) ;;
	*)	log "the candidate is Postfix $ver, not 3.7"; exit 1 ;;
	esac
	dpkg-deb -x "$deb" "$tmp/root"
	dpkg-deb -f "$deb" Depends >"$tmp/root/DEPENDS"
	r=$cache/postfix-$ver
	chmod 755 "$tmp/root"
	if mv -T "$tmp/root" "$r" 2>/dev/null; then
		log "unpacked Postfix $ver into $r"
	elif [ ! -x "$r/usr/lib/postfix/sbin/master" ]; then
		log "cannot move it to $r"
		exit 1
	fi
	echo "$r"
}

# The libraries its package depends on, those not installed.
libraries()
{
	r=$1
	smtpd=$r/usr/lib/postfix/sbin/smtpd
	LD_LIBRARY_PATH=$r/usr/lib/postfix ldd "$smtpd" | grep -q 'not found' ||
	    return 0
	libs=
	for p in $(tr ',|' '\n\n' <"$r/DEPENDS" | sed -e 's/(.*//' \
	    -e 's/[[:space:]]//g' | grep '^lib'); do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		    grep -q 'ok installed' || libs="$libs $p"
	done
	[ -z "$libs" ] || DEBIAN_FRONTEND=noninteractive apt-get install -y \
	    -qq --no-install-recommends $libs >/dev/null 2>&1 || true
	if LD_LIBRARY_PATH=$r/usr/lib/postfix ldd "$smtpd" |
	    grep -q 'not found'; then
		log "libraries of $smtpd are missing (tried to install:$libs)"
		exit 1
	fi
}

[ $# -eq 1 ] || { echo "usage: postfix37.sh fetch|why" >&2; exit 2; }
case $1 in
fetch)
	why=$(why_not)
	[ -z "$why" ] || { log "$why"; exit 3; }
	r=$(cached)
	[ -n "$r" ] || r=$(fetch)
	libraries "$r"
	echo "$r"
	;;
why)
	why_not
	;;
*)
	echo "usage: postfix37.sh fetch|why" >&2
	exit 2
	;;
esac
