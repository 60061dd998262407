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

# DNSSEC against the regress fixture's signed zone (signed.test, signed
# by regress/dns/dns.sh at start, its trust anchor in DIR/signed.ta):
# answers that validate put dns=secure on the verdict line, whether they
# prove that the name exists or that it does not; without the trust
# anchor the same answers are not called secure; a bogus answer, whether
# from a bad signature or from a trust anchor the zone does not match,
# is a failed lookup: 451 through dns-error, never a refusal for good.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Filter;
use Test::More;
use Time::HiRes qw(sleep);

my ($port, $dir) = Filter::dns_fixture();
plan skip_all => 'unbound not installed' unless defined $port;
plan skip_all => 'signed.test is not signed (ldns-keygen, ldns-signzone: '
    . 'Debian ldnsutils)' unless -s "$dir/signed.ta";

my $SRV = '192.0.2.1:25';
my $TIMEOUT = 2;
my $base = $Filter::LAB . "resolver 127.0.0.1\@$port\ndns-timeout $TIMEOUT\n";
my $signed = "dnssec-trust-anchor $dir/signed.ta\n";

# Both anchors in one file: signed.test's and bogus.ds's, which names
# keys that regress.test (unsigned) does not have.
my $both = "$Filter::TMP/both.ta";
{
	open(my $out, '>', $both) or die "$both: $!";
	for my $f ("$dir/signed.ta", "$dir/bogus.ds") {
		open(my $in, '<', $f) or die "$f: $!";
		print {$out} <$in>;
	}
	close $out or die "$both: $!";
}
my $mixed = "dnssec-trust-anchor $both\n";

my $notfound = 'Helo command rejected: Host not found';
my $dnsfail = 'Helo command rejected: temporary DNS failure, try again later';

# The verdict line after the session id, whole.
sub verdict_line {
	my ($text) = @_;
	return qr/^[0-9a-f]{16} \Q$text\E$/m;
}

# name, extra config, client, helo, answer at rcpt-to, verdict line
my @cases = (
    [ 'validated', $signed, '192.0.2.40', 'good.signed.test', 'proceed',
      'ip=192.0.2.40 rdns=good.signed.test helo=good.signed.test '
      . 'verdict=pass checks=- dns=secure' ],
    [ 'validated, IPv6 client', $signed, '2001:db8::40', 'good.signed.test',
      'proceed', 'ip=2001:db8::40 rdns=good.signed.test '
      . 'helo=good.signed.test verdict=pass checks=- dns=secure' ],
    [ 'no trust anchor, not secure', '', '192.0.2.40', 'good.signed.test',
      'proceed', 'ip=192.0.2.40 rdns=good.signed.test '
      . 'helo=good.signed.test verdict=pass checks=-' ],
    [ 'outside the anchor, not secure', $signed, '192.0.2.10',
      'good.regress.test', 'proceed', 'ip=192.0.2.10 '
      . 'rdns=good.regress.test helo=good.regress.test verdict=pass '
      . 'checks=-' ],
    [ 'proven NODATA for A and AAAA, MX validated', $signed, '192.0.2.40',
      'mx-only.signed.test', 'proceed', 'ip=192.0.2.40 '
      . 'rdns=good.signed.test helo=mx-only.signed.test verdict=report '
      . 'checks=forward dns=secure' ],
    [ 'proven NODATA for all three', $signed, '192.0.2.40',
      'nodata.signed.test',
      "reject|450 4.7.1 <nodata.signed.test>: $notfound",
      'ip=192.0.2.40 rdns=good.signed.test helo=nodata.signed.test '
      . 'verdict=tempfail checks=dns,forward dns=secure' ],
    [ 'proven NXDOMAIN', $signed, '192.0.2.40', 'missing.signed.test',
      "reject|450 4.7.1 <missing.signed.test>: $notfound",
      'ip=192.0.2.40 rdns=good.signed.test helo=missing.signed.test '
      . 'verdict=tempfail checks=dns,forward dns=secure' ],
    [ 'NXDOMAIN without the anchor', '', '192.0.2.40', 'missing.signed.test',
      "reject|450 4.7.1 <missing.signed.test>: $notfound",
      'ip=192.0.2.40 rdns=good.signed.test helo=missing.signed.test '
      . 'verdict=tempfail checks=dns,forward' ],
    [ 'bad signature is bogus', $signed, '192.0.2.40',
      'tampered.signed.test',
      "reject|451 4.4.3 <tampered.signed.test>: $dnsfail",
      'ip=192.0.2.40 rdns=good.signed.test helo=tampered.signed.test '
      . 'verdict=tempfail checks=dns-error unknown=dns,forward,cname' ],
    [ 'bad signature, no anchor: the data is taken', '', '192.0.2.40',
      'tampered.signed.test', 'proceed', 'ip=192.0.2.40 '
      . 'rdns=good.signed.test helo=tampered.signed.test verdict=report '
      . 'checks=forward' ],
    # The client's PTR name is good.regress.test, bogus too: no rDNS.
    [ 'anchor the zone does not match is bogus', $mixed, '192.0.2.10',
      'good.regress.test',
      "reject|451 4.4.3 <good.regress.test>: $dnsfail",
      'ip=192.0.2.10 rdns=unknown helo=good.regress.test '
      . 'verdict=tempfail checks=dns-error '
      . 'unknown=dns,rdns,rdns-match,forward,cname,dynamic' ],
    [ 'a second anchor leaves the first alone', $mixed, '192.0.2.40',
      'good.signed.test', 'proceed', 'ip=192.0.2.40 '
      . 'rdns=good.signed.test helo=good.signed.test verdict=pass '
      . 'checks=- dns=secure' ],
    [ 'dns-error never 5xx, even for a reject check',
      $signed . "check dns reject\n", '192.0.2.40', 'tampered.signed.test',
      "reject|451 4.4.3 <tampered.signed.test>: $dnsfail",
      'ip=192.0.2.40 rdns=good.signed.test helo=tampered.signed.test '
      . 'verdict=tempfail checks=dns-error unknown=dns,forward,cname' ],
);

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
	my $asked = Filter::dns_queries('good.signed.test', 'MX');
	my $f = Filter->new('-f', Filter::config($base . $signed));
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
	is(Filter::dns_queries('good.signed.test', 'MX') - $asked, 1,
	    'cache: the second session asked the fixture nothing');
}

done_testing();
