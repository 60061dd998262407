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

# End to end with Postfix: Debian 12's Postfix 3.7 (the package,
# unpacked by regress/postfix37.sh, never installed), its main.cf made
# of postfix-main.cf.snippet and its master.cf of
# postfix-master.cf.snippet, in the network namespaces of the smtpd
# end-to-end test and with the same DNS fixture (regress/e2e/harness.sh
# with MTA=postfix; regress/e2e/postfix.sh).  Postfix's smtpd asks
# "filter-helo -S" on port 25, and a "filter-helo -P" that spawn(8)
# runs on port 2525; swaks and dialogue.pl connect from the client
# addresses of regress/dns/regress.test.zone.  Each session asserts
# what the client sees (Postfix's own wording around the filter's
# text, at RCPT TO: smtpd_delay_reject), what the filter logs and, for
# mail that gets through, what is delivered.  Needs root; skips
# otherwise, and when Postfix cannot be fetched (no network).
# E2E_KEEP=1 keeps the run's directory (postfix/, syslog, policyd.log,
# maildir/).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/e2e";
use E2E;
use Test::More;

my $why = E2E::missing('postfix');
plan skip_all => $why if defined $why;
my ($root, $why37, $skip) = E2E::postfix37();
if (!defined $root) {
	plan skip_all => $why37 if $skip;
	fail($why37);
	done_testing();
	exit;
}

my $OK = '250 2.1.5 Ok';
my $HR = 'Helo command rejected';
my $V6 = '2001:db8::1';
my $QUEUED = qr/^250 2\.0\.0 Ok: queued as \w+$/;

# Each session: what it shows, swaks's options (port 25 asks the
# daemon, 2525 the spawned -P), the reply at the verdict, what the
# filter logs for it ("-S: " or "-P: " and the line; undef: nothing)
# and, for mail that gets through, whether it is delivered 'clean' or
# as 'junk' (with X-HELO-Check).
my @sessions = (
	[ 'a well-configured server is accepted',
	  { from => '192.0.2.10', helo => 'good.regress.test' },
	  $OK, qr/^-S: \S+ ip=192\.0\.2\.10 rdns=good\.regress\.test helo=good\.regress\.test verdict=pass checks=-$/,
	  'clean' ],
	[ 'a bare IP address',
	  { from => '192.0.2.10', helo => '192.0.2.10' },
	  "501 5.5.2 <192.0.2.10>: $HR: use an address literal [192.0.2.10]",
	  qr/^-S: .* helo=192\.0\.2\.10 verdict=reject checks=bare-ip$/ ],
	[ 'our own address (server_address)',
	  { from => '192.0.2.10', helo => '[192.0.2.1]' },
	  "550 5.7.1 <[192.0.2.1]>: $HR: you are not me",
	  qr/ verdict=reject checks=self,literal$/ ],
	[ 'our own name (local-name)',
	  { from => '192.0.2.10', helo => 'mx.regress.test' },
	  "550 5.7.1 <mx.regress.test>: $HR: you are not me",
	  qr/ verdict=reject checks=self\b/ ],
	[ "the recipient's domain from a host without rDNS",
	  { from => '192.0.2.12', helo => 'regress.test' },
	  "550 5.7.1 <regress.test>: $HR: you are not regress.test",
	  qr/ ip=192\.0\.2\.12 rdns=unknown helo=regress\.test verdict=reject checks=rcpt-domain\b/ ],
	[ 'a name without a dot',
	  { from => '192.0.2.10', helo => 'DESKTOP-7H2K' },
	  "504 5.5.2 <DESKTOP-7H2K>: $HR: need fully-qualified hostname",
	  qr/ verdict=reject checks=non-fqdn\b/ ],
	[ 'a name with no A, AAAA or MX is deferred',
	  { from => '192.0.2.10', helo => 'missing.regress.test' },
	  "450 4.7.1 <missing.regress.test>: $HR: Host not found",
	  qr/ verdict=tempfail checks=dns\b/ ],
	[ 'DNS failure defers, never refuses',
	  { from => '192.0.2.10', helo => 'x.servfail.test' },
	  "451 4.4.3 <x.servfail.test>: $HR: temporary DNS failure, try again later",
	  qr/ verdict=tempfail checks=dns-error\b/ ],
	[ 'an underscore',
	  { from => '192.0.2.10', helo => 'mail_1.regress.test' },
	  "501 5.5.2 <mail_1.regress.test>: $HR: Invalid name (underscore)",
	  qr/ verdict=reject checks=underscore\b/ ],
	[ "a literal that is not the client's address is junk",
	  { from => '192.0.2.10', helo => '[192.0.2.99]' },
	  $OK, qr/ helo=\[192\.0\.2\.99\] verdict=junk checks=literal$/,
	  'junk' ],
	[ "the client's own address literal",
	  { from => '192.0.2.10', helo => '[192.0.2.10]' },
	  $OK, qr/ helo=\[192\.0\.2\.10\] verdict=pass checks=-$/, 'clean' ],
	[ "a name Postfix could not confirm: client_name unknown",
	  { from => '192.0.2.11', helo => 'liar.regress.test' },
	  $OK, qr/ ip=192\.0\.2\.11 rdns=unknown helo=liar\.regress\.test verdict=report checks=rdns\b/,
	  'clean' ],
	[ 'a dynamic pool host is only logged',
	  { from => '192.0.2.13', helo => '192-0-2-13.pool.regress.test' },
	  $OK, qr/ verdict=report checks=dynamic$/, 'clean' ],
	[ 'IPv6, a well-configured server',
	  { from => '2001:db8::20', server => $V6,
	    helo => 'good6.regress.test' },
	  $OK, qr/ ip=2001:db8::20 rdns=good6\.regress\.test helo=good6\.regress\.test verdict=pass checks=-$/,
	  'clean' ],
	[ 'IPv6, our own address literal',
	  { from => '2001:db8::20', server => $V6,
	    helo => '[IPv6:2001:db8::1]' },
	  "550 5.7.1 <[IPv6:2001:db8::1]>: $HR: you are not me",
	  qr/ verdict=reject checks=self\b/ ],
	[ 'exempt: a pass client entry',
	  { from => '198.51.100.20', helo => 'mail_1.regress.test' },
	  $OK, qr/ helo=mail_1\.regress\.test verdict=pass \(exempt: pass client\)$/,
	  'clean' ],

	# spawn(8) and filter-helo -P, postfix-master.cf.snippet's.
	[ 'spawn -P: a bare IP address',
	  { from => '192.0.2.10', helo => '192.0.2.10', port => 2525 },
	  "501 5.5.2 <192.0.2.10>: $HR: use an address literal [192.0.2.10]",
	  qr/^-P: \S+ ip=192\.0\.2\.10 rdns=good\.regress\.test helo=192\.0\.2\.10 verdict=reject checks=bare-ip$/ ],
	[ 'spawn -P: a name with no A, AAAA or MX is deferred',
	  { from => '192.0.2.10', helo => 'missing.regress.test',
	    port => 2525 },
	  "450 4.7.1 <missing.regress.test>: $HR: Host not found",
	  qr/^-P: .* verdict=tempfail checks=dns\b/ ],
	[ 'spawn -P: a well-configured server is accepted',
	  { from => '192.0.2.10', helo => 'good.regress.test', port => 2525 },
	  $OK, qr/^-P: .* helo=good\.regress\.test verdict=pass checks=-$/,
	  'clean' ],
	[ "spawn -P: a literal that is not the client's address is junk",
	  { from => '192.0.2.10', helo => '[192.0.2.99]', port => 2525 },
	  $OK, qr/^-P: .* verdict=junk checks=literal$/, 'junk' ],
);

my $h = E2E->up(mta => 'postfix', root => $root);
diag('kept: ' . $h->dir) if $ENV{E2E_KEEP};
my $dir = $h->dir;

sub slurp {
	open(my $fh, '<', $_[0]) or return '';
	local $/;
	return scalar <$fh>;
}

# The snippets as Postfix reads them: postconf has no complaint (an
# unknown or unused parameter is a warning), and the values are the
# snippets'.
{
	is(slurp("$dir/postconf.err"), '', 'postconf -n: no warnings');
	my $pc = slurp("$dir/postconf.out");
	like($pc, qr/^smtpd_helo_restrictions = permit_mynetworks, permit_sasl_authenticated, check_policy_service unix:private\/filter-helo$/m,
	    'main.cf: the check from postfix-main.cf.snippet');
	like($pc, qr/^smtpd_policy_service_default_action = 451 4\.3\.5 /m,
	    'main.cf: a default_action that defers');
	like($pc, qr/^filter-helo-spawn_time_limit = 3600$/m,
	    "main.cf: postfix-master.cf.snippet's time limit");
	like(slurp("$dir/postfix/master.cf"),
	    qr/^filter-helo-spawn unix\s+-\s+n\s+n\s+-\s+0\s+spawn\n\s+user=nobody argv=\Q$dir\E\/bin\/filter-helo -P -f \Q$dir\E\/default\.conf$/m,
	    'master.cf: the spawn service from postfix-master.cf.snippet');
}

for my $t (@sessions) {
	my ($name, $opt, $reply, $log, $delivery) = @$t;
	my $s = $h->session(%$opt);
	my $ok = is($s->{reply}, $reply, $name);
	my $logged = join("\n", @{$s->{log}});
	if (defined $log) {
		$ok &= like($logged, $log, "$name: the filter's log");
	} else {
		$ok &= is($logged, '', "$name: the filter logs nothing");
	}
	if (defined $delivery) {
		$ok &= ok((grep { /^<-\s+250 2\.0\.0 Ok: queued as \w+$/ }
		    @{$s->{lines}}), "$name: Postfix takes the message");
		my $m = $h->message($s->{subject});
		$ok &= ok(defined $m, "$name: delivered");
		my @hdr = defined $m ? $m =~ /^(X-HELO-Check: .*)$/mg : ();
		if ($delivery eq 'junk') {
			my ($helo, $checks) = ($opt->{helo},
			    $logged =~ / checks=(\S+)$/ ? $1 : '?');
			$ok &= is("@hdr", "X-HELO-Check: verdict=junk "
			    . "checks=$checks helo=$helo",
			    "$name: X-HELO-Check as logged");
		} else {
			$ok &= is("@hdr", '', "$name: no X-HELO-Check");
		}
	}
	diag(join("\n", @{$s->{lines}}, @{$s->{log}})) unless $ok;
}

# Postfix's own log line for a refusal, the filter's text in it.
like(slurp("$dir/syslog"), qr/postfix\/smtpd\[\d+\]: NOQUEUE: reject: RCPT from good\.regress\.test\[192\.0\.2\.10\]: 501 5\.5\.2 <192\.0\.2\.10>: Helo command rejected: use an address literal \[192\.0\.2\.10\]; from=<alice\@sender\.example> to=<bob\@regress\.test> proto=ESMTP helo=<192\.0\.2\.10>/,
    "Postfix logs the refusal with the filter's text");

# The spawned filter runs as the snippet's user= (nobody here), one
# process for each smtpd process that asked, and stays for the next
# request on the connection.
{
	my @p;
	for my $c (glob('/proc/[0-9]*/cmdline')) {
		my $cmd = slurp($c);
		next unless $cmd eq join("\0", "$dir/bin/filter-helo", '-P',
		    '-f', "$dir/default.conf") . "\0";
		my ($pid) = $c =~ m{/proc/(\d+)/};
		push @p, (stat("/proc/$pid"))[4];
	}
	ok(@p >= 1, 'spawn: filter-helo -P is running');
	is(join(' ', grep { $_ != scalar getpwnam('nobody') } @p), '',
	    'spawn: as user nobody');
}

# smtpd_delay_reject: EHLO is answered 250, the refusal comes at RCPT
# TO, where "pass rcpt postmaster@" lets postmaster through while bob
# in the same transaction is refused, and the message goes to
# postmaster alone.
{
	my $subject = 'pf-pass-rcpt';
	my $d = $h->dialogue('192.0.2.10', 25, 'EHLO DESKTOP-7H2K',
	    'MAIL FROM:<alice@sender.example>',
	    'RCPT TO:<postmaster@regress.test>',
	    'RCPT TO:<bob@regress.test>', 'DATA',
	    "Subject: $subject\n\npostmaster only", 'QUIT');
	my @r = @{$d->{replies}};
	my $ok = like($r[1], qr/^250 /, 'pass rcpt: EHLO is answered 250');
	$ok &= is($r[3], $OK, 'pass rcpt: postmaster is accepted');
	$ok &= is($r[4], "504 5.5.2 <DESKTOP-7H2K>: $HR: need "
	    . 'fully-qualified hostname', 'pass rcpt: bob is refused in the '
	    . 'same transaction');
	$ok &= like($r[6], $QUEUED, 'pass rcpt: the message is taken');
	my @v = map { / verdict=(.*)$/ ? $1 : () } @{$d->{log}};
	$ok &= is("@v", 'pass (exempt: pass rcpt) reject checks=non-fqdn,rdns-match',
	    'pass rcpt: both verdicts logged');
	$ok &= ok(defined $h->message($subject, 'postmaster'),
	    'pass rcpt: delivered to postmaster');
	$ok &= ok(!defined $h->message($subject, 'bob'),
	    'pass rcpt: not to bob');
	diag(join("\n", @r, @{$d->{log}})) unless $ok;
}

# Junk for two recipients: Postfix asks once for each, and each copy
# of the message has the header once.
{
	my $subject = 'pf-junk-two';
	my $d = $h->dialogue('192.0.2.10', 25, 'EHLO [192.0.2.98]',
	    'MAIL FROM:<alice@sender.example>', 'RCPT TO:<bob@regress.test>',
	    'RCPT TO:<carol@regress.test>', 'DATA',
	    "Subject: $subject\n\ntwo recipients", 'QUIT');
	my @r = @{$d->{replies}};
	my $ok = like("@r[3, 4]", qr/^\Q$OK\E \Q$OK\E$/,
	    'junk, two recipients: both accepted');
	$ok &= like($r[6], $QUEUED, 'junk, two recipients: the message is taken');
	$ok &= is(scalar(@{$d->{log}}), 2,
	    'junk, two recipients: two requests, two verdicts');
	for my $box (qw(bob carol)) {
		my $m = $h->message($subject, $box) // '';
		my @hdr = $m =~ /^(X-HELO-Check: .*)$/mg;
		$ok &= is("@hdr", 'X-HELO-Check: verdict=junk checks=literal '
		    . 'helo=[192.0.2.98]', "junk, two recipients: ${box}'s copy "
		    . 'has the header once');
	}
	diag(join("\n", @r, @{$d->{log}})) unless $ok;
}

# changed: Postfix sends only the current HELO; the filter remembers
# the first one of the client's connection (its address and port).
# With smtpd_delay_reject it is asked at the first RCPT TO, so a name
# given again in a later transaction of the session is compared.
{
	my $subject = 'pf-changed';
	my $d = $h->dialogue('192.0.2.10', 25, 'EHLO good.regress.test',
	    'MAIL FROM:<alice@sender.example>', 'RCPT TO:<bob@regress.test>',
	    'RSET', 'EHLO mail.regress.test',
	    'MAIL FROM:<alice@sender.example>', 'RCPT TO:<bob@regress.test>',
	    'DATA', "Subject: $subject\n\nchanged", 'QUIT');
	my @r = @{$d->{replies}};
	my $ok = is("@r[3, 7]", "$OK $OK", 'changed: both recipients accepted');
	# A check whose lookup had not answered when the junk verdict was
	# given is in the line all the same: the server holds the line
	# until it answers (waiting= only for a line written early).
	my @v = map { / helo=(\S+) verdict=(\S+) checks=(\S+)(?: waiting=\S+)?$/ ?
	    "$1 $2 $3" : () } @{$d->{log}};
	$ok &= is($v[0], 'good.regress.test pass -',
	    'changed: the first name passes');
	$ok &= like($v[1] // '', qr/^mail\.regress\.test junk \S*\bchanged$/,
	    'changed: the second is junk');
	my $m = $h->message($subject) // '';
	$ok &= like($m, qr/^X-HELO-Check: verdict=junk checks=\S*changed helo=mail\.regress\.test$/m,
	    'changed: the message is marked');
	diag(join("\n", @r, @{$d->{log}})) unless $ok;
}

# The policy server gone: Postfix tries twice and answers its
# default_action (the snippet's), a deferral; once it is back, smtpd's
# next request reaches it on a new connection.
{
	my $helo = { from => '192.0.2.10', helo => 'good.regress.test' };
	ok($h->policyd('stop'), 'default_action: filter-helo -S stopped');
	my $s = $h->session(%$helo);
	my $ok = is($s->{reply}, "451 4.3.5 <good.regress.test>: $HR: HELO "
	    . 'check unavailable, try again later',
	    'default_action: Postfix defers');
	$ok &= is(join("\n", @{$s->{log}}), '',
	    'default_action: the filter logs nothing');
	$ok &= like(slurp("$dir/syslog"),
	    qr/warning: problem talking to server private\/filter-helo: /,
	    'default_action: Postfix says why');
	ok($h->policyd('start'), 'default_action: filter-helo -S started again');
	$s = $h->session(%$helo);
	$ok &= is($s->{reply}, $OK, 'default_action: then accepted again');
	$ok &= like(join("\n", @{$s->{log}}), qr/ verdict=pass checks=-$/,
	    'default_action: and judged');
	diag(join("\n", @{$s->{lines}}, @{$s->{log}})) unless $ok;
}

# A reload: SIGHUP, and the next request follows the changed file.
{
	my $helo = { from => '192.0.2.10', helo => 'DESKTOP-7H2K' };
	open(my $fh, '>>', "$dir/default.conf") or die "$dir/default.conf: $!";
	print $fh "check non-fqdn report\n";
	close $fh;
	my $pid = slurp("$dir/policyd.pid") =~ s/\s+//gr;
	ok(kill('HUP', $pid), 'reload: SIGHUP');
	my ($done, $end) = (0, time + 5);
	until ($done || time > $end) {
		$done = slurp("$dir/policyd.log") =~ /reload: .*: loaded$/m;
		select(undef, undef, undef, 0.05) unless $done;
	}
	ok($done, 'reload: the daemon logs it');
	my $s = $h->session(%$helo);
	is($s->{reply}, $OK, 'reload: a name without a dot is accepted now');
	like(join("\n", @{$s->{log}}),
	    qr/ helo=DESKTOP-7H2K verdict=report checks=non-fqdn\b/,
	    'reload: and logged as report');
}

my @log = split(/\n/, slurp("$dir/syslog"));
is(join("\n", grep { /(?:fatal|panic):/ } @log), '',
    'Postfix: no fatal error or panic');

# Teardown leaves nothing behind.
my @ns = $h->namespaces;
$h->down;
my %listed = map { (split)[0] => 1 } `ip netns list`;
is((grep { $listed{$_} } @ns), 0, 'teardown: no namespace left');
is(scalar(grep { -e "/etc/netns/$_" } @ns), 0, 'teardown: no /etc/netns');
my @left = $h->leftovers;
is(join(' ', @left), '', 'teardown: no process left')
    or diag(map { "$_: " . (`cat /proc/$_/cmdline 2>&1` || "?\n") } @left);
open(my $mi, '<', '/proc/self/mountinfo') or die $!;
is((grep { index($_, $dir) >= 0 } <$mi>), 0, 'teardown: no mount left');

done_testing();
