#!/bin/sh
#
# The "tap" filter of the end-to-end tests: runs a filter and records
# both directions of its protocol with smtpd, unchanged.
#	tap.sh DIR CMD [ARG ...]
# appends what smtpd sends to DIR/in and what CMD answers to DIR/out.
# CMD reads and writes pipes here, not smtpd's socket.
d=$1
shift
tee -a "$d/in" | "$@" | tee -a "$d/out"
