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
# The end-to-end harness: a real smtpd(8) with the built filter-helo, in
# network namespaces of its own, asking the regress DNS fixture; the
# clients connect from a second namespace.  Used by regress/t_e2e.t and
# regress/demo.sh (through regress/e2e/E2E.pm).
#
# MTA chooses the server: smtpd (the default), or postfix, Debian's
# Postfix 3.7 with postfix-main.cf.snippet asking filter-helo -S, and
# filter-helo -P through spawn(8) on port 2525 (regress/e2e/postfix.sh,
# sourced, says how; POSTFIX_ROOT: the unpacked package, else
# regress/postfix37.sh fetches it).
#
# SMTPD_PREFIX chooses the smtpd: unset or empty, the system's (Debian
# 12: 6.8.0p2, protocol 0.6, users opensmtpd and opensmtpq, paths
# compiled in under /var and /run); else the prefix of a private build
# (regress/smtpd78.sh: 7.8.0p1, protocol 0.7, users _smtpd and _smtpq,
# its queue, socket and pid file under PREFIX/var).
#
#	harness.sh up DIR	build everything in DIR, an empty directory
#				readable by all, and wait until the MTA
#				serves
#	harness.sh down DIR	take it all apart; safe to repeat, and after
#				an "up" that failed half-way
#	harness.sh policyd DIR stop|start
#				with MTA postfix: stop filter-helo -S, or
#				start it again (regress/e2e/postfix.sh)
#	harness.sh client DIR CMD [ARG ...]
#	harness.sh server DIR CMD [ARG ...]
#				run CMD in the client or the server namespace
#
# The namespaces, named after the PID of "up" so that runs side by side
# do not collide (DIR/harness.env records the names):
#	fh-PID-srv  veth fhPIDs: 192.0.2.1/24, 2001:db8::1/64; routes to
#		    198.51.100.20 and 203.0.113.30 over the veth; lo with
#		    the DNS fixture on 127.0.0.1 and ::1 port 53, named by
#		    /etc/netns/fh-PID-srv/resolv.conf; smtpd (or Postfix)
#	fh-PID-cli  veth fhPIDc: 192.0.2.10-13/24, 2001:db8::20 and ::21/64,
#		    198.51.100.20/32, 203.0.113.30/32
# Neither has a default route or another interface: nothing leaves them.
#
# smtpd's configuration is smtpd.conf.example with the substitutions made
# by make_config below, followed by smtpd-test.conf.in.  It runs as
# "smtpd -d" in a mount namespace of its own (the one "ip netns exec"
# makes) with tmpfs over /var/spool and /run (and PREFIX/var): its queue
# and control socket are private, the host's stay untouched.  There too,
# /etc/passwd and /etc/shadow are copies with one more account, carol
# (password e2e-password), for the example's submission listener, which
# authenticates against system accounts.  Files in DIR:
#	smtpd.conf smtpd.log smtpd.pid	the server and its log (stderr)
#	bin/filter-helo *.conf		the filter and its configurations
#	tls/ creds maildir/		certificate, AUTH table, deliveries
#	passwd shadow			the accounts smtpd sees
#	bin/tap.sh tap/			the "tap" filter's recorder and what
#					it recorded (tap/in, tap/out)
#	dns/				the DNS fixture's run directory
#	pids.seen			every process found in the namespaces
#					at "down", all gone when it returns

set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
PATH=$PATH:/usr/sbin:/sbin
FILTER_HELO=${FILTER_HELO:-$top/filter-helo}
# FILTER_HELO_RUN: the path smtpd.conf.example's filter line runs, if
# not DIR/bin's copy of FILTER_HELO (an installed package's program).
FILTER_HELO_RUN=${FILTER_HELO_RUN:-}
SMTPD_PREFIX=${SMTPD_PREFIX:-}
MTA=${MTA:-smtpd}
if [ -n "$SMTPD_PREFIX" ]; then
	SMTPD=$SMTPD_PREFIX/sbin/smtpd
	SMTPCTL=$SMTPD_PREFIX/sbin/smtpctl
	FILTER_USER=_smtpd
else
	SMTPD=smtpd
	SMTPCTL=smtpctl
	FILTER_USER=opensmtpd
fi

# The listeners smtpd must answer on before "up" returns.
LISTENERS="192.0.2.1:25 [2001:db8::1]:25 192.0.2.1:587 192.0.2.1:2525
[2001:db8::1]:2525 192.0.2.1:2526 192.0.2.1:2587 [2001:db8::1]:2587
192.0.2.1:2588 [2001:db8::1]:587 192.0.2.1:2528"

fail()
{
	echo "harness.sh: $*" >&2
	exit 1
}

usage()
{
	echo "usage: harness.sh up|down DIR | policyd DIR stop|start |" \
	    "client|server DIR CMD [ARG ...]" >&2
	exit 2
}

netns_exists()
{
	ip netns list | awk '{ print $1 }' | grep -qx "$1"
}

# Whether process $1 has exited: gone, or a zombie that only waits for
# its parent (init, for an orphan) to reap it.
exited()
{
	kill -0 "$1" 2>/dev/null || return 0
	state=$(sed -e 's/.*) //' -e 's/ .*//' "/proc/$1/stat" 2>/dev/null) ||
	    return 0
	[ "$state" = Z ]
}

# Wait up to $2 tenths of a second for process $1 to go away.
wait_gone()
{
	n=0
	while ! exited "$1"; do
		n=$((n + 1))
		[ "$n" -gt "$2" ] && return 1
		sleep 0.1
	done
	return 0
}

# SIGKILL, and wait for the end: a big process (the filter built with
# ASan) takes a while to unmap its memory after the signal.
kill_hard()
{
	kill -KILL "$1" 2>/dev/null || true
	wait_gone "$1" 50 || true
}

make_namespaces()
{
	ip netns add "$srv"
	ip netns add "$cli"
	ip link add "$vsrv" netns "$srv" type veth peer name "$vcli" \
	    netns "$cli"

	ip -n "$srv" link set lo up
	ip -n "$srv" addr add 192.0.2.1/24 dev "$vsrv"
	# nodad: usable at once, not "tentative" for a second or two.
	ip -n "$srv" addr add 2001:db8::1/64 dev "$vsrv" nodad
	ip -n "$srv" link set "$vsrv" up
	ip -n "$srv" route add 198.51.100.20/32 via 192.0.2.10
	ip -n "$srv" route add 203.0.113.30/32 via 192.0.2.10

	ip -n "$cli" link set lo up
	for a in 192.0.2.10/24 192.0.2.11/24 192.0.2.12/24 192.0.2.13/24 \
	    198.51.100.20/32 203.0.113.30/32; do
		ip -n "$cli" addr add "$a" dev "$vcli"
	done
	for a in 2001:db8::20/64 2001:db8::21/64; do
		ip -n "$cli" addr add "$a" dev "$vcli" nodad
	done
	ip -n "$cli" link set "$vcli" up

	# "ip netns exec" mounts these over /etc/resolv.conf.
	mkdir -p "/etc/netns/$srv" "/etc/netns/$cli"
	echo 'nameserver 127.0.0.1' >"/etc/netns/$srv/resolv.conf"
	echo 'nameserver 192.0.2.1' >"/etc/netns/$cli/resolv.conf"
}

# smtpd.conf.example, made to run here.  Each substitution must match
# exactly once, so that a change to the example cannot silently leave
# the test running something else:
#	the filter's path and configuration	-> DIR/bin (or FILTER_HELO_RUN),
#						   DIR/default.conf
#	the certificate and key			-> DIR/tls/mx.crt, mx.key
#	delivery to system users' ~/Maildir	-> DIR/maildir as nobody
#	example.org				-> regress.test (the fixture's)
make_config()
{
	ex=$top/smtpd.conf.example
	filter_cmd='/usr/local/libexec/smtpd/filter-helo -f /etc/mail/filter-helo.conf'
	for s in "$filter_cmd" \
	    '"/etc/ssl/certs/mx.example.org.crt"' \
	    '"/etc/ssl/private/mx.example.org.key"' \
	    'maildir alias <aliases>'; do
		[ "$(grep -cF "$s" "$ex")" -eq 1 ] ||
		    fail "smtpd.conf.example: expected one line with $s"
	done
	run=${FILTER_HELO_RUN:-$dir/bin/filter-helo}
	{
		sed -e "s|$filter_cmd|$run -f $dir/default.conf|" \
		    -e "s|\"/etc/ssl/certs/mx.example.org.crt\"|\"$dir/tls/mx.crt\"|" \
		    -e "s|\"/etc/ssl/private/mx.example.org.key\"|\"$dir/tls/mx.key\"|" \
		    -e "s|maildir alias <aliases>|maildir \"$dir/maildir\" \
			virtual { \"@\" = \"nobody\" }|" \
		    -e 's|example\.org|regress.test|g' "$ex"
		sed -e "s|@DIR@|$dir|g" "$here/smtpd-test.conf.in"
	} >"$dir/smtpd.conf"
	"$SMTPD" -n -f "$dir/smtpd.conf" >"$dir/smtpd-n.log" 2>&1 || {
		cat "$dir/smtpd-n.log" >&2
		fail "smtpd -n -f $dir/smtpd.conf failed"
	}
}

make_files()
{
	# The filter runs as user opensmtpd (6.8) or _smtpd (7.8) and the
	# delivery as nobody: both need to reach DIR, whatever the tree's
	# permissions.
	chmod 755 "$dir"
	[ -x "$FILTER_HELO" ] || fail "no filter binary $FILTER_HELO (run make)"
	[ -z "$SMTPD_PREFIX" ] || [ -x "$SMTPD" ] ||
	    fail "no smtpd $SMTPD (run regress/smtpd78.sh build)"
	id -u "$FILTER_USER" >/dev/null 2>&1 ||
	    fail "no user $FILTER_USER, which runs the filters"
	mkdir -p "$dir/bin" "$dir/tls" "$dir/maildir" "$dir/dns" "$dir/tap"
	cp "$FILTER_HELO" "$dir/bin/filter-helo"
	cp "$here/tap.sh" "$dir/bin/tap.sh"
	chmod 755 "$dir/bin" "$dir/bin/filter-helo" "$dir/bin/tap.sh"
	for c in default strict helo-phase header memory spf; do
		cp "$here/$c.conf" "$dir/$c.conf"
		chmod 644 "$dir/$c.conf"
	done
	chown nobody "$dir/maildir"
	chown "$FILTER_USER" "$dir/tap"

	setpriv --reuid="$FILTER_USER" --regid="$FILTER_USER" --clear-groups \
	    test -x "$dir/bin/filter-helo" -a -r "$dir/default.conf" ||
	    fail "user $FILTER_USER cannot reach $dir: set TMPDIR to a" \
		"directory that all users may traverse"

	openssl req -x509 -newkey rsa:2048 -nodes -days 2 \
	    -subj /CN=mx.regress.test -keyout "$dir/tls/mx.key" \
	    -out "$dir/tls/mx.crt" >/dev/null 2>&1 ||
	    fail "openssl could not make a certificate"
	chmod 600 "$dir/tls/mx.key"
	# The hash works without a running smtpd.
	hash=$("$SMTPCTL" encrypt e2e-password)
	echo "alice $hash" >"$dir/creds"
	# carol: a system account, in smtpd's mount namespace only.
	cp /etc/passwd "$dir/passwd"
	cp /etc/shadow "$dir/shadow"
	echo 'carol:x:64999:64999:e2e submission user:/nonexistent:/bin/false' \
	    >>"$dir/passwd"
	echo "carol:$hash:20000:0:99999:7:::" >>"$dir/shadow"
	chmod 644 "$dir/passwd"
	chmod 600 "$dir/shadow"
}

start_smtpd()
{
	# "ip netns exec" execs, and so does sh: $! is smtpd itself.  The
	# private build keeps its queue and socket under PREFIX/var; it
	# must be started by its absolute path (it re-executes itself).
	ip netns exec "$srv" sh -c '
		mount -t tmpfs -o mode=0755 tmpfs /var/spool &&
		mount -t tmpfs -o mode=0755 tmpfs /run &&
		mount --bind "$3/passwd" /etc/passwd &&
		mount --bind "$3/shadow" /etc/shadow &&
		if [ -n "$2" ]; then
			mount -t tmpfs -o mode=0755 tmpfs "$2/var" &&
			mkdir -m 755 "$2/var/run" || exit 1
		fi &&
		exec "$0" -d -f "$1"' "$SMTPD" "$dir/smtpd.conf" \
	    "$SMTPD_PREFIX" "$dir" </dev/null >"$dir/smtpd.log" 2>&1 &
	echo $! >"$dir/smtpd.pid"
}

# Poll every listener's banner from the client side; give up when the
# server (the process of the pid file $1) exits or after 20 s.
wait_banners()
{
	pidfile=$1
	shift
	# shellcheck disable=SC2086
	ip netns exec "$cli" perl -MIO::Socket::IP -e '
		my $pid = shift;
		my $end = time + 20;
		# A listener that accepts but never greets must not hang us.
		$SIG{ALRM} = sub { die "no banner within 25 s\n" };
		alarm 25;
		for my $l (@ARGV) {
			my ($h, $p) = $l =~ /^\[?([^\]]+)\]?:(\d+)$/;
			for (;;) {
				kill(0, $pid) or die "the server exited\n";
				time < $end or die "no banner on $l\n";
				my $s = IO::Socket::IP->new(PeerHost => $h,
				    PeerPort => $p, Timeout => 2);
				my $line = $s ? <$s> : undef;
				last if defined $line && $line =~ /^220 /;
				select(undef, undef, undef, 0.1);
			}
		}' "$(cat "$pidfile")" "$@"
}

up()
{
	[ "$(id -u)" -eq 0 ] || fail "must run as root"
	[ -d "$dir" ] || fail "no directory $dir"
	dir=$(cd "$dir" && pwd)
	[ ! -f "$dir/harness.env" ] || fail "$dir is in use"
	id=$$
	srv=fh-$id-srv
	cli=fh-$id-cli
	printf 'srv=%s\ncli=%s\nmta=%s\n' "$srv" "$cli" "$MTA" \
	    >"$dir/harness.env"
	# Until everything is up, a failure or a signal takes it all down.
	trap 'down' EXIT
	trap 'exit 1' INT TERM

	vsrv=fh${id}s
	vcli=fh${id}c
	case $MTA in
	smtpd)
		printf '%s\n' "$SMTPD" >"$dir/smtpd.path"
		make_files
		make_config
		;;
	postfix)
		pf_make_files
		pf_make_config
		;;
	esac
	make_namespaces
	ip netns exec "$srv" sh "$top/regress/dns/dns.sh" start \
	    "$dir/dns" 53 || fail "the DNS fixture did not start"
	case $MTA in
	smtpd)
		start_smtpd
		wait_banners "$dir/smtpd.pid" $LISTENERS || {
			cat "$dir/smtpd.log" >&2
			fail "smtpd is not serving"
		}
		;;
	postfix)
		pf_start
		wait_banners "$dir/master.pid" $PF_LISTENERS || {
			cat "$dir/master.out" "$dir/syslog" \
			    "$dir/policyd.log" >&2
			fail "Postfix is not serving"
		}
		;;
	esac
	trap - EXIT INT TERM
}

# Stop smtpd or Postfix's master (their children go with them), the
# policy server and the unbounds, then anything else still in our
# namespaces, then the namespaces.
down()
{
	[ -f "$dir/harness.env" ] || return 0
	. "$dir/harness.env"
	for ns in $srv $cli; do
		netns_exists "$ns" && ip netns pids "$ns" >>"$dir/pids.seen"
	done
	# unbound takes two seconds to stop: let both start at once.
	for pidfile in "$dir/dns/unbound.pid" "$dir/dns/validator.pid"; do
		[ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null ||
		    true
	done
	for pidfile in "$dir/smtpd.pid" "$dir/master.pid" \
	    "$dir/policyd.pid"; do
		[ -f "$pidfile" ] || continue
		pid=$(cat "$pidfile")
		kill "$pid" 2>/dev/null || true
		wait_gone "$pid" 100 || kill_hard "$pid"
		rm -f "$pidfile"
	done
	sh "$top/regress/dns/dns.sh" stop "$dir/dns" || true
	for ns in $srv $cli; do
		netns_exists "$ns" || continue
		pids=$(ip netns pids "$ns")
		for pid in $pids; do
			kill "$pid" 2>/dev/null || true
		done
		for pid in $pids; do
			wait_gone "$pid" 50 || kill_hard "$pid"
		done
		ip netns del "$ns"
	done
	rm -rf "/etc/netns/$srv" "/etc/netns/$cli"
	rmdir /etc/netns 2>/dev/null || true
}

case $MTA in
smtpd|postfix) ;;
*)	fail "MTA is smtpd or postfix, not $MTA" ;;
esac
. "$here/postfix.sh"

[ $# -ge 2 ] || usage
cmd=$1
dir=$2
shift 2
case $cmd in
up)
	[ $# -eq 0 ] || usage
	up
	;;
down)
	[ $# -eq 0 ] || usage
	down
	;;
policyd)
	[ $# -eq 1 ] && { [ "$1" = start ] || [ "$1" = stop ]; } || usage
	pf_policyd "$1"
	;;
client|server)
	[ $# -ge 1 ] || usage
	. "$dir/harness.env"
	[ "$cmd" = client ] && ns=$cli || ns=$srv
	exec ip netns exec "$ns" "$@"
	;;
*)
	usage
	;;
esac
