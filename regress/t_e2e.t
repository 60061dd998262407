#!/usr/bin/perl
# End to end: the system's smtpd(8) runs smtpd.conf.example with the built
# filter-helo, in network namespaces of its own, asking the regress DNS
# fixture (regress/e2e/harness.sh); swaks connects from the client
# addresses of regress/dns/regress.test.zone.  Each session asserts what
# the client sees at the verdict, what the filter logs and, for mail that
# gets through, what is delivered.  Needs root; skips otherwise.
#
# The listeners (smtpd.conf.example plus regress/e2e/smtpd-test.conf.in):
#	25	the MX, filter-helo with its defaults (IPv4 and IPv6)
#	587	the example's submission port: TLS and AUTH, no filter
#	2587	the MX's filter on a listener with AUTH (exemption)
#	2525	filter-helo with profile strict (IPv4 and IPv6)
#	2526	verdict-phase helo, resolver from /etc/resolv.conf
# E2E_KEEP=1 keeps the run's directory (smtpd.log, smtpd.conf, maildir).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/e2e";
use E2E;
use Test::More;

my $why = E2E::missing();
plan skip_all => $why if defined $why;

my $h = E2E->up;
diag('kept: ' . $h->dir) if $ENV{E2E_KEEP};

my $OK = '250 2.1.5 Destination address valid: Recipient ok';
my $HR = 'Helo command rejected';
my $V6 = '2001:db8::1';

# smtpd.conf.example as shipped, but for the certificate and key, which
# do not exist here: the paths point at the harness's test certificate.
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
	my $msg = `smtpd -n -f '$dir/example.conf' 2>&1`;
	is($?, 0, 'smtpd.conf.example passes smtpd -n') or diag($msg);
}

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
	# The example's submission port wants TLS and has no filter.
	[ 'submission: smtpd wants STARTTLS, the filter is not there',
	  { from => '192.0.2.10', helo => '192.0.2.10', port => 587,
	    verdict => 'MAIL FROM' },
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

my $no_tls = $h->starttls_missing;
for my $t (@sessions) {
	my ($name, $opt, $reply, $log, $delivery) = @$t;
	if ($opt->{tls} && defined $no_tls) {
		SKIP: {
			skip("$name: $no_tls", defined $delivery ? 4 : 2);
		}
		next;
	}
	my $s = $h->session(%$opt);
	my $ok = ref $reply ? like($s->{reply}, $reply, $name)
	    : is($s->{reply}, $reply, $name);
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

# A refusal at HELO, then a good HELO in the same session: judged afresh.
{
	my $d = $h->dialogue('192.0.2.10', 2526, 'EHLO 192.0.2.10',
	    'EHLO good.regress.test', 'MAIL FROM:<alice@sender.example>',
	    'RCPT TO:<bob@regress.test>', 'QUIT');
	my @r = @{$d->{replies}};
	my $ok = is($r[1], "501 5.5.2 <192.0.2.10>: $HR: use an address "
	    . 'literal [192.0.2.10]', 'retry: the first EHLO is refused');
	$ok &= like($r[2], qr/^250 /, 'retry: the second EHLO is accepted');
	$ok &= is($r[4], $OK, 'retry: and the recipient too');
	my @v = map { / verdict=(\S+)/ ? $1 : () } @{$d->{log}};
	$ok &= is("@v", 'reject pass', 'retry: two verdicts logged');
	diag(join("\n", @r, @{$d->{log}})) unless $ok;
}

my @log = $h->log_lines(0);
ok(kill(0, `cat '${\$h->dir}/smtpd.pid'`), 'smtpd still runs');
is((grep { /lost processor|exited abnormally/ } @log), 0,
    'no filter died');

# Teardown leaves nothing behind.
my @ns = $h->namespaces;
$h->down;
my %listed = map { (split)[0] => 1 } `ip netns list`;
is((grep { $listed{$_} } @ns), 0, 'teardown: no namespace left');
is(scalar(grep { -e "/etc/netns/$_" } @ns), 0, 'teardown: no /etc/netns');
is(join(' ', $h->leftovers), '', 'teardown: no process left');
open(my $mi, '<', '/proc/self/mountinfo') or die $!;
my $dir = $h->dir;
is((grep { my $l = $_; grep { index($l, $_) >= 0 } $dir, @ns } <$mi>), 0,
    'teardown: no mount left');

done_testing();
