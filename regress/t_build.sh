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

# The Makefile is POSIX make: GNU make and BSD make (bmake) both build
# the program and the unit tests from a clean copy, without a warning;
# where a library is missing, "make all" names it and "make deps" and
# compiles nothing.
# And the layers keep their arrows pointing down: checks/ and protocol/
# include nothing of filter/, nor anything of each other, only their
# own headers and compat/; both makes compile them with nothing else
# in sight, so that such an include would not even build.
top=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

echo "1..11"
n=0
for mk in make bmake; do
	if ! command -v $mk >/dev/null 2>&1; then
		for i in 1 2 3 4 5; do
			n=$((n + 1)); echo "ok $n # SKIP $mk not installed"
		done
		continue
	fi
	dir=$tmp/$mk
	mkdir -p "$dir"
	(cd "$top" && { git ls-files -co --exclude-standard 2>/dev/null ||
	    find . -name .git -prune -o -type f -print; } |
	    grep -v '\.o$' | tar -cf - -T - | tar -xf - -C "$dir")
	pkgs=$(sed -n 's/^PKGS[[:space:]]*=[[:space:]]*//p' "$dir/Makefile")
	(cd "$dir" && $mk all PKGS="$pkgs libnothere") >"$tmp/$mk-dep.log" 2>&1
	st=$?
	n=$((n + 1))
	what="$mk all without libnothere names it and make deps, compiles nothing"
	if [ $st -ne 0 ] &&
	    grep -q "^filter-helo cannot be built: missing libnothere\$" \
	    "$tmp/$mk-dep.log" && grep -q '"make deps"' "$tmp/$mk-dep.log" &&
	    [ -z "$(find "$dir" -name '*.o')" ]; then
		echo "ok $n - $what"
	else
		echo "not ok $n - $what"
		sed 's/^/# /' "$tmp/$mk-dep.log" | tail -10
	fi
	(cd "$dir" && $mk all regress/t_proto regress/t_helo regress/t_config \
	    regress/t_verdict) >"$tmp/$mk.log" 2>&1
	st=$?
	n=$((n + 1))
	if [ $st -eq 0 ] && [ -x "$dir/filter-helo" ]; then
		echo "ok $n - $mk builds"
	else
		echo "not ok $n - $mk builds"
		sed 's/^/# /' "$tmp/$mk.log" | tail -20
	fi
	n=$((n + 1))
	if grep -qi 'warning' "$tmp/$mk.log"; then
		echo "not ok $n - $mk build is warning-free"
		grep -i -A3 'warning' "$tmp/$mk.log" | sed 's/^/# /' | head -20
	else
		echo "ok $n - $mk build is warning-free"
	fi
	n=$((n + 1))
	what="$mk: an include of filter/log.h in checks/ or protocol/ fails"
	wrong=
	for f in checks/addr.c protocol/proto.c; do
		cp "$dir/$f" "$tmp/saved.c"
		printf '#include "log.h"\n' >>"$dir/$f"
		if (cd "$dir" && $mk "${f%.c}.o") >"$tmp/$mk-layer.log" 2>&1 ||
		    ! grep -q 'log\.h' "$tmp/$mk-layer.log"; then
			wrong="$wrong $f"
		fi
		mv "$tmp/saved.c" "$dir/$f"
	done
	if [ -z "$wrong" ]; then
		echo "ok $n - $what"
	else
		echo "not ok $n - $what (not so in$wrong)"
	fi
	n=$((n + 1))
	dest=$tmp/$mk-root
	if (cd "$dir" && $mk install DESTDIR="$dest" PREFIX=/usr/local) \
	    >"$tmp/$mk-install.log" 2>&1 &&
	    [ -x "$dest/usr/local/libexec/smtpd/filter-helo" ] &&
	    [ -f "$dest/usr/local/man/man8/filter-helo.8" ] &&
	    [ -f "$dest/usr/local/share/examples/filter-helo/smtpd.conf.example" ] &&
	    [ -f "$dest/usr/local/share/examples/filter-helo/exim.conf.snippet" ] &&
	    [ -f "$dest/usr/local/share/examples/filter-helo/filter-helo.conf" ]
	then
		echo "ok $n - $mk install puts program, manual and examples in place"
	else
		echo "not ok $n - $mk install puts program, manual and examples in place"
		sed 's/^/# /' "$tmp/$mk-install.log" | tail -10
	fi
done

# An include names a header by its file name (-Icompat -Ifilter
# -Iprotocol -Ichecks): the directory holding it is the layer it comes
# from.
n=$((n + 1))
bad=$(cd "$top" && for f in checks/*.[ch] protocol/*.[ch]; do
	here=${f%%/*}
	sed -n 's/^#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f" |
	    while read -r h; do
		[ -f "$here/$h" ] && continue
		[ -f "compat/$h" ] && continue
		for d in filter checks protocol; do
			[ -f "$d/$h" ] && echo "$f includes $d/$h"
		done
	done
done)
what="checks/ and protocol/ include only their own headers and compat/"
if [ -z "$bad" ]; then
	echo "ok $n - $what"
else
	echo "not ok $n - $what"
	echo "$bad" | sed 's/^/# /'
fi
