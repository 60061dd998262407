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

# The policy server, filter-helo -S on a real socket and -P on stdin
# and stdout, asked as Postfix asks it (every attribute Postfix 3.7
# sends, many requests on one connection) and as Exim's ${readsocket}
# does (one request, the write side shut, the answer read to the end),
# against the DNS fixture.  What Postfix gets is asserted: the action
# line for each check the smtpd tests cover, the log line, SIGHUP,
# dry-run and SIGUSR1 as in the other front ends.  Then hostile peers,
# while other clients must be answered at once: 10,000 connections,
# more than the server may hold, a client that never reads, a line of
# 1 MiB, thousands of attributes, malformed requests, and requests that
# never end, which are closed after 30 s without an answer.  Postfix
# reads a connection closed without an answer as its default_action, a
# 4xx: never an accept.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Errno qw(EAGAIN EWOULDBLOCK);
use Filter;
use IO::Poll qw(POLLHUP POLLIN);
use IO::Select;
use IO::Socket::INET;
use POSIX qw(_exit);
use Test::More;
use Time::HiRes qw(time sleep);

# The connections held at once; the test holds as many descriptors as
# the server, so its own limit is raised first (by re-running itself
# through the shell's ulimit: Perl has no setrlimit of its own).
my $MANY = 10000;
my $FDS = $MANY + 256;
sub fd_limit { my $n = qx{sh -c 'ulimit -Sn'}; chomp $n; $n }
if (fd_limit() ne 'unlimited' && fd_limit() < $FDS &&
    !$ENV{FILTER_HELO_FDS}) {
	$ENV{FILTER_HELO_FDS} = $FDS;
	exec('sh', '-c', 'ulimit -Sn "$1" 2>/dev/null || { ulimit -Hn "$1" ' .
	    '&& ulimit -Sn "$1"; } 2>/dev/null; shift; exec "$@"', 'sh',
	    $FDS, $^X, $0, @ARGV) or die "exec: $!";
}
if (fd_limit() ne 'unlimited' && fd_limit() < $FDS) {
	$MANY = fd_limit() - 256;
	diag("descriptors limited to " . fd_limit() . ": $MANY connections");
}

my ($port) = Filter::dns_fixture();
plan skip_all => 'unbound not installed' unless defined $port;

my $TIMEOUT = 2;
# The cases share a few client addresses on one server, each judged
# alone: memory across sessions would link them (t_memory.t has it).
my $ALONE = "check rotation pass\ncheck forged-before pass\n";
my $BASE = $Filter::LAB . $ALONE
    . "resolver 127.0.0.1\@$port\ndns-timeout $TIMEOUT\n";
my $REQUEST_SEC = 30;		# the server's bound on a request

# A resolver that reads nothing.
my $silent = IO::Socket::INET->new(Proto => 'udp', LocalAddr => '127.0.0.1',
    LocalPort => 0) or die "udp socket: $!";
my $SILENT = $Filter::LAB . $ALONE . 'resolver 127.0.0.1@'
    . $silent->sockport
    . "\ndns-timeout $TIMEOUT\n";

# A request as Postfix 3.7 writes it at RCPT TO, every attribute in its
# order, the given ones changed (undef: left out).  Each request has a
# client port of its own unless it names one: a connection of its own.
my $next_port = 40000;
sub postfix {
	my (%o) = @_;
	my @a = (request => 'smtpd_access_policy', protocol_state => 'RCPT',
	    protocol_name => 'ESMTP', client_address => '192.0.2.10',
	    client_name => 'unknown', client_port => $next_port++,
	    reverse_client_name => 'unknown', server_address => '192.0.2.1',
	    server_port => 25, helo_name => 'good.regress.test',
	    sender => 'alice@other.test', recipient => 'bob@regress.test',
	    recipient_count => 0, queue_id => '',
	    instance => '3c1e.656f1b2a.a8f3b.0', size => 0, etrn_domain => '',
	    stress => '', sasl_method => '', sasl_username => '',
	    sasl_sender => '', ccert_subject => '', ccert_issuer => '',
	    ccert_fingerprint => '', ccert_pubkey_fingerprint => '',
	    encryption_protocol => '', encryption_cipher => '',
	    encryption_keysize => 0, policy_context => '',
	    compatibility_level => '3.6', mail_version => '3.7.11');
	my @out;
	while (my ($k, $v) = splice(@a, 0, 2)) {
		$v = delete $o{$k} if exists $o{$k};
		push @out, $k, $v if defined $v;
	}
	die "postfix: unknown attributes @{[ keys %o ]}" if %o;
	return @out;
}

# The main server, for everything that needs no configuration of its
# own, and the peers that never finish, started first (see the end).
my $pd = Filter::Policyd->new($BASE);
my $slow = slow_peers($pd);

# ---------------------------------------------------------------------
# Verdicts: the answer Postfix gets, the log line.
# name, configuration, attributes, answer, log
my @cases = (
    [ 'a good client', '', [ helo_name => 'good.regress.test',
      client_name => 'good.regress.test' ], 'action=DUNNO',
      qr/^\d+\.1\ ip=192\.0\.2\.10\ rdns=good\.regress\.test
      \ helo=good\.regress\.test\ verdict=pass\ checks=-/mx ],
    [ 'bare IP', '', [ helo_name => '192.0.2.10' ],
      'action=501 5.5.2 use an address literal [192.0.2.10]',
      qr/ helo=192\.0\.2\.10 verdict=reject checks=bare-ip/ ],
    [ 'bare IPv6, told the tagged literal', '', [ helo_name =>
      '2001:db8:5::50', client_address => '2001:db8:5::50' ],
      'action=501 5.5.2 use an address literal [IPv6:2001:db8:5::50]',
      qr/ ip=2001:db8:5::50 .*verdict=reject checks=bare-ip/ ],
    [ 'syntax', '', [ helo_name => 'a..b.example' ],
      'action=501 5.5.2 Invalid name', qr/verdict=reject checks=syntax/ ],
    [ 'non-fqdn', '', [ helo_name => 'DESKTOP-7H2K' ],
      'action=504 5.5.2 need fully-qualified hostname',
      qr/ helo=DESKTOP-7H2K verdict=reject checks=non-fqdn/ ],
    [ 'self: server_address', '', [ helo_name => '[192.0.2.1]' ],
      'action=550 5.7.1 you are not me', qr/checks=self,literal/ ],
    [ 'self: local-name', "local-name mx.regress.test\n",
      [ helo_name => 'MX.Regress.Test' ], 'action=550 5.7.1 you are not me',
      qr/verdict=reject checks=self/ ],
    [ 'rcpt-domain: the recipient\'s domain', '', [ helo_name =>
      'regress.test', client_address => '192.0.2.12',
      recipient => 'bob@Regress.Test' ],
      'action=550 5.7.1 you are not regress.test',
      qr/verdict=reject checks=rcpt-domain/ ],
    [ 'rcpt-domain: another recipient domain', '', [ helo_name =>
      'regress.test', client_address => '192.0.2.12',
      recipient => 'bob@other.test' ], 'action=DUNNO',
      qr/helo=regress\.test verdict=report/ ],
    [ 'Host not found', '', [ helo_name => 'missing.regress.test' ],
      'action=450 4.7.1 Host not found', qr/verdict=tempfail checks=dns,/ ],
    [ 'dns-error', '', [ helo_name => 'x.servfail.test' ],
      'action=451 4.4.3 temporary DNS failure, try again later',
      qr/verdict=tempfail checks=dns-error/ ],
    [ 'dns-error: a resolver that never answers', $SILENT,
      [ helo_name => 'good.regress.test' ],
      'action=451 4.4.3 temporary DNS failure, try again later',
      qr/verdict=tempfail checks=dns-error/ ],
    [ 'client_name is the confirmed name: no lookup needed', $SILENT
      . "check cname pass\n", [ helo_name => 'good.regress.test',
      client_name => 'good.regress.test' ], 'action=DUNNO',
      qr/rdns=good\.regress\.test helo=good\.regress\.test verdict=pass/ ],
    [ 'client_name unknown: looked up', $SILENT . "check cname pass\n",
      [ helo_name => 'good.regress.test' ],
      'action=451 4.4.3 temporary DNS failure, try again later',
      qr/rdns=unknown helo=good\.regress\.test verdict=tempfail/ ],
    [ 'literal of another address: junk', '', [ helo_name =>
      '[198.51.100.7]' ], 'action=PREPEND X-HELO-Check: verdict=junk '
      . 'checks=literal helo=[198.51.100.7]',
      qr/verdict=junk checks=literal/ ],
    [ 'literal of the client', '', [ helo_name => '[192.0.2.10]',
      client_name => 'good.regress.test' ], 'action=DUNNO',
      qr/verdict=pass checks=-/ ],
    [ 'dynamic: report only', '', [ helo_name =>
      '192-0-2-13.pool.regress.test', client_address => '192.0.2.13' ],
      'action=DUNNO', qr/verdict=report checks=dynamic/ ],
    [ 'rdns: the context Postfix adds is left out',
      "check rdns tempfail\n", [ helo_name => 'noptr.regress.test',
      client_address => '192.0.2.12' ],
      'action=450 4.7.25 cannot find your hostname, [192.0.2.12]',
      qr/verdict=tempfail checks=rdns/ ],
    [ 'dbl', "dbl dbl.test\n", [ helo_name => 'listed.wild.regress.test',
      client_address => '192.0.2.37' ], 'action=554 5.7.1 Service '
      . 'unavailable; Helo command [listed.wild.regress.test] blocked '
      . 'using dbl.test', qr/verdict=reject checks=dbl/ ],
    [ 'tempfail: the code follows', "check non-fqdn tempfail\n",
      [ helo_name => 'localhost' ],
      'action=404 4.5.2 need fully-qualified hostname',
      qr/verdict=tempfail checks=non-fqdn/ ],
    [ 'disconnect: a refusal', "check bare-ip disconnect\n",
      [ helo_name => '192.0.2.10' ],
      'action=501 5.5.2 use an address literal [192.0.2.10]',
      qr/verdict=disconnect checks=bare-ip/ ],
    [ 'a message of the admin\'s', "message non-fqdn \"550 5.7.1 %h from "
      . "%i (%c) 100%%\"\n", [ helo_name => 'localhost' ],
      'action=550 5.7.1 localhost from 192.0.2.10 (non-fqdn) 100%',
      qr/checks=non-fqdn/ ],
    [ 'explain-url', "explain-url https://example.org/helo.html\n",
      [ helo_name => 'localhost' ], 'action=504 5.5.2 need '
      . 'fully-qualified hostname; see https://example.org/helo.html'
      . '#non-fqdn', qr/checks=non-fqdn/ ],
    [ 'exempt: sasl_username', '', [ helo_name => 'localhost',
      sasl_method => 'PLAIN', sasl_username => 'alice' ], 'action=DUNNO',
      qr/verdict=pass \(exempt: authenticated\)/ ],
    [ 'an empty sasl_username is no authentication', '', [ helo_name =>
      'localhost' ], 'action=504 5.5.2 need fully-qualified hostname',
      qr/checks=non-fqdn/ ],
    [ 'exempt: pass client', "pass client 192.0.2.0/24\n", [ helo_name =>
      'localhost' ], 'action=DUNNO', qr/\(exempt: pass client\)/ ],
    [ 'exempt: loopback', '', [ helo_name => 'localhost',
      client_address => '127.0.0.1' ], 'action=DUNNO', qr/\(exempt: local\)/ ],
    [ 'pass rcpt: postmaster', "pass rcpt postmaster@\n", [ helo_name =>
      'localhost', recipient => 'postmaster@regress.test' ], 'action=DUNNO',
      qr/verdict=pass \(exempt: pass rcpt\)/ ],
    [ 'pass rcpt: another recipient', "pass rcpt postmaster@\n",
      [ helo_name => 'localhost', recipient => 'bob@regress.test' ],
      'action=504 5.5.2 need fully-qualified hostname', qr/checks=non-fqdn/ ],
    [ 'add-header: a pass gets the header', "add-header yes\n",
      [ helo_name => 'good.regress.test', client_name =>
      'good.regress.test' ], 'action=PREPEND X-HELO-Check: verdict=pass '
      . 'checks=- helo=good.regress.test', qr/verdict=pass/ ],
    [ 'dry-run: a refusal becomes DUNNO', "dry-run yes\n", [ helo_name =>
      'localhost' ], 'action=DUNNO',
      qr/verdict=reject checks=non-fqdn.* would=reject$/m ],
    [ 'dry-run: junk too', "dry-run yes\n", [ helo_name =>
      '[198.51.100.7]' ], 'action=DUNNO',
      qr/verdict=junk checks=literal.* would=junk$/m ],
    [ 'dry-run: report only, as without it', "dry-run yes\n",
      [ helo_name => '192-0-2-13.pool.regress.test',
      client_address => '192.0.2.13' ], 'action=DUNNO',
      qr/verdict=report checks=dynamic$/m ],
);

# One server per configuration; the main one for the base.
my %servers = ('' => $pd);
for my $c (@cases) {
	my ($name, $conf, $attrs, $want, $log) = @$c;
	my $text = $conf =~ /^resolver /m ? $conf : $BASE . $conf;
	my $s = $servers{$conf} //= Filter::Policyd->new($text);
	my $before = () = $s->stderr =~ /^\S+ ip=/mg;
	my $t0 = time;
	my $got = $s->ask(undef, postfix(@$attrs));
	my $took = time - $t0;
	is($got, $want, "$name: answer");
	cmp_ok($took, '<', $TIMEOUT + 1, "$name: within dns-timeout + 1 s")
	    if $conf =~ /^resolver /m;
	# The line of this request, the last one logged.
	my @lines = $s->wait_log(qr/^(\S+ ip=.*)$/m, $before);
	like($lines[-1] // '', $log, "$name: log line");
}
$_->finish for grep { $_ != $pd } values %servers;

# The log line as the smtpd front end writes it, CONN.REQ for its id.
{
	my $c = $pd->connect;
	for my $helo ('localhost', 'good.regress.test') {
		$pd->ask($c, postfix(helo_name => $helo, client_port => 5000,
		    client_address => '192.0.2.11'));
	}
	my @id = $pd->wait_log(qr/^(\d+\.\d+) ip=192\.0\.2\.11 /m, 1);
	my ($conn) = $id[0] =~ /^(\d+)\./;
	is_deeply(\@id, [ "$conn.1", "$conn.2" ],
	    'log: one connection, its requests counted');
}

# changed: Postfix sends only the current HELO; the first one of the
# client's address and port stands for the connection's.
{
	my @req = (client_address => '192.0.2.10', client_port => 6001,
	    client_name => 'good.regress.test');
	is($pd->ask(undef, postfix(@req, helo_name => 'good.regress.test')),
	    'action=DUNNO', 'changed: the first HELO');
	is($pd->ask(undef, postfix(@req, helo_name => 'GOOD.regress.test.')),
	    'action=DUNNO', 'changed: the same name spelt otherwise');
	is($pd->ask(undef, postfix(@req, helo_name => 'dual.regress.test')),
	    'action=PREPEND X-HELO-Check: verdict=junk checks=forward,changed '
	    . 'helo=dual.regress.test', 'changed: another name, same port');
	is($pd->ask(undef, postfix(@req, client_port => 6002,
	    helo_name => 'dual.regress.test')), 'action=DUNNO',
	    'changed: another port is another connection');
	my @l = $pd->wait_log(qr/^(\S+ ip=.* helo=dual\.regress\.test .*)$/m,
	    1);
	like($l[-1] // '', qr/ verdict=report checks=forward$/,
	    'changed: ... where forward alone reports');
}

# No helo_name: nothing to judge.  Logged, unless Postfix asks at
# CONNECT, before any HELO.
{
	my $before = () = $pd->stderr =~ /no helo_name/g;
	is($pd->ask(undef, postfix(helo_name => undef, protocol_state =>
	    'CONNECT')), 'action=DUNNO', 'no helo_name at CONNECT: DUNNO');
	is($pd->ask(undef, postfix(helo_name => '')), 'action=DUNNO',
	    'an empty helo_name at RCPT: DUNNO');
	my @m = $pd->wait_log(qr/(no helo_name at \S+: DUNNO)/, $before);
	is_deeply([ @m[$before .. $#m] ], [ 'no helo_name at RCPT: DUNNO' ],
	    'no helo_name: logged at RCPT, not at CONNECT');
}

# ---------------------------------------------------------------------
# Connections as the MTAs use them.

# Postfix: many requests on one connection, each answered in turn.
{
	my $c = $pd->connect;
	my @want = (('action=504 5.5.2 need fully-qualified hostname',
	    'action=DUNNO') x 50);
	my @got = map { $pd->ask($c, postfix(helo_name => $_ % 2 ?
	    'good.regress.test' : 'localhost', client_name =>
	    'good.regress.test')) } 0 .. 99;
	is_deeply(\@got, \@want, 'Postfix: 100 requests on one connection');

	# Two requests at once: the second is read once the first is
	# answered, and the answers come in order.
	print $c Filter::Policyd::request(postfix(helo_name => 'localhost')),
	    Filter::Policyd::request(postfix(helo_name => '192.0.2.10'));
	$c->flush;
	is(Filter::Policyd::answer($c),
	    'action=504 5.5.2 need fully-qualified hostname',
	    'Postfix: two requests at once: the first answer');
	is(Filter::Policyd::answer($c),
	    'action=501 5.5.2 use an address literal [192.0.2.10]',
	    'Postfix: then the second');
	close $c;
}

# Exim's ${readsocket}: one request, the write side shut; the answer,
# then the end of the connection.
is($pd->readsocket(postfix(helo_name => 'localhost')),
    "action=504 5.5.2 need fully-qualified hostname\n\n",
    '${readsocket}: the answer, then EOF');
is($pd->readsocket(postfix(helo_name => 'missing.regress.test')),
    "action=450 4.7.1 Host not found\n\n",
    '${readsocket}: an answer that waited for DNS, then EOF');
is($pd->readsocket(postfix(helo_name => 'good.regress.test',
    client_name => 'good.regress.test')), "action=DUNNO\n\n",
    '${readsocket}: DUNNO, then EOF');
{
	# Two requests, then the shutdown: the second is read while the
	# first is judged, and answered before the end.
	my $c = $pd->connect;
	print $c Filter::Policyd::request(postfix(helo_name =>
	    'missing.regress.test')), Filter::Policyd::request(postfix(
	    helo_name => 'localhost'));
	$c->flush;
	shutdown($c, 1);
	is(join('|', map { Filter::Policyd::answer($c) } 1 .. 3),
	    'action=450 4.7.1 Host not found|action=504 5.5.2 need '
	    . 'fully-qualified hostname|EOF',
	    '${readsocket}: two requests, then EOF: both answered, in turn');
}
{
	# A request cut short by the shutdown gets no answer.
	my $c = $pd->connect;
	print $c "request=smtpd_access_policy\nhelo_name=localhost\n";
	$c->flush;
	shutdown($c, 1);
	is(Filter::Policyd::answer($c), 'EOF',
	    '${readsocket}: a request cut short: closed, no answer');
}

# -P: one connection on stdin and stdout, for Postfix's spawn(8).
{
	my $conf = Filter::config($BASE);
	my $f = Filter->new('-P', '-d', '-f', $conf);
	$f->send_raw(Filter::Policyd::request(postfix(helo_name =>
	    'localhost')));
	is($f->line(5), 'action=504 5.5.2 need fully-qualified hostname',
	    '-P: the answer on stdout');
	is($f->line(5), '', '-P: and its empty line');
	$f->send_raw(Filter::Policyd::request(postfix(helo_name =>
	    'missing.regress.test')));
	is($f->line(5), 'action=450 4.7.1 Host not found',
	    '-P: the next request on the same connection');
	is($f->line(5), '', '-P: and its empty line');
	# As Exim would: the request, then the end of the input.
	$f->send_raw(Filter::Policyd::request(postfix(helo_name =>
	    '[198.51.100.7]')));
	is($f->finish, 0, '-P: exits 0 at the end of its input');
	is_deeply([ $f->pending_lines ], [ 'action=PREPEND X-HELO-Check: '
	    . 'verdict=junk checks=literal helo=[198.51.100.7]', '' ],
	    '-P: a request before the end is answered');
	like($f->stderr, qr/verdict=reject checks=non-fqdn/, '-P: the log');

	$f = Filter->new('-P', '-d', '-f', $conf);
	$f->send_raw("helo_name\n\n");
	is($f->finish, 0, '-P: a malformed request ends the run');
	is_deeply([ $f->pending_lines ], [], '-P: ... without an answer');
}

# ---------------------------------------------------------------------
# The signals, as for the other front ends.

# SIGHUP: the next request follows the new file, on a connection that
# was open before; a broken file is refused and the running one stays.
{
	my $s = Filter::Policyd->new($BASE);
	my $c = $s->connect;
	my @req = (helo_name => 'localhost', client_port => 8000);
	is($s->ask($c, postfix(@req)),
	    'action=504 5.5.2 need fully-qualified hostname',
	    'SIGHUP: before, non-fqdn rejects');
	$s->config($BASE . "check non-fqdn pass\n");
	$s->signal('HUP');
	ok($s->wait_log(qr/(reload: \S+: loaded)/), 'SIGHUP: loaded');
	is($s->ask($c, postfix(@req)), 'action=DUNNO',
	    'SIGHUP: after, on the same connection, it passes');
	$s->config($BASE . "check non-fqdn pass\ncheck nosuch reject\n");
	$s->signal('HUP');
	ok($s->wait_log(qr/(reload: \S+: 1 error, keeping the running)/),
	    'SIGHUP: a broken file is refused');
	is($s->ask($c, postfix(@req)), 'action=DUNNO',
	    'SIGHUP: the running configuration stays');
	is($s->finish, 0, 'SIGHUP: the server ran on');
}

# SIGUSR1: the counters of what was answered, in one log line.
{
	my $s = Filter::Policyd->new($BASE);
	$s->ask(undef, postfix(helo_name => 'localhost')) for 1 .. 3;
	$s->ask(undef, postfix(helo_name => 'good.regress.test',
	    client_name => 'good.regress.test'));
	$s->ask(undef, postfix(helo_name => '[198.51.100.7]'));
	$s->ask(undef, postfix(helo_name => 'localhost',
	    sasl_username => 'alice'));
	$s->signal('USR1');
	my ($line) = $s->wait_log(qr/^(stats: .*)$/m);
	like($line // '', qr/ verdicts=pass:2,report:0,junk:1,tempfail:0,reject:3,/,
	    'SIGUSR1: the verdicts counted');
	like($line // '', qr/ fired=.*non-fqdn:reject:3/,
	    'SIGUSR1: the checks that fired');
	like($line // '', qr/ exempt=.*authenticated:1/,
	    'SIGUSR1: the exemptions');
	$s->finish;
}

# ---------------------------------------------------------------------
# Hostile peers.  Meanwhile, a client asks and must be answered at once.
sub served {
	my ($what, $max) = @_;
	$max //= 1;
	my $t0 = time;
	my $got = $pd->ask(undef, postfix(helo_name => 'localhost'));
	my $took = time - $t0;
	is($got, 'action=504 5.5.2 need fully-qualified hostname',
	    "$what: another client is answered");
	cmp_ok($took, '<', $max, "$what: at once (" . sprintf('%.3f', $took)
	    . ' s)');
}

# The server holds nothing of a request that it has not answered.
# Memory is measured in the plain build only.
my $NO_RSS = $ENV{SANITIZE} ? 'built with sanitizers (make test '
    . 'SANITIZE=1): memory is measured in the plain build' : undef;
sub rss_growth {
	my ($before, $what, $max) = @_;
	SKIP: {
		skip($NO_RSS, 1) if $NO_RSS;
		my $now = $pd->rss;
		cmp_ok($now - $before, '<', $max, "$what: the server's memory "
		    . "grew by " . ($now - $before) . " KiB, under $max");
	}
}

# Malformed requests close their own connection, without an answer.
for my $t ([ 'not name=value', "request=smtpd_access_policy\nhelo_name\n\n",
    qr/not name=value, closing/ ], [ 'an empty request', "\n",
    qr/empty request, closing/ ], [ 'a client_address that is none',
    Filter::Policyd::request(postfix(client_address => 'x')),
    qr/malformed request, closing/ ], [ 'a NUL in a value',
    Filter::Policyd::request(postfix(helo_name => "a\0b")), undef ]) {
	my ($name, $bytes, $log) = @$t;
	my $other = $pd->connect;
	is($pd->ask($other, postfix(helo_name => 'localhost')),
	    'action=504 5.5.2 need fully-qualified hostname',
	    "malformed, $name: a connection opened before");
	my $c = $pd->connect;
	print $c $bytes;
	$c->flush;
	my $got = Filter::Policyd::answer($c);
	if ($name eq 'a NUL in a value') {
		# The value ends at the NUL: judged as "a", or refused.
		like($got, qr/^(EOF|action=504 )/,
		    "malformed, $name: no accept");
	} else {
		is($got, 'EOF', "malformed, $name: closed, no answer");
		like($pd->stderr, $log, "malformed, $name: why, in the log");
	}
	is($pd->ask($other, postfix(helo_name => 'localhost')),
	    'action=504 5.5.2 need fully-qualified hostname',
	    "malformed, $name: the other connection is still served");
}

# A line of 1 MiB: the connection is closed, its bytes never held.
{
	my $rss = $pd->rss;
	my $c = $pd->connect;
	local $SIG{PIPE} = 'IGNORE';
	print $c "request=smtpd_access_policy\nhelo_name=", 'a' x 1048576,
	    "\n\n";
	$c->flush;
	is(Filter::Policyd::answer($c), 'EOF',
	    'a 1 MiB attribute line: closed, no answer');
	like($pd->stderr, qr/attribute line too long, closing/,
	    'a 1 MiB attribute line: why, in the log');
	rss_growth($rss, 'a 1 MiB attribute line', 256);
	served('a 1 MiB attribute line');
}

# Thousands of attributes: Postfix sends about 30; 200 unknown ones are
# skipped, 5,000 close the connection.
{
	my @unknown = map { ("x_attribute_$_", 'value') } 1 .. 200;
	is($pd->ask(undef, @unknown, postfix(helo_name => 'localhost')),
	    'action=504 5.5.2 need fully-qualified hostname',
	    '200 unknown attributes are skipped');
	my $rss = $pd->rss;
	@unknown = map { ("x_attribute_$_", 'value') } 1 .. 5000;
	is($pd->ask(undef, @unknown, postfix(helo_name => 'localhost')), 'EOF',
	    '5,000 attributes: closed, no answer');
	like($pd->stderr, qr/too many attributes, closing/,
	    '5,000 attributes: why, in the log');
	rss_growth($rss, '5,000 attributes', 256);
	served('5,000 attributes');
}

# A client that never reads its answers: once they fill its socket, the
# server reads nothing more of it, and holds one answer.
{
	my $rss = $pd->rss;
	my $c = $pd->connect;
	$c->blocking(0);
	my $req = Filter::Policyd::request(postfix(helo_name => 'localhost',
	    client_port => 9000));
	my ($sent, $quiet) = (0, time);
	local $SIG{PIPE} = 'IGNORE';
	while (time - $quiet < 1) {
		my $n = syswrite($c, $req);
		if ($n) {
			$sent += $n;
			$quiet = time;
		} else {
			die "write: $!" unless $!{EAGAIN} || $!{EWOULDBLOCK};
			sleep 0.01;
		}
		last if $sent > 64 << 20;
	}
	cmp_ok($sent, '<', 4 << 20, 'a client that never reads: the server '
	    . "stops reading it ($sent bytes taken)");
	rss_growth($rss, 'a client that never reads', 512);
	served('a client that never reads');
	# Closed after 30 s: see the end.
	$slow->{unread} = $c;
	$slow->{unread_at} = $quiet;
}

# More connections than the server may hold (its descriptors less a
# reserve) are closed at once, and the ones it holds are served.
{
	my $s = Filter::Policyd->new({ fds => 128 }, $BASE);
	my ($max) = $s->stderr =~ /(\d+) connections at most/;
	is($max, 96, 'a limit of 128 descriptors: 96 connections at most');
	my @held = map { $s->connect or die "connect: $!" } 1 .. $max;
	my $over = $s->connect;
	is(Filter::Policyd::answer($over, 5), 'EOF',
	    'one connection more: closed at once');
	like($s->stderr, qr/96 connections already, turning more away/,
	    'one connection more: why, in the log');
	is($s->ask($held[-1], postfix(helo_name => 'localhost')),
	    'action=504 5.5.2 need fully-qualified hostname',
	    'the connections held are served');
	close $_ for splice(@held, 0, 10);
	my $again;
	for (1 .. 50) {
		$again = $s->ask(undef, postfix(helo_name => 'localhost'));
		last if $again ne 'EOF';
		sleep 0.05;
	}
	is($again, 'action=504 5.5.2 need fully-qualified hostname',
	    'once some are closed, a new one is served');
	$s->finish;
}

# 10,000 connections at once: held, then all asking at once, while
# another client is answered; the memory they cost is reported.
{
	my $rss0 = $pd->rss;
	my $t0 = time;
	my @c;
	for (1 .. $MANY) {
		my $c = $pd->connect;
		unless ($c) {
			diag("connection " . (@c + 1) . ": $!");
			last;
		}
		push @c, $c;
	}
	is(scalar(@c), $MANY, "$MANY connections at once");
	note(sprintf('%d connections opened in %.2f s', scalar(@c),
	    time - $t0));
	served("$MANY connections held");
	my $rss1 = $pd->rss;
	my $per = ($rss1 - $rss0) / $MANY;
	diag(sprintf("$MANY idle connections: server RSS %d KiB, was %d KiB: "
	    . '%.2f KiB each', $rss1, $rss0, $per));
	SKIP: {
		skip($NO_RSS, 1) if $NO_RSS;
		cmp_ok($per, '<', 8, "$MANY idle connections: under 8 KiB "
		    . 'each');
	}

	# Every one asks at once, twice: the second round must cost no
	# memory the first did not.
	my ($took, @rss);
	for my $round (1, 2) {
		$t0 = time;
		my $req = Filter::Policyd::request(postfix(helo_name =>
		    'localhost'));
		local $SIG{PIPE} = 'IGNORE';
		syswrite($_, $req) == length($req) or die "write: $!" for @c;
		# Its turn comes among all of theirs.
		served("$MANY requests at once, round $round", 5);
		my %got;
		my $sel = IO::Select->new(@c);
		while ($sel->count && (my @r = $sel->can_read(10))) {
			for my $c (@r) {
				my $a = Filter::Policyd::answer($c, 0.01);
				next unless defined $a;
				$got{$a}++;
				$sel->remove($c);
			}
		}
		$got{'(none)'} = $sel->count if $sel->count;
		is_deeply(\%got, { 'action=504 5.5.2 need fully-qualified '
		    . 'hostname' => $MANY },
		    "$MANY requests at once, round $round: all answered");
		$took = time - $t0;
		push @rss, $pd->rss;
		diag(sprintf("$MANY requests at once, round $round: answered "
		    . 'in %.2f s; server RSS %d KiB, %.2f KiB a connection',
		    $took, $rss[-1], ($rss[-1] - $rss0) / $MANY));
	}
	SKIP: {
		skip($NO_RSS, 2) if $NO_RSS;
		cmp_ok(($rss[0] - $rss0) / $MANY, '<', 16, "$MANY connections "
		    . 'after a request each: under 16 KiB each (the buffers '
		    . 'of a line and of an answer)');
		cmp_ok($rss[1] - $rss[0], '<', 1024, "$MANY connections: a "
		    . 'second request each costs no more memory ('
		    . ($rss[1] - $rss[0]) . ' KiB)');
	}
	close $_ for @c;
	@c = ();
	served("$MANY connections closed");
}

# The peers that never finish, started at the beginning: each is closed
# 30 s after its request began, without an answer, and the client that
# never read its answers 30 s after they stopped leaving.
{
	my %closed = $slow->{wait}->();
	for my $t ([ 'a request that never ends (a line every 5 s)',
	    'lines' ], [ 'a line that never ends (a byte every 5 s)',
	    'partial' ], [ 'a line of 1 MiB that never ends', 'long' ]) {
		my ($name, $key) = @$t;
		my ($at, $what) = @{$closed{$key} // [ -1, 'not closed' ]};
		is($what, 'EOF', "$name: closed without an answer");
		ok($at >= $REQUEST_SEC - 0.5 && $at < $REQUEST_SEC + 3,
		    "$name: after $REQUEST_SEC s ($at s)");
	}
	# Closed once its answer waited 30 s: the server hangs up before
	# anything is read here (reading would let the answer go).
	my $c = $slow->{unread};
	my $poll = IO::Poll->new;
	$poll->mask($c => POLLHUP);
	my $from = time - $slow->{unread_at};
	my $hup;
	while (time - $slow->{unread_at} < $REQUEST_SEC + 5) {
		$poll->poll(0.05);
		if ($poll->events($c) & POLLHUP) {
			$hup = time - $slow->{unread_at};
			last;
		}
	}
	ok(defined $hup, 'a client that never reads: closed') or
	    diag($pd->stderr);
	ok(defined $hup && $hup < $REQUEST_SEC + 3 && ($from > $REQUEST_SEC ||
	    $hup >= $REQUEST_SEC - 0.5), 'a client that never reads: 30 s '
	    . 'after its answers stopped leaving (' . ($hup // 'never') . ' s'
	    . ($from > $REQUEST_SEC ? ', seen late' : '') . ')');
	$c->blocking(1);
	my %got;
	while (defined(my $r = Filter::Policyd::answer($c, 5))) {
		$got{$r =~ /^EOF/ ? 'EOF' : $r}++;
		last if $r =~ /^EOF/;
	}
	is_deeply([ sort keys %got ], [ 'EOF', 'action=504 5.5.2 need '
	    . 'fully-qualified hostname' ], 'a client that never reads: the '
	    . 'answers sent, whole, then the end');
	like($pd->stderr, qr/answer not read for 30 s, closing/,
	    'a client that never reads: in the log');
	like($pd->stderr, qr/request unfinished for 30 s, closing/,
	    'a request that never ends: in the log');
}

served('at the end');
is($pd->finish, 0, 'SIGTERM: exit 0');

done_testing();

# Peers that start a request and never finish it, in a process of their
# own so that the test goes on meanwhile: one sends an attribute line
# every 5 s, one a byte of a line every 5 s, one a line of 1 MiB and no
# newline.  Each notes when the server closed it (POLLHUP, nothing
# read) and what it got.  Returns {wait} to collect that.
sub slow_peers {
	my ($s) = @_;
	pipe(my $r, my $w) or die "pipe: $!";
	my $pid = fork // die "fork: $!";
	if ($pid) {
		close $w;
		return { wait => sub {
			local $/;
			my $text = <$r>;
			waitpid($pid, 0);
			return map { my ($k, $t, $what) = split ' ', $_, 3;
			    ($k => [ $t, $what ]) } split /\n/, $text // '';
		} };
	}
	close $r;
	local $SIG{PIPE} = 'IGNORE';
	my %c = map { $_ => $s->connect } qw(lines partial long);
	my $t0 = time;
	syswrite($c{lines}, "request=smtpd_access_policy\n");
	syswrite($c{partial}, "request=smtpd_acc");
	$c{long}->blocking(0);
	my $long = "helo_name=" . 'a' x 1048576;
	my $off = 0;
	my %done;
	my $next = $t0 + 5;
	my $poll = IO::Poll->new;
	$poll->mask($c{$_} => POLLHUP | POLLIN) for keys %c;
	while (keys %done < keys %c && time - $t0 < $REQUEST_SEC + 10) {
		if ($off < length $long) {
			my $n = syswrite($c{long}, $long, 65536, $off);
			$off += $n if $n;
		}
		$poll->poll(0.05);
		for my $k (keys %c) {
			next if $done{$k} || !($poll->events($c{$k}) &
			    (POLLHUP | POLLIN));
			my $got = '';
			$c{$k}->blocking(1);
			1 while sysread($c{$k}, $got, 4096, length $got);
			$done{$k} = sprintf('%.2f %s', time - $t0,
			    $got eq '' ? 'EOF' : "got $got");
			$poll->remove($c{$k});
		}
		if (time >= $next) {
			syswrite($c{lines}, "x_line=" . int(time - $t0) . "\n")
			    unless $done{lines};
			syswrite($c{partial}, 'e') unless $done{partial};
			$next += 5;
		}
	}
	print $w map { "$_ $done{$_}\n" } sort keys %done;
	close $w;
	_exit(0);
}
