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

# The benchmark of filter-helo: the real binary, driven over pipes as
# smtpd drives it (one process, every session multiplexed on its stdin
# and stdout), against the regress DNS fixture.  It measures and prints;
# it asserts nothing about timings.  regress/bench.sh runs it;
# BENCHMARKS.md says how to read what it prints.
#
# Environment (defaults in brackets; BENCH_QUICK=1 makes them small):
#   FILTER_HELO		the binary [./filter-helo]
#   BENCH_NULL		the null filter [regress/bench/null-filter]
#   BENCH_SENDERSCORE	the peer filter, "" for none [""]; bench.sh
#			sets it, or BENCH_SENDERSCORE_WHY to why not
#   BENCH_DNS_PORT	the fixture's port; with BENCH_DNS_DIR, a fixture
#   BENCH_DNS_DIR	started by the caller [start one here]
#   DNS_FCRDNS		clients with forward-confirmed names in the
#			fixture (regress/dns/dns.sh) [131072]
#   BENCH_ONLY		sections to run [compare open idle exim p99 flood
#			dead hol memory bound callgrind dataline
#			deadstream verified oneshot policy rotation lists;
#			also throughput]
#   BENCH_ROT_CLIENTS	clients the rotation section cycles over [1000]
#   BENCH_CONC		sessions in flight [1 10 100 1000]
#   BENCH_SECONDS	time limit of one closed-loop run [2]
#   BENCH_SESSIONS	session limit of one closed-loop run [20000]
#   BENCH_OPEN_SESSIONS	sessions of the open-loop stream [50000]
#   BENCH_IDLE_SESSIONS	idle sessions held for memory [10000]
#   BENCH_EXIM_RUNS	runs of filter-helo -E per case [200]
#   BENCH_P99_RUNS	runs at 1000 in flight [20]
#   BENCH_P99_SESSIONS	sessions per such run [10000]
#   BENCH_FLOOD_RATE	flood sessions per second [2000]
#   BENCH_FLOOD_SECONDS	length of the paced flood [5]
#   BENCH_FLOOD_BURST	flood sessions at once [30000]
#   BENCH_DEAD_N	sessions with names that never answer [1000]
#   BENCH_HOL_K		sessions waiting on dropped queries [100 1000]
#   BENCH_HOL_TIMEOUT	dns-timeout of the head-of-line runs [5]
#   BENCH_MEM_SESSIONS	sessions held open at once [1000 10000]
#   BENCH_CALLGRIND	1 to count instructions with valgrind [1]
#   BENCH_CALLGRIND_SESSIONS  sessions under callgrind [1000]
#   BENCH_DL_MESSAGES	messages through data-line [2000]
#   BENCH_DL_LINES	lines of 76 bytes per message [200]
#   BENCH_DL_SESSIONS	sessions that send them, interleaved [10]
#   BENCH_DS_RATES	dead-name sessions a second, one run each [40 200]
#   BENCH_DS_SECONDS	length of each dead-name stream [60]
#   BENCH_DS_TIMEOUT	dns-timeout of the dead-name streams [8]
#   BENCH_ONESHOT_RUNS	runs of each -E case, interleaved [50]
#   BENCH_POLICY_CLIENT	the policy server's client
#			[regress/bench/policy-client]
#   BENCH_POLICY_CONC	requests in flight to the policy server [1 8 64]
#   BENCH_POLICY_SECONDS	length of one policy server run [3]
#   BENCH_POLICY_EXEC	runs of filter-helo -E per row, one at a time and
#			as many at once as the most requests in flight [400]
#   BENCH_LIST_ENTRIES	entries of each list file [100000]
#   BENCH_LIST_RUNS	-E runs of each list configuration [20]
use strict;
use warnings;
use File::Temp ();
use FindBin;
use lib "$FindBin::Bin/../lib";
use Filter;
use Errno qw(EAGAIN EINTR EWOULDBLOCK);
use Fcntl qw(F_GETFL F_SETFL O_NONBLOCK);
use POSIX qw(:sys_wait_h ceil);
use Socket;
use Time::HiRes qw(time sleep);

my %ENVDEF = (
	BENCH_ONLY => 'compare open idle exim p99 flood dead hol memory '
	    . 'bound callgrind dataline deadstream verified oneshot '
	    . 'policy rotation lists spf',
	BENCH_ROT_CLIENTS => 1000,
	BENCH_CONC => '1 10 100 1000',
	BENCH_SECONDS => 2,
	BENCH_SESSIONS => 20000,
	BENCH_OPEN_SESSIONS => 50000,
	BENCH_IDLE_SESSIONS => 10000,
	BENCH_EXIM_RUNS => 200,
	BENCH_P99_RUNS => 20,
	BENCH_P99_SESSIONS => 10000,
	BENCH_FLOOD_RATE => 2000,
	BENCH_FLOOD_SECONDS => 5,
	BENCH_FLOOD_BURST => 30000,
	BENCH_DEAD_N => 1000,
	BENCH_HOL_K => '100 1000',
	BENCH_HOL_TIMEOUT => 5,
	BENCH_MEM_SESSIONS => '1000 10000',
	BENCH_CALLGRIND => 1,
	BENCH_CALLGRIND_SESSIONS => 1000,
	BENCH_DL_MESSAGES => 2000,
	BENCH_DL_LINES => 200,
	BENCH_DL_SESSIONS => 10,
	BENCH_DS_RATES => '40 200',
	BENCH_DS_SECONDS => 60,
	BENCH_DS_TIMEOUT => 8,
	BENCH_ONESHOT_RUNS => 50,
	BENCH_POLICY_CLIENT => "$FindBin::Bin/policy-client",
	BENCH_POLICY_CONC => '1 8 64',
	BENCH_POLICY_SECONDS => 3,
	BENCH_POLICY_EXEC => 400,
	BENCH_LIST_ENTRIES => 100000,
	BENCH_LIST_RUNS => 20,
);
# BENCH_QUICK=1: small numbers everywhere, to see that it all runs.
my %QUICK = (
	BENCH_CONC => '10 1000',
	BENCH_SECONDS => 0.5,
	BENCH_SESSIONS => 3000,
	BENCH_OPEN_SESSIONS => 3000,
	BENCH_IDLE_SESSIONS => 1000,
	BENCH_EXIM_RUNS => 20,
	BENCH_P99_RUNS => 3,
	BENCH_P99_SESSIONS => 3000,
	BENCH_FLOOD_SECONDS => 1,
	BENCH_FLOOD_BURST => 3000,
	BENCH_DEAD_N => 100,
	BENCH_HOL_K => '100',
	BENCH_MEM_SESSIONS => '1000',
	BENCH_CALLGRIND_SESSIONS => 100,
	BENCH_DL_MESSAGES => 100,
	BENCH_DS_SECONDS => 5,
	BENCH_ONESHOT_RUNS => 10,
	BENCH_POLICY_CONC => '1 8',
	BENCH_POLICY_SECONDS => 0.5,
	BENCH_POLICY_EXEC => 20,
	BENCH_LIST_RUNS => 5,
);
%ENVDEF = (%ENVDEF, %QUICK) if $ENV{BENCH_QUICK};
my %P = map { $_ => $ENV{$_} // $ENVDEF{$_} } keys %ENVDEF;
my %ONLY = map { $_ => 1 } split ' ', $P{BENCH_ONLY};
my $TICK = POSIX::sysconf(POSIX::_SC_CLK_TCK()) || 100;
my $SRV = '192.0.2.1:25';

my @children;		# filters still running, killed at exit
$SIG{$_} = sub { exit 130 } for qw(INT TERM HUP);
$SIG{PIPE} = 'IGNORE';
END {
	local $?;
	for my $pid (@children) {
		kill 'KILL', $pid;
		waitpid($pid, 0);
	}
}

$ENV{DNS_FCRDNS} //= 131072;
my $FCRDNS_N = $ENV{DNS_FCRDNS};
my ($port, $dnsdir) = ($ENV{BENCH_DNS_PORT}, $ENV{BENCH_DNS_DIR});
($port, $dnsdir) = Filter::dns_fixture() unless defined $port;
die "drive.pl: no DNS fixture (is unbound installed?)\n"
    unless defined $port;
my $BASE = $Filter::LAB . "resolver 127.0.0.1\@$port\n";
# No check that needs DNS: the verdict never waits for an answer.
my $OFFLINE = join('', map { "check $_ pass\n" }
    qw(dns dns-error rdns rdns-match forward cname dynamic));

# ---------------------------------------------------------------------
# The filter process and its pipes, non-blocking on our side.

sub nonblock {
	my ($fh) = @_;
	my $fl = fcntl($fh, F_GETFL, 0) or die "fcntl: $!";
	fcntl($fh, F_SETFL, $fl | O_NONBLOCK) or die "fcntl: $!";
}

# A filter with this configuration text; @pre runs it under a tool.
sub filter_start {
	my ($conf, @pre) = @_;
	my $path = Filter::config($conf);
	return spawn([ @pre, $Filter::BIN, '-f', $path ], "$path.log");
}

# Any filter: the command, and the file that takes its stderr.  The
# filter's DNS is the fixture unless the caller says otherwise.
sub spawn {
	my ($argv, $log) = @_;
	pipe(my $in_r, my $in_w) or die "pipe: $!";
	pipe(my $out_r, my $out_w) or die "pipe: $!";
	my $pid = fork // die "fork: $!";
	if ($pid == 0) {
		open(STDIN, '<&', $in_r) or die;
		open(STDOUT, '>&', $out_w) or die;
		open(STDERR, '>', $log) or die;
		close($_) for $in_w, $out_r;
		exec(@$argv) or POSIX::_exit(127);
	}
	close($_) for $in_r, $out_w;
	push @children, $pid;
	nonblock($_) for $in_w, $out_r;
	my $f = { pid => $pid, in => $in_w, out => $out_r, wbuf => '',
	    rbuf => '', sess => {}, log => $log, eof => 0, reg => {}, gap => 0,
	    dns_log => defined $dnsdir ? "$dnsdir/unbound.log" : undef,
	    dns_pid => unbound_pid() };
	handshake($f);
	return $f;
}

# What smtpd 6.8 does: the config lines, then it reads the filter's
# registrations and later sends it only the events it registered.
sub handshake {
	my ($f) = @_;
	my $ready = 0;
	$f->{other} = sub {
		$ready = 1 if $_[0] eq 'register|ready';
		$f->{reg}{"$1|$2"} = 1
		    if $_[0] =~ /^register\|(report|filter)\|smtp-in\|(.+)$/;
	};
	send_lines($f, 'config|smtpd-version|6.8.0p2',
	    'config|smtp-session-timeout|300', 'config|subsystem|smtp-in',
	    'config|admd|mx.regress.test', 'config|ready');
	pump($f, sub { $ready }, 60);
	die "drive.pl: no handshake from the filter\n" unless $ready;
	$f->{other} = undef;
}

# Close stdin and wait for the exit; returns the status.
sub filter_stop {
	my ($f) = @_;
	pump($f, sub { !length $f->{wbuf} }, 10);
	close $f->{in};
	my $end = time + 60;
	while (time < $end) {
		my $r = waitpid($f->{pid}, WNOHANG);
		if ($r == $f->{pid}) {
			my $st = $?;
			@children = grep { $_ != $f->{pid} } @children;
			peer_dns_stop($f);
			return $st;
		}
		sleep 0.02;
	}
	kill 'KILL', $f->{pid};
	waitpid($f->{pid}, 0);
	@children = grep { $_ != $f->{pid} } @children;
	peer_dns_stop($f);
	return -1;
}

sub send_lines {
	my ($f, @l) = @_;
	$f->{wbuf} .= join("\n", @l) . "\n";
	flush($f) unless $f->{hold_writes};
}

sub flush {
	my ($f) = @_;
	while (length $f->{wbuf}) {
		my $n = syswrite($f->{in}, $f->{wbuf}, 1 << 20);
		if (!defined $n) {
			return if $! == EAGAIN || $! == EWOULDBLOCK ||
			    $! == EINTR;
			die "drive.pl: write to the filter: $!\n";
		}
		substr($f->{wbuf}, 0, $n, '');
	}
}

# Move bytes both ways and dispatch answers until $done->() is true
# or $secs pass.  Answers go to the callback of their session.
sub pump {
	my ($f, $done, $secs) = @_;
	my $end = time + $secs;
	my $fin = fileno $f->{out};
	my $fout = fileno $f->{in};
	while (!$done->()) {
		my $left = $end - time;
		last if $left <= 0 || $f->{eof};
		my ($rin, $win) = ('', '');
		vec($rin, $fin, 1) = 1;
		vec($win, $fout, 1) = 1 if length $f->{wbuf};
		# Delayed requests need a fine clock, the rest does not.
		my $cap = $f->{fine} || ($f->{later} && @{$f->{later}}) ?
		    0.005 : 0.5;
		# Waiting for the filter starts here, unless it started
		# in an earlier turn that read nothing.
		$f->{idle_since} //= time;
		my $n = select(my $rout = $rin, my $wout = $win, undef,
		    $left < $cap ? $left : $cap);
		next if $n <= 0;
		flush($f) if length $f->{wbuf} && vec($wout, $fout, 1);
		next unless vec($rout, $fin, 1);
		my $r = sysread($f->{out}, $f->{rbuf}, 1 << 20,
		    length $f->{rbuf});
		if (!$r) {
			next if !defined $r && ($! == EAGAIN || $! == EINTR);
			$f->{eof} = 1;
			last;
		}
		my $now = time;
		# The longest wait for the filter's next bytes; the time this
		# driver spends on what it read is not counted.
		my $g = $now - $f->{idle_since};
		$f->{gap} = $g if $g > $f->{gap};
		$f->{idle_since} = undef;
		my $cut = rindex($f->{rbuf}, "\n");
		next if $cut < 0;
		my $chunk = substr($f->{rbuf}, 0, $cut + 1, '');
		for my $l (split /\n/, $chunk) {
			if (substr($l, 0, 14) eq 'filter-result|') {
				my (undef, $sid, undef, $d) =
				    split(/\|/, $l, 4);
				my $s = $f->{sess}{$sid};
				if ($s) {
					$s->{cb}->($s, $d, $now);
					next;
				}
			}
			$f->{other}->($l) if $f->{other};
		}
	}
	return $done->();
}

sub proc_status {
	my ($pid, $key) = @_;
	open(my $fh, '<', "/proc/$pid/status") or return undef;
	while (<$fh>) {
		return $1 if /^\Q$key\E:\s+(\d+) kB/;
	}
	return undef;
}

# User plus system CPU seconds of a process, all its threads.
sub proc_cpu {
	my ($pid) = @_;
	open(my $fh, '<', "/proc/$pid/stat") or return 0;
	my $st = <$fh>;
	$st =~ s/^.*\) //;
	my @f = split ' ', $st;
	return ($f[11] + $f[12]) / $TICK;
}

sub unbound_pid {
	return undef unless defined $dnsdir;
	open(my $fh, '<', "$dnsdir/unbound.pid") or return undef;
	my $pid = <$fh>;
	chomp $pid;
	return $pid;
}

# Queries the filter's DNS server logged since the last call.
my %qlog_at;
sub fixture_queries {
	my ($f) = @_;
	my $log = $f ? $f->{dns_log} : defined $dnsdir ?
	    "$dnsdir/unbound.log" : undef;
	return 0 unless defined $log;
	open(my $fh, '<', $log) or return 0;
	seek($fh, $qlog_at{$log} // 0, 0);
	my $n = 0;
	while (<$fh>) {
		$n++ if / info: 127\.0\.0\.1 | info: ::1 /;
	}
	$qlog_at{$log} = tell($fh);
	return $n;
}

# ---------------------------------------------------------------------
# Sessions, as smtpd 6.8 writes them, each event only when the filter
# registered it: link-connect, a connect request, link-greeting, an ehlo
# request; when the ehlo is answered, link-identify and a rcpt-to
# request; when that is answered (the verdict), link-disconnect.  A
# request the filter did not register is passed at once, as smtpd does.

my $next_sid = 0x1000;

# A client never seen before in this run (until DNS_FCRDNS of them have
# been, then they come round again): its address and its name, whose
# PTR and A agree in the fixture, as smtpd's link-connect would carry
# it with "pass".
my $next_client = 0;
sub fcrdns_client {
	die "drive.pl: DNS_FCRDNS is 0: no clients with names\n"
	    unless $FCRDNS_N > 0;
	my $i = $next_client++ % $FCRDNS_N;
	return (sprintf('100.%d.%d.%d', 64 + ($i >> 16), ($i >> 8) & 255,
	    $i & 255), "h$i.fcrdns.test");
}

sub ts { sprintf('%.6f', time) }

sub reg { $_[0]{reg}{$_[1]} }

# Options: client, helo, rdns (smtpd's forward-confirmed name, else
# <unknown>), hold (stop after the ehlo answer), rcpt_delay (seconds
# between the ehlo answer and the rcpt-to), done (callback).
sub session_start {
	my ($f, %o) = @_;
	my $sid = sprintf('5b32df56%08x', $next_sid++);
	my $s = { %o, sid => $sid, token => sprintf('ecf3d8c6%08x',
	    $next_sid), f => $f };
	$f->{sess}{$sid} = $s;
	my $t = ts();
	my $src = $o{client} =~ /:/ ? "[$o{client}]" : $o{client};
	$src .= ':' . (40000 + $next_sid % 20000);
	my $rdns = $o{rdns} // '<unknown>';
	my $fc = defined $o{rdns} ? 'pass' : 'fail';
	$s->{t_start} = $s->{t_ehlo} = time;
	my @l;
	push @l, "report|0.6|$t|smtp-in|link-connect|$sid|$rdns|$fc|$src|$SRV"
	    if reg($f, 'report|link-connect');
	if (reg($f, 'filter|connect')) {
		$s->{cb} = \&session_connected;
		send_lines($f, @l,
		    "filter|0.6|$t|smtp-in|connect|$sid|$s->{token}|$rdns|"
		    . $o{client});
		return $s;
	}
	send_lines($f, @l) if @l;
	session_greet($s);
	return $s;
}

sub session_connected {
	my ($s, $d, $now) = @_;
	if ($d ne 'proceed') {
		$s->{ehlo} = $s->{verdict} = $d;
		$s->{lat} = $s->{lat_ehlo} = $now - $s->{t_start};
		session_end($s);
		$s->{done}->($s) if $s->{done};
		return;
	}
	session_greet($s);
}

sub session_greet {
	my ($s) = @_;
	my ($f, $t) = ($s->{f}, ts());
	my @l;
	push @l, "report|0.6|$t|smtp-in|link-greeting|$s->{sid}|"
	    . 'mx.regress.test' if reg($f, 'report|link-greeting');
	$s->{t_ehlo} = time;
	if (reg($f, 'filter|ehlo')) {
		$s->{cb} = \&session_ehlo;
		send_lines($f, @l, "filter|0.6|$t|smtp-in|ehlo|$s->{sid}|"
		    . "$s->{token}|$s->{helo}");
		return;
	}
	send_lines($f, @l) if @l;
	session_ehlo($s, 'proceed', time);
}

sub session_rcpt {
	my ($s) = @_;
	my ($f, $t) = ($s->{f}, ts());
	my @l;
	push @l, "report|0.6|$t|smtp-in|link-identify|$s->{sid}|EHLO|"
	    . $s->{helo} if reg($f, 'report|link-identify');
	$s->{t_rcpt} = time;
	if (reg($f, 'filter|rcpt-to')) {
		$s->{cb} = \&session_verdict;
		send_lines($f, @l, "filter|0.6|$t|smtp-in|rcpt-to|$s->{sid}|"
		    . "$s->{token}|bob\@regress.test");
		return;
	}
	send_lines($f, @l) if @l;
	session_verdict($s, 'proceed', time);
}

sub session_ehlo {
	my ($s, $d, $now) = @_;
	$s->{ehlo} = $d;
	$s->{lat_ehlo} = $now - $s->{t_ehlo};
	$s->{cb} = sub {};
	if ($s->{hold}) {
		$s->{done}->($s) if $s->{done};
		return;
	}
	if ($s->{rcpt_delay}) {
		$s->{rcpt_at} = $now + $s->{rcpt_delay};
		push @{$s->{f}{later}}, $s;
		return;
	}
	session_rcpt($s);
}

sub session_verdict {
	my ($s, $d, $now) = @_;
	$s->{verdict} = $d;
	$s->{lat} = $now - $s->{t_rcpt};
	$s->{lat_total} = $now - $s->{t_start};
	session_end($s);
	$s->{done}->($s) if $s->{done};
}

sub session_end {
	my ($s) = @_;
	send_lines($s->{f}, 'report|0.6|' . ts() . '|smtp-in|link-disconnect|'
	    . $s->{sid}) if reg($s->{f}, 'report|link-disconnect');
	delete $s->{f}{sess}{$s->{sid}};
}

# rcpt-to requests whose delay is over.
sub send_due {
	my ($f) = @_;
	return unless $f->{later} && @{$f->{later}};
	my $now = time;
	my @keep;
	for my $s (@{$f->{later}}) {
		if ($s->{rcpt_at} <= $now) {
			session_rcpt($s);
		} else {
			push @keep, $s;
		}
	}
	$f->{later} = \@keep;
}

# "proceed", "451" for reject|451 ..., and so on.
sub outcome {
	my ($d) = @_;
	return 'none' unless defined $d;
	return $1 if $d =~ /^(?:reject|disconnect)\|(\d\d\d)/;
	return $d;
}

sub outcomes {
	my %n;
	$n{outcome($_->{verdict})}++ for @_;
	return join(' ', map { "$_:$n{$_}" } sort keys %n);
}

sub pct {
	my ($sorted, $q) = @_;
	return 0 unless @$sorted;
	my $i = ceil($q * @$sorted) - 1;
	$i = 0 if $i < 0;
	return $sorted->[$i];
}

sub ms { sprintf('%.2f', 1000 * $_[0]) }

sub lat_cols {
	my @l = sort { $a <=> $b } map { $_->{lat} } @_;
	return (ms(pct(\@l, 0.5)), ms(pct(\@l, 0.95)), ms(pct(\@l, 0.99)),
	    ms(@l ? $l[-1] : 0));
}

# Keep $conc sessions in flight until $count are done or $secs pass;
# $mk->($i) gives (client, helo) of the i-th session.  Returns the
# finished sessions, the wall time, and the CPU seconds of the filter,
# of this driver and of the fixture.
sub closed_loop {
	my ($f, $conc, $count, $secs, $mk) = @_;
	my @done;
	my ($started, $inflight) = (0, 0);
	my $stop = time + $secs;
	my $next = sub {
		my ($c, $h, $r) = $mk->($started++);
		$inflight++;
		session_start($f, client => $c, helo => $h, rdns => $r,
		    done => sub {
			push @done, $_[0];
			$inflight--;
		});
	};
	my $ub = $f->{dns_pid};
	my @cpu0 = (proc_cpu($f->{pid}), self_cpu(), $ub ? proc_cpu($ub) : 0);
	my $t0 = time;
	($f->{gap}, $f->{idle_since}) = (0, undef);
	$next->() for 1 .. $conc;
	pump($f, sub {
		while ($inflight < $conc && $started < $count &&
		    time < $stop) {
			$next->();
		}
		return $inflight == 0;
	}, $secs + 30);
	my $wall = time - $t0;
	return (\@done, $wall, proc_cpu($f->{pid}) - $cpu0[0],
	    self_cpu() - $cpu0[1], ($ub ? proc_cpu($ub) : 0) - $cpu0[2],
	    $f->{gap});
}

sub self_cpu {
	my ($u, $s) = times;
	return $u + $s;
}

# ---------------------------------------------------------------------
# The sections.

my $run = sprintf('r%x', time % 0xfffff);	# unique names per run

# name, configuration, (client, helo) of session i, what it stands for
my @MODES = (
    [ 'offline', $BASE . "dns-timeout 8\n" . $OFFLINE,
      sub { ('192.0.2.10', '[192.0.2.10]') },
      "DNS checks off, HELO an address literal: no verdict waits for "
      . "DNS\n  (the filter still asks the client's PTR, from the cache)" ],
    [ 'dns-cold', $BASE . "dns-timeout 8\n",
      sub { ('192.0.2.37', "h$_[0].$run-$_[1].wild.regress.test") },
      'default checks, a new HELO name each session (A+AAAA+MX asked)' ],
    [ 'dns-warm', $BASE . "dns-timeout 8\n",
      sub { ('192.0.2.10', 'good.regress.test') },
      'default checks, one HELO name (answers from the cache)' ],
);

sub section_throughput {
	print "## 13. Throughput and verdict latency, filter-helo alone\n\n";
	print "Closed loop: N sessions in flight, a new one starts as one "
	    . "ends; each run stops\nafter $P{BENCH_SESSIONS} sessions or "
	    . "$P{BENCH_SECONDS} s.  Latency: rcpt-to request to its answer "
	    . "(ms).\n\n";
	for my $m (@MODES) {
		printf "- %s: %s\n", $m->[0], $m->[3];
	}
	print "\nCPU %: filter (both its threads) / this driver / the "
	    . "fixture's unbound, of one core.\n";
	print "\n| mode | N | sessions | sessions/s | p50 | p95 | p99 | max "
	    . "| filter CPU us/session | CPU % | queries/session | answers |\n"
	    . "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---|\n";
	my $k = 0;
	for my $m (@MODES) {
		my ($name, $conf, $mk) = @$m;
		for my $conc (split ' ', $P{BENCH_CONC}) {
			my $f = filter_start($conf);
			# Offline and warm: one session first fills the cache.
			closed_loop($f, 1, 1, 10, sub { $mk->(0, 'w') })
			    unless $name eq 'dns-cold';
			fixture_queries();
			$k++;
			my ($done, $wall, $cpu, $dcpu, $ucpu) = closed_loop($f,
			    $conc, $P{BENCH_SESSIONS}, $P{BENCH_SECONDS},
			    sub { $mk->($_[0], $k) });
			my $q = fixture_queries();
			my $n = @$done;
			printf "| %s | %d | %d | %.0f | %s | %s | %s | %s "
			    . "| %.1f | %.0f/%.0f/%.0f | %.2f | %s |\n",
			    $name, $conc,
			    $n, $n / $wall, lat_cols(@$done),
			    1e6 * $cpu / ($n || 1), 100 * $cpu / $wall,
			    100 * $dcpu / $wall, 100 * $ucpu / $wall,
			    $q / ($n || 1), outcomes(@$done);
			filter_stop($f);
		}
	}
	print "\n";
}

# K sessions wait on queries that are never answered while others run.
sub section_hol {
	my $to = $P{BENCH_HOL_TIMEOUT};
	print "## 9. Head of line\n\n";
	print "K sessions HELO with unique *.dropped.test names (never "
	    . "answered; dns-timeout $to)\nand send rcpt-to at once; while "
	    . "they wait, 10 sessions in flight run for 1 s each\nwith a "
	    . "warm name, then with unique names; after the K answers, "
	    . "unique names again.\nBaseline: the same 1 s runs with K = 0.  "
	    . "Latency in ms.\n\n";
	print "| K | phase | sessions | sessions/s | p50 | p95 | p99 | max "
	    . "| answers |\n|---:|---|---:|---:|---:|---:|---:|---:|---|\n";
	my $conf = $BASE . "dns-timeout $to\n";
	my $k = 0;
	for my $K (0, split ' ', $P{BENCH_HOL_K}) {
		my $f = filter_start($conf);
		closed_loop($f, 1, 1, 10,
		    sub { ('192.0.2.10', 'good.regress.test') });
		closed_loop($f, 1, 1, 10, sub { ('192.0.2.37',
		    "warm.$run.wild.regress.test") });
		my @slow;
		my $t0 = time;
		for my $i (1 .. $K) {
			session_start($f, client => '192.0.2.10',
			    helo => "s$i.$run-$K.dropped.test",
			    done => sub { push @slow, $_[0] });
		}
		my @rows;
		my $row = sub {
			my ($phase, $conc, $secs, $mk) = @_;
			my ($done, $wall) = closed_loop($f, $conc, 1e9, $secs,
			    $mk);
			my $n = @$done;
			push @rows, sprintf("| %d | %s | %d | %.0f | %s | %s "
			    . "| %s | %s | %s |\n", $K, $phase, $n,
			    $n / $wall, lat_cols(@$done), outcomes(@$done));
		};
		$k++;
		$row->('warm, during', 10, 1,
		    sub { ('192.0.2.10', 'good.regress.test') });
		$row->('cold, during', 10, 1, sub { ('192.0.2.37',
		    "c$_[0].$run-$k.wild.regress.test") });
		my $during = time - $t0;
		pump($f, sub { @slow == $K }, $to + 10);
		$row->('cold, after', 10, 1, sub { ('192.0.2.37',
		    "a$_[0].$run-$k.wild.regress.test") });
		print @rows;
		if ($K) {
			my @l = sort { $a <=> $b }
			    map { $_->{lat} + $_->{lat_ehlo} } @slow;
			printf "| %d | the K themselves, ehlo to verdict "
			    . "| %d | | %s | %s | %s | %s | %s |\n", $K,
			    scalar @slow,
			    ms(pct(\@l, 0.5)), ms(pct(\@l, 0.95)),
			    ms(pct(\@l, 0.99)), ms(@l ? $l[-1] : 0),
			    outcomes(@slow);
			printf STDERR "hol: K=%d, the good runs took %.1f s "
			    . "of the %d s window\n", $K, $during, $to
			    if $during > $to;
		}
		filter_stop($f);
	}
	print "\n";
}

# Sessions opened (link-connect, ehlo answered) and held, $batch at a
# time: the next batch starts when the ehlo of the last is answered.
sub open_held {
	my ($f, $n, $batch, $mk) = @_;
	my @s;
	while (@s < $n) {
		my $want = $n - @s < $batch ? $n - @s : $batch;
		my $answered = 0;
		push @s, session_start($f, ($mk->()), hold => 1,
		    done => sub { $answered++ }) for 1 .. $want;
		pump($f, sub { $answered == $want }, 120);
		die "drive.pl: only $answered of $want ehlo answered\n"
		    if $answered != $want;
	}
	return @s;
}

sub section_memory {
	my @sizes = split ' ', $P{BENCH_MEM_SESSIONS};
	my $max = $sizes[-1];
	print "## 10. Memory\n\n";
	print "Sessions opened (link-connect, link-greeting, ehlo answered) "
	    . "and held, then all\ndisconnected, then opened again (round 2) "
	    . "to see whether the memory is reused.\nBurst: all at once; "
	    . "paced: 100 at a time.  VmRSS and VmHWM of the filter in kB;\n"
	    . "per session = (VmRSS held - VmRSS at rest after one session) "
	    . "/ sessions,\nround 1 only.\n\n";
	print "| HELO names | opened | step | sessions open | VmRSS kB "
	    . "| VmHWM kB | per session |\n"
	    . "|---|---|---|---:|---:|---:|---:|\n";
	my @runs = (
	    [ 'one name', 'burst', [ @sizes ], 1 ],
	    [ 'unique names', 'burst', [ @sizes ], 1 ],
	    [ 'offline', 'paced', [ $max ], 0 ],
	);
	for my $r (@runs) {
		my ($kind, $how, $steps, $again) = @$r;
		my $f = filter_start($BASE . "dns-timeout 8\n" .
		    ($kind eq 'offline' ? $OFFLINE : ''));
		my $u = 0;
		my %mk = (
		    'one name' => sub { (client => '192.0.2.10',
			helo => 'good.regress.test') },
		    'unique names' => sub { (client => '192.0.2.37',
			helo => 'm' . $u++ . ".$run.wild.regress.test") },
		    'offline' => sub { (client => '192.0.2.10',
			helo => '[192.0.2.10]') },
		);
		my $mk = $mk{$kind};
		my $batch = $how eq 'burst' ? 1e9 : 100;
		my $pid = $f->{pid};
		my $rest;
		my $line = sub {
			my ($step, $n, $per) = @_;
			sleep 0.3;	# let the lookups of the last ones end
			my $rss = proc_status($pid, 'VmRSS');
			printf "| %s | %s | %s | %d | %d | %d | %s |\n", $kind,
			    $how, $step, $n, $rss, proc_status($pid, 'VmHWM'),
			    $per ? sprintf('%.2f kB', ($rss - $rest) / $n) : '';
		};
		$line->('after the handshake', 0, 0);
		# The first lookup starts libunbound's thread and caches.
		closed_loop($f, 1, 1, 10, sub { ($mk->())[1, 3] });
		sleep 0.2;
		$rest = proc_status($pid, 'VmRSS');
		$line->('at rest after one session', 0, 0);
		for my $round (1 .. 1 + $again) {
			my @held;
			for my $size (@$steps) {
				push @held, open_held($f, $size - @held, $batch,
				    $mk);
				$line->("round $round, held", $size,
				    $round == 1);
			}
			session_end($_) for @held;
			pump($f, sub { !length $f->{wbuf} }, 30);
			$line->("round $round, all disconnected", 0, 0);
		}
		filter_stop($f);
	}
	print "\n";
}

# A resolver that takes every query and answers none: a UDP socket
# nobody reads, and a TCP listener that never accepts.
sub blackhole {
	socket(my $u, PF_INET, SOCK_DGRAM, 0) or die "socket: $!";
	bind($u, sockaddr_in(0, INADDR_LOOPBACK)) or die "bind: $!";
	my ($p) = sockaddr_in(getsockname($u));
	socket(my $t, PF_INET, SOCK_STREAM, 0) or die "socket: $!";
	setsockopt($t, SOL_SOCKET, SO_REUSEADDR, 1);
	bind($t, sockaddr_in($p, INADDR_LOOPBACK)) and listen($t, 1);
	return ($p, $u, $t);
}

sub section_bound {
	my ($bp, @keep) = blackhole();
	print "## 11. Bound under an unresponsive resolver\n\n";
	print "The resolver is 127.0.0.1\@$bp, which reads nothing; "
	    . "dns-timeout 2.  Time from the\nrcpt-to request to its answer "
	    . "(ms); the rcpt-to is sent right after the ehlo\nanswer, or "
	    . "1 s later (then the lookups have 1 s left).\n\n";
	print "| case | sessions | p50 | p95 | p99 | max | answers |\n"
	    . "|---|---:|---:|---:|---:|---:|---|\n";
	my @cases = (
	    [ 'one at a time, rcpt-to at once', 1, 5, 0 ],
	    [ '100 at once, rcpt-to at once', 100, 100, 0 ],
	    [ 'one at a time, rcpt-to 1 s after ehlo', 1, 3, 1 ],
	);
	for my $c (@cases) {
		my ($name, $conc, $count, $delay) = @$c;
		my $f = filter_start($Filter::LAB . "resolver 127.0.0.1\@$bp\n"
		    . "dns-timeout 2\n");
		my @done;
		my $started = 0;
		while ($started < $count) {
			my $wave = 0;
			for (1 .. $conc) {
				$started++;
				session_start($f, client => '192.0.2.10',
				    helo => "b$started.$run.wild.regress.test",
				    rcpt_delay => $delay,
				    done => sub { push @done, $_[0]; $wave++ });
			}
			pump($f, sub { send_due($f); $wave == $conc }, 30);
		}
		printf "| %s | %d | %s | %s | %s | %s | %s |\n", $name,
		    scalar @done, lat_cols(@done), outcomes(@done);
		filter_stop($f);
	}
	print "\n";
}

# Instructions of one callgrind run: every thread, the main thread,
# and the main thread's calls of two functions, inclusive.
sub callgrind_counts {
	my ($out) = @_;
	my %c = (all => 0);
	for my $file (glob("$out-*")) {
		open(my $fh, '<', $file) or next;
		while (<$fh>) {
			$c{all} += $1 if /^totals:\s+(\d+)/;
		}
	}
	my $main = "$out-01";
	return undef unless -f $main;
	open(my $fh, '-|', 'callgrind_annotate', '--inclusive=yes',
	    '--auto=no', '--threshold=100', $main) or return undef;
	while (<$fh>) {
		s/,//g;
		$c{main} = $1 if /^\s*(\d+) .*PROGRAM TOTALS/;
		$c{$2} = $1 if /^\s*(\d+) .*:(on_line|dns_dispatch) /;
	}
	close $fh;
	return defined $c{main} ? \%c : undef;
}

# $count sessions one at a time through the filter under callgrind:
# callgrind_counts() of the run, or undef.
sub callgrind_run {
	my ($conf, $count, $mk) = @_;
	my $out = Filter::config('') . '.callgrind';
	my $f = filter_start($conf, 'valgrind', '--tool=callgrind', '--quiet',
	    '--separate-threads=yes', "--callgrind-out-file=$out");
	closed_loop($f, 1, $count, 600, $mk);
	filter_stop($f);
	return callgrind_counts($out);
}

sub section_callgrind {
	my $n = $P{BENCH_CALLGRIND_SESSIONS} < 20 ? 20 :
	    $P{BENCH_CALLGRIND_SESSIONS};
	print "## 12. Instructions (callgrind)\n\n";
	if (system('command -v valgrind >/dev/null 2>&1 && '
	    . 'command -v callgrind_annotate >/dev/null 2>&1') != 0) {
		print "valgrind not installed: skipped.\n\n";
		return;
	}
	print <<'EOT';
Offline mode, one session at a time, under valgrind --tool=callgrind.
Instructions per session = (run with n sessions - run with 10) / (n - 10),
which leaves out the one-time costs of the start and of the first lookups.
on_line: the handling of every line from smtpd (parsing, checks, verdict,
log, answer, starting lookups); dns_dispatch: the handling of libunbound's
answers; main thread adds the event loop; all threads adds libunbound's
own thread.

EOT
	print "| sessions | on_line | dns_dispatch | main thread "
	    . "| all threads |\n|---:|---:|---:|---:|---:|\n";
	my $base;
	for my $count (10, $n, $n) {
		my $c = callgrind_run($BASE . "dns-timeout 8\n" . $OFFLINE,
		    $count, sub { ('192.0.2.10', '[192.0.2.10]') });
		unless ($c) {
			print "| $count | no callgrind output | | | |\n";
			next;
		}
		unless ($base) {
			$base = $c;
			next;
		}
		printf "| %d |%s\n", $count, join('', map {
		    sprintf(' %.0f |', (($c->{$_} // 0) - ($base->{$_} // 0))
		    / ($count - 10)) } qw(on_line dns_dispatch main all));
	}
	print "\n";
}

# ---------------------------------------------------------------------
# The comparison: the same streams through the null filter (the
# protocol alone), a peer filter and filter-helo.

my $NULL = $ENV{BENCH_NULL} // "$FindBin::Bin/null-filter";
my $SS = $ENV{BENCH_SENDERSCORE} // '';
my $SS_ZONE = 'score.senderscore.com';
my $SS_ADDR = '127.0.4.90';	# category 4, score 90: proceed

# Why the peer cannot run, or undef.
my $ss_why;
sub senderscore_why {
	return $ss_why if defined $ss_why;
	$ss_why = $ENV{BENCH_SENDERSCORE_WHY} ||
	    ($SS eq '' ? 'opensmtpd-filter-senderscore not installed' :
	    ! -x $SS ? "no $SS" :
	    system('unshare -m -n true >/dev/null 2>&1') != 0 ?
	    'cannot make a network namespace (unshare -m -n; root needed)' :
	    '');
	return $ss_why;
}

sub peers {
	my @p = ('null');
	push @p, 'senderscore' if senderscore_why() eq '';
	return (@p, 'filter-helo');
}

# The DNS-free configuration of filter-helo is the default one, with
# the fixture as resolver.
my $HELO_CONF = $BASE . "dns-timeout 8\n";

sub peer_start {
	my ($peer, $conf) = @_;
	if ($peer eq 'null') {
		my $f = spawn([ $NULL ], Filter::config('') . '.null.log');
		$f->{dns_log} = $f->{dns_pid} = undef;
		return $f;
	}
	return filter_start($conf // $HELO_CONF) if $peer eq 'filter-helo';
	my $dir = File::Temp::tempdir('peer.XXXXXX', DIR => $Filter::TMP);
	my $f = spawn([ 'unshare', '-m', '-n', 'sh',
	    "$FindBin::Bin/peer-ns.sh", $dir, $SS_ZONE, $SS_ADDR, $SS ],
	    "$dir/filter.log");
	$f->{dns_log} = "$dir/unbound.log";
	if (open(my $fh, '<', "$dir/unbound.pid")) {
		chomp($f->{dns_pid} = <$fh>);
		push @children, $f->{dns_pid};
	}
	return $f;
}

sub peer_dns_stop {
	my ($f) = @_;
	my $pid = $f->{dns_pid};
	return unless $f->{dns_log} && $pid && $pid != (unbound_pid() // 0);
	kill 'TERM', $pid;
	waitpid($pid, 0);
	@children = grep { $_ != $pid } @children;
}

# The workloads: (client, helo, smtpd's confirmed rdns) of session i.
my %WORK = (
    'dns-free' => sub { ('2001:db8::20', '[IPv6:2001:db8::20]',
	'good6.regress.test') },
    'cached' => sub { ('192.0.2.' . (100 + $_[0] % 100),
	'c' . int($_[0] / 100) % 100 . ".$run.wild.regress.test") },
    'dns-bound' => sub {
	my ($c, $name) = fcrdns_client();
	($c, "n$_[0].$run-$_[1].wild.regress.test", $name) },
);

my %summary;	# workload, N, peer: sessions/s and CPU us/session

sub row {
	my ($work, $peer, $conc, $done, $wall, $cpu, $q, $gap) = @_;
	my $n = @$done;
	$summary{$work}{$conc}{$peer} = [ $n / ($wall || 1),
	    1e6 * $cpu / ($n || 1) ];
	printf "| %s | %s | %s | %d | %.0f | %s | %s | %s | %s | %s | %.1f "
	    . "| %.2f | %s |\n", $work, $peer, $conc, $n, $n / ($wall || 1),
	    lat_cols(@$done), ms($gap), 1e6 * $cpu / ($n || 1),
	    $q / ($n || 1), outcomes(@$done);
}

sub row_head {
	print "| workload | filter | N | sessions | sessions/s | p50 | p95 "
	    . "| p99 | max | longest wait | CPU us/session "
	    . "| queries/session | answers |\n"
	    . "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
	    . "\n";
}

sub section_compare {
	print "## 1. Side by side: null filter, senderscore, filter-helo\n\n";
	print "Closed loop, N sessions in flight; each run stops after "
	    . "$P{BENCH_SESSIONS} sessions or\n$P{BENCH_SECONDS} s.  "
	    . "Latency: rcpt-to request to its answer (ms); longest "
	    . "wait: the\nlongest time the driver waited in select(2) for "
	    . "the filter's output (ms).\nCPU: utime+stime of the filter, "
	    . "all threads.  queries/session: what reached\nthe filter's "
	    . "DNS server (the fixture; senderscore's own unbound).\n\n";
	print "senderscore: skipped, " . senderscore_why() . ".\n\n"
	    if senderscore_why() ne '';
	row_head();
	my $k = 0;
	for my $work (qw(dns-free cached dns-bound)) {
		my $mk = $WORK{$work};
		for my $peer (peers()) {
			my $f = peer_start($peer);
			if ($work eq 'cached' && $peer eq 'filter-helo') {
				# Every pair once: all answers in the cache.
				closed_loop($f, 100, 10000, 120,
				    sub { $mk->($_[0]) });
			} elsif ($work eq 'dns-free') {
				closed_loop($f, 1, 1, 10, sub { $mk->(0) });
			}
			for my $conc (split ' ', $P{BENCH_CONC}) {
				fixture_queries($f);
				$k++;
				my ($done, $wall, $cpu, undef, undef, $gap) =
				    closed_loop($f, $conc, $P{BENCH_SESSIONS},
				    $P{BENCH_SECONDS},
				    sub { $mk->($_[0], $k) });
				row($work, $peer, $conc, $done, $wall, $cpu,
				    fixture_queries($f), $gap);
			}
			filter_stop($f);
		}
	}
	print "\n";
}

# The whole stream written at once: every session's lines up to its
# first request, pre-generated; the rest of a session follows its
# answers.  sessions/s = sessions / time until the last verdict.
sub section_open {
	my $n = $P{BENCH_OPEN_SESSIONS};
	print "## 2. Open loop\n\n";
	print "The DNS-free stream of $n sessions, written as fast as the "
	    . "filter takes it: every\nsession's first lines (link-connect, "
	    . "link-greeting, its first request) are\npre-generated and "
	    . "written at once, without waiting for any answer (non-blocking\n"
	    . "writes, select on both pipes); a session's next request "
	    . "follows its answer, as\nsmtpd never sends a session two "
	    . "requests at once.  sessions/s = sessions / time\nto the last "
	    . "verdict.  Latency: session start (its first line queued) to "
	    . "verdict (ms).\n\n";
	print "| workload | filter | sessions | time s | sessions/s "
	    . "| p50 | p99 | max | CPU us/session | answers |\n"
	    . "|---|---|---:|---:|---:|---:|---:|---:|---:|---|\n";
	for my $peer (peers()) {
		my $f = peer_start($peer);
		closed_loop($f, 1, 1, 10, sub { $WORK{'dns-free'}->(0) });
		my @done;
		# Queue the heads without writing; then go.
		my $in = $f->{in};
		my $held = '';
		$f->{hold_writes} = 1;
		session_start($f, client => '2001:db8::20',
		    helo => '[IPv6:2001:db8::20]',
		    rdns => 'good6.regress.test',
		    done => sub { push @done, $_[0] }) for 1 .. $n;
		$f->{hold_writes} = 0;
		my $c0 = proc_cpu($f->{pid});
		my $t0 = time;
		$_->{t_start} = $t0 for values %{$f->{sess}};
		flush($f);
		pump($f, sub { @done == $n }, 300);
		my $wall = time - $t0;
		my $cpu = proc_cpu($f->{pid}) - $c0;
		my @l = sort { $a <=> $b } map { $_->{lat_total} } @done;
		printf "| dns-free | %s | %d | %.2f | %.0f | %s | %s | %s "
		    . "| %.1f | %s |\n", $peer, scalar @done, $wall,
		    @done / $wall, ms(pct(\@l, 0.5)), ms(pct(\@l, 0.99)),
		    ms(@l ? $l[-1] : 0), 1e6 * $cpu / (@done || 1),
		    outcomes(@done);
		$summary{open}{$n}{$peer} = [ @done / $wall,
		    1e6 * $cpu / (@done || 1) ];
		filter_stop($f);
	}
	print "\n";
}

sub section_ratios {
	return unless %summary;
	my $ss = senderscore_why() eq '';
	print "## 3. Ratios\n\n";
	print "filter-helo's sessions/s over the null filter's"
	    . ($ss ? " and over senderscore's" : '') . " on the same stream,"
	    . "\nfrom sections 1 and 2; CPU in us per session.\n\n";
	print "| workload | N | null/s | " . ($ss ? 'senderscore/s | ' : '')
	    . "filter-helo/s | helo/null | " . ($ss ? 'helo/senderscore | ' :
	    '') . "CPU null | " . ($ss ? 'CPU senderscore | ' : '')
	    . "CPU filter-helo |\n|---|---:|---:|" . ($ss ? '---:|' : '')
	    . "---:|---:|" . ($ss ? '---:|' : '') . "---:|"
	    . ($ss ? '---:|' : '') . "---:|\n";
	for my $work (qw(dns-free open cached dns-bound)) {
		next unless $summary{$work};
		for my $conc (sort { $a <=> $b } keys %{$summary{$work}}) {
			my $r = $summary{$work}{$conc};
			my ($nl, $sc, $hl) = map { $r->{$_} // [ 0, 0 ] }
			    qw(null senderscore filter-helo);
			my $ratio = sub { $_[1] ? sprintf('%.2f', $_[0] /
			    $_[1]) : '' };
			my @c = ($work, $conc, sprintf('%.0f', $nl->[0]));
			push @c, sprintf('%.0f', $sc->[0]) if $ss;
			push @c, sprintf('%.0f', $hl->[0]),
			    $ratio->($hl->[0], $nl->[0]);
			push @c, $ratio->($hl->[0], $sc->[0]) if $ss;
			push @c, sprintf('%.1f', $nl->[1]);
			push @c, sprintf('%.1f', $sc->[1]) if $ss;
			push @c, sprintf('%.1f', $hl->[1]);
			print '| ' . join(' | ', @c) . " |\n";
		}
	}
	print "\n";
}

# VmRSS with N idle sessions held (ehlo answered, nothing in flight).
sub section_idle {
	my $n = $P{BENCH_IDLE_SESSIONS};
	print "## 4. Memory per idle session\n\n";
	print "$n DNS-free sessions opened 1000 at a time and held (ehlo "
	    . "answered, no lookup\nin flight).  Per session = (VmRSS held "
	    . "- VmRSS after one session) / $n.\n\n";
	print "| filter | VmRSS at rest kB | VmRSS held kB | per session kB |\n"
	    . "|---|---:|---:|---:|\n";
	for my $peer (peers()) {
		my $f = peer_start($peer);
		closed_loop($f, 1, 1, 10, sub { $WORK{'dns-free'}->(0) });
		sleep 0.2;
		my $rest = proc_status($f->{pid}, 'VmRSS');
		my @held = open_held($f, $n, 1000, sub { (client =>
		    '2001:db8::20', helo => '[IPv6:2001:db8::20]',
		    rdns => 'good6.regress.test') });
		sleep 0.3;
		my $rss = proc_status($f->{pid}, 'VmRSS');
		printf "| %s | %d | %d | %.2f |\n", $peer, $rest, $rss,
		    ($rss - $rest) / $n;
		session_end($_) for @held;
		filter_stop($f);
	}
	print "\n";
}

# Commands run one at a time, RUNS rounds of each in turn, timed by
# oneshot.pl, whose fork costs what a small process's does, where ours
# grows with the sessions of the sections before.  Each command is an
# array of -E operands, or undef for /bin/true.  Returns, per command,
# the wall times in seconds and the count of each exit status.
sub oneshot_runs {
	my ($conf, $runs, @cmds) = @_;
	my @argv = map { $_ ? [ $Filter::BIN, '-E', '-f', $conf, @$_ ] :
	    [ '/bin/true' ] } @cmds;
	open(my $fh, '-|', $^X, "$FindBin::Bin/oneshot.pl", $runs,
	    map { ($_ == 0 ? () : '--'), @{$argv[$_]} } 0 .. $#argv) or
	    die "drive.pl: oneshot.pl: $!\n";
	my (@t, @rc);
	while (<$fh>) {
		my ($i, $t, $rc) = split;
		push @{$t[$i]}, $t;
		$rc[$i]{$rc}++;
	}
	close $fh or die "drive.pl: oneshot.pl failed\n";
	return map { [ $t[$_] // [], $rc[$_] // {} ] } 0 .. $#cmds;
}

sub exit_codes {
	my ($rc) = @_;
	return join(' ', map { "$_:$rc->{$_}" } sort keys %$rc);
}

sub section_exim {
	my $runs = $P{BENCH_EXIM_RUNS};
	my $conf = Filter::config($BASE . "dns-timeout 8\n");
	print "## 5. Exim one-shot latency\n\n";
	print "Wall time of `filter-helo -E -f CONF ...` (fork, exec, exit, "
	    . "from a small\nprocess), $runs runs each, one at a time, "
	    . "default checks, the fixture as resolver.\nqueries/run: what "
	    . "reached the fixture (no cache survives a run).\n\n";
	print "| verdict | runs | p50 ms | p90 ms | max ms | queries/run "
	    . "| exit codes |\n|---|---:|---:|---:|---:|---:|---|\n";
	my @cases = (
	    [ 'address literal, no lookup needed', 'helo=[192.0.2.10]',
	      'client=192.0.2.10' ],
	    [ 'host name, lookups needed', 'helo=good.regress.test',
	      'client=192.0.2.10' ],
	);
	for my $c (@cases) {
		my ($name, @args) = @$c;
		fixture_queries();
		my ($r) = oneshot_runs($conf, $runs, \@args);
		my @t = sort { $a <=> $b } @{$r->[0]};
		printf "| %s | %d | %s | %s | %s | %.2f | %s |\n", $name,
		    $runs, ms(pct(\@t, 0.5)), ms(pct(\@t, 0.9)), ms($t[-1]),
		    fixture_queries() / $runs, exit_codes($r->[1]);
	}
	print "\n";
}

sub section_p99 {
	my ($runs, $n) = ($P{BENCH_P99_RUNS}, $P{BENCH_P99_SESSIONS});
	print "## 6. p99 at 1,000 sessions in flight\n\n";
	print "The DNS-free stream, closed loop with 1000 in flight, $runs "
	    . "consecutive runs of\n$n sessions on one filter process.  "
	    . "Stall: the longest time the driver waited\nin select(2) for "
	    . "the filter's output, with requests in flight (ms); the time\n"
	    . "the driver spends on what it read is not counted.\n\n";
	print "| filter | runs | p99 min | p99 median | p99 max | max latency "
	    . "| max stall | runs with a stall over 20 ms |\n"
	    . "|---|---:|---:|---:|---:|---:|---:|---:|\n";
	for my $peer (peers()) {
		my $f = peer_start($peer);
		closed_loop($f, 1, 1, 10, sub { $WORK{'dns-free'}->(0) });
		my @p99;
	my ($max, $stall, $over) = (0, 0, 0);
		for (1 .. $runs) {
			my ($done, undef, undef, undef, undef, $gap) =
			    closed_loop($f, 1000, $n, 120,
			    sub { $WORK{'dns-free'}->(0) });
			my @l = sort { $a <=> $b } map { $_->{lat} } @$done;
			push @p99, pct(\@l, 0.99);
			$max = $l[-1] if @l && $l[-1] > $max;
			$stall = $gap if $gap > $stall;
			$over++ if $gap > 0.020;
		}
		@p99 = sort { $a <=> $b } @p99;
		printf "| %s | %d | %s | %s | %s | %s | %s | %d |\n", $peer,
		    $runs, ms($p99[0]), ms(pct(\@p99, 0.5)), ms($p99[-1]),
		    ms($max), ms($stall), $over;
		filter_stop($f);
	}
	print "\n";
}

sub flood_addr {
	my ($i) = @_;
	return sprintf('198.18.%d.%d', ($i >> 8) & 255, $i & 255)
	    if $i < 65536;
	return sprintf('198.19.%d.%d', ($i >> 8) & 255, $i & 255);
}

sub section_flood {
	my ($rate, $secs, $burst) = ($P{BENCH_FLOOD_RATE},
	    $P{BENCH_FLOOD_SECONDS}, $P{BENCH_FLOOD_BURST});
	my $to = 5;
	my ($bp, @keep) = blackhole();
	print "## 7. Flood\n\n";
	print "filter-helo with a resolver that answers nothing (127.0.0.1"
	    . "\@$bp, reads no\nquery), dns-timeout $to.  Flood sessions: "
	    . "link-connect from a new address each\n(198.18.0.0/15, rdns "
	    . "not confirmed by smtpd), link-greeting and ehlo with the\n"
	    . "address literal, so each one asks a PTR that is never "
	    . "answered, then\nrcpt-to; a flood session disconnects at its "
	    . "verdict.  Phases: $rate new sessions/s\nfor $secs s, then "
	    . "$burst at once, then until every flood session is answered."
	    . "\nProbes, one started every 20 ms of each kind, need no "
	    . "lookup: exempt\n(`pass client 192.0.2.99`), or rdns "
	    . "confirmed by smtpd (good6.regress.test,\n2001:db8::20) with "
	    . "its address literal as HELO.\nProbe latency: link-connect "
	    . "to verdict (ms).  VmRSS of the filter in kB.\n\n";
	my $f = filter_start($Filter::LAB . "resolver 127.0.0.1\@$bp\ndns-timeout $to\n"
	    . "pass client 192.0.2.99\n");
	$f->{fine} = 1;
	my (%probes, $peak);
	my ($flood_done, $flood_started) = (0, 0);
	my $i = 0;
	my $probe = sub {
		my ($phase) = @_;
		push @{$probes{$phase}{exempt}}, session_start($f,
		    client => '192.0.2.99', helo => '[192.0.2.99]');
		push @{$probes{$phase}{confirmed}}, session_start($f,
		    client => '2001:db8::20', helo => '[IPv6:2001:db8::20]',
		    rdns => 'good6.regress.test');
	};
	my $flood = sub {
		my $c = flood_addr($i++);
		$flood_started++;
		session_start($f, client => $c, helo => "[$c]",
		    done => sub { $flood_done++ });
	};
	my $rss = sub {
		my $r = proc_status($f->{pid}, 'VmRSS') // 0;
		$peak = $r if $r > ($peak // 0);
		return $r;
	};
	# The phase runs for $len s: probes every 20 ms, $per flood
	# sessions every 10 ms, and $until->() must hold at the end.
	my $phase = sub {
		my ($name, $len, $per, $until) = @_;
		my $t0 = time;
		my ($next_probe, $next_flood, $next_rss) = ($t0, $t0, $t0);
		pump($f, sub {
			my $now = time;
			if ($now >= $next_probe) {
				$probe->($name);
				$next_probe += 0.020;
			}
			if ($per && $now >= $next_flood) {
				$flood->() for 1 .. $per;
				$next_flood += 0.010;
			}
			if ($now >= $next_rss) {
				$rss->();
				$next_rss += 0.1;
			}
			return $now - $t0 >= $len && $until->();
		}, $len + 60);
	};
	$phase->('before', 1, 0, sub { 1 });
	my $before = $rss->();
	$peak = 0;
	my ($c0, $t0) = (proc_cpu($f->{pid}), time);
	$phase->("$rate/s for $secs s", $secs, $rate / 100, sub { 1 });
	$flood->() for 1 .. $burst;
	$phase->("burst of $burst", 1, 0, sub { 1 });
	$phase->('until the flood is answered', 0, 0,
	    sub { $flood_done == $flood_started });
	my $during = $peak;
	my ($cpu, $wall) = (proc_cpu($f->{pid}) - $c0, time - $t0);
	$phase->('after', 1, 0, sub { 1 });
	my $after = $rss->();
	# Probes still waiting are counted with their full wait.
	pump($f, sub { !grep { !defined $_->{verdict} } map { @$_ }
	    map { values %$_ } values %probes }, $to + 30);
	print "| phase | probe | probes | answered | p50 | p99 | max "
	    . "| answers |\n|---|---|---:|---:|---:|---:|---:|---|\n";
	for my $ph ('before', "$rate/s for $secs s", "burst of $burst",
	    'until the flood is answered', 'after') {
		for my $kind (qw(exempt confirmed)) {
			my @p = @{$probes{$ph}{$kind} // []};
			my @d = grep { defined $_->{verdict} } @p;
			my @l = sort { $a <=> $b } map { $_->{lat_total} } @d;
			printf "| %s | %s | %d | %d | %s | %s | %s | %s |\n",
			    $ph, $kind, scalar @p, scalar @d,
			    ms(pct(\@l, 0.5)), ms(pct(\@l, 0.99)),
			    ms(@l ? $l[-1] : 0), outcomes(@d);
		}
	}
	printf "\nFlood sessions: %d, answered %d, in %.1f s; filter CPU "
	    . "%.1f s (%.0f us per flood\nsession).  VmRSS kB: before %d, "
	    . "peak during %d (%.1fx), after %d.\n\n", $flood_started,
	    $flood_done, $wall, $cpu, 1e6 * $cpu / ($flood_started || 1),
	    $before, $during, $during / ($before || 1), $after;
	filter_stop($f);
}

# Names that never answer, then a name that does.
sub section_dead {
	my $n = $P{BENCH_DEAD_N};
	my $to = 5;
	print "## 8. Dead names, then a good name\n\n";
	print "filter-helo, the fixture, dns-timeout $to.  First 10 "
	    . "sessions one at a time, each\nwith a new *.wild.regress.test "
	    . "name (the usual time); then $n sessions at once\nwith "
	    . "new *.dropped.test names (never answered), and at once 10 "
	    . "sessions one\nat a time with new resolvable names; then the "
	    . "same after the $n are answered.\nLatency: ehlo request to "
	    . "verdict (ms).\n\n";
	print "| good names | sessions | p50 | max | answers |\n"
	    . "|---|---:|---:|---:|---|\n";
	my $f = filter_start($BASE . "dns-timeout $to\n");
	closed_loop($f, 1, 1, 10, sub { ('192.0.2.37',
	    "dw.$run.wild.regress.test") });
	my $good = sub {
		my ($name, $tag) = @_;
		my ($done) = closed_loop($f, 1, 10, 60, sub { ('192.0.2.37',
		    "g$_[0].$tag.$run.wild.regress.test") });
		my @l = sort { $a <=> $b }
		    map { $_->{lat} + $_->{lat_ehlo} } @$done;
		printf "| %s | %d | %s | %s | %s |\n", $name, scalar @$done,
		    ms(pct(\@l, 0.5)), ms(@l ? $l[-1] : 0), outcomes(@$done);
	};
	$good->('usual (no dead names)', 'u');
	my @slow;
	session_start($f, client => '192.0.2.37',
	    helo => "d$_.$run.dropped.test",
	    done => sub { push @slow, $_[0] }) for 1 .. $n;
	$good->("right after $n dead names", 'd');
	pump($f, sub { @slow == $n }, $to + 30);
	$good->("after the $n are answered", 'a');
	my @l = sort { $a <=> $b } map { $_->{lat} + $_->{lat_ehlo} } @slow;
	printf "| (the %d dead ones) | %d | %s | %s | %s |\n\n", $n,
	    scalar @slow, ms(pct(\@l, 0.5)), ms(@l ? $l[-1] : 0),
	    outcomes(@slow);
	filter_stop($f);
}

# Other work on the machine moves every number: say how busy it was.
# add-header yes: every message line through the filter.  S sessions,
# each judged at RCPT TO, then M messages of L lines sent interleaved
# as smtpd streams them (a Received line, a Subject, an empty line,
# 76-byte body lines, "."), all at once; the clock stops when the last
# "." comes back.  Against the null filter with -d, which passes each
# line back and does nothing else.
sub dataline_run {
	my ($f) = @_;
	my ($nmsg, $nlines, $nsess) = @P{qw(BENCH_DL_MESSAGES BENCH_DL_LINES
	    BENCH_DL_SESSIONS)};
	my @sids = map { sprintf('5b32df57%08x', $next_sid++) } 1 .. $nsess;
	my ($results, $dots, $lines_back) = (0, 0, 0);
	$f->{other} = sub {
		if ($_[0] =~ /^filter-result\|/) {
			$results++;
		} elsif ($_[0] =~ /^filter-dataline\|/) {
			$lines_back++;
			$dots++ if substr($_[0], -2) eq '|.';
		}
	};
	my $tok = 'ecf3d8c600000001';
	for my $sid (@sids) {
		send_lines($f, join('|', 'report', '0.6', ts(), 'smtp-in',
		    'link-connect', $sid, 'good.regress.test', 'pass',
		    '192.0.2.10:40000', $SRV),
		    join('|', 'filter', '0.6', ts(), 'smtp-in', 'ehlo', $sid,
		    $tok, 'good.regress.test'),
		    join('|', 'filter', '0.6', ts(), 'smtp-in', 'rcpt-to', $sid,
		    $tok, 'bob@regress.test'));
	}
	pump($f, sub { $results >= 2 * $nsess }, 30);
	my $body = 'QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9w'
	    . 'cXJzdHV2d3h5ejAxMjM0';
	my @msg = ('Received: from good.regress.test (good.regress.test '
	    . '[192.0.2.10])', 'Subject: bench', '',
	    ($body) x ($nlines - 5), '..a dot-stuffed line', '.');
	my $bytes = 0;
	$bytes += length($_) + 2 for @msg;
	my $cpu0 = proc_cpu($f->{pid});
	my $t0 = time;
	for my $m (0 .. $nmsg - 1) {
		my $sid = $sids[$m % $nsess];
		my $pre = "filter|0.6|" . ts() . "|smtp-in|data-line|$sid|$tok|";
		$f->{wbuf} .= join('', map { "$pre$_\n" } @msg);
		# Keep the writes going, and the buffer of this driver small.
		pump($f, sub { length $f->{wbuf} < (1 << 20) }, 60);
	}
	flush($f);
	pump($f, sub { $dots >= $nmsg }, 120);
	my $wall = time - $t0;
	my $cpu = proc_cpu($f->{pid}) - $cpu0;
	$f->{other} = undef;
	return ($dots, $lines_back, $bytes * $nmsg, $wall, $cpu);
}

sub section_dataline {
	my ($nmsg, $nlines) = @P{qw(BENCH_DL_MESSAGES BENCH_DL_LINES)};
	print "## 14. Message lines with add-header yes\n\n";
	print "$nmsg messages of $nlines lines from $P{BENCH_DL_SESSIONS} "
	    . "sessions, interleaved, streamed as\nsmtpd streams them; MB/s "
	    . "of message (10^6 bytes, CRLF counted) from the first\nline "
	    . "sent to the last \".\" answered.  The null filter (-d) passes "
	    . "each line back\nand does nothing else.\n\n";
	print "| filter | messages | lines back | MB | s | MB/s | filter CPU "
	    . "s | ratio |\n|---|---:|---:|---:|---:|---:|---:|---:|\n";
	my @rows;
	for my $who ('null', 'filter-helo') {
		my $f = $who eq 'null' ?
		    spawn([ $NULL, '-d' ], Filter::config('') . '.null.log') :
		    filter_start($BASE . $OFFLINE . "add-header yes\n");
		my ($dots, $back, $bytes, $wall, $cpu) = dataline_run($f);
		filter_stop($f);
		push @rows, [ $who, $dots, $back, $bytes / 1e6, $wall,
		    $bytes / 1e6 / ($wall || 1e-9), $cpu ];
	}
	for my $r (@rows) {
		printf "| %s | %d | %d | %.1f | %.2f | %.1f | %.2f | %.2f |\n",
		    @$r, $r->[5] / $rows[0][5];
	}
	print "\nLines back: the filter-helo row has 2 more per message, "
	    . "its two headers.\n\n";
}

# ---------------------------------------------------------------------
# The resolver's promises under attack and at rest (sections 15 to 18):
# what each measured against its target, for the summary at the end.

my @targets;	# [ target, measured, met ]

# $met undef: a number to read, not one a rule can judge.
sub target {
	my ($what, $measured, $met) = @_;
	push @targets, [ $what, $measured, !defined $met ? 'to read' :
	    $met ? 'met' : 'not met' ];
}

# R sessions a second, each with a new HELO name the resolver never
# answers, for S seconds; one probe a second with a new resolvable name
# from a new client, whose verdict needs all its answers.
sub section_deadstream {
	my @rates = split ' ', $P{BENCH_DS_RATES};
	my ($secs, $to) = @P{qw(BENCH_DS_SECONDS BENCH_DS_TIMEOUT)};
	print "## 15. Dead-name stream\n\n";
	print "filter-helo, the fixture, dns-timeout $to, verdict at rcpt-to "
	    . "(sent as soon as the\nehlo is answered), default checks and "
	    . "`check rdns tempfail`.  Dead sessions:\nR a second for $secs "
	    . "s, each a new HELO dN.RUN.dropped.test (the fixture drops\n"
	    . "every query under dropped.test: A, AAAA and MX are never "
	    . "answered), from\n192.0.2.10 (its PTR and confirmation from "
	    . "the cache); each gets its verdict\nat dns-timeout and "
	    . "disconnects.  Probes: one a second, each from a new client\n"
	    . "(100.64.0.0/14, PTR hI.fcrdns.test, whose A is the client) "
	    . "that smtpd did\nnot confirm, and a new HELO pI.RUN.wild."
	    . "regress.test: five lookups (PTR, its\nA, the HELO's A, AAAA "
	    . "and MX), each needed by the verdict (dns and rdns are\n"
	    . "tempfail), so a probe with a lookup stuck gets 451 at "
	    . "dns-timeout.  Probe\nlatency: link-connect to verdict (ms).  "
	    . "After the S seconds, until every\nsession is answered.  "
	    . "VmRSS of the filter sampled every 100 ms (kB).\n\n";
	my (@prow, @frow);
	for my $rate (@rates) {
		my $f = filter_start($BASE . "dns-timeout $to\n"
		    . "check rdns tempfail\n");
		$f->{fine} = 1;
		closed_loop($f, 1, 1, 10, sub { ('192.0.2.10',
		    "warm.$run-$rate.wild.regress.test") });
		sleep 0.2;
		my $pid = $f->{pid};
		my $before = proc_status($pid, 'VmRSS') // 0;
		my $peak = $before;
		my $rss = sub {
			my $r = proc_status($pid, 'VmRSS') // 0;
			$peak = $r if $r > $peak;
			return $r;
		};
		my (@probes, @dead);
		my $dead_done = 0;
		my $t0 = time;
		my $c0 = proc_cpu($pid);
		my ($next_dead, $next_probe, $next_rss) = ($t0, $t0 + 0.5, $t0);
		pump($f, sub {
			my $now = time;
			my $on = $now - $t0 < $secs;
			while ($on && $next_dead <= $now) {
				push @dead, session_start($f,
				    client => '192.0.2.10',
				    helo => 'd' . scalar(@dead)
				    . ".$run-$rate.dropped.test",
				    done => sub { $dead_done++ });
				$next_dead += 1 / $rate;
			}
			if ($on && $next_probe <= $now) {
				my ($c) = fcrdns_client();
				my $s = session_start($f, client => $c,
				    helo => 'p' . scalar(@probes)
				    . ".$run-$rate.wild.regress.test");
				$s->{at} = $now - $t0;
				push @probes, $s;
				$next_probe += 1;
			}
			if ($now >= $next_rss) {
				$rss->();
				$next_rss += 0.1;
			}
			return !$on;
		}, $secs + 30);
		my $at_end = $rss->();
		$next_rss = time;
		pump($f, sub {
			if (time >= $next_rss) {
				$rss->();
				$next_rss += 0.1;
			}
			return $dead_done == @dead &&
			    !grep { !defined $_->{verdict} } @probes;
		}, $to + 60);
		my $wall = time - $t0;
		my $cpu = proc_cpu($pid) - $c0;
		sleep 0.5;
		my $after = $rss->();
		filter_stop($f);

		my @d = grep { defined $_->{verdict} } @probes;
		my @l = sort { $a <=> $b } map { $_->{lat_total} } @d;
		my $fast = grep { $_->{verdict} eq 'proceed' &&
		    $_->{lat_total} <= 1 } @d;
		my ($slow) = grep { !defined $_->{verdict} ||
		    $_->{verdict} ne 'proceed' || $_->{lat_total} > 1 }
		    @probes;
		push @prow, sprintf("| %d | %d | %d | %d | %s | %s | %s | %d | "
		    . "%s | %s |\n", $rate, scalar @dead, scalar @probes,
		    scalar @d, ms(pct(\@l, 0.5)), ms(pct(\@l, 0.95)),
		    ms(@l ? $l[-1] : 0), $fast, $slow ?
		    sprintf('%.1f', $slow->{at}) : '-', outcomes(@d));
		my @ad = grep { defined $_->{verdict} } @dead;
		push @frow, sprintf("| %d | %d | %d | %s | %d | %d | %d | %d "
		    . "| %.1f | %.0f |\n", $rate, scalar @dead, scalar @ad,
		    outcomes(@ad), $before, $peak, $at_end, $after, $wall,
		    1e6 * $cpu / (@dead || 1));
		target("$rate dead-HELO sessions/s for $secs s: every probe "
		    . "`proceed` within 1 s", "$fast of " . @probes . ' ('
		    . outcomes(@d) . '), max ' . ms(@l ? $l[-1] : 0) . ' ms',
		    @probes && $fast == @probes);
		target("$rate dead-HELO sessions/s for $secs s: no 5xx",
		    scalar(grep { outcome($_->{verdict}) =~ /^5/ }
		    @d, @ad) . ' 5xx among ' . (@d + @ad) . ' verdicts',
		    !grep { outcome($_->{verdict}) =~ /^5/ } @d, @ad);
		target("$rate dead-HELO sessions/s for $secs s: memory "
		    . "bounded (peak)", "VmRSS $before kB before, peak $peak, "
		    . "$after after", undef);
	}
	print "| R/s | dead sessions | probes | answered | p50 | p95 | max "
	    . "| proceed within 1 s | first without, at s | answers |\n"
	    . "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n";
	print @prow;
	print "\n| R/s | dead sessions | answered | their answers "
	    . "| VmRSS before | peak | at the end of the stream "
	    . "| after all answered | s in all | filter CPU us per dead "
	    . "session |\n|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|"
	    . "\n";
	print @frow;
	print "\n";
}

# New clients that smtpd forward-confirmed, each HELO its address
# literal: no verdict needs DNS, and no lookup should be asked.
sub section_verified {
	print "## 16. Verified clients, address-literal HELO\n\n";
	print "A new client each session (100.64.0.0/14), whose link-"
	    . "connect carries smtpd's\nforward-confirmed name "
	    . "(`hI.fcrdns.test|pass`; the fixture's PTR and A agree),\n"
	    . "and HELO its address literal `[a.b.c.d]`.  Closed loop, N "
	    . "in flight, each run\n$P{BENCH_SESSIONS} sessions or "
	    . "$P{BENCH_SECONDS} s, the null filter and filter-helo "
	    . "(default\nconfiguration) on the same stream.  queries: "
	    . "what the fixture logged during the\nrun.  Latency: rcpt-to "
	    . "request to its answer (ms).\n\n";
	print "| filter | N | sessions | sessions/s | p50 | p99 | max "
	    . "| CPU us/session | queries | queries/session | answers |\n"
	    . "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n";
	my $mk = sub {
		my ($c, $name) = fcrdns_client();
		return ($c, "[$c]", $name);
	};
	my %r;
	for my $peer ('null', 'filter-helo') {
		my $f = peer_start($peer);
		for my $conc (split ' ', $P{BENCH_CONC}) {
			fixture_queries();
			my ($done, $wall, $cpu) = closed_loop($f, $conc,
			    $P{BENCH_SESSIONS}, $P{BENCH_SECONDS}, $mk);
			# The queries of the last sessions reach the log.
			sleep 0.2;
			my $q = fixture_queries();
			my $n = @$done;
			$r{$conc}{$peer} = [ $n / ($wall || 1), $q ];
			printf "| %s | %d | %d | %.0f | %s | %s | %s | %.1f "
			    . "| %d | %.2f | %s |\n", $peer, $conc, $n,
			    $n / ($wall || 1), (lat_cols(@$done))[0, 2, 3],
			    1e6 * $cpu / ($n || 1), $q, $q / ($n || 1),
			    outcomes(@$done);
		}
		filter_stop($f);
	}
	print "\n| N | filter-helo/null | queries asked by filter-helo |\n"
	    . "|---:|---:|---:|\n";
	my ($lo, $hi, $qs);
	for my $conc (sort { $a <=> $b } keys %r) {
		my ($nl, $hl) = @{$r{$conc}}{qw(null filter-helo)};
		my $ratio = $nl->[0] ? $hl->[0] / $nl->[0] : 0;
		printf "| %d | %.2f | %d |\n", $conc, $ratio, $hl->[1];
		$lo = $ratio if !defined $lo || $ratio < $lo;
		$hi = $ratio if !defined $hi || $ratio > $hi;
		$qs += $hl->[1];
	}
	print "\n";
	target('verified clients, address-literal HELO: at least 0.5 of '
	    . "the null filter's sessions/s", sprintf('%.2f to %.2f',
	    $lo, $hi), $lo >= 0.5);
	target('verified clients, address-literal HELO: no lookup asked',
	    "$qs queries", $qs == 0);
}

# Memory across sessions: what a session that finds its client in the
# table costs.  A pool of clients with smtpd's confirmed names, cycled,
# each saying its address literal: every session after the first round
# looks its client up (rotation, forged-before) and notes its name.  No
# check that needs DNS: the table's cost is not hidden in lookups.  The
# null filter, filter-helo with both checks off, and filter-helo with
# them on (their default), on the same stream.
sub section_rotation {
	my $pool = $P{BENCH_ROT_CLIENTS};
	print "## 20. Memory across sessions (rotation, forged-before)\n\n";
	print "$pool clients (100.64.0.0/14) cycled, each with smtpd's "
	    . "confirmed name and HELO\nits address literal: from the "
	    . "second round on, every session finds its client in\nthe "
	    . "table.  DNS checks off.  Closed loop, N in flight, each run "
	    . "$P{BENCH_SESSIONS}\nsessions or $P{BENCH_SECONDS} s.  "
	    . "memory off: `check rotation pass` and `check\n"
	    . "forged-before pass`; memory on: their defaults (report).  "
	    . "Latency: rcpt-to\nrequest to its answer (ms).\n\n";
	print "| filter | N | sessions | sessions/s | p50 | p99 | max "
	    . "| CPU us/session | answers |\n"
	    . "|---|---:|---:|---:|---:|---:|---:|---:|---|\n";
	my $mk = sub {
		my $i = $_[0] % $pool;
		my $c = sprintf('100.%d.%d.%d', 64 + ($i >> 16),
		    ($i >> 8) & 255, $i & 255);
		return ($c, "[$c]", "h$i.fcrdns.test");
	};
	my $off = $BASE . $OFFLINE . "check rotation pass\n"
	    . "check forged-before pass\n";
	my %r;
	for my $peer ([ 'null' ], [ 'memory off', $off ],
	    [ 'memory on', $BASE . $OFFLINE ]) {
		my ($name, $conf) = @$peer;
		my $f = peer_start(defined $conf ? 'filter-helo' : 'null',
		    $conf);
		# One round: every client in the table.
		closed_loop($f, 100, $pool, 60, $mk);
		for my $conc (split ' ', $P{BENCH_CONC}) {
			my ($done, $wall, $cpu) = closed_loop($f, $conc,
			    $P{BENCH_SESSIONS}, $P{BENCH_SECONDS}, $mk);
			my $n = @$done;
			$r{$conc}{$name} = 1e6 * $cpu / ($n || 1);
			printf "| %s | %d | %d | %.0f | %s | %s | %s | %.1f "
			    . "| %s |\n", $name, $conc, $n, $n / ($wall || 1),
			    (lat_cols(@$done))[0, 2, 3], $r{$conc}{$name},
			    outcomes(@$done);
		}
		filter_stop($f);
	}
	print "\n| N | memory on - off, CPU us/session |\n|---:|---:|\n";
	printf "| %d | %.1f |\n", $_, $r{$_}{'memory on'} -
	    $r{$_}{'memory off'} for sort { $a <=> $b } keys %r;
	print "\n";
}

# -E with an address literal (the client's PTR and its confirmation
# asked) against -E with a bare IP (refused on its syntax, nothing
# asked), runs interleaved so that both see the same machine.
sub section_oneshot {
	my $runs = $P{BENCH_ONESHOT_RUNS};
	my $conf = Filter::config($BASE . "dns-timeout 8\n");
	print "## 17. -E: lookups against none\n\n";
	print "`filter-helo -E -f CONF helo=... client=192.0.2.10`, default "
	    . "checks, the fixture\nas resolver, no `rdns=`: with "
	    . "`helo=[192.0.2.10]` the client's PTR and its\nconfirmation "
	    . "are asked (the rdns check logs the name); with "
	    . "`helo=192.0.2.10`\n(bare-ip, refused on its syntax) nothing "
	    . "is.  $runs runs of each, alternating, one\nat a time; wall "
	    . "time from fork to exit, timed by a small process\n"
	    . "(regress/bench/oneshot.pl), in ms.  /bin/true: the same fork "
	    . "and exec of the\nsmallest program, for scale.  queries/run: "
	    . "what the fixture logged in 3 more\nruns of each alone.\n\n";
	my @cases = (
	    [ 'address literal, PTR and confirmation asked',
	      [ 'helo=[192.0.2.10]', 'client=192.0.2.10' ] ],
	    [ 'bare IP, no lookup', [ 'helo=192.0.2.10',
	      'client=192.0.2.10' ] ],
	    [ '/bin/true', undef ],
	);
	my @r = oneshot_runs($conf, $runs, map { $_->[1] } @cases);
	# Queries apart, a few runs of each alone: in the rotation the
	# fixture's log would have to be read between runs.
	my @q;
	for my $c (@cases) {
		fixture_queries();
		oneshot_runs($conf, 3, $c->[1]);
		push @q, fixture_queries() / 3;
	}
	print "| case | runs | p50 ms | p90 ms | max ms | queries/run "
	    . "| exit codes |\n|---|---:|---:|---:|---:|---:|---|\n";
	my @med;
	for my $i (0 .. $#cases) {
		my @t = sort { $a <=> $b } @{$r[$i][0]};
		push @med, pct(\@t, 0.5);
		printf "| %s | %d | %s | %s | %s | %.2f | %s |\n",
		    $cases[$i][0], scalar @t, ms($med[$i]), ms(pct(\@t, 0.9)),
		    ms(@t ? $t[-1] : 0), $q[$i], exit_codes($r[$i][1]);
	}
	my $diff = $med[0] - $med[1];
	printf "\nDifference of the medians, address literal over bare IP: "
	    . "%s ms.\n\n", ms($diff);
	target('-E: address literal, no rdns=, at most 2 ms slower than a '
	    . 'bare IP (medians)', sprintf('%s ms against %s ms: %s ms',
	    ms($med[0]), ms($med[1]), ms($diff)), $diff <= 0.002);
}

# Lists in files: what 100,000 entries cost to load, and per session.
sub section_lists {
	my ($n, $runs) = @P{qw(BENCH_LIST_ENTRIES BENCH_LIST_RUNS)};
	my $dir = File::Temp::tempdir(CLEANUP => 1);
	open(my $fh, '>', "$dir/clients") or die "drive.pl: $dir: $!\n";
	printf $fh "10.%d.%d.%d/30\n", $_ >> 14, ($_ >> 6) & 255,
	    ($_ & 63) << 2 for 0 .. $n - 1;
	close $fh;
	open($fh, '>', "$dir/names") or die "drive.pl: $dir: $!\n";
	printf $fh "%sh%d.d%d.test\n", $_ % 2 ? '.' : '', $_, $_ % 997
	    for 0 .. $n - 1;
	close $fh;
	my %lists = (
	    none => '',
	    clients => "except literal client file $dir/clients\n",
	    names => "pass rdns file $dir/names\n",
	);
	$lists{both} = $lists{clients} . $lists{names};
	my @order = qw(none clients names both);
	print "## 21. Lists in files\n\n";
	print "$n networks (10.0.0.0/30 and on, none holding the client) "
	    . "as `except literal\nclient file`, $n names (half exact, half "
	    . "`.suffix`, none matching) as\n`pass rdns file`, and both.  "
	    . "Load: `filter-helo -E` wall time, $runs runs\neach (bare IP "
	    . "HELO, no lookup), less the median without lists.  Match: "
	    . "the\nfilter, offline mode of section 13 with HELO "
	    . "[192.0.2.99] (literal fires, so\nthe exception list is "
	    . "asked) from 192.0.2.10 (its confirmed name is asked of\nthe "
	    . "rdns list), $P{BENCH_SESSIONS} sessions at 10 in flight; "
	    . "filter CPU per session.\n\n";
	print "| lists | -E p50 ms | load ms | filter CPU us/session "
	    . "| sessions/s | answers |\n|---|---:|---:|---:|---:|---|\n";
	my (%p50, %cpu);
	for my $l (@order) {
		my $conf = Filter::config($BASE . "dns-timeout 8\n"
		    . $lists{$l});
		my ($r) = oneshot_runs($conf, $runs, [ 'helo=192.0.2.10',
		    'client=192.0.2.10' ]);
		my @t = sort { $a <=> $b } @{$r->[0]};
		$p50{$l} = pct(\@t, 0.5);
		my $f = filter_start($BASE . "dns-timeout 8\n" . $OFFLINE
		    . "check literal reject\n" . $lists{$l});
		my $mk = sub { ('192.0.2.10', '[192.0.2.99]') };
		closed_loop($f, 1, 1, 10, $mk);
		my ($done, $wall, $c) = closed_loop($f, 10,
		    $P{BENCH_SESSIONS}, $P{BENCH_SECONDS}, $mk);
		my $k = @$done || 1;
		$cpu{$l} = 1e6 * $c / $k;
		printf "| %s | %s | %s | %.1f | %.0f | %s |\n", $l,
		    ms($p50{$l}), ms($p50{$l} - $p50{none}), $cpu{$l},
		    @$done / $wall, outcomes(@$done);
		filter_stop($f);
	}
	my $load = $p50{both} - $p50{none};
	my $more = $cpu{both} - $cpu{none};
	print "\n| target | measured | |\n|---|---|---|\n";
	printf "| %s | %s | %s |\n", "$n networks and $n names load in "
	    . 'under 1 s', ms($load) . ' ms', $load < 1 ? 'met' : 'not met';
	printf "| %s | %s | %s |\n", 'matching both costs at most 10 us a '
	    . 'session more', sprintf('%.1f us', $more),
	    $more <= 10 ? 'met' : 'not met';
	print "\n";
}

# The cost of SPF of the HELO: the same sessions with spf-helo at pass
# (never asked) and at report (its default), the record and what it
# names in the filter's cache after the first session.
sub section_spf {
	my $runs = $P{BENCH_LIST_RUNS};
	my $rounds = 3;
	my $off = $BASE . "dns-timeout 8\n" . $OFFLINE;
	my @cases = (
	    [ 'pass, "a -all"', '192.0.2.60', 'spf-pass.regress.test',
	      'spf-pass.regress.test' ],
	    [ 'fail, "ip4 -all exp="', '192.0.2.10',
	      'spf-fail.regress.test', 'good.regress.test' ],
	);
	print "## 22. SPF of the HELO\n\n";
	print "The filter, offline mode of section 13 (no other check "
	    . "reads DNS; the client's\nname given as the MTA's), with "
	    . "spf-helo at pass and at report; one session\nfirst, so that "
	    . "the SPF record and what it names are cached, then "
	    . "$P{BENCH_SESSIONS}\nsessions or $P{BENCH_SECONDS} s at N in "
	    . "flight; filter CPU per session and sessions/s, the median "
	    . "of $rounds runs\nof each, taken alternately (answers: all "
	    . "$rounds).  pass:\nspf-pass.regress.test "
	    . "\"v=spf1 a -all\" from its own address (TXT, then A).\n"
	    . "fail: spf-fail.regress.test \"v=spf1 ip4:192.0.2.61 -all "
	    . "exp=...\" from\nanother (TXT, then the exp= TXT, its macros "
	    . "expanded).  -E: wall time of\n`filter-helo -E` with the same "
	    . "operands, a new process each run, so its\nlookups reach the "
	    . "fixture; $runs runs, median.\n\n";
	print "| case | spf-helo | N | filter CPU us/session | more "
	    . "| sessions/s | answers |\n|---|---|---:|---:|---:|---:|---|\n";
	for my $c (@cases) {
		my ($name, $client, $helo, $rdns) = @$c;
		my $mk = sub { ($client, $helo, $rdns) };
		for my $conc (1, 10) {
			# Alternately, so that the machine's load falls on
			# both alike; the median of each.
			my (%us, %rate, %done);
			for my $round (1 .. $rounds) {
				for my $act (qw(pass report)) {
					my $f = filter_start($off
					    . "check spf-helo $act\n");
					closed_loop($f, 1, 1, 10, $mk);
					my ($done, $wall, $cpu) = closed_loop(
					    $f, $conc, $P{BENCH_SESSIONS},
					    $P{BENCH_SECONDS}, $mk);
					my $k = @$done || 1;
					push @{$us{$act}}, 1e6 * $cpu / $k;
					push @{$rate{$act}}, @$done / $wall;
					push @{$done{$act}}, @$done;
					filter_stop($f);
				}
			}
			my $median = sub { pct([ sort { $a <=> $b } @_ ], 0.5) };
			my %med = map { $_ => $median->(@{$us{$_}}) } keys %us;
			for my $act (qw(pass report)) {
				printf "| %s | %s | %d | %.1f | %s | %.0f "
				    . "| %s |\n", $name, $act, $conc,
				    $med{$act}, $act eq 'pass' ? '' :
				    sprintf('%.1f', $med{report} -
				    $med{pass}), $median->(@{$rate{$act}}),
				    outcomes(@{$done{$act}});
			}
		}
	}
	spf_instructions($off, @cases);
	print "\n| case | -E spf-helo pass p50 ms | report p50 ms | more ms "
	    . "|\n|---|---:|---:|---:|\n";
	for my $c (@cases) {
		my ($name, $client, $helo, $rdns) = @$c;
		my @p50;
		for my $act (qw(pass report)) {
			my $conf = Filter::config($off
			    . "check spf-helo $act\n");
			my ($r) = oneshot_runs($conf, $runs, [ "helo=$helo",
			    "client=$client", "rdns=$rdns" ]);
			my @t = sort { $a <=> $b } @{$r->[0]};
			push @p50, pct(\@t, 0.5);
		}
		printf "| %s | %s | %s | %s |\n", $name, ms($p50[0]),
		    ms($p50[1]), ms($p50[1] - $p50[0]);
	}
	print "\n";
}

# Instructions per session under callgrind, as section 12 counts them:
# the clock's ticks are too coarse for a difference of microseconds.
sub spf_instructions {
	my ($off, @cases) = @_;
	my $n = $P{BENCH_CALLGRIND_SESSIONS} < 20 ? 20 :
	    $P{BENCH_CALLGRIND_SESSIONS};
	return unless $P{BENCH_CALLGRIND} &&
	    system('command -v valgrind >/dev/null 2>&1 && '
	    . 'command -v callgrind_annotate >/dev/null 2>&1') == 0;
	print "\nInstructions per session (callgrind, one session at a "
	    . "time, (run of $n - run\nof 10) / ($n - 10), so that the "
	    . "first session's lookups are left out):\n\n"
	    . "| case | spf-helo pass | report | more |\n"
	    . "|---|---:|---:|---:|\n";
	for my $c (@cases) {
		my ($name, $client, $helo, $rdns) = @$c;
		my %per;
		for my $act (qw(pass report)) {
			my %all;
			for my $count (10, $n) {
				my $k = callgrind_run($off
				    . "check spf-helo $act\n", $count,
				    sub { ($client, $helo, $rdns) });
				$all{$count} = $k ? $k->{all} : undef;
			}
			$per{$act} = defined $all{10} && defined $all{$n} ?
			    ($all{$n} - $all{10}) / ($n - 10) : undef;
		}
		my $fmt = sub { defined $_[0] ? sprintf('%.0f', $_[0]) : '-' };
		printf "| %s | %s | %s | %s |\n", $name, $fmt->($per{pass}),
		    $fmt->($per{report}), defined $per{pass} &&
		    defined $per{report} ? $fmt->($per{report} - $per{pass})
		    : '-';
	}
}

# The DNS-bound rows of section 1 against their targets.
sub dnsbound_targets {
	my $r = $summary{'dns-bound'} or return;
	return if senderscore_why() ne '';
	my (@cpu, @x);
	for my $conc (sort { $a <=> $b } keys %$r) {
		my ($sc, $hl) = @{$r->{$conc}}{qw(senderscore filter-helo)};
		next unless $sc && $hl;
		push @cpu, $hl->[1];
		push @x, $sc->[0] ? $hl->[0] / $sc->[0] : 0;
	}
	return unless @cpu;
	my $range = sub {
		my ($fmt, @v) = @_;
		@v = sort { $a <=> $b } @v;
		return sprintf("$fmt to $fmt", $v[0], $v[-1]);
	};
	target('DNS-bound: filter CPU at most 80 us a session, at every N',
	    $range->('%.0f', @cpu) . ' us',
	    !grep { $_ > 80 } @cpu);
	target("DNS-bound: at least 3x senderscore's sessions/s, at every "
	    . 'N', $range->('%.2f', @x) . 'x', !grep { $_ < 3 } @x);
}

sub section_targets {
	dnsbound_targets();
	return unless @targets;
	print "## 18. Targets of the resolver move\n\n";
	print "From sections 1, 15, 16 and 17 of this run (DNS-bound: "
	    . "section 1's dns-bound rows,\nN = $P{BENCH_CONC}).\n\n";
	print "| target | measured | |\n|---|---|---|\n";
	printf "| %s | %s | %s |\n", @$_ for @targets;
	print "\n";
}

# 15. The policy server (filter-helo -S) and -E, for the same verdicts.

# A request as Postfix 3.7 writes it at RCPT TO.
sub policy_request {
	my ($helo) = @_;
	return Filter::Policyd::request(request => 'smtpd_access_policy',
	    protocol_state => 'RCPT', protocol_name => 'ESMTP',
	    client_address => '192.0.2.10', client_name => 'unknown',
	    client_port => 40001, reverse_client_name => 'unknown',
	    server_address => '192.0.2.1', server_port => 25,
	    helo_name => $helo, sender => 'alice@other.test',
	    recipient => 'bob@regress.test', recipient_count => 0,
	    queue_id => '', instance => '3c1e.656f1b2a.a8f3b.0', size => 0,
	    etrn_domain => '', stress => '', sasl_method => '',
	    sasl_username => '', sasl_sender => '', ccert_subject => '',
	    ccert_issuer => '', ccert_fingerprint => '',
	    ccert_pubkey_fingerprint => '', encryption_protocol => '',
	    encryption_cipher => '', encryption_keysize => 0,
	    policy_context => '', compatibility_level => '3.6',
	    mail_version => '3.7.11');
}

# One run of the client: its summary as a hash, the answers as a
# string "N x TEXT; ...".
sub policy_run {
	my (@args) = @_;
	open(my $fh, '-|', $P{BENCH_POLICY_CLIENT}, @args) or
	    die "$P{BENCH_POLICY_CLIENT}: $!";
	my (%r, @answers);
	while (<$fh>) {
		chomp;
		if (/^answer\t(\d+)\t(.*)$/) {
			push @answers, "$1 x `$2`";
		} else {
			%r = map { split /=/, $_, 2 } split ' ';
		}
	}
	close $fh or die "$P{BENCH_POLICY_CLIENT} @args: failed ($?)\n";
	$r{answers} = join('; ', @answers);
	return \%r;
}

sub section_policy {
	my @conc = split ' ', $P{BENCH_POLICY_CONC};
	my $secs = $P{BENCH_POLICY_SECONDS};
	my $runs = $P{BENCH_POLICY_EXEC};
	die "drive.pl: no $P{BENCH_POLICY_CLIENT} (make "
	    . "regress/bench/policy-client)\n" unless -x $P{BENCH_POLICY_CLIENT};
	my $text = $BASE . "dns-timeout 8\n";
	my $conf = Filter::config($text);
	print "## 19. The policy server: a cached client, and -E\n\n";
	print "filter-helo -S with the default checks and the fixture as "
	    . "resolver, asked by\nregress/bench/policy-client over its unix "
	    . "socket: `conn`, a connection per\nrequest as Exim's "
	    . "\${readsocket} makes them (connect, the request, shut the\n"
	    . "write side, read to the end); `keep`, as Postfix, each of the "
	    . "connections\ncarrying its requests one after the other.  "
	    . "$secs s a run, closed loop.  The\nrequest is Postfix 3.7's, "
	    . "from 192.0.2.10 (no confirmed name); the server's\ncache holds "
	    . "its lookups (asked once before).  `-E`: filter-helo -E with "
	    . "the\nsame facts, forked and waited for by the client, as "
	    . "Exim's \${run}, $runs\nruns.  Latency: connect (or fork) to "
	    . "the answer's end, in ms.  CPU per\nrequest: the server's, or "
	    . "for -E the runs' own; the client's apart.\nqueries/request: "
	    . "what reached the fixture.\n\n";
	print "| verdict | via | in flight | requests | requests/s | p50 "
	    . "| p99 | max | CPU us/req | client CPU us/req | queries/req "
	    . "| answers |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:"
	    . "|---:|---|\n";
	my @cases = (
	    [ 'pass, lookups from the cache', 'good.regress.test' ],
	    [ 'reject (non-fqdn), no lookup', 'localhost' ],
	);
	for my $c (@cases) {
		my ($name, $helo) = @$c;
		my $s = Filter::Policyd->new($text);
		my $req = Filter::config(policy_request($helo));
		# The cache, filled.
		policy_run('-m', 'conn', '-s', $s->{sock}, '-r', $req,
		    '-n', 1);
		sleep 0.2;
		for my $via (qw(conn keep)) {
			for my $n (@conc) {
				fixture_queries();
				my $cpu0 = proc_cpu($s->{pid});
				my $r = policy_run('-m', $via, '-s', $s->{sock},
				    '-r', $req, '-c', $n, '-t', $secs);
				my $cpu = proc_cpu($s->{pid}) - $cpu0;
				policy_row($name, $via, $n, $r, $cpu,
				    fixture_queries());
			}
		}
		$s->finish;
		for my $n (1, $conc[-1]) {
			fixture_queries();
			my $r = policy_run('-m', 'exec', '-c', $n, '-n', $runs,
			    '-t', 3600, '--', $Filter::BIN, '-E', '-f', $conf,
			    "helo=$helo", 'client=192.0.2.10',
			    'server=192.0.2.1', 'rcpt=bob@regress.test',
			    'rcpt-domain=regress.test');
			policy_row($name, '-E', $n, $r, $r->{cpu_children},
			    fixture_queries());
		}
	}
	print "\n";
}

sub policy_row {
	my ($name, $via, $n, $r, $cpu, $queries) = @_;
	my $req = $r->{requests} || 1;
	printf "| %s | %s | %d | %d | %.0f | %.3f | %.3f | %.3f | %.1f | "
	    . "%.1f | %.2f | %s |\n", $name, $via, $n, $r->{requests},
	    $r->{rate}, $r->{p50}, $r->{p99}, $r->{max}, 1e6 * $cpu / $req,
	    1e6 * $r->{cpu} / $req, $queries / $req, $r->{answers};
}

sub loadavg {
	open(my $fh, '<', '/proc/loadavg') or return 'unknown';
	my @l = split ' ', <$fh>;
	return "@l[0 .. 2]";
}

sub main {
	my $t0 = time;
	printf "Load average at the start: %s.\n\n", loadavg();
	section_compare() if $ONLY{compare};
	section_open() if $ONLY{open};
	section_ratios();
	section_idle() if $ONLY{idle};
	section_exim() if $ONLY{exim};
	section_p99() if $ONLY{p99};
	section_flood() if $ONLY{flood};
	section_dead() if $ONLY{dead};
	section_hol() if $ONLY{hol};
	section_memory() if $ONLY{memory};
	section_bound() if $ONLY{bound};
	section_callgrind() if $ONLY{callgrind} && $P{BENCH_CALLGRIND};
	section_throughput() if $ONLY{throughput};
	section_dataline() if $ONLY{dataline};
	section_deadstream() if $ONLY{deadstream};
	section_verified() if $ONLY{verified};
	section_oneshot() if $ONLY{oneshot};
	section_targets();
	section_policy() if $ONLY{policy};
	section_rotation() if $ONLY{rotation};
	section_lists() if $ONLY{lists};
	section_spf() if $ONLY{spf};
	printf "Load average at the end: %s.\n", loadavg();
	printf "Benchmark time: %.0f s.\n", time - $t0;
}

main() unless caller;
1;
