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

# Put the notice of LICENSE at the top of every source file that lacks
# it, in the file's own comments, after a #! line: C and headers, Perl,
# shell, the Makefile and the manual.  Not the OpenBSD port's Makefile
# nor debian/rules, which their trees keep bare (debian/copyright and
# the port's PERMIT lines say it for the packages).  With -n, only list
# the files that lack it, and exit 1 if any does (t_docs.sh).  Run from
# the top of the tree: the files are those git tracks, or every file
# when it is not a git clone.
use strict;
use warnings;

my $list_only = @ARGV && $ARGV[0] eq '-n';

open(my $lf, '<', 'LICENSE') or die "LICENSE: $!\n";
my @notice = map { s/\s+$//r } <$lf>;
close $lf;

# How each kind of file comments, and what separates the notice from
# what follows (a blank line in mdoc would be text).
my @styles = (
	[ qr/\.[ch]$/, sub { "/*\n" . join('', map { $_ eq '' ? " *\n" :
	    " * $_\n" } @_) . " */\n\n" } ],
	[ qr/\.[1-9]$/, sub { join('', map { $_ eq '' ? ".\\\"\n" :
	    ".\\\" $_\n" } @_) . ".\\\"\n" } ],
	[ qr/(\.(pl|pm|t|sh)|^Makefile|^\.ci\/run)$/, sub { join('',
	    map { $_ eq '' ? "#\n" : "# $_\n" } @_) . "\n" } ],
);

my @files = `git ls-files 2>/dev/null`;
@files = map { s{^\./}{}r } `find . -name .git -prune -o -type f -print`
    if $? != 0 || !@files;
chomp @files;

my $missing = 0;
for my $f (sort @files) {
	my ($style) = grep { $f =~ $_->[0] } @styles or next;
	open(my $fh, '<', $f) or die "$f: $!\n";
	my @lines = <$fh>;
	close $fh;
	my $head = join('', @lines[0 .. ($#lines < 30 ? $#lines : 30)]);
	next if index($head, $notice[0]) >= 0;
	$missing++;
	print "$f\n";
	next if $list_only;
	my $at = @lines && $lines[0] =~ /^#!/ ? 1 : 0;
	splice(@lines, $at, 0, $style->[1]->(@notice));
	open($fh, '>', $f) or die "$f: $!\n";
	print $fh @lines;
	close $fh or die "$f: $!\n";
}
exit($list_only && $missing ? 1 : 0);
