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

# SIGTERM and SIGINT end the filter cleanly: exit 0, nothing but
# protocol lines written.  SIGHUP (a reload, t_reload.t) and SIGUSR1
# must not end it, in either mode.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Filter;
use IO::Socket::INET;
use Test::More;

my $SRV = '192.0.2.1:25';
my $CLI = '192.0.2.10:41234';
my ($port) = Filter::dns_fixture();
plan skip_all => 'unbound not installed' unless defined $port;
plan tests => 14;
my $conf = Filter::config($Filter::LAB . "resolver 127.0.0.1\@$port\n");

sub answers {
	my ($f, $what) = @_;
	my $s = Filter::Session->new($f);
	$s->connect($CLI, $SRV);
	is($s->decision($s->request('ehlo', 'localhost')), 'proceed',
	    "$what: still answering");
}

for my $sig (qw(TERM INT)) {
	my $f = Filter->new('-f', $conf);
	$f->handshake('0.6');
	answers($f, "before SIG$sig");
	# A session still open: ending frees it and writes nothing.
	$f->send('report|0.6|1.0|smtp-in|link-connect|00000000000000ab|'
	    . "x|pass|$CLI|$SRV");
	is($f->kill_wait($sig), 0, "SIG$sig: exit 0");
	is(scalar(grep { !Filter::is_protocol($_) } $f->pending_lines), 0,
	    "SIG$sig: nothing but protocol lines");
	like($f->stderr, qr/^SIG$sig: exiting$/m, "SIG$sig: logged");
}

{
	my $f = Filter->new('-v', '-f', $conf);
	$f->handshake('0.6');
	for my $sig (qw(HUP USR1)) {
		kill $sig, $f->{pid};
		select(undef, undef, undef, 0.2);
		answers($f, "after SIG$sig");
	}
	is($f->finish, 0, 'exit 0 at EOF after SIGHUP and SIGUSR1');
	like($f->stderr, qr/^reload: \Q$conf\E: loaded$/m,
	    'SIGHUP: a reload, logged');
}

# The one-shot mode ignores them as well: while it waits for a resolver
# that never answers, they come, and its verdict still does.
{
	my $silent = IO::Socket::INET->new(Proto => 'udp',
	    LocalAddr => '127.0.0.1', LocalPort => 0) or die "udp: $!";
	my $silent_conf = Filter::config($Filter::LAB . 'resolver 127.0.0.1@'
	    . $silent->sockport . "\ndns-timeout 2\n");
	my $pid = open(my $out, '-|', $Filter::BIN, '-E', '-f', $silent_conf,
	    'helo=good.regress.test', 'client=192.0.2.10') or die "fork: $!";
	select(undef, undef, undef, 0.5);
	kill 'HUP', $pid;
	kill 'USR1', $pid;
	my $reply = do { local $/; <$out> };
	close $out;
	is($? & 127, 0, '-E: SIGHUP and SIGUSR1 do not kill it');
	like($reply, qr/^451 /, '-E: the verdict still comes');
}
