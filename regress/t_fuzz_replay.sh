#!/bin/sh
# Every input in the fuzz corpora (seeds, and findings kept as regression
# inputs) runs through its target without a finding: the harnesses'
# checks, and the sanitizers under "make test SANITIZE=1".
dir=$(cd "$(dirname "$0")/fuzz" && pwd)
names="lines helo config reply dnsmsg"
tmp=$(mktemp) || exit 1
trap 'rm -f "$tmp"' EXIT

echo "1..5"
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
