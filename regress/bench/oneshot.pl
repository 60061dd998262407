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

# Wall time of short commands, run one at a time and in rotation, from
# a process small enough that its fork costs what an MTA's would:
# drive.pl holds the sessions of the sections before, and a fork of it
# took from 5 to over 100 ms.
#
#	oneshot.pl RUNS CMD [ARG ...] [-- CMD [ARG ...]] ...
#
# RUNS rounds, each running every command once, in order; one line per
# run: "CASE SECONDS STATUS", CASE counted from 0, STATUS the exit
# status (127: no exec).  Output of the commands goes to /dev/null.
use strict;
use warnings;
use POSIX ();
use Time::HiRes qw(time);

my $runs = shift // die "usage: oneshot.pl RUNS CMD [ARG ...] [-- CMD ...]\n";
my @cmds = ([]);
for (@ARGV) {
	if ($_ eq '--') {
		push @cmds, [];
	} else {
		push @{$cmds[-1]}, $_;
	}
}
die "oneshot.pl: an empty command\n" if grep { !@$_ } @cmds;
$| = 1;
for (1 .. $runs) {
	for my $i (0 .. $#cmds) {
		my $t0 = time;
		my $pid = fork // die "fork: $!";
		if ($pid == 0) {
			open(STDIN, '<', '/dev/null');
			open(STDOUT, '>', '/dev/null');
			open(STDERR, '>', '/dev/null');
			exec(@{$cmds[$i]}) or POSIX::_exit(127);
		}
		waitpid($pid, 0);
		printf "%d %.6f %d\n", $i, time - $t0, $? >> 8;
	}
}
