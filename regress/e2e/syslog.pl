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

# The syslogd of the end-to-end harness's Postfix (regress/e2e/postfix.sh):
# binds SOCKET, the /dev/log of Postfix's mount namespace, and appends
# every datagram to FILE, one a line, as it came ("<PRI>TIMESTAMP
# TAG[PID]: TEXT").  Postfix logs there, and so does a filter-helo -P
# that Postfix's spawn(8) runs, whose stderr is Postfix's socket.
#	syslog.pl SOCKET FILE
# FILE.ready appears once SOCKET is bound.
use strict;
use warnings;
use IO::Handle;
use Socket;

my ($path, $out) = @ARGV;
die "usage: syslog.pl SOCKET FILE\n" unless defined $out;
socket(my $s, AF_UNIX, SOCK_DGRAM, 0) or die "socket: $!\n";
unlink($path);
bind($s, pack_sockaddr_un($path)) or die "$path: $!\n";
# Postfix's daemons and the spawned filter log as other users.
chmod(0666, $path) or die "$path: $!\n";
open(my $fh, '>>', $out) or die "$out: $!\n";
$fh->autoflush(1);
open(my $r, '>', "$out.ready") or die "$out.ready: $!\n";
close($r);
while (defined(recv($s, my $d, 65536, 0))) {
	$d =~ s/\0?\n?\z//;
	print $fh "$d\n";
}
