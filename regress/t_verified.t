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
# link-connect "NAME|pass", Exim's rdns=.  That name is the client's
# whatever the HELO: neither the client's PTR nor the confirmation of
# its name is asked.  A HELO that is that name is judged without the
# HELO's address records too, but for what a check still needs (cname:
# its A; DNSSEC: all three); an address literal needs no lookup at all;
# any other name has its own records asked, as our own way asks them.
# Every case runs both ways, with smtpd's "<unknown>|fail" (our own
# lookups, as for every client before) and with "NAME|pass", against
# the regress fixture: the answers, the verdict lines and the headers of
# add-header must be the same.  The verdict comes a moment after the
# HELO, as a client's round trips make it, so that our own lookups have
# answered: a refusal sure before they have would name them "waiting=",
# which the verified way, knowing sooner, would not.  The fixture's query
# log shows what each way asked.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Filter;
use Test::More;

my ($port, $dir, $vport) = Filter::dns_fixture();
plan skip_all => 'unbound not installed' unless defined $port;

my $SRV = '192.0.2.1:25';
my $TIMEOUT = 2;
# judged() starts from this; the DNSSEC cases ask the validating resolver.
our $base = $Filter::LAB . "resolver 127.0.0.1\@$port\ndns-timeout $TIMEOUT\n";
my $nocname = "check cname pass\n";
my $strict = "rdns-match exact\ncheck rdns-match tempfail\n"
    . "check rdns tempfail\ncheck forward reject\n";
my @MSG = ('Subject: x', '', 'body', '.');

# name, extra config, client, HELO, smtpd's confirmed name, queries the
# verified way may ask besides ("none", "A": the HELO's A only, "helo":
# the HELO's records as our own way asks them); never the PTR or the
# confirmation of the name
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
    [ 'smtpd\'s name spelt otherwise', $nocname, '192.0.2.10',
      'good.regress.test', 'Good.Regress.TEST.', 'none' ],
    [ 'profile strict', "profile strict\n" . $Filter::LAB, '192.0.2.10',
      'good.regress.test', 'good.regress.test', 'A' ],
    [ 'rdns-match domain, the same name', "check rdns-match tempfail\n"
      . $nocname, '192.0.2.10', 'good.regress.test', 'good.regress.test',
      'none' ],
    [ 'rdns-match domain, a sibling name', "check rdns-match tempfail\n",
      '192.0.2.10', 'mail.other.regress.test', 'good.regress.test',
      'helo' ],
    [ 'another name, strict', $strict, '192.0.2.10',
      'a-only.regress.test', 'good.regress.test', 'helo' ],
    [ 'another name: %r in the reply', "rdns-match exact\n"
      . "check rdns-match tempfail\n", '192.0.2.10', 'a-only.regress.test',
      'good.regress.test', 'helo' ],
    [ 'IPv6 client', $strict . $nocname, '2001:db8::20',
      'good6.regress.test', 'good6.regress.test', 'none' ],
    [ 'IPv6 client, cname on', $strict, '2001:db8::20', 'good6.regress.test',
      'good6.regress.test', 'A' ],
    [ 'two names, the HELO is the one smtpd gave', $strict . $nocname,
      '192.0.2.15', 'twin-b.regress.test', 'twin-b.regress.test', 'none' ],
    [ 'a pool name', "check dynamic reject\n" . $nocname, '192.0.2.13',
      '192-0-2-13.pool.regress.test', '192-0-2-13.pool.regress.test',
      'none' ],
    [ 'rcpt-domain from its own host', $nocname, '192.0.2.10',
      'regress.test', 'good.regress.test', 'helo' ],
    [ 'the HELO is a dead name', $strict, '192.0.2.10',
      'missing.regress.test', 'good.regress.test', 'helo' ],
    [ 'an address literal', '', '192.0.2.10', '[192.0.2.10]',
      'good.regress.test', 'none' ],
    [ 'an address literal, strict checks', $strict, '192.0.2.10',
      '[192.0.2.10]', 'good.regress.test', 'none' ],
    [ 'an address literal, profile strict', "profile strict\n"
      . $Filter::LAB, '192.0.2.10', '[192.0.2.10]', 'good.regress.test',
      'none' ],
    [ 'another host\'s literal: junk', $strict, '192.0.2.10',
      '[192.0.2.99]', 'good.regress.test', 'none' ],
    [ 'an IPv6 literal', $strict, '2001:db8::20', '[IPv6:2001:db8::20]',
      'good6.regress.test', 'none' ],
    [ 'a bare IP address', $strict, '192.0.2.10', '192.0.2.10',
      'good.regress.test', 'none' ],
    [ 'an address literal from a pool host', "check dynamic reject\n",
      '192.0.2.13', '[192.0.2.13]', '192-0-2-13.pool.regress.test',
      'none' ],
    [ 'an address literal, pass rdns', "pass rdns good.regress.test\n"
      . "check literal reject\n", '192.0.2.10', '[192.0.2.99]',
      'good.regress.test', 'none' ],
    [ 'an unrelated name, pass rdns', "pass rdns good.regress.test\n",
      '192.0.2.10', 'missing.regress.test', 'good.regress.test', 'none' ],
);

my %reverse = (
    '192.0.2.10' => '10.2.0.192.in-addr.arpa',
    '192.0.2.13' => '13.2.0.192.in-addr.arpa',
    '192.0.2.15' => '15.2.0.192.in-addr.arpa',
    '192.0.2.40' => '40.2.0.192.in-addr.arpa',
    '2001:db8::20' => join('.', reverse split //,
	'20010db8000000000000000000000020') . '.ip6.arpa',
);

sub canonical { return lc($_[0]) =~ s/\.$//r }

# The queries the fixture saw so far: the client's PTR; the HELO's A,
# AAAA and MX; and when smtpd's name is not the HELO, its confirmation
# (A, or AAAA for an IPv6 client), which for the HELO counts as its A.
sub queries {
	my ($ip, $helo, $rdns) = @_;
	my $h = canonical($helo);
	my %q = map { $_->[0] => Filter::dns_queries(@$_[1, 2]) }
	    [ ptr => $reverse{$ip}, 'PTR' ], [ a => $h, 'A' ],
	    [ aaaa => $h, 'AAAA' ], [ mx => $h, 'MX' ];
	$q{confirm} = defined $rdns && canonical($rdns) ne $h ?
	    Filter::dns_queries(canonical($rdns), $ip =~ /:/ ? 'AAAA' : 'A') :
	    0;
	return \%q;
}

# One session, with add-header; returns the answer, the verdict line
# without the session id, the message's lines as the filter gave them
# back (none after a refusal), and the queries the fixture saw
# meanwhile.  The client's queries are counted for the name smtpd gives
# in the verified way, also when judging our own way.
sub judged {
	my ($conf, $ip, $helo, $rdns, $fcrdns, $version, $counted) = @_;
	$version //= '0.6';
	$counted //= $rdns;
	my $before = queries($ip, $helo, $counted);
	my $f = Filter->new('-f', Filter::config($base . $conf
	    . "add-header yes\n"));
	$f->handshake($version);
	my $s = Filter::Session->new($f, version => $version);
	$s->connect(Filter::ipport($ip), $SRV, $rdns, $fcrdns);
	# A client's round trips: our lookups are answered meanwhile.
	my (undef, $got) = $s->verdict($helo, 'bob@regress.test',
	    pause => 0.5, timeout => $TIMEOUT + 3);
	my @msg = ($got // '') =~ /^(proceed|junk)/ ? $s->data(@MSG) : ();
	$f->finish;
	my ($line) = $f->stderr =~ /^[0-9a-f]{16} (ip=.*)$/m;
	my $after = queries($ip, $helo, $counted);
	my %asked = map { $_ => $after->{$_} - $before->{$_} } keys %$after;
	return ($got, $line, \@msg, \%asked);
}

my %covered;
for my $c (@cases) {
	my ($cname, $conf, $ip, $helo, $rdns, $asks) = @$c;
	my $is_name = canonical($helo) eq canonical($rdns);
	# What smtpd says in link-connect is the same in 0.6 and 0.7.
	for my $v ($is_name ? ('0.6') : ('0.6', '0.7')) {
		my $name = "$cname ($v)";
		my ($want, $wline, $wmsg, $wasked) = judged($conf, $ip, $helo,
		    undef, undef, $v, $rdns);
		my ($got, $line, $msg, $asked) = judged($conf, $ip, $helo,
		    $rdns, 'pass', $v);
		ok(defined $want && defined $wline,
		    "$name: our own lookups decide")
		    or diag(explain([ $want, $wline ]));
		is($got, $want, "$name: the same answer");
		is($line, $wline, "$name: the same verdict line");
		is_deeply($msg, $wmsg, "$name: the same headers");
		is_deeply([ @$asked{qw(ptr confirm)} ], [ 0, 0 ],
		    "$name: neither the PTR nor the name's confirmation asked")
		    or diag(explain($asked));
		my %expect = (none => [ 0, 0, 0 ], A => [ 1, 0, 0 ],
		    helo => [ @$wasked{qw(a aaaa mx)} ]);
		is_deeply([ @$asked{qw(a aaaa mx)} ], $expect{$asks},
		    "$name: of the HELO, asked " . ($asks eq 'none' ?
		    'nothing' : $asks eq 'A' ? 'only its A' :
		    'what our own way asks')) or diag(explain($asked));
		ok($asked->{a} >= 1, "$name: the HELO's own lookups still "
		    . 'asked') if $asks eq 'helo';
		ok($wasked->{ptr} >= 1 && ($is_name || $wasked->{confirm} >= 1),
		    "$name: our own way asked the PTR and confirmed the name")
		    or diag(explain($wasked));
		$covered{$1}++ if ($line // '') =~ /verdict=(\w+)/;
		$covered{iprev}++ if ($msg->[0] // '') =~ /iprev=pass/;
	}
}
ok($covered{$_}, "the cases cover verdict $_")
    for qw(pass report junk tempfail reject);
ok($covered{iprev}, 'the cases cover a header with iprev=pass');

# Exim: rdns=, the name Exim confirmed, in -E with header=yes (the
# X-HELO-Check value, or the reply of a refusal): the same line and exit
# status as without it, and no lookup of the client.  The queries are
# counted for the name Exim gives either way.
sub exim {
	my ($conf, $ip, $helo, $rdns, $counted) = @_;
	my $before = queries($ip, $helo, $counted);
	my ($st, $out) = Filter::oneshot(Filter::config($base . $conf),
	    "helo=$helo", "client=$ip", 'server=192.0.2.1',
	    'greeting=mx.regress.test', 'rcpt=bob@regress.test',
	    'rcpt-domain=regress.test', 'header=yes',
	    defined $rdns ? "rdns=$rdns" : ());
	my $after = queries($ip, $helo, $counted);
	return ($st, $out,
	    { map { $_ => $after->{$_} - $before->{$_} } keys %$after });
}

for my $c (@cases) {
	my ($cname, $conf, $ip, $helo, $rdns, $asks) = @$c;
	next if canonical($helo) eq canonical($rdns);
	# refused for its syntax before any lookup, either way
	next if $helo =~ /^[0-9.]+$/;
	my $name = "-E $cname";
	my ($wst, $wout, $wasked) = exim($conf, $ip, $helo, undef, $rdns);
	my ($st, $out, $asked) = exim($conf, $ip, $helo, $rdns, $rdns);
	ok($wout ne '', "$name: our own lookups decide") or diag($wout);
	is($out, $wout, "$name: the same line");
	is($st, $wst, "$name: the same exit status");
	is_deeply([ @$asked{qw(ptr confirm)} ], [ 0, 0 ],
	    "$name: neither the PTR nor the name's confirmation asked")
	    or diag(explain($asked));
	is_deeply([ @$asked{qw(a aaaa mx)} ], $asks eq 'none' ? [ 0, 0, 0 ] :
	    [ @$wasked{qw(a aaaa mx)} ], "$name: of the HELO, asked " .
	    ($asks eq 'none' ? 'nothing' : 'what our own way asks'))
	    or diag(explain($asked));
	ok($wasked->{ptr} >= 1 && $wasked->{confirm} >= 1,
	    "$name: our own way asked the PTR and confirmed the name")
	    or diag(explain($wasked));
}

# smtpd could not confirm, or failed to: no fact, our own lookups.
for my $fcrdns (qw(fail error)) {
	for my $helo ('good.regress.test', '[192.0.2.10]') {
		my $name = "fcrdns=$fcrdns, HELO $helo";
		my ($want, $wline) = judged($strict, '192.0.2.10', $helo);
		my ($got, $line, undef, $asked) = judged($strict,
		    '192.0.2.10', $helo, 'good.regress.test', $fcrdns);
		is($got, $want, "$name: the same answer");
		is($line, $wline, "$name: the same verdict line");
		ok($asked->{ptr} >= 1 && ($asked->{a} >= 1 ||
		    $asked->{confirm} >= 1), "$name: our own lookups asked")
		    or diag(explain($asked));
	}
}

# Sessions of any HELOs (none too: smtpd never lets that happen, but the
# filter must not count on it); returns the last answer, the verdict
# line and how often the client's PTR was asked.
sub session {
	my ($conf, $ip, $helos, $rdns, $fcrdns) = @_;
	my $f = Filter->new('-f', Filter::config($base . $conf));
	$f->handshake('0.6');
	my $s = Filter::Session->new($f);
	my $before = Filter::dns_queries($reverse{$ip}, 'PTR');
	$s->connect(Filter::ipport($ip), $SRV, $rdns, $fcrdns);
	$s->report('link-greeting', 'mx.regress.test');
	for my $helo (@$helos) {
		$s->request('ehlo', $helo);
		$s->report('link-identify', 'EHLO', $helo);
	}
	select(undef, undef, undef, 0.5);
	my $got = $s->decision($s->request('rcpt-to', 'bob@regress.test',
	    $TIMEOUT + 3));
	$f->finish;
	my ($line) = $f->stderr =~ /^[0-9a-f]{16} (ip=.*)$/m;
	return ($got, $line,
	    Filter::dns_queries($reverse{$ip}, 'PTR') - $before);
}

# A second HELO naming another host, or no HELO at all: smtpd's name
# still stands, and the verdict is the one of our own lookups.
for my $t ([ 'a second HELO, an address literal', $strict . $nocname,
    [ 'good.regress.test', '[192.0.2.10]' ], qr/checks=changed$/ ],
    [ 'a second HELO, another name', $strict . $nocname,
    [ 'good.regress.test', 'a-only.regress.test' ],
    qr/checks=rdns-match,forward,changed$/ ],
    [ 'no HELO', $strict, [], qr/checks=-$/ ]) {
	my ($name, $conf, $helos, $checks) = @$t;
	my ($want, $wline, $wptr) = session($conf, '192.0.2.10', $helos);
	my ($got, $line, $ptr) = session($conf, '192.0.2.10', $helos,
	    'good.regress.test', 'pass');
	is($got, $want, "$name: the same answer");
	is($line, $wline, "$name: the same verdict line");
	like($line // '', qr/rdns=good\.regress\.test .*$checks/,
	    "$name: the client's name, and what fired");
	is($ptr, 0, "$name: the PTR not asked");
	ok($wptr >= 1, "$name: our own way asked it");
}

# A client with several names: smtpd gives one, which stands for all of
# them (as the README and filter-helo.8 say).  The log names it, and a
# HELO that is another of them does not match it exactly; our own
# lookups, knowing both, would have let it pass.
{
	my $conf = "rdns-match exact\ncheck rdns-match tempfail\n$nocname";
	my ($want, $wline, $wptr) = session($conf, '192.0.2.15',
	    [ 'twin-a.regress.test' ]);
	my ($got, $line, $ptr) = session($conf, '192.0.2.15',
	    [ 'twin-a.regress.test' ], 'twin-b.regress.test', 'pass');
	is($want, 'proceed', 'two names: our own lookups know both');
	like($wline // '', qr/rdns=twin-a\.regress\.test .*checks=-$/,
	    'two names: our own lookups log the HELO\'s');
	like($got // '', qr/^reject\|450\ 4\.7\.1\ <twin-a\.regress\.test>:\ .*
	    your\ hostname\ twin-b\.regress\.test$/x,
	    'two names, the HELO is the other: smtpd\'s alone stands');
	like($line // '', qr/rdns=twin-b\.regress\.test .*checks=rdns-match$/,
	    'two names: the log names smtpd\'s');
	is($ptr, 0, 'two names: the PTR not asked');
	($got, $line, $ptr) = session($conf, '192.0.2.15', [ '[192.0.2.15]' ],
	    'twin-b.regress.test', 'pass');
	like($line // '', qr/rdns=twin-b\.regress\.test .*checks=-$/,
	    'two names, an address literal: the log names smtpd\'s');
	is($ptr, 0, 'two names, an address literal: the PTR not asked');
}

# DNSSEC: "dns=secure" needs all three of the HELO's records validated.
SKIP: {
	skip('signed.test is not signed', 2) unless -s "$dir/signed.ta";
	local $base = $base =~ s/\@$port\n/\@$vport\n/r;
	my $conf = "dnssec yes\n";
	my ($want, $wline) = judged($conf, '192.0.2.40', 'good.signed.test');
	my ($got, $line) = judged($conf, '192.0.2.40', 'good.signed.test',
	    'good.signed.test', 'pass');
	is($line, $wline, 'DNSSEC: the same verdict line');
	like($line // '', qr/ dns=secure$/, 'DNSSEC: dns=secure either way');
}

done_testing();
