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

# An smtpd that stops reading the filter's stderr, or its stdout, must
# not stop the filter nor grow its memory without end: log lines that
# do not fit are dropped and counted, and requests wait unread until
# the answers are taken, each still answered exactly once.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Filter;
use Test::More;
use Time::HiRes qw(time);

my $SRV = '192.0.2.1:25';
my $CLI = '192.0.2.10:41234';
my $JUNK = 1500;		# malformed lines: 50 KB in, 270 KB of log
my $REQUESTS = 200_000;		# 14 MB of requests, 11 MB of answers
my $RSS_GROWTH = 4096;		# KiB the filter may grow by meanwhile
my ($port) = Filter::dns_fixture();
plan skip_all => 'unbound not installed' unless defined $port;
plan tests => 10;
my $conf = Filter::config($Filter::LAB . "resolver 127.0.0.1\@$port\n");

# Nobody reads stderr: the filter logs a lot and still answers at once.
{
	my $f = Filter->new({ stderr => 'pipe' }, '-f', $conf);
	$f->handshake('0.6');
	my $junk = ("\x01" x 32 . "\n") x $JUNK;
	my $off = $f->write_some($junk, 0, 2);
	is($off, length($junk), 'the junk was all written');
	my $s = Filter::Session->new($f);
	$s->connect($CLI, $SRV);
	my $t0 = time;
	my $answer = $s->decision($s->request('ehlo', 'localhost', 3));
	is($answer, 'proceed', 'a session is still answered');
	ok(time - $t0 < 1, 'and promptly');

	my $log = $f->read_stderr(1);
	my @lines = split /\n/, $log;
	my $logged = grep { /^malformed line from smtpd \(.*\): (\\001){31}$/ }
	    @lines;
	my ($notice) = grep { /^log: / } @lines;
	my ($dropped) = ($notice // '') =~
	    /^log: (\d+) lines dropped: stderr was not being read$/;
	ok(defined $dropped, 'once read again, it says lines were dropped')
	    or diag($notice // 'no notice');
	is($logged + ($dropped // 0), $JUNK,
	    "every line was either logged whole or counted ($logged + "
	    . ($dropped // 0) . ')');
	is($f->finish, 0, 'exit 0 at EOF');
}

# Nobody reads stdout: requests stay unread, memory stays bounded, and
# once smtpd reads again each request has exactly one answer.
{
	my $f = Filter->new('-f', $conf);
	$f->handshake('0.6');
	my $sid = '5b32df56000000aa';
	my $req = join('', map {
		sprintf("filter|0.6|1.0|smtp-in|data|%s|%016x|\n", $sid, $_)
	} 1 .. $REQUESTS);
	my $rss0 = $f->rss;
	my $off = $f->write_some($req, 0, 1);
	my $rss1 = $f->rss;
	SKIP: {
		skip 'no /proc', 1 unless defined $rss0 && defined $rss1;
		ok($rss1 - $rss0 < $RSS_GROWTH, 'memory stays bounded: grew by '
		    . ($rss1 - $rss0) . " KiB after $off of " . length($req)
		    . ' bytes of requests');
	}
	while ($off < length($req)) {
		$off = $f->write_some($req, $off, 0.01);
		$f->_fill(0.01);
	}
	is($f->finish(60), 0, 'exit 0 at EOF');
	my %seen;
	my $bad = 0;
	for ($f->pending_lines) {
		if (/^filter-result\|$sid\|([0-9a-f]{16})\|proceed$/) {
			$seen{hex $1}++;
		} else {
			$bad++;
		}
	}
	is(scalar(keys %seen), $REQUESTS, 'every request was answered');
	is($bad + grep({ $_ != 1 } values %seen), 0,
	    'exactly once, and nothing else');
}
