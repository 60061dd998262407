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

# Install what building and testing need, from Debian's packages, when
# it is missing and we may (root with apt-get).  Elsewhere, say what is
# missing and go on: the build then tells what it could not find.
PKGS="build-essential pkg-config libevent-dev libc-ares-dev libidn2-dev
libpsl-dev libbsd-dev bmake mandoc perl valgrind
unbound ldnsutils libyaml-libyaml-perl
opensmtpd swaks iproute2 openssl libio-socket-inet6-perl libnet-ssleay-perl
libio-socket-ssl-perl
autoconf automake libtool bison libssl-dev zlib1g-dev
adduser libidn12 libgnutls-dane0 libnsl2 libdb5.3 libpcre2-8-0
libicu72 libsasl2-2 libssl3
clang libclang-rt-14-dev
git dpkg-dev debhelper fakeroot lintian"
# build and unit tests; the DNS fixture (unbound, both the test zones'
# server and the validating resolver in front of it; ldnsutils signs
# its DNSSEC zone); reading the OpenSPF suite, whose file is YAML
# (YAML::XS, for regress/t_spf_suite.t only); smtpd end to end (swaks
# needs the two Perl modules for IPv6 and TLS; the tests' own STARTTLS
# client needs IO::Socket::SSL); building OpenSMTPD 7.8.0p1 from source
# (regress/smtpd78.sh); the unpacked Exim's user and libraries, and
# those of the unpacked Postfix (regress/postfix37.sh); make
# fuzz (clang's libFuzzer and sanitizer runtimes; gcc's come with
# build-essential); make dist and the Debian package (regress/t_dist.sh,
# t_deb.t).

missing=
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
	    missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
	echo "deps: missing packages:$missing (install them, or run as root)" >&2
	exit 0
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq || exit 1
apt-get install -y -qq --no-install-recommends $missing >/dev/null || exit 1
# Debian starts no daemon here (policy-rc.d), but make sure that the
# MTA and resolver we install for tests do not stay running.
for svc in opensmtpd unbound; do
	[ -x /etc/init.d/$svc ] && /etc/init.d/$svc stop >/dev/null 2>&1
done
exit 0
