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

# The Exim front end.  First "filter-helo -E" alone: one line on stdout,
# the exit status the ACL maps, nothing on stderr, errors kept apart
# from reject.  Then behind the real Exim: exim.conf.snippet included
# in an Exim configuration, SMTP dialogues through "exim -bh", and what
# the client sees for every check, for an authenticated client, for a
# HELO full of shell characters, a silent resolver and a missing
# program; all of it twice, through the ${run} ACL and through the
# ${readsocket} one with the policy server (filter-helo -S) started
# here, which must give the same verdicts and replies, and defer when
# the server is not there or gives no answer.  Exim comes from
# regress/exim/fetch.sh (Debian's package, unpacked, never installed);
# without root or network that part skips.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Filter;
use File::Copy qw(copy);
use File::Temp qw(tempdir);
use IO::Select;
use IO::Socket::INET;
use IO::Socket::UNIX;
use POSIX qw(_exit);
use Test::More;
use Time::HiRes qw(time);

my ($port) = Filter::dns_fixture();
plan skip_all => 'unbound not installed' unless defined $port;

my $top = "$FindBin::Bin/..";
my $TIMEOUT = 2;
my $dir = tempdir('exim.XXXXXX', TMPDIR => 1, CLEANUP => 1);
# Exim runs the program as its own user: all of this must be readable.
chmod(0755, $dir) or die "$dir: $!";

sub spew {
	my ($path, $text) = @_;
	open(my $fh, '>', $path) or die "$path: $!";
	print $fh $text;
	close $fh or die "$path: $!";
	chmod(0644, $path);
}

sub slurp {
	my ($path) = @_;
	open(my $fh, '<', $path) or return '';
	local $/;
	return scalar <$fh>;
}

my $conf = "$dir/filter-helo.conf";
sub policy {
	my ($extra) = @_;
	spew($conf, $Filter::LAB . "resolver 127.0.0.1\@$port\ndns-timeout $TIMEOUT\n"
	    . ($extra // ''));
}

# Run a command with stdout and stderr kept apart.
sub run {
	my ($stdin, @cmd) = @_;
	spew("$dir/in", $stdin);
	my $t0 = time;
	my $pid = fork // die "fork: $!";
	if ($pid == 0) {
		open(STDIN, '<', "$dir/in") or _exit(126);
		open(STDOUT, '>', "$dir/out") or _exit(126);
		open(STDERR, '>', "$dir/err") or _exit(126);
		exec(@cmd) or _exit(127);
	}
	waitpid($pid, 0);
	return { status => $? >> 8, out => slurp("$dir/out"),
	    err => slurp("$dir/err"), elapsed => time - $t0 };
}

# -E on its own.
my $bin = "$dir/filter-helo";
copy($Filter::BIN, $bin) or die "copy $Filter::BIN: $!";
chmod(0755, $bin);

sub oneshot { return run('', $bin, '-E', '-f', $conf, @_) }

policy();
my @direct = (
    [ 'a good client is accepted', [ 'helo=good.regress.test',
      'client=192.0.2.10' ], 0, "accept\n" ],
    [ 'reject: exit 1 and the 5xx reply', [ 'helo=localhost',
      'client=192.0.2.10' ], 1, "504 5.5.2 <localhost>: Helo command "
      . "rejected: need fully-qualified hostname\n" ],
    [ 'tempfail: exit 2 and the 4xx reply', [ 'helo=missing.regress.test',
      'client=192.0.2.10' ], 2, "450 4.7.1 <missing.regress.test>: Helo "
      . "command rejected: Host not found\n" ],
    [ 'junk: exit 3 and the checks with the reason', [
      'helo=[192.0.2.99]', 'client=192.0.2.10' ], 3, "literal; "
      . "<[192.0.2.99]>: Helo command rejected: address literal does not "
      . "match 192.0.2.10\n" ],
    [ 'report only is accepted', [ 'helo=a-only.regress.test',
      'client=192.0.2.10' ], 0, "accept\n" ],
    [ 'an empty auth= is no authentication', [ 'helo=localhost', 'auth=',
      'client=192.0.2.10' ], 1, qr/^504 / ],
    [ 'auth= exempts', [ 'helo=localhost', 'auth=plain',
      'client=192.0.2.10' ], 0, "accept\n" ],
    [ 'an empty client= is a local submission', [ 'helo=localhost',
      'client=' ], 0, "accept\n" ],
    [ 'server= is ours: self', [ 'helo=[192.0.2.1]', 'server=192.0.2.1',
      'client=192.0.2.10' ], 1, "550 5.7.1 <[192.0.2.1]>: Helo command "
      . "rejected: you are not me\n" ],
    [ 'greeting= is ours: self', [ 'greeting=MX.regress.test',
      'helo=mx.regress.test.', 'client=192.0.2.10' ], 1,
      qr/^550 5\.7\.1 <mx\.regress\.test\.>: .*you are not me\n\z/ ],
    [ 'rcpt-domain= is judged', [ 'helo=regress.test',
      'rcpt-domain=Regress.Test', 'client=192.0.2.12' ], 1,
      "550 5.7.1 <regress.test>: Helo command rejected: you are not "
      . "regress.test\n" ],
    [ 'first-helo= another name: changed', [ 'helo=good.regress.test',
      'first-helo=dual.regress.test', 'client=192.0.2.10' ], 3,
      qr/^changed; <good\.regress\.test>: .*changed during session\n\z/ ],
    [ 'an IPv6 client as Exim -bh writes it', [ 'helo=[IPv6:2001:db8::99]',
      'client=2001:0db8:0000:0000:0000:0000:0000:0020' ], 3,
      qr/address literal does not match 2001:db8::20\n\z/ ],
    [ 'no HELO given: nothing to judge', [ 'helo=',
      'client=192.0.2.10' ], 0, "accept\n" ],
);
for my $t (@direct) {
	my ($name, $args, $status, $out) = @$t;
	my $r = oneshot(@$args);
	is($r->{status}, $status, "-E $name: exit $status");
	if (ref $out) {
		like($r->{out}, $out, "-E $name: the line");
	} else {
		is($r->{out}, $out, "-E $name: the line");
	}
	is($r->{err}, '', "-E $name: nothing on stderr");
}

# Errors never exit 0 to 3: the snippet defers on them.
my @errors = (
    [ 'helo= missing', 64, [ 'client=192.0.2.10' ] ],
    [ 'not name=value', 64, [ 'helo=x.example', 'client' ] ],
    [ 'unknown name', 64, [ 'helo=x.example', 'ip=192.0.2.10' ] ],
    [ 'name given twice', 64, [ 'helo=x.example', 'helo=y.example' ] ],
    [ 'client= not an address', 64, [ 'helo=x.example', 'client=x' ] ],
    [ 'unknown option', 64, [ '-x', 'helo=x.example' ] ],
    [ '-n with -E', 64, [ '-n', 'helo=x.example' ] ],
    [ 'missing configuration', 78, [ '-f', "$dir/none.conf",
      'helo=x.example' ] ],
);
for my $t (@errors) {
	my ($name, $status, $args) = @$t;
	my $r = run('', $bin, '-E', @$args);
	is($r->{status}, $status, "-E error, $name: exit $status");
	is($r->{out}, '', "-E error, $name: nothing on stdout");
}

# The dropping resolver of the timing tests: bound, never read.
my $silent = IO::Socket::INET->new(Proto => 'udp', LocalAddr => '127.0.0.1',
    LocalPort => 0) or die "udp socket: $!";
my $silent_port = $silent->sockport;

# The queries the silent resolver got since the last call.
sub asked_silent {
	my $n = 0;
	my $sel = IO::Select->new($silent);
	while ($sel->can_read(0.1)) {
		$silent->recv(my $buf, 65536);
		$n++;
	}
	return $n;
}

# A verdict no lookup could change neither asks nor waits.  Against the
# silent resolver, such a verdict comes out at once and nothing reaches
# it; a name that needs its lookups asks them and waits for dns-timeout,
# then defers.
spew("$dir/nodns.conf", $Filter::LAB
    . "resolver 127.0.0.1\@$silent_port\ndns-timeout $TIMEOUT\n");
my @nodns = (
    [ 'bare-ip', [ 'helo=192.0.2.10', 'client=192.0.2.10' ], 1 ],
    [ 'syntax', [ 'helo=bad..regress.test', 'client=192.0.2.10' ], 1 ],
    [ 'an exempt client', [ 'helo=localhost', 'auth=plain',
      'client=192.0.2.10' ], 0 ],
);
for my $t (@nodns) {
	my ($name, $args, $status) = @$t;
	asked_silent();
	my $r = run('', $bin, '-E', '-f', "$dir/nodns.conf", @$args);
	is($r->{status}, $status, "-E, no lookup needed, $name: exit $status")
	    or diag($r->{out});
	is(asked_silent(), 0, "-E, no lookup needed, $name: nothing asked");
	cmp_ok($r->{elapsed}, '<', $TIMEOUT - 0.5,
	    "-E, no lookup needed, $name: no wait ($r->{elapsed} s)");
}
{
	asked_silent();
	my $r = run('', $bin, '-E', '-f', "$dir/nodns.conf",
	    'helo=good.regress.test', 'client=192.0.2.10');
	is($r->{status}, 2, '-E, a name: the lookups are needed, exit 2');
	cmp_ok(asked_silent(), '>', 0, '-E, a name: the resolver was asked');
}

spew("$dir/silent.conf", $Filter::LAB . "resolver 127.0.0.1\@$silent_port\n"
    . "dns-timeout $TIMEOUT\n");
my $r = run('', $bin, '-E', '-f', "$dir/silent.conf",
    'helo=good.regress.test', 'client=192.0.2.10');
is($r->{status}, 2, '-E silent resolver: tempfail');
like($r->{out}, qr/^451 4\.4\.3 <good\.regress\.test>: .*temporary DNS failure/,
    '-E silent resolver: dns-error');
cmp_ok($r->{elapsed}, '<', $TIMEOUT + 1, '-E silent resolver: answered '
    . "within dns-timeout + 1 s ($r->{elapsed})");

# rdns=, the name Exim confirmed: a HELO that is that name asks the
# silent resolver nothing when cname is off, and is accepted, and so is
# an address literal, which needs no lookup of its own; another name
# asks for its own records, and no rdns= for the client's: both get the
# 451 of a resolver that does not answer.
spew("$dir/silent-nocname.conf", $Filter::LAB . "resolver 127.0.0.1\@$silent_port\n"
    . "dns-timeout 1\ncheck cname pass\ncheck rdns tempfail\n");
my @rdns = (
    [ 'rdns= is the HELO', [ 'helo=good.regress.test',
      'rdns=good.regress.test' ], 0 ],
    [ 'rdns= is the HELO spelt otherwise', [ 'helo=Good.Regress.Test.',
      'rdns=good.regress.test' ], 0 ],
    [ 'rdns= and an address literal', [ 'helo=[192.0.2.10]',
      'rdns=good.regress.test' ], 0 ],
    [ 'no rdns=', [ 'helo=good.regress.test' ], 2 ],
    [ 'an address literal, no rdns=', [ 'helo=[192.0.2.10]' ], 2 ],
    [ 'rdns= another name', [ 'helo=good.regress.test',
      'rdns=mail.regress.test' ], 2 ],
    [ 'an empty rdns= is no name', [ 'helo=good.regress.test', 'rdns=' ],
      2 ],
);
for my $t (@rdns) {
	my ($name, $args, $status) = @$t;
	$r = run('', $bin, '-E', '-f', "$dir/silent-nocname.conf", @$args,
	    'client=192.0.2.10');
	is($r->{status}, $status, "-E silent resolver, $name: exit $status")
	    or diag($r->{out});
}

# Behind the real Exim, through each of the snippet's RCPT ACLs: the
# same verdicts, the same replies and headers.
# name, config, client, HELOs, RCPT reply, header, exim options, session
# options (rcpt_each: MAIL and RCPT after each EHLO)
my $ok = '250 Accepted';
my @cases = (
    [ 'a good client', '', '192.0.2.10', [ 'good.regress.test' ],
      $ok, 'verdict=pass checks=- helo=good.regress.test' ],
    [ 'syntax', '', '192.0.2.10', [ 'bad..regress.test' ],
      '501 5.5.2 <bad..regress.test>: Helo command rejected: '
      . 'Invalid name', undef ],
    [ 'underscore', '', '192.0.2.10', [ 'mail_1.regress.test' ],
      '501 5.5.2 <mail_1.regress.test>: Helo command rejected: '
      . 'Invalid name (underscore)', undef ],
    [ 'bare-ip', '', '192.0.2.10', [ '192.0.2.10' ],
      '501 5.5.2 <192.0.2.10>: Helo command rejected: use an address '
      . 'literal [192.0.2.10]', undef ],
    [ 'non-fqdn', '', '192.0.2.10', [ 'localhost' ],
      '504 5.5.2 <localhost>: Helo command rejected: need '
      . 'fully-qualified hostname', undef ],
    [ 'self: our greeting name', '', '192.0.2.10',
      [ 'MX.regress.test' ], '550 5.7.1 <MX.regress.test>: Helo '
      . 'command rejected: you are not me', undef ],
    [ 'self: the address it connected to', '', '192.0.2.10',
      [ '[192.0.2.1]' ], '550 5.7.1 <[192.0.2.1]>: Helo command '
      . 'rejected: you are not me', undef, [ '-oMi', '192.0.2.1' ] ],
    [ 'rcpt-domain', '', '192.0.2.12', [ 'regress.test' ],
      '550 5.7.1 <regress.test>: Helo command rejected: you are not '
      . 'regress.test', undef ],
    [ 'rcpt-domain: its own host', '', '192.0.2.10',
      [ 'regress.test' ], $ok,
      'verdict=report checks=forward helo=regress.test' ],
    [ 'blocklist', "block helo .wild.regress.test\n", '192.0.2.10',
      [ 'x.wild.regress.test' ], '550 5.7.1 <x.wild.regress.test>: '
      . 'Helo command rejected: Access denied', undef ],
    [ 'dbl: a listed name', "dbl dbl.test\n", '192.0.2.37',
      [ 'listed.wild.regress.test' ], '554 5.7.1 Service unavailable; '
      . 'Helo command [listed.wild.regress.test] blocked using dbl.test',
      undef ],
    [ 'dbl: a zone error refuses nothing', "dbl dbl.test\n", '192.0.2.37',
      [ 'err254.wild.regress.test' ], $ok, 'verdict=report '
      . 'checks=rdns,rdns-match helo=err254.wild.regress.test' ],
    [ 'literal: junk', '', '192.0.2.10', [ '[192.0.2.99]' ], $ok,
      'verdict=junk checks=literal helo=[192.0.2.99]' ],
    [ 'literal: an IPv6 client', '', '2001:db8::20',
      [ '[IPv6:2001:db8::99]' ], $ok,
      'verdict=junk checks=literal helo=[IPv6:2001:db8::99]' ],
    [ 'dns', '', '192.0.2.10', [ 'missing.regress.test' ],
      '450 4.7.1 <missing.regress.test>: Helo command rejected: '
      . 'Host not found', undef ],
    [ 'dns-error', '', '192.0.2.10', [ 'x.servfail.test' ],
      '451 4.4.3 <x.servfail.test>: Helo command rejected: '
      . 'temporary DNS failure, try again later', undef ],
    [ 'forward', "check forward reject\n", '192.0.2.11',
      [ 'good.regress.test' ], '550 5.7.1 <good.regress.test>: Helo '
      . 'command rejected: good.regress.test does not resolve to '
      . '192.0.2.11', undef ],
    [ 'rdns', "check rdns tempfail\n", '192.0.2.12',
      [ 'noptr.regress.test' ], '450 4.7.25 Client host rejected: '
      . 'cannot find your hostname, [192.0.2.12]', undef ],
    [ 'rdns-match', "rdns-match exact\ncheck rdns-match tempfail\n",
      '192.0.2.10', [ 'a-only.regress.test' ], '450 4.7.1 '
      . '<a-only.regress.test>: Helo command rejected: does not match '
      . 'your hostname good.regress.test', undef ],
    [ 'cname', "check cname reject\n", '192.0.2.10',
      [ 'alias.regress.test' ], '550 5.7.1 <alias.regress.test>: '
      . 'Helo command rejected: is a CNAME', undef ],
    [ 'dynamic', "check dynamic reject\n", '192.0.2.13',
      [ '192-0-2-13.pool.regress.test' ], '550 5.7.1 '
      . "<192-0-2-13.pool.regress.test>: Helo command rejected: "
      . "dynamic host, use your provider's relay", undef ],
    [ 'changed: a second EHLO naming another host', '', '192.0.2.10',
      [ 'good.regress.test', 'dual.regress.test' ], $ok,
      'verdict=junk checks=forward,changed helo=dual.regress.test', undef,
      { rcpt_each => 1 } ],
    [ 'changed: the same name again', '', '192.0.2.10',
      [ 'good.regress.test', 'GOOD.regress.test' ], $ok,
      'verdict=pass checks=- helo=GOOD.regress.test', undef,
      { rcpt_each => 1 } ],
    [ 'rdns: the HELO is the name Exim confirmed', "rdns-match exact\n"
      . "check rdns-match tempfail\ncheck forward reject\n", '192.0.2.10',
      [ 'good.regress.test' ], $ok,
      'verdict=pass checks=- helo=good.regress.test',
      [ '-oMs', 'good.regress.test' ] ],
    [ 'rdns: another name than Exim confirmed', "rdns-match exact\n"
      . "check rdns-match tempfail\n", '192.0.2.10',
      [ 'a-only.regress.test' ], '450 4.7.1 <a-only.regress.test>: Helo '
      . 'command rejected: does not match your hostname '
      . 'good.regress.test', undef, [ '-oMs', 'good.regress.test' ] ],
    [ 'authenticated: exempt', '', '192.0.2.10', [ 'localhost' ], $ok,
      undef, [ '-oMaa', 'plain', '-oMai', 'bob' ] ],
    [ 'special-name', "check special-name tempfail\n", '192.0.2.10',
      [ 'localhost.localdomain' ], '450 4.7.1 <localhost.localdomain>: '
      . 'Helo command rejected: not a public host name', undef ],
    [ 'dry-run: a HELO it would refuse is accepted', "dry-run yes\n",
      '192.0.2.10', [ 'localhost' ], $ok,
      'verdict=reject checks=non-fqdn helo=localhost' ],
    [ 'explain-url', "explain-url https://mx.regress.test/helo\n",
      '192.0.2.10', [ 'localhost' ], '504 5.5.2 <localhost>: Helo '
      . 'command rejected: need fully-qualified hostname; see '
      . 'https://mx.regress.test/helo#non-fqdn', undef ],
);
# Per ACL: each case, its header when accepted, and 17 more; one more
# for the server, and 3 of the socket ACL's own failures.
my $exim_count = 2 * (21 + grep({ $_->[4] eq $ok } @cases) + @cases) + 4;

# An Exim configuration with the snippet: $program in its ${run} line,
# $socket in its ${readsocket}, and $acl the one the RCPT ACL requires.
sub exim_conf {
	my ($name, $program, $acl, $socket) = @_;
	my $snippet = slurp("$top/exim.conf.snippet");
	$snippet =~ s{/usr/local/libexec/smtpd/filter-helo}{$program}g
	    or die "no program path in exim.conf.snippet";
	$snippet =~ s{/run/filter-helo/filter-helo\.sock}{$socket}g
	    or die "no socket path in exim.conf.snippet";
	mkdir("$dir/$name", 0755);
	# -bh writes nothing there, but Exim wants them.
	for (qw(spool log)) {
		mkdir("$dir/$name/$_");
		chmod(01777, "$dir/$name/$_");
	}
	spew("$dir/$name/snippet.conf", $snippet);
	my $in = slurp("$FindBin::Bin/exim/exim.conf.in");
	$in =~ s/\@DIR\@/$dir\/$name/g;
	$in =~ s/\@ACL\@/$acl/g or die "no \@ACL\@ in exim.conf.in";
	spew("$dir/$name/exim.conf", $in);
	return "$dir/$name/exim.conf";
}

# The policy server for filter_helo_check_socket, started afresh with
# the test's configuration as the ${run} line has it, and the two lines
# the snippet says stand for its operands greeting= and header=yes.  It
# runs as nobody, its socket in Exim's group.
my ($server, $server_log);
my $sock = "$dir/filter-helo.sock";

sub server_stop {
	return unless $server;
	kill('TERM', $server);
	waitpid($server, 0);
	$server = undef;
}

sub server_start {
	server_stop();
	spew("$dir/server.conf", slurp($conf)
	    . "local-name mx.regress.test\nadd-header yes\n");
	$server_log = "$dir/server.log";
	unlink($server_log);
	my $pid = fork // die "fork: $!";
	if ($pid == 0) {
		open(STDIN, '<', '/dev/null') or _exit(126);
		open(STDERR, '>', $server_log) or _exit(126);
		exec($bin, '-S', $sock, '-d', '-u', 'nobody', '-g', 'Debian-exim',
		    '-f', "$dir/server.conf") or _exit(127);
	}
	$server = $pid;
	# Ready once it says how many connections it takes: it listens.
	my $end = time + 10;
	until (slurp($server_log) =~ /connections at most/) {
		die "policy server did not start:\n" . slurp($server_log)
		    if time > $end || waitpid($pid, POSIX::WNOHANG()) == $pid;
		select(undef, undef, undef, 0.02);
	}
}

END { server_stop() }

# A refusal as the socket ACL words it: "<HELO>: Helo command rejected:"
# before the text, which the server leaves out for Postfix to add, and
# the context of ${run}'s reply, if any, gone.
sub socket_reply {
	my ($reply, $helo) = @_;
	return $reply unless $reply =~ /^([45]\d\d(?: [45]\.\d+\.\d+)?) (.*)$/;
	my ($code, $text) = ($1, $2);
	$text =~ s/^(?:<.*?>: )?(?:Helo command|Client host) rejected: //;
	$helo = substr($helo, 0, 61) . '...' if length($helo) > 64;
	return "$code <$helo>: Helo command rejected: $text";
}

# Exim wraps a long reply into lines of its own ("501-5.5.2 <x>: Helo
# command rejected:" then "501 5.5.2 Invalid name"): the client reads it
# as one text.
sub unwrap {
	my ($first, @more) = @_;
	return join(' ', $first =~ s/^(\d{3})-/$1 /r,
	    map { s/^\d{3}[ -](?:\d\.\d{1,3}\.\d{1,3} )?//r } @more);
}

# One SMTP session: the HELOs, MAIL (from alice@other.test, or from),
# one RCPT (with rcpt_each, MAIL and RCPT after each HELO) and, with
# data, DATA.  Each session comes from a
# port of its own, as real connections do, so that the policy server
# takes none for another.  Returns the last RCPT's reply, the
# X-HELO-Check header or undef, the run.
my $client_port = 40000;
sub session {
	my ($exim, $cfg, $client, $helos, %o) = @_;
	my @mail = ('MAIL FROM:<' . ($o{from} // 'alice@other.test') . '>',
	    'RCPT TO:<' . ($o{rcpt} // 'bob@regress.test') . '>');
	my @cmd = $o{rcpt_each} ? (map { ("EHLO $_", @mail) } @$helos) :
	    ((map { "EHLO $_" } @$helos), @mail);
	my $rcpt = @cmd;	# its reply's index: the greeting is 0
	push @cmd, 'DATA', 'Subject: test', '', 'hello', '.' if $o{data};
	push @cmd, 'QUIT';
	$client_port++;
	my $r = run(join('', map { "$_\r\n" } @cmd), $exim, '-C', $cfg,
	    '-bh', "$client.$client_port", @{$o{opts} // []});
	my (@replies, @lines);
	for (split /\r?\n/, $r->{out}) {
		next unless /^\d{3}[ -]/;
		push @lines, $_;
		next if /^\d{3}-/;
		push @replies, unwrap(@lines);
		$r->{raw}[@replies - 1] = [ @lines ];
		@lines = ();
	}
	my ($headers) = $r->{err} =~ /^LOG: \S+ HEADERS (.*)$/m;
	my $hdr;
	$hdr = $1 if defined $headers &&
	    $headers =~ /\\nX-HELO-Check: (.*?)(?:\\n|$)/;
	$r->{ar} = [ defined $headers ? $headers =~
	    /(?:^|\\n)Authentication-Results: (.*?)(?=\\n|$)/g : () ];
	return ($replies[$rcpt], $hdr, $r);
}

# The ACL under test: its name in the snippet, how a refusal's reply
# reads through it, and what runs before each session's configuration
# is in force.
my %acls = (
	run => { acl => 'filter_helo_check', reply => sub { $_[0] },
	    ready => sub {} },
	socket => { acl => 'filter_helo_check_socket',
	    reply => \&socket_reply, ready => \&server_start },
);

sub exim_tests {
	my ($exim) = @_;
	for my $via (qw(run socket)) {
		exim_acl_tests($exim, $via, $acls{$via});
		server_stop();
	}

	# The socket ACL's own failures defer: a server that closes
	# without an answer (its log says why) ...
	my $cfg = exim_conf('closing', "$bin -f $conf",
	    'filter_helo_check_socket', "$dir/closing.sock");
	my $listener = IO::Socket::UNIX->new(Local => "$dir/closing.sock",
	    Listen => 5) or die "$dir/closing.sock: $!";
	chmod(0666, "$dir/closing.sock");
	my $pid = fork // die "fork: $!";
	if ($pid == 0) {
		while (my $c = $listener->accept) {
			close $c;
		}
		_exit(0);
	}
	close $listener;
	my ($got, undef, $er) = session($exim, $cfg, '192.0.2.10',
	    [ 'localhost' ]);
	kill('TERM', $pid);
	waitpid($pid, 0);
	is($got, '451 4.3.0 Temporary local problem, try again later',
	    'exim (socket): a server that closes without an answer: 451');
	# Exim's write may meet the close first: then \${readsocket} fails
	# outright and the fail string says why.
	my $why = qr/closed without an|no answer in time, or no server/;
	like($er->{err}, qr/filter-helo policy server: (?:$why)/,
	    'exim (socket): ... and why, in the log');

	# ... or one that sends what is no answer.
	$listener = IO::Socket::UNIX->new(Local => "$dir/junk.sock",
	    Listen => 5) or die "$dir/junk.sock: $!";
	chmod(0666, "$dir/junk.sock");
	$pid = fork // die "fork: $!";
	if ($pid == 0) {
		while (my $c = $listener->accept) {
			while (defined(my $l = <$c>)) {
				last if $l eq "\n";
			}
			print $c "action=DUNNO\n\naction=OK\n\n";
			close $c;
		}
		_exit(0);
	}
	close $listener;
	$cfg = exim_conf('junk', "$bin -f $conf", 'filter_helo_check_socket',
	    "$dir/junk.sock");
	($got, undef, $er) = session($exim, $cfg, '192.0.2.10',
	    [ 'localhost' ]);
	kill('TERM', $pid);
	waitpid($pid, 0);
	is($got, '451 4.3.0 Temporary local problem, try again later',
	    'exim (socket): two answers are none: 451, not accepted');
}

sub exim_acl_tests {
	my ($exim, $via, $a) = @_;
	my $t = "exim ($via)";
	my $cfg = exim_conf("main-$via", "$bin -f $conf", $a->{acl}, $sock);

	for my $c (@cases) {
		my ($name, $extra, $client, $helos, $reply, $hdr, $opts,
		    $so) = @$c;
		policy($extra);
		$a->{ready}->();
		my ($got, $ghdr, $r) = session($exim, $cfg, $client, $helos,
		    data => $reply eq $ok, opts => $opts, %{$so // {}});
		is($got, $a->{reply}->($reply, $helos->[-1]),
		    "$t: $name: the client sees the reply")
		    or diag($r->{out}, $r->{err},
		    $via eq 'socket' ? slurp($server_log) : '');
		is($ghdr, $hdr, "$t: $name: " . (defined $hdr ?
		    'X-HELO-Check header' : 'no X-HELO-Check header'))
		    if $reply eq $ok;
	}

	# The policy server sees a HELO at each RCPT: a second EHLO with no
	# RCPT before it is the only one it is asked about (the snippet
	# says so), where ${run} has the first one from the HELO ACL.
	policy();
	$a->{ready}->();
	my ($got, $ghdr) = session($exim, $cfg, '192.0.2.10',
	    [ 'good.regress.test', 'dual.regress.test' ], data => 1);
	is($ghdr, $via eq 'run' ?
	    'verdict=junk checks=forward,changed helo=dual.regress.test' :
	    'verdict=report checks=forward helo=dual.regress.test',
	    "$t: changed: two EHLOs, then one RCPT");

	# Authentication-Results from Exim's own lookup of the client: no
	# name in -bh here (fail), or the name -oMs gives (pass).
	for my $c ([ 'no name', '192.0.2.10', [], 'iprev=fail '
	    . 'policy.iprev=192.0.2.10' ], [ 'a confirmed name',
	    '192.0.2.10', [ '-oMs', 'good.regress.test' ], 'iprev=pass '
	    . 'policy.iprev=192.0.2.10' ], [ 'IPv6, quoted', '2001:db8::20',
	    [ '-oMs', 'good6.regress.test' ], 'iprev=pass policy.iprev='
	    . '"2001:0db8:0000:0000:0000:0000:0000:0020"' ]) {
		my ($name, $client, $opts, $want) = @$c;
		my ($got, undef, $r) = session($exim, $cfg, $client,
		    [ 'good.regress.test' ], data => 1, opts => $opts);
		is_deeply($r->{ar}, [ "mx.regress.test; $want" ],
		    "$t: Authentication-Results, $name") or
		    diag($r->{out}, $r->{err});
	}

	# spf-helo null-sender: Exim gives the sender ($sender_address,
	# empty for a bounce).  A bounce whose HELO's SPF fails is refused
	# with the domain's explanation; mail from a sender is accepted,
	# and the result reaches Authentication-Results as smtp.helo.
	policy("check spf-helo reject\nspf-helo null-sender\n");
	$a->{ready}->();
	my $spf_reply = '550 5.7.23 <spf-fail.regress.test>: Helo command '
	    . "rejected: 192.0.2.10 is not one of spf-fail.regress.test's "
	    . 'hosts';
	($got) = session($exim, $cfg, '192.0.2.10',
	    [ 'spf-fail.regress.test' ], from => '');
	is($got, $a->{reply}->($spf_reply, 'spf-fail.regress.test'),
	    "$t: spf-helo null-sender: a bounce refused");
	my $sr;
	($got, $ghdr, $sr) = session($exim, $cfg, '192.0.2.10',
	    [ 'spf-fail.regress.test' ], data => 1,
	    opts => [ '-oMs', 'good.regress.test' ]);
	is($got, $ok, "$t: spf-helo null-sender: a sender accepted");
	is($ghdr, 'verdict=report checks=forward helo=spf-fail.regress.test '
	    . 'spf-helo=fail', "$t: spf-helo: in X-HELO-Check");
	is_deeply($sr->{ar}, [ 'mx.regress.test; iprev=pass '
	    . 'policy.iprev=192.0.2.10; spf=fail smtp.helo=spf-fail.regress.test' ],
	    "$t: spf-helo: in Authentication-Results, as smtp.helo") or
	    diag($sr->{out}, $sr->{err});

	# pass rcpt: Exim gives the recipient; postmaster is reached from a
	# client whose HELO refuses its other recipients.
	policy("pass rcpt postmaster@\n");
	$a->{ready}->();
	for my $c ([ 'postmaster@regress.test', $ok ], [ 'bob@regress.test',
	    '504 5.5.2 <localhost>: Helo command rejected: need '
	    . 'fully-qualified hostname' ]) {
		my ($got, undef, $r) = session($exim, $cfg, '192.0.2.10',
		    [ 'localhost' ], rcpt => $c->[0]);
		is($got, $c->[1], "$t: pass rcpt postmaster\@: $c->[0]")
		    or diag($r->{out}, $r->{err});
	}
	policy();
	$a->{ready}->();

	my (undef, undef, $wr) = session($exim, $cfg, '192.0.2.10',
	    [ 'mail_1.regress.test' ]);
	is_deeply($wr->{raw}[3], [ '501-5.5.2 <mail_1.regress.test>: Helo '
	    . 'command rejected:', '501 5.5.2 Invalid name (underscore)' ],
	    "$t: Exim wraps a long reply, with the codes on every line");

	# A HELO of shell syntax, quotes and spaces is one argument, data.
	my $w = "$dir/w-$via";
	mkdir($w);
	chmod(0777, $w);
	my $evil = "x.example; touch $w/a \$(touch $w/b) `touch $w/c` "
	    . "\"q r\" 's t' \\ | touch $w/d & \${run{/bin/touch $w/e}}";
	my $er;
	($got, undef, $er) = session($exim, $cfg, '192.0.2.10', [ $evil ]);
	# Longer than 64 characters: quoted cut, as every long value is.
	is($got, '501 5.5.2 <' . substr($evil, 0, 61) . '...>: Helo command '
	    . 'rejected: Invalid name',
	    "$t: a HELO of shell syntax comes back as data in the reply")
	    or diag($er->{out}, $er->{err});
	my @made = glob("$w/*");
	is(scalar(@made), 0, "$t: and nothing in it ran") or diag("@made");

	# A resolver that never answers: 4xx within dns-timeout + 1 s.
	spew($conf, $Filter::LAB . "resolver 127.0.0.1\@$silent_port\n"
	    . "dns-timeout $TIMEOUT\n");
	$a->{ready}->();
	($got, undef, $er) = session($exim, $cfg, '192.0.2.10',
	    [ 'good.regress.test' ]);
	is($got, '451 4.4.3 <good.regress.test>: Helo command rejected: '
	    . 'temporary DNS failure, try again later',
	    "$t: silent resolver: 451");
	cmp_ok($er->{elapsed}, '<', $TIMEOUT + 1, "$t: silent resolver: "
	    . "answered within dns-timeout + 1 s ($er->{elapsed})");

	# The name Exim confirmed ($sender_host_name, here from -oMs)
	# reaches filter-helo: with a resolver that never answers, only a
	# HELO that is that name is accepted.
	spew($conf, slurp("$dir/silent-nocname.conf"));
	$a->{ready}->();
	($got, undef, $er) = session($exim, $cfg, '192.0.2.10',
	    [ 'good.regress.test' ], opts => [ '-oMs', 'good.regress.test' ]);
	is($got, '250 Accepted', "$t: the name from \$sender_host_name: "
	    . 'judged without the resolver') or diag($er->{out}, $er->{err});
	($got, undef, $er) = session($exim, $cfg, '192.0.2.10',
	    [ 'good.regress.test' ]);
	is($got, '451 4.4.3 <good.regress.test>: Helo command rejected: '
	    . 'temporary DNS failure, try again later',
	    "$t: without it, the resolver is asked");
	policy();

	# Our errors defer, with the reason in Exim's log: a configuration
	# that ${run} cannot load, or a server that cannot start with it.
	spew($conf, "dns-timeout 99\n");
	if ($via eq 'socket') {
		server_stop();
		my $r = run('', $bin, '-S', $sock, '-d', '-u', 'nobody',
		    '-f', $conf);
		isnt($r->{status}, 0, "$t: broken configuration: the server "
		    . 'does not start');
	}
	($got, undef, $er) = session($exim, $cfg, '192.0.2.10',
	    [ 'localhost' ]);
	is($got, '451 4.3.0 Temporary local problem, try again later',
	    "$t: broken configuration: 451, not the 504 it would be");
	like($er->{err}, $via eq 'run' ?
	    qr/filter-helo failed \(exit 78\): .*dns-timeout/ :
	    qr/filter-helo policy server: no answer in time, or no server/,
	    "$t: broken configuration: and why, in the log");
	policy();

	# No program, or no server on the socket.
	my $missing = exim_conf("missing-$via", "$dir/no/such/filter-helo",
	    $a->{acl}, "$dir/no/such.sock");
	($got, undef, $er) = session($exim, $missing, '192.0.2.10',
	    [ 'good.regress.test' ]);
	is($got, '451 4.3.0 Temporary local problem, try again later',
	    "$t: missing program or server: 451, not accepted unchecked");
	like($er->{err}, $via eq 'run' ? qr/filter-helo failed \(exit 127\)/ :
	    qr/filter-helo policy server: no answer in time, or no server/,
	    "$t: missing program or server: why, in the log");
}

SKIP: {
	my $why = $> != 0 ? 'needs root (Exim drops to its own user)' : undef;
	my $exim;
	unless ($why) {
		$exim = qx{sh $FindBin::Bin/exim/fetch.sh 2>&1};
		chomp $exim;
		$why = "no Exim: $exim" if $? != 0;
	}
	skip($why, $exim_count) if $why;
	note("Exim: $exim");
	exim_tests($exim);
}

done_testing();
