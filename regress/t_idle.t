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

# What an idle session costs: connected, its HELO judged, no lookup in
# flight, waiting for its next command.  A busy MX holds thousands of
# them, so each must stay small: the resident memory of the filter,
# grown by N such sessions, divided by N.  Three kinds: an address
# literal HELO with the DNS checks off; a HELO that is the name smtpd
# forward-confirmed (nothing to ask, cname off); and, against the
# regress DNS fixture, a client whose lookups were all answered.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Filter;
use Test::More;

plan skip_all => 'no /proc' unless -r "/proc/$$/status";
# ASan's shadow memory and quarantine are counted in the resident set.
plan skip_all => 'built with sanitizers (make test SANITIZE=1): memory '
    . 'is measured in the plain build' if $ENV{SANITIZE};
my ($port) = Filter::dns_fixture();

my $N = $ENV{IDLE_SESSIONS} // 5000;
# Bytes a session may cost: the target of BENCHMARKS.md, some 50% over
# what glibc's allocator gives here.
my $BOUND = 1024;
my $SRV = '192.0.2.1:25';
# rotation reads the client's PTR too; the table it keeps of clients is
# no session's, and t_memory.t bounds it.
my $off = join('', map { "check $_ pass\n" }
    qw(dns forward cname rdns rdns-match rcpt-domain dynamic protected
    rotation forged-before));

# Open n sessions of the given kind up to their verdict at RCPT TO, in
# batches whose answers are read as they come, so that the filter never
# stops reading for them and few lookups are in flight at a time.
sub open_sessions {
	my ($f, $n, $kind, $first) = @_;
	my $batch = 250;
	for (my $i = $first; $i < $first + $n; $i += $batch) {
		my @lines;
		my $end = $i + $batch < $first + $n ? $i + $batch : $first + $n;
		for my $k ($i .. $end - 1) {
			my $s = Filter::Session->new($f);
			my $ip = sprintf('10.%d.%d.%d', ($k >> 16) & 255,
			    ($k >> 8) & 255, $k & 255);
			my ($rdns, $fcrdns, $helo) = $kind eq 'literal' ?
			    ('<unknown>', 'fail', "[$ip]") :
			    $kind eq 'verified' ?
			    ("h$k.regress.test", 'pass', "h$k.regress.test") :
			    ('<unknown>', 'fail', 'good.regress.test');
			$ip = '192.0.2.10' if $kind eq 'looked-up';
			push @lines, join('|', 'report', '0.6', '1.0',
			    'smtp-in', 'link-connect', $s->sid, $rdns,
			    $fcrdns, "$ip:40000", $SRV),
			    join('|', 'filter', '0.6', '1.0', 'smtp-in',
			    'ehlo', $s->sid, $s->{token}, $helo),
			    join('|', 'filter', '0.6', '1.0', 'smtp-in',
			    'rcpt-to', $s->sid, $s->{token},
			    'bob@regress.test');
		}
		$f->send(@lines);
		# The verdict at RCPT TO waits for the lookups: once it is
		# given, none is in flight.
		for (1 .. 2 * ($end - $i)) {
			my $l = $f->line(10);
			return 0 unless defined $l && $l =~ /\|proceed$/;
		}
	}
	return 1;
}

my %config = (
    literal => $off,
    verified => $Filter::LAB . "check cname pass\n",
    'looked-up' => $Filter::LAB . "resolver 127.0.0.1\@" . ($port // 0) . "\n",
);
for my $kind (qw(literal verified looked-up)) {
	SKIP: {
	skip('unbound not installed', 4)
	    if $kind eq 'looked-up' && !defined $port;
	my $f = Filter->new('-f', Filter::config($config{$kind}));
	$f->handshake('0.6');
	# Warm up: the allocator's first arenas, c-ares', libidn2's.
	ok(open_sessions($f, 500, $kind, 1), "$kind: 500 sessions first");
	my $rss0 = $f->rss;
	ok(open_sessions($f, $N, $kind, 1000), "$kind: $N more sessions");
	my $rss1 = $f->rss;
	my $per = ($rss1 - $rss0) * 1024 / $N;
	diag(sprintf('%s: %.0f bytes resident per idle session (%d KiB for '
	    . '%d)', $kind, $per, $rss1 - $rss0, $N));
	cmp_ok($per, '<', $BOUND, "$kind: an idle session costs under "
	    . "$BOUND bytes");
	is($f->finish, 0, "$kind: exit 0");
	}
}

done_testing();
