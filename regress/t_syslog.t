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

# The one-shot mode logs to syslog, and a syslogd that stops reading
# must not hold the verdict: Exim waits for ${run} while the client
# waits for Exim.  Each case runs the filter in mount and network
# namespaces of its own, with a tmpfs over /dev whose /dev/log is a
# socket of the test's: one that reads and keeps what it gets, or one
# that never reads, with the kernel's queue of datagrams at its least.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Filter;
use Test::More;
use Time::HiRes qw(time);

plan skip_all => 'needs root for namespaces' if $> != 0;
plan skip_all => 'unshare(1) cannot make namespaces here'
    if system('unshare -m -n true 2>/dev/null') != 0;
plan tests => 10;

my $bin = $Filter::BIN =~ m{^/} ? $Filter::BIN :
    "$FindBin::Bin/../$Filter::BIN";
my $dir = $Filter::TMP;
my $conf = Filter::config("check dns pass\ncheck dns-error pass\n"
    . "check rdns pass\ncheck rdns-match pass\ncheck forward pass\n"
    . "check cname pass\ncheck dynamic pass\n");

# The listener: binds /dev/log, says so, then reads (into DIR/got, one
# datagram a line) or does not read at all.
my $listener = <<'PL';
use Socket;
my ($mode, $out) = @ARGV;
socket(my $s, AF_UNIX, SOCK_DGRAM, 0) or die "socket: $!";
bind($s, pack_sockaddr_un('/dev/log')) or die "bind: $!";
chmod(0666, '/dev/log');
open(my $r, '>', "$out.ready") and close($r);
if ($mode eq 'read') {
	open(my $fh, '>>', $out) or die;
	$fh->autoflush(1);
	while (defined(recv($s, my $d, 8192, 0))) {
		$d =~ s/\0\z//;
		print $fh "$d\n";
	}
}
sleep 60;
PL
open(my $fh, '>', "$dir/listener.pl") or die;
print $fh $listener;
close $fh;

sub slurp {
	open(my $fh, '<', $_[0]) or return undef;
	local $/;
	return scalar <$fh>;
}

# Runs the filter in the namespaces; returns (status, stdout, seconds).
sub oneshot {
	my ($mode, @args) = @_;
	my $out = "$dir/got.$mode";
	unlink($out, "$out.ready");
	my $cmd = join(' ', map { "'$_'" } $bin, '-E', @args);
	my $script = <<SH;
set -e
ip link set lo up 2>/dev/null || true
[ $mode = stuck ] && sysctl -qw net.unix.max_dgram_qlen=0
mount -t tmpfs -o mode=755 none /dev
mknod -m 666 /dev/null c 1 3
perl $dir/listener.pl $mode $out &
lpid=\$!
i=0
while [ ! -e $out.ready ] && [ \$i -lt 100 ]; do sleep 0.05; i=\$((i + 1)); done
set +e
timeout 20 $cmd >$dir/stdout.$mode 2>$dir/stderr.$mode
echo \$? >$dir/status.$mode
kill \$lpid
SH
	my $t0 = time;
	system('unshare', '-m', '-n', 'sh', '-c', $script);
	my $took = time - $t0;
	my $st = slurp("$dir/status.$mode") // '';
	chomp $st;
	my $so = slurp("$dir/stdout.$mode") // '';
	chomp $so;
	return ($st, $so, $took, slurp($out) // '');
}

# A refusal with -v: a line for every check that ran, then the verdict.
my @many = ('-v', '-f', $conf, 'helo=a..b', 'client=192.0.2.10');

my ($st, $so, $took, $got) = oneshot('read', @many);
is($st, 1, 'syslog read: exit 1 (reject)');
is($so, '501 5.5.2 <a..b>: Helo command rejected: Invalid name',
    'syslog read: the reply');
my $stamp = qr/\w{3} [ \d]\d \d\d:\d\d:\d\d/;
like($got,
    qr/^<22>$stamp filter-helo\[\d+\]: ip=192\.0\.2\.10 .*verdict=reject/m,
    'syslog read: the verdict line, as syslog(3) would send it (mail.info)');
like($got, qr/^<23>\w{3} .* filter-helo\[\d+\]: check syntax /m,
    'syslog read: -v lines at mail.debug') or diag($got);

($st, $so, $took) = oneshot('stuck', @many);
is($st, 1, 'syslog not read: exit 1 (reject)');
is($so, '501 5.5.2 <a..b>: Helo command rejected: Invalid name',
    'syslog not read: the reply all the same');
ok($took < 5, "syslog not read: no wait for the log ($took s)");

# dry-run: accepted, and the verdict line says what would have been.
my $dry = Filter::config("check dns pass\ncheck dns-error pass\n"
    . "check rdns pass\ncheck rdns-match pass\ncheck forward pass\n"
    . "check cname pass\ncheck dynamic pass\ndry-run yes\n");
($st, $so, $took, $got) = oneshot('read', '-f', $dry, 'helo=a..b',
    'client=192.0.2.10');
is($st, 0, 'dry-run: exit 0');
is($so, 'accept', 'dry-run: "accept"');
like($got, qr/ verdict=reject checks=syntax( \S+)* would=reject$/m,
    'dry-run: the syslog line says would=reject');
