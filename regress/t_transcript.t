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

# Replay what real smtpd 6.8 (0.6) and 7.8 (0.7) sent to a filter,
# captured line by line, and check that the filter answers each request
# exactly once, with the ids in the order of the line's version, and
# writes nothing but protocol lines.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Filter;
use Test::More;

my @files = sort glob("$FindBin::Bin/transcripts/*.log");
my ($port) = Filter::dns_fixture();
plan skip_all => 'unbound not installed' unless defined $port;
my $conf = Filter::config($Filter::LAB . "resolver 127.0.0.1\@$port\n");
plan tests => 5 * @files + 2;

# The filter only gets requests for the phases it registered; the
# captures were made by a filter that registered them all.
my %phases;

for my $file (@files) {
	my $name = $file =~ s{.*/}{}r;
	open(my $fh, '<', $file) or die "$file: $!";
	my @in = map { s/^<< //r } grep { /^<< / } map { chomp; $_ } <$fh>;
	close $fh;

	my $f = Filter->new('-f', $conf);
	my @config = grep { /^config\|/ } @in;
	$f->send(@config);
	my @reg;
	while (defined(my $l = $f->line(5))) {
		push @reg, $l;
		last if $l eq 'register|ready';
	}
	%phases = map { (split /\|/)[3] => 1 }
	    grep { /^register\|filter\|/ } @reg;
	is($reg[-1], 'register|ready', "$name: handshake ends with ready");

	my @want;
	for my $l (grep { !/^config\|/ } @in) {
		my @f = split /\|/, $l, 8;
		if ($f[0] eq 'filter') {
			next unless $phases{$f[4]};
			my ($minor) = $f[1] =~ /^0\.(\d+)$/;
			push @want, $minor < 5 ? "$f[6]|$f[5]" : "$f[5]|$f[6]";
		}
		$f->send($l);
	}
	my @out = $f->drain(0.5);
	my $status = $f->finish;
	push @out, $f->pending_lines;

	is($status, 0, "$name: exit 0 at end of input");
	is(scalar(@out), scalar(@want), "$name: one answer per request");
	my @ids = map { join('|', (split /\|/)[1, 2]) } @out;
	is_deeply(\@ids, \@want, "$name: ids in request order, per version");
	my @bad = grep { !Filter::is_protocol($_) } @reg, @out;
	is_deeply(\@bad, [], "$name: only protocol lines on stdout");
}

# The 0.4 order, built from the 6.6 format strings.
{
	my $f = Filter->new('-f', $conf);
	$f->send('config|smtpd-version|6.6.4', 'config|smtp-session-timeout|300',
	    'config|ready');
	$f->drain(0.3);
	$f->send('report|0.4|1.0|smtp-in|link-connect|00000000000000aa|'
	    . 'mail.example|pass|192.0.2.10:1234|192.0.2.1:25',
	    'filter|0.4|1.0|smtp-in|helo|00000000000000aa|00000000000000bb|'
	    . 'good.regress.test');
	is($f->line(5), 'filter-result|00000000000000bb|00000000000000aa|proceed',
	    '0.4: TOKEN|SID');
	$f->send('report|0.4|1.0|smtp-in|tx-rcpt|00000000000000aa|'
	    . '0000abcd|b|o|b@x.example|ok',
	    'filter|0.4|1.0|smtp-in|rcpt-to|00000000000000aa|00000000000000cc|'
	    . 'bob@regress.test');
	is($f->line(5), 'filter-result|00000000000000cc|00000000000000aa|proceed',
	    '0.4: rcpt-to answered TOKEN|SID');
	$f->finish;
}
