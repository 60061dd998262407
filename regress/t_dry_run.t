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

# dry-run yes: every verdict is decided and logged as without it, the
# line saying what would have been done (would=ACTION), and smtpd is
# told to proceed; -E accepts (exit 0, "accept").  Without it, the same
# sessions are refused: the test can tell the two apart.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Filter;
use Test::More;

my $SRV = '192.0.2.1:25';
my $CLI = '192.0.2.10:41234';	# good.regress.test, FCrDNS passes

my ($port) = Filter::dns_fixture();
plan skip_all => 'unbound not installed' unless defined $port;
plan tests => 16;

my $base = $Filter::LAB . "resolver 127.0.0.1\@$port\nverdict-phase helo\n";

# The EHLO answer and the verdict line logged for it.
sub ehlo {
	my ($conf, $helo) = @_;
	my $f = Filter->new('-f', Filter::config($base . $conf));
	$f->handshake('0.6');
	my $s = Filter::Session->new($f);
	$s->connect($CLI, $SRV, 'good.regress.test', 'pass');
	my $d = $s->decision($s->request('ehlo', $helo, 10)) // '';
	$f->finish;
	my ($line) = $f->stderr =~ /^(\S+ ip=.* verdict=.*)$/m;
	return ($d, $line // '');
}

my ($d, $line) = ehlo("check non-fqdn reject\n", 'foo');
like($d, qr/^reject\|504 /, 'without dry-run: refused');
unlike($line, qr/would=/, 'without dry-run: no would=');

($d, $line) = ehlo("check non-fqdn reject\ndry-run yes\n", 'foo');
is($d, 'proceed', 'dry-run: a refused HELO proceeds');
like($line, qr/ verdict=reject checks=non-fqdn\S*( \S+)* would=reject$/,
    'dry-run: the line says verdict=reject ... would=reject');

($d, $line) = ehlo("check non-fqdn junk\n"
    . "dry-run yes\n", 'foo');
is($d, 'proceed', 'dry-run: junk proceeds');
like($line, qr/ verdict=junk .* would=junk$/, 'dry-run: would=junk');

($d, $line) = ehlo("check non-fqdn report\ndry-run yes\n", 'foo');
is($d, 'proceed', 'dry-run, report only: proceed');
like($line, qr/ verdict=report checks=non-fqdn/,
    'dry-run, report only: logged as without it');
unlike($line, qr/would=/, 'dry-run, report only: no would=');

($d, $line) = ehlo("dry-run yes\n", 'good.regress.test');
is($d, 'proceed', 'dry-run, a good client: proceed');
unlike($line, qr/would=/, 'dry-run, a pass: no would=');

# -E: a refusal accepted, a pass unchanged.
sub oneshot {
	my ($conf, $helo) = @_;
	my $path = Filter::config($base . $conf);
	open(my $out, '-|', $Filter::BIN, '-E', '-f', $path, "helo=$helo",
	    'client=192.0.2.10') or die "fork: $!";
	my $reply = do { local $/; <$out> };
	close $out;
	chomp $reply;
	return ($? >> 8, $reply);
}
my ($st, $reply) = oneshot("check non-fqdn reject\n", 'foo');
is($st, 1, '-E without dry-run: exit 1 (reject)');
($st, $reply) = oneshot("check non-fqdn reject\ndry-run yes\n", 'foo');
is($st, 0, '-E dry-run: exit 0');
is($reply, 'accept', '-E dry-run: "accept", as for a pass');
($st, $reply) = oneshot("check non-fqdn junk\ndry-run yes\n", 'foo');
is($st, 0, '-E dry-run, junk: exit 0');
is($reply, 'accept', '-E dry-run, junk: "accept"');
