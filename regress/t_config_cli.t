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

# The command line as an admin uses it: -n prints the effective policy
# and exits 0, a broken file exits 1 naming file and line before any
# protocol line is written, and the shipped example configs are valid.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Filter;
use Test::More;

my $top = "$FindBin::Bin/..";
my $bin = $Filter::BIN;

sub run {
	my (@cmd) = @_;
	my $out = qx{@cmd 2>&1};
	return ($? >> 8, $out);
}

my ($st, $out) = run($bin, '-n');
is($st, 0, '-n with defaults exits 0');
like($out, qr/^verdict-phase rcpt-to$/m, '-n: verdict phase');
like($out, qr/^dns-timeout 8$/m, '-n: dns timeout');
like($out, qr/^check dns tempfail$/m, '-n: dns action');
like($out, qr/^message dns "450 4\.7\.1 <%h>: Helo command rejected: Host not found"$/m,
    '-n: dns reply');
like($out, qr/^dnssec no$/m, '-n: dnssec no by default');
my @checks = $out =~ /^check (\S+) /mg;
is(scalar(@checks), 23, '-n: every check is listed');
like($out, qr/^rotation-limit 5\nrotation-window 1d\nforged-window 1d$/m,
    '-n: the memory across sessions, 5 names a day, forgeries a day');
($st, $out) = run($bin, '-n', '-f', Filter::config("rotation-window 90m\n"
    . "forged-window 3600\n"));
like($out, qr/^rotation-window 90m\nforged-window 1h$/m,
    '-n: a window in the largest unit that says it exactly');

# dnssec: whose AD bit to believe.
for my $mode (qw(no yes any)) {
	($st, $out) = run($bin, '-n', '-f',
	    Filter::config("resolver 127.0.0.1\ndnssec $mode\n"));
	is($st, 0, "dnssec $mode: exit 0");
	like($out, qr/^dnssec $mode$/m, "dnssec $mode: -n prints it");
}
my $badsec = Filter::config("dnssec on\n");
($st, $out) = run($bin, '-n', '-f', $badsec);
is($st, 1, 'dnssec on: exit 1');
like($out, qr/^\Q$badsec\E:1: unknown dnssec "on": use no, yes or any$/m,
    'dnssec on: file, line and the values it takes');

# The filter no longer validates: a file of before says what to do,
# with -n and at start, before any protocol line.
my $anchor = Filter::config("resolver 127.0.0.1\n"
    . "dnssec-trust-anchor /var/lib/unbound/root.key\n");
my $gone = 'dnssec-trust-anchor is gone: validate in the site\'s resolver '
    . 'and use "dnssec yes"';
($st, $out) = run($bin, '-n', '-f', $anchor);
is($st, 1, 'dnssec-trust-anchor: exit 1');
like($out, qr/^\Q$anchor\E:2: \Q$gone\E$/m,
    'dnssec-trust-anchor: refused with the way forward');
{
	my $f = Filter->new('-f', $anchor);
	$f->send('config|smtpd-version|6.8.0p2', 'config|ready');
	my @lines = $f->drain(0.5);
	ok($f->finish != 0, 'dnssec-trust-anchor in filter mode: exits '
	    . 'non-zero');
	is_deeply(\@lines, [], 'dnssec-trust-anchor in filter mode: no '
	    . 'protocol line');
	like($f->stderr, qr/:2: \Q$gone\E$/m,
	    'dnssec-trust-anchor in filter mode: the log says why');
}

my $strict = Filter::config("profile strict\ncheck cname junk\n");
($st, $out) = run($bin, '-n', '-f', $strict);
is($st, 0, '-n strict exits 0');
like($out, qr/^check rdns-match tempfail$/m, 'strict: rdns-match tempfail');
like($out, qr/^rdns-match exact$/m, 'strict: exact');
like($out, qr/^check literal reject$/m, 'strict: literal reject');
like($out, qr/^check cname junk$/m, 'a directive after profile overrides it');
like($out, qr/^message forward "450 4\.7\.1 /m, 'strict: forward answers 4xx');

# What -n prints is itself a valid configuration.
my $again = Filter::config($out);
my ($st2, $out2) = run($bin, '-n', '-f', $again);
is($st2, 0, '-n output loads again');
is($out2, $out, '-n output is stable');

my $bad = Filter::config("dns-timeout 8\ncheck rdns_match tempfail\n"
    . "message dns \"250 ok\"\n");
($st, $out) = run($bin, '-n', '-f', $bad);
is($st, 1, 'broken config: exit 1');
like($out, qr/^\Q$bad\E:2: /m, 'broken config: file and line of the check');
like($out, qr/^\Q$bad\E:3: /m, 'broken config: every error reported');

# A broken config never reaches the handshake: nothing on stdout.
my $f = Filter->new('-f', $bad);
$f->send('config|smtpd-version|6.8.0p2', 'config|ready');
my @lines = $f->drain(0.5);
my $fst = $f->finish;
ok($fst != 0, 'broken config in filter mode: exits non-zero');
is_deeply(\@lines, [], 'broken config in filter mode: no protocol line');

# A reply that could expand to nothing would reach smtpd as "501 ",
# which it turns into 421 and a dropped client: refused at start.
my $empty = Filter::config("message syntax \"501 %d\"\n");
($st, $out) = run($bin, '-n', '-f', $empty);
is($st, 1, 'message of escapes only: exit 1');
like($out, qr/^\Q$empty\E:1: message syntax: reply needs text after its codes/m,
    'message of escapes only: file, line and why');

($st, $out) = run($bin, '-n', '-f', '/nonexistent/filter-helo.conf');
is($st, 1, 'missing file: exit 1');
like($out, qr{/nonexistent/filter-helo\.conf}, 'missing file: named');

($st, $out) = run($bin, '-x');
is($st, 64, 'unknown option: exit 64 (EX_USAGE)');
like($out, qr/usage: /, 'unknown option: usage');
# Exim reads 1 as "reject": an error before -E must not exit 1.
($st, $out) = run($bin, '-x', '-E', 'helo=a.example');
is($st, 64, 'an unknown option before -E: still 64, never 1');
($st, $out) = run($bin, '-n', 'extra');
is($st, 64, 'an operand without -E: 64');

# Out of descriptors, libevent gives up with exit(1) of its own, which
# Exim would read as "reject": whatever the limit, never 1 for a HELO
# that is fine (0 accept, 2 defer, 70 internal error).
{
	my $dead = Filter::config($Filter::LAB
	    . "resolver 127.0.0.1\@9\ndns-timeout 1\n");
	my (@bad, %seen);
	SKIP: {
		skip 'no prlimit(1)', 2
		    if system('prlimit --version >/dev/null 2>&1') != 0;
		# ASan's runtime needs descriptors of its own at start.
		skip 'built with sanitizers (make test SANITIZE=1)', 2
		    if $ENV{SANITIZE};
		# 4: too few for the event loop and the resolver's socket
		for my $n (4 .. 24) {
			system("prlimit --nofile=$n:$n '$bin' -E -f '$dead' "
			    . "helo=good.regress.test client=192.0.2.10 "
			    . ">/dev/null 2>&1 </dev/null");
			$seen{$? >> 8}++;
			push @bad, "$n: " . ($? >> 8)
			    if $? >> 8 == 1 || $? & 127;
		}
		is("@bad", '', '-E with few descriptors: never exit 1');
		ok($seen{70} && $seen{2}, 'and the limits tried include '
		    . 'too few (70) and enough (2): ' . join(' ',
		    map { "$_ x$seen{$_}" } sort keys %seen));
	}
}

# The example configuration in the README and the man page.
($st, $out) = run($bin, '-n', '-f', "$top/regress/filter-helo.conf.example");
is($st, 0, 'filter-helo.conf example loads') or diag($out);

done_testing();
