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

# What would take smtpd down if the filter got it wrong: garbage from
# smtpd, an unknown protocol version, a huge line, input that ends in
# the middle of a line.  The filter logs, skips, keeps answering, writes
# only protocol lines, and exits 0 only when stdin ends.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Filter;
use Test::More;

my $SRV = '192.0.2.1:25';
my $CLI = '192.0.2.10:41234';
my ($port) = Filter::dns_fixture();
plan skip_all => 'unbound not installed' unless defined $port;
plan tests => 22 + 5 * 4 + 4 * 4 + 9 + 3;
my $conf = Filter::config($Filter::LAB . "resolver 127.0.0.1\@$port\n");

sub session_works {
	my ($f, $what) = @_;
	my $s = Filter::Session->new($f);
	$s->connect($CLI, $SRV);
	is($s->decision($s->request('ehlo', 'localhost')), 'proceed',
	    "$what: ehlo still answered");
	like($s->decision($s->request('rcpt-to', 'bob@regress.test')),
	    qr/^reject\|504 5\.5\.2 <localhost>/, "$what: verdict still given");
}

# Garbage and malformed lines are logged and skipped.
{
	my $f = Filter->new('-f', $conf);
	$f->handshake('0.6');
	$f->send('garbage line', '', '|||', 'filter|x.y|1|smtp-in|helo|a|b|c',
	    'filter|0.6|1|smtp-in|helo|zzzz|0000000000000001|x.example',
	    'report|0.6|1|smtp-in|link-connect',
	    'report|0.6|1|smtp-in|no-such-event|00000000000000aa|x',
	    'report|0.6|1|smtp-out|link-connect|00000000000000ab|a|pass|1.2.3.4:1|5.6.7.8:25',
	    'config|late-key|value',
	    'report|0.6|1|smtp-in|link-disconnect|00000000000000ff');
	session_works($f, 'after garbage');
	my @extra = $f->drain(0.3);
	is_deeply(\@extra, [], 'garbage gets no answer');
	is($f->finish, 0, 'exit 0 at EOF after garbage');
	like($f->stderr, qr/malformed line from smtpd/, 'garbage is logged');
}

# A major version we do not know, announced at start, is refused then.
{
	my $f = Filter->new('-f', $conf);
	$f->send('config|smtpd-version|9.0', 'config|protocol|1.0',
	    'config|ready');
	my @out = $f->drain(0.5);
	my $st = $f->finish;
	ok($st != 0, 'unknown major version: exits non-zero at start');
	ok(!grep(/register\|ready/, @out), 'unknown major version: never ready');
	like($f->stderr, qr/unsupported filter protocol 1\.0/,
	    'unknown major version: says why');
}

# Config lines in service are smtpd's mistake: logged, ignored, never
# fatal, whatever the version they claim.
for my $v ('0', '', '1.0', '00.7', ' 0.7') {
	my $f = Filter->new('-f', $conf);
	$f->handshake('0.6');
	$f->send("config|protocol|$v");
	session_works($f, "config|protocol|$v after ready");
	is($f->finish, 0, "config|protocol|$v after ready: exit 0 at EOF");
	like($f->stderr, qr/config line after ready, ignored: protocol/,
	    "config|protocol|$v after ready: logged");
}

# At start, a version that does not parse is no version: each line
# carries its own.  "00.7" is 0.7.
for my $v ('0', '', '00.7', ' 0.7') {
	my $f = Filter->new('-f', $conf);
	$f->send('config|smtpd-version|7.8.0', "config|protocol|$v",
	    'config|ready');
	my @reg = $f->drain(0.3);
	is($reg[-1], 'register|ready', "config|protocol|$v at start: ready");
	session_works($f, "config|protocol|$v at start");
	is($f->finish, 0, "config|protocol|$v at start: exit 0 at EOF");
}

# The same major, a newer minor: fine.
{
	my $f = Filter->new('-f', $conf);
	my @reg = $f->handshake('0.7');
	is($reg[-1], 'register|ready', 'protocol 0.7 accepted');
	$f->send('report|1.0|1|smtp-in|link-connect|00000000000000aa|x|pass|'
	    . '192.0.2.9:1|192.0.2.1:25');
	session_works($f, 'after a line of major 1');
	$f->finish;
	like($f->stderr, qr/unsupported protocol version 1\.0, line ignored/,
	    'a line of an unknown major is logged and ignored');
}

# NUL and CR inside a line: one answer, a well-formed one, and the
# filter goes on.
{
	my $f = Filter->new('-f', $conf);
	$f->handshake('0.6');
	my $s = Filter::Session->new($f);
	$s->connect($CLI, $SRV);
	for my $helo ("a\0b.example", "a\rb.example", "\0", "x\r\r") {
		my $d = $s->decision($s->request('ehlo', $helo));
		is($d, 'proceed', 'NUL or CR in a HELO: answered');
	}
	like($s->decision($s->request('rcpt-to', 'bob@regress.test')),
	    qr/^reject\|501 5\.5\.2 <x\?>: Helo command rejected: /,
	    'NUL or CR in a HELO: refused, the bytes shown as ? '
	    . '(a CR before the newline ends the line)');
	session_works($f, 'after NUL and CR');
	is_deeply([ $f->drain(0.3) ], [], 'NUL and CR: no extra line');
	is($f->finish, 0, 'NUL and CR: exit 0 at EOF');
}

# A 1 MiB line is dropped without taking memory, and the next line works.
{
	my $f = Filter->new('-f', $conf);
	$f->handshake('0.6');
	$f->send_raw('report|0.6|1|smtp-in|protocol-client|00000000000000aa|'
	    . ('x' x (1024 * 1024)) . "\n");
	session_works($f, 'after a 1 MiB line');
	is($f->finish, 0, '1 MiB line: exit 0 at EOF');
	like($f->stderr, qr/dropped a \d+-byte line from smtpd \(limit 65791\)/,
	    '1 MiB line: logged');
}

# Input that ends in the middle of a line: exit 0, nothing written.
{
	my $f = Filter->new('-f', $conf);
	$f->handshake('0.6');
	my $s = Filter::Session->new($f);
	$s->connect($CLI, $SRV);
	$f->send_raw('filter|0.6|1|smtp-in|ehlo|' . $s->sid . '|0000');
	is($f->finish, 0, 'EOF mid-line: exit 0');
	is_deeply([ $f->pending_lines ], [], 'EOF mid-line: no answer to half a line');
}

# A request for a phase not registered still gets its one answer.
{
	my $f = Filter->new('-f', $conf);
	$f->handshake('0.6');
	my $s = Filter::Session->new($f);
	$s->connect($CLI, $SRV);
	is($s->decision($s->request('noop', '')), 'proceed',
	    'unregistered phase: answered proceed');
	$f->finish;
}

# An answer that cannot be queued would leave its request waiting for
# ever in smtpd, and the client's session hanging unseen.  Here smtpd
# stops reading our output (out of memory takes the same path): the
# filter exits at once, saying why, and smtpd logs the lost filter.
{
	my $f = Filter->new('-f', $conf);
	$f->handshake('0.6');
	$f->{sel}->remove($f->{out});
	close $f->{out};
	my $s = Filter::Session->new($f);
	$s->connect($CLI, $SRV);
	$s->request('ehlo', 'localhost', 0);
	my $st = $f->kill_wait(0, 5);
	ok($st != -1, 'answer cannot be sent: the filter exits');
	is($st >> 8, 70, 'answer cannot be sent: exit 70, an internal error');
	like($f->stderr, qr/cannot send smtpd a line: Broken pipe/,
	    'answer cannot be sent: says why');
}

# A session smtpd never disconnects is reclaimed after four times smtpd's
# session timeout; one that is still talking is kept.
{
	my $f = Filter->new('-f', $conf);
	$f->send('config|smtpd-version|6.8.0p2',
	    'config|smtp-session-timeout|1', 'config|ready');
	$f->drain(0.3);
	my $lost = Filter::Session->new($f);
	$lost->connect($CLI, $SRV);
	$lost->report('link-auth', 'alice', 'pass');
	my $live = Filter::Session->new($f);
	$live->connect($CLI, $SRV);
	$live->report('link-auth', 'bob', 'pass');
	for (1 .. 14) {
		select(undef, undef, undef, 0.5);
		$live->report('protocol-client', 'NOOP');
	}
	$live->request('ehlo', 'localhost');
	is($live->decision($live->request('rcpt-to', 'x@regress.test')),
	    'proceed', 'a live session keeps its state (still exempt)');
	$lost->request('ehlo', 'localhost');
	like($lost->decision($lost->request('rcpt-to', 'x@regress.test')),
	    qr/^reject\|504 /, 'a lost session was reclaimed (state gone)');
	$f->finish;
	like($f->stderr, qr/${\ $lost->sid} reclaimed: no line from smtpd/,
	    'reclaiming is logged');
}
