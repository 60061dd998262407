#!/usr/bin/perl
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
