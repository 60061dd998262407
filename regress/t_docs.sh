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

# The manual is valid mdoc: mandoc -Tlint finds nothing, not even a
# style warning.  Every check that -n lists has its row in the README's
# table of checks and its item in the manual's CHECKS section.  Every
# option of the program's usage message has its item in the manual's
# DESCRIPTION, and each line of that message is in the README.  Every
# source file carries the ISC notice of LICENSE (regress/license.pl
# puts it in those that lack it).
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${FILTER_HELO:-$top/filter-helo}
checks=$("$bin" -n | sed -n 's/^check \([^ ]*\) .*/\1/p')
n=$(printf '%s\n' $checks | wc -l)
# "usage: filter-helo [-nv] [-f file]" and the lines under it, without
# the "usage:" and the indent; the option letters of them all.
usage=$("$bin" -h 2>&1 >/dev/null | sed -n 's/^\(usage:\)\{0,1\} *\(filter-helo .*\)/\2/p')
opts=$(printf '%s\n' "$usage" | tr ' ' '\n' |
    sed -n 's/^\[\{0,1\}-\([A-Za-z][A-Za-z]*\).*/\1/p' | fold -w1 | sort -u)
nu=$(printf '%s\n' "$usage" | grep -c .)
no=$(printf '%s\n' $opts | grep -c .)
echo "1..$((2 + 2 * n + 1 + no + nu))"
if ! command -v mandoc >/dev/null 2>&1; then
	echo "ok 1 # SKIP mandoc not installed"
else
	out=$(mandoc -Tlint -Wwarning "$top/filter-helo.8" 2>&1)
	if [ $? -eq 0 ] && [ -z "$out" ]; then
		echo "ok 1 - filter-helo.8 is mandoc -Tlint clean"
	else
		echo "not ok 1 - filter-helo.8 is mandoc -Tlint clean"
		printf '%s\n' "$out" | sed 's/^/# /'
	fi
fi
out=$(cd "$top" && perl regress/license.pl -n 2>&1)
if [ $? -eq 0 ] && grep -q '^Permission to use, copy, modify' "$top/LICENSE"
then
	echo "ok 2 - LICENSE is ISC, and every source file carries it"
else
	echo "not ok 2 - LICENSE is ISC, and every source file carries it"
	printf '%s\n' "$out" | sed 's/^/# without it: /'
fi
i=2
for c in $checks; do
	i=$((i + 1))
	if grep -q "^  $c  *[a-z]" "$top/README"; then
		echo "ok $i - README: the table has $c"
	else
		echo "not ok $i - README: the table has $c"
	fi
	i=$((i + 1))
	if sed -n '/^\.Sh CHECKS/,/^\.Sh /p' "$top/filter-helo.8" |
	    grep -qx "\.It Cm $c"; then
		echo "ok $i - filter-helo.8: CHECKS has $c"
	else
		echo "not ok $i - filter-helo.8: CHECKS has $c"
	fi
done
i=$((i + 1))
if [ "$nu" -ge 4 ] && [ "$no" -ge 9 ]; then
	echo "ok $i - the usage message: $nu lines, $no options"
else
	echo "not ok $i - the usage message: $nu lines, $no options"
	"$bin" -h 2>&1 | sed 's/^/# /'
fi
for o in $opts; do
	i=$((i + 1))
	if sed -n '/^\.Sh DESCRIPTION/,/^\.Sh /p' "$top/filter-helo.8" |
	    grep -q "^\.It Fl $o\( \|$\)"; then
		echo "ok $i - filter-helo.8: DESCRIPTION has -$o"
	else
		echo "not ok $i - filter-helo.8: DESCRIPTION has -$o"
	fi
done
printf '%s\n' "$usage" | while IFS= read -r line; do
	i=$((i + 1))
	if grep -qxF "    $line" "$top/README"; then
		echo "ok $i - README: $line"
	else
		echo "not ok $i - README: $line"
	fi
done
