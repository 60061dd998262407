#!/bin/sh
# The Makefile is POSIX make: GNU make and BSD make (bmake) both build
# the program and the unit tests from a clean copy, without a warning.
top=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

echo "1..6"
n=0
for mk in make bmake; do
	if ! command -v $mk >/dev/null 2>&1; then
		for i in 1 2 3; do
			n=$((n + 1)); echo "ok $n # SKIP $mk not installed"
		done
		continue
	fi
	dir=$tmp/$mk
	mkdir -p "$dir"
	(cd "$top" && { git ls-files -co --exclude-standard 2>/dev/null ||
	    find . -name .git -prune -o -type f -print; } |
	    grep -v '\.o$' | tar -cf - -T - | tar -xf - -C "$dir")
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
