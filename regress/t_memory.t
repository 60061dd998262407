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

# Memory across sessions, over the protocol.  A client that gives a
# sixth distinct HELO name within the day fires rotation, and the reply
# and the log say rotation=6/1d; a client whose names are its confirmed
# ones never does, nor an authenticated one; an IPv6 /64 is one client.
# A client that forged our name fires forged-before in its next
# session.  A reload keeps what was learnt.  The policy server
# remembers as well.  1,000,000 distinct clients keep the filter within
# the table's bound, and the stats count the evictions.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Filter;
use Test::More;
use Time::HiRes qw(time sleep);

my $SRV = '192.0.2.1:25';
my $FLOOD = $ENV{MEMORY_FLOOD} // 1_000_000;
my $ENTRIES = 100_000;
my $ENTRY_MAX = 300;		# bytes an address at most
my $SLACK = 4096;		# KiB besides the table

my ($port) = Filter::dns_fixture();
plan skip_all => 'unbound not installed' unless defined $port;
plan tests => 27;

my $base = $Filter::LAB . "resolver 127.0.0.1\@$port\ndns-timeout 3\n"
    . "verdict-phase helo\n";

# One session: greeting, EHLO, disconnect.  Returns the decision.  o:
# rdns (smtpd's confirmed name), auth (authenticated first).
sub ehlo {
	my ($f, $cli, $helo, %o) = @_;
	my $s = Filter::Session->new($f);
	$s->connect(Filter::ipport($cli), $SRV, $o{rdns},
	    $o{rdns} ? 'pass' : undef);
	$s->report('link-greeting', 'mx.regress.test');
	$s->report('link-auth', 'alice', 'pass') if $o{auth};
	my $d = $s->decision($s->request('ehlo', $helo, 10));
	$s->report('link-disconnect');
	return $d // 'no answer';
}

sub names {
	my ($f, $cli, $from, $to, %o) = @_;
	return map { ehlo($f, $cli, "n$_.wild.regress.test", %o) } $from .. $to;
}

my $REJ6 = 'reject|450 4.7.1 <n6.wild.regress.test>: Helo command '
    . 'rejected: too many HELO names from [192.0.2.12] (rotation=6/1d)';

# A rotating client (no PTR): five names pass, the sixth is refused.
{
	my $f = Filter->new('-f', Filter::config($base .
	    "check rotation tempfail\n"));
	$f->handshake('0.6');
	my @d = names($f, '192.0.2.12', 1, 5);
	is_deeply(\@d, [('proceed') x 5], 'five names pass');
	is(ehlo($f, '192.0.2.12', 'n6.wild.regress.test'), $REJ6,
	    'the sixth is refused, with its count');
	is(ehlo($f, '192.0.2.12', 'n1.wild.regress.test'),
	    $REJ6 =~ s/n6/n1/r, 'and so is a name it gave before');
	is(ehlo($f, '192.0.2.12', 'N1.Wild.Regress.Test.'),
	    $REJ6 =~ s/n6\.wild\.regress\.test/N1.Wild.Regress.Test./r,
	    'a name spelt otherwise is the same name: still 6');

	# IPv6: the addresses of a /64 are one client.
	@d = map { ehlo($f, "2001:db8:5:6::$_", "n$_.wild.regress.test") }
	    1 .. 6;
	like($d[5], qr/^reject\|.*rotation=6\/1d/,
	    'IPv6: six addresses of a /64 with a name each: refused');
	is(ehlo($f, '2001:db8:5:7::1', 'n7.wild.regress.test'), 'proceed',
	    'IPv6: the next /64 is another client');

	# Confirmed names: twin-a and twin-b are both 192.0.2.15's.
	@d = map { ehlo($f, '192.0.2.15', "twin-$_.regress.test") }
	    (qw(a b) x 4);
	is_deeply(\@d, [('proceed') x 8],
	    'a client saying its two confirmed names never rotates');
	# smtpd confirmed a different name in each session.
	@d = map { ehlo($f, '198.51.100.40', "h$_.wild.regress.test",
	    rdns => "h$_.wild.regress.test") } 1 .. 8;
	is_deeply(\@d, [('proceed') x 8],
	    'nor one whose names smtpd confirmed, eight of them');
	# Authenticated sessions are exempt and not counted.
	@d = names($f, '198.51.100.41', 1, 8, auth => 1);
	is_deeply(\@d, [('proceed') x 8], 'eight authenticated names pass');
	is(ehlo($f, '198.51.100.41', 'n9.wild.regress.test'), 'proceed',
	    'and count for nothing afterwards');
	$f->finish;
	my $log = $f->stderr;
	my $re = qr/ ip=192\.0\.2\.12 rdns=unknown helo=n6\.wild\.regress\.test/;
	like($log, qr/$re verdict=tempfail checks=[a-z,-]*rotation rotation=6\/1d$/m,
	    'the log line says rotation=6/1d');
	unlike($log, qr/ip=192\.0\.2\.12 .*n5\.wild.* rotation=/,
	    'the fifth name has no count in the log');
}

# forged-before, and its default: report.
{
	my $f = Filter->new('-f', Filter::config($base));
	$f->handshake('0.6');
	like(ehlo($f, '192.0.2.12', 'mx.regress.test'),
	    qr/^reject\|550 5\.7\.1 <mx\.regress\.test>: .*you are not me$/,
	    'a client says our name: self refuses it');
	is(ehlo($f, '192.0.2.12', 'n1.wild.regress.test'), 'proceed',
	    'its next session with another name: reported only');
	is(ehlo($f, '192.0.2.10', 'good.regress.test'), 'proceed',
	    'another client is not affected');
	names($f, '192.0.2.12', 2, 6);
	$f->finish;
	my $log = $f->stderr;
	my $re = qr/ ip=192\.0\.2\.12 .*helo=n1\.wild\.regress\.test/;
	like($log, qr/$re verdict=report checks=[a-z,-]*forged-before/,
	    'the log: forged-before fired, verdict report');
	# our name, then n1 to n5: the sixth name
	$re = qr/ helo=n5\.wild\.regress\.test verdict=report/;
	like($log, qr/$re checks=[a-z,-]*rotation[a-z,-]* rotation=6\/1d$/m,
	    'by default rotation reports too, our name counted');
	unlike($log, qr/ip=192\.0\.2\.10 .*forged-before/,
	    'not for the other client');
}
{
	my $f = Filter->new('-f', Filter::config($base .
	    "check forged-before reject\ncheck rotation pass\n"));
	$f->handshake('0.6');
	ehlo($f, '192.0.2.12', 'mx.regress.test');
	is(ehlo($f, '192.0.2.12', 'n1.wild.regress.test'),
	    'reject|550 5.7.1 <n1.wild.regress.test>: Helo command rejected: '
	    . '[192.0.2.12] forged a HELO name before',
	    'forged-before reject: its next session is refused');
	$f->finish;
}

# A reload keeps the table; SIGUSR1 counts it.
{
	my $conf = Filter::config($base . "check rotation reject\n");
	my $f = Filter->new('-f', $conf);
	$f->handshake('0.6');
	names($f, '192.0.2.12', 1, 5);
	open(my $fh, '>', $conf) or die;
	print $fh $base, "check rotation reject\ncheck cname pass\n";
	close $fh;
	kill 'HUP', $f->{pid};
	my $end = time + 10;
	sleep 0.02 while $f->stderr !~ /reload: .*: loaded/ && time < $end;
	like($f->stderr, qr/reload: .*: loaded/, 'reloaded');
	like(ehlo($f, '192.0.2.12', 'n6.wild.regress.test'),
	    qr/^reject\|550 5\.7\.1 .*rotation=6\/1d\)$/,
	    'after the reload, the sixth name is still the sixth');
	kill 'USR1', $f->{pid};
	$end = time + 10;
	sleep 0.02 while $f->stderr !~ /^stats: / && time < $end;
	like($f->stderr, qr/^stats: .* memory=1\/100000 evicted=0$/m,
	    'stats: one client remembered, of 100000');
	$f->finish;
}

# The policy server (stdio) remembers as well.
{
	my $f = Filter->new('-P', '-f', Filter::config($Filter::LAB .
	    "resolver 127.0.0.1\@$port\ndns-timeout 3\n"
	    . "check rotation reject\n"));
	my @a;
	for my $i (1 .. 6) {
		$f->send("request=smtpd_access_policy", "protocol_state=RCPT",
		    "helo_name=n$i.wild.regress.test",
		    "client_address=192.0.2.12", "client_port=4000$i",
		    "client_name=unknown", "recipient=bob\@regress.test", "");
		my $l = $f->line(10) // 'no answer';
		$f->line(2);
		push @a, $l;
	}
	is_deeply([@a[0 .. 4]], [('action=DUNNO') x 5],
	    'policy server: five names, DUNNO');
	like($a[5], qr/^action=550 5\.7\.1 .*rotation=6\/1d\)$/,
	    'policy server: the sixth refused');
	$f->finish;
}

# A flood of distinct clients: the table stays within its bound.
{
	my $f = Filter->new({ stderr => 'pipe' }, '-f', Filter::config(
	    $Filter::LAB . "resolver 127.0.0.1\@$port\nverdict-phase helo\n"));
	$f->handshake('0.6');
	ehlo($f, '192.0.2.10', 'good.regress.test');
	my $rss0 = $f->rss;
	my $batch = 2000;
	my ($answers, $sid, $t0) = (0, 0, time);
	for (my $i = 0; $i < $FLOOD; $i += $batch) {
		my @l;
		for my $k ($i .. $i + $batch - 1) {
			last if $k >= $FLOOD;
			my $ip = sprintf('%d.%d.%d.7', 20 + ($k >> 16),
			    ($k >> 8) & 255, $k & 255);
			my $s = sprintf('f%015x', $sid);
			my $t = sprintf('e%015x', $sid++);
			my $ts = '1700000000.000000';
			push @l, "report|0.6|$ts|smtp-in|link-connect|$s|"
			    . "h.flood.test|pass|$ip:4000|$SRV",
			    "filter|0.6|$ts|smtp-in|ehlo|$s|$t|[$ip]",
			    "report|0.6|$ts|smtp-in|link-disconnect|$s";
		}
		$f->send(@l);
		for (1 .. @l / 3) {
			my $l = $f->line(10) // last;
			$answers++ if $l =~ /^filter-result\|/;
		}
	}
	my $took = time - $t0;
	is($answers, $FLOOD, "$FLOOD sessions of distinct clients answered");
	my $growth = $f->rss - $rss0;
	my $bound = int($ENTRIES * $ENTRY_MAX / 1024) + $SLACK;
	SKIP: {
		skip 'built with sanitizers (make test SANITIZE=1): memory '
		    . 'is measured in the plain build', 1 if $ENV{SANITIZE};
		ok($growth <= $bound, "RSS grew by $growth KiB, within the "
		    . "table's bound and $SLACK KiB ($bound KiB)");
	}
	diag(sprintf('%d sessions in %.1f s', $FLOOD, $took));
	# what it could not log meanwhile is counted: read what is left
	$f->read_stderr(0.5);
	kill 'USR1', $f->{pid};
	my $log = '';
	my $end = time + 10;
	while ($log !~ /^stats: .*\n/m && time < $end) {
		$log = $f->read_stderr(0.2);
	}
	# the first client's name is its confirmed one: not remembered
	my $used = $FLOOD < $ENTRIES ? $FLOOD : $ENTRIES;
	my $evicted = $FLOOD - $used;
	like($log, qr/^stats: .* memory=$used\/$ENTRIES evicted=$evicted$/m,
	    "stats: $used clients remembered, $evicted evicted");
	$f->finish;
}
