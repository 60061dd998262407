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

# The Debian package, built as a user would: from the tarball of "make
# dist", unpacked outside the tree, with dpkg-buildpackage -us -uc -b.
# In a tree that is not a git clone (such as that tarball unpacked),
# where make dist cannot list the files, from a copy of the tree itself.
# lintian finds no error or warning; dpkg -i puts the program, manual
# and examples in place; smtpd -n accepts smtpd.conf.example pointed at
# /usr/libexec/opensmtpd/filter-helo; one session through a real smtpd
# (regress/e2e/harness.sh) runs that installed program and gets its
# refusal.  The policy server: the unit filter-helo-policyd.service is
# installed, neither enabled nor started, and postinst made its system
# user; the unit's own command, its socket moved into a directory of the
# test's that only root may enter (as Postfix's private/) and run with
# the unit's capabilities alone, makes the socket for its group, gives
# up root, answers two requests on one connection with a Perl client,
# reads its configuration again on SIGHUP as that user and exits 0 on
# SIGTERM.  dpkg -r and dpkg -P leave nothing behind.  Needs root (it
# installs the package), and skips if filter-helo is installed already:
# it would replace and purge it.  The system user is Debian's to keep on
# purge; the test removes it at the end if it made it.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/e2e";
use E2E;
use File::Temp qw(tempdir);
use IO::Socket::UNIX;
use POSIX qw(WNOHANG);
use Test::More;
use Time::HiRes qw(sleep);

my $TOP = $E2E::TOP;
my $BIN = '/usr/libexec/opensmtpd/filter-helo';
my $DOC = '/usr/share/doc/filter-helo';
my $UNIT = 'filter-helo-policyd.service';
my $UNITFILE = "/lib/systemd/system/$UNIT";
my $PDUSER = '_filter-helo';
my @FILES = ($BIN, '/usr/share/man/man8/filter-helo.8.gz',
    "$DOC/copyright", "$DOC/examples/smtpd.conf.example",
    "$DOC/examples/exim.conf.snippet",
    "$DOC/examples/filter-helo.conf.example", $UNITFILE);

sub have { return E2E::have($_[0]) }

plan skip_all => 'needs root (dpkg -i)' if $> != 0;
# The package is built with Debian's flags whatever SANITIZE says: the
# plain run has tried it already.
plan skip_all => 'the package does not depend on SANITIZE (tried in '
    . 'the plain run)' if $ENV{SANITIZE};
for my $p (qw(dpkg-buildpackage dh lintian smtpd openssl)) {
	plan skip_all => "$p is not installed" unless have($p);
}
plan skip_all => 'filter-helo is installed here; this test would '
    . 'replace and purge it'
    if `dpkg-query -W -f='\${Status}' filter-helo 2>/dev/null`
    =~ /installed/;

my ($v) = map { /^#define FILTER_HELO_VERSION\s+"(.*)"$/ ? $1 : () }
    do { open(my $fh, '<', "$TOP/filter/version.h") or die; <$fh> };
chomp(my $arch = `dpkg --print-architecture`);
my $tmp = tempdir('filter-helo-deb.XXXXXX', TMPDIR => 1, CLEANUP => 1);
chmod 0755, $tmp;

sub run_log {
	my ($log, @cmd) = @_;
	my $pid = fork // die "fork: $!";
	if ($pid == 0) {
		open(STDOUT, '>', $log) or die;
		open(STDERR, '>&', \*STDOUT) or die;
		exec(@cmd) or die "exec $cmd[0]: $!";
	}
	waitpid($pid, 0);
	return $? >> 8;
}

sub tail_diag {
	my ($log, $n) = @_;
	open(my $fh, '<', $log) or return;
	my @l = <$fh>;
	diag(join('', @l[($#l >= $n ? $#l - $n + 1 : 0) .. $#l]));
}

# Build outside the tree: dpkg-buildpackage writes into the parent
# directory.
my $rc;
my $src = "$tmp/src/filter-helo-$v";
mkdir "$tmp/src";
if (have('git') && system("git -C '$TOP' rev-parse --git-dir "
    . ">/dev/null 2>&1") == 0) {
	$rc = run_log("$tmp/dist.log", 'make', '-s', '-C', $TOP, 'dist',
	    "DISTDIR=$tmp");
	is($rc, 0, "make dist") or tail_diag("$tmp/dist.log", 10);
	system('tar', '-xzf', "$tmp/filter-helo-$v.tar.gz", '-C',
	    "$tmp/src");
} else {
	# Every file but objects, then what the tree's builds left, gone.
	mkdir $src;
	$rc = run_log("$tmp/dist.log", 'sh', '-c', "cd '$TOP' && "
	    . "find . -name .git -prune -o -type f ! -name '*.o' -print | "
	    . "tar -cf - -T - | tar -xf - -C '$src' && "
	    . "make -s -C '$src' clean");
	is($rc, 0, 'not a git clone: the tree copied, then make clean')
	    or tail_diag("$tmp/dist.log", 10);
}
{
	chdir $src or die "$src: $!";
	$rc = run_log("$tmp/build.log", 'dpkg-buildpackage', '-us', '-uc',
	    '-b');
	chdir '/';
}
my $deb = "$tmp/src/filter-helo_${v}_$arch.deb";
ok($rc == 0 && -f $deb, "dpkg-buildpackage -us -uc -b makes "
    . "filter-helo_${v}_$arch.deb") or tail_diag("$tmp/build.log", 25);
BAIL_OUT('no package') unless -f $deb;

my @lint = `lintian --fail-on error,warning '$tmp/src/filter-helo_${v}_$arch.changes' 2>&1`;
my $lrc = $? >> 8;
@lint = grep { !/^running with root privileges/ && !/^I: / } @lint;
ok($lrc == 0 && !@lint, 'lintian: no error or warning')
    or diag(join('', @lint));

# Installed, purged at the end whatever happens; the system user, if
# this test made it, removed too.
my $installed;
my $had_user = defined getpwnam($PDUSER);
my $policyd_pid;
END {
	if ($policyd_pid) {
		kill 'KILL', $policyd_pid;
		waitpid($policyd_pid, 0);
	}
	system('dpkg', '-P', 'filter-helo') if $installed;
	if (!$had_user && defined getpwnam($PDUSER)) {
		system("deluser --system --quiet '$PDUSER' >/dev/null 2>&1");
		system("delgroup --system --quiet '$PDUSER' >/dev/null 2>&1")
		    if defined getgrnam($PDUSER);
	}
}
$rc = run_log("$tmp/install.log", 'dpkg', '-i', $deb);
$installed = 1;
is($rc, 0, 'dpkg -i') or tail_diag("$tmp/install.log", 10);
my @absent = grep { !-f $_ } @FILES;
ok(!@absent && -x $BIN, 'program, manual, copyright, examples and unit '
    . 'in place') or diag("missing: @absent");
my @n = `'$BIN' -n -f '$DOC/examples/filter-helo.conf.example' 2>&1`;
is($? >> 8, 0, 'the installed program reads the example configuration')
    or diag(join('', @n));

policy_server();

# smtpd.conf.example as installed, pointed at the installed program and
# at a certificate of our own.
system("openssl req -x509 -newkey rsa:2048 -nodes -days 2 "
    . "-subj /CN=mx.example.org -keyout '$tmp/mx.key' -out '$tmp/mx.crt' "
    . ">/dev/null 2>&1");
chmod 0600, "$tmp/mx.key";
my $conf = do {
	open(my $fh, '<', "$DOC/examples/smtpd.conf.example") or die;
	local $/;
	<$fh>;
};
my $subs = 0;
$subs += $conf =~ s|"/usr/local/libexec/smtpd/filter-helo |"$BIN |;
$subs += $conf =~ s|"/etc/ssl/certs/mx\.example\.org\.crt"|"$tmp/mx.crt"|;
$subs += $conf =~ s|"/etc/ssl/private/mx\.example\.org\.key"|"$tmp/mx.key"|;
is($subs, 3, 'smtpd.conf.example: the filter path and the certificate '
    . 'replaced');
{
	open(my $fh, '>', "$tmp/smtpd.conf") or die;
	print $fh $conf;
}
my @out = `smtpd -n -f '$tmp/smtpd.conf' 2>&1`;
is($? >> 8, 0, "smtpd -n accepts the example with $BIN")
    or diag(join('', @out));

# One session through a real smtpd that runs the installed program.
SKIP: {
	my $why = do {
		local $ENV{FILTER_HELO} = $BIN;
		E2E::missing();
	};
	skip "end to end: $why", 3 if defined $why;
	my $h = E2E->up(filter => $BIN);
	my @pids = map { `ip netns pids $_` } $h->namespaces;
	chomp @pids;
	my @ours = grep { (readlink("/proc/$_/exe") // '') eq $BIN } @pids;
	ok(@ours >= 1, "smtpd runs $BIN");
	my $s = $h->session(from => '192.0.2.10', helo => '192.0.2.10');
	is($s->{reply}, '501 5.5.2 <192.0.2.10>: Helo command rejected: '
	    . 'use an address literal [192.0.2.10]',
	    'a bare IP address is refused by the installed filter');
	ok((grep { /^helo: filter-helo \Q$v\E starting$/ }
	    $h->log_lines(0)), "smtpd's log: \"helo: filter-helo $v starting\"");
	$h->down;
}

$rc = run_log("$tmp/remove.log", 'dpkg', '-r', 'filter-helo');
@absent = grep { -e $_ } (@FILES, "$DOC/examples");
ok($rc == 0 && !@absent, 'dpkg -r removes every file')
    or do { diag("left: @absent"); tail_diag("$tmp/remove.log", 10) };
$rc = run_log("$tmp/purge.log", 'dpkg', '-P', 'filter-helo');
$installed = 0;
my $status = `dpkg-query -W -f='\${Status}' filter-helo 2>/dev/null`;
ok($rc == 0 && $status !~ /installed|config-files/ && !-e $BIN && !-e $DOC,
    "dpkg -P purges it, nothing left under $BIN or $DOC")
    or do { diag("status: $status"); tail_diag("$tmp/purge.log", 10) };

done_testing();

# The processes running the installed program.
sub running_bin {
	return grep { (readlink("/proc/$_/exe") // '') eq $BIN }
	    map { m{^/proc/(\d+)$} ? $1 : () } glob('/proc/[0-9]*');
}

# The unit's settings, each key's values in order.
sub unit_settings {
	my %u;
	open(my $fh, '<', $UNITFILE) or return %u;
	while (<$fh>) {
		next if /^\s*[#;]/ || !/^(\w+)=(.*)$/;
		push @{$u{$1}}, $2;
	}
	return %u;
}

# The request Postfix sends from smtpd_helo_restrictions at RCPT TO.
sub pf_request {
	my (%a) = @_;
	my %req = (request => 'smtpd_access_policy', protocol_state => 'RCPT',
	    protocol_name => 'ESMTP', client_address => '192.0.2.10',
	    client_port => '40000', client_name => 'mail.example.org',
	    reverse_client_name => 'mail.example.org',
	    server_address => '192.0.2.1', helo_name => 'localhost',
	    sender => 'alice@example.org', recipient => 'bob@example.net',
	    sasl_username => '', %a);
	return join('', map { "$_=$req{$_}\n" } sort keys %req) . "\n";
}

sub read_answer {
	my ($s) = @_;
	my $answer = '';
	while (defined(my $l = <$s>)) {
		$answer .= $l;
		last if $l eq "\n";
	}
	return $answer;
}

sub wait_for {
	my ($what, $secs) = @_;
	for (1 .. $secs * 20) {
		return 1 if $what->();
		sleep 0.05;
	}
	return 0;
}

sub policy_server {
	my %u = unit_settings();
	ok(-f $UNITFILE && ($u{Type} // [''])->[0] eq 'simple' &&
	    ($u{ExecReload} // [''])->[0] =~ /kill -HUP \$MAINPID$/,
	    "$UNITFILE: Type=simple, ExecReload sends SIGHUP");
	my @wants = glob("/etc/systemd/system/*.wants/$UNIT");
	my $state = 'disabled';
	if (have('systemctl')) {
		chomp($state = `systemctl --root=/ is-enabled $UNIT 2>&1`);
	}
	ok(!@wants && $state eq 'disabled', "$UNIT is not enabled")
	    or diag("wanted by: @wants; systemctl is-enabled: $state");
	my @ours = running_bin();
	ok(!@ours, "$UNIT was not started") or diag("running: @ours");
	my @pw = getpwnam($PDUSER);
	ok(@pw && $pw[2] > 0 && $pw[2] < 1000 &&
	    (getgrgid($pw[3]) // '') eq $PDUSER && $pw[8] =~ m{/nologin$},
	    "postinst made the system user $PDUSER, group $PDUSER, no shell")
	    or diag('passwd: ' . join(':', map { $_ // '' } @pw));
	my @cmd = split(' ', ($u{ExecStart} // [''])->[0]);
	my %opt;
	for (my $i = 1; $i < $#cmd; $i++) {
		$opt{$cmd[$i]} = $cmd[$i + 1] if $cmd[$i] =~ /^-[Sugf]$/;
	}
	ok(@cmd && $cmd[0] eq $BIN &&
	    ($opt{-S} // '') eq '/var/spool/postfix/private/filter-helo' &&
	    ($opt{-u} // '') eq $PDUSER && ($opt{-g} // '') eq 'postfix',
	    "ExecStart: $BIN -S in Postfix's private/, -u $PDUSER, -g postfix")
	    or diag("ExecStart=@cmd");
	SKIP: {
		skip "no user $PDUSER to run the policy server as", 8
		    unless @pw && @cmd && $cmd[0] eq $BIN;
		run_policy_server(\@cmd, $u{CapabilityBoundingSet}, @pw);
	}
}

# The unit's command, its socket and group ours, logging to stderr (-d),
# with the unit's capabilities and no new privileges.
sub run_policy_server {
	my ($unitcmd, $caps, @pw) = @_;
	my $private = "$tmp/private";
	my $sock = "$private/filter-helo";
	my $conf = "$tmp/policyd.conf";
	my $log = "$tmp/policyd.log";
	mkdir $private, 0700 or die "$private: $!";
	chown 65534, 65534, $private;
	{
		open(my $fh, '>', $conf) or die "$conf: $!";
		print $fh "resolver 127.0.0.1\ndns-timeout 2\n";
	}
	chmod 0644, $conf;
	my %repl = ('-S' => $sock, '-g' => $PDUSER, '-f' => $conf);
	my @cmd = @$unitcmd;
	for my $i (1 .. $#cmd) {
		$cmd[$i] = $repl{$cmd[$i - 1]} if exists $repl{$cmd[$i - 1]};
	}
	push @cmd, '-d';
	my @wrap;
	if (defined $caps && have('setpriv')) {
		my $set = join(',', map { '+' . lc(s/^CAP_//r) }
		    split(' ', $caps->[0]));
		@wrap = ('setpriv', "--bounding-set=-all,$set",
		    '--no-new-privs', '--');
	} else {
		diag('without the unit\'s capability bounding set: ' .
		    (defined $caps ? 'no setpriv' : 'the unit has none'));
	}
	$policyd_pid = fork // die "fork: $!";
	if ($policyd_pid == 0) {
		open(STDIN, '<', '/dev/null') or die;
		open(STDOUT, '>', $log) or die;
		open(STDERR, '>&', \*STDOUT) or die;
		exec(@wrap, @cmd) or die "exec: $!";
	}
	my $up = wait_for(sub { -S $sock }, 10);
	ok($up, "@wrap @cmd: the socket is there") or tail_diag($log, 10);
	my @st = stat($sock);
	ok(@st && ($st[2] & 07777) == 0660 && $st[5] == $pw[3],
	    "the socket is mode 0660, group $PDUSER")
	    or diag(sprintf('mode %o gid %s', ($st[2] // 0) & 07777,
	    $st[5] // '?'));
	my %ids;
	ok(wait_for(sub {
		%ids = proc_ids($policyd_pid);
		return ($ids{Uid} // '') eq "@pw[2, 2, 2, 2]" &&
		    ($ids{Gid} // '') eq "@pw[3, 3, 3, 3]" &&
		    ($ids{Groups} // '') eq $pw[3];
	    }, 5), "it runs as $PDUSER, its group alone, root given up")
	    or diag(join('; ', map { "$_: $ids{$_}" } sort keys %ids));

	my $s = IO::Socket::UNIX->new(Peer => $sock, Type => SOCK_STREAM);
	my ($a1, $a2) = ('', '');
	if ($s) {
		$s->autoflush(1);
		print $s pf_request();
		$a1 = read_answer($s);
		print $s pf_request(sasl_username => 'alice',
		    helo_name => 'DESKTOP-7H2K');
		$a2 = read_answer($s);
		close $s;
	}
	is($a1, "action=504 5.5.2 need fully-qualified hostname\n\n",
	    'HELO localhost at RCPT: refused with the reply\'s text, '
	    . 'Postfix adds the context');
	is($a2, "action=DUNNO\n\n",
	    'the same connection, an authenticated client: DUNNO');
	ok(wait_for(sub { grep_log($log, qr/^1\.1\ ip=192\.0\.2\.10
	    \ rdns=mail\.example\.org\ helo=localhost\ verdict=reject
	    \ checks=non-fqdn[ ,]/x) }, 5),
	    'its log: "1.1 ip=192.0.2.10 rdns=mail.example.org helo=localhost '
	    . 'verdict=reject checks=non-fqdn..."') or tail_diag($log, 10);
	kill 'HUP', $policyd_pid;
	ok(wait_for(sub { grep_log($log, qr/^reload: \Q$conf\E: loaded$/) }, 5),
	    "SIGHUP: $PDUSER reads the configuration again")
	    or tail_diag($log, 10);
	kill 'TERM', $policyd_pid;
	my $gone = wait_for(sub { waitpid($policyd_pid, WNOHANG) ==
	    $policyd_pid }, 10);
	my $status = $?;
	ok($gone && $status == 0, 'SIGTERM: it exits 0')
	    or diag($gone ? "status $status" : 'still running');
	$policyd_pid = undef if $gone;
}

# Uid, Gid (real, effective, saved, fs) and Groups of a process.
sub proc_ids {
	my ($pid) = @_;
	my %i;
	open(my $fh, '<', "/proc/$pid/status") or return %i;
	while (<$fh>) {
		$i{$1} = join(' ', split(' ', $2))
		    if /^(Uid|Gid|Groups):(.*)$/;
	}
	return %i;
}

sub grep_log {
	my ($log, $re) = @_;
	open(my $fh, '<', $log) or return 0;
	return scalar grep { /$re/ } <$fh>;
}
