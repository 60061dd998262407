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

# A flood of new clients whose PTR lookups are never answered (the
# fixture drops every query under 198.18.0.0/15) must not stop the
# filter: each lookup costs its memory until the resolver's retries
# end it, its caller is told at its deadline, stdin is read all along,
# a client that needs no lookup is answered at once, memory stays
# bounded, and a good client passes again after the flood.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Filter;
use Test::More;
use Time::HiRes qw(time sleep);

my $SRV = '192.0.2.1:25';
my $PROBE = '192.0.2.99:40000';	# exempt: its verdict needs no lookup
my $FLOOD = 30_000;		# clients connecting at once
my $SLICES = 10;		# a probe after each slice of the flood
my $PROBE_MAX = 1;		# seconds; about a millisecond is usual
# KiB per flooding client, for its session (about 1 KiB) and its
# lookup in flight, ours and c-ares' (well under 1 KiB).
my $RSS_PER_CLIENT = 2;
my $TIMEOUT = 2;		# dns-timeout
my $RECOVER = 20;		# seconds for DNS to work again

my ($port) = Filter::dns_fixture();
plan skip_all => 'unbound not installed' unless defined $port;
plan tests => 7;

my $f = Filter->new('-f', Filter::config($Filter::LAB . "resolver 127.0.0.1\@$port\n"
    . "dns-timeout $TIMEOUT\npass client 192.0.2.99/32\n"));
$f->handshake('0.6');

# A session that needs no lookup: the seconds its EHLO answer took.
sub probe {
	my $s = Filter::Session->new($f);
	$s->connect($PROBE, $SRV);
	my $t0 = time;
	my $got = $s->decision($s->request('ehlo', 'probe.example', 10));
	my $took = time - $t0;
	$s->report('link-disconnect');
	return defined $got && $got eq 'proceed' ? $took : undef;
}

# A good client: proceed once its lookups are answered.
sub good {
	my $s = Filter::Session->new($f);
	$s->connect('192.0.2.10:40000', $SRV);
	my (undef, $got) = $s->verdict('good.regress.test',
	    'bob@regress.test', timeout => $TIMEOUT + 3);
	$s->report('link-disconnect');
	return $got // '';
}

is(good(), 'proceed', 'before the flood, a good client passes');
my $rss0 = $f->rss;

my (@sessions, $flood);
for my $i (0 .. $FLOOD - 1) {
	my $s = Filter::Session->new($f);
	push @sessions, $s;
	$flood .= join('|', 'report', '0.6', Filter::Session::ts(), 'smtp-in',
	    'link-connect', $s->sid, '<unknown>', 'fail',
	    sprintf('198.18.%d.%d:%d', $i >> 8, $i & 255, 40000 + $i % 20000),
	    $SRV) . "\n";
}

my ($max, $lost, $rss_max) = (0, 0, $rss0 // 0);
my $note = sub {
	my ($took) = @_;
	if (defined $took) {
		$max = $took if $took > $max;
	} else {
		$lost++;
	}
	my $rss = $f->rss;
	$rss_max = $rss if defined $rss && $rss > $rss_max;
};
my $slice = int(length($flood) / $SLICES) + 1;
for (my $off = 0; $off < length($flood); $off += $slice) {
	my $part = substr($flood, $off, $slice);
	my $done = $f->write_some($part, 0, 10);
	last if $done < length($part);
	$note->(probe());
}
# Meanwhile the queued lookups meet their deadline, and fail.
my $end = time + $TIMEOUT + 1;
while (time < $end) {
	$note->(probe());
	sleep(0.05);
}
$f->send(map { join('|', 'report', '0.6', Filter::Session::ts(), 'smtp-in',
    'link-disconnect', $_->sid) } @sessions);
$note->(probe());

is($lost, 0, 'every probe was answered');
ok($max < $PROBE_MAX, sprintf('each within %d s: the slowest took %.0f ms',
    $PROBE_MAX, $max * 1000));
SKIP: {
	skip 'no /proc', 1 unless defined $rss0;
	# ASan's redzones and quarantine double what 30,000 lookups hold.
	skip 'built with sanitizers (make test SANITIZE=1): memory is '
	    . 'measured in the plain build', 1 if $ENV{SANITIZE};
	ok($rss_max < 2 * $rss0 + $RSS_PER_CLIENT * $FLOOD,
	    "memory stays bounded: $rss0 KiB before, $rss_max KiB at most "
	    . 'during the flood');
}

# The dropped queries hold nothing a good client needs: it passes at
# once, or as soon as the flood's own sessions are answered.
my $after = '';
$end = time + $RECOVER;
while (time < $end) {
	last if ($after = good()) eq 'proceed';
	sleep(0.5);
}
is($after, 'proceed', 'after the flood, a good client passes again');
note('memory after the flood: ' . ($f->rss // '?') . ' KiB');
is($f->finish(30), 0, 'exit 0 at EOF');
my @bad = grep { !Filter::is_protocol($_) } $f->pending_lines;
is(scalar(@bad), 0, 'nothing but protocol lines') or diag($bad[0]);
