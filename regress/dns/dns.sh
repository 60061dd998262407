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
# The regress DNS fixture: two unbound daemons on 127.0.0.1 and ::1 that
# never ask anyone else.  The authoritative one answers from
# regress.test.zone, signed.test.zone, dbl.test.zone and unbound.conf.in;
# the validating one (validator.conf.in) is a site's resolver in front of
# it: it validates signed.test and stripped.test against their trust
# anchors, sets the AD bit on what validated and answers SERVFAIL for
# what is bogus.
#
#	dns.sh start DIR [PORT]	write DIR/unbound.conf and
#				DIR/validator.conf, start both daemons
#				(the authoritative one on PORT, the
#				validator on PORT + 1), wait until they
#				serve; DIR/unbound.pid, DIR/unbound.log
#				(one line per query), DIR/validator.pid,
#				DIR/validator.log (the same, and why an
#				answer is bogus), DIR/bogus.ds (the
#				anchor of stripped.test, which no key
#				matches), DIR/signed.ta (the trust anchor
#				of signed.test, which is signed anew with
#				a new key; only with the ldns tools)
#	dns.sh stop DIR		stop them and wait until they are gone
#
# DNS_FCRDNS=N (the benchmark's, N up to 262144): N client addresses
# from 100.64.0.0 up (carrier-grade NAT space, never a public host),
# each with a PTR to its own name hI.fcrdns.test whose A is that address
# again, so that N sessions from new clients each find a forward-
# confirmed name.  Made at start, only when asked: a quarter of a
# million records would slow every test's start.
#
# Readiness: unbound logs "start of service" once its sockets are bound
# and the zones are loaded; a query sent after that is answered.  This
# needs nothing beyond the unbound package (no dig, no unbound-host);
# signing signed.test needs ldns-keygen and ldns-signzone (Debian:
# ldnsutils), and without them it is served unsigned and the validator
# has no anchor for it.

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
	[ "$port" -lt 65535 ] ||
	    fail "bad port: $port (the validator needs the next one)"
	vport=$((port + 1))
	cp "$here/regress.test.zone" "$here/dbl.test.zone" "$here/bogus.ds" \
	    "$dir/"
	sign "$dir"
	conf "$here/unbound.conf.in" "$dir/unbound.conf"
	# The fixture is the resolver of a mail host that asks it over
	# loopback.  unbound's wait-limit (Debian 12's 1.17.1 has it
	# backported) drops a client's queries once 1000 of its replies
	# wait for recursion, resolvable names with the rest, so that a
	# stream of names whose servers never answer would make the
	# resolver, not the filter, defer mail.  A site lifts it for its
	# own host; the fixture serves loopback only, so it lifts it
	# (wait-limit-netblock, the finer way, does not parse in that
	# backport).  An unbound without the option has no such limit.
	if unbound-checkconf -o wait-limit "$dir/unbound.conf" \
	    >/dev/null 2>&1; then
		printf 'server:\n\twait-limit: 0\n' >>"$dir/unbound.conf"
	fi
	fcrdns "$dir" "${DNS_FCRDNS:-0}"
	unbound-checkconf "$dir/unbound.conf" >/dev/null ||
	    fail "bad configuration $dir/unbound.conf"
	conf "$here/validator.conf.in" "$dir/validator.conf"

	# Both start at once: each takes a few tenths of a second.
	launch unbound
	launch validator
	await unbound
	await validator
}

# conf TEMPLATE FILE: FILE for this run's directory and ports.
conf()
{
	sed -e "s|@DIR@|$dir|g" -e "s|@PORT@|$port|g" -e "s|@VPORT@|$vport|g" \
	    "$1" >"$2"
	# Linux without IPv6 on lo: serve 127.0.0.1 only.
	if [ -r /proc/net/if_inet6 ] &&
	    ! grep -q '^0*1 .* lo$' /proc/net/if_inet6; then
		sed_in "$2" '/interface: ::1@/d'
	fi
	# Unsigned without the ldns tools: no anchor for signed.test.
	[ -s "$dir/signed.ta" ] || sed_in "$2" '/signed\.ta"$/d'
	unbound-checkconf "$2" >/dev/null || fail "bad configuration $2"
}

# sed_in FILE SCRIPT: FILE edited in place (POSIX sed has no -i).
sed_in()
{
	sed "$2" "$1" >"$1.tmp"
	mv "$1.tmp" "$1"
}

# Start the daemon of DIR/NAME.conf; its pid goes to DIR/NAME.pid.
launch()
{
	: >"$dir/$1.log"
	unbound -d -c "$dir/$1.conf" </dev/null >"$dir/$1.stderr" 2>&1 &
	echo "$!" >"$dir/$1.pid"
}

# Wait until NAME serves; if it does not, stop them all and fail.
await()
{
	pid=$(cat "$dir/$1.pid")
	tries=0
	until grep -q 'start of service' "$dir/$1.log"; do
		if ! kill -0 "$pid" 2>/dev/null; then
			cat "$dir/$1.stderr" "$dir/$1.log" >&2
			stop "$dir"
			fail "$1 exited (port $port or $vport in use?)"
		fi
		tries=$((tries + 1))
		if [ "$tries" -gt 100 ]; then
			stop "$dir"
			fail "$1 did not start within 10 s"
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

# The zones of DNS_FCRDNS: fcrdns.test and the reverse /16 zones of
# 100.64.0.0/14 the N addresses need, as auth-zones reached through
# transparent holes in "." refuse, like the others.
fcrdns()
{
	dir=$1 n=$2

	case $n in
	''|*[!0-9]*)
		fail "bad DNS_FCRDNS: $n" ;;
	esac
	[ "$n" -gt 0 ] || return 0
	[ "$n" -le 262144 ] || fail "DNS_FCRDNS over 262144: $n"
	awk -v n="$n" -v dir="$dir" '
	function zone(file, origin) {
		printf "$ORIGIN %s\n$TTL 300\n@ SOA ns.regress.test. " \
		    "hostmaster.regress.test. 1 3600 600 86400 60\n" \
		    "@ NS ns.regress.test.\n", origin >file
		printf "\tlocal-zone: \"%s\" transparent\n", origin >conf
		printf "auth-zone:\n\tname: \"%s\"\n\tzonefile: " \
		    "\"%s\"\n\tfor-downstream: yes\n\tfor-upstream: " \
		    "no\n\tfallback-enabled: no\nserver:\n", origin,
		    file >conf
	}
	BEGIN {
		conf = dir "/fcrdns.conf"
		printf "server:\n" >conf
		fwd = dir "/fcrdns.test.zone"
		zone(fwd, "fcrdns.test.")
		for (i = 0; i < n; i++) {
			b = 64 + int(i / 65536)
			c = int(i / 256) % 256
			d = i % 256
			if (!(b in rev)) {
				rev[b] = sprintf("%s/%d.100.in-addr.arpa.zone",
				    dir, b)
				zone(rev[b], b ".100.in-addr.arpa.")
			}
			printf "h%d A 100.%d.%d.%d\n", i, b, c, d >fwd
			printf "%d.%d PTR h%d.fcrdns.test.\n", d, c, i >rev[b]
		}
	}' || fail "cannot write the fcrdns zones"
	cat "$dir/fcrdns.conf" >>"$dir/unbound.conf"
}

# Each takes a second or two to go: they are told at once.
stop()
{
	dir=$1

	for name in unbound validator; do
		[ -f "$dir/$name.pid" ] &&
		    kill "$(cat "$dir/$name.pid")" 2>/dev/null || true
	done
	for name in unbound validator; do
		[ -f "$dir/$name.pid" ] || continue
		pid=$(cat "$dir/$name.pid")
		tries=0
		while kill -0 "$pid" 2>/dev/null; do
			tries=$((tries + 1))
			if [ "$tries" -eq 50 ]; then
				kill -KILL "$pid" 2>/dev/null || true
			elif [ "$tries" -gt 60 ]; then
				fail "$name $pid does not go away"
			fi
			sleep 0.1
		done
		rm -f "$dir/$name.pid"
	done
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
