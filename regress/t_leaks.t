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

# The filter runs for months: under valgrind, sessions that finish,
# sessions that disconnect while their lookups are in flight, a
# deadline that cancels lookups, and reloads (one refused) leave no leak
# and no memory error, nor do the counters, logged and written to
# stats-file; with two blocklist zones, one of which never answers, a
# second HELO, and the HELO's SPF, its check cancelled with the others
# and its result's texts kept by the facts (spf-fail, with exp= text).
# The policy server's lines held for lookups are freed on every path.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Filter;
use Test::More;

# An ASan binary cannot run under valgrind; LeakSanitizer checks it.
plan skip_all => 'built with sanitizers (make test SANITIZE=1)'
    if $ENV{SANITIZE};
plan skip_all => 'valgrind not installed'
    unless system('command -v valgrind >/dev/null 2>&1') == 0;
my ($port) = Filter::dns_fixture();
plan skip_all => 'unbound not installed' unless defined $port;
plan tests => 12;

my $SRV = '192.0.2.1:25';
my $conf = Filter::config($Filter::LAB . "resolver 127.0.0.1\@$port\ndns-timeout 2\n"
    . "profile strict\n" . $Filter::LAB
    . "dbl dbl.test\ndbl dbl.dropped.test\n"
    . "check spf-helo reject\n"
    . "stats-file $Filter::TMP/leaks.prom\nstats-interval 1\n");
my $vlog = "$Filter::TMP/valgrind.log";
{
	local $Filter::BIN = 'valgrind';
	my $f = Filter->new('--quiet', '--leak-check=full',
	    '--errors-for-leak-kinds=definite,indirect', '--error-exitcode=99',
	    "--log-file=$vlog", $ENV{FILTER_HELO} // './filter-helo',
	    '-f', $conf);
	my @reg = $f->handshake('0.7');
	is($reg[-1], 'register|ready', 'handshake under valgrind');

	# Answered sessions, v4 and v6.
	for my $c ([ '192.0.2.10:1', 'good.regress.test' ],
	    [ '[2001:db8::20]:2', 'good6.regress.test' ],
	    [ '192.0.2.10:5', 'spf-fail.regress.test' ],
	    [ '192.0.2.12:3', 'missing.regress.test' ]) {
		my $s = Filter::Session->new($f, version => '0.7');
		$s->connect(@$c[0], $SRV);
		$s->request('ehlo', $c->[1], 10);
		$s->request('rcpt-to', 'bob@regress.test', 10);
		$s->report('link-disconnect');
	}
	# A listed name, then another HELO in the same session.
	{
		my $s = Filter::Session->new($f, version => '0.7');
		$s->connect('192.0.2.37:4', $SRV);
		$s->request('ehlo', 'listed.wild.regress.test', 10);
		$s->request('ehlo', 'mail.spammy.test', 10);
		$s->request('rcpt-to', 'bob@regress.test', 10);
		$s->report('link-disconnect');
	}
	# Gone while lookups are in flight.
	for my $n (1 .. 3) {
		my $s = Filter::Session->new($f, version => '0.7');
		$s->connect("198.51.100.66:1$n", $SRV);
		$s->request('ehlo', "gone$n.dropped.test", 10);
		$s->report('link-disconnect');
	}
	# Cancelled by the deadline.
	my $s = Filter::Session->new($f, version => '0.7');
	$s->connect('198.51.100.66:20', $SRV);
	$s->request('ehlo', 'late.dropped.test', 10);
	like($s->decision($s->request('rcpt-to', 'bob@regress.test', 15)) // '',
	    qr/^reject\|451 /, 'deadline under valgrind: 451');
	# Reloads: a valid file replaces the policy, then a session is
	# judged under the new one; an invalid file is refused.
	kill 'HUP', $f->{pid};
	sleep 2;
	my $r = Filter::Session->new($f, version => '0.7');
	$r->connect('192.0.2.10:22', $SRV);
	$r->request('ehlo', 'good.regress.test', 10);
	$r->request('rcpt-to', 'bob@regress.test', 10);
	$r->report('link-disconnect');
	open(my $cf, '>>', $conf) or die "$conf: $!";
	print $cf "bogus directive\n";
	close $cf;
	kill 'HUP', $f->{pid};
	sleep 2;
	# Still open at EOF, lookups in flight.
	my $o = Filter::Session->new($f, version => '0.7');
	$o->connect('198.51.100.66:21', $SRV);
	$o->request('ehlo', 'open.dropped.test', 10);
	kill 'USR1', $f->{pid};

	my $log = $f->stderr;
	ok($log =~ /^reload: \Q$conf\E: loaded$/m &&
	    $log =~ /^reload: \Q$conf\E: 1 error, /m,
	    'reloads under valgrind: one loaded, one refused');
	my $st = $f->finish(60);
	isnt($st, -1, 'exits at EOF under valgrind');
	is($st >> 8, 0, 'valgrind: no error, no definite or indirect leak');
}

# The policy server (-P), its verdict lines held for the lookups of
# checks set to report, asked of a resolver that answers when told:
# written once they answer, at the deadline, at a reload, at once past
# the bound of four, and at the end.
my $plog = "$Filter::TMP/valgrind-policyd.log";
{
	my $dns = Filter::Resolver->new;
	my $pconf = Filter::config('resolver 127.0.0.1@' . $dns->port
	    . "\ndns-timeout 2\ncheck special-name report\n"
	    . "check private report\ncheck spf-helo pass\n"
	    . "check dns pass\ncheck forward pass\ncheck cname pass\n");
	local $Filter::BIN = 'valgrind';
	my $f = Filter->new('--quiet', '--leak-check=full',
	    '--errors-for-leak-kinds=definite,indirect', '--error-exitcode=99',
	    "--log-file=$plog", $ENV{FILTER_HELO} // './filter-helo',
	    '-P', '-d', '-f', $pconf);
	my $port = 100;
	my $ask = sub {
		$f->send_raw(join('', map { Filter::Policyd::request(
		    request => 'smtpd_access_policy',
		    protocol_state => 'RCPT', client_address => '192.0.2.10',
		    client_port => $port++, helo_name => $_,
		    recipient => 'bob@regress.test') } @_));
		return join('|', map { $f->line(30) // 'none' } 1 .. 2 * @_);
	};
	my $answers = join('|', $ask->('a.leak.test'));
	$dns->take(10);
	$dns->answer(qr/./);
	$answers .= '|' . $ask->('b.leak.test');
	sleep 3;
	$answers .= '|' . $ask->('c.leak.test');
	kill 'HUP', $f->{pid};
	sleep 1;
	$answers .= '|' . $ask->(map { "d$_.leak.test" } 1 .. 5);
	is($answers, join('|', ('action=DUNNO', '') x 8),
	    'policy server under valgrind: answered');
	kill 'TERM', $f->{pid};
	my $st = $f->finish(60);
	is($st >> 8, 0, 'policy server: no error, no definite or indirect '
	    . 'leak');
	# Each line, and whether it was written complete, at the deadline
	# (unknown) or early (waiting).
	my @held = map { / helo=(\S+) .* waiting=/ ? "$1 waiting" :
	    / helo=(\S+) .* unknown=/ ? "$1 unknown" : / helo=(\S+) / ?
	    "$1 complete" : () } $f->stderr =~ /^(\S+ ip=.*)$/mg;
	is_deeply([ sort @held ], [ 'a.leak.test complete',
	    'b.leak.test unknown', 'c.leak.test waiting',
	    map { "d$_.leak.test waiting" } 1 .. 5 ],
	    'policy server: every line written, each on its path');
}

for my $log ($vlog, $plog) {
	open(my $fh, '<', $log) or die "$log: $!";
	my $text = do { local $/; <$fh> };
	unlike($text, qr/Invalid (read|write)|uninitialised/,
	    'no invalid access');
	unlike($text, qr/definitely lost: [1-9]/, 'nothing definitely lost');
	diag($text) if $text =~ /\S/;
}
