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

# Names in a zone that never answers must not take DNS down for every
# other name.  Asked one after the other, each waiting its whole
# dns-timeout, they once made libunbound count the one resolver it
# forwards to as down, and every new name would then fail at once with
# 451 for minutes: one spammer's broken DNS deferring all mail.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Filter;
use Test::More;

my ($port) = Filter::dns_fixture();
plan skip_all => 'unbound not installed' unless defined $port;

my $SRV = '192.0.2.1:25';
my $TIMEOUT = 5;
# Four in a row sufficed to mark the resolver down; twice that.
my $DEAD = 8;
plan tests => 2 * $DEAD + 6;

my $f = Filter->new('-f', Filter::config($Filter::LAB . "resolver 127.0.0.1\@$port\n"
    . "dns-timeout $TIMEOUT\n"));
$f->handshake('0.6');
for my $i (1 .. $DEAD) {
	my $s = Filter::Session->new($f);
	$s->connect('192.0.2.10:40000', $SRV);
	my (undef, $got, $took) = $s->verdict("x$i.dead$i.dropped.test",
	    'bob@regress.test', timeout => $TIMEOUT + 3);
	like($got // '', qr/^reject\|451 4\.4\.3 /, "dead name $i: 451");
	ok($took > $TIMEOUT - 1, "dead name $i: at the deadline ($took s)");
}
for my $i (1 .. 3) {
	my $s = Filter::Session->new($f);
	$s->connect('192.0.2.10:40000', $SRV);
	my (undef, $got, $took) = $s->verdict("after$i.wild.regress.test",
	    'bob@regress.test', timeout => $TIMEOUT + 3);
	is($got, 'proceed', "then a resolvable name $i: proceed");
	ok($took < 1, "then a resolvable name $i: at once ($took s)");
}
$f->finish;
