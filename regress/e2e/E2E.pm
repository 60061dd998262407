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

# The client side of the end-to-end harness (harness.sh): bring smtpd,
# filter-helo and the DNS fixture up in their namespaces and take them
# down again whatever happens, send SMTP sessions from a chosen client
# address, and tell what the client saw, what the filter logged and what
# was delivered.  Used by regress/t_e2e.t, regress/t_postfix_e2e.t and
# regress/e2e/demo.pl.  Either smtpd: Debian's 6.8 (the default) or the
# 7.8 that regress/smtpd78.sh builds (E2E->up(prefix => smtpd78()));
# or Postfix 3.7 from regress/postfix37.sh (E2E->up(mta => 'postfix')).
package E2E;

use strict;
use warnings;
use Cwd qw(abs_path);
use File::Basename qw(dirname);
use File::Temp qw(tempdir);
use Time::HiRes qw(sleep time);

my $HERE = dirname(abs_path(__FILE__));
our $HARNESS = "$HERE/harness.sh";
our $TOP = abs_path("$HERE/../..");

# The AUTH account of the listeners on ports 2587 and 2588 (harness.sh
# makes it), and the system account of the submission port 587, which
# exists only in smtpd's namespace.
our $USER = 'alice';
our $PASSWORD = 'e2e-password';
our $SYSUSER = 'carol';

my @owned;

sub have {
	my ($prog) = @_;
	return grep { -x "$_/$prog" }
	    split(/:/, $ENV{PATH} // ''), qw(/usr/sbin /sbin);
}

# Why the harness cannot run on this machine, or undef if it can; for
# MTA postfix (else smtpd), whatever regress/postfix37.sh fetches.
sub missing {
	my ($mta) = @_;
	$mta //= 'smtpd';
	return "needs root (network namespaces, $mta)" if $> != 0;
	my @progs = $mta eq 'postfix' ? qw(ip nsenter setsid swaks unbound)
	    : qw(ip smtpd smtpctl swaks unbound openssl);
	for my $p (@progs) {
		return "$p is not installed" unless have($p);
	}
	# swaks speaks IPv6 only with this one.
	return 'perl module IO::Socket::INET6 is not installed '
	    . '(Debian: libio-socket-inet6-perl)'
	    unless eval { require IO::Socket::INET6; 1 };
	my $probe = "fh-probe-$$";
	return '"ip netns" is not available'
	    if system("ip netns add $probe >/dev/null 2>&1") != 0;
	system("ip netns del $probe >/dev/null 2>&1");
	my $bin = $ENV{FILTER_HELO} // "$TOP/filter-helo";
	return "no filter binary $bin (run make)" unless -x $bin;
	return undef;
}

# OpenSMTPD 7.8.0p1 from regress/smtpd78.sh, built now unless it is in
# the cache (the first time takes a minute or two).  Returns (prefix) or
# (undef, why not, whether that is only a skip: the tarball is absent).
sub smtpd78 {
	my $p = `sh '$TOP/regress/smtpd78.sh' build`;
	my $rc = $? >> 8;
	chomp $p;
	return ($p) if $rc == 0 && $p ne '';
	return (undef, 'no OpenSMTPD 7.8.0p1 source (' . ($ENV{SMTPD78_TARBALL}
	    // "$TOP/../shared/vendor/opensmtpd-7.8.0p1.tar.gz")
	    . ' is absent)', 1) if $rc == 3;
	return (undef, 'regress/smtpd78.sh could not build OpenSMTPD 7.8.0p1',
	    0);
}

# Debian's Postfix 3.7, unpacked by regress/postfix37.sh unless it is
# in the cache.  Returns (root) or (undef, why not, whether that is only
# a skip: not root, no apt-get, no network).
sub postfix37 {
	my $r = `sh '$TOP/regress/postfix37.sh' fetch 2>&1`;
	my $rc = $? >> 8;
	my @l = split(/\n/, $r);
	return ($l[-1]) if $rc == 0 && @l && $l[-1] =~ m{^/};
	my $why = join(' ', map { s/^postfix37: //r } @l) || "exit $rc";
	return (undef, "no Postfix 3.7: $why", $rc == 3);
}

# Bring everything up in a new directory; it goes down at exit, also on
# SIGINT and SIGTERM.  Dies with the server's complaint if it cannot.
# Options: mta, 'postfix' for Postfix (root: postfix37's), else smtpd;
# prefix, that of a private smtpd build (else the system's); filter, a
# program that the MX's filter line runs where it is (an installed
# package's) instead of a copy of the built filter-helo.
sub up {
	my ($class, %o) = @_;
	my $dir = tempdir('filter-helo-e2e.XXXXXX', TMPDIR => 1,
	    CLEANUP => !$ENV{E2E_KEEP});
	my $self = $class->attach($dir);
	push @owned, $self;
	$SIG{INT} = $SIG{TERM} = sub { exit 1 };
	local $ENV{MTA} = $o{mta} // 'smtpd';
	local $ENV{POSTFIX_ROOT} = $o{root} // '';
	local $ENV{SMTPD_PREFIX} = $o{prefix} // '';
	local $ENV{FILTER_HELO_RUN} = $o{filter} // '';
	local $ENV{FILTER_HELO} = $o{filter} if defined $o{filter};
	# The harness's output is for humans: keep it off TAP's stdout.
	system("sh '$HARNESS' up '$dir' >&2") == 0
	    or die "harness.sh up failed\n";
	return $self;
}

# Use what harness.sh up made in DIR (the caller takes it down).
sub attach {
	my ($class, $dir) = @_;
	return bless { dir => $dir, n => 0 }, $class;
}

sub dir { $_[0]{dir} }

# smtpd or postfix, as harness.sh recorded it.
sub mta {
	my ($self) = @_;
	return $self->{mta} //= do {
		open(my $fh, '<', "$self->{dir}/harness.env") or return 'smtpd';
		my ($m) = map { /^mta=(\S+)$/ ? $1 : () } <$fh>;
		$m // 'smtpd';
	};
}

# With Postfix: filter-helo -S stopped (Postfix then applies its
# default_action), or started again.
sub policyd {
	my ($self, $what) = @_;
	return system('sh', $HARNESS, 'policyd', $self->{dir}, $what) == 0;
}

# The smtpd that runs, as harness.sh started it, and its version
# ("6.8.0p2", "7.8.0-portable").
sub smtpd {
	my ($self) = @_;
	open(my $fh, '<', "$self->{dir}/smtpd.path") or return 'smtpd';
	chomp(my $p = <$fh>);
	return $p;
}

sub version {
	my ($self) = @_;
	return $self->{version} //= do {
		my $smtpd = $self->smtpd;
		my ($v) = `'$smtpd' -h 2>&1` =~ /^version: OpenSMTPD (\S+)/m;
		$v // '?';
	};
}

sub down {
	my ($self) = @_;
	return if $self->{down}++;
	local $?;
	system("sh '$HARNESS' down '$self->{dir}' >&2");
}

END {
	$_->down for @owned;
}

# The processes that were in the namespaces and are still alive, after
# down: none, or it left something behind.  A zombie has exited; it
# only waits for its parent (init, for an orphan) to reap it.
sub leftovers {
	my ($self) = @_;
	open(my $fh, '<', "$self->{dir}/pids.seen") or return ('pids.seen?');
	my @pids = map { split } <$fh>;
	return grep { kill(0, $_) && !zombie($_) } @pids;
}

sub zombie {
	my ($pid) = @_;
	open(my $fh, '<', "/proc/$pid/stat") or return 1;
	my $stat = <$fh> // '';
	return $stat =~ /\) Z /;
}

# The namespace names harness.sh used.
sub namespaces {
	my ($self) = @_;
	open(my $fh, '<', "$self->{dir}/harness.env") or return ();
	return map { /^(?:srv|cli)=(\S+)$/ ? $1 : () } <$fh>;
}

# Run CMD in the client (or the server) namespace; returns its stdout
# and stderr.
sub client { my $self = shift; return $self->run_in('client', @_) }
sub server { my $self = shift; return $self->run_in('server', @_) }

sub run_in {
	my ($self, $side, @cmd) = @_;
	my $pid = open(my $fh, '-|');
	die "fork: $!" unless defined $pid;
	if ($pid == 0) {
		open(STDERR, '>&', \*STDOUT);
		exec('sh', $HARNESS, $side, $self->{dir}, @cmd);
		die "exec: $!";
	}
	my @out = <$fh>;
	close $fh;
	chomp @out;
	return @out;
}

# The lines file F has after offset OFF.
sub tail_lines {
	my ($f, $off) = @_;
	open(my $fh, '<', $f) or return ();
	seek($fh, $off, 0);
	my @l = <$fh>;
	chomp @l;
	return @l;
}

sub log_lines {
	my ($self, $from) = @_;
	return tail_lines("$self->{dir}/smtpd.log", $from);
}

# Where the logs end now, for session_log.
sub log_mark {
	my ($self) = @_;
	my $d = $self->{dir};
	return $self->mta eq 'postfix'
	    ? [ -s "$d/policyd.log" // 0, -s "$d/syslog" // 0 ]
	    : -s "$d/smtpd.log";
}

# smtpd's session id of the session from ADDR logged after offset FROM,
# and the filter's lines for it ("NAME: SID ..."), waiting a little for
# them: smtpd reads the filter's stderr apart from the session.  With
# Postfix, see postfix_log.
sub session_log {
	my ($self, $from, $addr) = @_;
	return $self->postfix_log($from, $addr) if $self->mta eq 'postfix';
	my ($sid, @flt, $gone);
	my $end = time + 2;
	while (time < $end) {
		my @l = $self->log_lines($from);
		($sid) = map { /^([0-9a-f]{16}) smtp connected address=\[?\Q$addr\E\]? /
		    ? $1 : () } @l unless defined $sid;
		if (defined $sid) {
			@flt = grep { /^[\w-]+: \Q$sid\E / } @l;
			$gone //= time
			    if grep { /^\Q$sid\E smtp disconnected/ } @l;
			# Sessions the filter never judged log nothing.
			last if $gone && (@flt || time > $gone + 0.5);
		}
		sleep 0.05;
	}
	return ($sid, @flt);
}

# With Postfix: no session id (undef), and the verdict lines logged for
# ADDR after the marks FROM, one for each request (each RCPT TO): "-S:
# REQ ip=..." from filter-helo -S, "-P: REQ ip=..." from a filter-helo
# -P that spawn(8) ran, as it logged to syslog.  The session is over
# when this is called, and its verdicts were logged with their answers,
# or once the lookups of checks set to report answered, which the
# fixture does within milliseconds; the daemon writes its log from its
# event loop, so this waits for the first line a little, and a moment
# for more.
sub postfix_log {
	my ($self, $from, $addr) = @_;
	my $d = $self->{dir};
	my $re = qr/^\S+ ip=\Q$addr\E /;
	my (@log, $seen);
	my $end = time + 1;
	while (time < $end) {
		@log = ((map { "-S: $_" } grep { $_ =~ $re }
		    tail_lines("$d/policyd.log", $from->[0])),
		    (map { my ($l) = /^<\d+>.{15} filter-helo\[\d+\]: (.*)$/;
		    defined $l && $l =~ $re ? "-P: $l" : () }
		    tail_lines("$d/syslog", $from->[1])));
		$seen //= time if @log;
		last if $seen && time > $seen + 0.1;
		sleep 0.05;
	}
	return (undef, @log);
}

# The reply line at the verdict: the first refusal (4xx or 5xx) after the
# banner, or else the last line of the answer to the command VERB, or
# else swaks's last complaint ("*** TLS startup failed ...").
# A refused AUTH is not the verdict (see auth_reply).
sub verdict_reply {
	my ($lines, $verb) = @_;
	my ($cmd, $answer, $complaint, $in_auth);
	for (@$lines) {
		if (/^\s*[-~*]+> (.*)$/) {
			$cmd = $1;
			$in_auth = 1 if $cmd =~ /^AUTH\b/i;
			$in_auth = 0 if $cmd =~ /^(?:MAIL|RCPT|DATA|QUIT|RSET)\b/i;
		} elsif (/^\*\*\* (.*)$/) {
			$complaint //= $1;
		} elsif (/^<[-~*][-~* ]\s*(\d{3})([ -])(.*)$/) {
			my ($code, $last, $text) = ($1, $2 eq ' ', $3);
			next unless defined $cmd;
			return "$code $text" if $code =~ /^[45]/ && !$in_auth;
			$answer = "$code $text" if $last && $cmd =~ /^$verb/i;
		}
	}
	return $answer // $complaint // '(no answer)';
}

# The last reply to AUTH and its continuation lines, or undef.
sub auth_reply {
	my ($lines) = @_;
	my ($in_auth, $answer);
	for (@$lines) {
		if (/^\s*[-~*]+> (.*)$/) {
			my $cmd = $1;
			$in_auth = 1 if $cmd =~ /^AUTH\b/i;
			$in_auth = 0 if $cmd =~ /^(?:MAIL|RCPT|DATA|QUIT|RSET)\b/i;
		} elsif ($in_auth && /^<[-~*][-~* ]\s*(\d{3}) (.*)$/) {
			$answer = "$1 $2";
		}
	}
	return $answer;
}

# One SMTP session with swaks from the client namespace.  Options:
#	from	the client's address (required)
#	helo	the HELO/EHLO name (required)
#	server	192.0.2.1 or 2001:db8::1; port 25
#	to	the recipient, bob@regress.test
#	sender	the envelope sender, alice@sender.example; '<>' a bounce
#	smtp	send HELO instead of EHLO
#	tls, auth	STARTTLS; AUTH LOGIN as $USER
#	user, password	another AUTH account or password
#	auth_fail	go on when AUTH fails (and expect it to)
#	verdict	the command whose answer is the verdict: RCPT TO
#	side	'server' to connect from the server's own namespace
# Returns a hash: lines (the transcript), reply (see verdict_reply),
# auth (the last reply to AUTH), sid, log (the filter's lines), subject
# (of the message, if sent).
sub session {
	my ($self, %o) = @_;
	my $subject = sprintf('e2e-%d %s', ++$self->{n}, $o{helo});
	my @cmd = ('swaks', '--server', $o{server} // '192.0.2.1',
	    '--port', $o{port} // 25, '--local-interface', $o{from},
	    '--helo', $o{helo},
	    '--from', $o{sender} // 'alice@sender.example',
	    '--to', $o{to} // 'bob@regress.test',
	    '--header', "Subject: $subject", '--timeout', 30);
	push @cmd, '--protocol', 'SMTP' if $o{smtp};
	push @cmd, '--tls' if $o{tls};
	push @cmd, $o{auth_fail} ? '--auth-optional' : '--auth', 'LOGIN',
	    '--auth-user', $o{user} // $USER,
	    '--auth-password', $o{password} // $PASSWORD
	    if $o{auth} || $o{auth_fail};
	my $off = $self->log_mark;
	my @lines = $self->run_in($o{side} // 'client', @cmd);
	my ($sid, @log) = $self->session_log($off, $o{from});
	return {
		lines	=> \@lines,
		reply	=> verdict_reply(\@lines, $o{verdict} // 'RCPT TO'),
		auth	=> auth_reply(\@lines),
		sid	=> $sid,
		log	=> \@log,
		subject	=> $subject,
	};
}

# Why a STARTTLS session cannot be shown here, or undef if it can.
# Debian 12's smtpd 6.8.0p2 fails every handshake with OpenSSL 3,
# whatever the key (OpenSMTPD issues 1171 and 1239): the client gets
# "tlsv1 alert internal error".
sub starttls_missing {
	my ($self) = @_;
	return 'swaks needs perl module Net::SSLeay for STARTTLS (Debian: '
	    . 'libnet-ssleay-perl)'
	    unless eval { require Net::SSLeay; 1 };
	return 'dialogue.pl needs perl module IO::Socket::SSL for STARTTLS '
	    . '(Debian: libio-socket-ssl-perl)'
	    unless eval { require IO::Socket::SSL; 1 };
	my @l = $self->client('swaks', '--server', '192.0.2.1', '--port',
	    2587, '--local-interface', '192.0.2.10', '--helo',
	    'good.regress.test', '--tls', '--quit-after', 'TLS',
	    '--timeout', 30);
	return undef if grep { /^=== TLS started/ } @l;
	return 'smtpd fails the STARTTLS handshake here (6.8.0p2 with '
	    . 'OpenSSL 3: OpenSMTPD issue 1171)';
}

# A hand-made dialogue, for what swaks cannot say (two HELOs in one
# session, another EHLO after STARTTLS): connect from FROM to
# 192.0.2.1:PORT, send each command, and return the last line of each
# answer, the banner first.  See dialogue.pl for STARTTLS and DATA.
sub dialogue {
	my ($self, $from, $port, @cmds) = @_;
	return $self->dialogue_at($from, '192.0.2.1', $port, @cmds);
}

# The same to SERVER (192.0.2.1 or 2001:db8::1).
sub dialogue_at {
	my ($self, $from, $server, $port, @cmds) = @_;
	my $off = $self->log_mark;
	my @replies = $self->client('perl', "$HERE/dialogue.pl", $from,
	    $server, $port, @cmds);
	my ($sid, @log) = $self->session_log($off, $from);
	return { replies => \@replies, sid => $sid, log => \@log };
}

# The delivered message with this subject (waiting for the delivery a
# little), or undef.  Postfix delivers to a maildir per recipient
# (maildir/bob/, maildir/postmaster/); MAILBOX chooses one, else any.
sub message {
	my ($self, $subject, $mailbox) = @_;
	my $end = time + 5;
	my $m = "$self->{dir}/maildir";
	my @dirs = defined $mailbox ? ("$m/$mailbox") : ($m, glob("$m/*"));
	while (time < $end) {
		for my $f (map { glob("$_/new/*"), glob("$_/cur/*") } @dirs) {
			open(my $fh, '<', $f) or next;
			local $/;
			my $m = <$fh>;
			return $m if $m =~ /^Subject: \Q$subject\E$/m;
		}
		sleep 0.1;
	}
	return undef;
}

1;
