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
# make bench: speed and memory of the real filter-helo against the
# regress DNS fixture (an unbound on loopback).  Prints a report in
# Markdown on stdout; BENCH_OUT=FILE also writes it there.  It measures
# and reports, and fails only when it cannot run.  Parameters are the
# BENCH_* variables listed at the top of regress/bench/drive.pl; the
# method and one run's numbers are in BENCHMARKS.md.

set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
PATH=$PATH:/usr/sbin:/usr/local/sbin
FILTER_HELO=${FILTER_HELO:-$top/filter-helo}
BENCH_NULL=${BENCH_NULL:-$here/bench/null-filter}
BENCH_POLICY_CLIENT=${BENCH_POLICY_CLIENT:-$here/bench/policy-client}
export FILTER_HELO BENCH_NULL BENCH_POLICY_CLIENT

if [ ! -x "$FILTER_HELO" ]; then
	echo "bench: no $FILTER_HELO (make all)" >&2
	exit 1
fi
if [ ! -x "$BENCH_NULL" ]; then
	echo "bench: no $BENCH_NULL (make regress/bench/null-filter)" >&2
	exit 1
fi
if [ ! -x "$BENCH_POLICY_CLIENT" ]; then
	echo "bench: no $BENCH_POLICY_CLIENT" \
	    "(make regress/bench/policy-client)" >&2
	exit 1
fi
if ! command -v unbound >/dev/null 2>&1; then
	echo "bench: unbound not installed" >&2
	exit 1
fi

# The peer filter, Debian's opensmtpd-filter-senderscore: installed
# here when missing and we may (root with apt-get), as deps.sh does for
# the tests; without it the bench skips its column and says why.
ss=opensmtpd-filter-senderscore
installed()
{
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'
}
if ! command -v dpkg-query >/dev/null 2>&1; then
	BENCH_SENDERSCORE_WHY="no dpkg: $ss not looked for"
elif ! installed $ss; then
	if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
		echo "bench: installing $ss" >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		    --no-install-recommends $ss >/dev/null 2>&1 ||
		    { DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
		    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		    --no-install-recommends $ss >/dev/null 2>&1; } || true
	fi
	installed $ss || BENCH_SENDERSCORE_WHY="$ss not installed (not root \
or no apt-get, or the install failed)"
fi
if [ -z "${BENCH_SENDERSCORE_WHY:-}" ]; then
	BENCH_SENDERSCORE=${BENCH_SENDERSCORE:-$(dpkg -L $ss |
	    grep '/filter-senderscore$' | head -n 1)}
	if ! command -v unshare >/dev/null 2>&1 ||
	    ! unshare -m -n true >/dev/null 2>&1; then
		BENCH_SENDERSCORE_WHY="cannot make a mount and network \
namespace (unshare -m -n) for its DNS"
	fi
fi
export BENCH_SENDERSCORE=${BENCH_SENDERSCORE:-}
export BENCH_SENDERSCORE_WHY=${BENCH_SENDERSCORE_WHY:-}

# Clients with forward-confirmed names in the fixture, for the streams
# of new clients (regress/dns/dns.sh).
DNS_FCRDNS=${DNS_FCRDNS:-131072}
export DNS_FCRDNS

tmp=$(mktemp -d "${TMPDIR:-/tmp}/filter-helo-bench.XXXXXX")
dnsdir=$tmp/dns
mkdir "$dnsdir"
# The fixture goes away whatever happens; a signal ends us through exit
# so that the EXIT trap runs.
cleanup()
{
	sh "$here/dns/dns.sh" stop "$dnsdir" >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

port=
try=0
while [ $try -lt 10 ]; do
	p=$((20000 + ($$ * 7 + try * 101) % 20000))
	if sh "$here/dns/dns.sh" start "$dnsdir" "$p" 2>"$tmp/dns.err"; then
		port=$p
		break
	fi
	try=$((try + 1))
done
if [ -z "$port" ]; then
	cat "$tmp/dns.err" >&2
	echo "bench: cannot start the DNS fixture" >&2
	exit 1
fi

version()
{
	dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo unknown
}

report()
{
	echo "# filter-helo benchmark"
	echo
	echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "- filter: $(cd "$top" && git describe --always --dirty \
	    2>/dev/null || echo unknown), $FILTER_HELO"
	echo "- machine: $(nproc) CPUs, $(sed -n \
	    's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)," \
	    "$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' \
	    /proc/meminfo), Linux $(uname -r)"
	echo "- unbound $(version unbound), libunbound $(version \
	    libunbound8), libevent $(version libevent-2.1-7), perl" \
	    "$(perl -e 'printf "%vd", $^V')"
	if [ -n "$BENCH_SENDERSCORE" ]; then
		echo "- peer: $ss $(version $ss), $BENCH_SENDERSCORE"
	else
		echo "- peer: none, $BENCH_SENDERSCORE_WHY"
	fi
	echo
	BENCH_DNS_PORT=$port BENCH_DNS_DIR=$dnsdir \
	    perl "$here/bench/drive.pl"
}

# The report streams as it is made; its status survives the pipe.
{ report && echo 0 >"$tmp/rc" || echo 1 >"$tmp/rc"; } |
    tee "${BENCH_OUT:-/dev/null}"
exit "$(cat "$tmp/rc")"
