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

# The OpenBSD port, as far as it can be tried without OpenBSD: BSD make
# (bmake) builds from a clean copy with the port's MAKE_FLAGS and passes
# the port's TEST_TARGET; its "make install" puts exactly the files of
# pkg/PLIST under PREFIX (less the pkg-readme, which the ports tree
# installs); the policy server's rc.d script is in pkg/PLIST, runs the
# program that PLIST installs in the foreground (rc_bg) as the user that
# PLIST creates, with flags the program takes; and the sources compile
# as C99 with -pedantic, the one exception being the ';' after
# RB_GENERATE_STATIC/RB_PROTOTYPE_STATIC (the OpenBSD idiom; the macros
# expand to whole functions).
top=$(cd "$(dirname "$0")/.." && pwd)
port=$top/contrib/openbsd/mail/filter-helo
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

if ! command -v bmake >/dev/null 2>&1; then
	echo "1..0 # SKIP bmake is not installed (Debian: bmake)"
	exit 0
fi
echo "1..8"
n=0
result()
{
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
}

# The port's MAKE_FLAGS and TEST_TARGET, ${CC} and ${PREFIX} filled in
# as the ports tree would on OpenBSD.
flags=$(sed -n '/^MAKE_FLAGS/,/[^\\]$/p' "$port/Makefile" |
    sed -e 's/^MAKE_FLAGS[[:space:]]*=//' -e 's/\\$//' | tr -s '\n\t ' '   ' |
    sed -e 's/^ //' -e 's/ $//' -e 's/\${CC}/cc/g' \
    -e 's|\${PREFIX}|/usr/local|g')
target=$(sed -n 's/^TEST_TARGET[[:space:]]*=[[:space:]]*//p' "$port/Makefile")

src=$tmp/src
mkdir "$src"
(cd "$top" && { git ls-files 2>/dev/null ||
    find . -name .git -prune -o -type f -print; } |
    grep -v '\.o$' | tar -cf - -T - | tar -xf - -C "$src")

eval "set -- $flags"
(cd "$src" && bmake "$@" all ${target:-unit}) >"$tmp/build.log" 2>&1
st=$?
result $st "bmake $flags all ${target:-unit}"
[ $st -eq 0 ] || tail -20 "$tmp/build.log" | sed 's/^/# /'

# What "make fake" would install, against pkg/PLIST.
(cd "$src" && bmake "$@" install DESTDIR="$tmp/fake") \
    >"$tmp/install.log" 2>&1
st=$?
result $st "bmake install DESTDIR=... with the port's flags"
[ $st -eq 0 ] || tail -10 "$tmp/install.log" | sed 's/^/# /'
(cd "$tmp/fake/usr/local" 2>/dev/null && find . -type f | sed 's|^\./||' |
    sort) >"$tmp/installed"
sed -e '/^share\/doc\/pkg-readmes\//d' -e '/\/$/d' -e '/^@[a-z]*$/d' \
    -e 's/^@bin //' -e 's/^@man //' -e '/^@/d' "$port/pkg/PLIST" |
    sort >"$tmp/plist"
cmp -s "$tmp/plist" "$tmp/installed"
result $? "make install installs exactly the files of pkg/PLIST"
diff "$tmp/plist" "$tmp/installed" | sed 's/^/# /'
missing=
for d in $(sed -n 's|^\([^@].*/\)$|\1|p' "$port/pkg/PLIST"); do
	[ -d "$tmp/fake/usr/local/$d" ] || missing="$missing $d"
done
[ -z "$missing" ]
result $? "the directories pkg/PLIST owns exist${missing:+ (missing:$missing)}"

# The rc.d script, as the ports tree installs it: pkg/NAME.rc for each
# "@rcscript ${RCDIR}/NAME", ${TRUEPREFIX} and ${SYSCONFDIR} filled in.
rc=$(sed -n 's|^@rcscript \${RCDIR}/||p' "$port/pkg/PLIST")
[ "$rc" = filter_helo ] && [ -f "$port/pkg/$rc.rc" ]
result $? "pkg/PLIST has @rcscript \${RCDIR}/$rc, from pkg/$rc.rc"
sed -e 's|\${TRUEPREFIX}|/usr/local|g' -e 's|\${SYSCONFDIR}|/etc|g' \
    "$port/pkg/$rc.rc" >"$tmp/rc" 2>/dev/null
daemon=$(sed -n 's/^daemon="\(.*\)"$/\1/p' "$tmp/rc")
bin=$(sed -n 's/^@bin //p' "$port/pkg/PLIST")
sh -n "$tmp/rc" && grep -qx 'rc_bg=YES' "$tmp/rc" &&
    grep -qx '\. /etc/rc\.d/rc\.subr' "$tmp/rc" &&
    grep -qx 'rc_cmd \$1' "$tmp/rc" && [ "$daemon" = "/usr/local/$bin" ]
result $? "$rc.rc: rc.subr's, in the foreground (rc_bg=YES), runs $bin"
[ -n "$daemon" ] && [ "$daemon" = "/usr/local/$bin" ] ||
    echo "# daemon=\"$daemon\", @bin $bin"

# Its flags, as the program reads them (-n: check and print the
# configuration, here the example's, and exit), and its user, which
# pkg/PLIST creates with its group, one id for both.
rcflags=$(sed -n 's/^daemon_flags="\(.*\)"$/\1/p' "$tmp/rc")
user=$(printf '%s\n' "$rcflags" | sed -n 's/.*-u \([^ ]*\).*/\1/p')
uline=$(grep "^@newuser $user:" "$port/pkg/PLIST")
gline=$(grep "^@newgroup $user:" "$port/pkg/PLIST")
uid=$(printf '%s\n' "$uline" | cut -d: -f2)
ugid=$(printf '%s\n' "$uline" | cut -d: -f3)
gid=$(printf '%s\n' "$gline" | cut -d: -f2)
set -- $(printf '%s\n' "$rcflags" |
    sed 's|-f [^ ]*|-f regress/filter-helo.conf.example|')
(cd "$src" && ./filter-helo "$@" -n) >"$tmp/flags.log" 2>&1
st=$?
[ $st -eq 0 ] && printf '%s\n' "$rcflags" | grep -q -- '-S /' &&
    [ -n "$uid" ] && [ "$uid" = "$ugid" ] && [ "$uid" = "$gid" ] &&
    [ "$uid" -ge 500 ] && [ "$uid" -lt 1000 ]
result $? "daemon_flags \"$rcflags\" parse;\
 @newuser and @newgroup $user, id ${uid:-none}"
[ $st -eq 0 ] || tail -5 "$tmp/flags.log" | sed 's/^/# /'

# C99, pedantic.
(cd "$src" && bmake clean >/dev/null 2>&1 &&
    bmake CFLAGS="-O2 -std=c99 -pedantic -D_DEFAULT_SOURCE -Wall -Wextra \
    -Wno-unused-parameter" all regress/t_proto regress/t_helo \
    regress/t_config regress/t_verdict regress/t_dns) >"$tmp/c99.log" 2>&1
st=$?
grep 'warning:' "$tmp/c99.log" |
    grep -v "^[a-z/]*\.c:[0-9]*:[0-9]*: warning: ISO C does not allow extra .;. outside of a function \[-Wpedantic\]$" \
    >"$tmp/c99.warn"
for w in $(grep "extra .;. outside of a function" "$tmp/c99.log" |
    grep -o '^[a-z/]*\.c:[0-9]*'); do
	f=${w%%:*} l=${w#*:}
	sed -n "${l}p" "$src/$f" | grep -q '^RB_[A-Z_]*STATIC(.*);$' ||
	    echo "$w: extra ';' not after an RB_ macro" >>"$tmp/c99.warn"
done
[ $st -eq 0 ] && [ ! -s "$tmp/c99.warn" ]
result $? "-std=c99 -pedantic: builds, no warning but the RB_ macros' ';'"
[ $st -eq 0 ] || tail -10 "$tmp/c99.log" | sed 's/^/# /'
sed 's/^/# /' "$tmp/c99.warn"
