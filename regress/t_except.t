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

# except, lists in files, /regex/ entries: each form over the protocol
# and through -E, the same table for both.  An exception spares its
# check only (another check still refuses the same client) and the log
# says which one spared what; -n names the files with their counts; a
# bad pattern or a bad line in a file stops the start with its place;
# 100,000-entry files load and answer at once.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use File::Temp qw(tempdir);
use Filter;
use Test::More;
use Time::HiRes qw(time);

my ($port) = Filter::dns_fixture();
plan skip_all => 'unbound not installed' unless defined $port;

my $SRV = '192.0.2.1:25';
my $dir = tempdir(CLEANUP => 1);

sub file {
	my ($name, @lines) = @_;
	my $path = "$dir/$name";
	open(my $fh, '>', $path) or die "$path: $!";
	print $fh map { "$_\n" } @lines;
	close $fh;
	return $path;
}

my $clients = file('clients', '# partners behind NAT', '', '198.51.100.0/24',
    '203.0.113.7   # one more');
my $names = file('names', 'good.regress.test', '.partner.test',
    '/^build[0-9]+\.lab\.test$/');
my $bots = file('bots', '/^(ylmf-pc|win-[a-z0-9]{11}|desktop-[a-z0-9]{7})$/');
my $orgs = file('orgs', '# organisations, one a line', 'bank.example alias '
    . 'bank-mail.example');
my $conf = Filter::config($Filter::LAB . "resolver 127.0.0.1\@$port\n"
    . "dns-timeout 3\ncheck literal reject\ncheck dynamic reject\n"
    . "check rdns pass\ncheck rdns-match pass\n"
    . "except literal client 192.0.2.50\n"
    . "except literal client file $clients\n"
    . "except non-fqdn helo /^host[0-9]+\$/\n"
    . "except non-fqdn rcpt postmaster@\n"
    . "except dynamic rdns .pool.regress.test\n"
    . "pass helo file $names\n"
    . "block helo file $bots\n"
    . "block helo /^evil[0-9]*\\.example\$/\n"
    . "protect file $orgs\n");

my $NONFQDN = 'reject|504 5.5.2 <%s>: Helo command rejected: need '
    . 'fully-qualified hostname';
my $LITERAL = 'reject|550 5.7.1 <%s>: Helo command rejected: address '
    . 'literal does not match %s';
my $DENIED = 'reject|550 5.7.1 <%s>: Helo command rejected: Access denied';

# client, HELO, recipient, the answer, what the log line says.
my @cases = (
    [ 'except literal client: a NAT gateway', '192.0.2.50',
      '[10.0.0.5]', 'bob@regress.test', 'proceed',
      qr/verdict=pass checks=- spared=literal:client$/ ],
    [ 'except literal client from a file: a network', '198.51.100.9',
      '[172.17.0.2]', 'bob@regress.test', 'proceed',
      qr/spared=literal:client$/ ],
    [ 'except literal client from a file: an address', '203.0.113.7',
      '[172.17.0.2]', 'bob@regress.test', 'proceed',
      qr/spared=literal:client$/ ],
    [ 'except literal: another client is refused', '203.0.113.8',
      '[172.17.0.2]', 'bob@regress.test',
      sprintf($LITERAL, '[172.17.0.2]', '203.0.113.8'),
      qr/verdict=reject checks=literal$/ ],
    [ 'except literal spares that check only', '192.0.2.50',
      'localhost', 'bob@regress.test',
      sprintf($NONFQDN, 'localhost'), qr/verdict=reject checks=non-fqdn$/ ],
    [ 'except helo /regex/', '192.0.2.12', 'host42', 'bob@regress.test',
      'proceed', qr/spared=non-fqdn:helo$/ ],
    [ 'except helo /regex/ is anchored as written', '192.0.2.12',
      'myhost42', 'bob@regress.test', sprintf($NONFQDN, 'myhost42'),
      qr/checks=non-fqdn$/ ],
    [ 'except rcpt', '192.0.2.12', 'localhost', 'postmaster@regress.test',
      'proceed', qr/spared=non-fqdn:rcpt$/ ],
    [ 'except rdns: a business domain that looks dynamic', '192.0.2.13',
      '192-0-2-13.pool.regress.test', 'bob@regress.test', 'proceed',
      qr/spared=dynamic:rdns$/ ],
    [ 'pass helo file: a name', '192.0.2.12', 'good.regress.test',
      'bob@regress.test', 'proceed', qr/\(exempt: pass helo\)$/ ],
    [ 'pass helo file: a suffix', '192.0.2.12', 'mx.partner.test',
      'bob@regress.test', 'proceed', qr/\(exempt: pass helo\)$/ ],
    [ 'pass helo file: a pattern, without case', '192.0.2.12',
      'BUILD7.lab.test', 'bob@regress.test', 'proceed',
      qr/\(exempt: pass helo\)$/ ],
    [ 'block helo file: a bot name', '192.0.2.12', 'WIN-ABCDEFGHIJK',
      'bob@regress.test', sprintf($DENIED, 'WIN-ABCDEFGHIJK'),
      qr/verdict=reject checks=blocklist/ ],
    [ 'block helo file: not a near miss', '192.0.2.12', 'win-abc',
      'bob@regress.test', sprintf($NONFQDN, 'win-abc'),
      qr/verdict=reject checks=non-fqdn$/ ],
    [ 'block helo /regex/ in place', '192.0.2.12', 'evil3.example',
      'bob@regress.test', sprintf($DENIED, 'evil3.example'),
      qr/verdict=reject checks=blocklist/ ],
    [ 'protect file: an organisation', '192.0.2.10', 'mx.bank.example',
      'bob@regress.test', 'reject|550 5.7.1 <mx.bank.example>: Helo '
      . 'command rejected: you are not bank.example',
      qr/verdict=reject checks=protected/ ],
);

my $f = Filter->new('-f', $conf);
$f->handshake('0.6');
for my $c (@cases) {
	my ($name, $ip, $helo, $rcpt, $want, $log) = @$c;
	my $s = Filter::Session->new($f);
	$s->connect(Filter::ipport($ip), $SRV);
	my (undef, $got) = $s->verdict($helo, $rcpt);
	is($got, $want, "$name: answer");
	my $sid = $s->sid;
	my $text = $f->stderr_until(qr/^$sid ip=.*$log/m);
	like($text, qr/^$sid ip=\Q$ip\E .*$log/m, "$name: log");
}
# The counters: each spared check once per verdict it was spared in.
kill 'USR1', $f->{pid};
like($f->stderr_until(qr/^stats: /m),
    qr/^stats: .* spared=non-fqdn:2,literal:3,dynamic:1 lookups=/m,
    'the stats line counts the spared checks');
$f->finish;

# -E: the same table, the same answers.
for my $c (@cases) {
	my ($name, $ip, $helo, $rcpt, $want) = @$c;
	my ($st, $out) = Filter::oneshot($conf, "helo=$helo", "client=$ip",
	    "rcpt=$rcpt", 'rcpt-domain=regress.test');
	my $reply = $want eq 'proceed' ? 'accept' : $want =~ s/^reject\|//r;
	is("$st $out", ($want eq 'proceed' ? 0 : 1) . " $reply\n",
	    "-E $name");
}

# -n: the lists written in place, the files by path and count.
my $out = qx{$Filter::BIN -n -f $conf 2>&1};
is($? >> 8, 0, '-n: the configuration loads');
like($out, qr/^except literal client file \Q$clients\E # 2 entries$/m,
    '-n: a file of networks, by path and count');
like($out, qr/^pass helo file \Q$names\E # 3 entries$/m,
    '-n: a file of names, by path and count');
like($out, qr{^except non-fqdn helo /\^host\[0-9\]\+\$/$}m,
    '-n: a pattern as written');
like($out, qr/^except literal client 192\.0\.2\.50\/32$/m,
    '-n: an exception in place');
like($out, qr/^protect file \Q$orgs\E # 1 entry$/m,
    '-n: a file of organisations, by path and count');
unlike($out, qr/198\.51\.100\.0|bank\.example/, '-n: no entry of a file');
my $again = Filter::config($out);
is(qx{$Filter::BIN -n -f $again 2>&1}, $out, '-n reads back the same');

# Errors: the configuration's line, and the file's.
my $bad = file('bad', 'ok.example', '', 'not a name');
for my $e (
    [ "block helo /a(b/\n", qr/:1: invalid pattern "\/a\(b\/": /,
      'a pattern that does not compile' ],
    [ "check dns pass\npass helo file $bad\n",
      qr/:2: \Q$bad\E:3: one entry a line/, 'a bad line in a file' ],
    [ "except literal client file $dir/none\n",
      qr/:1: file \Q$dir\E\/none: No such file/, 'a missing file' ],
    [ "pass client file clients\n", qr/:1: file "clients" is not an absolute/,
      'a relative path' ],
    [ "protect file $bad\n", qr/:1: \Q$bad\E:3: protect: "not" is /,
      'a bad line in a file of organisations' ],
    [ "except nosuch client 192.0.2.1\n", qr/:1: unknown check "nosuch"/,
      'an unknown check' ],
    [ "except dns from 192.0.2.1\n",
      qr/:1: unknown except kind "from": use client, helo, rdns or rcpt/,
      'an unknown kind' ],
    [ "verdict-phase helo\nexcept dns rcpt postmaster@\n",
      qr/except dns rcpt needs verdict-phase rcpt-to/,
      'except rcpt before RCPT TO' ],
) {
	my ($text, $re, $name) = @$e;
	my $c = Filter::config($text);
	my $o = qx{$Filter::BIN -n -f $c 2>&1};
	isnt($? >> 8, 0, "$name: refused");
	like($o, $re, "$name: where and why");
}

# 100,000 entries each: loaded and matched within a second.
my $many_clients = "$dir/many-clients";
my $many_names = "$dir/many-names";
open(my $fh, '>', $many_clients) or die;
printf $fh "10.%d.%d.%d/30\n", $_ >> 14, ($_ >> 6) & 255, ($_ & 63) << 2
    for 0 .. 99_999;
close $fh;
open($fh, '>', $many_names) or die;
printf $fh "host%d.example%d.test\n", $_, $_ % 97 for 0 .. 99_999;
close $fh;
my $big = Filter::config("resolver 127.0.0.1\@$port\ndns-timeout 3\n"
    . "check literal reject\n"
    . "except literal client file $many_clients\n"
    . "pass helo file $many_names\n");
my $t0 = time;
my ($st, $o) = Filter::oneshot($big, 'helo=[192.0.2.99]',
    'client=10.6.26.125');
my $took = time - $t0;
is("$st $o", "0 accept\n", '100,000 networks: the last one matches');
ok($took < 1, '100,000 networks and names: load and answer in under 1 s')
    or diag("took $took s");
($st, $o) = Filter::oneshot($big, 'helo=[192.0.2.99]', 'client=10.6.26.128');
is($st, 1, '100,000 networks: the address just past them is refused');
($st, $o) = Filter::oneshot($big, 'helo=host99999.example89.test',
    'client=192.0.2.12');
is("$st $o", "0 accept\n", '100,000 names: the last one matches');

done_testing();
