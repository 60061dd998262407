#!/usr/bin/perl
# An smtpd that stops reading the filter's stdout must not grow its
# memory without end: requests wait unread until the answers are
# taken, each still answered exactly once.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Filter;
use Test::More;
use Time::HiRes qw(time);

my $SRV = '192.0.2.1:25';
my $CLI = '192.0.2.10:41234';
my $REQUESTS = 200_000;		# 14 MB of requests, 11 MB of answers
my $RSS_GROWTH = 4096;		# KiB the filter may grow by meanwhile
my ($port) = Filter::dns_fixture();
plan skip_all => 'unbound not installed' unless defined $port;
plan tests => 4;
my $conf = Filter::config("resolver 127.0.0.1\@$port\n");

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
