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

# The dbl check against a real blocklist zone (dbl.test in the regress
# DNS fixture, regress/dns/dbl.test.zone), over the protocol as smtpd
# speaks it and through -E: a listed name and a listed registrable
# domain are refused with a reply that names the zone; an unlisted name
# passes; the zone's error codes and answers that no code explains
# never refuse and are logged; a zone that times out or fails defers at
# most (451 through dns-error, only when dbl's action is tempfail or
# stronger); zones are asked in the order given; custom codes.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Filter;
use File::Temp qw(tempdir);
use POSIX qw(_exit);
use Test::More;

my ($port) = Filter::dns_fixture();
plan skip_all => 'unbound not installed' unless defined $port;

my $SRV = '192.0.2.1:25';
my $TIMEOUT = 2;
# Names under wild.regress.test resolve to 192.0.2.37: only dbl decides.
my $CLIENT = '192.0.2.37';
my $base = $Filter::LAB . "resolver 127.0.0.1\@$port\ndns-timeout $TIMEOUT\n";
my $zone = "dbl dbl.test\n";
my $RCPT = 'bob@regress.test';
my $DNSERR = 'temporary DNS failure, try again later';

sub refused {
	my ($helo, $z) = @_;
	return "reject|554 5.7.1 Service unavailable; Helo command [$helo] "
	    . "blocked using " . ($z // 'dbl.test');
}

# name, config, client, helo, answer at rcpt-to, log match, log no-match
my @cases = (
    [ 'listed', $zone, $CLIENT, 'listed.wild.regress.test',
      refused('listed.wild.regress.test'),
      qr/verdict=reject checks=dbl,.* dbl=dbl\.test:listed:127\.0\.1\.2$/m ],
    [ 'listed by the registrable domain', $zone, '192.0.2.51',
      'mail.spammy.test', refused('mail.spammy.test'),
      qr/helo=mail\.spammy\.test verdict=reject checks=dbl,.* dbl=dbl\.test:listed:127\.0\.1\.2$/m ],
    [ 'listed under two codes', $zone, $CLIENT, 'twice.wild.regress.test',
      refused('twice.wild.regress.test'),
      qr/ dbl=dbl\.test:listed:127\.0\.1\.[24]$/m ],
    [ 'unlisted', $zone, $CLIENT, 'clean.wild.regress.test', 'proceed',
      qr/helo=clean\.wild\.regress\.test verdict=report checks=rdns,rdns-match$/m,
      qr/dbl/ ],
    (map {
	my ($n, $code) = @$_;
	[ "error code $code: no refusal, logged", $zone, $CLIENT,
	  "$n.wild.regress.test", 'proceed',
	  qr/verdict=report checks=rdns,rdns-match dbl=dbl\.test:zone-error:\Q$code\E$/m ]
    } ([ 'err252', '127.255.255.252' ], [ 'err254', '127.255.255.254' ],
       [ 'err255', '127.255.255.255' ], [ 'err1-255', '127.0.1.255' ],
       [ 'mixed', '127.255.255.254' ], [ 'other127', '127.0.0.2' ])),
    [ 'an answer outside 127/8 is a zone error', $zone, $CLIENT,
      'hijack.wild.regress.test', 'proceed',
      qr/checks=rdns,rdns-match dbl=dbl\.test:zone-error:198\.51\.100\.250$/m ],
    [ 'a zone that times out: dns-error 451', "dbl dbl.dropped.test\n",
      $CLIENT, 'listed.wild.regress.test',
      "reject|451 4.4.3 <listed.wild.regress.test>: Helo command rejected: "
      . $DNSERR,
      qr/verdict=tempfail checks=dns-error,rdns,rdns-match unknown=dbl$/m,
      qr/dbl=/ ],
    [ 'a zone that fails: dns-error 451', "dbl dbl.servfail.test\n",
      $CLIENT, 'listed.wild.regress.test',
      "reject|451 4.4.3 <listed.wild.regress.test>: Helo command rejected: "
      . $DNSERR, qr/verdict=tempfail checks=dns-error,.* unknown=dbl$/m ],
    [ 'check dbl report: a zone that times out defers nothing',
      "dbl dbl.dropped.test\ncheck dbl report\n", $CLIENT,
      'listed.wild.regress.test', 'proceed',
      qr/verdict=report checks=rdns,rdns-match unknown=dbl$/m ],
    [ 'check dbl report: listed is reported',
      "dbl dbl.test\ncheck dbl report\n", $CLIENT,
      'listed.wild.regress.test', 'proceed',
      qr/verdict=report checks=dbl,rdns,rdns-match dbl=dbl\.test:listed:127\.0\.1\.2$/m ],
    [ 'check dbl tempfail: listed is deferred',
      "dbl dbl.test\ncheck dbl tempfail\n", $CLIENT,
      'listed.wild.regress.test',
      'reject|454 4.7.1 Service unavailable; Helo command '
      . '[listed.wild.regress.test] blocked using dbl.test',
      qr/verdict=tempfail checks=dbl/ ],
    [ 'two zones: the failed first, the listing second decides',
      "dbl dbl.servfail.test\ndbl dbl.test\n", $CLIENT,
      'listed.wild.regress.test', refused('listed.wild.regress.test'),
      qr/verdict=reject checks=dbl,.* dbl=dbl\.test:listed:127\.0\.1\.2$/m ],
    [ 'two zones: unlisted in both', "dbl dbl.servfail.test\ndbl dbl.test\n",
      $CLIENT, 'clean.wild.regress.test',
      "reject|451 4.4.3 <clean.wild.regress.test>: Helo command rejected: "
      . $DNSERR, qr/checks=dns-error,rdns,rdns-match unknown=dbl$/m ],
    [ 'custom code: listed with it', "dbl dbl.test 127.0.1.2\n", $CLIENT,
      'listed.wild.regress.test', refused('listed.wild.regress.test'),
      qr/dbl=dbl\.test:listed:127\.0\.1\.2$/m ],
    [ 'custom code: another code is a zone error', "dbl dbl.test 127.0.1.2\n",
      $CLIENT, 'phish.wild.regress.test', 'proceed',
      qr/verdict=report checks=rdns,rdns-match dbl=dbl\.test:zone-error:127\.0\.1\.4$/m ],
    [ 'custom code: the phish code only', "dbl dbl.test 127.0.1.4/32\n",
      $CLIENT, 'phish.wild.regress.test', refused('phish.wild.regress.test'),
      qr/dbl=dbl\.test:listed:127\.0\.1\.4$/m ],
    [ 'custom code: a /8 still knows the error codes',
      "dbl dbl.test 127.0.0.0/8\n", $CLIENT, 'err254.wild.regress.test',
      'proceed', qr/dbl=dbl\.test:zone-error:127\.255\.255\.254$/m ],
    [ 'check dbl pass asks nothing', "dbl dbl.test\ncheck dbl pass\n",
      $CLIENT, 'listed.wild.regress.test', 'proceed', qr/verdict=report/,
      qr/dbl/ ],
);

for my $c (@cases) {
	my ($name, $conf, $ip, $helo, $want, $log, $nolog) = @$c;
	my $stderr = Filter::dns_case($name, $base . $conf, $ip, $helo, $want,
	    $log, rcpt => $RCPT);
	unlike($stderr, $nolog, "$name: not in the log") if $nolog;
}

# The queries: NAME.ZONE, and REGDOMAIN.ZONE only when it is another
# name; none for a name too long to ask, none for an exempt client.
{
	# 248 octets: a valid name, but 257 with ".dbl.test"
	my $long = join('.', ('a' x 60) x 3, 'b' x 47) . '.wild.regress.test';
	my $before = Filter::dns_queries('spammy.test.dbl.test', 'A');
	my $f = Filter->new('-f', Filter::config($base . $zone
	    . "pass client 198.51.100.9\n"));
	$f->handshake('0.6');
	my @s;
	for my $t ([ $CLIENT, 'asked.wild.regress.test' ],
	    [ '192.0.2.51', 'spammy.test' ], [ $CLIENT, $long ],
	    [ '198.51.100.9', 'exempt.wild.regress.test' ]) {
		my $s = Filter::Session->new($f);
		$s->connect(Filter::ipport($t->[0]), $SRV);
		my (undef, $got) = $s->verdict($t->[1], $RCPT,
		    timeout => $TIMEOUT + 3);
		push @s, $got;
	}
	$f->finish;
	is($s[0], 'proceed', 'queries: an unlisted name passes');
	is(Filter::dns_queries('asked.wild.regress.test.dbl.test', 'A'), 1,
	    'queries: NAME.ZONE asked once');
	ok(Filter::dns_queries('regress.test.dbl.test', 'A') >= 1,
	    'queries: its registrable domain asked too');
	is($s[1], refused('spammy.test'),
	    'queries: a listed registrable domain given as the HELO');
	is(Filter::dns_queries('spammy.test.dbl.test', 'A') - $before, 1,
	    'queries: a name that is its own domain: one query');
	is($s[2], 'proceed', 'queries: a name too long to ask is not listed');
	is(Filter::dns_queries("$long.dbl.test", 'A'), 0,
	    'queries: over 253 octets with the zone: not asked');
	is($s[3], 'proceed', 'queries: an exempt client');
	is(Filter::dns_queries('exempt.wild.regress.test.dbl.test', 'A'), 0,
	    'queries: none for an exempt client');
}

# A first zone listing the name does not wait for a silent second one.
{
	my $f = Filter->new('-f', Filter::config($base . $zone
	    . "dbl dbl.dropped.test\n"));
	$f->handshake('0.6');
	my $s = Filter::Session->new($f);
	$s->connect(Filter::ipport($CLIENT), $SRV);
	my (undef, $got, $took) = $s->verdict('listed.wild.regress.test', $RCPT,
	    timeout => $TIMEOUT + 3);
	is($got, refused('listed.wild.regress.test'),
	    'first zone lists, second silent: refused');
	ok($took < 1, "first zone lists: at once ($took s)");
	$f->finish;
}

# A new HELO in the session asks anew: the answers are the new name's.
{
	my $f = Filter->new('-f', Filter::config($base . $zone));
	$f->handshake('0.6');
	my $s = Filter::Session->new($f);
	$s->connect(Filter::ipport($CLIENT), $SRV);
	$s->request('ehlo', 'listed.wild.regress.test');
	my (undef, $got) = $s->verdict('clean.wild.regress.test', $RCPT,
	    timeout => $TIMEOUT + 3);
	is($got, 'proceed', 'a second HELO: the first listing is forgotten');
	$f->finish;
	unlike($f->stderr, qr/dbl=/, 'a second HELO: no dbl result logged');
}

# -E: the same check in Exim's one-shot mode.
my $dir = tempdir('dbl.XXXXXX', TMPDIR => 1, CLEANUP => 1);
sub oneshot {
	my ($conf, @args) = @_;
	my $path = Filter::config($base . $conf);
	my $pid = fork // die "fork: $!";
	if ($pid == 0) {
		open(STDIN, '<', '/dev/null') or _exit(126);
		open(STDOUT, '>', "$dir/out") or _exit(126);
		open(STDERR, '>', "$dir/err") or _exit(126);
		exec($Filter::BIN, '-E', '-f', $path, @args) or _exit(127);
	}
	waitpid($pid, 0);
	my $status = $? >> 8;
	open(my $fh, '<', "$dir/out") or die "$dir/out: $!";
	my $out = do { local $/; <$fh> };
	return ($status, $out);
}

my @exim = (
    [ 'listed', $zone, 'listed.wild.regress.test', 1,
      refused('listed.wild.regress.test') =~ s/^reject\|//r . "\n" ],
    [ 'listed by the domain', $zone, 'mail.spammy.test', 1,
      refused('mail.spammy.test') =~ s/^reject\|//r . "\n", '192.0.2.51' ],
    [ 'unlisted', $zone, 'clean.wild.regress.test', 0, "accept\n" ],
    [ 'zone error', $zone, 'err254.wild.regress.test', 0, "accept\n" ],
    [ 'a zone that times out', "dbl dbl.dropped.test\n",
      'listed.wild.regress.test', 2, "451 4.4.3 <listed.wild.regress.test>: "
      . "Helo command rejected: $DNSERR\n" ],
    [ 'a zone that times out, check dbl report',
      "dbl dbl.dropped.test\ncheck dbl report\n",
      'listed.wild.regress.test', 0, "accept\n" ],
);
for my $t (@exim) {
	my ($name, $conf, $helo, $status, $out, $ip) = @$t;
	my ($st, $got) = oneshot($conf, "helo=$helo",
	    'client=' . ($ip // $CLIENT));
	is($st, $status, "-E $name: exit $status");
	is($got, $out, "-E $name: the line");
}

done_testing();
