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

# The private check against the DNS fixture: HELO names whose A and
# AAAA answers are all private, loopback or link-local, and names with
# one public address among private ones.  By default it only reports;
# raised to reject, it refuses, over the protocol and through -E.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Filter;
use Test::More;

my ($port) = Filter::dns_fixture();
plan skip_all => 'unbound not installed' unless defined $port;

my $TIMEOUT = 2;
# Not what this file tests: the fixture's names are all under .test,
# and SPF (t_spf_helo.t).
my $base = "resolver 127.0.0.1\@$port\ndns-timeout $TIMEOUT\n"
    . "check special-name pass\ncheck spf-helo pass\n";
my $reject = "check private reject\n";
my $refused = 'reject|550 5.7.1 <%s>: Helo command rejected: resolves '
    . 'only to private addresses';

# name, extra config, helo, answer at rcpt-to, log match
my @cases = (
    [ 'default: reported, accepted', '', 'private.regress.test',
      'proceed', qr/helo=private\.regress\.test verdict=report checks=forward,private$/m ],
    [ 'RFC 1918 only', $reject, 'private.regress.test',
      sprintf($refused, 'private.regress.test'),
      qr/verdict=reject checks=forward,private$/m ],
    [ 'loopback only', $reject, 'loopback.regress.test',
      sprintf($refused, 'loopback.regress.test'),
      qr/verdict=reject checks=forward,private$/m ],
    [ 'link-local AAAA only', $reject, 'linklocal.regress.test',
      sprintf($refused, 'linklocal.regress.test'),
      qr/verdict=reject checks=forward,private$/m ],
    [ 'private A and unique-local AAAA', $reject,
      'private-dual.regress.test',
      sprintf($refused, 'private-dual.regress.test'),
      qr/verdict=reject checks=forward,private$/m ],
    [ 'a public A among private ones', $reject, 'mixed.regress.test',
      'proceed', qr/helo=mixed\.regress\.test verdict=report checks=forward$/m ],
    [ 'a public AAAA beside a private A', $reject, 'public6.regress.test',
      'proceed', qr/helo=public6\.regress\.test verdict=report checks=forward$/m ],
    [ 'no address: for the dns check', $reject, 'nodata.regress.test',
      'reject|450 4.7.1 <nodata.regress.test>: Helo command rejected: '
      . 'Host not found', qr/verdict=tempfail checks=dns,forward$/m ],
    [ 'lookups failed: never 5xx', $reject, 'x.servfail.test',
      'reject|451 4.4.3 <x.servfail.test>: Helo command rejected: '
      . 'temporary DNS failure, try again later',
      qr/verdict=tempfail checks=dns-error,rdns-match unknown=dns,forward,cname,private$/m ],
    [ 'private alone asks A and AAAA',
      $reject . join('', map { "check $_ pass\n" }
      qw(dns forward cname rdns rdns-match dynamic rcpt-domain)),
      'linklocal.regress.test', sprintf($refused, 'linklocal.regress.test'),
      qr/verdict=reject checks=private$/m ],
);

for my $c (@cases) {
	my ($name, $conf, $helo, $want, $log) = @$c;
	Filter::dns_case($name, $base . $conf, '192.0.2.10', $helo, $want,
	    $log, pause => 0.1);
}
ok(Filter::dns_queries('linklocal.regress.test', 'AAAA') > 0,
    'the fixture was asked the AAAA records');

# A check set to report is not waited for once the verdict is report
# already, yet logged whatever the timing.  special-name, set to report,
# fires at once on the HELO (a name under .test), so private, also
# report, cannot change the verdict: the answers are given before any
# lookup, the more so as the recipients come right after EHLO, all in
# one write so that no answer can come between them.  The HELO's
# addresses are all private, and each verdict line, written once the
# lookups have answered, names private.
{
	my $f = Filter->new('-f', Filter::config($base
	    . "check special-name report\ncheck private report\n"
	    . join('', map { "check $_ pass\n" } qw(dns forward cname))));
	$f->handshake('0.6');
	# Requests of a session in one write: how many proceed.
	my $send = sub {
		my ($s, @req) = @_;
		$f->send(map { join('|', 'filter', '0.6',
		    Filter::Session::ts(), 'smtp-in', $_->[0], $s->sid,
		    $s->{token}, $_->[1]) } @req);
		return scalar(grep { ($s->decision($f->line(5)) // '') eq
		    'proceed' } @req);
	};
	# The first n verdict lines of a session: each HELO, and whether
	# private fired or was still waiting.
	my $lines = sub {
		my ($s, $n) = @_;
		my $sid = $s->sid;
		my $log = $f->stderr_until(qr/(^$sid .*\n){$n}/m);
		my @got;
		for ($log =~ /^$sid (.*)$/mg) {
			my ($helo, $checks) =
			    / helo=(\S+) verdict=report checks=(\S+)/;
			push @got, $helo // $_,
			    ($checks // '') =~ /\bprivate\b/ ? 'fired' :
			    / waiting=\S*\bprivate\b/ ? 'waiting' : $_;
		}
		return \@got;
	};
	my $dual = 'private-dual.regress.test';

	my $s = Filter::Session->new($f);
	$s->connect(Filter::ipport('192.0.2.10'), '192.0.2.1:25');
	my $t0 = Time::HiRes::time();
	is($send->($s, [ 'ehlo', $dual ], [ 'rcpt-to', 'bob@regress.test' ],
	    [ 'rcpt-to', 'alice@regress.test' ]), 3,
	    'two recipients right after EHLO: all proceed');
	my $took = Time::HiRes::time() - $t0;
	ok($took < 1, "  at once ($took s)");
	is_deeply($lines->($s, 2), [ ($dual, 'fired') x 2 ],
	    '  each verdict line names private');

	# Faster than DNS: ten recipients.  A session holds eight lines at
	# most: the two oldest are written at once, with the checks still
	# waiting, the other eight once the lookups answered.  Then a
	# recipient and another EHLO: the new HELO ends what the last
	# one's lookups could say, and its line is written.
	$s = Filter::Session->new($f);
	$s->connect(Filter::ipport('192.0.2.10'), '192.0.2.1:25');
	is($send->($s, [ 'ehlo', $dual ],
	    map { [ 'rcpt-to', "u$_\@regress.test" ] } 1 .. 10), 11,
	    'ten recipients right after EHLO: all proceed');
	my @first = (($dual, 'waiting') x 2, ($dual, 'fired') x 8);
	is_deeply($lines->($s, 10), \@first,
	    '  the two oldest lines at once, the other eight complete');
	is($send->($s, [ 'ehlo', 'private.regress.test' ],
	    [ 'rcpt-to', 'bob@regress.test' ],
	    [ 'ehlo', 'mixed.regress.test' ]), 3,
	    'a recipient, then EHLO again: all proceed');
	is_deeply($lines->($s, 11), [ @first, 'private.regress.test',
	    'waiting' ],
	    '  the new HELO wrote the line with what was known');
	$f->finish;
}

# -E, the Exim front end.
my $conf = Filter::config($base . $reject);
my @oneshot = (
    [ 'all private', [ 'helo=loopback.regress.test',
      'client=192.0.2.10' ], 1, "550 5.7.1 <loopback.regress.test>: Helo "
      . "command rejected: resolves only to private addresses\n" ],
    [ 'one public address', [ 'helo=mixed.regress.test',
      'client=192.0.2.10' ], 0, "accept\n" ],
);
for my $t (@oneshot) {
	my ($name, $args, $status, $line) = @$t;
	my ($got_st, $got) = Filter::oneshot($conf, @$args);
	is($got_st, $status, "-E $name: exit $status");
	is($got, $line, "-E $name: the line");
}

done_testing();
