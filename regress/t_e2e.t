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

# End to end: a real smtpd(8) runs smtpd.conf.example with the built
# filter-helo, in network namespaces of its own, asking the regress DNS
# fixture (regress/e2e/harness.sh); swaks and dialogue.pl connect from
# the client addresses of regress/dns/regress.test.zone.  Each session
# asserts what the client sees at the verdict, what the filter logs and,
# for mail that gets through, what is delivered.  Needs root; skips
# otherwise.
#
# Everything runs twice: against Debian 12's smtpd 6.8.0p2 (filter
# protocol 0.6), then against OpenSMTPD 7.8.0p1 (protocol 0.7) built by
# regress/smtpd78.sh; without its tarball the second run is skipped.
# STARTTLS works only with 7.8 (6.8.0p2 fails every handshake with
# OpenSSL 3), so only 7.8 shows AUTH, the exemption of authenticated
# clients and the changed check across STARTTLS; on 6.8 those are
# skipped, saying why.
#
# The listeners (smtpd.conf.example plus regress/e2e/smtpd-test.conf.in):
#	25	the MX, filter-helo with its defaults (IPv4 and IPv6)
#	587	the example's submission port: TLS and AUTH against system
#		accounts (carol, in smtpd's namespace only), no filter
#	2587	the MX's filter on a listener with AUTH (exemption)
#	2588	the same, with the filter's protocol recorded (tap.sh)
#	2525	filter-helo with profile strict (IPv4 and IPv6)
#	2526	verdict-phase helo, resolver from /etc/resolv.conf
#	2527	the MX's filter with add-header yes
#	2529	check spf-helo reject, spf-helo null-sender
# E2E_KEEP=1 keeps the runs' directories (smtpd.log, smtpd.conf, maildir).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/e2e";
use E2E;
use Test::More;

my $why = E2E::missing();
plan skip_all => $why if defined $why;

my $OK = '250 2.1.5 Destination address valid: Recipient ok';
my $HR = 'Helo command rejected';
my $V6 = '2001:db8::1';

# Each session: what it shows, swaks's options, the reply the client
# gets at the verdict, what the filter logs for it (a pattern, or undef:
# nothing), and whether the message is delivered: 'clean' (without
# X-Spam), 'junk' (with X-Spam: Yes) or undef (not sent).
my @sessions = (
	# The MX, filter-helo's defaults, verdict at RCPT TO.
	[ 'MX: a well-configured server is accepted',
	  { from => '192.0.2.10', helo => 'good.regress.test' },
	  $OK, qr/ ip=192\.0\.2\.10 rdns=good\.regress\.test helo=good\.regress\.test verdict=pass checks=-$/,
	  'clean' ],
	[ 'MX: a bare IP address',
	  { from => '192.0.2.10', helo => '192.0.2.10' },
	  "501 5.5.2 <192.0.2.10>: $HR: use an address literal [192.0.2.10]",
	  qr/ helo=192\.0\.2\.10 verdict=reject checks=bare-ip$/ ],
	[ 'MX: our own address',
	  { from => '192.0.2.10', helo => '[192.0.2.1]' },
	  "550 5.7.1 <[192.0.2.1]>: $HR: you are not me",
	  qr/ verdict=reject checks=self,literal/ ],
	[ 'MX: our own name',
	  { from => '192.0.2.10', helo => 'mx.regress.test' },
	  "550 5.7.1 <mx.regress.test>: $HR: you are not me",
	  qr/ verdict=reject checks=self\b/ ],
	[ "MX: the recipient's domain from a host without rDNS",
	  { from => '192.0.2.12', helo => 'regress.test' },
	  "550 5.7.1 <regress.test>: $HR: you are not regress.test",
	  qr/ verdict=reject checks=rcpt-domain\b/ ],
	[ "MX: the recipient's domain from a host inside it",
	  { from => '192.0.2.10', helo => 'regress.test' },
	  $OK, qr/ helo=regress\.test verdict=report checks=forward$/, 'clean' ],
	[ 'MX: an underscore',
	  { from => '192.0.2.10', helo => 'mail_1.regress.test' },
	  "501 5.5.2 <mail_1.regress.test>: $HR: Invalid name (underscore)",
	  qr/ verdict=reject checks=underscore\b/ ],
	[ 'MX: a name without a dot',
	  { from => '192.0.2.10', helo => 'DESKTOP-7H2K' },
	  "504 5.5.2 <DESKTOP-7H2K>: $HR: need fully-qualified hostname",
	  qr/ verdict=reject checks=non-fqdn\b/ ],
	[ 'MX: a name with no A, AAAA or MX',
	  { from => '192.0.2.10', helo => 'missing.regress.test' },
	  "450 4.7.1 <missing.regress.test>: $HR: Host not found",
	  qr/ verdict=tempfail checks=dns\b/ ],
	[ 'MX: DNS failure defers, never refuses',
	  { from => '192.0.2.10', helo => 'x.servfail.test' },
	  "451 4.4.3 <x.servfail.test>: $HR: temporary DNS failure, try again later",
	  qr/ verdict=tempfail checks=dns-error\b/ ],
	[ "MX: a literal that is not the client's address is junk",
	  { from => '192.0.2.10', helo => '[192.0.2.99]' },
	  $OK, qr/ helo=\[192\.0\.2\.99\] verdict=junk checks=literal$/,
	  'junk' ],
	[ "MX: the client's own address literal",
	  { from => '192.0.2.10', helo => '[192.0.2.10]' },
	  $OK, qr/ helo=\[192\.0\.2\.10\] verdict=pass checks=-$/, 'clean' ],
	[ 'MX: a dynamic pool host is only logged',
	  { from => '192.0.2.13', helo => '192-0-2-13.pool.regress.test' },
	  $OK, qr/ verdict=report checks=.*\bdynamic\b/, 'clean' ],
	[ 'MX: no rDNS and a name that is not the client is only logged',
	  { from => '192.0.2.12', helo => 'good.regress.test' },
	  $OK, qr/ verdict=report checks=(?=.*\brdns\b)(?=.*\bforward\b)/,
	  'clean' ],
	[ 'MX: a CNAME is only logged',
	  { from => '192.0.2.10', helo => 'alias.regress.test' },
	  $OK, qr/ verdict=report checks=cname$/, 'clean' ],
	[ 'MX: another host of the same domain as the rDNS passes rdns-match',
	  { from => '203.0.113.30', helo => 'good.regress.test' },
	  $OK, qr/ verdict=report checks=forward$/, 'clean' ],
	[ 'MX: IPv6, a well-configured server',
	  { from => '2001:db8::20', server => $V6,
	    helo => 'good6.regress.test' },
	  $OK, qr/ ip=2001:db8::20 rdns=good6\.regress\.test helo=good6\.regress\.test verdict=pass checks=-$/,
	  'clean' ],
	[ "MX: IPv6, the client's own address literal",
	  { from => '2001:db8::20', server => $V6,
	    helo => '[IPv6:2001:db8::20]' },
	  $OK, qr/ verdict=pass checks=-$/, 'clean' ],
	[ 'MX: IPv6, our own address literal',
	  { from => '2001:db8::20', server => $V6,
	    helo => '[IPv6:2001:db8::1]' },
	  "550 5.7.1 <[IPv6:2001:db8::1]>: $HR: you are not me",
	  qr/ verdict=reject checks=self\b/ ],
	# smtpd refuses a bare IPv6 address itself: the filter never sees it.
	[ 'MX: IPv6, a bare address (refused by smtpd)',
	  { from => '2001:db8::20', server => $V6, helo => '2001:db8::20' },
	  '501 5.5.4 Invalid command arguments: Invalid domain name', undef ],

	# SPF of the HELO: spf-fail.regress.test's record allows only
	# 192.0.2.61.  A bounce from another host is refused where
	# bounces are judged, and only reported by default.
	[ 'spf-helo null-sender: a bounce from a host the HELO disowns',
	  { from => '192.0.2.10', helo => 'spf-fail.regress.test',
	    sender => '<>', port => 2529 },
	  "550 5.7.23 <spf-fail.regress.test>: $HR: 192.0.2.10 is not one "
	  . "of spf-fail.regress.test's hosts",
	  qr/ helo=spf-fail\.regress\.test verdict=reject checks=spf-helo,forward spf-helo=fail$/ ],
	[ 'spf-helo null-sender: the same host with a sender is accepted',
	  { from => '192.0.2.10', helo => 'spf-fail.regress.test',
	    port => 2529 },
	  $OK, qr/ verdict=report checks=forward spf-helo=fail$/, 'clean' ],
	[ 'spf-helo by default: the bounce is accepted, the result logged',
	  { from => '192.0.2.10', helo => 'spf-fail.regress.test',
	    sender => '<>' },
	  $OK, qr/ verdict=report checks=spf-helo,forward spf-helo=fail$/,
	  'clean' ],

	# Exceptions per check, and a pattern.
	[ 'except literal client: a NAT gateway\'s private literal',
	  { from => '203.0.113.30', helo => '[10.0.0.5]' },
	  $OK, qr/ helo=\[10\.0\.0\.5\] verdict=pass checks=- spared=literal:client$/,
	  'clean' ],
	[ 'except literal client: the same gateway, a name without a dot',
	  { from => '203.0.113.30', helo => 'desktop-7h2k' },
	  "504 5.5.2 <desktop-7h2k>: $HR: need fully-qualified hostname",
	  qr/ verdict=reject checks=non-fqdn\b/ ],
	[ 'block helo /regex/: a bot name',
	  { from => '192.0.2.10', helo => 'WIN-0123456789A' },
	  "550 5.7.1 <WIN-0123456789A>: $HR: Access denied",
	  qr/ verdict=reject checks=blocklist,non-fqdn\b/ ],

	# Exemptions.
	[ 'exempt: a pass client entry',
	  { from => '198.51.100.20', helo => 'mail_1.regress.test' },
	  $OK, qr/ helo=mail_1\.regress\.test verdict=pass \(exempt: pass client\)$/,
	  'clean' ],
	[ 'exempt: a client on our own address',
	  { from => '192.0.2.1', helo => '192.0.2.1', side => 'server' },
	  $OK, qr/ helo=192\.0\.2\.1 verdict=pass \(exempt: own address\)$/,
	  'clean' ],
	# The MX's filter on a listener with AUTH.
	[ 'AUTH: an authenticated client is exempt',
	  { from => '192.0.2.10', helo => '192.0.2.10', port => 2587,
	    tls => 1, auth => 1 },
	  $OK, qr/ helo=192\.0\.2\.10 verdict=pass \(exempt: authenticated\)$/,
	  'clean' ],
	[ 'AUTH: the same client without AUTH is judged',
	  { from => '192.0.2.10', helo => '192.0.2.10', port => 2587 },
	  "501 5.5.2 <192.0.2.10>: $HR: use an address literal [192.0.2.10]",
	  qr/ verdict=reject checks=bare-ip$/ ],
	[ 'AUTH: a failed AUTH does not exempt',
	  { from => '192.0.2.10', helo => '192.0.2.10', port => 2587,
	    tls => 1, auth_fail => 1, password => 'wrong' },
	  "501 5.5.2 <192.0.2.10>: $HR: use an address literal [192.0.2.10]",
	  qr/ verdict=reject checks=bare-ip$/ ],
	[ 'AUTH: IPv6, an authenticated client is exempt',
	  { from => '2001:db8::20', server => $V6, helo => 'DESKTOP-7H2K',
	    port => 2587, tls => 1, auth => 1 },
	  $OK, qr/ ip=2001:db8::20 .*helo=DESKTOP-7H2K verdict=pass \(exempt: authenticated\)$/,
	  'clean' ],
	[ 'AUTH: IPv6, a failed AUTH does not exempt',
	  { from => '2001:db8::20', server => $V6, helo => 'DESKTOP-7H2K',
	    port => 2587, tls => 1, auth_fail => 1, password => 'wrong' },
	  "504 5.5.2 <DESKTOP-7H2K>: $HR: need fully-qualified hostname",
	  qr/ verdict=reject checks=non-fqdn\b/ ],
	# The example's submission port wants TLS and has no filter.
	[ 'submission: smtpd wants STARTTLS, the filter is not there',
	  { from => '192.0.2.10', helo => '192.0.2.10', port => 587,
	    verdict => 'MAIL FROM' },
	  qr/^530 /, undef ],
	[ 'submission: STARTTLS, then AUTH with a system account',
	  { from => '192.0.2.10', helo => '192.0.2.10', port => 587,
	    tls => 1, auth => 1, user => $E2E::SYSUSER },
	  $OK, undef, 'clean' ],
	[ 'submission: IPv6, STARTTLS, then AUTH with a system account',
	  { from => '2001:db8::20', server => $V6, helo => 'DESKTOP-7H2K',
	    port => 587, tls => 1, auth => 1, user => $E2E::SYSUSER },
	  $OK, undef, 'clean' ],
	[ 'submission: a wrong password gets no further',
	  { from => '192.0.2.10', helo => '192.0.2.10', port => 587,
	    tls => 1, auth_fail => 1, user => $E2E::SYSUSER,
	    password => 'wrong', verdict => 'MAIL FROM' },
	  qr/^530 /, undef ],

	# Verdict at HELO, resolver from /etc/resolv.conf.
	[ 'HELO phase: a name with no A, AAAA or MX, at EHLO',
	  { from => '192.0.2.10', helo => 'missing.regress.test',
	    port => 2526, verdict => 'EHLO' },
	  "450 4.7.1 <missing.regress.test>: $HR: Host not found",
	  qr/ verdict=tempfail checks=dns\b/ ],
	[ 'HELO phase: a well-configured server',
	  { from => '192.0.2.10', helo => 'good.regress.test', port => 2526 },
	  $OK, qr/ verdict=pass checks=-$/, 'clean' ],

	# The strict receiver.
	[ 'strict: no DNS record, rDNS names another domain',
	  { from => '203.0.113.30', helo => 'missing.regress.test',
	    port => 2525 },
	  "450 4.7.1 <missing.regress.test>: $HR: Host not found",
	  qr/ verdict=tempfail checks=dns\b/ ],
	[ 'strict: a HELO that is not the rDNS name',
	  { from => '203.0.113.30', helo => 'good.regress.test',
	    port => 2525 },
	  "450 4.7.1 <good.regress.test>: $HR: does not match your hostname mail.other.regress.test",
	  qr/ rdns=mail\.other\.regress\.test helo=good\.regress\.test verdict=tempfail checks=rdns-match,forward$/ ],
	[ 'strict: a bare IP address',
	  { from => '203.0.113.30', helo => '203.0.113.30', port => 2525 },
	  "501 5.5.2 <203.0.113.30>: $HR: use an address literal [203.0.113.30]",
	  qr/ verdict=reject checks=bare-ip\b/ ],
	[ "strict: Hello, I'm you (our address)",
	  { from => '192.0.2.10', helo => '[192.0.2.1]', port => 2525 },
	  "550 5.7.1 <[192.0.2.1]>: $HR: you are not me",
	  qr/ verdict=reject checks=self\b/ ],
	[ "strict: Hello, I'm you (our name)",
	  { from => '192.0.2.10', helo => 'mx.regress.test', port => 2525 },
	  "550 5.7.1 <mx.regress.test>: $HR: you are not me",
	  qr/ verdict=reject checks=self\b/ ],
	[ "strict: the recipient's domain",
	  { from => '192.0.2.12', helo => 'regress.test', port => 2525 },
	  "550 5.7.1 <regress.test>: $HR: you are not regress.test",
	  qr/ verdict=reject checks=rcpt-domain\b/ ],
	[ "strict: a literal that is not the client's address",
	  { from => '192.0.2.10', helo => '[192.0.2.99]', port => 2525 },
	  "550 5.7.1 <[192.0.2.99]>: $HR: address literal does not match 192.0.2.10",
	  qr/ verdict=reject checks=literal$/ ],
	[ 'strict: rDNS that does not resolve back',
	  { from => '192.0.2.11', helo => 'liar.regress.test', port => 2525 },
	  '450 4.7.25 Client host rejected: cannot find your hostname, [192.0.2.11]',
	  qr/ verdict=tempfail checks=rdns\b/ ],
	[ 'strict: a well-configured server gets through',
	  { from => '192.0.2.10', helo => 'good.regress.test', port => 2525 },
	  $OK, qr/ verdict=pass checks=-$/, 'clean' ],
	[ 'strict: IPv6, a well-configured server gets through',
	  { from => '2001:db8::20', server => $V6,
	    helo => 'good6.regress.test', port => 2525 },
	  $OK, qr/ verdict=pass checks=-$/, 'clean' ],
	[ 'strict: IPv6, rDNS that does not resolve back',
	  { from => '2001:db8::21', server => $V6,
	    helo => 'liar6.regress.test', port => 2525 },
	  '450 4.7.25 Client host rejected: cannot find your hostname, [2001:db8::21]',
	  qr/ verdict=tempfail checks=rdns\b/ ],
);


# The changed check: EHLO one name, STARTTLS, EHLO another.  smtpd lets
# a client identify itself again only after STARTTLS, and the filter
# compares the two names at the verdict (junk by default: the message
# gets X-Spam: Yes).  The same host spelt in other case is no change.
my @changed = (
	[ 'changed: another name after STARTTLS is junk',
	  '192.0.2.10', '192.0.2.1', 'good.regress.test', 'mail.regress.test',
	  qr/ helo=mail\.regress\.test verdict=junk checks=(?:\S+,)?changed$/,
	  'junk' ],
	[ 'changed: the same name in other case is no change',
	  '192.0.2.10', '192.0.2.1', 'good.regress.test', 'GOOD.Regress.Test',
	  qr/ helo=GOOD\.Regress\.Test verdict=pass checks=-$/, 'clean' ],
	[ 'changed: IPv6, another name after STARTTLS is junk',
	  '2001:db8::20', $V6, 'good6.regress.test', 'mail.regress.test',
	  qr/ ip=2001:db8::20 .*verdict=junk checks=(?:\S+,)?changed$/,
	  'junk' ],
	[ 'changed: IPv6, the same name in other case is no change',
	  '2001:db8::20', $V6, 'good6.regress.test', 'Good6.REGRESS.test',
	  qr/ helo=Good6\.REGRESS\.test verdict=pass checks=-$/, 'clean' ],
);

sub tls_skip {
	my ($why, $n, @names) = @_;
	SKIP: {
		skip("$_: $why", $n) for @names;
	}
}

# Everything, against the smtpd of PREFIX (the system's if undef);
# LABEL starts every test's name.
sub suite {
	my ($label, $prefix) = @_;
	my $h = E2E->up(prefix => $prefix);
	diag("$label: kept: " . $h->dir) if $ENV{E2E_KEEP};
	my $smtpd = $h->smtpd;
	my $ver = $h->version;
	like($ver, qr/^\Q$label\E\./, "$label: smtpd is OpenSMTPD $label ($ver)");

	# smtpd.conf.example as shipped, but for the certificate and key,
	# which do not exist here: the paths point at the test certificate.
	{
		my $dir = $h->dir;
		open(my $in, '<', "$E2E::TOP/smtpd.conf.example") or die $!;
		open(my $out, '>', "$dir/example.conf") or die $!;
		while (<$in>) {
			s{"/etc/ssl/certs/mx\.example\.org\.crt"}{"$dir/tls/mx.crt"};
			s{"/etc/ssl/private/mx\.example\.org\.key"}{"$dir/tls/mx.key"};
			print $out $_;
		}
		close $out;
		my $msg = `'$smtpd' -n -f '$dir/example.conf' 2>&1`;
		is($?, 0, "$label: smtpd.conf.example passes smtpd -n")
		    or diag($msg);
	}

	# STARTTLS works with 7.8; with 6.8.0p2 it cannot (see E2E.pm).
	my $no_tls = $h->starttls_missing;
	if ($label ne '6.8') {
		ok(!defined $no_tls, "$label: STARTTLS works")
		    or diag($no_tls);
	}

	# A client smtpd forward-confirmed, with an address literal for
	# HELO: the filter takes smtpd's name, which the dynamic check sees,
	# and asks DNS nothing of the client.  The same client naming itself
	# is the measure of smtpd's own lookups: the filter looks up no
	# client whose HELO is smtpd's name.  First of all, so that no
	# earlier session leaves its answer in the filter's cache.
	{
		my $log = $h->dir . '/dns/unbound.log';
		my $ptr = sub {
			open(my $fh, '<', $log) or return -1;
			return scalar(grep
			    { / 13\.2\.0\.192\.in-addr\.arpa\.? PTR IN$/ } <$fh>);
		};
		my $n0 = $ptr->();
		$h->session(from => '192.0.2.13',
		    helo => '192-0-2-13.pool.regress.test');
		my $n1 = $ptr->();
		my $s = $h->session(from => '192.0.2.13',
		    helo => '[192.0.2.13]');
		my $n2 = $ptr->();
		my $ok = is($s->{reply}, $OK, "$label: verified, an address "
		    . 'literal: accepted');
		$ok &= like(join("\n", @{$s->{log}}), qr/ rdns=192-0-2-13\.pool\.regress\.test helo=\[192\.0\.2\.13\] verdict=report checks=dynamic$/,
		    "$label: verified, an address literal: smtpd's name "
		    . 'judged');
		$ok &= ok($n1 - $n0 >= 1, "$label: verified: smtpd asks the "
		    . 'PTR itself');
		$ok &= is($n2 - $n1, $n1 - $n0, "$label: verified, an address "
		    . 'literal: the filter asks no PTR of its own');
		diag(join("\n", "PTR queries: $n0 $n1 $n2", @{$s->{lines}},
		    @{$s->{log}})) unless $ok;
	}

	for my $t (@sessions) {
		my ($name, $opt, $reply, $log, $delivery) = @$t;
		$name = "$label: $name";
		if ($opt->{tls} && defined $no_tls) {
			tls_skip($no_tls, 2 + (defined $delivery ? 2 : 0)
			    + ($opt->{auth} || $opt->{auth_fail} ? 1 : 0), $name);
			next;
		}
		my $s = $h->session(%$opt);
		my $ok = ref $reply ? like($s->{reply}, $reply, $name)
		    : is($s->{reply}, $reply, $name);
		if ($opt->{auth} || $opt->{auth_fail}) {
			my $want = $opt->{auth} ? qr/^235 / : qr/^535 /;
			$ok &= like($s->{auth} // '(none)', $want,
			    "$name: AUTH " . ($opt->{auth} ? 'succeeds' : 'fails'));
		}
		my $logged = join("\n", @{$s->{log}});
		if (defined $log) {
			$ok &= like($logged, $log, "$name: the filter's log");
		} else {
			$ok &= is($logged, '', "$name: the filter logs nothing");
		}
		if (defined $delivery) {
			my $m = $h->message($s->{subject});
			$ok &= ok(defined $m, "$name: delivered");
			my $spam = defined $m && $m =~ /^X-Spam: Yes$/m;
			$ok &= ok($delivery eq 'junk' ? $spam : !$spam,
			    "$name: " . ($delivery eq 'junk' ? 'with' : 'without')
			    . ' X-Spam');
		}
		diag(join("\n", 'session ' . ($s->{sid} // '?') . ':',
		    @{$s->{lines}}, @{$s->{log}})) unless $ok;
	}

	# Memory across sessions (port 2528, its own filter, the verdict at
	# HELO): 192.0.2.11, whose rDNS does not resolve back, gives a new
	# name each session; the sixth within the day is deferred, with its
	# count.  192.0.2.13 says our name, then its own confirmed name in
	# its next session, which is refused for the forgery before.
	{
		my @s = map { $h->session(from => '192.0.2.11', port => 2528,
		    helo => "n$_.wild.regress.test") } 1 .. 5;
		my $ok = is_deeply([ map { $_->{reply} } @s ], [ ($OK) x 5 ],
		    "$label: memory: five HELO names from one client pass");
		my $s = $h->session(from => '192.0.2.11', port => 2528,
		    helo => 'n6.wild.regress.test', verdict => 'EHLO');
		push @s, $s;
		$ok &= is($s->{reply}, "450 4.7.1 <n6.wild.regress.test>: $HR: "
		    . 'too many HELO names from [192.0.2.11] (rotation=6/1d)',
		    "$label: memory: the sixth is deferred, with its count");
		$ok &= like(join("\n", @{$s->{log}}), qr/ helo=n6\.wild\.regress\.test verdict=tempfail checks=\S*rotation rotation=6\/1d$/,
		    "$label: memory: the log says rotation=6/1d");
		$s = $h->session(from => '192.0.2.13', port => 2528,
		    helo => 'mx.regress.test', verdict => 'EHLO');
		push @s, $s;
		$ok &= is($s->{reply}, "550 5.7.1 <mx.regress.test>: $HR: "
		    . 'you are not me', "$label: memory: our name is refused");
		$s = $h->session(from => '192.0.2.13', port => 2528,
		    helo => '192-0-2-13.pool.regress.test', verdict => 'EHLO');
		push @s, $s;
		$ok &= is($s->{reply}, '550 5.7.1 <192-0-2-13.pool.regress.test>: '
		    . "$HR: [192.0.2.13] forged a HELO name before",
		    "$label: memory: its next session is refused for it");
		diag(join("\n", map { @{$_->{lines}}, @{$_->{log}} } @s))
		    unless $ok;
	}

	# A refusal at HELO, then a good HELO in the same session: judged
	# afresh.
	{
		my $d = $h->dialogue('192.0.2.10', 2526, 'EHLO 192.0.2.10',
		    'EHLO good.regress.test', 'MAIL FROM:<alice@sender.example>',
		    'RCPT TO:<bob@regress.test>', 'QUIT');
		my @r = @{$d->{replies}};
		my $ok = is($r[1], "501 5.5.2 <192.0.2.10>: $HR: use an address "
		    . 'literal [192.0.2.10]', "$label: retry: the first EHLO is refused");
		$ok &= like($r[2], qr/^250 /,
		    "$label: retry: the second EHLO is accepted");
		$ok &= is($r[4], $OK, "$label: retry: and the recipient too");
		my @v = map { / verdict=(\S+)/ ? $1 : () } @{$d->{log}};
		$ok &= is("@v", 'reject pass', "$label: retry: two verdicts logged");
		diag(join("\n", @r, @{$d->{log}})) unless $ok;
	}

	# pass rcpt: postmaster is reached by a client whose HELO is refused,
	# bob in the same transaction is not, and the message goes through
	# to postmaster alone.
	{
		my $subject = "e2e-pass-rcpt";
		my $d = $h->dialogue('192.0.2.10', 25, 'EHLO DESKTOP-7H2K',
		    'MAIL FROM:<alice@sender.example>',
		    'RCPT TO:<postmaster@regress.test>',
		    'RCPT TO:<bob@regress.test>', 'DATA',
		    "Subject: $subject\n\npostmaster only", 'QUIT');
		my @r = @{$d->{replies}};
		my $ok = is($r[3], $OK, "$label: pass rcpt: postmaster is "
		    . 'accepted');
		$ok &= is($r[4], "504 5.5.2 <DESKTOP-7H2K>: $HR: need "
		    . 'fully-qualified hostname', "$label: pass rcpt: bob is "
		    . 'refused in the same transaction');
		$ok &= like($r[6], qr/^250 /, "$label: pass rcpt: the message "
		    . 'is taken');
		my @v = map { / verdict=(.*)$/ ? $1 : () } @{$d->{log}};
		$ok &= is("@v", 'pass (exempt: pass rcpt) reject checks=non-fqdn,rdns-match',
		    "$label: pass rcpt: both verdicts logged");
		my $m = $h->message($subject);
		$ok &= ok(defined $m,
		    "$label: pass rcpt: delivered to postmaster");
		diag(join("\n", @r, @{$d->{log}})) unless $ok;
	}

	# add-header yes and a bounce whose HELO fails SPF: accepted by
	# default, with the result in Authentication-Results, as smtp.helo.
	{
		my $name = "$label: add-header, a bounce whose HELO fails SPF";
		my $s = $h->session(from => '192.0.2.10', port => 2527,
		    helo => 'spf-fail.regress.test', sender => '<>');
		my $ok = is($s->{reply}, $OK, "$name: accepted");
		my $m = $h->message($s->{subject}) // '';
		my ($head) = split(/\n\n/, $m, 2);
		$ok &= like($head // '', qr/^Authentication-Results: \S+; iprev=pass policy\.iprev=192\.0\.2\.10;\s+spf=fail\s+smtp\.helo=spf-fail\.regress\.test$/m,
		    "$name: Authentication-Results: spf=fail smtp.helo");
		$ok &= unlike($m, qr/smtp\.mailfrom/,
		    "$name: never smtp.mailfrom");
		$ok &= like($head // '', qr/^X-HELO-Check: [^\n]*(?:\n\t[^\n]*)* spf-helo=fail$/m,
		    "$name: X-HELO-Check says it too");
		diag(join("\n", @{$s->{lines}}, @{$s->{log}}, $m)) unless $ok;
	}

	# add-header yes: each delivered message carries both headers, once,
	# above smtpd's Received, and its lines as the client sent them.
	{
		my $long = 'L' x 3000;
		my @h = (
		    [ '192.0.2.10', 'good.regress.test', 'iprev=pass' ],
		    [ '192.0.2.12', 'noptr.regress.test', 'iprev=fail' ],
		    [ '192.0.2.10', '[192.0.2.99]', 'iprev=pass' ],
		);
		for my $c (@h) {
			my ($from, $helo, $iprev) = @$c;
			my $name = "$label: add-header, $helo from $from";
			my @subj = map { "e2e-header-$_ $helo" } 1, 2;
			my @msg = map { "Subject: $_\n\nfirst\n..stuffed\n"
			    . "a | b\n\n$long\nlast" } @subj;
			my $d = $h->dialogue($from, 2527, "EHLO $helo",
			    map { ('MAIL FROM:<alice@sender.example>',
			    'RCPT TO:<bob@regress.test>', 'DATA', $_) } @msg);
			my @r = @{$d->{replies}};
			my $ok = like("@r[5, 9]", qr/^250 .* 250 /,
			    "$name: both messages taken");
			my ($v) = map { / verdict=(\S+)/ ? $1 : () }
			    @{$d->{log}};
			my ($checks) = map { / checks=(\S+)/ ? $1 : () }
			    @{$d->{log}};
			for my $i (0, 1) {
				my $m = $h->message($subj[$i]) // '';
				my $n = $i + 1;
				my ($head) = split(/\n\n/, $m, 2);
				$ok &= like($head, qr/^Authentication-Results: \S+; \Q$iprev\E policy\.iprev=\Q$from\E$/m,
				    "$name: message $n: Authentication-Results");
				$ok &= like($head, qr/^X-HELO-Check: verdict=\Q$v\E checks=\Q$checks\E helo=\Q$helo\E$/m,
				    "$name: message $n: X-HELO-Check as logged");
				$ok &= is(scalar(() = $m =~ /^(?:Authentication-Results|X-HELO-Check):/mg),
				    2, "$name: message $n: each header once");
				$ok &= like($head, qr/\AReturn-Path:[^\n]*\n(?:Delivered-To:[^\n]*\n)?Authentication-Results:[^\n]*\n(?:\t[^\n]*\n)*X-HELO-Check:[^\n]*\n(?:\t[^\n]*\n)*(?:X-Spam: Yes\n)?Received: /,
				    "$name: message $n: above smtpd's Received");
				my $body = (split(/\n\n/, $m, 2))[1] // '';
				$ok &= like($body, qr/\Afirst\n\.stuffed\na \| b\n\n/,
				    "$name: message $n: the lines as sent");
				# smtpd before 7.4 cuts a line a data-line
				# filter answers at its LINE_MAX (2048 with
				# the prefix): its limit, not ours.
				if ($label eq '6.8') {
					note("$name: a 3000-byte line arrives with "
					    . ($m =~ /^(L+)$/m ? length($1) : 0)
					    . ' bytes');
				} else {
					$ok &= like($body, qr/\n$long\nlast\n?\z/,
					    "$name: message $n: a 3000-byte line whole");
				}
			}
			diag(join("\n", @r, @{$d->{log}})) unless $ok;
		}
	}

	my $n = 0;
	for my $t (@changed) {
		my ($name, $from, $server, $first, $second, $log, $delivery) = @$t;
		$name = "$label: $name";
		if (defined $no_tls) {
			tls_skip($no_tls, 5, $name);
			next;
		}
		my $subject = "e2e-changed-" . ++$n;
		my $d = $h->dialogue_at($from, $server, 25, "EHLO $first",
		    'STARTTLS', "EHLO $second", 'MAIL FROM:<alice@sender.example>',
		    'RCPT TO:<bob@regress.test>', 'DATA',
		    "Subject: $subject\n\n$name", 'QUIT');
		my @r = @{$d->{replies}};
		my $ok = like($r[2], qr/^220 /, "$name: STARTTLS");
		$ok &= like($r[3], qr/^250 /, "$name: the second EHLO is answered");
		$ok &= is($r[5], $OK, $name);
		$ok &= like(join("\n", @{$d->{log}}), $log, "$name: the filter's log");
		my $m = $h->message($subject);
		my $spam = defined $m && $m =~ /^X-Spam: Yes$/m;
		$ok &= ok(defined $m && ($delivery eq 'junk' ? $spam : !$spam),
		    "$name: delivered " . ($delivery eq 'junk' ? 'with' : 'without')
		    . ' X-Spam');
		diag(join("\n", @r, @{$d->{log}})) unless $ok;
	}

	# The filter's protocol with this smtpd, as tap.sh recorded it on
	# the listener of port 2588: the handshake, and link-auth.
	{
		my $dir = $h->dir;
		my $proto = $label eq '6.8' ? '0.6' : '0.7';
		my $s = $h->session(from => '192.0.2.10', helo => '192.0.2.10',
		    port => 2588, defined $no_tls ? () : (tls => 1, auth => 1));
		my $read = sub {
			open(my $fh, '<', "$dir/tap/$_[0]") or return ();
			my @l = <$fh>;
			chomp @l;
			return @l;
		};
		my @in = $read->('in');
		my @out = $read->('out');
		my @config = grep { /^config\|/ } @in;
		is($config[0], "config|smtpd-version|$ver",
		    "$label: handshake: smtpd names its version");
		ok((grep { $_ eq "config|protocol|$proto" } @config)
		    == ($proto eq '0.7' ? 1 : 0),
		    "$label: handshake: " . ($proto eq '0.7'
		    ? 'config|protocol|0.7' : 'no config|protocol line'));
		is($config[-1], 'config|ready', "$label: handshake: config|ready last");
		my ($ready) = grep { $out[$_] eq 'register|ready' } 0 .. $#out;
		ok(defined $ready, "$label: handshake: the filter's "
		    . 'registration ends with register|ready');
		my @reg = @out[0 .. ($ready // $#out)];
		is(scalar(grep { !/^register\|(?:report|filter)\|smtp-in\|[\w-]+$/ }
		    @reg[0 .. $#reg - 1]), 0,
		    "$label: handshake: the filter sends only registrations first");
		ok((grep { $_ eq 'register|report|smtp-in|link-auth' } @out),
		    "$label: handshake: the filter listens for link-auth");
		my $sid = $s->{sid} // '?';
		ok((grep { /^report\|\Q$proto\E\|[\d.]+\|smtp-in\|link-connect\|\Q$sid\E\|/ }
		    @in), "$label: reports carry protocol $proto");
		ok((grep { /^filter-result\|\Q$sid\E\|[0-9a-f]{16}\|/ } @out),
		    "$label: the filter answers session, then token");
		if (defined $no_tls) {
			tls_skip($no_tls, 2, "$label: link-auth in $proto order");
		} else {
			ok((grep { /^report\|0\.7\|[\d.]+\|smtp-in\|link-auth\|\Q$sid\E\|pass\|\Q$E2E::USER\E$/ }
			    @in), "$label: link-auth in 0.7 order: result, then user");
			like(join("\n", @{$s->{log}}),
			    qr/ verdict=pass \(exempt: authenticated\)$/,
			    "$label: link-auth: the filter exempts the client");
		}
	}

	# A reload: the HELO phase listener's filter, told by SIGHUP, gives
	# the next session the verdict of its changed file, smtpd running on.
	{
		my $conf = $h->dir . '/helo-phase.conf';
		my $helo = { from => '192.0.2.10', helo => 'DESKTOP-7H2K',
		    port => 2526 };
		my $s = $h->session(%$helo, verdict => 'EHLO');
		my $ok = is($s->{reply}, "504 5.5.2 <DESKTOP-7H2K>: $HR: need "
		    . 'fully-qualified hostname', "$label: reload: before, "
		    . 'non-fqdn refuses');
		open(my $fh, '>>', $conf) or die "$conf: $!";
		print $fh "check non-fqdn report\n";
		close $fh;
		# smtpd's child, started as "BIN -f CONF".
		my @pids = split(' ', `pgrep -f '^\\S*/filter-helo -f $conf\$'`);
		$ok &= is(scalar(@pids), 1, "$label: reload: one filter process");
		kill('HUP', @pids);
		my ($done, $end) = (0, time + 5);
		until ($done || time > $end) {
			$done = grep { /: reload: \Q$conf\E: loaded$/ }
			    $h->log_lines(0);
			select(undef, undef, undef, 0.05) unless $done;
		}
		$ok &= ok($done, "$label: reload: the filter logs it");
		$s = $h->session(%$helo);
		$ok &= is($s->{reply}, $OK, "$label: reload: after, the next "
		    . 'session is accepted');
		$ok &= like(join("\n", @{$s->{log}}),
		    qr/ helo=DESKTOP-7H2K verdict=report checks=non-fqdn\b/,
		    "$label: reload: and logged as report");
		diag(join("\n", @{$s->{lines}}, @{$s->{log}})) unless $ok;
	}

	my @log = $h->log_lines(0);
	ok(kill(0, `cat '${\$h->dir}/smtpd.pid'`), "$label: smtpd still runs");
	is((grep { /lost processor|exited abnormally/ } @log), 0,
	    "$label: no filter died");

	# Teardown leaves nothing behind.
	my @ns = $h->namespaces;
	$h->down;
	my %listed = map { (split)[0] => 1 } `ip netns list`;
	is((grep { $listed{$_} } @ns), 0, "$label: teardown: no namespace left");
	is(scalar(grep { -e "/etc/netns/$_" } @ns), 0,
	    "$label: teardown: no /etc/netns");
	my @left = $h->leftovers;
	is(join(' ', @left), '', "$label: teardown: no process left")
	    or diag(map { "$_: " . (`cat /proc/$_/stat 2>&1` || "?\n") }
		@left);
	open(my $mi, '<', '/proc/self/mountinfo') or die $!;
	my $dir = $h->dir;
	my @where = ($dir, @ns, defined $prefix ? $prefix : ());
	is((grep { my $l = $_; grep { index($l, $_) >= 0 } @where } <$mi>), 0,
	    "$label: teardown: no mount left");
}

suite('6.8', undef);

my ($prefix, $why78, $skip) = E2E::smtpd78();
if (defined $prefix) {
	suite('7.8', $prefix);
} elsif ($skip) {
	SKIP: { skip("7.8: $why78", 1) }
} else {
	fail("7.8: $why78");
}

done_testing();
