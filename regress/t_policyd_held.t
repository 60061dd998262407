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

# The policy server's verdict line, held for the lookups of checks set
# to report.  special-name (report) fires at once on a name under
# .test, so private, also report, cannot change the verdict: Postfix is
# answered at once, while the HELO's A and AAAA are still asked.  The
# line, the counters and the memory wait until those lookups answer
# (private fired) or the request's deadline passes (private unknown),
# the connection free meanwhile for its next request.  A reload writes
# the lines held under the policy that judged them, with what is known,
# and so does the end of the run; -P, whose run ends with its one
# connection, waits for them first.  The lookups are asked of a
# resolver of the test's own, which answers only when told.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Filter;
use POSIX qw(WNOHANG);
use Test::More;
use Time::HiRes qw(time sleep);

plan skip_all => "no $Filter::BIN (run make)" unless -x $Filter::BIN;

my $TIMEOUT = 3;
my $dns = Filter::Resolver->new;
# Only special-name and private read anything; no memory across
# requests, which share a client address.
my $CONF = 'resolver 127.0.0.1@' . $dns->port . "\ndns-timeout $TIMEOUT\n"
    . "check special-name report\ncheck private report\n"
    . join('', map { "check $_ pass\n" } qw(spf-helo dns forward cname
    rdns rdns-match dynamic rotation forged-before changed));

# A request as Postfix sends it at RCPT TO, from a client whose name it
# confirmed: nothing to ask about the client.
my $next_port = 41000;
sub request {
	my ($helo) = @_;
	return (request => 'smtpd_access_policy', protocol_state => 'RCPT',
	    client_address => '192.0.2.10', client_port => $next_port++,
	    client_name => 'good.regress.test', helo_name => $helo,
	    sender => 'alice@other.test', recipient => 'bob@regress.test',
	    instance => "i$next_port");
}

# The verdict lines of a HELO name in a log.
sub lines_of {
	my ($log, $helo) = @_;
	return $log =~ /^(\S+ ip=\S+ rdns=\S+ helo=\Q$helo\E .*)$/mg;
}

# The verdicts counted (SIGUSR1), and private's firings.
sub counted {
	my ($pd) = @_;
	my $before = () = $pd->stderr =~ /^stats: /mg;
	$pd->signal('USR1');
	my @l = $pd->wait_log(qr/^(stats: .*)$/m, $before);
	my ($report) = ($l[-1] // '') =~ / verdicts=pass:\d+,report:(\d+),/;
	my ($private) = ($l[-1] // '') =~ /[=,]private:report:(\d+)/;
	return ($report // -1, $private // 0);
}

my $pd = Filter::Policyd->new($CONF);
my $c = $pd->connect or die "connect: $!";

# Answered at once; the line once the lookups answer.
{
	my $t0 = time;
	is($pd->ask($c, request('one.held.test')), 'action=DUNNO',
	    'answered with the lookups in flight');
	my $took = time - $t0;
	ok($took < 1, "  at once ($took s)");
	is_deeply([ sort $dns->take(2) ], [ 'one.held.test A',
	    'one.held.test AAAA' ], '  private\'s lookups asked');
	sleep 0.3;
	is_deeply([ lines_of($pd->stderr, 'one.held.test') ], [],
	    '  no line yet: it waits for them');

	# The same connection, its next request, while the line waits.
	$t0 = time;
	is($pd->ask($c, request('localhost')),
	    'action=504 5.5.2 need fully-qualified hostname',
	    'the next request on the connection, while the line is held');
	$took = time - $t0;
	ok($took < 1, "  at once ($took s)");
	is_deeply([ lines_of($pd->stderr, 'one.held.test') ], [],
	    '  the first line still held');

	is($dns->answer(qr/^one\.held\.test$/), 2, 'the lookups answer');
	my @l = $pd->wait_log(qr/^(\S+ ip=.* helo=one\.held\.test .*)$/m);
	like($l[-1] // '', qr/^\d+\.1\ ip=192\.0\.2\.10
	    \ rdns=good\.regress\.test\ helo=one\.held\.test\ verdict=report
	    \ checks=special-name,private$/x,
	    '  then the line: private fired, nothing waiting');
	# localhost's, if it waited too, with whatever its lookups said
	$dns->answer(qr/^localhost$/);
	@l = $pd->wait_log(qr/^(\S+ ip=.* helo=localhost .*)$/m);
	like($l[-1] // '', qr/^\d+\.2 .* verdict=reject checks=non-fqdn/,
	    '  and the second request\'s');
}

# A lookup that never answers: the line at the request's deadline.
{
	my $t0 = time;
	is($pd->ask(undef, request('two.held.test')), 'action=DUNNO',
	    'a lookup that never answers: answered at once');
	my @l = $pd->wait_log(qr/^(\S+ ip=.* helo=two\.held\.test .*)$/m,
	    0, $TIMEOUT + 3);
	my $took = time - $t0;
	like($l[-1] // '',
	    qr/ verdict=report checks=special-name unknown=private$/,
	    '  the line: private unknown');
	ok($took > $TIMEOUT - 0.5 && $took < $TIMEOUT + 1.5,
	    "  at the deadline, $TIMEOUT s ($took s)");
	$dns->take;
	$dns->{held} = [];
}

# Exim's ${readsocket}: the connection ends with the answer; the line
# does not.
{
	is($pd->readsocket(request('three.held.test')), "action=DUNNO\n\n",
	    '${readsocket}: the answer, then EOF');
	$dns->take(2);
	sleep 0.2;
	is_deeply([ lines_of($pd->stderr, 'three.held.test') ], [],
	    '  no line yet');
	$dns->answer(qr/^three\.held\.test$/);
	my @l = $pd->wait_log(qr/^(\S+ ip=.* helo=three\.held\.test .*)$/m);
	like($l[-1] // '', qr/ checks=special-name,private$/,
	    '  the line once the lookups answer');
}

# The counters count a verdict once, with its line.
{
	my ($report, $private) = counted($pd);
	is($pd->ask($c, request('four.held.test')), 'action=DUNNO',
	    'counters: answered');
	$dns->take(2);
	is_deeply([ counted($pd) ], [ $report, $private ],
	    '  nothing counted while the line is held');
	$dns->answer(qr/^four\.held\.test$/);
	$pd->wait_log(qr/^(\S+ ip=.* helo=four\.held\.test .*)$/m);
	is_deeply([ counted($pd) ], [ $report + 1, $private + 1 ],
	    '  counted once with the line: report, private fired');
}

# SIGHUP: the line held is written at once under the policy that
# judged it (private report, still waiting); the next follows the new.
{
	is($pd->ask($c, request('five.held.test')), 'action=DUNNO',
	    'SIGHUP: answered');
	$dns->take(2);
	$pd->config($CONF . "check private pass\n");
	my $t0 = time;
	$pd->signal('HUP');
	my @l = $pd->wait_log(qr/^(\S+ ip=.* helo=five\.held\.test .*)$/m);
	my $took = time - $t0;
	like($l[-1] // '', qr/ checks=special-name waiting=private$/,
	    '  the held line at once, with what was known');
	ok($took < 1, "  before its deadline ($took s)");
	ok($pd->wait_log(qr/(reload: \S+: loaded)/), '  reloaded');
	is($pd->ask($c, request('six.held.test')), 'action=DUNNO',
	    '  the next request');
	@l = $pd->wait_log(qr/^(\S+ ip=.* helo=six\.held\.test .*)$/m);
	like($l[-1] // '', qr/ checks=special-name$/,
	    '  under the new policy, not held');
	$dns->answer(qr/^five\.held\.test$/);
	$pd->config($CONF);
	$pd->signal('HUP');
	$pd->wait_log(qr/(reload: \S+: loaded)/, 1);
}

# SIGTERM: the line held is written as it is, then the server exits.
{
	is($pd->ask($c, request('seven.held.test')), 'action=DUNNO',
	    'SIGTERM: answered');
	$dns->take(2);
	is($pd->finish, 0, '  exits 0');
	is_deeply([ map { / (checks=.*)$/ } lines_of($pd->stderr,
	    'seven.held.test') ], [ 'checks=special-name waiting=private' ],
	    '  the held line written once, with what was known');
	is(scalar(() = $pd->stderr =~ /^\S+ ip=/mg), 8,
	    '  one line for each of the 8 verdicts');
}

# -P: the run ends with its connection, once the lines it left are
# written.  At most four held: the fifth line is written at once.
{
	my $f = Filter->new('-P', '-d', '-f', Filter::config($CONF));
	$f->send_raw(join('', map { Filter::Policyd::request(
	    request("p$_.held.test")) } 1 .. 5));
	is_deeply([ map { $f->line(5) } 1 .. 10 ],
	    [ ('action=DUNNO', '') x 5 ], '-P: five requests answered');
	$dns->take(2);
	my $log = '';
	my $end = time + 5;
	sleep 0.05 until ($log = $f->stderr) =~ /helo=p5\.held\.test/ ||
	    time > $end;
	like($log, qr/^1\.5 .* helo=p5\.held\.test .* waiting=private$/m,
	    '-P: a fifth line held is one too many: written at once');
	like($log, qr/policy server: 4 lines wait for lookups already/,
	    '  and said so');
	unlike($log, qr/helo=p[1-4]\.held\.test/, '  the other four held');
	close $f->{in};
	sleep 0.3;
	is(waitpid($f->{pid}, WNOHANG), 0,
	    '-P: the input ended: still running for the lines held');
	$dns->answer(qr/^p[1-4]\.held\.test$/);
	is($f->finish, 0, '  then exits 0');
	is_deeply([ map { / (checks=.*)$/ } map { lines_of($f->stderr,
	    "p$_.held.test") } 1 .. 4 ],
	    [ ('checks=special-name,private') x 4 ],
	    '  with the four lines, private fired');
}

done_testing();
