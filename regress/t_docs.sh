#!/bin/sh
# The manual is valid mdoc: mandoc -Tlint finds nothing, not even a
# style warning.
top=$(cd "$(dirname "$0")/.." && pwd)
echo "1..1"
if ! command -v mandoc >/dev/null 2>&1; then
	echo "ok 1 # SKIP mandoc not installed"
	exit 0
fi
out=$(mandoc -Tlint -Wwarning "$top/filter-helo.8" 2>&1)
if [ $? -eq 0 ] && [ -z "$out" ]; then
	echo "ok 1 - filter-helo.8 is mandoc -Tlint clean"
else
	echo "not ok 1 - filter-helo.8 is mandoc -Tlint clean"
	printf '%s\n' "$out" | sed 's/^/# /'
fi
