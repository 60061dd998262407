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
# The regress DNS fixture: an unbound daemon on 127.0.0.1 and ::1 that
# answers from regress.test.zone and unbound.conf.in, and never asks
# anyone else; the blocklist zone comes from dbl.test.zone.
#
#	dns.sh start DIR [PORT]	write DIR/unbound.conf, start the daemon,
#				wait until it serves; DIR/unbound.pid,
#				DIR/unbound.log (one line per query),
#				DIR/bogus.ds (a trust anchor no answer
#				matches), DIR/signed.ta (the trust anchor
#				of signed.test, which is signed anew with
#				a new key; only with the ldns tools)
#	dns.sh stop DIR		stop it and wait until it is gone
#
# Readiness: unbound logs "start of service" once its sockets are bound
# and the zones are loaded; a query sent after that is answered.  This
# needs nothing beyond the unbound package (no dig, no unbound-host);
# signing signed.test needs ldns-keygen and ldns-signzone (Debian:
# ldnsutils), and without them it is served unsigned.

set -eu

here=$(cd "$(dirname "$0")" && pwd)
PATH=$PATH:/usr/sbin:/usr/local/sbin

usage()
{
	echo "usage: dns.sh start DIR [PORT] | stop DIR" >&2
	exit 2
}

fail()
{
	echo "dns.sh: $*" >&2
	exit 1
}

start()
{
	dir=$(cd "$1" && pwd)
	port=${2:-5353}

	command -v unbound >/dev/null 2>&1 ||
	    fail "unbound not found (Debian: apt-get install unbound)"
	case $port in
	''|*[!0-9]*)
		fail "bad port: $port" ;;
	esac
	sed -e "s|@DIR@|$dir|g" -e "s|@PORT@|$port|g" \
	    "$here/unbound.conf.in" >"$dir/unbound.conf"
	# Linux without IPv6 on lo: serve 127.0.0.1 only.
	if [ -r /proc/net/if_inet6 ] &&
	    ! grep -q '^0*1 .* lo$' /proc/net/if_inet6; then
		sed '/interface: ::1@/d' "$dir/unbound.conf" >"$dir/conf.tmp"
		mv "$dir/conf.tmp" "$dir/unbound.conf"
	fi
	cp "$here/regress.test.zone" "$here/dbl.test.zone" "$here/bogus.ds" \
	    "$dir/"
	sign "$dir"
	unbound-checkconf "$dir/unbound.conf" >/dev/null ||
	    fail "bad configuration $dir/unbound.conf"

	: >"$dir/unbound.log"
	unbound -d -c "$dir/unbound.conf" </dev/null \
	    >"$dir/unbound.stderr" 2>&1 &
	pid=$!
	echo "$pid" >"$dir/unbound.pid"

	tries=0
	until grep -q 'start of service' "$dir/unbound.log"; do
		if ! kill -0 "$pid" 2>/dev/null; then
			cat "$dir/unbound.stderr" "$dir/unbound.log" >&2
			rm -f "$dir/unbound.pid"
			fail "unbound exited (port $port in use?)"
		fi
		tries=$((tries + 1))
		if [ "$tries" -gt 100 ]; then
			kill "$pid" 2>/dev/null || true
			rm -f "$dir/unbound.pid"
			fail "unbound did not start within 10 s"
		fi
		sleep 0.1
	done
}

# signed.test with a key of this run only, so that no key lives in the
# tree and the signatures are always current.  One key signs everything
# (flags 257, a KSK as its own ZSK): validation does not tell the
# difference.  tampered.signed.test is changed after signing to make a
# bad signature under a good chain of trust.
sign()
{
	dir=$1

	cp "$here/signed.test.zone" "$dir/signed.test.zone"
	rm -rf "$dir/signed.ta" "$dir/keys"
	command -v ldns-keygen >/dev/null 2>&1 &&
	    command -v ldns-signzone >/dev/null 2>&1 || return 0
	mkdir "$dir/keys"
	key=$(cd "$dir/keys" &&
	    ldns-keygen -a ECDSAP256SHA256 -k signed.test) ||
	    fail "ldns-keygen failed"
	ldns-signzone -o signed.test. -f "$dir/keys/signed.test.zone" \
	    "$dir/signed.test.zone" "$dir/keys/$key" ||
	    fail "ldns-signzone failed"
	# 192.0.2.41 is in tampered's A record and nowhere else
	sed 's/[[:space:]]192\.0\.2\.41$/ 192.0.2.42/' \
	    "$dir/keys/signed.test.zone" >"$dir/signed.test.zone"
	grep -q '[[:space:]]192\.0\.2\.42$' "$dir/signed.test.zone" ||
	    fail "cannot tamper with tampered.signed.test"
	cp "$dir/keys/$key.ds" "$dir/signed.ta"
}

stop()
{
	dir=$1

	[ -f "$dir/unbound.pid" ] || return 0
	pid=$(cat "$dir/unbound.pid")
	kill "$pid" 2>/dev/null || true
	tries=0
	while kill -0 "$pid" 2>/dev/null; do
		tries=$((tries + 1))
		if [ "$tries" -eq 50 ]; then
			kill -KILL "$pid" 2>/dev/null || true
		elif [ "$tries" -gt 60 ]; then
			fail "unbound $pid does not go away"
		fi
		sleep 0.1
	done
	rm -f "$dir/unbound.pid"
}

case ${1:-} in
start)
	[ $# -ge 2 ] && [ $# -le 3 ] || usage
	start "$2" "${3:-}"
	;;
stop)
	[ $# -eq 2 ] || usage
	stop "$2"
	;;
*)
	usage
	;;
esac
