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
PKGS =		libidn2 libpsl libunbound
PKG_CFLAGS =	`pkg-config --cflags libbsd-overlay 2>/dev/null` \
		`pkg-config --cflags libevent 2>/dev/null` \
		`pkg-config --cflags $(PKGS)`
PKG_LIBS =	`pkg-config --libs libbsd-overlay 2>/dev/null` \
		`pkg-config --libs libevent 2>/dev/null || echo -levent` \
		`pkg-config --libs $(PKGS)`
INCS =		-Ifilter -Iprotocol -Ichecks

PROTO_OBJS =	protocol/proto.o protocol/io.o
CHECK_OBJS =	checks/addr.o checks/helo.o checks/dynamic.o \
		checks/facts.o checks/policy.o checks/verdict.o
DNS_OBJS =	checks/dns.o checks/lookup.o
FRONT_OBJS =	filter/log.o filter/config.o filter/session.o \
		filter/smtpd.o filter/exim.o filter/report.o
OBJS =		filter/main.o $(FRONT_OBJS) $(DNS_OBJS) $(CHECK_OBJS) \
		$(PROTO_OBJS)
HDRS =		filter/compat.h filter/config.h filter/log.h \
		filter/session.h filter/smtpd.h filter/exim.h filter/report.h \
		protocol/proto.h protocol/io.h \
		checks/addr.h checks/helo.h checks/policy.h checks/facts.h \
		checks/verdict.h checks/dns.h checks/lookup.h

TAP_OBJ =	regress/tap.o
UNIT_TESTS =	regress/t_proto regress/t_helo regress/t_config \
		regress/t_verdict regress/t_dns
UNIT_OBJS =	regress/t_proto.o regress/t_helo.o regress/t_config.o \
		regress/t_verdict.o regress/t_dns.o
TESTS =		regress/t_proto regress/t_helo regress/t_config \
		regress/t_verdict regress/t_dns.sh regress/t_transcript.t \
		regress/t_sessions.t regress/t_robust.t regress/t_flood.t \
		regress/t_signals.t regress/t_dnschecks.t regress/t_dnssec.t \
		regress/t_deadnames.t regress/t_verified.t regress/t_idle.t \
		regress/t_leaks.t regress/t_config_cli.t regress/t_e2e.t \
		regress/t_exim.t regress/t_build.sh regress/t_docs.sh

all: $(PROG)

.c.o:
	$(CC) $(CFLAGS) $(PKG_CFLAGS) $(INCS) -c -o $@ $<

$(OBJS) $(TAP_OBJ) $(UNIT_OBJS): $(HDRS)

$(PROG): $(OBJS)
	$(CC) $(LDFLAGS) -o $@ $(OBJS) $(PKG_LIBS)

regress/t_proto: regress/t_proto.o $(TAP_OBJ) $(PROTO_OBJS)
	$(CC) $(LDFLAGS) -o $@ regress/t_proto.o $(TAP_OBJ) $(PROTO_OBJS) \
	    $(PKG_LIBS)

regress/t_helo: regress/t_helo.o $(TAP_OBJ) $(CHECK_OBJS)
	$(CC) $(LDFLAGS) -o $@ regress/t_helo.o $(TAP_OBJ) $(CHECK_OBJS) \
	    $(PKG_LIBS)

regress/t_config: regress/t_config.o $(TAP_OBJ) filter/config.o \
    filter/log.o $(CHECK_OBJS)
	$(CC) $(LDFLAGS) -o $@ regress/t_config.o $(TAP_OBJ) \
	    filter/config.o filter/log.o $(CHECK_OBJS) $(PKG_LIBS)

regress/t_verdict: regress/t_verdict.o $(TAP_OBJ) $(CHECK_OBJS)
	$(CC) $(LDFLAGS) -o $@ regress/t_verdict.o $(TAP_OBJ) $(CHECK_OBJS) \
	    $(PKG_LIBS)

regress/t_dns: regress/t_dns.o $(TAP_OBJ) $(DNS_OBJS) filter/log.o \
    $(CHECK_OBJS)
	$(CC) $(LDFLAGS) -o $@ regress/t_dns.o $(TAP_OBJ) $(DNS_OBJS) \
	    filter/log.o $(CHECK_OBJS) $(PKG_LIBS)

# The test and demo targets install their packages first (as root, when
# missing), then build, so a fresh machine needs nothing else.
deps:
	sh regress/deps.sh

test regress: deps
	$(MAKE) all $(UNIT_TESTS)
	prove -e '' $(TESTS)

bench: deps
	$(MAKE) all
	sh regress/bench.sh

demo: deps
	$(MAKE) all
	sh regress/demo.sh

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
	rm -f $(PROG) $(OBJS) $(TAP_OBJ) $(UNIT_TESTS) regress/*.o

.PHONY: all deps test regress bench demo install clean
