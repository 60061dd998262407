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
# The SPF check's contract with its callers, through regress/t_spfcheck
# against the regress DNS fixture (regress/dns/dns.sh): none without a
# lookup for what is no domain, yet never called back from
# spf_check_start(); temperror at the check's deadline, however long
# the resolver would wait; no callback once cancelled, whether its
# lookup is under way or already answered.  The driver exits 3 if the
# contract is broken; the conformance of the results is the OpenSPF
# suite's (t_spf_suite.t).

cd "$(dirname "$0")/.." || exit 1
. regress/dns/up.sh
fixture_up regress/t_spfcheck
resolver=127.0.0.1@$port

n=0
# check DESCRIPTION WANT_STDOUT WANT_STDERR_PATTERN MAX_MS ARGS...: the
# driver's output, its exit status 0, its stderr (-v) matching, and
# the time it took under MAX_MS.
check()
{
	what=$1 want=$2 pattern=$3 max=$4
	shift 4
	n=$((n + 1))
	start=$(date +%s%N)
	out=$(./regress/t_spfcheck -v "$@" 2>"$dir/err")
	st=$?
	ms=$((($(date +%s%N) - start) / 1000000))
	if [ "$st" -eq 0 ] && [ "$out" = "$want" ] &&
	    grep -q -- "$pattern" "$dir/err" && [ "$ms" -lt "$max" ]; then
		echo "ok $n - $what"
	else
		echo "not ok $n - $what"
		echo "# exit $st after $ms ms (at most $max), output:" \
		    "$(echo "$out" | tr '\n' '|'), want $want"
		sed 's/^/# stderr: /' "$dir/err"
	fi
}

echo "1..8"
check "an address literal is none, without a lookup, called back later" \
    none "^not a domain (0 lookups)" 5000 \
    "$resolver" 1000 192.0.2.1 "" "[192.0.2.1]"
check "a name of one label is none, without a lookup" \
    none "^not a domain (0 lookups)" 5000 \
    "$resolver" 1000 192.0.2.1 "someone@localhost" helo.regress.test
check "TXT records, none of them SPF: none after one lookup" \
    none "^no SPF record (1 lookups)" 5000 \
    "$resolver" 1000 192.0.2.1 "" nodata.regress.test
check "no TXT record at all: none" \
    none "^no SPF record (1 lookups)" 5000 \
    "$resolver" 1000 192.0.2.1 "" a-only.regress.test
# dropped.test never answers; the resolver itself would wait 1 s
check "a lookup that never ends: temperror at the check's 300 ms" \
    temperror "timeout" 900 \
    "$resolver" 300 192.0.2.1 "" x.dropped.test
check "cancelled while its lookup runs: no callback, the lookup left" \
    cancelled "1 left unanswered" 5000 \
    -c 100 "$resolver" 5000 192.0.2.1 "" y.dropped.test
check "cancelled before its result, known at once, is given: no callback" \
    cancelled "0 left unanswered" 5000 \
    -c 0 "$resolver" 5000 192.0.2.1 "" "[192.0.2.1]"
check "cancelled at once, its lookup just asked: no callback" \
    cancelled "1 left unanswered" 5000 \
    -c 0 "$resolver" 5000 192.0.2.1 "" nodata.regress.test
