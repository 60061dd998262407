#!/usr/bin/perl
# The sessions of "make demo" (regress/demo.sh), against what
# "harness.sh up DIR" started: for each, the client, its HELO, the reply
# smtpd gave at the verdict, what was delivered, and the filter's log line.
#	demo.pl DIR
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use E2E;

my $dir = shift or die "usage: demo.pl DIR\n";
my $h = E2E->attach($dir);

my @demo = (
	[ 'a well-configured server',
	  { from => '192.0.2.10', helo => 'good.regress.test' } ],
	[ 'a bare IP address',
	  { from => '192.0.2.10', helo => '192.0.2.10' } ],
	[ 'our own IP address',
	  { from => '192.0.2.10', helo => '[192.0.2.1]' } ],
	[ 'our own name',
	  { from => '192.0.2.10', helo => 'mx.regress.test' } ],
	[ "the recipient's domain",
	  { from => '192.0.2.12', helo => 'regress.test' } ],
	[ 'a name with no A, AAAA or MX',
	  { from => '192.0.2.10', helo => 'missing.regress.test' } ],
	[ 'not its rDNS name (profile strict)',
	  { from => '203.0.113.30', helo => 'good.regress.test',
	    port => 2525 } ],
	[ 'an underscore',
	  { from => '192.0.2.10', helo => 'mail_1.regress.test' } ],
	[ 'a dynamic pool host (logged only)',
	  { from => '192.0.2.13', helo => '192-0-2-13.pool.regress.test' } ],
	[ "a literal not the client's (junk)",
	  { from => '192.0.2.10', helo => '[192.0.2.99]' } ],
	[ 'an IPv6 client',
	  { from => '2001:db8::20', server => '2001:db8::1',
	    helo => 'good6.regress.test' } ],
	[ "a partner's relay (pass client)",
	  { from => '198.51.100.20', helo => 'mail_1.regress.test' } ],
	[ 'an authenticated client (port 2587)',
	  { from => '192.0.2.10', helo => '192.0.2.10', port => 2587,
	    tls => 1, auth => 1 } ],
);

my $fmt = "%2s  %-14s %-30s %s\n";
print "\nThe receiver is mx.regress.test (192.0.2.1, 2001:db8::1) running",
    " smtpd.conf.example:\nfilter-helo with its defaults on port 25 (and",
    " on 2587, with AUTH), with profile\nstrict on port 2525.  The",
    " verdict comes at RCPT TO for bob\@regress.test.\nSession ids are",
    " cut from the log lines.\n\n";
printf($fmt, '', 'CLIENT', 'HELO', 'SMTPD ANSWERED / FILTER-HELO LOGGED');
my ($n, $tls_failed) = (0, 0);
for my $d (@demo) {
	my ($story, $opt) = @$d;
	my $s = $h->session(%$opt);
	my $answer = $s->{reply};
	if ($answer =~ /^2/) {
		my $m = $h->message($s->{subject});
		$answer .= !defined $m ? ' (not delivered!)'
		    : $m =~ /^X-Spam: Yes$/m ? ' -> delivered, X-Spam: Yes'
		    : ' -> delivered';
	}
	$tls_failed = 1 if $answer =~ /TLS startup failed|^\(no answer\)/
	    && $opt->{tls};
	my $log = join(' | ', map { s/^([\w-]+: )[0-9a-f]{16} /$1/r }
	    @{$s->{log}}) || '(nothing)';
	printf($fmt, ++$n, $opt->{from}, $opt->{helo}, $answer);
	printf("%2s  %-45s %s\n", '', "  $story", $log);
}
print "\nWithout STARTTLS there is no AUTH, so the exemption of",
    " authenticated clients\ncannot be shown: ",
    $h->starttls_missing // 'see above', ".\n" if $tls_failed;
print "\n";
