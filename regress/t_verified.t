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

# The client's name the MTA already forward-confirmed: smtpd's
# link-connect "NAME|pass".  A HELO that is that name is judged without
# our own lookups of the client, and of the HELO only what a check
# still needs (cname: its A; DNSSEC: all three).  Every case runs both
# ways, with smtpd's "<unknown>|fail" (our own lookups, as for every
# client before) and with "NAME|pass", against the regress fixture: the
# answers and the verdict lines must be the same.  The verdict comes a
# moment after the HELO, as a client's round trips make it, so that our
# own lookups have answered: a refusal sure before they have would name
# them "waiting=", which the verified way, knowing sooner, would not.
# The fixture's query log shows what each way asked.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Filter;
use Test::More;

my ($port, $dir) = Filter::dns_fixture();
plan skip_all => 'unbound not installed' unless defined $port;

my $SRV = '192.0.2.1:25';
my $TIMEOUT = 2;
my $base = $Filter::LAB . "resolver 127.0.0.1\@$port\ndns-timeout $TIMEOUT\n";
my $nocname = "check cname pass\n";
my $strict = "rdns-match exact\ncheck rdns-match tempfail\n"
    . "check rdns tempfail\ncheck forward reject\n";

# name, extra config, client, HELO, smtpd's confirmed name, queries the
# verified way may ask ("none", "A": the HELO's A only, "all": as today)
my @cases = (
    [ 'the HELO is the name', '', '192.0.2.10', 'good.regress.test',
      'good.regress.test', 'A' ],
    [ 'cname off: nothing asked', $nocname, '192.0.2.10',
      'good.regress.test', 'good.regress.test', 'none' ],
    [ 'strict checks pass', $strict, '192.0.2.10', 'good.regress.test',
      'good.regress.test', 'A' ],
    [ 'strict checks, cname off', $strict . $nocname, '192.0.2.10',
      'good.regress.test', 'good.regress.test', 'none' ],
    [ 'spelt otherwise', $nocname, '192.0.2.10', 'GOOD.Regress.Test.',
      'good.regress.test', 'none' ],
    [ 'profile strict', "profile strict\n" . $Filter::LAB, '192.0.2.10',
      'good.regress.test', 'good.regress.test', 'A' ],
    [ 'rdns-match domain, the same name', "check rdns-match tempfail\n"
      . $nocname, '192.0.2.10', 'good.regress.test', 'good.regress.test',
      'none' ],
    [ 'rdns-match domain, a sibling name', "check rdns-match tempfail\n",
      '192.0.2.10', 'mail.other.regress.test', 'good.regress.test', 'all' ],
    [ 'another name: asked as before', $strict, '192.0.2.10',
      'a-only.regress.test', 'good.regress.test', 'all' ],
    [ 'IPv6 client', $strict . $nocname, '2001:db8::20',
      'good6.regress.test', 'good6.regress.test', 'none' ],
    [ 'IPv6 client, cname on', $strict, '2001:db8::20', 'good6.regress.test',
      'good6.regress.test', 'A' ],
    [ 'two names, the HELO is the one smtpd gave', $strict . $nocname,
      '192.0.2.15', 'twin-b.regress.test', 'twin-b.regress.test', 'none' ],
    [ 'two names, the HELO is the other', $strict, '192.0.2.15',
      'twin-a.regress.test', 'twin-b.regress.test', 'all' ],
    [ 'a pool name', "check dynamic reject\n" . $nocname, '192.0.2.13',
      '192-0-2-13.pool.regress.test', '192-0-2-13.pool.regress.test',
      'none' ],
    [ 'rcpt-domain from its own host', $nocname, '192.0.2.10',
      'regress.test', 'good.regress.test', 'all' ],
    [ 'the HELO is a dead name', $strict, '192.0.2.10',
      'missing.regress.test', 'good.regress.test', 'all' ],
);

my %reverse = (
    '192.0.2.10' => '10.2.0.192.in-addr.arpa',
    '192.0.2.13' => '13.2.0.192.in-addr.arpa',
    '192.0.2.15' => '15.2.0.192.in-addr.arpa',
    '192.0.2.40' => '40.2.0.192.in-addr.arpa',
    '2001:db8::20' => join('.', reverse split //,
	'20010db8000000000000000000000020') . '.ip6.arpa',
);

sub queries {
	my ($ip, $helo) = @_;
	my $h = lc($helo) =~ s/\.$//r;
	return { map { $_->[0] => Filter::dns_queries(@$_[1, 2]) }
	    [ ptr => $reverse{$ip}, 'PTR' ], [ a => $h, 'A' ],
	    [ aaaa => $h, 'AAAA' ], [ mx => $h, 'MX' ] };
}

# One session; returns the answer, the verdict line without the session
# id, and the queries the fixture saw meanwhile.
sub judged {
	my ($conf, $ip, $helo, $rdns, $fcrdns) = @_;
	my $before = queries($ip, $helo);
	my $f = Filter->new('-f', Filter::config($base . $conf));
	$f->handshake('0.6');
	my $s = Filter::Session->new($f);
	$s->connect(Filter::ipport($ip), $SRV, $rdns, $fcrdns);
	# A client's round trips: our lookups are answered meanwhile.
	my (undef, $got) = $s->verdict($helo, 'bob@regress.test',
	    pause => 0.5, timeout => $TIMEOUT + 3);
	$f->finish;
	my ($line) = $f->stderr =~ /^[0-9a-f]{16} (ip=.*)$/m;
	my $after = queries($ip, $helo);
	my %asked = map { $_ => $after->{$_} - $before->{$_} } keys %$after;
	return ($got, $line, \%asked);
}

for my $c (@cases) {
	my ($name, $conf, $ip, $helo, $rdns, $asks) = @$c;
	my ($want, $wline, $wasked) = judged($conf, $ip, $helo);
	my ($got, $line, $asked) = judged($conf, $ip, $helo, $rdns, 'pass');
	ok(defined $want && defined $wline, "$name: our own lookups decide")
	    or diag(explain([ $want, $wline ]));
	is($got, $want, "$name: the same answer");
	is($line, $wline,
	    "$name: the same verdict line");
	my %expect = (none => [ 0, 0, 0, 0 ], A => [ 0, 1, 0, 0 ]);
	if ($asks eq 'all') {
		ok($asked->{ptr} >= 1 && $asked->{a} >= 1 && $asked->{mx} >= 1,
		    "$name: asked as before") or diag(explain($asked));
	} else {
		is_deeply([ @$asked{qw(ptr a aaaa mx)} ], $expect{$asks},
		    "$name: asked " . ($asks eq 'none' ? 'nothing' :
		    'only the HELO\'s A')) or diag(explain($asked));
	}
	ok($wasked->{ptr} >= 1, "$name: our own way asked the PTR");
}

# smtpd could not confirm, or failed to: no fact, our own lookups.
for my $fcrdns (qw(fail error)) {
	my ($want, $wline) = judged($strict, '192.0.2.10', 'good.regress.test');
	my ($got, $line, $asked) = judged($strict, '192.0.2.10',
	    'good.regress.test', 'good.regress.test', $fcrdns);
	is($got, $want, "fcrdns=$fcrdns: the same answer");
	is($line, $wline, "fcrdns=$fcrdns: the same verdict line");
	ok($asked->{ptr} >= 1 && $asked->{a} >= 1,
	    "fcrdns=$fcrdns: our own lookups asked");
}

# A second HELO naming another host: the client's names are asked then.
{
	my $f = Filter->new('-f', Filter::config($base . $strict . $nocname));
	$f->handshake('0.6');
	my $s = Filter::Session->new($f);
	my $before = Filter::dns_queries($reverse{'192.0.2.15'}, 'PTR');
	$s->connect('192.0.2.15:40000', $SRV, 'twin-b.regress.test', 'pass');
	$s->report('link-greeting', 'mx.regress.test');
	$s->request('ehlo', 'twin-b.regress.test');
	$s->report('link-identify', 'EHLO', 'twin-b.regress.test');
	$s->request('ehlo', 'twin-a.regress.test');
	is($s->decision($s->request('rcpt-to', 'bob@regress.test',
	    $TIMEOUT + 3)), 'junk', 'a second HELO, another of its names: '
	    . 'changed, and nothing else');
	$f->finish;
	like($f->stderr,
	    qr/rdns=twin-a\.regress\.test .*verdict=junk checks=changed$/m,
	    'a second HELO: its name confirmed by our own lookups');
	is(Filter::dns_queries($reverse{'192.0.2.15'}, 'PTR') - $before, 1,
	    'a second HELO: the PTR was asked for it');
}

# No HELO before the verdict (smtpd never lets that happen, but the
# filter must not count on it): nothing to compare smtpd's name with,
# so the client is looked up, and judged as without smtpd's name.
{
	my @got;
	for my $rdns (undef, 'good.regress.test') {
		my $f = Filter->new('-f', Filter::config($base . $strict));
		$f->handshake('0.6');
		my $s = Filter::Session->new($f);
		$s->connect('192.0.2.10:40000', $SRV, $rdns,
		    defined $rdns ? 'pass' : 'fail');
		push @got, $s->decision($s->request('rcpt-to',
		    'bob@regress.test', $TIMEOUT + 3));
		$f->finish;
		my ($line) = $f->stderr =~ /^[0-9a-f]{16} (ip=.*)$/m;
		push @got, $line;
	}
	is($got[2], $got[0], 'no HELO: the same answer');
	is($got[3], $got[1], 'no HELO: the same verdict line');
	like($got[3] // '', qr/rdns=good\.regress\.test .*checks=-$/,
	    'no HELO: the client confirmed by our own lookups');
}

# DNSSEC: "dns=secure" needs all three of the HELO's records validated.
SKIP: {
	skip('signed.test is not signed', 2) unless -s "$dir/signed.ta";
	my $conf = "dnssec-trust-anchor $dir/signed.ta\n";
	my ($want, $wline) = judged($conf, '192.0.2.40', 'good.signed.test');
	my ($got, $line) = judged($conf, '192.0.2.40', 'good.signed.test',
	    'good.signed.test', 'pass');
	is($line, $wline, 'DNSSEC: the same verdict line');
	like($line // '', qr/ dns=secure$/, 'DNSSEC: dns=secure either way');
}

done_testing();
