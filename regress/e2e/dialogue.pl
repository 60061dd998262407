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

# A minimal SMTP client for the end-to-end tests, for what swaks cannot
# say (a second HELO after a refusal, another EHLO after STARTTLS):
#	dialogue.pl FROM SERVER PORT COMMAND ...
# connects from address FROM, prints the last line of the banner, then
# sends each COMMAND and prints the last line of its answer.  After
# "STARTTLS" is answered 220, the rest goes over TLS (the server's
# certificate is not verified); a COMMAND that holds a line break is
# sent as is with "." after it (a message after DATA).  Gives up after
# 30 s.
use strict;
use warnings;
use IO::Socket::IP;

my ($from, $server, $port, @cmds) = @ARGV;
die "usage: dialogue.pl FROM SERVER PORT COMMAND ...\n"
    unless defined $port;
$SIG{ALRM} = sub { die "dialogue.pl: timeout\n" };
alarm 30;
$| = 1;

my $s = IO::Socket::IP->new(LocalHost => $from, PeerHost => $server,
    PeerPort => $port) or die "dialogue.pl: connect: $@\n";

sub answer {
	while (defined(my $line = <$s>)) {
		$line =~ s/\r?\n$//;
		return $line if $line =~ /^\d{3}(?: |$)/;
	}
	return '(connection closed)';
}

print answer(), "\n";
for my $c (@cmds) {
	if ($c =~ /\n/) {
		(my $m = $c) =~ s/\r?\n/\r\n/g;
		print $s "$m\r\n.\r\n";
	} else {
		print $s "$c\r\n";
	}
	my $a = answer();
	print $a, "\n";
	if ($c =~ /^STARTTLS$/i && $a =~ /^220 /) {
		require IO::Socket::SSL;
		IO::Socket::SSL->start_SSL($s, SSL_verify_mode => 0,
		    SSL_hostname => 'mx.regress.test')
		    or die "dialogue.pl: TLS: " . IO::Socket::SSL::errstr() . "\n";
	}
}
