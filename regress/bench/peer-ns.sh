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

#
# Run a peer filter that resolves through the system resolver (port 53
# of the servers in /etc/resolv.conf, nothing else) against a DNS of our
# own, without touching the machine's: drive.pl starts it as
#
#	unshare -m -n sh peer-ns.sh DIR ZONE ADDR COMMAND [ARG ...]
#
# In the new network namespace only a loopback exists; an unbound on
# 127.0.0.1 port 53 answers ADDR for every name under ZONE (a redirect
# zone) and refuses the rest, and a resolv.conf naming it is bound over
# /etc/resolv.conf in the new mount namespace.  The unbound's pid goes
# to DIR/unbound.pid (the caller stops it), its query log to
# DIR/unbound.log.  Then the peer replaces this shell, keeping the pid
# the caller forked.

set -eu

[ $# -ge 4 ] || { echo "usage: peer-ns.sh DIR ZONE ADDR COMMAND" >&2; exit 2; }
dir=$1 zone=$2 addr=$3
shift 3
PATH=$PATH:/usr/sbin:/sbin

ip link set lo up
cat >"$dir/unbound.conf" <<EOF
server:
	verbosity: 1
	interface: 127.0.0.1
	port: 53
	do-not-query-localhost: no
	username: ""
	chroot: ""
	directory: "$dir"
	pidfile: ""
	use-syslog: no
	logfile: "$dir/unbound.log"
	log-queries: yes
	access-control: 127.0.0.0/8 allow
	module-config: "iterator"
	num-threads: 1
	local-zone: "." refuse
	local-zone: "$zone." redirect
	local-data: "$zone. 300 IN A $addr"
remote-control:
	control-enable: no
EOF
printf 'nameserver 127.0.0.1\noptions timeout:5 attempts:1\n' \
    >"$dir/resolv.conf"
mount --bind "$dir/resolv.conf" /etc/resolv.conf
: >"$dir/unbound.log"
unbound -d -c "$dir/unbound.conf" </dev/null >"$dir/unbound.stderr" 2>&1 &
echo $! >"$dir/unbound.pid"
tries=0
until grep -q 'start of service' "$dir/unbound.log"; do
	tries=$((tries + 1))
	if [ "$tries" -gt 100 ]; then
		cat "$dir/unbound.stderr" "$dir/unbound.log" >&2
		exit 1
	fi
	sleep 0.1
done
exec "$@"
