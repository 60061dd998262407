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

# make dist writes filter-helo-VERSION.tar.gz of exactly the files git
# tracks (less the port's distinfo), which builds without git and
# passes its unit tests; the program it builds logs that version at
# start.  Every place that repeats the version (the manual, the Debian
# changelog, the OpenBSD port) agrees with filter/version.h, and "make
# distinfo" writes the tarball's real checksum and size for the port.
top=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
port=contrib/openbsd/mail/filter-helo

if ! command -v git >/dev/null 2>&1 ||
    ! git -C "$top" rev-parse --git-dir >/dev/null 2>&1; then
	echo "1..0 # SKIP make dist needs git and a clone"
	exit 0
fi
echo "1..8"
n=0
result()
{
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
}

v=$(sed -n 's/^#define FILTER_HELO_VERSION[^"]*"\(.*\)"$/\1/p' \
    "$top/filter/version.h")
tgz=$tmp/filter-helo-$v.tar.gz
(cd "$top" && make -s dist DISTDIR="$tmp") >"$tmp/dist.log" 2>&1
[ -n "$v" ] && [ -s "$tgz" ]
result $? "make dist writes filter-helo-$v.tar.gz"
sed 's/^/# /' "$tmp/dist.log" | grep -v "^# $tgz\$"

# The archive holds the tracked files, under filter-helo-VERSION/.
(cd "$top" && git ls-files | grep -vx "$port/distinfo" | sort) \
    >"$tmp/tracked"
tar -tzf "$tgz" 2>/dev/null | grep -v '/$' | sed "s|^filter-helo-$v/||" |
    sort >"$tmp/archived"
cmp -s "$tmp/tracked" "$tmp/archived"
result $? "the tarball holds exactly the tracked files"
diff "$tmp/tracked" "$tmp/archived" | sed 's/^/# /' | head -20

# Unpacked, without git, it builds and passes its unit tests.
mkdir "$tmp/src" && tar -xzf "$tgz" -C "$tmp/src" 2>/dev/null
src=$tmp/src/filter-helo-$v
(cd "$src" && make all unit) >"$tmp/build.log" 2>&1
st=$?
result $st "the unpacked tarball builds and passes make unit"
[ $st -eq 0 ] || tail -20 "$tmp/build.log" | sed 's/^/# /'

# The version at start (the filter's log goes to stderr).
printf 'config|ready\n' | "$src/filter-helo" >/dev/null 2>"$tmp/start.err"
grep -qx "filter-helo $v starting" "$tmp/start.err"
result $? "the filter logs \"filter-helo $v starting\""
sed 's/^/# /' "$tmp/start.err"

# The version wherever it is repeated.
man=$(sed -n 's/^\.Os filter-helo //p' "$top/filter-helo.8")
[ "$man" = "$v" ] && grep -qx "filter-helo $v starting" "$top/filter-helo.8" &&
    ! grep "^filter-helo [^ ]* starting$" "$top/filter-helo.8" |
    grep -vqx "filter-helo $v starting"
result $? "filter-helo.8 shows $v (.Os and LOGGING; .Os has \"$man\")"
deb=$(sed -n '1s/^filter-helo (\([^)]*\)).*/\1/p' "$top/debian/changelog" \
    2>/dev/null)
[ "$deb" = "$v" ]
result $? "debian/changelog's first entry is $v (it has \"$deb\")"
obsd=$(sed -n 's/^V =[[:space:]]*//p' "$top/$port/Makefile" 2>/dev/null)
[ "$obsd" = "$v" ]
result $? "the OpenBSD port's V is $v (it has \"$obsd\")"

# make distinfo (here in the unpacked copy): SHA256 in base64 and the
# size, as the ports tree's "make makesum" writes them.
sum=$(perl -MDigest::SHA=sha256_base64 -e '
	open(my $f, "<", $ARGV[0]) or die; binmode $f; local $/;
	print sha256_base64(<$f>), "=";' "$tgz")
size=$(wc -c <"$tgz" | tr -d ' ')
(cd "$src" && make -s distinfo DISTDIR="$tmp") >/dev/null 2>"$tmp/di.err"
printf 'SHA256 (filter-helo-%s.tar.gz) = %s\nSIZE (filter-helo-%s.tar.gz) = %s\n' \
    "$v" "$sum" "$v" "$size" >"$tmp/distinfo.want"
cmp -s "$tmp/distinfo.want" "$src/$port/distinfo"
result $? "make distinfo writes the tarball's SHA256 and SIZE"
diff "$tmp/distinfo.want" "$src/$port/distinfo" 2>&1 | sed 's/^/# /'
sed 's/^/# /' "$tmp/di.err"
