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

# pass rcpt: postmaster and abuse stay reachable from a client whose
# HELO is refused, while its other recipients in the same transaction
# still get the verdict.  Over the protocol and through -E.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Filter;
use Test::More;

my ($port) = Filter::dns_fixture();
plan skip_all => 'unbound not installed' unless defined $port;

my $SRV = '192.0.2.1:25';
my $conf = Filter::config($Filter::LAB . "resolver 127.0.0.1\@$port\n"
    . "dns-timeout 3\npass rcpt postmaster@\npass rcpt abuse\@regress.test\n"
    . "pass rcpt \@partner.test\n");
my $REFUSED = 'reject|504 5.5.2 <localhost>: Helo command rejected: '
    . 'need fully-qualified hostname';

my $f = Filter->new('-f', $conf);
$f->handshake('0.6');
my $s = Filter::Session->new($f);
$s->connect(Filter::ipport('192.0.2.10'), $SRV);
my ($ehlo, $got) = $s->verdict('localhost', 'bob@regress.test');
is($ehlo, 'proceed', 'EHLO: the verdict waits for RCPT TO');
is($got, $REFUSED, 'bob: refused');
my @rcpts = (
    [ 'Postmaster@regress.test', 'proceed' ],
    [ 'alice@regress.test', $REFUSED ],
    [ 'abuse@regress.test', 'proceed' ],
    [ 'abuse@other.test', $REFUSED ],
    [ 'anyone@partner.test', 'proceed' ],
    [ 'postmaster', 'proceed' ],
    [ 'bob@regress.test', $REFUSED ],
);
for my $r (@rcpts) {
	my ($rcpt, $want) = @$r;
	is($s->decision($s->request('rcpt-to', $rcpt)), $want,
	    "$rcpt: " . ($want eq 'proceed' ? 'spared' : 'refused'));
}
$f->finish;
my $sid = $s->sid;
my @lines = $f->stderr =~ /^$sid (ip=.*)$/mg;
is(scalar(grep { /verdict=pass \(exempt: pass rcpt\)$/ } @lines), 4,
    'each spared recipient is logged as exempt');
is(scalar(grep { /verdict=reject checks=non-fqdn/ } @lines), 4,
    'each other recipient is logged with the verdict');

# A verdict given at HELO cannot spare a recipient: refused at start.
my $early = Filter::config("verdict-phase helo\npass rcpt postmaster@\n");
my $out = qx{$Filter::BIN -n -f $early 2>&1};
isnt($? >> 8, 0, 'pass rcpt with verdict-phase helo: refused');
like($out, qr/pass rcpt needs verdict-phase rcpt-to/, '... and why');

# -E: Exim gives the recipient as rcpt=.
for my $c ([ 'postmaster@regress.test', 0, "accept\n" ],
    [ 'bob@regress.test', 1, "504 5.5.2 <localhost>: Helo command "
      . "rejected: need fully-qualified hostname\n" ]) {
	my ($rcpt, $status, $reply) = @$c;
	my $st;
	($st, $out) = Filter::oneshot($conf, 'helo=localhost',
	    'client=192.0.2.10', "rcpt=$rcpt", 'rcpt-domain=regress.test');
	is($st, $status, "-E rcpt=$rcpt: exit $status");
	is($out, $reply, "-E rcpt=$rcpt: " . ($status == 0 ? 'accepted'
	    : 'the reply'));
}

done_testing();
