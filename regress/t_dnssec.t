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

# DNSSEC as a site runs it: the site's resolver validates, and the
# filter, with "dnssec yes", asks with the DO bit and believes the AD
# bit of the answer when every resolver it is given is on loopback.
# Against the regress fixture's validating resolver (regress/dns/dns.sh:
# signed.test is signed at start, its trust anchor in DIR/signed.ta;
# stripped.test is served unsigned under an anchor no key matches):
# answers that validate put dns=secure on the verdict line, whether they
# prove that the name exists or that it does not; without "dnssec", or
# outside the anchors, the same answers are not called secure; a bogus
# answer, whether from a bad signature or from a zone its anchor does
# not match, is SERVFAIL at the resolver and so a failed lookup: 451
# through dns-error, never a refusal for good.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Filter;
use IO::Socket::IP;
use Test::More;
use Time::HiRes qw(sleep);

my ($port, $dir, $vport) = Filter::dns_fixture();
plan skip_all => 'unbound not installed' unless defined $port;
plan skip_all => 'signed.test is not signed (ldns-keygen, ldns-signzone: '
    . 'Debian ldnsutils)' unless -s "$dir/signed.ta";

my $SRV = '192.0.2.1:25';
my $TIMEOUT = 2;
my $base = $Filter::LAB . "dns-timeout $TIMEOUT\n";
my $validator = "resolver 127.0.0.1\@$vport\n";
my $yes = $validator . "dnssec yes\n";
my $any = $validator . "dnssec any\n";
my $no = $validator;
# The authoritative fixture itself: a resolver that does not validate.
my $plain = "resolver 127.0.0.1\@$port\ndnssec yes\n";

my $notfound = 'Helo command rejected: Host not found';
my $dnsfail = 'Helo command rejected: temporary DNS failure, try again later';

# The verdict line after the session id, whole.
sub verdict_line {
	my ($text) = @_;
	return qr/^[0-9a-f]{16} \Q$text\E$/m;
}

# An address of this host that is not loopback (the one it would send
# from), where nothing listens on the validator's port: a resolver
# named there is not on loopback, and what is sent to it never leaves
# the machine.  connect() on UDP sends nothing.
sub host_address {
	for my $peer ('198.51.100.1', '2001:db8::1') {
		my $s = IO::Socket::IP->new(Proto => 'udp', PeerHost => $peer,
		    PeerPort => 9) or next;
		my $a = $s->sockhost;
		return $a unless $a =~ /^(127\.|::1$|::ffff:127\.)/;
	}
	return undef;
}

# name, config, client, helo, answer at rcpt-to, verdict line
my @cases = (
    [ 'validated', $yes, '192.0.2.40', 'good.signed.test', 'proceed',
      'ip=192.0.2.40 rdns=good.signed.test helo=good.signed.test '
      . 'verdict=pass checks=- dns=secure' ],
    [ 'validated, IPv6 client', $yes, '2001:db8::40', 'good.signed.test',
      'proceed', 'ip=2001:db8::40 rdns=good.signed.test '
      . 'helo=good.signed.test verdict=pass checks=- dns=secure' ],
    [ 'validated, dnssec any', $any, '192.0.2.40', 'good.signed.test',
      'proceed', 'ip=192.0.2.40 rdns=good.signed.test '
      . 'helo=good.signed.test verdict=pass checks=- dns=secure' ],
    [ 'without dnssec, not secure', $no, '192.0.2.40', 'good.signed.test',
      'proceed', 'ip=192.0.2.40 rdns=good.signed.test '
      . 'helo=good.signed.test verdict=pass checks=-' ],
    [ 'outside the anchors, not secure', $yes, '192.0.2.10',
      'good.regress.test', 'proceed', 'ip=192.0.2.10 '
      . 'rdns=good.regress.test helo=good.regress.test verdict=pass '
      . 'checks=-' ],
    [ 'a resolver that does not validate: nothing is secure', $plain,
      '192.0.2.40', 'good.signed.test', 'proceed', 'ip=192.0.2.40 '
      . 'rdns=good.signed.test helo=good.signed.test verdict=pass '
      . 'checks=-' ],
    [ 'proven NODATA for A and AAAA, MX validated', $yes, '192.0.2.40',
      'mx-only.signed.test', 'proceed', 'ip=192.0.2.40 '
      . 'rdns=good.signed.test helo=mx-only.signed.test verdict=report '
      . 'checks=forward dns=secure' ],
    [ 'proven NODATA for all three', $yes, '192.0.2.40',
      'nodata.signed.test',
      "reject|450 4.7.1 <nodata.signed.test>: $notfound",
      'ip=192.0.2.40 rdns=good.signed.test helo=nodata.signed.test '
      . 'verdict=tempfail checks=dns,forward dns=secure' ],
    [ 'proven NXDOMAIN', $yes, '192.0.2.40', 'missing.signed.test',
      "reject|450 4.7.1 <missing.signed.test>: $notfound",
      'ip=192.0.2.40 rdns=good.signed.test helo=missing.signed.test '
      . 'verdict=tempfail checks=dns,forward dns=secure' ],
    [ 'NXDOMAIN without dnssec', $no, '192.0.2.40', 'missing.signed.test',
      "reject|450 4.7.1 <missing.signed.test>: $notfound",
      'ip=192.0.2.40 rdns=good.signed.test helo=missing.signed.test '
      . 'verdict=tempfail checks=dns,forward' ],
    [ 'bad signature is bogus', $yes, '192.0.2.40',
      'tampered.signed.test',
      "reject|451 4.4.3 <tampered.signed.test>: $dnsfail",
      'ip=192.0.2.40 rdns=good.signed.test helo=tampered.signed.test '
      . 'verdict=tempfail checks=dns-error unknown=dns,forward,cname' ],
    # The resolver validates whatever the filter asks.
    [ 'bad signature without dnssec: still a failed lookup', $no,
      '192.0.2.40', 'tampered.signed.test',
      "reject|451 4.4.3 <tampered.signed.test>: $dnsfail",
      'ip=192.0.2.40 rdns=good.signed.test helo=tampered.signed.test '
      . 'verdict=tempfail checks=dns-error unknown=dns,forward,cname' ],
    [ 'bad signature, a resolver that does not validate: the data is '
      . 'taken', $plain, '192.0.2.40', 'tampered.signed.test', 'proceed',
      'ip=192.0.2.40 rdns=good.signed.test helo=tampered.signed.test '
      . 'verdict=report checks=forward' ],
    # The client's PTR name is good.stripped.test, bogus too: no rDNS.
    [ 'anchor the zone does not match is bogus', $yes, '192.0.2.43',
      'good.stripped.test',
      "reject|451 4.4.3 <good.stripped.test>: $dnsfail",
      'ip=192.0.2.43 rdns=unknown helo=good.stripped.test '
      . 'verdict=tempfail checks=dns-error '
      . 'unknown=dns,rdns,rdns-match,forward,cname,dynamic' ],
    [ 'dns-error never 5xx, even for a reject check',
      $yes . "check dns reject\n", '192.0.2.40', 'tampered.signed.test',
      "reject|451 4.4.3 <tampered.signed.test>: $dnsfail",
      'ip=192.0.2.40 rdns=good.signed.test helo=tampered.signed.test '
      . 'verdict=tempfail checks=dns-error unknown=dns,forward,cname' ],
);

# The AD bit is the word of the resolver, and the path to it must be
# one nobody else can write to: with a resolver configured that is not
# on loopback, "dnssec yes" believes none, even the answers that came
# from the one that is; "dnssec any" believes them all.
my $host = host_address();
if (defined $host) {
	my $two = $validator . "resolver $host\@$vport\n";
	push @cases,
	    [ "a resolver not on loopback ($host): not secure",
	      $two . "dnssec yes\n", '192.0.2.40', 'good.signed.test',
	      'proceed', 'ip=192.0.2.40 rdns=good.signed.test '
	      . 'helo=good.signed.test verdict=pass checks=-' ],
	    [ "a resolver not on loopback ($host), dnssec any: secure",
	      $two . "dnssec any\n", '192.0.2.40', 'good.signed.test',
	      'proceed', 'ip=192.0.2.40 rdns=good.signed.test '
	      . 'helo=good.signed.test verdict=pass checks=- dns=secure' ];
} else {
	diag('no address but loopback: the resolver off loopback is not '
	    . 'tested');
}

for my $c (@cases) {
	my ($name, $conf, $ip, $helo, $want, $log) = @$c;
	my $f = Filter->new('-f', Filter::config($base . $conf));
	$f->handshake('0.6');
	my $s = Filter::Session->new($f);
	$s->connect(Filter::ipport($ip), $SRV);
	# A client's MAIL FROM comes a round trip after EHLO: the answers
	# to A, AAAA and MX are in by the time the verdict is given.
	my ($a, $got) = $s->verdict($helo, 'bob@regress.test', pause => 0.2,
	    timeout => $TIMEOUT + 3);
	is($a, 'proceed', "$name: EHLO proceeds before the verdict phase");
	is($got, $want, "$name: answer");
	$f->finish;
	like($f->stderr, verdict_line($log), "$name: log");
}

# A repeat comes from the filter's cache, still validated.
{
	my $asked = Filter::dns_queries('good.signed.test', 'MX', 'validator');
	my $f = Filter->new('-f', Filter::config($base . $yes));
	$f->handshake('0.6');
	for my $cport (40010, 40011) {
		my $s = Filter::Session->new($f);
		$s->connect("192.0.2.40:$cport", $SRV);
		$s->request('ehlo', 'good.signed.test');
		sleep(0.2);
		$s->request('rcpt-to', 'bob@regress.test');
		$s->report('link-disconnect');
	}
	$f->finish;
	my $line = 'helo=good.signed.test verdict=pass checks=- dns=secure';
	my $n = () = $f->stderr =~ / \Q$line\E$/gm;
	is($n, 2, 'cache: both sessions are dns=secure');
	is(Filter::dns_queries('good.signed.test', 'MX', 'validator') - $asked,
	    1, 'cache: the second session asked the resolver nothing');
}

done_testing();
