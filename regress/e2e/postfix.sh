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

#
# The Postfix of the end-to-end harness, sourced by harness.sh when MTA
# is postfix: Debian's Postfix 3.7 as regress/postfix37.sh unpacked it
# (POSTFIX_ROOT), configured by postfix-main.cf.snippet and
# postfix-master.cf.snippet, asking "filter-helo -S", which it runs
# beside Postfix, and "filter-helo -P" through spawn(8).
#
# Postfix runs as "master -d" in the server namespace and a mount
# namespace of its own (the one "ip netns exec" makes), where:
#	/etc/passwd, /etc/group	copies with the users Postfix needs
#				(postfix; groups postfix and postdrop)
#				when the host has none
#	/dev			DIR/dev: null, zero, random and urandom
#				bound from the host's, and log, the
#				socket of DIR/bin/syslog.pl, which
#				writes DIR/syslog (Postfix's log and the
#				spawned filter's)
# Its files in DIR:
#	postfix/main.cf		the test's settings (the queue, the
#				programs' directories, delivery), then
#				postfix-main.cf.snippet as it is
#	postfix/master.cf	the services the test needs: smtpd on
#				port 25 (the daemon) and 2525 (spawn),
#				and postfix-master.cf.snippet with its
#				service, user, program and configuration
#				renamed for the test
#	spool/			the queue; spool/private/filter-helo is
#				the socket of filter-helo -S
#	maildir/bob/, carol/, postmaster/	deliveries, as nobody
#	master.pid master.out	Postfix's master and what it printed
#	policyd.pid policyd.log	filter-helo -S -d and its log (stderr)
#	bin/policyd.sh		what starts it
#	syslog			everything logged to /dev/log
# The filter's configuration is DIR/default.conf with local-name
# mx.regress.test: Postfix does not send its name.

# The listeners Postfix must answer on before "up" returns.
PF_LISTENERS="192.0.2.1:25 [2001:db8::1]:25 192.0.2.1:2525"
# What the snippets say, that the test replaces (each exactly once).
PF_SNIPPET_BIN=/usr/local/libexec/smtpd/filter-helo
PF_SNIPPET_CONF=/etc/mail/filter-helo.conf
PF_SNIPPET_USER=_filter-helo
PF_SNIPPET_SERVICE=filter-helo

# The snippet's count of a fixed string, which must be 1.
pf_once()
{
	[ "$(grep -cF -- "$2" "$1")" -eq 1 ] ||
	    fail "$(basename "$1"): expected one line with $2"
}

# An id that neither /etc/passwd nor /etc/group has, from 64990 down.
pf_free_id()
{
	n=64990
	while getent passwd "$n" >/dev/null || getent group "$n" >/dev/null ||
	    grep -q "^[^:]*:[^:]*:$n:" "$dir/passwd" "$dir/group"; do
		n=$((n - 1))
	done
	echo "$n"
}

pf_make_files()
{
	chmod 755 "$dir"
	[ -x "$FILTER_HELO" ] || fail "no filter binary $FILTER_HELO (run make)"
	[ -n "${POSTFIX_ROOT:-}" ] ||
	    POSTFIX_ROOT=$(sh "$top/regress/postfix37.sh" fetch) ||
	    fail "no Postfix (regress/postfix37.sh fetch)"
	[ -x "$POSTFIX_ROOT/usr/lib/postfix/sbin/master" ] ||
	    fail "no Postfix in $POSTFIX_ROOT"
	printf '%s\n' "$POSTFIX_ROOT" >"$dir/postfix.root"
	mkdir -p "$dir/bin" "$dir/dns" "$dir/dev" "$dir/postfix" \
	    "$dir/spool" "$dir/data" "$dir/maildir"
	cp "$FILTER_HELO" "$dir/bin/filter-helo"
	cp "$here/syslog.pl" "$dir/bin/syslog.pl"
	chmod 755 "$dir/bin" "$dir/bin/filter-helo"
	{
		cat "$here/default.conf"
		echo '# Postfix does not send its name: ours, for "self".'
		echo 'local-name mx.regress.test'
	} >"$dir/default.conf"
	chmod 644 "$dir/default.conf"
	for f in null zero random urandom; do
		: >"$dir/dev/$f"
	done
	# filter-helo -S, as Postfix's mount namespace runs it: at the
	# start, and again after "harness.sh policyd DIR start".  In a
	# subshell, so that it is no child of master, which would not know
	# it when it exits.
	cat >"$dir/bin/policyd.sh" <<-EOF
	(
		exec "$dir/bin/filter-helo" -d -u nobody -g postfix \\
		    -S "$dir/spool/private/filter-helo" -f "$dir/default.conf" \\
		    </dev/null 2>>"$dir/policyd.log" &
		echo \$! >"$dir/policyd.pid"
	)
	EOF

	# The accounts Postfix sees.  A host that has them keeps its own.
	cp /etc/passwd "$dir/passwd"
	cp /etc/group "$dir/group"
	if ! getent group postfix >/dev/null; then
		echo "postfix:x:$(pf_free_id):" >>"$dir/group"
	fi
	if ! getent group postdrop >/dev/null; then
		echo "postdrop:x:$(pf_free_id):" >>"$dir/group"
	fi
	pf_gid=$(grep '^postfix:' "$dir/group" | cut -d: -f3)
	pd_gid=$(grep '^postdrop:' "$dir/group" | cut -d: -f3)
	if getent passwd postfix >/dev/null; then
		pf_uid=$(getent passwd postfix | cut -d: -f3)
	else
		pf_uid=$(pf_free_id)
		printf 'postfix:x:%s:%s:Postfix:/nonexistent:%s\n' "$pf_uid" \
		    "$pf_gid" /usr/sbin/nologin >>"$dir/passwd"
	fi
	chmod 644 "$dir/passwd" "$dir/group"

	# The queue, as "postfix check" would make it.
	chmod 755 "$dir/spool"
	for d in active bounce corrupt defer deferred flush hold incoming \
	    private saved trace; do
		mkdir -m 700 "$dir/spool/$d"
		chown "$pf_uid" "$dir/spool/$d"
	done
	mkdir -m 730 "$dir/spool/maildrop"
	mkdir -m 710 "$dir/spool/public"
	chown "$pf_uid:$pd_gid" "$dir/spool/maildrop" "$dir/spool/public"
	mkdir -m 755 "$dir/spool/pid"
	chown "$pf_uid" "$dir/data"
	chmod 700 "$dir/data"
	chown nobody "$dir/maildir"

	setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups \
	    test -x "$dir/bin/filter-helo" -a -r "$dir/default.conf" ||
	    fail "user nobody cannot reach $dir: set TMPDIR to a" \
		"directory that all users may traverse"
}

pf_make_config()
{
	main=$top/postfix-main.cf.snippet
	master=$top/postfix-master.cf.snippet
	pf_once "$main" "check_policy_service unix:private/$PF_SNIPPET_SERVICE"
	pf_once "$master" "$PF_SNIPPET_BIN -P -f $PF_SNIPPET_CONF"
	pf_once "$master" "user=$PF_SNIPPET_USER "
	pf_once "$master" "$PF_SNIPPET_SERVICE unix "
	pf_once "$master" "#   ${PF_SNIPPET_SERVICE}_time_limit = "
	lib=$POSTFIX_ROOT/usr/lib/postfix
	# The spawn listener's restrictions: the snippet's, asking the
	# spawn service (both services cannot have one name).
	svc=$PF_SNIPPET_SERVICE
	spawn=$(pf_restrictions "$main" |
	    sed -e "s|unix:private/$svc\$|unix:private/$svc-spawn|")
	{
		cat <<-EOF
		# The end-to-end test's Postfix (regress/e2e/postfix.sh),
		# then postfix-main.cf.snippet as it is.
		compatibility_level = 3.6
		myhostname = mx.regress.test
		mydomain = regress.test
		myorigin = \$mydomain
		mydestination =
		inet_interfaces = all
		inet_protocols = all
		mynetworks = 127.0.0.0/8 [::1]/128
		smtpd_banner = \$myhostname ESMTP Postfix
		biff = no
		queue_directory = $dir/spool
		data_directory = $dir/data
		meta_directory = $dir/postfix
		command_directory = $POSTFIX_ROOT/usr/sbin
		daemon_directory = $lib/sbin
		shlib_directory = $lib
		import_environment = MAIL_CONFIG MAIL_DEBUG MAIL_LOGTAG TZ LANG=C
		    LD_LIBRARY_PATH=$lib
		alias_maps =
		alias_database =
		virtual_mailbox_domains = regress.test
		virtual_mailbox_base = $dir/maildir
		virtual_mailbox_maps = inline:{ bob@regress.test=bob/,
		    carol@regress.test=carol/,
		    postmaster@regress.test=postmaster/ }
		virtual_uid_maps = static:$(id -u nobody)
		virtual_gid_maps = static:$(id -g nobody)
		# The listener of port 2525 asks the spawned filter-helo -P.
		spawn_helo_restrictions = $spawn
		EOF
		echo
		cat "$main"
		echo
		echo "# postfix-master.cf.snippet's line for main.cf."
		sed -n "s/^#   ${svc}_time_limit = /${svc}-spawn_time_limit = /p" \
		    "$master"
	} >"$dir/postfix/main.cf"
	{
		cat <<-EOF
		# The end-to-end test's Postfix (regress/e2e/postfix.sh): the
		# MX on port 25 asks filter-helo -S; port 2525 asks the
		# filter-helo -P of postfix-master.cf.snippet.  Nothing is
		# chrooted.
		smtp      inet  n       -       n       -       -       smtpd
		2525      inet  n       -       n       -       -       smtpd
		  -o smtpd_helo_restrictions=\$spawn_helo_restrictions
		pickup    unix  n       -       n       60      1       pickup
		cleanup   unix  n       -       n       -       0       cleanup
		qmgr      unix  n       -       n       300     1       qmgr
		rewrite   unix  -       -       n       -       -       trivial-rewrite
		bounce    unix  -       -       n       -       0       bounce
		defer     unix  -       -       n       -       0       bounce
		trace     unix  -       -       n       -       0       bounce
		verify    unix  -       -       n       -       1       verify
		flush     unix  n       -       n       1000?   0       flush
		proxymap  unix  -       -       n       -       -       proxymap
		smtp      unix  -       -       n       -       -       smtp
		showq     unix  n       -       n       -       -       showq
		error     unix  -       -       n       -       -       error
		retry     unix  -       -       n       -       -       error
		discard   unix  -       -       n       -       -       discard
		virtual   unix  -       n       n       -       -       virtual
		anvil     unix  -       -       n       -       1       anvil
		scache    unix  -       -       n       -       1       scache

		# postfix-master.cf.snippet, its service, user, program and
		# configuration the test's.
		EOF
		sed -e "s|^$svc unix |$svc-spawn unix |" \
		    -e "s|user=$PF_SNIPPET_USER |user=nobody |" \
		    -e "s|$PF_SNIPPET_BIN -P -f $PF_SNIPPET_CONF|$dir/bin/filter-helo -P -f $dir/default.conf|" \
		    "$master"
	} >"$dir/postfix/master.cf"
	LD_LIBRARY_PATH=$lib "$POSTFIX_ROOT/usr/sbin/postconf" \
	    -c "$dir/postfix" -n >"$dir/postconf.out" 2>"$dir/postconf.err" || {
		cat "$dir/postconf.err" >&2
		fail "postconf -c $dir/postfix -n failed"
	}
}

# The value of smtpd_helo_restrictions in a main.cf, continuation lines
# joined.
pf_restrictions()
{
	awk '
		/^smtpd_helo_restrictions[ \t]*=/ {
			sub(/^[^=]*=[ \t]*/, ""); v = $0; on = 1; next
		}
		on && /^[ \t]/ { sub(/^[ \t]+/, " "); v = v $0; next }
		{ on = 0 }
		END { gsub(/^ +/, "", v); print v }
	' "$1"
}

# syslog.pl on DIR/dev/log, then filter-helo -S and Postfix's master in
# one mount namespace: the daemon needs the group postfix of DIR/group
# for its socket.  master -d stays in the foreground; setsid makes it
# the leader of its process group, which it signals when it stops.
pf_start()
{
	ip netns exec "$srv" perl "$dir/bin/syslog.pl" "$dir/dev/log" \
	    "$dir/syslog" </dev/null >"$dir/syslog.out" 2>&1 &
	n=0
	until [ -f "$dir/syslog.ready" ]; do
		n=$((n + 1))
		[ "$n" -le 50 ] || fail "syslog.pl did not start"
		sleep 0.1
	done
	ip netns exec "$srv" sh -c '
		dir=$0 root=$1
		mount --bind "$dir/passwd" /etc/passwd &&
		mount --bind "$dir/group" /etc/group || exit 1
		for f in null zero random urandom; do
			mount --bind "/dev/$f" "$dir/dev/$f" || exit 1
		done
		mount --rbind "$dir/dev" /dev || exit 1
		sh "$dir/bin/policyd.sh" || exit 1
		LD_LIBRARY_PATH=$root/usr/lib/postfix exec setsid \
		    "$root/usr/lib/postfix/sbin/master" -d -c "$dir/postfix"' \
	    "$dir" "$POSTFIX_ROOT" </dev/null >"$dir/master.out" 2>&1 &
	echo $! >"$dir/master.pid"
	pf_policyd_wait
}

# "harness.sh policyd DIR stop|start": the policy server gone (Postfix
# then gives its default_action) or back, started in Postfix's mount
# and network namespaces as at "up".
pf_policyd()
{
	if [ -f "$dir/policyd.pid" ]; then
		pid=$(cat "$dir/policyd.pid")
		kill "$pid" 2>/dev/null || true
		wait_gone "$pid" 100 || kill_hard "$pid"
		rm -f "$dir/policyd.pid"
	fi
	[ "$1" = start ] || return 0
	nsenter -t "$(cat "$dir/master.pid")" -m -n sh "$dir/bin/policyd.sh"
	pf_policyd_wait
}

# Until filter-helo -S answers on its socket (a connection it closes at
# once when nothing comes), for at most 5 s.
pf_policyd_wait()
{
	n=0
	until perl -MIO::Socket::UNIX -e \
	    'IO::Socket::UNIX->new(Peer => $ARGV[0]) or exit 1' \
	    "$dir/spool/private/filter-helo" 2>/dev/null; do
		n=$((n + 1))
		[ "$n" -le 50 ] || fail "filter-helo -S does not answer"
		sleep 0.1
	done
}
