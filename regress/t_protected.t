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

# The protected check against the DNS fixture: a HELO under a protected
# domain from the organisation's own outbound hosts (forward-confirmed
# rDNS in its registrable domain, or in an alias of its protect line)
# and from elsewhere, over the protocol and through -E.  A client whose
# PTR lookup fails is never refused for good.  The built-in list of
# mailbox providers is on by default and shown by -n.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Filter;
use Test::More;

my ($port) = Filter::dns_fixture();
plan skip_all => 'unbound not installed' unless defined $port;

my $TIMEOUT = 2;
# The fixture's names are under .test and its addresses documentation
# ones: the checks about those are not what this file tests, nor SPF.
my $base = "resolver 127.0.0.1\@$port\ndns-timeout $TIMEOUT\n"
    . "check special-name pass\ncheck private pass\ncheck spf-helo pass\n"
    . "protect bigmail.test bigmail-mx.test alias outbound.mailhost.test\n";
my $not = 'reject|550 5.7.1 <%s>: Helo command rejected: you are not %s';

# name, extra config, client, helo, answer at rcpt-to, log match
my @cases = (
    [ 'its own host: rDNS in the same registrable domain', '',
      '203.0.113.50', 'out-eu1.bigmail.test', 'proceed',
      qr/ip=203\.0\.113\.50 rdns=mail-eu1-50\.bigmail\.test helo=out-eu1\.bigmail\.test verdict=pass checks=-$/m ],
    [ 'its own host: rDNS under an alias', '', '203.0.113.51',
      'out-us2.bigmail.test', 'proceed',
      qr/rdns=mta7\.outbound\.mailhost\.test helo=out-us2\.bigmail\.test verdict=report checks=rdns-match$/m ],
    [ 'a host of another organisation', '', '203.0.113.40',
      'out-eu1.bigmail.test',
      sprintf($not, 'out-eu1.bigmail.test', 'bigmail.test'),
      qr/rdns=mail\.other\.test .*verdict=reject checks=protected,rdns-match,forward$/m ],
    [ 'the bare domain from elsewhere', '', '203.0.113.40',
      'bigmail.test', sprintf($not, 'bigmail.test', 'bigmail.test'),
      qr/verdict=reject checks=protected,/ ],
    [ 'a client without PTR', '', '192.0.2.12', 'out-eu1.bigmail.test',
      sprintf($not, 'out-eu1.bigmail.test', 'bigmail.test'),
      qr/rdns=unknown .*verdict=reject checks=protected,rdns,/ ],
    [ 'a PTR in the organisation that no address confirms', '',
      '203.0.113.52', 'out-eu1.bigmail.test',
      sprintf($not, 'out-eu1.bigmail.test', 'bigmail.test'),
      qr/rdns=unknown .*verdict=reject checks=protected,rdns,/ ],
    [ 'PTR lookup dropped: 451 at most', '', '198.51.100.66',
      'out-eu1.bigmail.test',
      'reject|451 4.4.3 <out-eu1.bigmail.test>: Helo command rejected: '
      . 'temporary DNS failure, try again later',
      qr/verdict=tempfail checks=dns-error,forward unknown=protected,rdns,rdns-match/ ],
    [ 'PTR lookup SERVFAIL: 451 at most', '', '198.51.100.67',
      'out-eu1.bigmail.test',
      'reject|451 4.4.3 <out-eu1.bigmail.test>: Helo command rejected: '
      . 'temporary DNS failure, try again later',
      qr/verdict=tempfail checks=dns-error,forward unknown=protected,rdns,rdns-match/ ],
    [ 'PTR lookup failed, dns-error off: no refusal',
      "check dns-error pass\ncheck forward pass\n", '198.51.100.67',
      'out-eu1.bigmail.test', 'proceed',
      qr/verdict=pass checks=- unknown=protected,rdns,rdns-match,dynamic$/m ],
    [ 'built in: a Google name from elsewhere', '', '203.0.113.40',
      'mail.gmail.com', sprintf($not, 'mail.gmail.com', 'gmail.com'),
      qr/helo=mail\.gmail\.com verdict=reject checks=protected,/ ],
    [ 'built in: a Microsoft 365 name from elsewhere', '', '192.0.2.10',
      'EUR05-VI1-obe.outbound.protection.outlook.com',
      sprintf($not, 'EUR05-VI1-obe.outbound.protection.outlook.com',
      'outlook.com'), qr/verdict=reject checks=protected,/ ],
    [ 'built in: off with check protected pass',
      "check protected pass\n", '203.0.113.40', 'mail.gmail.com',
      'reject|451 4.4.3 <mail.gmail.com>: Helo command rejected: '
      . 'temporary DNS failure, try again later',
      qr/verdict=tempfail checks=dns-error,rdns-match unknown=/ ],
);

for my $c (@cases) {
	my ($name, $conf, $ip, $helo, $want, $log) = @$c;
	Filter::dns_case($name, $base . $conf, $ip, $helo, $want, $log,
	    pause => 0.1);
}

# -n: the built-in list is there with no configuration at all, and the
# protect lines of a configuration follow it.
sub check_only {
	my (@args) = @_;
	open(my $fh, '-|', $Filter::BIN, '-n', @args) or die "$Filter::BIN: $!";
	local $/;
	my $out = <$fh>;
	close $fh;
	return ($? >> 8, $out);
}

my ($st, $out) = check_only();
is($st, 0, '-n without a configuration: exit 0');
for my $l ('protect google.com gmail.com googlemail.com alias 1e100.net',
    'protect outlook.com hotmail.com live.com msn.com',
    'protect yahoo.com ymail.com aol.com',
    'protect icloud.com me.com mac.com alias apple.com',
    'check protected reject') {
	like($out, qr/^\Q$l\E$/m, "-n by default: $l");
}
my $conf = Filter::config($base);
($st, $out) = check_only('-f', $conf);
is($st, 0, '-n with protect: exit 0');
like($out, qr/^protect icloud\.com .*\nprotect bigmail\.test bigmail-mx\.test alias outbound\.mailhost\.test$/m,
    '-n: the configured organisation after the built-in ones');
my $again = Filter::config($out);
my ($st2, $out2) = check_only('-f', $again);
is($out2, $out, '-n output read back gives the same policy');

# -E, the Exim front end: the same verdicts, as an exit status and one
# line.
my @oneshot = (
    [ 'its own host', [ 'helo=out-eu1.bigmail.test',
      'client=203.0.113.50' ], 0, "accept\n" ],
    [ 'rDNS under an alias', [ 'helo=out-us2.bigmail.test',
      'client=203.0.113.51' ], 0, "accept\n" ],
    [ 'the name Exim confirmed is the HELO', [ 'helo=out-eu1.bigmail.test',
      'rdns=out-eu1.bigmail.test', 'client=203.0.113.50' ], 0,
      "accept\n" ],
    [ 'another organisation', [ 'helo=out-eu1.bigmail.test',
      'client=203.0.113.40' ], 1, "550 5.7.1 <out-eu1.bigmail.test>: "
      . "Helo command rejected: you are not bigmail.test\n" ],
    [ 'built in: Google', [ 'helo=mail.gmail.com',
      'client=203.0.113.40' ], 1, "550 5.7.1 <mail.gmail.com>: Helo "
      . "command rejected: you are not gmail.com\n" ],
    [ 'PTR lookup failed', [ 'helo=out-eu1.bigmail.test',
      'client=198.51.100.67' ], 2, "451 4.4.3 <out-eu1.bigmail.test>: "
      . "Helo command rejected: temporary DNS failure, try again later\n" ],
);
for my $t (@oneshot) {
	my ($name, $args, $status, $line) = @$t;
	my ($got_st, $got) = Filter::oneshot($conf, @$args);
	is($got_st, $status, "-E $name: exit $status");
	is($got, $line, "-E $name: the line");
}

done_testing();
