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

# The counters, over the protocol: sessions with known verdicts (a
# refused non-FQDN, an exempt client, DNS lookups, the same again from
# the cache, a failed and a timed-out lookup), then the SIGUSR1 log line
# and stats-file, which must say the same.  The file is Prometheus text,
# always whole, replaced by rename; an unwritable one is logged once and
# the filter answers on; the last counts are written at exit; -E writes
# none.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use File::Temp qw(tempdir);
use Filter;
use Test::More;
use Time::HiRes qw(sleep time);

my ($port) = Filter::dns_fixture();
plan skip_all => 'unbound not installed' unless defined $port;

my $SRV = '192.0.2.1:25';
my $dir = tempdir('stats.XXXXXX', DIR => $Filter::TMP);
my $prom = "$dir/filter-helo.prom";
my $base = $Filter::LAB . "resolver 127.0.0.1\@$port\ndns-timeout 1\n"
    . "verdict-phase helo\npass client 198.51.100.20\n";
my $conf = Filter::config($base . "stats-file $prom\nstats-interval 1\n");

# The SIGUSR1 line as a hash: plain values, and a hash for each list.
sub parse_line {
	my ($l) = @_;
	my %st;
	$l =~ s/^stats: // or return undef;
	for my $field (split / /, $l) {
		my ($k, $v) = split /=/, $field, 2;
		if ($v !~ /:/ && $v ne 'none') {
			$st{$k} = $v;
			next;
		}
		$st{$k} = {};
		next if $v eq 'none';
		for my $e (split /,/, $v) {
			my ($n, $c) = $e =~ /^(.*):(\d+)$/ or return undef;
			$st{$k}{$n} = $c;
		}
	}
	return \%st;
}

# Send SIGUSR1 and wait for the line it logs.
sub stats_line {
	my ($f) = @_;
	my $before = () = $f->stderr =~ /^stats: /mg;
	kill 'USR1', $f->{pid};
	my $end = time + 5;
	while (time < $end) {
		my @lines = $f->stderr =~ /^(stats: .*)$/mg;
		return parse_line($lines[-1]) if @lines > $before;
		sleep 0.05;
	}
	return undef;
}

# The stats line once no lookup is in flight: the verdict line, and so
# the counters, of a session may wait for lookups its answer did not.
sub settled_stats {
	my ($f) = @_;
	my $end = time + 5;
	my $st;
	while (time < $end) {
		$st = stats_line($f) or return undef;
		my $l = $st->{lookups};
		my $done = 0;
		$done += $l->{$_} // 0 for qw(cached resolver failed timeout
		    cancelled);
		return $st if ($l->{asked} // 0) == $done;
		sleep 0.05;
	}
	return $st;
}

# The Prometheus text exposition format, strictly: each sample line is
# "name{labels} value" or "name value", after its metric's HELP and
# TYPE.  Returns the samples ("name{labels}" => value) and the lines
# that broke a rule.
sub parse_prom {
	my ($text) = @_;
	my (%help, %type, %val, @bad);
	push @bad, 'no final newline' unless $text =~ /\n\z/;
	for my $l (split /\n/, $text) {
		if ($l =~ /^# HELP ([a-zA-Z_:][\w:]*) \S/) {
			$help{$1} = 1;
		} elsif ($l =~ /^# TYPE ([a-zA-Z_:][\w:]*) (counter|gauge|histogram)$/) {
			$type{$1} = $2;
		} elsif ($l =~ /^([a-zA-Z_:][\w:]*)(\{(?:[a-zA-Z_]\w*="[^"\\\n]*"(?:,|(?=\})))*\})? (\d+(?:\.\d+)?)$/) {
			my ($name, $labels, $v) = ($1, $2 // '', $3);
			my $m = $name;
			$m =~ s/_(bucket|sum|count)$// if !$type{$m};
			push @bad, "$l: no HELP and TYPE before"
			    unless $help{$m} && $type{$m};
			push @bad, "$l: repeated" if exists $val{"$name$labels"};
			$val{"$name$labels"} = $v;
		} else {
			push @bad, $l;
		}
	}
	return (\%val, \@bad);
}

sub slurp {
	my ($path) = @_;
	open(my $fh, '<', $path) or return undef;
	local $/;
	return scalar <$fh>;
}

# One session up to its verdict at EHLO, which may come pause seconds
# after the connection; disconnected once its lookups had time to end,
# unless it is to stay open.
sub session {
	my ($f, $client, $helo, $pause, $stay) = @_;
	my $s = Filter::Session->new($f);
	$s->connect(Filter::ipport($client), $SRV);
	sleep $pause if $pause;
	my $answer = $s->decision($s->request('ehlo', $helo));
	sleep 0.3;
	$s->report('link-disconnect') unless $stay;
	return $answer;
}

sub delta {
	my ($a, $b, $k) = @_;
	return $b->{lookups}{$k} - $a->{lookups}{$k};
}

my $f = Filter->new('-f', $conf);
$f->handshake('0.6');
my @steps = (
    [ 'non-fqdn', '192.0.2.10', 'localhost', qr/^reject\|504 / ],
    [ 'pass client', '198.51.100.20', 'localhost', qr/^proceed$/ ],
    [ 'lookups', '203.0.113.30', 'mail.other.regress.test', qr/^proceed$/ ],
    [ 'cache', '203.0.113.30', 'mail.other.regress.test', qr/^proceed$/ ],
    [ 'servfail', '192.0.2.10', 'x.servfail.test', qr/^reject\|451 / ],
    [ 'slow', '192.0.2.10', 'y.dropped.test', qr/^reject\|451 / ],
    # Its PTR lookup times out before the EHLO: nothing else is waited for.
    [ 'timeout', '198.51.100.66', 'localhost', qr/^reject\|504 /, 1.5 ],
);
my @st = (stats_line($f));
ok(defined $st[0], 'SIGUSR1 logs a stats line that parses');
my %asked_fixture;
for my $step (@steps) {
	my ($what, $client, $helo, $want, $pause) = @$step;
	like(session($f, $client, $helo, $pause), $want, "$what: answered");
	$asked_fixture{$what} = Filter::dns_queries($helo, 'A');
	push @st, settled_stats($f);
}
my %at = map { $steps[$_][0] => [ $st[$_], $st[$_ + 1] ] } 0 .. $#steps;

is_deeply([ map { delta(@{ $at{'pass client'} }, $_) }
    qw(asked cached resolver failed timeout cancelled) ], [ (0) x 6 ],
    'an exempt client is asked no lookups');
my $asked = delta(@{ $at{lookups} }, 'asked');
# The HELO is the client's name, whose A the confirmation asks too:
# asked again before that answer came, it shares the lookup; after, it
# is the cache's.  Either way nothing else comes from the cache.
ok($asked > 0 && delta(@{ $at{lookups} }, 'resolver') +
    delta(@{ $at{lookups} }, 'cached') == $asked &&
    delta(@{ $at{lookups} }, 'cached') <= 1,
    "first session: $asked lookups, answered by the resolver (the "
    . "confirmation's A and the HELO's are one)");
my $again = delta(@{ $at{cache} }, 'asked');
# The client's PTR, its confirmation and the HELO's A, which both
# sessions ask, come from the cache now; the HELO's AAAA and MX are
# asked only while the HELO is not yet known to be the client's name,
# by either session, as the answers happen to come.
ok($again >= 3 && delta(@{ $at{cache} }, 'cached') >= 3 &&
    delta(@{ $at{cache} }, 'cached') + delta(@{ $at{cache} }, 'resolver')
    == $again,
    "the same session again: the client's lookups from the cache");
is($asked_fixture{cache}, $asked_fixture{lookups},
    '... and the fixture was not asked again');
ok(delta(@{ $at{servfail} }, 'failed') > 0 &&
    delta(@{ $at{servfail} }, 'timeout') == 0, 'SERVFAIL: counted failed');
ok(delta(@{ $at{slow} }, 'timeout') + delta(@{ $at{slow} }, 'cancelled')
    > 0, 'no answer in time: a timeout, or cancelled by the verdict');
is(delta(@{ $at{timeout} }, 'timeout'), 1, 'no answer: counted timeout');
is($at{slow}[1]{latency}{'1s'} + $at{slow}[1]{latency}{'10s'} -
    $at{slow}[0]{latency}{'1s'} - $at{slow}[0]{latency}{'10s'}, 1,
    'latency: a verdict that waited for dns-timeout counts in 1s or 10s');

# One more session, left open.
my $open = Filter::Session->new($f);
$open->connect(Filter::ipport('192.0.2.10'), $SRV);
my $st = stats_line($f);
is($st->{sessions}, 8, 'sessions seen');
is($st->{open}, 1, 'sessions open');
is_deeply($st->{verdicts}, { pass => 3, report => 0, junk => 0,
    tempfail => 2, reject => 2, disconnect => 0 }, 'verdicts by action');
is_deeply($st->{exempt}, { authenticated => 0, local => 0,
    'own-address' => 0, 'pass-client' => 1, 'pass-helo' => 0,
    'pass-rcpt' => 0, 'pass-rdns' => 0 }, 'exemptions by kind');
is($st->{fired}{'non-fqdn:reject'}, 2, 'non-fqdn fired twice, as reject');
is($st->{fired}{'dns-error:tempfail'}, 2,
    'dns-error fired twice, as tempfail');

# The fired counts are those of the verdict lines, with each check's
# action as -n shows it.
my %action = qx{$Filter::BIN -n -f $conf} =~ /^check (\S+) (\S+)$/mg;
my %fired;
for my $checks ($f->stderr =~ / verdict=\w+ checks=(\S+)/g) {
	$fired{"$_:$action{$_}"}++ for grep { $_ ne '-' } split /,/, $checks;
}
is_deeply($st->{fired}, \%fired, 'fired: as the verdict lines say');
my $l = $st->{lookups};
is($l->{asked}, $l->{cached} + $l->{resolver} + $l->{failed} +
    $l->{timeout} + $l->{cancelled}, 'each lookup asked has one outcome');
my @lat = @{ $st->{latency} }{qw(1ms 10ms 100ms 1s 10s more)};
my $n = 0;
$n += $_ // 0 for @lat;
is($n, 7, 'latency: one per verdict');

# The file, once rewritten since: the same counts.
sleep 1.5;
my ($val, $bad) = parse_prom(slurp($prom) // '');
is_deeply($bad, [], 'stats-file is Prometheus text');
is($val->{filter_helo_sessions_total}, 8, 'file: sessions');
is($val->{filter_helo_sessions_open}, 1, 'file: open');
is_deeply({ map { $_ => $val->{"filter_helo_verdicts_total{action=\"$_\"}"} }
    keys %{ $st->{verdicts} } }, $st->{verdicts}, 'file: verdicts');
is_deeply({ map { (s/ /-/gr) => $val->{"filter_helo_exempt_total{kind=\"$_\"}"} }
    ('authenticated', 'local', 'own address', 'pass client', 'pass helo',
    'pass rcpt', 'pass rdns') }, $st->{exempt}, 'file: exemptions');
my %file_fired;
for my $k (keys %$val) {
	next unless $k =~ /^filter_helo_check_fired_total\{check="([^"]+)",action="([^"]+)"\}$/;
	$file_fired{"$1:$2"} = $val->{$k} if $val->{$k} > 0;
}
is_deeply(\%file_fired, $st->{fired}, 'file: checks fired');
is($val->{filter_helo_lookups_asked_total}, $l->{asked},
    'file: lookups asked');
is_deeply({ map { $_ => $val->{"filter_helo_lookups_total{result=\"$_\"}"} }
    qw(cache resolver failed timeout cancelled) },
    { cache => $l->{cached}, map { $_ => $l->{$_} }
    qw(resolver failed timeout cancelled) }, 'file: lookup outcomes');
my $cum = 0;
my @buckets;
for my $i (0 .. 5) {
	$cum += $lat[$i];
	push @buckets, $cum;
}
is_deeply([ map { $val->{"filter_helo_verdict_seconds_bucket{le=\"$_\"}"} }
    qw(0.001 0.01 0.1 1 10 +Inf) ], \@buckets,
    'file: latency histogram, cumulative');
is($val->{filter_helo_verdict_seconds_count}, 7, 'file: histogram count');
ok(defined $val->{filter_helo_memory_clients} &&
    $val->{filter_helo_memory_capacity} == 100000 &&
    $val->{filter_helo_memory_evictions_total} == 0,
    'file: the clients remembered, of 100000, none evicted');
ok($val->{filter_helo_verdict_seconds_sum} >= 0.9,
    'file: histogram sum in seconds');

# Every check of the table has its series, new ones included.
my @missing = grep { my $c = $_;
    !grep { /^filter_helo_check_fired_total\{check="\Q$c\E",/ } keys %$val }
    sort keys %action;
ok(keys %action >= 20 && exists $action{'special-name'},
    'the check list from -n holds every check');
is_deeply(\@missing, [], 'file: a series for every check');

# Read while it is rewritten: never missing, never partial, and a new
# file each time (rename), never one rewritten in place.
my ($reads, $partial, $gone, $changes, $ino) = (0, 0, 0, 0);
my $end = time + 3.5;
while (time < $end) {
	my $fh;
	unless (open($fh, '<', $prom)) {
		$gone++;
		next;
	}
	my $i = (stat $fh)[1];
	my $text = do { local $/; <$fh> };
	close $fh;
	$reads++;
	$partial++ unless $text =~ /\A# HELP / &&
	    $text =~ /\nfilter_helo_verdict_seconds_count \d+\n\z/;
	$changes++ if defined $ino && $i != $ino;
	$ino = $i;
}
is($gone, 0, 'the file is never missing');
is($partial, 0, "$reads reads, none partial");
cmp_ok($changes, '>=', 2, "replaced by a new file ($changes times)");
ok(!-e "$prom.tmp", 'no temporary file left');
is($f->finish, 0, 'exit 0');
unlike($f->stderr, qr/stats-file/, 'no stats-file error logged');

# An unwritable path: one error, answers go on; once it can, it writes.
{
	my $missing = "$dir/later/filter-helo.prom";
	my $f = Filter->new('-f', Filter::config($base
	    . "stats-file $missing\nstats-interval 1\n"));
	$f->handshake('0.6');
	sleep 2.5;
	my @err = $f->stderr =~ /^(stats-file .*)$/mg;
	is(scalar @err, 1, 'unwritable: logged once for the streak');
	like($err[0] // '', qr/^stats-file \Q$missing\E: open \Q$missing\E\.tmp: No such file or directory; retrying every 1 s$/,
	    'unwritable: says what failed');
	like(session($f, '192.0.2.10', 'localhost'), qr/^reject\|504 /,
	    'unwritable: still answering');
	mkdir "$dir/later" or die "mkdir: $!";
	sleep 1.5;
	like($f->stderr, qr/^stats-file \Q$missing\E: written again$/m,
	    'writable again: logged');
	my ($v) = parse_prom(slurp($missing) // '');
	is($v->{'filter_helo_verdicts_total{action="reject"}'}, 1,
	    'writable again: the file counts the verdict');
	is($f->finish, 0, 'unwritable: exit 0');
}

# Written at start and at exit, whatever the interval.
{
	my $path = "$dir/exit.prom";
	my $f = Filter->new('-f', Filter::config($base
	    . "stats-file $path\nstats-interval 3600\n"));
	$f->handshake('0.6');
	my ($v) = parse_prom(slurp($path) // '');
	is($v->{'filter_helo_verdicts_total{action="reject"}'}, 0,
	    'written at start');
	like(session($f, '192.0.2.10', 'localhost'), qr/^reject\|504 /,
	    'a verdict');
	is($f->kill_wait('TERM'), 0, 'SIGTERM: exit 0');
	($v) = parse_prom(slurp($path) // '');
	is($v->{'filter_helo_verdicts_total{action="reject"}'}, 1,
	    'written at exit');
	is($v->{filter_helo_sessions_total}, 1, '... with its session');
}

# -E: one process per call, no counters.
{
	my $path = "$dir/exim.prom";
	my $c = Filter::config($base . "stats-file $path\n");
	my $out = qx{$Filter::BIN -E -f $c helo=localhost client=192.0.2.10};
	like($out, qr/^504 /, '-E: answers');
	ok(!-e $path, '-E: writes no stats-file');
}

done_testing();
