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

# The zone data of an OpenSPF suite scenario served by a real DNS
# server: an unbound daemon on loopback, one per scenario, that answers
# from that data alone.  Used by regress/t_spf_suite.t.
#
# The suite's zone data means what its reference driver (pyspf's
# test/testspf.py) makes of it:
#
# - "SPF: TEXT" is a record of type SPF (99), and also of type TXT
#   unless the name lists TXT records of its own (any "TXT:" entry,
#   "TXT: NONE" included): the suite relies on this copy to test TXT
#   evaluators with records it writes as SPF.
# - "TXT: NONE", "SPF: NONE": no record.
# - A record given as a list is one record of several strings; the empty
#   list is a record with no strings, which DNS cannot carry: it is
#   served as one empty string, the closest record there is.  Escapes
#   such as "\x80" are octets, and reach the client as they are.
# - MX is [preference, name]; A, AAAA, PTR and CNAME are as in DNS.
# - Records listed twice are one: DNS has sets of records (example7.com's
#   two "v=spf1 -all", whose test allows the fail that one gives).
# - TIMEOUT: a query about that name for which the data has no answer
#   gets none at all, so that the client times out.  pyspf appends the
#   TXT copies of SPF records after the TIMEOUT mark, where they never
#   answer, so those names get no copy.
#
# The records go into one zone for the root, served authoritatively, so
# that absent names are NXDOMAIN, names with data of other types
# NODATA, and CNAME chains are followed (and their loops cut) as an
# authoritative server does.  A name with TIMEOUT is a local zone of
# type deny with its records as local data: unbound answers queries
# those match and drops the rest, with every name under it that the
# data does not list (pyspf would say that those do not exist;
# dropped_unlisted() tells when a test asks about one).  Every other
# name is a transparent local zone, a hole through the zones unbound
# serves empty by default (192.0.2.0/24's reverse, 2001:db8::/32's,
# private ranges).
package SpfSuite;

use strict;
use warnings;
use File::Temp qw(tempdir);
use POSIX qw(:sys_wait_h);
use Time::HiRes qw(time sleep);

my $TTL = 300;

# The scenarios of the suite's YAML file in their order, each a hash
# with description, tests and zonedata; or undef and why not.
sub load {
	my ($file) = @_;
	return (undef, 'YAML::XS missing (Debian: libyaml-libyaml-perl)')
	    unless eval { require YAML::XS; 1 };
	my @docs = eval { YAML::XS::LoadFile($file) };
	return (undef, "$file: $@") unless @docs;
	return \@docs;
}

# YAML's "\x80" is the code point U+0080: the suite means the octet.
sub octets {
	my ($s) = @_;
	die "not an octet string: $s\n" if $s =~ /[^\x00-\xff]/;
	utf8::downgrade($s);
	return $s;
}

# A domain name in presentation format, absolute, every octet that is
# not a letter, digit, hyphen or underscore escaped as \DDD (the suite
# has names with spaces, colons, slashes and percent signs).
sub dname {
	my ($name) = @_;
	$name = octets($name) =~ s/\.$//r;
	return '.' if $name eq '';
	return join('.', map { escape($_, 'A-Za-z0-9_-') }
	    split(/\./, $name, -1)) . '.';
}

# The octets of S outside SAFE, the inside of a character class, as \DDD.
sub escape {
	my ($s, $safe) = @_;
	return $s =~ s/([^$safe])/sprintf('\\%03d', ord $1)/ger;
}

# TXT and SPF rdata: quoted character-strings, octets beyond plain
# ASCII text escaped (also quotes, so that the line can go into
# unbound's configuration between single quotes), a string longer than
# a character-string's 255 octets split as a zone's author would.
sub strings {
	my ($value) = @_;
	my @s = ref $value ? @$value : ($value);
	@s = ('') unless @s;
	@s = map { my $o = octets($_); $o eq '' ? '' : unpack('(a255)*', $o) }
	    @s;
	return join(' ', map { '"' .
	    escape($_, 'A-Za-z0-9 .,:;=+~?/%{}_!@*()&<>|\[\]^-') . '"' } @s);
}

my %RDATA = (
	A	=> sub { $_[0] },
	AAAA	=> sub { $_[0] },
	CNAME	=> \&dname,
	PTR	=> \&dname,
	MX	=> sub { "$_[0][0] " . dname($_[0][1]) },
	SPF	=> \&strings,
	TXT	=> \&strings,
);

# The zone data as DNS records: presentation name => { timeout => 0 or
# 1, rrs => [[TYPE, RDATA], ...] }.
sub records {
	my ($zonedata) = @_;
	my (%zone, %seen);
	for my $name (sort keys %$zonedata) {
		my (@rrs, $has_txt, $timeout);
		for my $entry (@{$zonedata->{$name}}) {
			if (!ref $entry) {
				die "$name: unknown entry $entry\n"
				    unless $entry eq 'TIMEOUT';
				$timeout = 1;
				next;
			}
			my ($type, $value) = %$entry;
			my $rdata = $RDATA{$type} or
			    die "$name: unknown type $type\n";
			$has_txt = 1 if $type eq 'TXT';
			next if !ref $value && $value eq 'NONE';
			push @rrs, [$type, $rdata->($value)];
		}
		push @rrs, map { ['TXT', $_->[1]] } grep { $_->[0] eq 'SPF' }
		    @rrs unless $has_txt || $timeout;
		my $key = dname($name);
		die "$name: listed twice\n" if $seen{lc $key}++;
		$zone{$key} = { timeout => $timeout ? 1 : 0, rrs => \@rrs };
	}
	return \%zone;
}

# The root zone of the records, as a zone file.
sub zone_file {
	my ($zone) = @_;
	my $text = "\$TTL $TTL\n"
	    . ". SOA ns.spf-suite.invalid. hostmaster.spf-suite.invalid. "
	    . "1 3600 600 86400 60\n"
	    . ". NS ns.spf-suite.invalid.\n";
	for my $name (sort keys %$zone) {
		$text .= "$name $_->[0] $_->[1]\n" for @{$zone->{$name}{rrs}};
	}
	return $text;
}

# unbound's configuration: DIR/zone at the root, the local zones of the
# TIMEOUT names and the holes, the log of queries in DIR/unbound.log.
sub unbound_conf {
	my ($zone, $dir, $port) = @_;
	my $text = <<"EOF";
server:
	verbosity: 1
	interface: 127.0.0.1\@$port
	port: $port
	# Safety belt: even a mistake here cannot send a query off the
	# machine.
	outgoing-interface: 127.0.0.1
	username: ""
	chroot: ""
	directory: "$dir"
	pidfile: ""
	use-syslog: no
	logfile: "$dir/unbound.log"
	log-queries: yes
	access-control: 127.0.0.0/8 allow
	module-config: "iterator"
	num-threads: 1
	# A port in use must fail the start, not be shared.
	so-reuseport: no
	qname-minimisation: no
EOF
	for my $name (sort keys %$zone) {
		my $z = $zone->{$name};
		if (!$z->{timeout}) {
			$text .= "\tlocal-zone: \"$name\" transparent\n";
			next;
		}
		$text .= "\tlocal-zone: \"$name\" deny\n";
		$text .= "\tlocal-data: '$name $TTL IN $_->[0] $_->[1]'\n"
		    for @{$z->{rrs}};
	}
	$text .= <<"EOF";
auth-zone:
	name: "."
	zonefile: "$dir/zone"
	for-downstream: yes
	for-upstream: no
	fallback-enabled: no
remote-control:
	control-enable: no
EOF
	return $text;
}

sub write_file {
	my ($path, $text) = @_;
	open(my $fh, '>', $path) or die "$path: $!\n";
	print $fh $text;
	close $fh or die "$path: $!\n";
}

my %running;	# pid => 1, for the END block

# A server for ZONEDATA: returns { pid, port, dir, zone }, or dies.
# Ready once unbound logs "start of service" (regress/dns/dns.sh waits
# the same way); a port in use makes it exit, and another is tried.  It
# is our own child, reaped by stop() at once: a daemon left to init (as
# dns.sh's are) lingers for seconds as a zombie, which sixteen
# scenarios would add up.  A child of ours only execs, or leaves by
# _exit: exit would run the END blocks, and stop the parent's servers.
sub start {
	my ($zonedata, $tmp) = @_;
	my $zone = records($zonedata);
	my $dir = tempdir('scenario.XXXXXX', DIR => $tmp, CLEANUP => 1);
	write_file("$dir/zone", zone_file($zone));
	for my $try (0 .. 9) {
		my $port = 20000 + ($$ * 11 + $try * 103 + 7) % 20000;
		write_file("$dir/unbound.conf",
		    unbound_conf($zone, $dir, $port));
		write_file("$dir/unbound.log", '');
		my $pid = fork() // die "fork: $!\n";
		if ($pid == 0) {
			open(STDIN, '<', '/dev/null');
			open(STDOUT, '>', "$dir/unbound.stderr");
			open(STDERR, '>&', \*STDOUT);
			exec('unbound', '-d', '-c', "$dir/unbound.conf") or
			    POSIX::_exit(127);
		}
		$running{$pid} = 1;
		my $srv = { pid => $pid, port => $port, dir => $dir,
		    zone => $zone };
		my ($end, $exited) = (time + 10, 0);
		while (time < $end) {
			return $srv if slurp("$dir/unbound.log") =~
			    /start of service/;
			last if ($exited = waitpid($pid, WNOHANG) == $pid);
			sleep 0.02;
		}
		if ($exited) {
			delete $running{$pid};
		} else {
			stop($srv);
		}
	}
	die "unbound did not start: " . slurp("$dir/unbound.stderr") .
	    slurp("$dir/unbound.log");
}

sub stop {
	my ($srv) = @_;
	my $pid = $srv->{pid};
	kill 'TERM', $pid;
	my ($end, $gone) = (time + 5, 0);
	until (($gone = waitpid($pid, WNOHANG) == $pid) || time > $end) {
		sleep 0.01;
	}
	if (!$gone) {
		kill 'KILL', $pid;
		waitpid($pid, 0);
	}
	delete $running{$pid};
}

sub kill_all {
	for my $pid (keys %running) {
		kill 'KILL', $pid;
		waitpid($pid, 0);
	}
	%running = ();
}

# A test killed by a signal (its reader gone, ^C) would leave its
# server running.  Not in END alone: a SIGPIPE in another END block
# (Test::More's last words) would end the program before this one.
$SIG{$_} = sub { kill_all(); File::Temp::cleanup(); exit 1 }
    for qw(HUP INT PIPE TERM);

END {
	local $?;
	kill_all();
}

sub slurp {
	my ($path) = @_;
	open(my $fh, '<', $path) or return '';
	local $/;
	return scalar <$fh>;
}

# The queries the server dropped for names under a TIMEOUT name that
# the data does not list, as "NAME TYPE": where pyspf's driver would
# have said that the name does not exist.
sub dropped_unlisted {
	my ($srv) = @_;
	my $zone = $srv->{zone};
	my @timeout = grep { $zone->{$_}{timeout} } keys %$zone;
	my %listed = map { lc $_ => 1 } keys %$zone;
	my @q = map { / info: \S+ (\S+) (\S+) IN$/ ? [lc $1, $2] : () }
	    split(/\n/, slurp("$srv->{dir}/unbound.log"));
	return map { "$_->[0] $_->[1]" } grep { my $n = $_->[0];
	    !$listed{$n} && grep { $n =~ /\.\Q$_\E$/i } @timeout } @q;
}

# Run the driver: DRIVER RESOLVER TIMEOUT_MS IP MAILFROM HELO.  Returns
# { result, explanation, status, output, stderr }; a driver that hangs
# is killed after the timeout and five seconds more.
sub check {
	my ($driver, $srv, $timeout_ms, $test) = @_;
	my @cmd = ($driver, "127.0.0.1\@$srv->{port}", $timeout_ms,
	    map { octets($_ // '') } @$test{qw(host mailfrom helo)});
	my $errfile = "$srv->{dir}/driver.stderr";
	my $pid = open(my $fh, '-|') // die "fork: $!\n";
	if ($pid == 0) {
		open(STDERR, '>', $errfile);
		exec { $cmd[0] } @cmd or print STDERR "$cmd[0]: $!\n";
		POSIX::_exit(127);
	}
	my $output = '';
	{
		local $SIG{ALRM} = sub { kill 'KILL', $pid };
		alarm(int($timeout_ms / 1000) + 5);
		local $/;
		$output = <$fh> // '';
		alarm(0);
	}
	close $fh;
	my %r = (status => $?, output => $output, stderr => slurp($errfile));
	my @lines = split(/\n/, $output);
	$r{result} = $lines[0];
	($r{explanation}) = ($lines[1] // '') =~ /^explanation: (.*)$/s;
	return \%r;
}

1;
