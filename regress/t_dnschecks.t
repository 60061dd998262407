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

# The DNS-backed checks against a real DNS server (the regress unbound
# fixture): for each check a session where it fires and one where it
# does not, as smtpd sees the answer at the verdict phase.  DNS failure
# gives 4xx, never 5xx; every wait is bounded by dns-timeout; one
# session's slow DNS does not hold up another's; repeats come from the
# cache.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Filter;
use Test::More;
use Time::HiRes qw(time);

my ($port) = Filter::dns_fixture();
plan skip_all => 'unbound not installed' unless defined $port;

my $SRV = '192.0.2.1:25';
my $TIMEOUT = 2;
my $base = $Filter::LAB . "resolver 127.0.0.1\@$port\ndns-timeout $TIMEOUT\n";

# name, extra config, client, helo, rcpt, answer at rcpt-to, log match
my @cases = (
    [ 'good server', '', '192.0.2.10', 'good.regress.test',
      'bob@regress.test', 'proceed',
      qr/ip=192\.0\.2\.10 rdns=good\.regress\.test helo=good\.regress\.test verdict=pass checks=-$/m ],
    [ 'dns: NXDOMAIN is Host not found', '', '192.0.2.10',
      'missing.regress.test', 'bob@regress.test',
      'reject|450 4.7.1 <missing.regress.test>: Helo command rejected: '
      . 'Host not found', qr/verdict=tempfail checks=dns,forward$/m ],
    [ 'dns: NODATA for A, AAAA and MX', '', '192.0.2.10',
      'nodata.regress.test', 'bob@regress.test',
      'reject|450 4.7.1 <nodata.regress.test>: Helo command rejected: '
      . 'Host not found', qr/checks=dns/ ],
    [ 'dns: CNAME to nowhere', '', '192.0.2.10', 'dangling.regress.test',
      'bob@regress.test',
      'reject|450 4.7.1 <dangling.regress.test>: Helo command rejected: '
      . 'Host not found', qr/checks=dns/ ],
    [ 'dns: MX only exists', '', '192.0.2.10', 'mx-only.regress.test',
      'bob@regress.test', 'proceed', qr/verdict=report checks=forward/ ],
    [ 'dns: null MX exists', '', '192.0.2.10', 'null-mx.regress.test',
      'bob@regress.test', 'proceed', qr/verdict=report/ ],
    [ 'dns: AAAA only exists', '', '192.0.2.10', 'aaaa-only.regress.test',
      'bob@regress.test', 'proceed', qr/verdict=report/ ],
    [ 'dns-error: SERVFAIL', '', '192.0.2.10', 'x.servfail.test',
      'bob@regress.test',
      'reject|451 4.4.3 <x.servfail.test>: Helo command rejected: '
      . 'temporary DNS failure, try again later',
      qr/verdict=tempfail checks=dns-error,rdns-match unknown=dns,forward,cname$/m ],
    [ 'dns-error: REFUSED', '', '192.0.2.10', 'x.refused.test',
      'bob@regress.test',
      'reject|451 4.4.3 <x.refused.test>: Helo command rejected: '
      . 'temporary DNS failure, try again later', qr/checks=dns-error/ ],
    [ 'dns-error: no answer', '', '192.0.2.10', 'x.dropped.test',
      'bob@regress.test',
      'reject|451 4.4.3 <x.dropped.test>: Helo command rejected: '
      . 'temporary DNS failure, try again later', qr/checks=dns-error/ ],
    [ 'dns-error never 5xx, even for a reject check', "check dns reject\n",
      '192.0.2.10', 'x.servfail.test', 'bob@regress.test',
      'reject|451 4.4.3 <x.servfail.test>: Helo command rejected: '
      . 'temporary DNS failure, try again later', qr/checks=dns-error/ ],
    [ 'forward fires', "check forward reject\n", '192.0.2.11',
      'good.regress.test', 'bob@regress.test',
      'reject|550 5.7.1 <good.regress.test>: Helo command rejected: '
      . 'good.regress.test does not resolve to 192.0.2.11',
      qr/verdict=reject checks=rdns,rdns-match,forward$/m ],
    [ 'forward: a malformed A record is a failed lookup, never a 5xx',
      "check forward reject\n", '192.0.2.10', 'badlen.regress.test',
      'bob@regress.test',
      'reject|451 4.4.3 <badlen.regress.test>: Helo command rejected: '
      . 'temporary DNS failure, try again later',
      qr/verdict=tempfail checks=dns-error unknown=dns,forward/ ],
    [ 'forward clear', "check forward reject\n", '192.0.2.10',
      'good.regress.test', 'bob@regress.test', 'proceed', qr/checks=-/ ],
    [ 'rdns: no PTR', "check rdns tempfail\n", '192.0.2.12',
      'noptr.regress.test', 'bob@regress.test',
      'reject|450 4.7.25 Client host rejected: cannot find your hostname, '
      . '[192.0.2.12]', qr/rdns=unknown .*checks=rdns/ ],
    [ 'rdns: PTR that does not resolve back', "check rdns tempfail\n",
      '192.0.2.11', 'liar.regress.test', 'bob@regress.test',
      'reject|450 4.7.25 Client host rejected: cannot find your hostname, '
      . '[192.0.2.11]', qr/checks=rdns,rdns-match,forward$/m ],
    [ 'rdns: a PTR name that is no host name is never confirmed',
      "check rdns tempfail\n", '192.0.2.14', 'good.regress.test',
      'bob@regress.test',
      'reject|450 4.7.25 Client host rejected: cannot find your hostname, '
      . '[192.0.2.14]', qr/rdns=unknown .*checks=rdns,/ ],
    [ 'rdns: confirmed', "check rdns tempfail\n", '192.0.2.10',
      'good.regress.test', 'bob@regress.test', 'proceed', qr/checks=-/ ],
    [ 'rdns: PTR lookup fails', "check rdns tempfail\n", '198.51.100.67',
      'good.regress.test', 'bob@regress.test',
      'reject|451 4.4.3 <good.regress.test>: Helo command rejected: '
      . 'temporary DNS failure, try again later',
      qr/checks=dns-error,forward unknown=rdns,rdns-match/ ],
    [ 'rdns-match exact fires', "rdns-match exact\ncheck rdns-match tempfail\n",
      '192.0.2.10', 'mail.other.regress.test', 'bob@regress.test',
      'reject|450 4.7.1 <mail.other.regress.test>: Helo command rejected: '
      . 'does not match your hostname good.regress.test',
      qr/checks=rdns-match,forward/ ],
    [ 'rdns-match domain: same registrable domain',
      "check rdns-match tempfail\n", '192.0.2.10',
      'mail.other.regress.test', 'bob@regress.test', 'proceed',
      qr/verdict=report checks=forward$/m ],
    [ 'rdns-match domain: another organisation',
      "check rdns-match tempfail\n", '203.0.113.40', 'good.regress.test',
      'bob@regress.test',
      'reject|450 4.7.1 <good.regress.test>: Helo command rejected: '
      . 'does not match your hostname mail.other.test',
      qr/rdns=mail\.other\.test .*checks=rdns-match,forward$/m ],
    [ 'rdns-match without rDNS', "check rdns-match tempfail\n",
      '192.0.2.12', 'noptr.regress.test', 'bob@regress.test',
      'reject|450 4.7.1 <noptr.regress.test>: Helo command rejected: '
      . 'does not match your hostname unknown', qr/checks=rdns,rdns-match/ ],
    [ 'cname fires', "check cname reject\n", '192.0.2.10',
      'alias.regress.test', 'bob@regress.test',
      'reject|550 5.7.1 <alias.regress.test>: Helo command rejected: '
      . 'is a CNAME', qr/checks=cname,rdns-match|checks=cname/ ],
    [ 'cname clear', "check cname reject\n", '192.0.2.10',
      'good.regress.test', 'bob@regress.test', 'proceed', qr/checks=-/ ],
    [ 'dynamic from the rDNS name', "check dynamic reject\n", '192.0.2.13',
      'mail.regress.test', 'bob@regress.test',
      'reject|550 5.7.1 <mail.regress.test>: Helo command rejected: '
      . 'dynamic host, use your provider\'s relay', qr/checks=.*dynamic/ ],
    [ 'rcpt-domain from a host of that domain', '', '192.0.2.10',
      'regress.test', 'bob@regress.test', 'proceed',
      qr/verdict=report|verdict=pass/ ],
    [ 'rcpt-domain from a host without rDNS', '', '192.0.2.12',
      'regress.test', 'bob@regress.test',
      'reject|550 5.7.1 <regress.test>: Helo command rejected: you are not '
      . 'regress.test', qr/checks=rcpt-domain/ ],
    [ 'IPv6 client confirmed', "check rdns tempfail\ncheck forward reject\n",
      '2001:db8::20', 'good6.regress.test', 'bob@regress.test', 'proceed',
      qr/ip=2001:db8::20 rdns=good6\.regress\.test .*checks=-/ ],
    [ 'IPv6 client not confirmed', "check rdns tempfail\n", '2001:db8::21',
      'liar6.regress.test', 'bob@regress.test',
      'reject|450 4.7.25 Client host rejected: cannot find your hostname, '
      . '[2001:db8::21]', qr/checks=.*rdns/ ],
    [ 'strict: HELO names another host than the rDNS', "profile strict\n" . $Filter::LAB,
      '203.0.113.30', 'good.regress.test', 'bob@regress.test',
      'reject|450 4.7.1 <good.regress.test>: Helo command rejected: '
      . 'does not match your hostname mail.other.regress.test',
      qr/verdict=tempfail checks=rdns-match,forward$/m ],
    [ 'strict: a well-configured server', "profile strict\n" . $Filter::LAB,
      '203.0.113.30', 'mail.other.regress.test', 'bob@regress.test',
      'proceed', qr/checks=-/ ],
    [ 'pass rdns exempts by confirmed name', "pass rdns .other.regress.test\n"
      . "profile strict\n" . $Filter::LAB, '203.0.113.30', 'missing.regress.test',
      'bob@regress.test', 'proceed', qr/\(exempt: pass rdns\)/ ],
);

for my $c (@cases) {
	my ($name, $conf, $ip, $helo, $rcpt, $want, $log) = @$c;
	Filter::dns_case($name, $base . $conf, $ip, $helo, $want, $log,
	    rcpt => $rcpt, pause => 0.1);
}

# With every query dropped, each request is still answered within the
# deadline, with a 4xx.
{
	my $f = Filter->new('-f', Filter::config($base . "profile strict\n" . $Filter::LAB));
	$f->handshake('0.6');
	my $s = Filter::Session->new($f);
	$s->connect('198.51.100.66:40000', $SRV);
	$s->request('ehlo', 'a.dropped.test');
	my $t0 = time;
	my $got = $s->decision($s->request('rcpt-to', 'bob@regress.test', 10));
	my $took = time - $t0;
	like($got, qr/^reject\|4\d\d /, 'all dropped: 4xx');
	ok($took >= $TIMEOUT - 0.5 && $took < $TIMEOUT + 1,
	    "all dropped: answered at the deadline ($took s)");
	$f->finish;
}

# A refusal that no lookup could change does not wait for DNS, and the
# log says which checks were still waiting.
{
	my $f = Filter->new('-f', Filter::config($base));
	$f->handshake('0.6');
	my $s = Filter::Session->new($f);
	$s->connect('198.51.100.66:40040', $SRV);
	my (undef, $got, $took) = $s->verdict('localhost', 'bob@regress.test',
	    timeout => $TIMEOUT + 3);
	like($got // '', qr/^reject\|504 /, 'obvious refusal, DNS silent: 504');
	ok($took < 1, "obvious refusal: at once ($took s), not at the deadline");
	$f->finish;
	like($f->stderr, qr/verdict=reject checks=non-fqdn waiting=rdns,rdns-match,dynamic$/m,
	    'obvious refusal: the waiting checks are logged');
}

# Head of line: a session waiting on dropped queries does not delay
# others; each is answered as soon as its own lookups are done.
{
	my $f = Filter->new('-f', Filter::config($base));
	$f->handshake('0.6');
	my $slow = Filter::Session->new($f);
	$slow->connect('192.0.2.10:40001', $SRV);
	$slow->request('ehlo', 'slow.dropped.test');
	my $fast = Filter::Session->new($f);
	$fast->connect('192.0.2.10:40002', $SRV);
	$fast->request('ehlo', 'good.regress.test');
	my $t0 = time;
	$f->send(join('|', 'filter', '0.6', '1.0', 'smtp-in', 'rcpt-to',
	    $slow->sid, $slow->{token}, 'bob@regress.test'));
	my $first = $fast->request('rcpt-to', 'bob@regress.test');
	my $t_first = time - $t0;
	my $second = $f->line($TIMEOUT + 3);
	my $t_second = time - $t0;
	is($fast->decision($first), 'proceed',
	    'head of line: the fast session is answered first');
	ok($t_first < 1, "head of line: fast answer in under 1 s ($t_first s)");
	like($slow->decision($second) // '', qr/^reject\|451 /,
	    'head of line: the slow one later, with 451');
	ok($t_second >= $TIMEOUT - 0.5, "head of line: slow one at its deadline");
	$f->finish;
}

# The cache: a second session with the same HELO sends no new query.
{
	my $f = Filter->new('-f', Filter::config($base));
	$f->handshake('0.6');
	for my $port (40010, 40011) {
		my $s = Filter::Session->new($f);
		$s->connect("192.0.2.10:$port", $SRV);
		$s->request('ehlo', 'cached.regress.test');
		$s->request('rcpt-to', 'bob@regress.test');
		$s->report('link-disconnect');
	}
	$f->finish;
	is(Filter::dns_queries('cached.regress.test', 'A'), 1,
	    'cache: the fixture saw one A query for two sessions');
	is(Filter::dns_queries('cached.regress.test', 'MX'), 1,
	    'cache: and one MX query');
}

# A session that goes away while its lookups are in flight; the filter
# answers, frees it, and goes on.
{
	my $f = Filter->new('-f', Filter::config($base));
	$f->handshake('0.6');
	my $s = Filter::Session->new($f);
	$s->connect('198.51.100.66:40020', $SRV);
	$s->request('ehlo', 'gone.dropped.test');
	$s->report('link-disconnect');
	my $t = Filter::Session->new($f);
	$t->connect('192.0.2.10:40021', $SRV);
	$t->request('ehlo', 'good.regress.test');
	is($t->decision($t->request('rcpt-to', 'bob@regress.test')), 'proceed',
	    'after a disconnect in flight, others go on');
	is($f->finish, 0, 'exit 0 at EOF with lookups in flight');
}

# A lookup that feeds only checks set to pass is never asked.
{
	my $off = join('', map { "check $_ pass\n" }
	    qw(dns forward cname rdns rdns-match rcpt-domain protected
	    dynamic rotation));
	my $f = Filter->new('-f', Filter::config($base . $off));
	$f->handshake('0.6');
	my $s = Filter::Session->new($f);
	$s->connect('192.0.2.77:40030', $SRV);
	$s->request('ehlo', 'unasked.wild.regress.test');
	is($s->decision($s->request('rcpt-to', 'bob@regress.test')), 'proceed',
	    'DNS checks off: answered');
	$f->finish;
	is(Filter::dns_queries('unasked.wild.regress.test', 'A') +
	    Filter::dns_queries('unasked.wild.regress.test', 'MX') +
	    Filter::dns_queries('77.2.0.192.in-addr.arpa', 'PTR'), 0,
	    'DNS checks off: no query reached the server');
	my $g = Filter->new('-f', Filter::config($base));
	$g->handshake('0.6');
	$s = Filter::Session->new($g);
	$s->connect('192.0.2.77:40031', $SRV);
	$s->request('ehlo', 'unasked.wild.regress.test');
	$s->request('rcpt-to', 'bob@regress.test');
	$g->finish;
	is(Filter::dns_queries('unasked.wild.regress.test', 'A') +
	    Filter::dns_queries('77.2.0.192.in-addr.arpa', 'PTR'), 2,
	    'DNS checks on: the same session asks them');
}

# After a burst of sessions whose queries are never answered, a fresh
# name still resolves: the unanswered queries, cancelled at our deadline,
# must not hold up the resolver's sockets or lookups for the next ones.
{
	my $f = Filter->new('-f', Filter::config($base));
	$f->handshake('0.6');
	my @burst;
	for my $n (1 .. 60) {
		my $s = Filter::Session->new($f);
		$s->connect("192.0.2.10:41$n", $SRV);
		$f->send(join('|', 'filter', '0.6', '1.0', 'smtp-in', 'ehlo',
		    $s->sid, $s->{token}, "burst$n.dropped.test"));
		push @burst, $s;
	}
	$f->drain(0.5);
	for my $s (@burst) {
		$f->send(join('|', 'filter', '0.6', '1.0', 'smtp-in', 'rcpt-to',
		    $s->sid, $s->{token}, 'bob@regress.test'));
	}
	my @late = $f->drain($TIMEOUT + 1);
	is(scalar(grep { /\|reject\|451 / } @late), scalar(@burst),
	    'burst: every dropped session gets its 451');
	my $s = Filter::Session->new($f);
	$s->connect('192.0.2.10:42000', $SRV);
	$s->request('ehlo', 'after-burst.wild.regress.test');
	my $t0 = time;
	like($s->decision($s->request('rcpt-to', 'bob@regress.test',
	    $TIMEOUT + 3)) // '', qr/^proceed$/,
	    'after a burst of dropped queries, a fresh name still resolves');
	ok(time - $t0 < 1, 'and at once');
	$f->finish;
}

done_testing();
