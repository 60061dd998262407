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

# Every input in the fuzz corpora (seeds, and findings kept as regression
# inputs) runs through its target without a finding: the harnesses'
# checks, and the sanitizers under "make test SANITIZE=1".
dir=$(cd "$(dirname "$0")/fuzz" && pwd)
names="lines helo config reply dnsmsg spf"
tmp=$(mktemp) || exit 1
trap 'rm -f "$tmp"' EXIT

echo "1..6"
n=0
for t in $names; do
	n=$((n + 1))
	count=$(ls "$dir/corpus/$t" | wc -l)
	if "$dir/replay_$t" "$dir/corpus/$t" >/dev/null 2>"$tmp"; then
		echo "ok $n - $t: $count inputs replayed"
	else
		echo "not ok $n - $t: $count inputs replayed"
		sed 's/^/# /' "$tmp" | tail -30
	fi
done
