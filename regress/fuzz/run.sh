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

# Run each libFuzzer target for a bounded time: usage run.sh SECONDS
# NAME...  The seeds are regress/fuzz/corpus/NAME; new inputs go to the
# scratch directory regress/fuzz/new/NAME (not kept), and a finding is
# written into the corpus as crash-*, leak-*, timeout-* or oom-*, where
# it becomes a regression input once fixed.  Exit 1 if any target found
# something.
secs=$1
shift
dir=$(cd "$(dirname "$0")" && pwd)
status=0
for t in "$@"; do
	corpus=$dir/corpus/$t
	new=$dir/new/$t
	log=$dir/new/$t.log
	mkdir -p "$new"
	before=$(ls "$corpus" | wc -l)
	had=$(ls "$new" | wc -l)
	"$dir/fuzz_$t" -max_total_time="$secs" -timeout=10 \
	    -print_final_stats=1 -artifact_prefix="$corpus/" \
	    "$new" "$corpus" >"$log" 2>&1
	st=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	found=$(($(ls "$corpus" | wc -l) - before))
	echo "fuzz $t: ${runs:-?} runs in $secs s," \
	    "$(($(ls "$new" | wc -l) - had)) new inputs, $found findings"
	if [ $st -ne 0 ] || [ $found -ne 0 ]; then
		grep -v '^INFO:\|^#[0-9]' "$log" | tail -40
		status=1
	fi
done
exit $status
