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

# SIGHUP reads the configuration again.  A valid file is in force for
# the next verdict, those waiting for lookups included; an invalid one
# is refused with every error logged as FILE:LINE, and the running
# policy stays.  The resolver and its dnssec mode are kept, and the log
# says so.  Under load
# every request is still answered exactly once with a well-formed
# line, and memory does not grow across 1,000 reloads.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Filter;
use File::Temp ();
use Test::More;
use Time::HiRes qw(time sleep);

my $SRV = '192.0.2.1:25';
my $CLI = '192.0.2.10:41234';	# good.regress.test, FCrDNS passes
my $RELOADS = 1000;
my $RSS_GROWTH = 256;		# KiB allowed across the reloads
my $PENDING = 100;		# sessions waiting for lookups at once

my ($port, $dir, $vport) = Filter::dns_fixture();
plan skip_all => 'unbound not installed' unless defined $port;
plan tests => 52;

# Five lines: the errors below are on lines 7 and 8.
my $base = $Filter::LAB . "resolver 127.0.0.1\@$port\ndns-timeout 3\n"
    . "verdict-phase helo\n";
my $conf = Filter::config($base . "check non-fqdn reject\n");

sub rewrite {
	my ($text, $path) = @_;
	$path //= $conf;
	open(my $fh, '>', "$path.new") or die "$path.new: $!";
	print $fh $text;
	close $fh;
	rename("$path.new", $path) or die "rename: $!";
}

# How often the log says "reload: FILE: loaded" (or "N errors").
sub count {
	my ($f, $re) = @_;
	my $n = () = $f->stderr =~ /$re/g;
	return $n;
}
my $LOADED = qr/^reload: \Q$conf\E: loaded$/m;
my $KEEP = 'keeping the running configuration';
my $REFUSED = qr/^reload: \Q$conf\E: \d+ errors?, \Q$KEEP\E$/m;

# SIGHUP, then wait until the log shows the reload done.
sub hup {
	my ($f, $re) = @_;
	my $want = count($f, $re) + 1;
	kill 'HUP', $f->{pid};
	my $end = time + 10;
	sleep(0.002) while count($f, $re) < $want && time < $end;
	return count($f, $re) == $want;
}

sub ehlo {
	my ($f, $helo, $cli) = @_;
	my $s = Filter::Session->new($f);
	$s->connect($cli // $CLI, $SRV);
	my $d = $s->decision($s->request('ehlo', $helo, 10));
	$s->report('link-disconnect');
	return $d // '';
}

my $f = Filter->new('-f', $conf);
$f->handshake('0.6');

# A valid change, in force for the next verdict.
like(ehlo($f, 'foo'), qr/^reject\|504 /, 'non-fqdn reject: 504');
rewrite($base . "check non-fqdn report\n");
ok(hup($f, $LOADED), 'valid file: "reload: FILE: loaded"');
is(ehlo($f, 'foo'), 'proceed', 'non-fqdn report after the reload: proceed');
my $shown = qr/helo=foo verdict=report checks=non-fqdn/;
like($f->stderr_until($shown), $shown,
    'the verdict line shows the new action');

# An invalid file: each error with its line, then the old policy stays.
rewrite($base . "check non-fqdn reject\nbogus directive\n"
    . "check rdns maybe\ncheck dns-error reject\n");
ok(hup($f, $REFUSED), 'invalid file: refused');
my $log = $f->stderr;
# The lines of $base, then "check non-fqdn reject": the next is "bogus".
my $bogus = ($base =~ tr/\n//) + 2;
like($log, qr/^\Q$conf\E:$bogus: unknown directive "bogus"$/m,
    'error 1 logged with file:line');
like($log, qr/^\Q$conf\E:@{[ $bogus + 1 ]}: unknown action "maybe"/m,
    'error 2 logged with file:line');
like($log, qr/^\Q$conf\E: check dns-error reject: DNS failure is never/m,
    'error 3 (across directives) logged with the file');
like($log, qr/^reload: \Q$conf\E: 3 errors, keeping the running /m,
    'the summary counts them');
is(ehlo($f, 'foo'), 'proceed', 'the running policy stays (non-fqdn report)');

# What smtpd was set up for cannot change: refused, named.
rewrite($base . "check non-fqdn reject\nverdict-phase rcpt-to\n");
ok(hup($f, $REFUSED), 'another verdict-phase: refused');
my $why = 'verdict-phase rcpt-to: smtpd asks for a verdict at helo until it '
    . 'restarts';
like($f->stderr, qr/^\Q$conf\E: \Q$why\E$/m, 'verdict-phase: why');

# A new resolver waits for a restart: lookups still go to the old one
# (the new one answers nothing, which would be a DNS error, 451).
rewrite($base =~ s/resolver \S+/resolver 127.0.0.1\@1/r
    . "check non-fqdn reject\n");
ok(hup($f, $LOADED), 'new resolver: loaded');
like($f->stderr,
    qr/^reload: \Q$conf\E: resolver changes take effect at restart$/m,
    'new resolver: the log says it waits for a restart');
like(ehlo($f, 'missing.regress.test'), qr/^reject\|450 .*Host not found/,
    'lookups still answered by the running resolver');
like(ehlo($f, 'foo'), qr/^reject\|504 /, 'the rest of the file is in force');
rewrite($base . "check non-fqdn reject\n");
ok(hup($f, $LOADED), 'resolver back as it runs: loaded');

# So does dnssec: whether the resolver is asked with the DO bit, and
# whose AD bit is believed, is how it was set up.
rewrite($base =~ s/resolver \S+/resolver 127.0.0.1\@1/r
    . "dnssec yes\ncheck non-fqdn reject\n");
ok(hup($f, $LOADED), 'new resolver and dnssec: loaded');
like($f->stderr, qr/^reload: \Q$conf\E: resolver and dnssec changes take /m,
    'new resolver and dnssec: the log names both');
rewrite($base . "check non-fqdn reject\n");
ok(hup($f, $LOADED), 'both back as they run: loaded');

# Against the validating resolver, good.signed.test is dns=secure with
# "dnssec yes" only: the mode the filter started with stays in force.
for my $t ([ 'yes', 'no' ], [ 'no', 'yes' ]) {
	my ($from, $to) = @$t;
	my $vbase = $Filter::LAB . "resolver 127.0.0.1\@$vport\n"
	    . "dns-timeout 3\n";
	my $vconf = Filter::config($vbase . "dnssec $from\n");
	my $g = Filter->new('-f', $vconf);
	$g->handshake('0.6');
	rewrite($vbase . "dnssec $to\n", $vconf);
	ok(hup($g, qr/^reload: \Q$vconf\E: loaded$/m),
	    "dnssec $from, then $to: loaded");
	like($g->stderr, qr/^reload: \Q$vconf\E: dnssec changes take effect /m,
	    "dnssec $from, then $to: the log says it waits for a restart");
	my $s = Filter::Session->new($g);
	$s->connect('192.0.2.40:40000', $SRV);
	$s->verdict('good.signed.test', 'bob@regress.test', pause => 0.2,
	    timeout => 5);
	$g->finish;
	SKIP: {
		skip 'signed.test is not signed (ldns tools)', 1
		    unless -s "$dir/signed.ta";
		my $line = 'helo=good.signed.test verdict=pass checks=-'
		    . ($from eq 'yes' ? ' dns=secure' : '');
		like($g->stderr, qr/ \Q$line\E$/m,
		    "dnssec $from, then $to: still judged as dnssec $from");
	}
}

# What was off at start stays off: pledge(2) forbade writing files, and
# smtpd was not asked for message lines.
rewrite($base . "check non-fqdn reject\nadd-header yes\n"
    . "stats-file $Filter::TMP/reload.prom\n");
ok(hup($f, $LOADED), 'add-header and stats-file turned on: loaded');
like($f->stderr, qr/^reload: \Q$conf\E: stats-file takes effect at restart$/m,
    'stats-file: the log says it waits for a restart');
like($f->stderr, qr/^reload: \Q$conf\E: add-header takes effect at restart$/m,
    'add-header: the log says it waits for a restart');
sleep(1.5);
ok(!-e "$Filter::TMP/reload.prom", 'no stats-file written');
rewrite($base . "check non-fqdn reject\n");
ok(hup($f, $LOADED), 'and back: loaded');

# Under load: sessions wait for lookups that never come back while
# reloads, valid and not, come and go.  The last valid file says
# "report" for what would otherwise refuse them: the verdicts waiting
# are given under it.
{
	my $valid = $base . "check non-fqdn reject\ncheck dns-error report\n"
	    . "check rdns-match report\ncheck dns report\n"
	    . "check forward report\ncheck cname report\n";
	my $invalid = $valid . "check nothing pass\n";
	my (%want, %got);
	my $t0 = time;
	for my $i (1 .. $PENDING) {
		my $s = Filter::Session->new($f);
		$s->connect("192.0.2.10:" . (30000 + $i), $SRV);
		$f->send(join('|', 'filter', '0.6', Filter::Session::ts(),
		    'smtp-in', 'ehlo', $s->sid, $s->{token},
		    "h$i.dropped.test"));
		$want{$s->sid} = 'pending';
	}
	my @lines;
	for my $i (1 .. 6) {
		rewrite($i % 2 ? $invalid : $valid);
		kill 'HUP', $f->{pid};
		# Meanwhile, sessions decided at once (non-fqdn reject).
		my $s = Filter::Session->new($f);
		$s->connect($CLI, $SRV);
		$f->send(join('|', 'filter', '0.6', Filter::Session::ts(),
		    'smtp-in', 'ehlo', $s->sid, $s->{token}, "n$i"));
		$want{$s->sid} = 'now';
		push @lines, $f->drain(0.1);
	}
	my $reloaded = time - $t0;
	while (@lines < keys(%want) && time < $t0 + 15) {
		my $l = $f->line(1);
		push @lines, $l if defined $l;
	}
	push @lines, $f->drain(0.5);
	ok($reloaded < 3, 'reloads done before the deadlines (' .
	    sprintf('%.1f', $reloaded) . ' s)');
	is(scalar(grep { !Filter::is_protocol($_) } @lines), 0,
	    'under load: every line well-formed');
	for (@lines) {
		$got{$1}++ if /^filter-result\|([0-9a-f]{16})\|/;
	}
	is(scalar(grep { ($got{$_} // 0) != 1 } keys %want), 0,
	    "under load: each of " . keys(%want) . " requests answered once");
	my %by = map { /^filter-result\|([0-9a-f]{16})\|[0-9a-f]{16}\|(\w+)/
	    ? ($1 => $2) : () } @lines;
	is(scalar(grep { $want{$_} eq 'pending' && ($by{$_} // '') ne
	    'proceed' } keys %want), 0,
	    'waiting verdicts given under the policy in force when decided');
	is(scalar(grep { $want{$_} eq 'now' && ($by{$_} // '') ne 'reject' }
	    keys %want), 0, 'verdicts given at once follow the running policy');
}

# Memory across many reloads.
{
	rewrite($base . "check non-fqdn reject\n"
	    . join('', map { "pass helo .p$_.example\n" } 1 .. 50));
	my ($ok, $rss0) = (0, undef);
	for my $i (1 .. $RELOADS) {
		$ok++ if hup($f, $LOADED);
		$rss0 = $f->rss if $i == 100;
	}
	is($ok, $RELOADS, "$RELOADS reloads, each logged");
	SKIP: {
		skip 'built with sanitizers (make test SANITIZE=1): memory '
		    . 'is measured in the plain build', 1 if $ENV{SANITIZE};
		my $rss = $f->rss;
		ok(defined $rss0 && defined $rss &&
		    $rss - $rss0 <= $RSS_GROWTH,
		    "RSS grows at most $RSS_GROWTH KiB from reload 100 to "
		    . "$RELOADS (" . ($rss0 // '?') . " -> " . ($rss // '?')
		    . " KiB)");
	}
	like(ehlo($f, 'foo'), qr/^reject\|504 /, 'still judging after them');
}
is($f->finish, 0, 'exit 0 at EOF');

# Lists in files are read again at each reload, with the same rule: a
# bad line (named by the file's name and line) keeps the running lists.
# Under load, with a file of 100,000 names read at each reload, every
# request is answered once.
{
	my $names = File::Temp::tempdir(CLEANUP => 1) . "/names";
	rewrite("# exempt HELOs\n.partner.test\n", $names);
	my $fconf = Filter::config($base . "check non-fqdn reject\n"
	    . "pass helo file $names\n");
	my $floaded = qr/^reload: \Q$fconf\E: loaded$/m;
	my $frefused = qr/^reload: \Q$fconf\E: \d+ errors?, \Q$KEEP\E$/m;
	my $g = Filter->new('-f', $fconf);
	$g->handshake('0.6');
	like(ehlo($g, 'foo'), qr/^reject\|504 /, 'file: foo refused at first');
	rewrite(".partner.test\nfoo\n", $names);
	ok(hup($g, $floaded), 'file changed: reloaded');
	is(ehlo($g, 'foo'), 'proceed', 'file: the new entry is in force');
	rewrite(".partner.test\nfoo\nnot a name\n", $names);
	ok(hup($g, $frefused), 'a bad line in the file: refused');
	my $at = ($base =~ tr/\n//) + 2;
	like($g->stderr, qr/^\Q$fconf\E:$at: \Q$names\E:3: one entry a line$/m,
	    'the error names the file and its line');
	is(ehlo($g, 'foo'), 'proceed', 'the running lists stay');

	open(my $fh, '>', "$names.new") or die;
	printf $fh "h%d.many%d.test\n", $_, $_ % 101 for 1 .. 100_000;
	print $fh "foo\n";
	close $fh;
	my $big = "$names.big";
	rename("$names.new", $big) or die;
	my (%want, @lines);
	my $t0 = time;
	for my $i (1 .. 10) {
		if ($i % 2) {
			system('cp', $big, "$names.new") == 0 or die;
			rename("$names.new", $names) or die;
		} else {
			rewrite("bad entry\n", $names);
		}
		kill 'HUP', $g->{pid};
		for my $j (1 .. 5) {
			my $s = Filter::Session->new($g);
			$s->connect($CLI, $SRV);
			$g->send(join('|', 'filter', '0.6',
			    Filter::Session::ts(), 'smtp-in', 'ehlo', $s->sid,
			    $s->{token}, "foo"));
			$want{$s->sid} = 1;
		}
		push @lines, $g->drain(0.05);
	}
	while (@lines < keys(%want) && time < $t0 + 20) {
		my $l = $g->line(1);
		push @lines, $l if defined $l;
	}
	push @lines, $g->drain(0.5);
	my %got;
	$got{$_}++ for map { /^filter-result\|([0-9a-f]{16})\|/ ? $1 : () }
	    @lines;
	is(scalar(grep { ($got{$_} // 0) != 1 } keys %want), 0,
	    'reloading 100,000 names under load: each of ' . keys(%want)
	    . ' requests answered once');
	is(scalar(grep { !/\|proceed$/ } grep { /^filter-result/ } @lines), 0,
	    '... each under a policy that passes foo');
	$g->finish;
}

# Without -f: the built-in defaults again, harmlessly.
{
	my $d = Filter->new();
	$d->handshake('0.6');
	kill 'HUP', $d->{pid};
	sleep(0.3);
	like($d->stderr, qr/^reload: defaults: loaded$/m,
	    'without -f: the defaults reloaded');
}

# A blocklist answer stays with the zone that gave it: the HELO was found
# on dbl.test before a reload put another zone first, and the verdict
# after it still names dbl.test (the answers keep a copy of their zones).
{
	my $zconf = Filter::config($Filter::LAB . "resolver 127.0.0.1\@$port\n"
	    . "dns-timeout 3\ndbl dbl.test\n");
	my $z = Filter->new('-f', $zconf);
	$z->handshake('0.6');
	my $s = Filter::Session->new($z);
	$s->connect($CLI, $SRV);
	is($s->decision($s->request('ehlo', 'listed.wild.regress.test')),
	    'proceed', 'dbl before a reload: proceed until rcpt-to');
	sleep(0.5);
	open(my $fh, '>', $zconf) or die "$zconf: $!";
	print $fh $Filter::LAB . "resolver 127.0.0.1\@$port\ndns-timeout 3\n"
	    . "dbl dbl.servfail.test\ndbl dbl.test\n";
	close $fh;
	my $loaded = qr/^reload: \Q$zconf\E: loaded$/m;
	ok(hup($z, $loaded), 'dbl: the zones reloaded');
	like($s->decision($s->request('rcpt-to', '<bob@regress.test>')),
	    qr/^reject\|554 5\.7\.1 .* blocked using dbl\.test$/,
	    'dbl after the reload: the zone that listed it');
	$z->finish;
}
