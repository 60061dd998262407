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

# Drive the real filter-helo binary over pipes, as smtpd would: write
# protocol lines to its stdin, read its answers from stdout, keep its
# stderr (the log) in a file.  Used by the regress/*.t tests.
package Filter;

use strict;
use warnings;
use File::Temp qw(tempfile tempdir);
use IO::Handle;
use IO::Select;
use IPC::Open3;
use POSIX qw(:sys_wait_h);
use Symbol qw(gensym);
use Test::More ();
use Time::HiRes qw(time);

our $BIN = $ENV{FILTER_HELO} // './filter-helo';
our $TMP = tempdir('filter-helo.XXXXXX', TMPDIR => 1, CLEANUP => 1);

# The fixture's names are under .test (RFC 6761) and its addresses in
# the documentation ranges: in the world of these tests they are public,
# as a lab would declare them.  The tests of other checks start their
# configuration with this; t_special.t and t_private.t do not.  SPF of
# the HELO is off too: it has its own test (t_spf_helo.t, with the fixture's
# SPF records), and a name no zone answers for is a temperror, which
# the other checks' log lines need not say.
our $LAB = "check special-name pass\ncheck private pass\n"
    . "check spf-helo pass\n";

# The regress DNS fixture (regress/dns/dns.sh): started once per test
# file on ports of its own, stopped when the test ends, whatever
# happens.  Returns (port, directory, validator port): the authoritative
# server, and the validating resolver in front of it (DNSSEC as a site's
# resolver does it: AD on what validated, SERVFAIL for what is bogus).
my $dns_dir;

sub dns_fixture {
	return (undef, undef) unless system('command -v unbound >/dev/null 2>&1 '
	    . '|| test -x /usr/sbin/unbound') == 0;
	$dns_dir = tempdir('dns.XXXXXX', DIR => $TMP);
	my $sh = __FILE__ =~ s{lib/Filter\.pm$}{dns/dns.sh}r;
	for my $try (0 .. 9) {
		my $port = 20000 + ($$ * 7 + $try * 101) % 20000;
		return ($port, $dns_dir, $port + 1)
		    if system('sh', $sh, 'start', $dns_dir, $port) == 0;
	}
	return (undef, undef);
}

END {
	if (defined $dns_dir) {
		my $sh = __FILE__ =~ s{lib/Filter\.pm$}{dns/dns.sh}r;
		local $?;
		system('sh', $sh, 'stop', $dns_dir);
	}
}

# A filter built with sanitizers (make test SANITIZE=1) reports in its
# log and exits 86; a test may not look at either.  So every filter
# started is let finish here, and a report in any log fails the test
# file: this END block runs after Test::More's, which sets the status.
my @started;

END {
	my ($exit, $bad) = ($?, 0);
	for my $f (@started) {
		$f->finish unless $f->{reaped};
		my $log = $f->stderr;
		next unless $log =~ /^(==\d+==ERROR:\ \w+Sanitizer|
		    SUMMARY:\ \w+Sanitizer|\S+:\d+:\d+:\ runtime\ error:)/mx;
		print STDERR "# sanitizer report from $f->{bin}:\n",
		    $log =~ s/^/# /gmr;
		$bad = 1;
	}
	$? = $bad && !$exit ? 1 : $exit;
}

# How many queries for NAME and TYPE the fixture saw: the authoritative
# server, or with 'validator' the validating resolver.
sub dns_queries {
	my ($name, $type, $server) = @_;
	my $log = ($server // 'unbound') . '.log';
	open(my $fh, '<', "$dns_dir/$log") or return -1;
	my $n = grep { / \Q$name\E\.? \Q$type\E IN$/i } <$fh>;
	return $n;
}

# ADDR:PORT as smtpd writes a link-connect endpoint.
sub ipport {
	my ($ip, $port) = @_;
	$port //= 40000;
	return $ip =~ /:/ ? "[$ip]:$port" : "$ip:$port";
}

# A config file from text; returns its path.
sub config {
	my ($text) = @_;
	my ($fh, $path) = tempfile(DIR => $TMP, SUFFIX => '.conf');
	print $fh $text;
	close $fh;
	return $path;
}

# The one-shot mode of Exim's ${run}: -E with a configuration file and
# operands.  Returns the exit status and what it printed.
sub oneshot {
	my ($conf, @args) = @_;
	open(my $fh, '-|', $BIN, '-E', '-f', $conf, @args) or
	    die "$BIN: $!";
	local $/;
	my $out = <$fh> // '';
	close $fh;
	return ($? >> 8, $out);
}

# One row of a DNS check's table, over the protocol: a filter with
# configuration CONF, which names its dns-timeout, and one session from
# IP that says EHLO HELO and then, after pause seconds, RCPT TO rcpt
# (options, bob@regress.test by default).  Four results: EHLO proceeds
# (the verdict waits for RCPT TO); RCPT TO is answered WANT, within
# dns-timeout and a second whatever DNS does; the log matches LOG.
# Returns the log.
sub dns_case {
	my ($name, $conf, $ip, $helo, $want, $log, %o) = @_;
	my ($timeout) = $conf =~ /^dns-timeout (\d+)$/m or
	    die "dns_case $name: no dns-timeout in the configuration";
	local $Test::Builder::Level = $Test::Builder::Level + 1;
	my $f = Filter->new('-f', config($conf));
	$f->handshake('0.6');
	my $s = Filter::Session->new($f);
	$s->connect(ipport($ip), '192.0.2.1:25');
	my ($a, $got, $took) = $s->verdict($helo,
	    $o{rcpt} // 'bob@regress.test', pause => $o{pause},
	    timeout => $timeout + 3);
	Test::More::is($a, 'proceed',
	    "$name: EHLO proceeds before the verdict phase");
	Test::More::is($got, $want, "$name: answer");
	Test::More::ok($took < $timeout + 1,
	    "$name: answered within dns-timeout + 1 s") or
	    Test::More::diag("took $took s");
	$f->finish;
	my $stderr = $f->stderr;
	Test::More::like($stderr, $log, "$name: log");
	return $stderr;
}

# Start the filter with the given arguments.  A hash first holds
# options: stderr => 'pipe' gives its stderr a pipe that is read only
# by stderr() and read_stderr(), as smtpd does when it keeps up.
sub new {
	my ($class, @args) = @_;
	my %o = ref $args[0] eq 'HASH' ? %{ shift @args } : ();
	my $self = bless { buf => '', lines => [] }, $class;
	my $err;
	if (($o{stderr} // '') eq 'pipe') {
		pipe(my $r, $err) or die "pipe: $!";
		$r->blocking(0);
		$self->{errpipe} = $r;
		$self->{errtext} = '';
	} else {
		(undef, $self->{errfile}) = tempfile(DIR => $TMP,
		    SUFFIX => '.log');
		open($err, '>', $self->{errfile}) or
		    die "$self->{errfile}: $!";
	}
	my ($in, $out);
	$self->{pid} = open3($in, $out, '>&' . fileno($err), $BIN, @args);
	$self->{bin} = $BIN;
	push @started, $self;
	close $err;
	$in->autoflush(1);
	$self->{in} = $in;
	$self->{out} = $out;
	$self->{sel} = IO::Select->new($out);
	return $self;
}

sub send {
	my ($self, @lines) = @_;
	my $in = $self->{in};
	local $SIG{PIPE} = 'IGNORE';
	print $in map { "$_\n" } @lines;
}

# Raw bytes, no newline added.
sub send_raw {
	my ($self, $bytes) = @_;
	my $in = $self->{in};
	local $SIG{PIPE} = 'IGNORE';
	print $in $bytes;
}

sub _fill {
	my ($self, $timeout) = @_;
	return 0 unless $self->{sel}->can_read($timeout);
	my $n = sysread($self->{out}, my $chunk, 65536);
	return -1 unless $n;
	$self->{buf} .= $chunk;
	while ($self->{buf} =~ s/^([^\n]*)\n//) {
		push @{$self->{lines}}, $1;
	}
	return 1;
}

# The next line of output, or undef after $timeout seconds.
sub line {
	my ($self, $timeout) = @_;
	$timeout //= 5;
	my $end = time + $timeout;
	while (!@{$self->{lines}}) {
		my $left = $end - time;
		return undef if $left <= 0;
		return undef if $self->_fill($left) < 0;
	}
	return shift @{$self->{lines}};
}

# All lines that arrive within $timeout seconds of quiet.
sub drain {
	my ($self, $timeout) = @_;
	$timeout //= 0.3;
	my @l;
	while (defined(my $l = $self->line($timeout))) {
		push @l, $l;
	}
	return @l;
}

# Answer the handshake the way smtpd 6.8 (0.6) or 7.8 (0.7) does;
# returns the registration lines.
sub handshake {
	my ($self, $version) = @_;
	$version //= '0.6';
	my @cfg = ('config|smtpd-version|6.8.0p2');
	@cfg = ('config|smtpd-version|7.8.0-portable',
	    "config|protocol|$version") if $version eq '0.7';
	@cfg = ('config|smtpd-version|6.6.4') if $version eq '0.4';
	push @cfg, 'config|smtp-session-timeout|300',
	    'config|subsystem|smtp-in', 'config|admd|mx.regress.test',
	    'config|ready';
	$self->send(@cfg);
	my @reg;
	while (defined(my $l = $self->line(5))) {
		push @reg, $l;
		last if $l eq 'register|ready';
	}
	return @reg;
}

# Close stdin and wait; returns the exit status ($? form).
sub finish {
	my ($self, $timeout) = @_;
	$timeout //= 10;
	local $SIG{PIPE} = 'IGNORE';
	close $self->{in};
	my $end = time + $timeout;
	while (time < $end) {
		$self->_fill(0.1);
		my $r = waitpid($self->{pid}, WNOHANG);
		if ($r == $self->{pid}) {
			my $st = $?;
			$self->{reaped} = 1;
			1 while $self->_fill(0.05) > 0;
			return $st;
		}
	}
	kill 'KILL', $self->{pid};
	waitpid($self->{pid}, 0);
	$self->{reaped} = 1;
	return -1;
}

# Raw bytes from offset on, without blocking: stops once the filter
# has taken nothing for $stall seconds.  Returns the new offset.
sub write_some {
	my ($self, $bytes, $off, $stall) = @_;
	my $in = $self->{in};
	my $sel = IO::Select->new($in);
	local $SIG{PIPE} = 'IGNORE';
	$in->blocking(0);
	while ($off < length($bytes) && $sel->can_write($stall)) {
		my $n = syswrite($in, $bytes, 65536, $off);
		last if !defined $n && !$!{EAGAIN};
		$off += $n // 0;
	}
	$in->blocking(1);
	return $off;
}

# Resident memory of the filter in KiB, from Linux's /proc.
sub rss {
	my ($self) = @_;
	open(my $fh, '<', "/proc/$self->{pid}/status") or return undef;
	while (<$fh>) {
		return $1 if /^VmRSS:\s+(\d+) kB/;
	}
	return undef;
}

# Send a signal; wait for the exit without closing stdin.  Returns the
# exit status ($? form) or -1 if it is still running after $timeout.
sub kill_wait {
	my ($self, $sig, $timeout) = @_;
	kill $sig, $self->{pid};
	my $end = time + ($timeout // 10);
	while (time < $end) {
		$self->_fill(0.05);
		if (waitpid($self->{pid}, WNOHANG) == $self->{pid}) {
			my $st = $?;
			$self->{reaped} = 1;
			1 while $self->_fill(0.05) > 0;
			return $st;
		}
	}
	return -1;
}

# Read the stderr pipe until it stays quiet for $quiet seconds.
sub read_stderr {
	my ($self, $quiet) = @_;
	my $sel = IO::Select->new($self->{errpipe});
	while ($sel->can_read($quiet // 0.5)) {
		my $n = sysread($self->{errpipe}, my $chunk, 65536);
		last unless $n;
		$self->{errtext} .= $chunk;
	}
	return $self->{errtext};
}

sub stderr {
	my ($self) = @_;
	return $self->read_stderr(0.2) if $self->{errpipe};
	open(my $fh, '<', $self->{errfile}) or return '';
	local $/;
	return scalar <$fh>;
}

# The log once it matches $re, or as it is after $timeout seconds: a
# verdict line is written once the lookups its checks read have
# answered, which may be a moment after the answer.
sub stderr_until {
	my ($self, $re, $timeout) = @_;
	my $end = time + ($timeout // 5);
	my $text;
	while (($text = $self->stderr) !~ $re && time < $end) {
		select(undef, undef, undef, 0.05);
	}
	return $text;
}

# A line smtpd accepts from a filter; anything else would stop smtpd.
sub is_protocol {
	my ($l) = @_;
	return 1 if $l =~ /^register\|(report|filter)\|smtp-in\|[a-z-]+$/;
	return 1 if $l eq 'register|ready';
	return 1 if $l =~ /^filter-result\|[0-9a-f]{16}\|[0-9a-f]{16}\|(proceed|junk)$/;
	return 1 if $l =~ /^filter-result\|[0-9a-f]{16}\|[0-9a-f]{16}\|(reject|disconnect)\|[45]\d\d [\x20-\x7e]+$/;
	return 1 if $l =~ /^filter-dataline\|[0-9a-f]{16}\|[0-9a-f]{16}\|[^\n]*$/;
	return 0;
}

sub pending_lines {
	my ($self) = @_;
	return @{$self->{lines}};
}

# The policy server, filter-helo -S: started on a socket of its own
# with a configuration from text, logging to a file (-d).  As root it
# runs as nobody (-u), so its directory and configuration are readable
# to all, for SIGHUP to read again.  Ready once it listens.  A hash
# first holds options: fds => N starts it with a limit of N descriptors.
package Filter::Policyd;

use File::Temp qw(tempdir);
use IO::Socket::UNIX;
use POSIX qw(:sys_wait_h);
use Socket qw(SOCK_STREAM);
use Time::HiRes qw(time sleep);

sub new {
	my ($class, @args) = @_;
	my %o = ref $args[0] eq 'HASH' ? %{ shift @args } : ();
	my $conf = shift @args;
	my @limit = defined $o{fds} ? ('sh', '-c',
	    'ulimit -n "$1" && shift && exec "$@"', 'sh', $o{fds}) : ();
	my $dir = tempdir('policyd.XXXXXX', TMPDIR => 1, CLEANUP => 1);
	chmod(0755, $dir);
	my $self = bless { dir => $dir, sock => "$dir/policy.sock",
	    conf => "$dir/filter-helo.conf", errfile => "$dir/log",
	    bin => $Filter::BIN }, $class;
	$self->config($conf);
	my @user = $> == 0 ? ('-u', 'nobody') : ();
	my $pid = fork // die "fork: $!";
	if ($pid == 0) {
		open(STDIN, '<', '/dev/null') or POSIX::_exit(126);
		open(STDERR, '>', $self->{errfile}) or POSIX::_exit(126);
		exec(@limit, $Filter::BIN, '-S', $self->{sock}, '-d', @user,
		    '-f', $self->{conf}, @args) or POSIX::_exit(127);
	}
	$self->{pid} = $pid;
	push @started, $self;
	my $end = time + 10;
	until ($self->stderr =~ /connections at most/) {
		if (time > $end || waitpid($pid, WNOHANG) == $pid) {
			$self->{reaped} = 1;
			die "filter-helo -S did not start:\n" . $self->stderr;
		}
		sleep 0.02;
	}
	return $self;
}

# Replace the configuration (by rename, as an admin's editor would).
sub config {
	my ($self, $text) = @_;
	my $path = $self->{conf};
	open(my $fh, '>', "$path.new") or die "$path.new: $!";
	print $fh $text;
	close $fh;
	chmod(0644, "$path.new");
	rename("$path.new", $path) or die "rename $path: $!";
}

# A new connection, blocking, or undef with $! set.
sub connect {
	my ($self) = @_;
	return IO::Socket::UNIX->new(Type => SOCK_STREAM,
	    Peer => $self->{sock});
}

# A request from name => value pairs (in order), as Postfix writes it.
sub request {
	my (@attrs) = @_;
	my $text = '';
	while (my ($k, $v) = splice(@attrs, 0, 2)) {
		$text .= "$k=$v\n";
	}
	return "$text\n";
}

# The answer on a connection: its "action=..." line once the empty
# line after it has come, 'EOF' if the connection ended first (with
# nothing, or what came, after "EOF: "), undef after $timeout seconds.
# What came after an answer waits with the connection for the next.
sub answer {
	my ($c, $timeout) = @_;
	my $end = time + ($timeout // 10);
	my $buf = \${*$c}{filter_policyd_buf};
	$$buf //= '';
	my $sel = IO::Select->new($c);
	while (1) {
		if ($$buf =~ s/^(action=[^\n]*)\n\n//) {
			return $1;
		}
		my $left = $end - time;
		return undef if $left <= 0 || !$sel->can_read($left);
		my $n = sysread($c, $$buf, 65536, length $$buf);
		next if $n;
		my $rest = $$buf;
		$$buf = '';
		return $rest eq '' ? 'EOF' : "EOF: $rest";
	}
}

# One request on connection $c (a new one if undef); returns the answer.
sub ask {
	my ($self, $c, @attrs) = @_;
	$c //= $self->connect or die "connect $self->{sock}: $!";
	local $SIG{PIPE} = 'IGNORE';
	print $c request(@attrs);
	$c->flush;
	return answer($c);
}

# As Exim's ${readsocket}: a connection of its own, the request, the
# write side shut, then everything to the end.  Returns what came.
sub readsocket {
	my ($self, @attrs) = @_;
	my $c = $self->connect or die "connect $self->{sock}: $!";
	local $SIG{PIPE} = 'IGNORE';
	print $c request(@attrs);
	$c->flush;
	shutdown($c, 1);
	my $sel = IO::Select->new($c);
	my $all = '';
	while ($sel->can_read(10)) {
		last unless sysread($c, $all, 65536, length $all);
	}
	return $all;
}

sub stderr {
	my ($self) = @_;
	open(my $fh, '<', $self->{errfile}) or return '';
	local $/;
	return scalar <$fh>;
}

# Wait until the log matches $re (a new match: more than $before of
# them); returns the matches, or an empty list after $timeout seconds.
sub wait_log {
	my ($self, $re, $before, $timeout) = @_;
	my $end = time + ($timeout // 5);
	while (1) {
		my @m = $self->stderr =~ /$re/g;
		return @m if @m > ($before // 0);
		return () if time > $end;
		sleep 0.02;
	}
}

sub rss {
	my ($self) = @_;
	return Filter::rss($self);
}

sub signal {
	my ($self, $sig) = @_;
	kill $sig, $self->{pid};
}

# SIGTERM and wait; returns the exit status ($? form).
sub finish {
	my ($self, $timeout) = @_;
	return $self->{status} if $self->{reaped};
	kill 'TERM', $self->{pid};
	my $end = time + ($timeout // 10);
	while (time < $end) {
		if (waitpid($self->{pid}, WNOHANG) == $self->{pid}) {
			$self->{reaped} = 1;
			return $self->{status} = $?;
		}
		sleep 0.02;
	}
	kill 'KILL', $self->{pid};
	waitpid($self->{pid}, 0);
	$self->{reaped} = 1;
	return $self->{status} = -1;
}

# A session as smtpd numbers it.
package Filter::Session;

my $next_sid = 0x7bef000;

sub new {
	my ($class, $filter, %o) = @_;
	my $self = bless {
		f => $filter,
		v => $o{version} // '0.6',
		sid => sprintf('5b32df56%08x', $next_sid++),
		token => sprintf('ecf3d8c6%08x', $next_sid),
	}, $class;
	return $self;
}

sub sid { $_[0]{sid} }

sub ts { sprintf('%d.%06d', time, 0) }

sub report {
	my ($self, $event, @params) = @_;
	$self->{f}->send(join('|', 'report', $self->{v}, ts(), 'smtp-in',
	    $event, $self->{sid}, @params));
}

# Send a filter request; returns the answer line (or undef).
sub request {
	my ($self, $phase, $param, $timeout) = @_;
	$self->{f}->send(join('|', 'filter', $self->{v}, ts(), 'smtp-in',
	    $phase, $self->{sid}, $self->{token}, $param // ''));
	return $self->{f}->line($timeout // 5);
}

# The decision part of an answer to this session, checking the ids.
sub decision {
	my ($self, $answer) = @_;
	return undef unless defined $answer;
	my ($minor) = $self->{v} =~ /^0\.(\d+)/;
	my $ids = $minor < 5 ? "$self->{token}\\|$self->{sid}" :
	    "$self->{sid}\\|$self->{token}";
	return undef unless $answer =~ /^filter-result\|$ids\|(.*)$/;
	return $1;
}

# The usual session up to the verdict at RCPT TO, as smtpd reports it:
# greeting, EHLO (link-identify once smtpd took it), then RCPT TO after
# pause seconds (a client's round trips).  Returns the EHLO decision,
# the RCPT TO decision and the seconds the latter took.
sub verdict {
	my ($self, $helo, $rcpt, %o) = @_;
	$self->report('link-greeting', 'mx.regress.test');
	my $ehlo = $self->decision($self->request('ehlo', $helo));
	$self->report('link-identify', 'EHLO', $helo)
	    if ($ehlo // '') =~ /^(proceed|junk)$/;
	Time::HiRes::sleep($o{pause}) if $o{pause};
	my $t0 = Time::HiRes::time();
	my $answer = $self->decision($self->request('rcpt-to', $rcpt,
	    $o{timeout}));
	return ($ehlo, $answer, Time::HiRes::time() - $t0);
}

# Send a message as smtpd does, one data-line request a line (the last
# one "."), and read the answers up to the "." back.  Returns the lines
# the answers carry, in order; an answer that is not a filter-dataline
# with this session's ids in this version's order ends the list with
# "UNEXPECTED: " and the line.
sub data {
	my ($self, @lines) = @_;
	$self->{f}->send(map { join('|', 'filter', $self->{v}, ts(),
	    'smtp-in', 'data-line', $self->{sid}, $self->{token}, $_) }
	    @lines);
	my ($minor) = $self->{v} =~ /^0\.(\d+)/;
	my $ids = $minor < 5 ? "$self->{token}\\|$self->{sid}" :
	    "$self->{sid}\\|$self->{token}";
	my @got;
	while (defined(my $l = $self->{f}->line(5))) {
		return (@got, "UNEXPECTED: $l")
		    unless $l =~ /^filter-dataline\|$ids\|(.*)$/s;
		push @got, $1;
		last if $1 eq '.';
	}
	return @got;
}

sub connect {
	my ($self, $src, $dest, $rdns, $fcrdns) = @_;
	$self->report('link-connect', $rdns // '<unknown>', $fcrdns // 'fail',
	    $src, $dest);
}

# A resolver of the test's own on a UDP port of 127.0.0.1 that answers
# only when told: a lookup as slow as a test needs, and one that never
# answers.  An A query is told 10.1.2.3, a private address; any other
# type, no data.  Answers have a TTL of 60 s: a name is asked once.
package Filter::Resolver;

use IO::Select;
use IO::Socket::INET;
use Socket qw(inet_aton);
use Time::HiRes qw(time);

my %type_names = (1 => 'A', 12 => 'PTR', 15 => 'MX', 16 => 'TXT',
    28 => 'AAAA');

sub new {
	my ($class) = @_;
	my $sock = IO::Socket::INET->new(Proto => 'udp',
	    LocalAddr => '127.0.0.1', LocalPort => 0) or die "udp: $!";
	return bless { sock => $sock, held => [] }, $class;
}

sub port { $_[0]{sock}->sockport }

# The queries that came, waiting up to $timeout seconds for the first:
# "NAME TYPE" each, in the order they came, retries once.
sub take {
	my ($self, $timeout) = @_;
	my $sel = IO::Select->new($self->{sock});
	my $wait = $timeout // 0;
	while ($sel->can_read($wait)) {
		my $peer = $self->{sock}->recv(my $pkt, 65535) // last;
		my ($name, $type, $question) = question($pkt);
		push @{ $self->{held} }, { peer => $peer, pkt => $pkt,
		    name => $name, type => $type, q => $question };
		$wait = 0.05;
	}
	my %seen;
	return grep { !$seen{$_}++ } map { "$_->{name} " .
	    ($type_names{$_->{type}} // $_->{type}) } @{ $self->{held} };
}

# Answer the queries held for the names that match $re; how many.
sub answer {
	my ($self, $re) = @_;
	$self->take;
	my @keep;
	my $n = 0;
	for my $q (@{ $self->{held} }) {
		if ($q->{name} !~ $re) {
			push @keep, $q;
			next;
		}
		my ($id, $flags) = unpack('n n', $q->{pkt});
		my $an = $q->{type} == 1 ? pack('n n n N n a4', 0xc00c, 1, 1,
		    60, 4, inet_aton('10.1.2.3')) : '';
		# QR, AA, RA, and RD as asked; no error.
		$self->{sock}->send(pack('n6', $id, 0x8480 | ($flags & 0x0100),
		    1, $an ne '' ? 1 : 0, 0, 0) . $q->{q} . $an, 0, $q->{peer});
		$n++;
	}
	$self->{held} = \@keep;
	return $n;
}

# The name, type and question section of a query.
sub question {
	my ($pkt) = @_;
	my ($off, @labels) = (12);
	while ((my $len = ord(substr($pkt, $off, 1))) != 0) {
		push @labels, substr($pkt, $off + 1, $len);
		$off += $len + 1;
	}
	return (lc join('.', @labels), unpack('n', substr($pkt, $off + 1, 2)),
	    substr($pkt, 12, $off + 5 - 12));
}

1;
