#!/bin/sh
# The manual is valid mdoc: mandoc -Tlint finds nothing, not even a
# style warning.  Every check that -n lists has its row in the README's
# table of checks and its item in the manual's CHECKS section.
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${FILTER_HELO:-$top/filter-helo}
checks=$("$bin" -n | sed -n 's/^check \([^ ]*\) .*/\1/p')
n=$(printf '%s\n' $checks | wc -l)
echo "1..$((1 + 2 * n))"
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
i=1
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
