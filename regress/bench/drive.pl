#!/usr/bin/perl
# The benchmark of filter-helo: the real binary, driven over pipes as
# smtpd drives it (one process, every session multiplexed on its stdin
# and stdout), against the regress DNS fixture.  It measures and prints;
# it asserts nothing about timings.  regress/bench.sh runs it;
# regress/bench/RESULTS.md says how to read what it prints.
#
# Environment (defaults in brackets):
#   FILTER_HELO		the binary [./filter-helo]
#   BENCH_DNS_PORT	the fixture's port; with BENCH_DNS_DIR, a fixture
#   BENCH_DNS_DIR	started by the caller [start one here]
#   BENCH_ONLY		sections to run [throughput hol memory bound
#			callgrind]
#   BENCH_CONC		sessions in flight [1 10 100 1000]
#   BENCH_SECONDS	time limit of one throughput run [2]
#   BENCH_SESSIONS	session limit of one throughput run [20000]
#   BENCH_HOL_K		sessions waiting on dropped queries [100 1000]
#   BENCH_HOL_TIMEOUT	dns-timeout of the head-of-line runs [5]
#   BENCH_MEM_SESSIONS	sessions held open at once [1000 10000]
#   BENCH_CALLGRIND	1 to count instructions with valgrind [1]
#   BENCH_CALLGRIND_SESSIONS  sessions under callgrind [1000]
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Filter;
use Errno qw(EAGAIN EINTR EWOULDBLOCK);
use Fcntl qw(F_GETFL F_SETFL O_NONBLOCK);
use POSIX qw(:sys_wait_h ceil);
use Socket;
use Time::HiRes qw(time sleep);

my %ENVDEF = (
	BENCH_ONLY => 'throughput hol memory bound callgrind',
	BENCH_CONC => '1 10 100 1000',
	BENCH_SECONDS => 2,
	BENCH_SESSIONS => 20000,
	BENCH_HOL_K => '100 1000',
	BENCH_HOL_TIMEOUT => 5,
	BENCH_MEM_SESSIONS => '1000 10000',
	BENCH_CALLGRIND => 1,
	BENCH_CALLGRIND_SESSIONS => 1000,
);
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

my ($port, $dnsdir) = ($ENV{BENCH_DNS_PORT}, $ENV{BENCH_DNS_DIR});
($port, $dnsdir) = Filter::dns_fixture() unless defined $port;
die "drive.pl: no DNS fixture (is unbound installed?)\n"
    unless defined $port;
my $BASE = "resolver 127.0.0.1\@$port\n";
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
	my $log = "$path.log";
	pipe(my $in_r, my $in_w) or die "pipe: $!";
	pipe(my $out_r, my $out_w) or die "pipe: $!";
	my $pid = fork // die "fork: $!";
	if ($pid == 0) {
		open(STDIN, '<&', $in_r) or die;
		open(STDOUT, '>&', $out_w) or die;
		open(STDERR, '>', $log) or die;
		close($_) for $in_w, $out_r;
		exec(@pre, $Filter::BIN, '-f', $path) or POSIX::_exit(127);
	}
	close($_) for $in_r, $out_w;
	push @children, $pid;
	nonblock($_) for $in_w, $out_r;
	my $f = { pid => $pid, in => $in_w, out => $out_r, wbuf => '',
	    rbuf => '', sess => {}, log => $log, eof => 0 };
	handshake($f);
	return $f;
}

sub handshake {
	my ($f) = @_;
	my $ready = 0;
	$f->{other} = sub { $ready = 1 if $_[0] eq 'register|ready' };
	send_lines($f, 'config|smtpd-version|6.8.0p2',
	    'config|smtp-session-timeout|300', 'config|subsystem|smtp-in',
	    'config|admd|mx.regress.test', 'config|ready');
	pump($f, sub { $ready }, 60);
	die "drive.pl: no handshake from the filter\n" unless $ready;
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
			return $st;
		}
		sleep 0.02;
	}
	kill 'KILL', $f->{pid};
	waitpid($f->{pid}, 0);
	@children = grep { $_ != $f->{pid} } @children;
	return -1;
}

sub send_lines {
	my ($f, @l) = @_;
	$f->{wbuf} .= join("\n", @l) . "\n";
	flush($f);
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
		my $cap = $f->{later} && @{$f->{later}} ? 0.005 : 0.5;
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

# Queries the fixture logged since the last call.
my $qlog_at = 0;
sub fixture_queries {
	return 0 unless defined $dnsdir;
	open(my $fh, '<', "$dnsdir/unbound.log") or return 0;
	seek($fh, $qlog_at, 0);
	my $n = 0;
	while (<$fh>) {
		$n++ if / info: 127\.0\.0\.1 | info: ::1 /;
	}
	$qlog_at = tell($fh);
	return $n;
}

# ---------------------------------------------------------------------
# Sessions.  A session sends link-connect, link-greeting and an ehlo
# request; when the ehlo is answered, link-identify and a rcpt-to
# request; when that is answered (the verdict), link-disconnect.

my $next_sid = 0x1000;

sub ts { sprintf('%.6f', time) }

# Options: client, helo, hold (stop after the ehlo answer), rcpt_delay
# (seconds between the ehlo answer and the rcpt-to), done (callback).
sub session_start {
	my ($f, %o) = @_;
	my $sid = sprintf('5b32df56%08x', $next_sid++);
	my $s = { %o, sid => $sid, token => sprintf('ecf3d8c6%08x',
	    $next_sid), f => $f, cb => \&session_ehlo };
	$f->{sess}{$sid} = $s;
	my $t = ts();
	my $src = $o{client} =~ /:/ ? "[$o{client}]" : $o{client};
	$src .= ':' . (40000 + $next_sid % 20000);
	$s->{t_ehlo} = time;
	send_lines($f,
	    "report|0.6|$t|smtp-in|link-connect|$sid|<unknown>|fail|$src|$SRV",
	    "report|0.6|$t|smtp-in|link-greeting|$sid|mx.regress.test",
	    "filter|0.6|$t|smtp-in|ehlo|$sid|$s->{token}|$o{helo}");
	return $s;
}

sub session_rcpt {
	my ($s) = @_;
	my $t = ts();
	$s->{cb} = \&session_verdict;
	$s->{t_rcpt} = time;
	send_lines($s->{f},
	    "report|0.6|$t|smtp-in|link-identify|$s->{sid}|EHLO|$s->{helo}",
	    "filter|0.6|$t|smtp-in|rcpt-to|$s->{sid}|$s->{token}|"
	    . 'bob@regress.test');
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
	session_end($s);
	$s->{done}->($s) if $s->{done};
}

sub session_end {
	my ($s) = @_;
	send_lines($s->{f}, 'report|0.6|' . ts() . '|smtp-in|link-disconnect|'
	    . $s->{sid});
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
		my ($c, $h) = $mk->($started++);
		$inflight++;
		session_start($f, client => $c, helo => $h, done => sub {
			push @done, $_[0];
			$inflight--;
		});
	};
	my $ub = unbound_pid();
	my @cpu0 = (proc_cpu($f->{pid}), self_cpu(), $ub ? proc_cpu($ub) : 0);
	my $t0 = time;
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
	    self_cpu() - $cpu0[1], ($ub ? proc_cpu($ub) : 0) - $cpu0[2]);
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
	print "## 1. Throughput and verdict latency\n\n";
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
	print "## 2. Head of line\n\n";
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
	print "## 3. Memory\n\n";
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
	print "## 4. Bound under an unresponsive resolver\n\n";
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
		my $f = filter_start("resolver 127.0.0.1\@$bp\n"
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

sub section_callgrind {
	my $n = $P{BENCH_CALLGRIND_SESSIONS} < 20 ? 20 :
	    $P{BENCH_CALLGRIND_SESSIONS};
	print "## 5. Instructions (callgrind)\n\n";
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
		my $out = Filter::config('') . '.callgrind';
		my $f = filter_start($BASE . "dns-timeout 8\n" . $OFFLINE,
		    'valgrind', '--tool=callgrind', '--quiet',
		    '--separate-threads=yes', "--callgrind-out-file=$out");
		closed_loop($f, 1, $count, 600,
		    sub { ('192.0.2.10', '[192.0.2.10]') });
		filter_stop($f);
		my $c = callgrind_counts($out);
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

sub main {
	my $t0 = time;
	section_throughput() if $ONLY{throughput};
	section_hol() if $ONLY{hol};
	section_memory() if $ONLY{memory};
	section_bound() if $ONLY{bound};
	section_callgrind() if $ONLY{callgrind} && $P{BENCH_CALLGRIND};
	printf "Benchmark time: %.0f s.\n", time - $t0;
}

main() unless caller;
1;
