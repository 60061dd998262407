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

# Scripted smtpd sessions through the real binary, one per offline check:
# the answer smtpd gets at the verdict phase (the client sees its reply
# text), and the verdict line in the log.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Filter;
use Test::More;

my $SRV = '192.0.2.1:25';
my $CLI = '192.0.2.10:41234';	# good.regress.test, rDNS confirmed

# Real DNS: the regress fixture, so names resolve as they would.
my ($port) = Filter::dns_fixture();
plan skip_all => 'unbound not installed' unless defined $port;
my $DNS = $Filter::LAB . "resolver 127.0.0.1\@$port\ndns-timeout 3\n";
sub cfg { Filter::config($DNS . ($_[0] // '')) }

# name, config, client, helo, rcpt, expected answer at rcpt-to, log match
my @cases = (
    [ 'good name', '', $CLI, 'good.regress.test', 'bob@regress.test',
      'proceed', qr/verdict=pass checks=-/ ],
    [ 'syntax', '', $CLI, 'a..b.example', 'bob@regress.test',
      'reject|501 5.5.2 <a..b.example>: Helo command rejected: Invalid name',
      qr/verdict=reject checks=syntax/ ],
    [ 'syntax: untagged IPv6 literal', '', $CLI, '[2001:db8::10]',
      'bob@regress.test',
      'reject|501 5.5.2 <[2001:db8::10]>: Helo command rejected: Invalid name',
      qr/checks=syntax/ ],
    [ 'underscore', '', $CLI, 'mail_1.example.com', 'bob@regress.test',
      'reject|501 5.5.2 <mail_1.example.com>: Helo command rejected: '
      . 'Invalid name (underscore)', qr/verdict=reject checks=underscore,/ ],
    [ 'bare IPv4', '', $CLI, '192.0.2.10', 'bob@regress.test',
      'reject|501 5.5.2 <192.0.2.10>: Helo command rejected: use an '
      . 'address literal [192.0.2.10]', qr/checks=bare-ip/ ],
    [ 'bare IPv6: told the literal with its tag', '',
      '[2001:db8:5::50]:41234', '2001:db8:5::50', 'bob@regress.test',
      'reject|501 5.5.2 <2001:db8:5::50>: Helo command rejected: use an '
      . 'address literal [IPv6:2001:db8:5::50]', qr/checks=bare-ip/ ],
    [ 'a HELO of 2,000 characters: quoted shortened, reply explained', '',
      $CLI, join('.', ('a' x 60) x 33) . '.example', 'bob@regress.test',
      'reject|501 5.5.2 <' . ('a' x 60) . '....>: Helo '
      . 'command rejected: Invalid name', qr/checks=syntax/ ],
    [ 'non-fqdn', '', $CLI, 'DESKTOP-7H2K', 'bob@regress.test',
      'reject|504 5.5.2 <DESKTOP-7H2K>: Helo command rejected: need '
      . 'fully-qualified hostname', qr/checks=non-fqdn/ ],
    [ 'self by our address', '', $CLI, '[192.0.2.1]', 'bob@regress.test',
      'reject|550 5.7.1 <[192.0.2.1]>: Helo command rejected: you are '
      . 'not me', qr/checks=self,literal/ ],
    [ 'self by our bare address', '', $CLI, '192.0.2.1',
      'bob@regress.test',
      'reject|550 5.7.1 <192.0.2.1>: Helo command rejected: you are not me',
      qr/checks=self,bare-ip/ ],
    [ 'self by our greeting name, any case', '', $CLI, 'MX.Regress.Test',
      'bob@regress.test',
      'reject|550 5.7.1 <MX.Regress.Test>: Helo command rejected: you are '
      . 'not me', qr/checks=self,forward$/m ],
    [ 'self by local-name', "local-name mail.regress.test\n", $CLI,
      'mail.regress.test', 'bob@regress.test',
      'reject|550 5.7.1 <mail.regress.test>: Helo command rejected: you '
      . 'are not me', qr/checks=self/ ],
    [ 'rcpt-domain', '', '192.0.2.12:5000', 'regress.test', 'bob@Regress.Test',
      'reject|550 5.7.1 <regress.test>: Helo command rejected: you are not '
      . 'regress.test', qr/checks=rcpt-domain/ ],
    [ 'local-domain', "local-domain example.org\n", $CLI, 'example.org',
      'bob@regress.test',
      'reject|550 5.7.1 <example.org>: Helo command rejected: you are not '
      . 'example.org', qr/checks=rcpt-domain/ ],
    [ 'rcpt-domain from a host inside the domain', '', $CLI,
      'regress.test', 'bob@regress.test', 'proceed', qr/verdict=report/ ],
    [ 'another domain is not rcpt-domain', '', $CLI, 'a-only.regress.test',
      'bob@regress.test', 'proceed', qr/verdict=report checks=forward$/m ],
    [ 'blocklist suffix', "block helo .yahoo.com\ncheck protected pass\n",
      $CLI, 'smtp.yahoo.com', 'bob@regress.test',
      'reject|550 5.7.1 <smtp.yahoo.com>: Helo command rejected: Access '
      . 'denied', qr/checks=blocklist/ ],
    [ 'blocklist exact', "block helo yahoo.com\ncheck protected pass\n",
      $CLI, 'YAHOO.com', 'bob@regress.test',
      'reject|550 5.7.1 <YAHOO.com>: Helo command rejected: Access denied',
      qr/checks=blocklist/ ],
    [ 'literal of the client', '', $CLI, '[192.0.2.10]', 'bob@regress.test',
      'proceed', qr/checks=-/ ],
    [ 'literal of another address: junk', '', $CLI, '[198.51.100.7]',
      'bob@regress.test', 'junk', qr/verdict=junk checks=literal/ ],
    [ 'IPv6 literal of the client', '', '[2001:db8::10]:5000',
      '[IPv6:2001:DB8:0::10]', 'bob@regress.test', 'proceed',
      qr/ip=2001:db8::10 .*checks=-/ ],
    [ 'IPv6 literal from an IPv4 client', '', $CLI, '[ipv6:2001:db8::10]',
      'bob@regress.test', 'junk', qr/checks=literal/ ],
    [ 'dynamic only reports', '', '192.0.2.13:5000',
      '192-0-2-13.pool.regress.test', 'bob@regress.test', 'proceed',
      qr/verdict=report checks=dynamic$/m ],
    [ 'dynamic rejects when told', "check dynamic reject\n",
      '192.0.2.13:5000', '192-0-2-13.pool.regress.test', 'bob@regress.test',
      'reject|550 5.7.1 <192-0-2-13.pool.regress.test>: Helo command '
      . 'rejected: dynamic host, use your provider\'s relay',
      qr/checks=dynamic$/m ],
    [ 'two octets are not dynamic', "check dynamic reject\n", $CLI,
      'a2-10.wild.regress.test', 'bob@regress.test', 'proceed',
      qr/verdict=report checks=forward$/m ],
    [ 'strongest action wins', '', $CLI, '[198.51.100.7]',
      'bob@regress.test', 'junk', qr/checks=literal/ ],
    [ 'strict: literal rejects', "profile strict\n" . $Filter::LAB, $CLI,
      '[198.51.100.7]', 'bob@regress.test',
      'reject|550 5.7.1 <[198.51.100.7]>: Helo command rejected: address '
      . 'literal does not match 192.0.2.10', qr/verdict=reject/ ],
    [ 'pass turns a check off', "check bare-ip pass\n", $CLI,
      '192.0.2.10', 'bob@regress.test', 'proceed', qr/checks=-/ ],
    [ 'tempfail adapts the reply class', "check non-fqdn tempfail\n", $CLI,
      'localhost', 'bob@regress.test',
      'reject|404 4.5.2 <localhost>: Helo command rejected: need '
      . 'fully-qualified hostname', qr/verdict=tempfail/ ],
    [ 'disconnect', "check bare-ip disconnect\n", $CLI, '192.0.2.10',
      'bob@regress.test',
      'disconnect|501 5.5.2 <192.0.2.10>: Helo command rejected: use an '
      . 'address literal [192.0.2.10]', qr/verdict=disconnect/ ],
    [ 'message with escapes', "message non-fqdn \"550 5.7.1 %h from %i "
      . "(%c) 100%%\"\n", $CLI, 'localhost', 'bob@regress.test',
      'reject|550 5.7.1 localhost from 192.0.2.10 (non-fqdn) 100%',
      qr/checks=non-fqdn/ ],
    [ 'explain-url', "explain-url https://example.org/helo.html\n", $CLI,
      'localhost', 'bob@regress.test',
      'reject|504 5.5.2 <localhost>: Helo command rejected: need '
      . 'fully-qualified hostname; see https://example.org/helo.html'
      . '#non-fqdn', qr/checks=non-fqdn/ ],
    [ 'exempt: pass client', "pass client 192.0.2.0/24\n", $CLI,
      'localhost', 'bob@regress.test', 'proceed',
      qr/verdict=pass \(exempt: pass client\)/ ],
    [ 'exempt: pass helo', "pass helo .corp.example\n", $CLI,
      'host_1.corp.example', 'bob@regress.test', 'proceed',
      qr/\(exempt: pass helo\)/ ],
    [ 'exempt: loopback', '', '127.0.0.1:4000', 'localhost',
      'bob@regress.test', 'proceed', qr/\(exempt: local\)/ ],
    [ 'exempt: unix socket', '', 'unix:/var/run/smtpd.sock', 'localhost',
      'bob@regress.test', 'proceed', qr/\(exempt: local\)/ ],
    [ 'exempt: our own address', '', '192.0.2.1:4000', 'localhost',
      'bob@regress.test', 'proceed', qr/\(exempt: own address\)/ ],
);

plan tests => 2 * @cases + 18;

for my $c (@cases) {
	my ($name, $conf, $src, $helo, $rcpt, $want, $log) = @$c;
	my $f = Filter->new('-f', cfg($conf));
	$f->handshake('0.6');
	my $s = Filter::Session->new($f);
	$s->connect($src, $SRV);
	# A client's next command comes a round trip later: the fixture's
	# answers are in by then, and the log is complete.
	my (undef, $got) = $s->verdict($helo, $rcpt, pause => 0.1);
	is($got, $want, "$name: answer");
	$f->finish;
	like($f->stderr, $log, "$name: log");
}

# Authenticated clients are exempt, in both link-auth field orders.
for my $v ('0.6', '0.7') {
	my $f = Filter->new('-f', cfg());
	$f->handshake($v);
	my $s = Filter::Session->new($f, version => $v);
	$s->connect($CLI, $SRV);
	$s->request('ehlo', 'localhost');
	$s->report('link-auth', $v eq '0.7' ? ('pass', 'al|ice') :
	    ('al|ice', 'pass'));
	is($s->decision($s->request('rcpt-to', 'bob@regress.test')),
	    'proceed', "$v: authenticated client exempt");
	$f->finish;
	like($f->stderr, qr/\(exempt: authenticated\)/, "$v: logged exempt");
}

# A failed AUTH exempts nothing.
{
	my $f = Filter->new('-f', cfg());
	$f->handshake('0.7');
	my $s = Filter::Session->new($f, version => '0.7');
	$s->connect($CLI, $SRV);
	$s->request('ehlo', 'localhost');
	$s->report('link-auth', 'fail', 'alice');
	like($s->decision($s->request('rcpt-to', 'bob@regress.test')),
	    qr/^reject\|504 /, 'failed auth is not exempt');
	$f->finish;
}

# Verdict at HELO: refused, then a retry judged afresh.
{
	my $f = Filter->new('-f', cfg("verdict-phase helo\n"));
	my @reg = $f->handshake('0.6');
	ok(!grep(/rcpt-to|mail-from/, @reg), 'helo phase registers no rcpt-to');
	my $s = Filter::Session->new($f);
	$s->connect($CLI, $SRV);
	like($s->decision($s->request('helo', '192.0.2.10')),
	    qr/^reject\|501 5\.5\.2 <192\.0\.2\.10>/, 'helo phase: bare IP refused');
	is($s->decision($s->request('helo', 'good.regress.test')), 'proceed',
	    'helo phase: retry with a name is judged afresh');
	$s->report('link-identify', 'HELO', 'good.regress.test');
	$f->finish;
	unlike($f->stderr, qr/changed/, 'a refused HELO is not "earlier"');
}

# Verdict at MAIL FROM.
{
	my $f = Filter->new('-f', cfg("verdict-phase mail-from\n"));
	my @reg = $f->handshake('0.6');
	ok(grep(/^register\|filter\|smtp-in\|mail-from$/, @reg),
	    'mail-from phase registered');
	my $s = Filter::Session->new($f);
	$s->connect($CLI, $SRV);
	is($s->decision($s->request('ehlo', 'localhost')), 'proceed',
	    'mail-from phase: ehlo proceeds');
	like($s->decision($s->request('mail-from', 'a@b.example')),
	    qr/^reject\|504 /, 'mail-from phase: refused at MAIL');
	$f->finish;
}

# A HELO that changes within the session (after STARTTLS) is junk.
{
	my $f = Filter->new('-f', cfg());
	$f->handshake('0.6');
	my $s = Filter::Session->new($f);
	$s->connect($CLI, $SRV);
	$s->request('ehlo', 'good.regress.test');
	$s->report('link-identify', 'EHLO', 'good.regress.test');
	$s->request('ehlo', 'a-only.regress.test');
	$s->report('link-identify', 'EHLO', 'a-only.regress.test');
	Time::HiRes::sleep(0.1);	# the client's round trip
	is($s->decision($s->request('rcpt-to', 'bob@regress.test')), 'junk',
	    'changed: junk');
	$f->finish;
	like($f->stderr, qr/helo=a-only\.regress\.test verdict=junk checks=forward,changed$/m,
	    'changed: logged');
}

# The same name again, in another case, is no change.
{
	my $f = Filter->new('-f', cfg());
	$f->handshake('0.6');
	my $s = Filter::Session->new($f);
	$s->connect($CLI, $SRV);
	$s->request('ehlo', 'good.regress.test');
	$s->report('link-identify', 'EHLO', 'good.regress.test');
	$s->request('ehlo', 'GOOD.regress.test');
	is($s->decision($s->request('rcpt-to', 'bob@regress.test')), 'proceed',
	    'same name in another case is not changed');
	$f->finish;
}

# Protocol 0.4 answers TOKEN|SID; 0.7 SID|TOKEN.
for my $v ('0.4', '0.7') {
	my $f = Filter->new('-f', cfg());
	$f->handshake($v);
	my $s = Filter::Session->new($f, version => $v);
	$s->connect($CLI, $SRV);
	$s->request('ehlo', 'localhost');
	like($s->decision($s->request('rcpt-to', 'bob@regress.test')),
	    qr/^reject\|504 /, "$v: ids in the right order");
	$f->finish;
}

# Every check that fired is logged, and control characters are escaped.
{
	my $f = Filter->new('-f', cfg());
	$f->handshake('0.6');
	my $s = Filter::Session->new($f);
	$s->connect($CLI, $SRV);
	$s->request('ehlo', "bad\x01_name");
	$s->decision($s->request('rcpt-to', 'bob@regress.test'));
	$f->finish;
	like($f->stderr, qr/helo=bad\\001_name verdict=reject checks=syntax/,
	    'control character escaped in the log');
}
