#!/usr/bin/perl
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

# The policy server (-S) at its edges.  Out of descriptors, it stops
# accepting for a moment, then listens again: once clients have let go,
# a new one is answered as before.  "unknown", which Postfix sends for
# an address it does not have (XCLIENT's [UNAVAILABLE]), is no
# malformed request: a client without address gets DUNNO, logged, and
# an unknown server address is none.  A second server on the socket of
# one that runs refuses to start, and the first goes on answering; the
# socket a stopped server left is taken over.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Filter;
use IO::Socket::UNIX;
use POSIX qw(WNOHANG);
use Test::More;
use Time::HiRes qw(sleep time);

my $BIN = $Filter::BIN;
plan skip_all => "no $BIN (run make)" unless -x $BIN;
my $TMP = $Filter::TMP;
chmod 0755, $TMP;
my @user = $> == 0 ? ('-u', 'nobody') : ();
my $nservers = 0;
my @started;

# None left running, whatever happens.
END {
	for my $pid (@started) {
		kill 'KILL', $pid;
		waitpid($pid, 0);
	}
}

# filter-helo -S in $TMP, logging to a file, with at most $nofile
# descriptors if given (soft and hard: it raises the soft limit).
sub server {
	my (%o) = @_;
	my $n = ++$nservers;
	my $sock = $o{sock} // "$TMP/policy.$n";
	my $log = "$TMP/server.$n.log";
	my $conf = Filter::config($o{conf} // "resolver 127.0.0.1\n");
	my $pid = fork // die "fork: $!";
	if ($pid == 0) {
		open(STDIN, '<', '/dev/null') or die;
		open(STDOUT, '>', $log) or die;
		open(STDERR, '>&', \*STDOUT) or die;
		my @cmd = ($BIN, '-S', $sock, '-d', @user, '-f', $conf);
		exec('sh', '-c', "ulimit -n $o{nofile} && exec \"\$@\"", 'sh',
		    @cmd) if $o{nofile};
		exec(@cmd);
		die "exec $BIN: $!";
	}
	push @started, $pid;
	my $srv = { pid => $pid, sock => $sock, log => $log };
	for (1 .. 100) {
		last if grep { /^policy server: / } log_lines($srv);
		if (waitpid($pid, WNOHANG) == $pid) {
			$srv->{status} = $?;
			@started = grep { $_ != $pid } @started;
			last;
		}
		sleep 0.05;
	}
	return $srv;
}

sub stop {
	my ($srv) = @_;
	my $pid = $srv->{pid};
	my $status = -1;

	return $srv->{status} if defined $srv->{status};
	kill 'TERM', $pid;
	for (1 .. 100) {
		if (waitpid($pid, WNOHANG) == $pid) {
			$status = $?;
			last;
		}
		sleep 0.05;
	}
	if ($status == -1) {
		kill 'KILL', $pid;
		waitpid($pid, 0);
	}
	@started = grep { $_ != $pid } @started;
	return $srv->{status} = $status;
}

sub log_lines {
	my ($srv) = @_;
	open(my $fh, '<', $srv->{log}) or return ();
	return <$fh>;
}

# One request on a new connection; its answer, '' if none in $secs.
sub ask {
	my ($srv, $req, $secs) = @_;
	my $s = IO::Socket::UNIX->new(Peer => $srv->{sock},
	    Type => SOCK_STREAM) or return "connect: $!";
	print $s $req;
	my $answer = '';
	eval {
		local $SIG{ALRM} = sub { die "timeout\n" };
		alarm($secs // 5);
		while (defined(my $l = <$s>)) {
			$answer .= $l;
			last if $l eq "\n";
		}
		alarm(0);
	};
	return $answer;
}

my $REQ = "request=smtpd_access_policy\nprotocol_state=RCPT\n"
    . "helo_name=localhost\nclient_address=192.0.2.10\n"
    . "client_port=40000\nclient_name=mail.example.org\n\n";
my $REFUSED = "action=504 5.5.2 need fully-qualified hostname\n\n";

# Out of descriptors: 24, fewer than its bound of 32 connections
# (the least it takes) whatever it holds itself, so that accept fails
# before the bound turns anyone away.
{
	my $srv = server(nofile => 24);
	ok(-S $srv->{sock}, 'with 24 descriptors: listening');
	my @held;
	for (1 .. 45) {
		my $c = IO::Socket::UNIX->new(Peer => $srv->{sock},
		    Type => SOCK_STREAM) or last;
		push @held, $c;
	}
	my $end = time + 5;
	sleep 0.05 while time < $end &&
	    !grep { /accept: Too many open files/ } log_lines($srv);
	ok((grep { /^policy server: accept: Too many open files$/ }
	    log_lines($srv)), '45 connections: out of descriptors, logged');
	close $_ for @held;
	@held = ();
	sleep 0.5;
	is(ask($srv, $REQ), $REFUSED,
	    'once they are closed, a new connection is answered');
	is(stop($srv), 0, 'SIGTERM: exit 0');
}

# Postfix's "unknown".
{
	my $srv = server();
	my $req = $REQ =~ s/^client_address=.*$/client_address=unknown/mr;
	is(ask($srv, $req), "action=DUNNO\n\n",
	    'client_address=unknown: DUNNO');
	$req = $REQ =~ s/\n\n$/\nserver_address=unknown\n\n/r;
	is(ask($srv, $req), $REFUSED, 'server_address=unknown: judged');
	is(stop($srv), 0, 'SIGTERM: exit 0');
	ok((grep { /^policy 1\.1: client_address unknown: DUNNO$/ }
	    log_lines($srv)), 'the log: "policy 1.1: client_address unknown: '
	    . 'DUNNO"');
	ok(!(grep { /malformed/ } log_lines($srv)), 'nothing malformed');
}

# except and lists in files, as in the other front ends: the policy
# server goes through the same verdict.
{
	my $names = "$TMP/except-names";
	open(my $fh, '>', $names) or die "$names: $!";
	print $fh "# HELOs spared from non-fqdn\n/^local/\n";
	close $fh;
	my $srv = server(conf => "resolver 127.0.0.1\ncheck dns-error pass\n"
	    . "check special-name pass\ncheck rdns pass\ncheck rdns-match pass\n"
	    . "except non-fqdn client 192.0.2.11\n"
	    . "except non-fqdn helo file $names\n");
	is(ask($srv, $REQ), "action=DUNNO\n\n",
	    'except non-fqdn helo file: spared');
	my $req = $REQ =~ s/^helo_name=.*$/helo_name=myhost/mr;
	is(ask($srv, $req), $REFUSED,
	    'a HELO the pattern does not match: refused');
	$req = $REQ =~ s/^helo_name=.*$/helo_name=myhost/mr
	    =~ s/^client_address=.*$/client_address=192.0.2.11/mr;
	is(ask($srv, $req), "action=DUNNO\n\n",
	    'except non-fqdn client: spared');
	is(stop($srv), 0, 'SIGTERM: exit 0');
	ok((grep { /helo=localhost verdict=pass checks=- spared=non-fqdn:helo$/ }
	    log_lines($srv)), 'the log: spared=non-fqdn:helo');
}

# One socket, two servers.
{
	my $first = server();
	my $sock = $first->{sock};
	my $second = server(sock => $sock);
	is($second->{status}, 1 << 8,
	    'a second server on a live socket: exit 1');
	ok((grep { /^\Q$sock\E: another server listens there$/ }
	    log_lines($second)), '... saying "another server listens there"');
	is(ask($first, $REQ), $REFUSED, 'the first answers on');
	is(stop($first), 0, 'the first stops');
	ok(-S $sock, 'its socket is left behind');
	my $third = server(sock => $sock);
	is(ask($third, $REQ), $REFUSED, 'a new server takes the stale socket');
	is(stop($third), 0, 'SIGTERM: exit 0');
}

done_testing();
