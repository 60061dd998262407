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

# special-name with the default policy: a HELO in a special-use domain
# or under an unknown top-level label is deferred at once, with a reply
# that says why, and never waits for DNS.  The fixture's names are under
# .test, itself special: so here they are judged as a real MX would.
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
my $TIMEOUT = 3;
my $conf = Filter::config("resolver 127.0.0.1\@$port\n"
    . "dns-timeout $TIMEOUT\n");

# HELO, the reply at RCPT TO (after "reject|"), the checks logged
my @cases = (
    [ 'localhost.localdomain',
      '450 4.7.1 <localhost.localdomain>: Helo command rejected: '
      . 'not a public host name', 'special-name,dns-error,rdns-match' ],
    [ 'ip-10-0-0-1.ec2.internal',
      '450 4.7.1 <ip-10-0-0-1.ec2.internal>: Helo command rejected: '
      . 'not a public host name', 'special-name,dns-error,rdns-match' ],
    [ 'mail.example.com',
      '450 4.7.1 <mail.example.com>: Helo command rejected: '
      . 'not a public host name', 'special-name,dns-error,rdns-match' ],
    [ 'mx.nosuchtld',
      '450 4.7.1 <mx.nosuchtld>: Helo command rejected: '
      . 'not a public host name', 'special-name,dns-error,rdns-match' ],
    # the fixture's own names: .test is for testing only
    [ 'good.regress.test',
      '450 4.7.1 <good.regress.test>: Helo command rejected: '
      . 'not a public host name', 'special-name,private' ],
    # dotless: non-fqdn refuses, as it always did
    [ 'localhost', '504 5.5.2 <localhost>: Helo command rejected: '
      . 'need fully-qualified hostname', 'non-fqdn,special-name,rdns-match' ],
);

my $f = Filter->new('-f', $conf);
$f->handshake('0.6');
for my $c (@cases) {
	my ($helo, $reply, $checks) = @$c;
	my $s = Filter::Session->new($f);
	$s->connect(Filter::ipport('192.0.2.10'), $SRV);
	# The fixture answers the PTR; what it says of these names (REFUSED
	# outside its zones) is awaited before the verdict.
	my (undef, $got) = $s->verdict($helo, 'bob@regress.test',
	    pause => 0.3, timeout => $TIMEOUT + 2);
	is($got, "reject|$reply", "$helo: deferred, and told why");
	my $sid = $s->sid;
	like($f->stderr, qr/^$sid .* helo=\Q$helo\E verdict=\S+ checks=\Q$checks\E( |$)/m,
	    "$helo: logged with the checks that fired");
	$s->report('link-disconnect');
}
$f->finish;

# Decided without DNS: a special name whose lookups are dropped is
# answered at once, not at the deadline.
$f = Filter->new('-f', $conf);
$f->handshake('0.6');
{
	my $s = Filter::Session->new($f);
	$s->connect(Filter::ipport('192.0.2.10'), $SRV);
	my (undef, $got, $took) = $s->verdict('mx.dropped.test',
	    'bob@regress.test', timeout => $TIMEOUT + 2);
	like($got, qr/^reject\|450 4\.7\.1 <mx\.dropped\.test>: Helo command rejected: not a public host name$/,
	    'dropped lookups: deferred as a special name');
	ok($took < $TIMEOUT / 2, sprintf('dropped lookups: answered at '
	    . 'once (%.3f s), not at the %d s deadline', $took, $TIMEOUT));
}
$f->finish;

# An admin who turns it off: the same names are judged by the others.
$f = Filter->new('-f', Filter::config("resolver 127.0.0.1\@$port\n"
    . "dns-timeout $TIMEOUT\ncheck special-name pass\ncheck private pass\n"));
$f->handshake('0.6');
{
	my $s = Filter::Session->new($f);
	$s->connect(Filter::ipport('192.0.2.10'), $SRV);
	my (undef, $got) = $s->verdict('good.regress.test', 'bob@regress.test',
	    pause => 0.3, timeout => $TIMEOUT + 2);
	is($got, 'proceed', 'check special-name pass: a fixture name passes');
}
$f->finish;

# -E: exit 2 (tempfail) and the reply, without a resolver set up.
my ($st, $out) = Filter::oneshot($conf, 'helo=localhost.localdomain',
    'client=192.0.2.10');
is($st, 2, '-E: exit 2 (tempfail)');
is($out, "450 4.7.1 <localhost.localdomain>: Helo command rejected: "
    . "not a public host name\n", '-E: the reply');

done_testing();
