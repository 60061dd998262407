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
# refusal; dpkg -r and dpkg -P leave nothing behind.  Needs root (it
# installs the package), and skips if filter-helo is installed already:
# it would replace and purge it.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/e2e";
use E2E;
use File::Temp qw(tempdir);
use Test::More;

my $TOP = $E2E::TOP;
my $BIN = '/usr/libexec/opensmtpd/filter-helo';
my $DOC = '/usr/share/doc/filter-helo';
my @FILES = ($BIN, '/usr/share/man/man8/filter-helo.8.gz',
    "$DOC/copyright", "$DOC/examples/smtpd.conf.example",
    "$DOC/examples/exim.conf.snippet",
    "$DOC/examples/filter-helo.conf.example");

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

# Installed, purged at the end whatever happens.
my $installed;
END {
	system('dpkg', '-P', 'filter-helo') if $installed;
}
$rc = run_log("$tmp/install.log", 'dpkg', '-i', $deb);
$installed = 1;
is($rc, 0, 'dpkg -i') or tail_diag("$tmp/install.log", 10);
my @absent = grep { !-f $_ } @FILES;
ok(!@absent && -x $BIN, 'program, manual, copyright and examples in place')
    or diag("missing: @absent");
my @n = `'$BIN' -n -f '$DOC/examples/filter-helo.conf.example' 2>&1`;
is($? >> 8, 0, 'the installed program reads the example configuration')
    or diag(join('', @n));

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
