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

# add-header yes over the protocol: data-line is registered only then;
# every message line comes back unchanged and in order (dot-stuffed
# lines, '|', empty lines, the final "."), and two headers go before the
# first line of each message: Authentication-Results with the iprev
# result, and X-HELO-Check with the session's last verdict as the log
# line gives it.  Against the regress DNS fixture.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Filter;
use Test::More;

my ($port) = Filter::dns_fixture();
plan skip_all => 'unbound not installed' unless defined $port;

my $SRV = '192.0.2.1:25';
my $BASE = $Filter::LAB . "resolver 127.0.0.1\@$port\ndns-timeout 3\n";
my $conf = Filter::config($BASE . "add-header yes\n"
    . "pass client 203.0.113.0/24\n");
my @MSG = ('Received: from client (client [192.0.2.10])',
    "\tby mx.regress.test (OpenSMTPD) with ESMTP id 1a2b3c4d",
    'Subject: a | pipe', 'From: <a@client.test>', '', 'body', '..x',
    '...', ' ', '.');

# Registration.
my $f = Filter->new('-f', Filter::config($BASE));
my @reg = $f->handshake('0.6');
ok(!grep({ /data-line/ } @reg), 'add-header no: no data-line registered');
my $s = Filter::Session->new($f);
$s->connect(Filter::ipport('192.0.2.10'), $SRV, 'good.regress.test',
    'pass');
$s->verdict('good.regress.test', 'bob@regress.test');
is_deeply([ $s->data(@MSG) ], \@MSG,
    'add-header no: a data-line sent anyway passes unchanged, no header');
$f->finish;

$f = Filter->new('-f', $conf);
@reg = $f->handshake('0.6');
is(scalar(grep { $_ eq 'register|filter|smtp-in|data-line' } @reg), 1,
    'add-header yes: data-line registered');

# A session: its verdict log line, and its headers.
sub run {
	my (%o) = @_;
	my $s = Filter::Session->new($f, version => $o{version} // '0.6');
	if ($o{ip} eq 'local') {
		$s->report('link-connect', 'localhost', 'pass',
		    'unix:/var/run/smtpd.sock', 'unix:/var/run/smtpd.sock');
	} else {
		$s->connect(Filter::ipport($o{ip}), $SRV, $o{rdns},
		    $o{fcrdns});
	}
	my (undef, $rcpt) = $s->verdict($o{helo}, 'bob@regress.test');
	my @msgs = map { [ $s->data(@{ $o{msg} // \@MSG }) ] }
	    1 .. ($o{messages} // 1);
	return ($s, $rcpt, @msgs);
}

sub verdict_line {
	my ($sid) = @_;
	my ($l) = $f->stderr =~ /^$sid (ip=.*)$/m;
	return $l // '';
}

# The header X-HELO-Check should be, from the verdict log line.
sub from_log {
	my ($line) = @_;
	my ($helo) = $line =~ / helo=(\S*)/;
	return "X-HELO-Check: verdict=pass ($1) helo=$helo"
	    if $line =~ /verdict=pass \((exempt: [^)]*)\)/;
	my ($v, $c) = $line =~ / verdict=(\S+) checks=(\S+)/;
	return "X-HELO-Check: verdict=$v checks=$c helo=$helo";
}

my @cases = (
    [ 'iprev pass from our lookup, verdict pass',
      { ip => '192.0.2.10', helo => 'good.regress.test' },
      'iprev=pass policy.iprev=192.0.2.10' ],
    [ 'iprev fail: no PTR; report with the fired checks',
      { ip => '192.0.2.12', helo => 'noptr.regress.test' },
      'iprev=fail policy.iprev=192.0.2.12' ],
    [ 'iprev fail: the PTR name does not resolve back',
      { ip => '192.0.2.11', helo => 'liar.regress.test' },
      'iprev=fail policy.iprev=192.0.2.11' ],
    [ 'iprev temperror: SERVFAIL on the PTR',
      { ip => '198.51.100.67', helo => 'good.regress.test' },
      'iprev=temperror policy.iprev=198.51.100.67' ],
    [ 'junk: address literal not the client',
      { ip => '192.0.2.10', helo => '[192.0.2.99]',
        msg => [ 'X-Spam: Yes', @MSG ] },
      'iprev=pass policy.iprev=192.0.2.10' ],
    [ 'IPv6: the address quoted',
      { ip => '2001:db8::20', helo => 'good6.regress.test' },
      'iprev=pass policy.iprev="2001:db8::20"' ],
    [ 'exempt, not looked up: smtpd\'s FCrDNS pass',
      { ip => '203.0.113.30', helo => 'mail.other.regress.test',
        rdns => 'mail.other.regress.test', fcrdns => 'pass' },
      'iprev=pass policy.iprev=203.0.113.30' ],
    [ 'exempt, not looked up: smtpd\'s FCrDNS error',
      { ip => '203.0.113.31', helo => 'x.regress.test',
        fcrdns => 'error' },
      'iprev=temperror policy.iprev=203.0.113.31' ],
    [ 'exempt, not looked up: smtpd\'s FCrDNS fail',
      { ip => '203.0.113.32', helo => 'x.regress.test', fcrdns => 'fail' },
      'iprev=fail policy.iprev=203.0.113.32' ],
    [ 'unix socket: no iprev',
      { ip => 'local', helo => 'localhost' }, 'none' ],
    [ 'protocol 0.7',
      { ip => '192.0.2.10', helo => 'good.regress.test', version => '0.7',
        messages => 2 },
      'iprev=pass policy.iprev=192.0.2.10' ],
    [ 'protocol 0.4: TOKEN|SID',
      { ip => '192.0.2.10', helo => 'good.regress.test', version => '0.4' },
      'iprev=pass policy.iprev=192.0.2.10' ],
    [ 'two messages in one session',
      { ip => '192.0.2.12', helo => 'noptr.regress.test', messages => 2 },
      'iprev=fail policy.iprev=192.0.2.12' ],
);
# The first two headers, unfolded (RFC 5322 2.2.3), and the lines after.
sub headers {
	my (@l) = @_;
	my @h;
	for (1 .. 2) {
		my $h = shift(@l) // '';
		$h .= ' ' . substr(shift(@l), 1) while @l && $l[0] =~ /^\t/;
		push @h, $h;
	}
	return (@h, \@l);
}

my %seen;
for my $c (@cases) {
	my ($name, $o, $iprev) = @$c;
	my ($s, $rcpt, @msgs) = run(%$o);
	my $log = verdict_line($s->sid);
	my $want_check = from_log($log);
	my $msg = $o->{msg} // \@MSG;
	for my $i (0 .. $#msgs) {
		my ($ar, $hc, $rest) = headers(@{ $msgs[$i] });
		my $n = $i + 1;
		is($ar, "Authentication-Results: mx.regress.test; $iprev",
		    "$name (message $n): Authentication-Results");
		is($hc, $want_check, "$name (message $n): X-HELO-Check "
		    . "says what the log line says");
		is_deeply($rest, $msg,
		    "$name (message $n): then every line, unchanged, in order");
	}
	$seen{$1}++ if $want_check =~ /verdict=(\w+)/;
	$seen{fired}++ if $want_check =~ /checks=(?!-)/;
	$seen{exempt}++ if $want_check =~ /exempt/;
}
ok($seen{$_}, "the cases cover $_") for qw(pass report junk fired exempt);

# What the client gives cannot break the header: smtpd refuses such a
# HELO itself, but a long or odd one must stay one header all the same.
my $odd = 'x' x 300 . "\x7f\x01";
my ($s2, undef, $m) = run(ip => '192.0.2.10', helo => $odd);
my @hdr = @$m;
shift @hdr;
shift @hdr while @hdr && $hdr[0] =~ /^\t/;
my $last = 1;
$last++ while $last < @hdr && $hdr[$last] =~ /^\t/;
splice(@hdr, $last);
ok(@hdr >= 2, 'a 302-byte HELO: the header is folded');
ok(!grep({ /[^\t\x20-\x7e]/ || length($_) > 998 } @hdr),
    '  printable ASCII, lines under 998 octets');
like(join("\n", @hdr), qr/helo=x{252}\.\.\.$/, '  the HELO cut, with "..."');

# smtpd's longest message line comes back whole.
my $long = 'L' x 65534;
my ($s3) = run(ip => '192.0.2.10', helo => 'good.regress.test',
    msg => [ 'Subject: long', '', $long, '.' ]);
my @got = $s3->data('Subject: again', $long, '.');
is(scalar(@got), 5, 'a 65534-byte line: one answer');
ok(defined $got[3] && $got[3] eq $long, '  and it comes back whole');

# Without config|admd (before 6.8): the banner's name.
my $g = Filter->new('-f', $conf);
$g->send('config|smtpd-version|6.6.4', 'config|ready');
while (defined(my $l = $g->line(2))) {
	last if $l eq 'register|ready';
}
my $s4 = Filter::Session->new($g, version => '0.4');
$s4->connect(Filter::ipport('192.0.2.10'), $SRV);
$s4->verdict('good.regress.test', 'bob@regress.test');
@got = $s4->data('Subject: x', '.');
like($got[0] // '', qr/^Authentication-Results: mx\.regress\.test; /,
    'no admd from smtpd: the greeting\'s name');
$f->finish;
$g->finish;

# smtpd before 7.4 cuts a long line a filter answers: said at start.
like($f->stderr, qr/add-header:\ smtpd\ 6\.8\.0p2\ cuts\ message\ lines\ longer
    \ than\ 1997\ bytes/x, 'smtpd 6.8: the line limit is logged');
like($g->stderr, qr/add-header: smtpd 6\.6\.4 cuts/, '  and 6.6.4');
my $h = Filter->new('-f', Filter::config($BASE));
$h->handshake('0.6');
$h->finish;
unlike($h->stderr, qr/cuts message lines/, '  not with add-header no');
$h = Filter->new('-f', $conf);
$h->handshake('0.7');
$h->finish;
unlike($h->stderr, qr/cuts message lines/, '  nor with 7.8');
done_testing();
