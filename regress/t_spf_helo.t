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

# check spf-helo: the SPF result of the HELO identity, against the SPF
# records of the regress DNS fixture (regress.test.zone, spf-*), in all
# three front ends.  Over the smtpd protocol: each result as the log
# line, the reply and the headers give it; only fail refuses, a
# temperror defers at most; "spf-helo null-sender" refuses a bounce and
# nothing else, with MAIL FROM registered for it.  Then -E with its
# sender= operand, and the policy server with Postfix's sender.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Filter;
use Test::More;

my ($port) = Filter::dns_fixture();
plan skip_all => 'unbound not installed' unless defined $port;

my $SRV = '192.0.2.1:25';
my $TIMEOUT = 2;
# The lab's configuration, with spf-helo back at its default, report.
my $BASE = $Filter::LAB . "check spf-helo report\n"
    . "resolver 127.0.0.1\@$port\ndns-timeout $TIMEOUT\n";
my $HR = 'Helo command rejected';
my $EXP = "192.0.2.10 is not one of spf-fail.regress.test's hosts";
my $FAIL = "550 5.7.23 <spf-fail.regress.test>: $HR: $EXP";

# Over the protocol, verdict at RCPT TO from good.regress.test's address
# (FCrDNS confirmed, and under the same registrable domain as every
# spf-* name, so rdns-match stays clear): name, extra configuration,
# client, HELO, the answer at RCPT TO, the log line's end.
my @cases = (
    [ 'pass: the host itself', '', '192.0.2.60', 'spf-pass.regress.test',
      'proceed', qr/ verdict=pass checks=- spf-helo=pass$/m ],
    [ 'fail: reported by default', '', '192.0.2.10',
      'spf-fail.regress.test', 'proceed',
      qr/ verdict=report checks=spf-helo,forward spf-helo=fail$/m ],
    [ 'fail: refused with reject, with the exp= text',
      "check spf-helo reject\n", '192.0.2.10', 'spf-fail.regress.test',
      "reject|$FAIL",
      qr/ verdict=reject checks=spf-helo,forward spf-helo=fail$/m ],
    [ 'fail: another host of the pass record fails too',
      "check spf-helo reject\n", '192.0.2.10', 'spf-pass.regress.test',
      'reject|550 5.7.23 <spf-pass.regress.test>: ' . $HR . ': ',
      qr/ verdict=reject checks=spf-helo,forward spf-helo=fail$/m,
      'prefix' ],
    [ 'softfail only reports', "check spf-helo reject\n", '192.0.2.10',
      'spf-softfail.regress.test', 'proceed',
      qr/ verdict=report checks=forward spf-helo=softfail$/m ],
    [ 'neutral only reports', "check spf-helo reject\n", '192.0.2.10',
      'spf-neutral.regress.test', 'proceed',
      qr/ verdict=report checks=forward spf-helo=neutral$/m ],
    [ 'permerror only reports', "check spf-helo reject\n", '192.0.2.10',
      'spf-permerror.regress.test', 'proceed',
      qr/ verdict=report checks=forward spf-helo=permerror$/m ],
    [ 'temperror defers, never refuses', "check spf-helo reject\n",
      '192.0.2.10', 'spf-temperror.regress.test',
      "reject|451 4.4.3 <spf-temperror.regress.test>: $HR: temporary DNS "
      . 'failure, try again later',
      qr/ verdict=tempfail checks=dns-error,forward unknown=spf-helo spf-helo=temperror$/m ],
    [ 'temperror reported by default', '', '192.0.2.10',
      'spf-temperror.regress.test', 'proceed',
      qr/ verdict=report checks=forward unknown=spf-helo spf-helo=temperror$/m ],
    [ 'none: no record, nothing said', "check spf-helo reject\n",
      '192.0.2.10', 'good.regress.test', 'proceed',
      qr/ helo=good\.regress\.test verdict=pass checks=-$/m ],
    [ 'an address literal: none, nothing asked', "check spf-helo reject\n",
      '192.0.2.10', '[192.0.2.10]', 'proceed',
      qr/ helo=\[192\.0\.2\.10\] verdict=pass checks=-$/m ],
    # A spared check is not waited for: whether its result is in by
    # the verdict (and so in the log) depends on which answer comes
    # first.  Either way it refuses nothing.
    [ 'spared by except', "check spf-helo reject\n"
      . "except spf-helo client 192.0.2.10\n", '192.0.2.10',
      'spf-fail.regress.test', 'proceed',
      qr/ verdict=report checks=forward(?: spared=spf-helo:client spf-helo=fail)?$/m ],
);

for my $c (@cases) {
	my ($name, $conf, $ip, $helo, $want, $log, $prefix) = @$c;
	my $f = Filter->new('-f', Filter::config($BASE . $conf));
	$f->handshake('0.6');
	my $s = Filter::Session->new($f);
	$s->connect(Filter::ipport($ip), $SRV);
	my ($ehlo, $got) = $s->verdict($helo, 'bob@regress.test',
	    timeout => $TIMEOUT + 3);
	is($ehlo, 'proceed', "$name: EHLO proceeds");
	if ($prefix) {
		like($got // '', qr/^\Q$want\E\S/, "$name: answer");
	} else {
		is($got, $want, "$name: answer");
	}
	$f->finish;
	like($f->stderr, $log, "$name: log");
}

# A session with MAIL FROM: EHLO, MAIL FROM (answered only if the filter
# registered it), RCPT TO; options ip, and the rdns and fcrdns smtpd
# reports.  Returns the MAIL FROM and RCPT TO answers, and the session.
sub transaction {
	my ($f, $helo, $from, %o) = @_;
	my $s = Filter::Session->new($f);
	$s->connect(Filter::ipport($o{ip} // '192.0.2.10'), $SRV, $o{rdns},
	    $o{fcrdns});
	$s->report('link-greeting', 'mx.regress.test');
	$s->decision($s->request('ehlo', $helo));
	$s->report('link-identify', 'EHLO', $helo);
	my $mail = $s->decision($s->request('mail-from', $from,
	    $TIMEOUT + 3));
	my $rcpt = $s->decision($s->request('rcpt-to', 'bob@regress.test',
	    $TIMEOUT + 3));
	return ($mail, $rcpt, $s);
}

# null-sender: bounces only.
{
	my $f = Filter->new('-f', Filter::config($BASE
	    . "check spf-helo reject\nspf-helo null-sender\n"));
	my @reg = $f->handshake('0.6');
	is(scalar(grep { $_ eq 'register|filter|smtp-in|mail-from' } @reg),
	    1, 'null-sender: MAIL FROM registered');
	my ($mail, $rcpt) = transaction($f, 'spf-fail.regress.test', '');
	is($mail, 'proceed', 'null-sender: MAIL FROM:<> proceeds');
	is($rcpt, "reject|$FAIL", 'null-sender: a bounce is refused at RCPT');
	($mail, $rcpt) = transaction($f, 'spf-fail.regress.test',
	    'alice@spf-fail.regress.test');
	is($rcpt, 'proceed', 'null-sender: a sender is not judged');
	($mail, $rcpt) = transaction($f, 'spf-softfail.regress.test', '');
	is($rcpt, 'proceed', 'null-sender: a softfailing bounce passes');
	$f->finish;
	my @lines = $f->stderr =~ /^\S+ (ip=.*)$/mg;
	like($lines[0] // '', qr/ verdict=reject checks=spf-helo,forward spf-helo=fail$/,
	    'null-sender: the bounce logged');
	like($lines[1] // '', qr/ verdict=report checks=forward spf-helo=fail$/,
	    'null-sender: the sender logged with the result, not fired');

	$f = Filter->new('-f', Filter::config($BASE));
	@reg = $f->handshake('0.6');
	ok(!grep({ /mail-from/ } @reg), 'spf-helo all: no MAIL FROM asked');
	$f->finish;

	$f = Filter->new('-f', Filter::config($BASE . "check spf-helo reject\n"
	    . "spf-helo null-sender\nverdict-phase mail-from\n"));
	$f->handshake('0.6');
	($mail) = transaction($f, 'spf-fail.regress.test', '');
	is($mail, "reject|$FAIL",
	    'null-sender, verdict at MAIL FROM: the bounce refused there');
	($mail) = transaction($f, 'spf-fail.regress.test', 'a@b.test');
	is($mail, 'proceed', '  a sender is not');
	$f->finish;

	my $conf = Filter::config($BASE
	    . "spf-helo null-sender\nverdict-phase helo\n");
	my $out = qx{'$Filter::BIN' -n -f '$conf' 2>&1};
	isnt($?, 0, 'null-sender at verdict-phase helo: refused');
	like($out, qr/: spf-helo null-sender needs verdict-phase mail-from or rcpt-to: /,
	    '  saying why');
}

# add-header yes: the result in both headers, as smtp.helo.
{
	my $f = Filter->new('-f', Filter::config($BASE . "add-header yes\n"));
	$f->handshake('0.6');
	# smtpd's forward-confirmed name: iprev does not wait for ours.
	my (undef, $rcpt, $s) = transaction($f, 'spf-fail.regress.test', '',
	    rdns => 'good.regress.test', fcrdns => 'pass');
	is($rcpt, 'proceed', 'add-header: the bounce accepted by default');
	my @got = $s->data('Subject: x', '', 'body', '.');
	is($got[0], 'Authentication-Results: mx.regress.test; iprev=pass '
	    . 'policy.iprev=192.0.2.10;', 'A-R: iprev');
	is($got[1], "\tspf=fail smtp.helo=spf-fail.regress.test",
	    'A-R: the HELO\'s SPF, as smtp.helo');
	ok(!grep({ /smtp\.mailfrom/ } @got), 'A-R: never smtp.mailfrom');
	is("$got[2]\n$got[3]", "X-HELO-Check: verdict=report "
	    . "checks=spf-helo,forward\n\thelo=spf-fail.regress.test "
	    . "spf-helo=fail", 'X-HELO-Check, folded');
	$f->finish;
}

# The counters: each verdict's result, in the SIGUSR1 line and in the
# stats file, written again at exit.
{
	my $prom = "$Filter::TMP/spf.prom";
	my $f = Filter->new('-f', Filter::config($BASE
	    . "stats-file $prom\n"));
	$f->handshake('0.6');
	for my $helo (qw(spf-fail spf-fail spf-softfail good)) {
		my $s = Filter::Session->new($f);
		$s->connect(Filter::ipport('192.0.2.10'), $SRV);
		$s->verdict("$helo.regress.test", 'bob@regress.test');
	}
	kill 'USR1', $f->{pid};
	$f->stderr_until(qr/^stats: /m, 5);
	$f->finish;
	like($f->stderr, qr/^stats: .* spf-helo=none:1,neutral:0,pass:0,fail:2,softfail:1,temperror:0,permerror:0 memory=/m,
	    'stats: the results counted');
	open(my $fh, '<', $prom) or die "$prom: $!";
	my $text = do { local $/; <$fh> };
	like($text, qr/^filter_helo_spf_helo_total\{result="fail"\} 2$/m,
	    'stats-file: the results counted');
	like($text, qr/^filter_helo_spf_helo_total\{result="permerror"\} 0$/m,
	    'stats-file: every result, zero or not');
}

# -E: sender= is the sender, empty for a bounce; header=yes prints the
# result in the X-HELO-Check value.
{
	my $conf = Filter::config($BASE . "check spf-helo reject\n"
	    . "spf-helo null-sender\n");
	my @op = ('helo=spf-fail.regress.test', 'client=192.0.2.10',
	    'server=192.0.2.1', 'rcpt=bob@regress.test');
	my ($rc, $out) = Filter::oneshot($conf, @op, 'sender=');
	is($rc, 1, '-E: a bounce refused');
	is($out, "$FAIL\n", '-E: the reply');
	($rc, $out) = Filter::oneshot($conf, @op,
	    'sender=alice@spf-fail.regress.test', 'header=yes');
	is($rc, 0, '-E: a sender accepted');
	is($out, 'verdict=report checks=forward helo=spf-fail.regress.test '
	    . "spf-helo=fail\n", '-E: the header value has the result');
	($rc, $out) = Filter::oneshot($conf, @op);
	is($rc, 0, '-E: no sender= operand: not known, not judged');
	($rc, $out) = Filter::oneshot(Filter::config($BASE
	    . "check spf-helo reject\n"), @op);
	is($rc, 1, '-E: spf-helo all: refused whatever the sender');
}

# The policy server: Postfix's sender, after MAIL FROM.
{
	my $pd = Filter::Policyd->new($BASE . "check spf-helo reject\n"
	    . "spf-helo null-sender\nadd-header yes\n");
	my @req = (request => 'smtpd_access_policy', protocol_state => 'RCPT',
	    client_address => '192.0.2.10', client_name => 'good.regress.test',
	    client_port => 5001, server_address => '192.0.2.1',
	    helo_name => 'spf-fail.regress.test',
	    recipient => 'bob@regress.test', instance => '1.2.3');
	is($pd->ask(undef, @req, sender => ''),
	    "action=550 5.7.23 $EXP", 'policy server: a bounce refused');
	is($pd->ask(undef, @req, sender => 'a@b.test', instance => '1.2.4'),
	    'action=PREPEND X-HELO-Check: verdict=report checks=forward '
	    . 'helo=spf-fail.regress.test spf-helo=fail',
	    'policy server: a sender accepted, the result in the header');
	my @early = @req;
	$early[3] = 'HELO';
	is($pd->ask(undef, @early, sender => '', instance => '1.2.5'),
	    'action=PREPEND X-HELO-Check: verdict=report checks=forward '
	    . 'helo=spf-fail.regress.test spf-helo=fail',
	    'policy server: before MAIL FROM, no sender is known');
	$pd->finish;
}

done_testing();
