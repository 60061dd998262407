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

# The sessions of "make demo" (regress/demo.sh), against what
# "harness.sh up DIR" started: for each, the client, its HELO, the reply
# the MTA gave at the verdict, what was delivered, and the filter's log
# line.
#	demo.pl DIR 6.8|7.8|postfix FIRST
# 6.8: the sessions without STARTTLS; 7.8: those that need it (AUTH, a
# second EHLO); postfix: some of 6.8's through Postfix (MTA=postfix),
# with filter-helo -S and, on port 2525, -P.  FIRST numbers the first
# row.
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use E2E;

my ($dir, $which, $n) = @ARGV;
die "usage: demo.pl DIR 6.8|7.8|postfix FIRST\n"
    unless defined $n && $which =~ /^(?:6\.8|7\.8|postfix)$/;
my $h = E2E->attach($dir);

# [ story, swaks's options ] or [ story, { dialogue => [ EHLO names ],
# from, server } ]: EHLO the first name, STARTTLS, EHLO the second.
my %demo = ('6.8' => [
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
	[ 'a Gmail name from outside Google',
	  { from => '203.0.113.30', helo => 'mail-wr1-f54.google.com' } ],
	[ "a bounce its HELO's SPF fails (reported)",
	  { from => '192.0.2.10', helo => 'spf-fail.regress.test',
	    sender => '<>' } ],
	[ 'the same, null-sender reject (port 2529)',
	  { from => '192.0.2.10', helo => 'spf-fail.regress.test',
	    sender => '<>', port => 2529 } ],
], '7.8' => [
	[ 'authenticated (port 2587: STARTTLS, AUTH)',
	  { from => '192.0.2.10', helo => '192.0.2.10', port => 2587,
	    tls => 1, auth => 1 } ],
	[ 'a wrong password: not exempt, judged',
	  { from => '192.0.2.10', helo => '192.0.2.10', port => 2587,
	    tls => 1, auth_fail => 1, password => 'wrong' } ],
	[ 'IPv6, authenticated (port 2587)',
	  { from => '2001:db8::20', server => '2001:db8::1',
	    helo => 'DESKTOP-7H2K', port => 2587, tls => 1, auth => 1 } ],
	[ 'another name after STARTTLS (changed)',
	  { from => '192.0.2.10',
	    dialogue => [ 'good.regress.test', 'mail.regress.test' ] } ],
	[ 'the same name in other case after STARTTLS',
	  { from => '192.0.2.10',
	    dialogue => [ 'good.regress.test', 'GOOD.Regress.Test' ] } ],
	[ 'submission port 587 (no filter), AUTH',
	  { from => '192.0.2.10', helo => '192.0.2.10', port => 587,
	    tls => 1, auth => 1, user => $E2E::SYSUSER } ],
], 'postfix' => [
	[ 'a well-configured server',
	  { from => '192.0.2.10', helo => 'good.regress.test' } ],
	[ 'a bare IP address',
	  { from => '192.0.2.10', helo => '192.0.2.10' } ],
	[ 'our own IP address',
	  { from => '192.0.2.10', helo => '[192.0.2.1]' } ],
	[ 'our own name (local-name)',
	  { from => '192.0.2.10', helo => 'mx.regress.test' } ],
	[ "the recipient's domain",
	  { from => '192.0.2.12', helo => 'regress.test' } ],
	[ 'a name with no A, AAAA or MX',
	  { from => '192.0.2.10', helo => 'missing.regress.test' } ],
	[ "a literal not the client's (junk)",
	  { from => '192.0.2.10', helo => '[192.0.2.99]' } ],
	[ 'no dot, to postmaster (pass rcpt)',
	  { from => '192.0.2.10', helo => 'DESKTOP-7H2K',
	    to => 'postmaster@regress.test' } ],
	[ 'a bare IP address, spawn(8) and -P',
	  { from => '192.0.2.10', helo => '192.0.2.10', port => 2525 } ],
]);

# EHLO, STARTTLS, EHLO again, then a message: the answer to RCPT TO.
sub changed {
	my ($opt, $subject) = @_;
	my ($first, $second) = @{$opt->{dialogue}};
	my $d = $h->dialogue_at($opt->{from}, $opt->{server} // '192.0.2.1',
	    25, "EHLO $first", 'STARTTLS', "EHLO $second",
	    'MAIL FROM:<alice@sender.example>', 'RCPT TO:<bob@regress.test>',
	    'DATA', "Subject: $subject\n\ndemo", 'QUIT');
	my @r = @{$d->{replies}};
	my ($bad) = grep { /^[45]|^\(/ } @r;
	return { reply => $bad // $r[5] // '(no answer)', log => $d->{log},
	    subject => $subject };
}

my $fmt = "%2s  %-14s %-30s %s\n";
if ($which eq 'postfix') {
	open(my $fh, '<', "$dir/postfix.root") or die "$dir/postfix.root: $!";
	my ($v) = <$fh> =~ /postfix-(\d[\d.]*\d)/;
	print "\nThe same receiver in Postfix ", $v // '?',
	    " (Debian's package, unpacked) with\npostfix-main.cf.snippet:",
	    " its smtpd asks",
	    " filter-helo -S on port 25, and on port\n2525 a filter-helo -P",
	    " that spawn(8) starts (postfix-master.cf.snippet).  The\n",
	    "verdict comes at RCPT TO (smtpd_delay_reject), and Postfix",
	    " writes the\nrefusal around the filter's text.  -S: and -P:",
	    " tell which one logged.\n\n";
} elsif ($which eq '6.8') {
	print "\nThe receiver is mx.regress.test (192.0.2.1, 2001:db8::1)",
	    " running smtpd.conf.example\nin Debian's smtpd ",
	    $h->version, ": filter-helo with its defaults on port 25,",
	    " with profile\nstrict on port 2525, refusing bounces whose",
	    " HELO fails SPF on port 2529.\nThe verdict comes at",
	    " RCPT TO for bob\@regress.test.  Session ids are cut\nfrom",
	    " the log lines.\n\n";
} else {
	print "\nThe same in OpenSMTPD ", $h->version, ", whose STARTTLS",
	    " works with OpenSSL 3:\nAUTH (the filter on port 2587, none",
	    " on the submission port 587), and a\nsecond EHLO after",
	    " STARTTLS on port 25 from clients that first said\n",
	    "\"EHLO good.regress.test\" (the changed check).\n\n";
}
printf($fmt, '', 'CLIENT', 'HELO', ($which eq 'postfix' ? 'POSTFIX'
    : 'SMTPD') . ' ANSWERED / FILTER-HELO LOGGED');
my $k = 0;
for my $d (@{$demo{$which}}) {
	my ($story, $opt) = @$d;
	my $s = $opt->{dialogue}
	    ? changed($opt, sprintf('demo-%d changed', ++$k))
	    : $h->session(%$opt);
	my $answer = $s->{reply};
	if ($answer =~ /^2/) {
		my $m = $h->message($s->{subject});
		$answer .= !defined $m ? ' (not delivered!)'
		    : $m =~ /^X-Spam: Yes$/m ? ' -> delivered, X-Spam: Yes'
		    : $m =~ /^X-HELO-Check: /m ? ' -> delivered, X-HELO-Check'
		    : ' -> delivered';
	}
	# cut: smtpd's session ids, the policy server's request numbers
	my $log = join(' | ',
	    map { s/^([\w-]+: )(?:[0-9a-f]{16}|\d+\.\d+) /$1/r }
	    @{$s->{log}}) || '(nothing)';
	my $helo = $opt->{dialogue} ? $opt->{dialogue}[1] : $opt->{helo};
	printf($fmt, $n++, $opt->{from}, $helo, $answer);
	printf("%2s  %-45s %s\n", '', "  $story", $log);
}
print "\n";
