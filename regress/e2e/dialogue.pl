#!/usr/bin/perl
# A minimal SMTP client for the end-to-end tests, for what swaks cannot
# say (a second HELO after a refusal):
#	dialogue.pl FROM SERVER PORT COMMAND ...
# connects from address FROM, prints the last line of the banner, then
# sends each COMMAND and prints the last line of its answer.  Gives up
# after 30 s.
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
	print $s "$c\r\n";
	print answer(), "\n";
}
