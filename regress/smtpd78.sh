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
# OpenSMTPD portable 7.8.0p1, the smtpd that speaks filter protocol 0.7
# and finishes STARTTLS with OpenSSL 3, built once from the unmodified
# upstream tarball beside the checkout and kept in a cache outside the
# tree.  Debian 12 ships only 6.8.0p2; the end-to-end tests and the demo
# run against both.
#
#	smtpd78.sh build	build it unless the cache has it; print its
#				prefix (P/sbin/smtpd, P/sbin/smtpctl)
#	smtpd78.sh prefix	print the prefix if it is built, else say
#				why not on stderr and exit 1
#	smtpd78.sh why		print why it cannot be built here, nothing
#				if it can
#
# Exit status 3 means that the tarball is absent: the 7.8 tests are then
# skipped.  Any other failure is an error.
#
# SMTPD78_TARBALL	the tarball; ../shared/vendor/opensmtpd-7.8.0p1.tar.gz
#			from the repository's top
# SMTPD78_CACHE		the cache; /var/cache/filter-helo as root,
#			else ${XDG_CACHE_HOME:-$HOME/.cache}/filter-helo
#
# The build goes to CACHE/smtpd-7.8.0p1-SHA, SHA the first 16 digits of
# the tarball's sha256, so another tarball makes another build.  It is
# made in a temporary directory beside it and renamed into place when
# complete: an interrupted build is never used, and of two builds at the
# same time the second one's result is thrown away.  Every path smtpd
# compiles in is under the prefix:
#	P/etc		sysconfdir (the tests always give -f)
#	P/empty		the chroot of its unprivileged processes
#	P/var/spool	the queue; P/var/run: control socket and pid file.
#			The harness mounts a tmpfs over P/var in smtpd's
#			mount namespace, so runs side by side share nothing.
# smtpd needs the users _smtpd (which also runs the filters) and _smtpq;
# as root they are created when missing.

set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
VERSION=7.8.0p1
tarball=${SMTPD78_TARBALL:-$top/../shared/vendor/opensmtpd-$VERSION.tar.gz}
if [ -n "${SMTPD78_CACHE:-}" ]; then
	cache=$SMTPD78_CACHE
elif [ "$(id -u)" -eq 0 ]; then
	cache=/var/cache/filter-helo
else
	cache=${XDG_CACHE_HOME:-$HOME/.cache}/filter-helo
fi
# Tools the build needs beyond a C compiler (Debian: regress/deps.sh).
TOOLS="autoreconf automake libtoolize bison make"

log()
{
	echo "smtpd78: $*" >&2
}

# Why it cannot be built here (empty if it can).
why_not_build()
{
	if [ ! -r "$tarball" ]; then
		echo "no OpenSMTPD $VERSION source: $tarball is absent" \
		    "(set SMTPD78_TARBALL)"
		return
	fi
	for t in $TOOLS cc; do
		command -v "$t" >/dev/null 2>&1 || {
			echo "cannot build OpenSMTPD $VERSION: $t is not" \
			    "installed (run regress/deps.sh as root)"
			return
		}
	done
}

prefix_of()
{
	sum=$(sha256sum "$tarball" | cut -c1-16)
	echo "$cache/smtpd-$VERSION-$sum"
}

users()
{
	for u in _smtpd _smtpq; do
		id -u "$u" >/dev/null 2>&1 && continue
		[ "$(id -u)" -eq 0 ] || {
			log "user $u is missing (create it as root)"
			continue
		}
		useradd --system --user-group --no-create-home \
		    --home-dir /nonexistent --shell /usr/sbin/nologin "$u"
	done
}

build()
{
	p=$1
	mkdir -p "$cache"
	# Left by a build that was killed outright (no build takes hours).
	find "$cache" -maxdepth 1 -name '.build.*' -mmin +180 \
	    -exec rm -rf {} + 2>/dev/null || true
	tmp=$(mktemp -d "$cache/.build.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	trap 'exit 1' INT TERM
	log "building OpenSMTPD $VERSION into $p (a minute or two, once)"
	start=$(date +%s)
	tar -xzf "$tarball" -C "$tmp"
	src=$tmp/opensmtpd-$VERSION
	[ -d "$src" ] || { log "$tarball has no opensmtpd-$VERSION/"; exit 1; }
	jobs=$(nproc 2>/dev/null || echo 2)
	(
		cd "$src"
		./bootstrap
		./configure --prefix="$p" --sysconfdir="$p/etc" \
		    --with-path-queue="$p/var/spool" \
		    --with-path-socket="$p/var/run" \
		    --with-path-pidfile="$p/var/run" \
		    --with-path-empty="$p/empty" \
		    --with-path-mbox="$p/var/mail"
		make -j"$jobs"
		make install DESTDIR="$tmp/stage"
	) >"$tmp/build.log" 2>&1 || {
		tail -n 30 "$tmp/build.log" >&2
		log "the build failed"
		exit 1
	}
	stage=$tmp/stage$p
	# make install creates neither the chroot nor the run directories.
	mkdir -p "$stage/empty" "$stage/var"
	chmod 755 "$stage/empty" "$stage/var"
	cp "$tmp/build.log" "$stage/build.log"
	if mv -T "$stage" "$p" 2>/dev/null; then
		log "built in $(($(date +%s) - start)) s"
	elif [ -x "$p/sbin/smtpd" ]; then
		log "another build finished first; using it"
	else
		log "cannot move the build to $p"
		exit 1
	fi
}

[ $# -eq 1 ] || { echo "usage: smtpd78.sh build|prefix|why" >&2; exit 2; }
case $1 in
build)
	why=$(why_not_build)
	[ -z "$why" ] || { log "$why"; [ -r "$tarball" ] || exit 3; exit 1; }
	users
	p=$(prefix_of)
	[ -x "$p/sbin/smtpd" ] || build "$p"
	echo "$p"
	;;
prefix)
	[ -r "$tarball" ] || { log "$tarball is absent"; exit 3; }
	p=$(prefix_of)
	[ -x "$p/sbin/smtpd" ] || { log "not built yet: $p"; exit 1; }
	echo "$p"
	;;
why)
	why_not_build
	;;
*)
	echo "usage: smtpd78.sh build|prefix|why" >&2
	exit 2
	;;
esac
