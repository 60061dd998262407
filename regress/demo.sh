#!/bin/sh
#
# make demo: the README's first command.  Starts the regress DNS
# fixture, the system's smtpd (with smtpd.conf.example) and the built
# filter-helo in network namespaces of their own, sends a dozen sample
# sessions and prints, for each, the client, its HELO, what smtpd
# answered at the verdict and what filter-helo logged; then takes it all
# down, also when interrupted.  Needs root.  The harness is
# regress/e2e/harness.sh, the sessions regress/e2e/demo.pl; the end-to-end
# test, regress/t_e2e.t, uses both pieces too.

set -eu
cd "$(dirname "$0")/.."

if ! why=$(perl -Iregress/e2e -ME2E -e 'print E2E::missing() // ""') ||
    [ -n "$why" ]; then
	echo "demo: cannot run here: ${why:-perl failed}" >&2
	exit 1
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/filter-helo-demo.XXXXXX")
trap 'sh regress/e2e/harness.sh down "$dir"; rm -rf "$dir"' EXIT
trap 'exit 1' INT TERM

echo "demo: starting the DNS fixture, smtpd and filter-helo in namespaces"
sh regress/e2e/harness.sh up "$dir"
perl regress/e2e/demo.pl "$dir"
echo "demo: stopping them"
