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

# The OpenSPF RFC 7208 conformance suite (release 2014.04, 203 tests),
# run through the SPF evaluator against a real DNS server: for each
# scenario an unbound daemon serves its zone data (regress/lib/
# SpfSuite.pm says how the suite's data becomes DNS), and every test of
# the scenario is one check_host() by the driver:
#
#	t_spfcheck RESOLVER TIMEOUT_MS IP MAILFROM HELO
#
# which prints the result, and for fail a line "explanation: TEXT".  The
# result must be one of those the test allows, the explanation the one
# it gives, if it gives one.  The suite's DEFAULT is its driver's
# default explanation: here the evaluator's, the one a record without
# exp= gets (asked first, below).  TIMEOUT_MS is 1.5 s, so that the
# tests whose DNS never answers stay quick.
#
# The suite is vendored material outside the tree, at
# ../shared/vendor/openspf/ from the checkout (SPF_SUITE=FILE to point
# elsewhere); the driver is regress/t_spfcheck (SPF_DRIVER=PATH).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use File::Temp qw(tempdir);
use SpfSuite;
use Test::More;

# Tests that fail for a reason outside the evaluator: "scenario/test"
# => why.  They run, as TODO.
my %TODO = (
	'Macro expansion rules/v-macro-ip6' => 'the explanation has the '
	    . '%{ir} nibbles in the case the address was written in '
	    . '(E.B.A.B.E.F.A.C for CAFE:BABE::1), as pyspf keeps it; RFC '
	    . '7208 7.4 writes them in lower case, as the evaluator does',
);

my $TESTS = 203;	# the suite's count: a file that lost some fails
my $TIMEOUT_MS = 1500;

my $top = "$FindBin::Bin/..";
my $suite = $ENV{SPF_SUITE} //
    "$top/../shared/vendor/openspf/rfc7208-tests.yml";
my $driver = $ENV{SPF_DRIVER} // "$top/regress/t_spfcheck";

plan skip_all => "no OpenSPF suite at $suite" unless -r $suite;
plan skip_all => "no driver $driver (make regress/t_spfcheck)"
    unless -x $driver;
$ENV{PATH} .= ':/usr/sbin:/usr/local/sbin';
plan skip_all => 'unbound not installed'
    unless system('command -v unbound >/dev/null 2>&1') == 0;
my ($scenarios, $why) = SpfSuite::load($suite);
plan skip_all => $why unless $scenarios;
plan tests => $TESTS;

my $tmp = tempdir('spf-suite.XXXXXX', TMPDIR => 1, CLEANUP => 1);

# The evaluator's own explanation, which the suite calls DEFAULT: a fail
# from a record that has no exp=.
my $default = do {
	my $srv = SpfSuite::start({ 'default.example.com' =>
	    [{ TXT => 'v=spf1 -all' }] }, $tmp);
	my $r = SpfSuite::check($driver, $srv, $TIMEOUT_MS, { host =>
	    '192.0.2.1', mailfrom => 'someone@default.example.com',
	    helo => 'default.example.com' });
	SpfSuite::stop($srv);
	diag('no default explanation: "v=spf1 -all" gave ' .
	    ($r->{output} =~ s/\n/\\n/gr)) unless defined $r->{explanation};
	$r->{explanation};
};

for my $scenario (@$scenarios) {
	my $srv = SpfSuite::start($scenario->{zonedata}, $tmp);
	my $tests = $scenario->{tests};
	for my $name (sort keys %$tests) {
		run_test("$scenario->{description}/$name", $tests->{$name},
		    $srv);
	}
	SpfSuite::stop($srv);
	diag("$scenario->{description}: no answer to $_, a name under a "
	    . 'TIMEOUT name that the zone data does not list')
	    for SpfSuite::dropped_unlisted($srv);
}

sub run_test {
	my ($id, $t, $srv) = @_;
	my @want = ref $t->{result} ? @{$t->{result}} : ($t->{result});
	my $r = SpfSuite::check($driver, $srv, $TIMEOUT_MS, $t);
	my $got = $r->{result} // '(nothing)';
	my $ok = $r->{status} == 0 && grep { $_ eq $got } @want;
	my ($want, $have) = (join(' or ', @want), $got);
	if (exists $t->{explanation}) {
		my $exp = $t->{explanation} eq 'DEFAULT' ? $default :
		    SpfSuite::octets($t->{explanation});
		$ok &&= defined $exp && defined $r->{explanation} &&
		    $r->{explanation} eq $exp;
		$want .= ', explanation ' . show($exp);
		$have .= ', explanation ' . show($r->{explanation});
	}
	local $TODO = $TODO{$id};
	ok($ok, "$id: expected $want, got $have") or
	    diag(explain_failure($t, $r));
}

# Text quoted, its octets outside printable ASCII as \xHH.
sub show {
	my ($text) = @_;
	return '(none)' unless defined $text;
	return '"' . $text =~ s/([^\x20-\x7e])/sprintf('\\x%02X', ord $1)/ger
	    . '"';
}

sub explain_failure {
	my ($t, $r) = @_;
	my $text = "$t->{host} mailfrom <" . ($t->{mailfrom} // '') .
	    "> helo $t->{helo}";
	$text .= "\nexit status $r->{status}" if $r->{status};
	$text .= "\noutput:\n$r->{output}";
	$text .= "stderr:\n$r->{stderr}" if $r->{stderr} ne '';
	return $text;
}
