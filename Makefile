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

# filter-helo: POSIX make only; the same file works with GNU make and
# BSD make.  Library flags come from pkg-config when the recipe runs.
.POSIX:
.SUFFIXES:
.SUFFIXES: .c .o

PROG =		filter-helo
PREFIX =	/usr/local
LIBEXECDIR =	$(PREFIX)/libexec/smtpd
MANDIR =	$(PREFIX)/man
EXAMPLEDIR =	$(PREFIX)/share/examples/filter-helo
CC =		cc
CFLAGS =	-O2 -g -Wall -Wextra -Wstrict-prototypes -Wmissing-prototypes \
		-Wshadow -Wpointer-arith -Wno-unused-parameter
LDFLAGS =
# libbsd only where the BSD APIs are not native; OpenBSD's base libevent
# has no .pc file.
PKGS =		libidn2 libpsl libcares
SYS_CFLAGS =	`pkg-config --cflags libbsd-overlay 2>/dev/null` \
		`pkg-config --cflags libevent 2>/dev/null`
PKG_CFLAGS =	$(SYS_CFLAGS) `pkg-config --cflags $(PKGS)`
PKG_LIBS =	`pkg-config --libs libbsd-overlay 2>/dev/null` \
		`pkg-config --libs libevent 2>/dev/null || echo -levent` \
		`pkg-config --libs $(PKGS)`
# #include "..." looks in the including file's own directory first,
# then here.  compat/ is for every file; filter/ and the tests see every
# layer, checks/ and protocol/ only compat/, so that an include across
# the layers fails to compile.
INCS =		-Icompat -Ifilter -Iprotocol -Ichecks
LAYER_INCS =	`case $< in checks/* | protocol/*) echo -Icompat ;; \
		    *) echo $(INCS) ;; esac`

PROTO_OBJS =	protocol/proto.o protocol/io.o protocol/postfix.o
CHECK_OBJS =	checks/addr.o checks/helo.o checks/dynamic.o checks/special.o \
		checks/rcpt.o checks/facts.o checks/policy.o checks/protect.o \
		checks/dbl.o checks/verdict.o checks/reply.o checks/lists.o \
		checks/memory.o checks/spfrecord.o checks/spfmacro.o
DNS_OBJS =	checks/dns.o checks/dnscache.o checks/dnsresult.o \
		checks/lookup.o checks/spf.o checks/spfexp.o
FRONT_OBJS =	filter/log.o filter/logsys.o filter/config.o filter/session.o \
		filter/smtpd.o filter/exim.o filter/report.o filter/reload.o \
		filter/stats.o filter/header.o filter/policyd.o \
		filter/firsthelo.o filter/priv.o
OBJS =		filter/main.o $(FRONT_OBJS) $(DNS_OBJS) $(CHECK_OBJS) \
		$(PROTO_OBJS)
HDRS =		compat/compat.h filter/config.h filter/log.h filter/logsys.h \
		filter/session.h filter/smtpd.h filter/exim.h filter/report.h \
		filter/reload.h filter/stats.h filter/header.h filter/version.h \
		filter/policyd.h filter/firsthelo.h filter/priv.h \
		protocol/proto.h protocol/io.h protocol/postfix.h \
		checks/addr.h checks/helo.h checks/policy.h checks/facts.h \
		checks/verdict.h checks/dns.h checks/dnscache.h checks/dnsresult.h \
		checks/lookup.h checks/protect.h checks/dbl.h checks/reply.h \
		checks/memory.h checks/spf.h checks/spfrecord.h \
		checks/spfcheck.h

# Everything but main(): what the unit tests and fuzz targets link.
LIB_OBJS =	$(FRONT_OBJS) $(DNS_OBJS) $(CHECK_OBJS) $(PROTO_OBJS)
LIB_SRCS =	filter/log.c filter/logsys.c filter/config.c \
		filter/session.c filter/smtpd.c filter/exim.c filter/report.c \
		filter/reload.c filter/stats.c filter/header.c filter/policyd.c \
		filter/firsthelo.c filter/priv.c \
		checks/dns.c checks/dnscache.c checks/dnsresult.c \
		checks/lookup.c checks/spf.c checks/spfexp.c \
		checks/spfrecord.c checks/spfmacro.c checks/addr.c \
		checks/protect.c checks/dbl.c \
		checks/helo.c checks/dynamic.c checks/special.c checks/rcpt.c \
		checks/facts.c checks/policy.c checks/verdict.c checks/reply.c \
		checks/lists.c checks/memory.c \
		protocol/proto.c protocol/io.c protocol/postfix.c

TAP_OBJ =	regress/tap.o
UNIT_TESTS =	regress/t_proto regress/t_helo regress/t_config \
		regress/t_verdict regress/t_dns regress/t_dblzone regress/t_header \
		regress/t_dnsmsg regress/t_oom regress/t_postfix regress/t_spf \
		regress/t_spfcheck
UNIT_OBJS =	regress/t_proto.o regress/t_helo.o regress/t_config.o \
		regress/t_verdict.o regress/t_dns.o regress/t_dblzone.o \
		regress/t_header.o regress/t_dnsmsg.o regress/t_oom.o \
		regress/t_postfix.o regress/t_spf.o regress/t_spfcheck.o
TESTS =		regress/t_proto regress/t_helo regress/t_config \
		regress/t_verdict regress/t_dblzone regress/t_header \
		regress/t_dnsmsg regress/t_oom regress/t_postfix regress/t_spf \
		regress/t_dbl.t \
		regress/t_dns.sh regress/t_spfcheck.sh \
		regress/t_transcript.t \
		regress/t_sessions.t regress/t_robust.t regress/t_flood.t \
		regress/t_signals.t regress/t_dnschecks.t regress/t_dnssec.t \
		regress/t_spf_helo.t \
		regress/t_deadnames.t regress/t_flood_dns.t regress/t_syslog.t \
		regress/t_spf_suite.t \
		regress/t_verified.t regress/t_idle.t regress/t_special.t \
		regress/t_pass_rcpt.t regress/t_protected.t regress/t_private.t \
		regress/t_except.t \
		regress/t_reload.t regress/t_dry_run.t regress/t_stats.t \
		regress/t_add_header.t regress/t_policyd_edges.t \
		regress/t_policyd_held.t \
		regress/t_memory.t \
		regress/t_leaks.t regress/t_config_cli.t regress/t_e2e.t \
		regress/t_postfix_e2e.t regress/t_exim.t regress/t_policyd.t \
		regress/t_build.sh regress/t_docs.sh \
		regress/t_fuzz_replay.sh regress/t_dist.sh regress/t_port.sh \
		regress/t_deb.t
# The C unit tests that need neither the DNS fixture nor an MTA: what
# "make unit" runs, as the Debian package and the OpenBSD port do.
FAST_TESTS =	regress/t_proto regress/t_helo regress/t_config \
		regress/t_verdict regress/t_dblzone regress/t_header \
		regress/t_dnsmsg regress/t_postfix regress/t_spf

# make dist: filter-helo-VERSION.tar.gz in DISTDIR, of the files git
# tracks, as they are in the work tree (so it needs a git clone, and a
# tar with -T: GNU's or libarchive's).  Not the port's distinfo: that is
# the checksum of this very tarball, which "make distinfo" writes.
DISTDIR =	.
PORTDIR =	contrib/openbsd/mail/filter-helo
VERSION_SH =	sed -n 's/^\#define FILTER_HELO_VERSION[^"]*"\(.*\)"$$/\1/p' \
		    filter/version.h

# make test SANITIZE=1: everything built with ASan and UBSan.  Plain and
# sanitized objects share their names, so "make test" cleans when the
# flavour changes (remembered in .flavour); run "make clean" yourself
# before "make all" in the other flavour.  A sanitizer report exits 86
# (not 1, which Exim reads as "reject"); leaks at exit are failures.
SANITIZE =
SAN_FLAGS =	-fsanitize=address,undefined -fno-omit-frame-pointer \
		-fno-sanitize-recover=all
SAN_ENV =	ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:exitcode=86 \
		UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:exitcode=86

# Fuzz targets: replayed over their corpora by "make test" (linked with
# the objects above by $(CC), so gcc is enough and they build as the rest);
# built by clang with libFuzzer from the sources by "make fuzz", which
# runs each for FUZZ_TIME seconds.
FUZZ_NAMES =	lines helo config reply dnsmsg spf
FUZZ_OBJS =	regress/fuzz/fuzz_lines.o regress/fuzz/fuzz_helo.o \
		regress/fuzz/fuzz_config.o regress/fuzz/fuzz_reply.o \
		regress/fuzz/fuzz_dnsmsg.o regress/fuzz/fuzz_spf.o \
		regress/fuzz/replay.o
REPLAYS =	regress/fuzz/replay_lines regress/fuzz/replay_helo \
		regress/fuzz/replay_config regress/fuzz/replay_reply \
		regress/fuzz/replay_dnsmsg regress/fuzz/replay_spf
FUZZERS =	regress/fuzz/fuzz_lines regress/fuzz/fuzz_helo \
		regress/fuzz/fuzz_config regress/fuzz/fuzz_reply \
		regress/fuzz/fuzz_dnsmsg regress/fuzz/fuzz_spf
FUZZ_CC =	clang
FUZZ_CFLAGS =	-g -O1 -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all -Wall -Wextra -Wno-unused-parameter \
		-Wno-string-concatenation
FUZZ_TIME =	60

all: depcheck $(PROG)

# Before compiling, every missing library at once, and the way to get
# them, rather than the compiler's stop at the first header it cannot
# find.  $(PKGS) through pkg-config; libevent and the BSD APIs by their
# headers, which OpenBSD has in base without a .pc file.
depcheck:
	@missing=; set -- $(CC); \
	if command -v "$$1" >/dev/null 2>&1; then \
		for h in sys/tree.h:libbsd event.h:libevent; do \
			printf '#include <sys/types.h>\n#include <%s>\n' \
			    "$${h%:*}" | $(CC) $(CFLAGS) $(SYS_CFLAGS) \
			    -E -x c - >/dev/null 2>&1 || \
			    missing="$$missing $${h#*:}"; \
		done; \
	else \
		missing=" $$1"; \
	fi; \
	command -v pkg-config >/dev/null 2>&1 || \
	    missing="$$missing pkg-config"; \
	for p in $(PKGS); do \
		pkg-config --exists $$p 2>/dev/null || missing="$$missing $$p"; \
	done; \
	test -z "$$missing" || { \
		echo "$(PROG) cannot be built: missing$$missing" >&2; \
		echo "Install them: \"make deps\" does it on Debian (as root);" \
		    "elsewhere, these libraries' development packages." >&2; \
		exit 1; }

.c.o:
	$(CC) $(CFLAGS) $(PKG_CFLAGS) $(LAYER_INCS) -c -o $@ $<

$(OBJS) $(TAP_OBJ) $(UNIT_OBJS) $(FUZZ_OBJS): $(HDRS)

$(PROG): $(OBJS)
	$(CC) $(LDFLAGS) -o $@ $(OBJS) $(PKG_LIBS)

regress/t_proto: regress/t_proto.o $(TAP_OBJ) $(PROTO_OBJS)
	$(CC) $(LDFLAGS) -o $@ regress/t_proto.o $(TAP_OBJ) $(PROTO_OBJS) \
	    $(PKG_LIBS)

regress/t_postfix: regress/t_postfix.o $(TAP_OBJ) protocol/postfix.o
	$(CC) $(LDFLAGS) -o $@ regress/t_postfix.o $(TAP_OBJ) \
	    protocol/postfix.o $(PKG_LIBS)

regress/t_helo: regress/t_helo.o $(TAP_OBJ) $(CHECK_OBJS)
	$(CC) $(LDFLAGS) -o $@ regress/t_helo.o $(TAP_OBJ) $(CHECK_OBJS) \
	    $(PKG_LIBS)

regress/t_config: regress/t_config.o $(TAP_OBJ) filter/config.o \
    filter/log.o filter/logsys.o $(CHECK_OBJS)
	$(CC) $(LDFLAGS) -o $@ regress/t_config.o $(TAP_OBJ) \
	    filter/config.o filter/log.o filter/logsys.o $(CHECK_OBJS) \
	    $(PKG_LIBS)

regress/t_verdict: regress/t_verdict.o $(TAP_OBJ) $(CHECK_OBJS)
	$(CC) $(LDFLAGS) -o $@ regress/t_verdict.o $(TAP_OBJ) $(CHECK_OBJS) \
	    $(PKG_LIBS)

regress/t_dblzone: regress/t_dblzone.o $(TAP_OBJ) $(CHECK_OBJS)
	$(CC) $(LDFLAGS) -o $@ regress/t_dblzone.o $(TAP_OBJ) $(CHECK_OBJS) \
	    $(PKG_LIBS)

regress/t_header: regress/t_header.o $(TAP_OBJ) filter/header.o \
    $(DNS_OBJS) $(CHECK_OBJS)
	$(CC) $(LDFLAGS) -o $@ regress/t_header.o $(TAP_OBJ) \
	    filter/header.o $(DNS_OBJS) $(CHECK_OBJS) $(PKG_LIBS)

regress/t_dnsmsg: regress/t_dnsmsg.o $(TAP_OBJ) checks/dnsresult.o \
    $(CHECK_OBJS)
	$(CC) $(LDFLAGS) -o $@ regress/t_dnsmsg.o $(TAP_OBJ) \
	    checks/dnsresult.o $(CHECK_OBJS) $(PKG_LIBS)

regress/t_spf: regress/t_spf.o $(TAP_OBJ) $(CHECK_OBJS)
	$(CC) $(LDFLAGS) -o $@ regress/t_spf.o $(TAP_OBJ) $(CHECK_OBJS) \
	    $(PKG_LIBS)

# One check_host() against a resolver: the OpenSPF suite's driver.
regress/t_spfcheck: regress/t_spfcheck.o $(DNS_OBJS) $(CHECK_OBJS)
	$(CC) $(LDFLAGS) -o $@ regress/t_spfcheck.o $(DNS_OBJS) \
	    $(CHECK_OBJS) $(PKG_LIBS)

# Allocations fail at the test's word: the link wraps them (GNU ld, lld).
regress/t_oom: regress/t_oom.o $(TAP_OBJ) $(LIB_OBJS)
	$(CC) $(LDFLAGS) -Wl,--wrap=realloc -Wl,--wrap=reallocarray -o $@ \
	    regress/t_oom.o $(TAP_OBJ) $(LIB_OBJS) $(PKG_LIBS)

regress/t_dns: regress/t_dns.o $(TAP_OBJ) $(DNS_OBJS) $(CHECK_OBJS)
	$(CC) $(LDFLAGS) -o $@ regress/t_dns.o $(TAP_OBJ) $(DNS_OBJS) \
	    $(CHECK_OBJS) $(PKG_LIBS)

regress/fuzz/replay_lines: regress/fuzz/fuzz_lines.o regress/fuzz/replay.o \
    $(LIB_OBJS)
	$(CC) $(LDFLAGS) -o $@ regress/fuzz/fuzz_lines.o regress/fuzz/replay.o \
	    $(LIB_OBJS) $(PKG_LIBS)

regress/fuzz/replay_helo: regress/fuzz/fuzz_helo.o regress/fuzz/replay.o \
    $(LIB_OBJS)
	$(CC) $(LDFLAGS) -o $@ regress/fuzz/fuzz_helo.o regress/fuzz/replay.o \
	    $(LIB_OBJS) $(PKG_LIBS)

regress/fuzz/replay_config: regress/fuzz/fuzz_config.o \
    regress/fuzz/replay.o $(LIB_OBJS)
	$(CC) $(LDFLAGS) -o $@ regress/fuzz/fuzz_config.o \
	    regress/fuzz/replay.o $(LIB_OBJS) $(PKG_LIBS)

regress/fuzz/replay_reply: regress/fuzz/fuzz_reply.o regress/fuzz/replay.o \
    $(LIB_OBJS)
	$(CC) $(LDFLAGS) -o $@ regress/fuzz/fuzz_reply.o regress/fuzz/replay.o \
	    $(LIB_OBJS) $(PKG_LIBS)

regress/fuzz/replay_dnsmsg: regress/fuzz/fuzz_dnsmsg.o \
    regress/fuzz/replay.o $(LIB_OBJS)
	$(CC) $(LDFLAGS) -o $@ regress/fuzz/fuzz_dnsmsg.o \
	    regress/fuzz/replay.o $(LIB_OBJS) $(PKG_LIBS)

regress/fuzz/replay_spf: regress/fuzz/fuzz_spf.o regress/fuzz/replay.o \
    $(LIB_OBJS)
	$(CC) $(LDFLAGS) -o $@ regress/fuzz/fuzz_spf.o regress/fuzz/replay.o \
	    $(LIB_OBJS) $(PKG_LIBS)

# From the sources, not the objects: those are $(CC)'s, without the
# coverage instrumentation libFuzzer needs.
regress/fuzz/fuzz_lines: regress/fuzz/fuzz_lines.c $(LIB_SRCS) $(HDRS)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(PKG_CFLAGS) $(INCS) -o $@ \
	    regress/fuzz/fuzz_lines.c $(LIB_SRCS) $(PKG_LIBS)

regress/fuzz/fuzz_helo: regress/fuzz/fuzz_helo.c $(LIB_SRCS) $(HDRS)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(PKG_CFLAGS) $(INCS) -o $@ \
	    regress/fuzz/fuzz_helo.c $(LIB_SRCS) $(PKG_LIBS)

regress/fuzz/fuzz_config: regress/fuzz/fuzz_config.c $(LIB_SRCS) $(HDRS)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(PKG_CFLAGS) $(INCS) -o $@ \
	    regress/fuzz/fuzz_config.c $(LIB_SRCS) $(PKG_LIBS)

regress/fuzz/fuzz_reply: regress/fuzz/fuzz_reply.c $(LIB_SRCS) $(HDRS)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(PKG_CFLAGS) $(INCS) -o $@ \
	    regress/fuzz/fuzz_reply.c $(LIB_SRCS) $(PKG_LIBS)

regress/fuzz/fuzz_dnsmsg: regress/fuzz/fuzz_dnsmsg.c $(LIB_SRCS) $(HDRS)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(PKG_CFLAGS) $(INCS) -o $@ \
	    regress/fuzz/fuzz_dnsmsg.c $(LIB_SRCS) $(PKG_LIBS)

regress/fuzz/fuzz_spf: regress/fuzz/fuzz_spf.c $(LIB_SRCS) $(HDRS)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(PKG_CFLAGS) $(INCS) -o $@ \
	    regress/fuzz/fuzz_spf.c $(LIB_SRCS) $(PKG_LIBS)

# The test and demo targets install their packages first (as root, when
# missing), then build, so a fresh machine needs nothing else.
deps:
	sh regress/deps.sh

# OpenSMTPD 7.8.0p1 for the end-to-end tests and the demo, built once
# from ../shared/vendor into a cache outside the tree (see
# regress/smtpd78.sh).  Only as root, who alone can run those tests;
# without the tarball (status 3) they are skipped, saying why.
smtpd78: deps
	@if [ "`id -u`" -eq 0 ]; then \
		sh regress/smtpd78.sh build >/dev/null || test $$? -eq 3; \
	fi

test regress: deps smtpd78
	@want=plain; test -z "$(SANITIZE)" || want=sanitize; \
	have=`cat .flavour 2>/dev/null || echo plain`; \
	if [ "$$have" != "$$want" ]; then \
		echo "built $$have, testing $$want: cleaning first"; \
		$(MAKE) clean; \
	fi; \
	echo $$want >.flavour
	if [ -n "$(SANITIZE)" ]; then \
		$(MAKE) CFLAGS="$(CFLAGS) $(SAN_FLAGS)" \
		    LDFLAGS="$(LDFLAGS) $(SAN_FLAGS)" \
		    all $(UNIT_TESTS) $(REPLAYS); \
	else \
		$(MAKE) all $(UNIT_TESTS) $(REPLAYS); \
	fi
	SANITIZE="$(SANITIZE)" $(SAN_ENV) prove -e '' $(TESTS)

fuzz: deps
	$(MAKE) $(FUZZERS)
	sh regress/fuzz/run.sh $(FUZZ_TIME) $(FUZZ_NAMES)

bench: deps
	$(MAKE) all regress/bench/null-filter regress/bench/policy-client
	sh regress/bench.sh

# The benchmark's null filter: the protocol alone, no checks.
regress/bench/null-filter: regress/bench/null-filter.c
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ regress/bench/null-filter.c

# The benchmark's client of the policy server, and of -E.
regress/bench/policy-client: regress/bench/policy-client.c
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ regress/bench/policy-client.c

demo: deps smtpd78
	$(MAKE) all
	sh regress/demo.sh

unit: $(FAST_TESTS)
	@for t in $(FAST_TESTS); do \
		out=`./$$t 2>&1` || { echo "$$out"; echo "$$t: FAILED"; \
		    exit 1; }; \
		echo "$$t: `echo "$$out" | grep -c '^ok '` tests ok"; \
	done

dist:
	@v=`$(VERSION_SH)`; d=filter-helo-$$v; test -n "$$v" || \
	    { echo "dist: no version in filter/version.h" >&2; exit 1; }; \
	git rev-parse --git-dir >/dev/null 2>&1 || \
	    { echo "dist: needs a git clone" >&2; exit 1; }; \
	rm -rf "$(DISTDIR)/$$d" && mkdir "$(DISTDIR)/$$d" && \
	git ls-files | grep -vx '$(PORTDIR)/distinfo' | tar -cf - -T - | \
	    tar -xf - -C "$(DISTDIR)/$$d" && \
	(cd "$(DISTDIR)" && tar -cf - "$$d" | gzip -9n >"$$d.tar.gz") && \
	rm -rf "$(DISTDIR)/$$d" && echo "$(DISTDIR)/$$d.tar.gz"

distinfo:
	@v=`$(VERSION_SH)`; f=filter-helo-$$v.tar.gz; \
	test -f "$(DISTDIR)/$$f" || \
	    { echo "distinfo: no $(DISTDIR)/$$f (make dist)" >&2; exit 1; }; \
	sum=`openssl dgst -sha256 -binary "$(DISTDIR)/$$f" | openssl base64` && \
	size=`wc -c <"$(DISTDIR)/$$f" | tr -d ' '` && \
	printf 'SHA256 (%s) = %s\nSIZE (%s) = %s\n' "$$f" "$$sum" "$$f" \
	    "$$size" >$(PORTDIR)/distinfo && cat $(PORTDIR)/distinfo

install: all
	mkdir -p $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(MANDIR)/man8
	cp $(PROG) $(DESTDIR)$(LIBEXECDIR)/$(PROG)
	chmod 755 $(DESTDIR)$(LIBEXECDIR)/$(PROG)
	cp filter-helo.8 $(DESTDIR)$(MANDIR)/man8/filter-helo.8
	chmod 644 $(DESTDIR)$(MANDIR)/man8/filter-helo.8
	mkdir -p $(DESTDIR)$(EXAMPLEDIR)
	cp smtpd.conf.example exim.conf.snippet $(DESTDIR)$(EXAMPLEDIR)/
	cp regress/filter-helo.conf.example \
	    $(DESTDIR)$(EXAMPLEDIR)/filter-helo.conf
	chmod 644 $(DESTDIR)$(EXAMPLEDIR)/*

clean:
	rm -f $(PROG) $(OBJS) $(TAP_OBJ) $(UNIT_TESTS) regress/*.o \
	    regress/bench/null-filter regress/bench/policy-client \
	    $(FUZZ_OBJS) $(REPLAYS) $(FUZZERS) \
	    .flavour
	rm -rf regress/fuzz/new

.PHONY: all depcheck deps smtpd78 test regress unit fuzz bench demo dist distinfo \
	install clean
